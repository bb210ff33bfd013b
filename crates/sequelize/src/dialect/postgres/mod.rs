//! PostgreSQL through `tokio-postgres`, also spoken by PostgreSQL-compatible engines
//! (CockroachDB, YugabyteDB).
//!
//! Every statement goes through the extended protocol: it is prepared once per connection and
//! cached, and its parameters are encoded in binary according to the types PostgreSQL inferred
//! for them, so `WHERE id = $1` takes an integer and `WHERE created_at > $1` a timestamp without
//! casts in the SQL. The connection forces `standard_conforming_strings = on`, which is what
//! [`SCAN_RULES`] assumes of the developer's SQL; the literals written here read the
//! same even if a session turns it off again.

mod driver;
mod errors;
mod render;
mod text_forms;
mod tls;
mod types;

use std::borrow::Cow;

use crate::dialect::{BoxFuture, Dialect, DriverConnection, MigrationLock, Supports};
use crate::dialect::{ConnectionConfig, TimeZone};
use crate::error::Result;
use crate::sql::scanner::ScanRules;
use crate::sql::TransactionOptions;

/// How instants are written as text: the session zone's wall clock with its offset, which
/// PostgreSQL reads into `timestamptz` as the same instant whatever the session's `TimeZone`.
const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f%:z";

/// How PostgreSQL lexes SQL, for the replacements scanner, with
/// `standard_conforming_strings = on` (what every connection sets; a session that turns it
/// off is followed through the server's reports).
const SCAN_RULES: ScanRules = ScanRules {
    escape_string_prefix: true,
    dollar_quoting: true,
    nested_block_comments: true,
    ..ScanRules::ANSI
};

/// The PostgreSQL dialect.
#[derive(Debug)]
pub(crate) struct Postgres {
    supports: Supports,
    /// The session zone: instant literals carry its offset.
    zone: TimeZone,
}

