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
//! [`Dialect::push_string_literal`] below).

mod driver;
mod errors;
mod types;

use std::borrow::Cow;

use crate::dialect::ConnectionConfig;
use crate::dialect::{common, BoxFuture, Dialect, DriverConnection, Supports};
use crate::error::Result;
use crate::sql::scanner::{Backslashes, DoubleQuotes, ScanRules};
use crate::sql::TransactionOptions;
use crate::sql::{ColumnDef, Lock};

/// How instants are written as text: UTC without an offset, since every connection sets
/// `time_zone = '+00:00'` and `DATETIME` has no zone.
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
}

impl MySql {
    pub(crate) fn new(flavor: Flavor) -> Self {
        let mariadb = flavor == Flavor::MariaDb;
        MySql {
            flavor,
            supports: Supports {
                returning: mariadb,
                savepoints: true,
                transaction_types: false,
                // DDL commits the open transaction implicitly.
                transactional_ddl: false,
                create_index_if_not_exists: mariadb,
                // The prepared-statement protocol counts parameters in 16 bits.
                max_bind_parameters: 65_535,
                max_identifier_length: 64,
                native_enums: true,
                decimal_significant_digits: None,
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

    fn identifier_quote(&self) -> char {
        '`'
    }

    fn push_placeholder(&self, _index: usize, out: &mut String) {
        out.push('?');
    }

    fn scan_rules(&self) -> ScanRules {
        SCAN_RULES
    }

    fn push_column_type(&self, column: &ColumnDef, out: &mut String) -> Result<()> {
        types::push_column_type(column, out)
    }

    fn auto_increment_keyword(&self) -> Option<&'static str> {
        Some("AUTO_INCREMENT")
    }

    fn push_string_literal(&self, s: &str, out: &mut String) -> Result<()> {
        // The introducer makes a hex literal text rather than binary.
        push_mode_proof_literal(s, "_utf8mb4 ", out);
        Ok(())
    }

    fn push_bytes_literal(&self, bytes: &[u8], out: &mut String) {
        out.push_str("X'");
        common::push_hex(bytes, out);
        out.push('\'');
    }

    fn push_bool_literal(&self, b: bool, out: &mut String) {
        out.push(if b { '1' } else { '0' });
    }

    fn unlimited(&self) -> Option<&'static str> {
        // A LIMIT must come before an OFFSET here.
        Some(NO_LIMIT)
    }

    fn push_lock(&self, lock: Lock, out: &mut String) -> Result<()> {
        out.push_str(match lock {
            Lock::Update => " FOR UPDATE",
            // `FOR SHARE` is MySQL 8 only; this spelling works on MySQL 5.7+ and MariaDB.
            Lock::Share => " LOCK IN SHARE MODE",
        });
        Ok(())
    }

    fn begin_statements(&self, options: &TransactionOptions) -> Result<Vec<Cow<'static, str>>> {
        common::reject_sqlite_transaction_type(self.name(), options)?;
        Ok(match options.isolation_level {
            // Applies to the next transaction only, which is the one started right after.
            Some(level) => vec![
                Cow::Owned(format!("SET TRANSACTION ISOLATION LEVEL {}", level.sql())),
                Cow::Borrowed("START TRANSACTION"),
            ],
            None => vec![Cow::Borrowed("START TRANSACTION")],
        })
    }

    fn timestamp_format(&self) -> &'static str {
        TIMESTAMP_FORMAT
    }

    fn insert_default_values(&self) -> &'static str {
        " () VALUES ()"
    }

    fn now_default(&self) -> &'static str {
        // `DATE` is `DATETIME(6)` here, and MySQL 8 wants the default's precision to match.
        "CURRENT_TIMESTAMP(6)"
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
    use crate::error::Error;
    use crate::sql::{IsolationLevel, TransactionType};

    fn render(f: impl FnOnce(&MySql, &mut String)) -> String {
        let mut out = String::new();
        f(&MySql::new(Flavor::MariaDb), &mut out);
        out
    }

    #[test]
    fn flavors() {
        let mysql = MySql::new(Flavor::MySql);
        let mariadb = MySql::new(Flavor::MariaDb);
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
        assert_eq!(
            render(|d, o| d.push_lock(Lock::Share, o).unwrap()),
            " LOCK IN SHARE MODE"
        );
    }

    #[test]
    fn begin() {
        let d = MySql::new(Flavor::MySql);
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
        let err = d.begin_statements(&exclusive).unwrap_err();
        assert!(matches!(err, Error::Config(ref m) if m.contains("mysql has none")));
    }
}
