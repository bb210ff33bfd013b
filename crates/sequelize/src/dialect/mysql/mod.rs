//! MySQL and MariaDB through `mysql_async`: two dialects on one driver.
//!
//! They differ in what the [`Flavor`] switches: MariaDB (10.5 and later) has
//! `INSERT … RETURNING` and `CREATE INDEX IF NOT EXISTS`, MySQL reports generated keys through
//! `LAST_INSERT_ID()` in the OK packet. Everything else (quoting, literals, types, the driver)
//! is shared.
//!
//! String literals are written so that they mean the same whatever the server's `sql_mode`:
//! with `NO_BACKSLASH_ESCAPES` a backslash is an ordinary character, without it it escapes the
//! next one, so a string holding a backslash is never written between quotes at all (see
//! `push_mode_proof_literal` below).

mod driver;
mod errors;
mod render;
mod types;

use std::borrow::Cow;

use crate::dialect::{common, BoxFuture, Dialect, DriverConnection, MigrationLock, Supports};
use crate::dialect::{ConnectionConfig, TimeZone};
use crate::error::Result;
use crate::sql::scanner::{Backslashes, DoubleQuotes, ScanRules};
use crate::sql::TransactionOptions;

/// How instants are written as text: the session zone's wall clock without an offset, since
/// `DATETIME` has no zone and every connection's `time_zone` is the session zone.
const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f";

/// The largest row count MySQL takes in `LIMIT` (`u64::MAX`), which stands for "no limit"
/// before an `OFFSET` (MySQL has no `OFFSET` without `LIMIT`).
const NO_LIMIT: &str = "18446744073709551615";

/// How MySQL and MariaDB lex SQL, for the replacements scanner, in their default SQL mode (no
/// `NO_BACKSLASH_ESCAPES`, which the status flags of each reply report), with `ANSI_QUOTES`
/// unknown (nothing reports it). MySQL has no `E'…'` strings: there, `E` is a word.
const SCAN_RULES: ScanRules = ScanRules {
    backslashes: Backslashes::Escape,
    double_quotes: DoubleQuotes::StringOrIdentifier,
    backtick_identifiers: true,
    hash_comments: true,
    dash_comment_requires_space: true,
    ..ScanRules::ANSI
};

/// Which server the dialect talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// MySQL: generated keys come from `LAST_INSERT_ID()`.
    MySql,
    /// MariaDB 10.5 or later: `INSERT … RETURNING`.
    MariaDb,
}

/// The MySQL and MariaDB dialects.
#[derive(Debug)]
pub(crate) struct MySql {
    flavor: Flavor,
    supports: Supports,
    /// The session zone: `DATETIME` literals are its wall clock.
    zone: TimeZone,
}

impl MySql {
    pub(crate) fn new(flavor: Flavor, zone: TimeZone) -> Self {
        let mariadb = flavor == Flavor::MariaDb;
        MySql {
            flavor,
            zone,
            // DDL commits the open transaction implicitly: BASE's `transactional_ddl: false`.
            supports: Supports {
                returning: mariadb,
                create_index_if_not_exists: mariadb,
                max_identifier_length: 64,
                native_enums: true,
                narrow_and_unsigned_integers: true,
                foreign_keys_block_drop_column: true,
                unique_indexes_are_constraints: true,
                unique_beside_primary_key: true,
                inline_references: false,
                schemas: true,
                full_text_indexes: true,
                index_prefix_lengths: true,
                index_method_before_table: true,
                ..Supports::BASE
            },
        }
    }
}