impl Postgres {
    pub(crate) fn new(zone: TimeZone) -> Self {
        Postgres {
            zone,
            supports: Supports {
                returning: true,
                transactional_ddl: true,
                // The Bind message counts parameters in an unsigned 16-bit integer.
                max_bind_parameters: 65_535,
                // NAMEDATALEN - 1: longer names are silently truncated.
                max_identifier_length: 63,
                arrays: true,
                enum_types: true,
                case_insensitive_text: true,
                postgres_types: true,
                comment_statements: true,
                schemas: true,
                partial_indexes: true,
                concurrent_indexes: true,
                index_operator_classes: true,
                ..Supports::BASE
            },
        }
    }
}

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn supports(&self) -> &Supports {
        &self.supports
    }

    fn time_zone(&self) -> TimeZone {
        self.zone
    }

    fn index_columns_query(&self) -> &'static str {
        "SELECT i.relname::text, x.indisunique, x.indisprimary, a.attname::text \
         FROM pg_catalog.pg_index x \
         JOIN pg_catalog.pg_class t ON t.oid = x.indrelid \
         JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid \
         JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, position) ON true \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
         WHERE t.relname = $1 \
         AND t.relnamespace = to_regnamespace(COALESCE($2, current_schema()))::oid \
         ORDER BY i.relname, k.position"
    }

    fn table_names_query(&self) -> &'static str {
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = COALESCE($1, current_schema()) AND table_type = 'BASE TABLE' \
         ORDER BY table_name"
    }

    fn schema_names_query(&self) -> Option<&'static str> {
        Some(
            "SELECT nspname::text FROM pg_catalog.pg_namespace \
             WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
        )
    }

    fn foreign_keys_query(&self) -> &'static str {
        "SELECT a.attname::text, cf.relname::text, af.attname::text \
         FROM pg_catalog.pg_constraint k \
         JOIN pg_catalog.pg_class c ON c.oid = k.conrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_catalog.pg_class cf ON cf.oid = k.confrelid \
         JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
         JOIN pg_catalog.pg_attribute af ON af.attrelid = k.confrelid AND af.attnum = k.confkey[1] \
         WHERE k.contype = 'f' AND cardinality(k.conkey) = 1 AND c.relname = $1 \
         AND n.nspname = COALESCE($2, current_schema()) ORDER BY 1"
    }

    fn constraints_query(&self) -> Option<&'static str> {
        Some(
            "SELECT k.conname::text, CASE k.contype WHEN 'c' THEN 'CHECK' WHEN 'u' THEN 'UNIQUE' \
                 WHEN 'p' THEN 'PRIMARY KEY' ELSE 'FOREIGN KEY' END, a.attname::text, \
                 cf.relname::text, af.attname::text, \
                 CASE WHEN k.contype = 'f' THEN CASE k.confdeltype WHEN 'r' THEN 'RESTRICT' \
                     WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' \
                     ELSE 'NO ACTION' END END, \
                 CASE WHEN k.contype = 'f' THEN CASE k.confupdtype WHEN 'r' THEN 'RESTRICT' \
                     WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' \
                     ELSE 'NO ACTION' END END, \
                 CASE WHEN k.contype = 'c' THEN pg_get_expr(k.conbin, k.conrelid) END \
             FROM pg_catalog.pg_constraint k \
             JOIN pg_catalog.pg_class c ON c.oid = k.conrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS key(attnum, position) ON true \
             LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = key.attnum \
             LEFT JOIN pg_catalog.pg_class cf ON cf.oid = k.confrelid \
             LEFT JOIN pg_catalog.pg_attribute af ON af.attrelid = k.confrelid \
                 AND af.attnum = k.confkey[key.position] \
             WHERE k.contype IN ('c', 'u', 'p', 'f') AND c.relname = $1 \
             AND n.nspname = COALESCE($2, current_schema()) ORDER BY 1, key.position",
        )
    }

    fn describe_columns_query(&self) -> &'static str {
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, \
             pg_get_expr(d.adbin, d.adrelid), \
             EXISTS (SELECT 1 FROM pg_catalog.pg_index i \
                     WHERE i.indrelid = c.oid AND i.indisprimary AND a.attnum = ANY (i.indkey)), \
             a.attidentity <> '' OR COALESCE(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false), \
             col_description(c.oid, a.attnum) \
             FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
             LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE c.relname = $1 \
             AND c.relnamespace = to_regnamespace(COALESCE($2, current_schema()))::oid \
             AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
    }

    fn index_names_query(&self) -> &'static str {
        "SELECT i.relname FROM pg_catalog.pg_index x \
         JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid \
         JOIN pg_catalog.pg_class t ON t.oid = x.indrelid \
         WHERE t.relname = $1 \
         AND t.relnamespace = to_regnamespace(COALESCE($2, current_schema()))::oid \
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = x.indexrelid)"
    }

    fn enum_types_query(&self) -> Option<&'static str> {
        Some(
            "SELECT t.typname::text, e.enumlabel::text FROM pg_catalog.pg_type t \
             JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid \
             WHERE t.typnamespace = to_regnamespace(COALESCE($1, current_schema()))::oid \
             ORDER BY t.typname, e.enumsortorder",
        )
    }

    fn enum_values_query(&self) -> Option<&'static str> {
        Some(
            "SELECT e.enumlabel FROM pg_catalog.pg_type t \
             JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid \
             WHERE t.typname = $1 \
             AND t.typnamespace = to_regnamespace(COALESCE($2, current_schema()))::oid \
             ORDER BY e.enumsortorder",
        )
    }

    fn scan_rules(&self) -> ScanRules {
        SCAN_RULES
    }

    fn begin_statements(&self, options: &TransactionOptions) -> Result<Vec<Cow<'static, str>>> {
        Ok(vec![match options.isolation_level {
            Some(level) => Cow::Owned(format!("BEGIN ISOLATION LEVEL {}", level.sql())),
            None => Cow::Borrowed("BEGIN"),
        }])
    }

    fn server_database(&self) -> Result<Option<&'static str>> {
        Ok(Some("postgres"))
    }

    fn migration_lock(&self) -> MigrationLock {
        MigrationLock::TransactionLock("SELECT pg_advisory_xact_lock($1)::text")
    }

    fn connect<'a>(
        &'a self,
        config: &'a ConnectionConfig,
    ) -> BoxFuture<'a, Result<Box<dyn DriverConnection>>> {
        Box::pin(async move {
            let conn = driver::PgConnection::open(config).await?;
            Ok(Box::new(conn) as Box<dyn DriverConnection>)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::QueryGenerator;
    use crate::error::Error;
    use crate::sql::{IsolationLevel, TransactionType};

    fn render(f: impl FnOnce(&Postgres, &mut String)) -> String {
        let mut out = String::new();
        f(&Postgres::new(TimeZone::UTC), &mut out);
        out
    }

    #[test]
    fn literals() {
        assert_eq!(
            render(|d, o| d.push_string_literal("O'Reilly", o).unwrap()),
            "'O''Reilly'"
        );
        // Backslash and quote: the escape-string form reads the same in every mode.
        assert_eq!(
            render(|d, o| d.push_string_literal("it\\'s", o).unwrap()),
            "E'it\\\\''s'"
        );
        assert!(Postgres::new(TimeZone::UTC)
            .push_string_literal("a\0b", &mut String::new())
            .is_err());
        assert_eq!(
            render(|d, o| d.push_bytes_literal(&[0, 0xab, 0x10], o)),
            "E'\\\\x00ab10'::bytea"
        );
        assert_eq!(render(|d, o| d.push_bool_literal(true, o)), "TRUE");
        assert_eq!(render(|d, o| d.push_placeholder(12, o)), "$12");
    }

    #[test]
    fn begin() {
        let d = Postgres::new(TimeZone::UTC);
        assert_eq!(
            d.begin_statements(&TransactionOptions::default()).unwrap(),
            ["BEGIN"]
        );
        let serializable = TransactionOptions {
            isolation_level: Some(IsolationLevel::Serializable),
            ..Default::default()
        };
        assert_eq!(
            d.begin_statements(&serializable).unwrap(),
            ["BEGIN ISOLATION LEVEL SERIALIZABLE"]
        );
        let immediate = TransactionOptions {
            transaction_type: Some(TransactionType::Immediate),
            ..Default::default()
        };
        let dialect: &dyn Dialect = &d;
        let err = dialect.begin(&immediate).unwrap_err();
        assert!(matches!(err, Error::Config(ref m) if m.contains("postgres has none")));
    }
}