impl Dialect for MySql {
    fn name(&self) -> &'static str {
        match self.flavor {
            Flavor::MySql => "mysql",
            Flavor::MariaDb => "mariadb",
        }
    }

    fn supports(&self) -> &Supports {
        &self.supports
    }

    fn time_zone(&self) -> TimeZone {
        self.zone
    }

    fn index_columns_query(&self) -> &'static str {
        "SELECT index_name, non_unique = 0, index_name = 'PRIMARY', column_name \
         FROM information_schema.statistics \
         WHERE table_name = ? AND table_schema = COALESCE(?, DATABASE()) \
         ORDER BY index_name, seq_in_index"
    }

    fn table_names_query(&self) -> &'static str {
        "SELECT table_name FROM information_schema.tables \
         WHERE table_schema = COALESCE(?, DATABASE()) AND table_type = 'BASE TABLE' \
         ORDER BY table_name"
    }

    fn schema_names_query(&self) -> Option<&'static str> {
        Some(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN \
             ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY 1",
        )
    }

    fn foreign_keys_query(&self) -> &'static str {
        "SELECT column_name, referenced_table_name, referenced_column_name \
         FROM information_schema.key_column_usage \
         WHERE table_name = ? AND table_schema = COALESCE(?, DATABASE()) \
         AND referenced_table_name IS NOT NULL ORDER BY column_name"
    }

    fn constraints_query(&self) -> Option<&'static str> {
        // MariaDB names checks per table, MySQL per schema.
        Some(match self.flavor {
            Flavor::MySql => concat!(
                include_str!("constraints.sql"),
                " ORDER BY tc.constraint_name, k.ordinal_position"
            ),
            Flavor::MariaDb => concat!(
                include_str!("constraints.sql"),
                " AND (cc.table_name IS NULL OR cc.table_name = tc.table_name)",
                " ORDER BY tc.constraint_name, k.ordinal_position"
            ),
        })
    }

    fn describe_columns_query(&self) -> &'static str {
        // MariaDB writes a missing default as the word NULL (and quotes text defaults).
        "SELECT column_name, column_type, is_nullable = 'YES', NULLIF(column_default, 'NULL'), \
             column_key = 'PRI', extra LIKE '%auto_increment%', NULLIF(column_comment, '') \
             FROM information_schema.columns \
             WHERE table_name = ? AND table_schema = COALESCE(?, DATABASE()) ORDER BY ordinal_position"
    }

    fn index_names_query(&self) -> &'static str {
        // MySQL keeps no difference between a unique index and a unique constraint: every
        // index but the primary key.
        "SELECT DISTINCT index_name FROM information_schema.statistics \
         WHERE table_name = ? AND table_schema = COALESCE(?, DATABASE()) AND index_name <> 'PRIMARY'"
    }

    fn scan_rules(&self) -> ScanRules {
        SCAN_RULES
    }

    fn begin_statements(&self, options: &TransactionOptions) -> Result<Vec<Cow<'static, str>>> {
        Ok(match options.isolation_level {
            // Applies to the next transaction only, which is the one started right after.
            Some(level) => vec![
                Cow::Owned(format!("SET TRANSACTION ISOLATION LEVEL {}", level.sql())),
                Cow::Borrowed("START TRANSACTION"),
            ],
            None => vec![Cow::Borrowed("START TRANSACTION")],
        })
    }

    fn server_database(&self) -> Result<Option<&'static str>> {
        Ok(None)
    }

    fn migration_lock(&self) -> MigrationLock {
        MigrationLock::SessionLock {
            take: "SELECT GET_LOCK(?, ?)",
            release: "SELECT RELEASE_LOCK(?)",
        }
    }

    fn connect<'a>(
        &'a self,
        config: &'a ConnectionConfig,
    ) -> BoxFuture<'a, Result<Box<dyn DriverConnection>>> {
        Box::pin(async move {
            let conn = driver::MySqlConnection::open(config).await?;
            Ok(Box::new(conn) as Box<dyn DriverConnection>)
        })
    }
}

/// Appends `s` as a literal that reads the same with and without `NO_BACKSLASH_ESCAPES`: a
/// backslash means different things in the two modes, and the mode is the server's (or the
/// session's) to change, so a string holding a backslash (or a NUL) is written as a hex
/// literal, which means the same bytes in every mode, preceded by `hex_prefix`.
fn push_mode_proof_literal(s: &str, hex_prefix: &str, out: &mut String) {
    if s.contains(['\\', '\0']) {
        out.push_str(hex_prefix);
        out.push_str("X'");
        common::push_hex(s.as_bytes(), out);
        out.push('\'');
    } else {
        common::push_quoted_doubling(s, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::QueryGenerator;
    use crate::error::Error;
    use crate::sql::{IsolationLevel, TransactionType};

    fn render(f: impl FnOnce(&MySql, &mut String)) -> String {
        let mut out = String::new();
        f(&MySql::new(Flavor::MariaDb, TimeZone::UTC), &mut out);
        out
    }

    #[test]
    fn flavors() {
        let mysql = MySql::new(Flavor::MySql, TimeZone::UTC);
        let mariadb = MySql::new(Flavor::MariaDb, TimeZone::UTC);
        assert_eq!((mysql.name(), mariadb.name()), ("mysql", "mariadb"));
        assert!(!mysql.supports().returning && mariadb.supports().returning);
        assert!(!mysql.supports().create_index_if_not_exists);
        assert!(mariadb.supports().create_index_if_not_exists);
    }

    #[test]
    fn string_literals_hold_in_every_sql_mode() {
        assert_eq!(
            render(|d, o| d.push_string_literal("O'Reilly", o).unwrap()),
            "'O''Reilly'"
        );
        // Backslash and quote: `'it\'s'` would be read differently with NO_BACKSLASH_ESCAPES.
        assert_eq!(
            render(|d, o| d.push_string_literal("it\\'s", o).unwrap()),
            "_utf8mb4 X'69745c2773'"
        );
        assert_eq!(
            render(|d, o| d.push_string_literal("a\0", o).unwrap()),
            "_utf8mb4 X'6100'"
        );
        assert_eq!(render(|d, o| d.push_string_literal("é", o).unwrap()), "'é'");
    }

    #[test]
    fn other_literals() {
        assert_eq!(
            render(|d, o| d.push_bytes_literal(&[0xde, 0xad], o)),
            "X'dead'"
        );
        assert_eq!(render(|d, o| d.push_bool_literal(false, o)), "0");
        assert_eq!(render(|d, o| d.push_placeholder(3, o)), "?");
    }

    #[test]
    fn begin() {
        let d = MySql::new(Flavor::MySql, TimeZone::UTC);
        assert_eq!(
            d.begin_statements(&TransactionOptions::default()).unwrap(),
            ["START TRANSACTION"]
        );
        let read_committed = TransactionOptions {
            isolation_level: Some(IsolationLevel::ReadCommitted),
            ..Default::default()
        };
        assert_eq!(
            d.begin_statements(&read_committed).unwrap(),
            [
                "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
                "START TRANSACTION"
            ]
        );
        let exclusive = TransactionOptions {
            transaction_type: Some(TransactionType::Exclusive),
            ..Default::default()
        };
        let dialect: &dyn Dialect = &d;
        let err = dialect.begin(&exclusive).unwrap_err();
        assert!(matches!(err, Error::Config(ref m) if m.contains("mysql has none")));
    }
}
