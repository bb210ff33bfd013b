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
mod types;

use std::borrow::Cow;

use crate::dialect::ConnectionConfig;
use crate::dialect::{common, BoxFuture, Dialect, DriverConnection, Supports};
use crate::error::{Error, Result};
use crate::sql::scanner::ScanRules;
use crate::sql::TransactionOptions;
use crate::sql::{ColumnDef, Lock};

/// How instants are written as text: UTC with an explicit offset, which PostgreSQL reads
/// correctly into both `timestamp` and `timestamptz` whatever the session's `TimeZone`.
const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.6f+00:00";

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
}

impl Postgres {
    pub(crate) fn new() -> Self {
        Postgres {
            supports: Supports {
                returning: true,
                savepoints: true,
                transaction_types: false,
                transactional_ddl: true,
                create_index_if_not_exists: true,
                // The Bind message counts parameters in an unsigned 16-bit integer.
                max_bind_parameters: 65_535,
                // NAMEDATALEN - 1: longer names are silently truncated.
                max_identifier_length: 63,
                native_enums: false,
                decimal_significant_digits: None,
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

    fn identifier_quote(&self) -> char {
        '"'
    }

    fn push_placeholder(&self, index: usize, out: &mut String) {
        use std::fmt::Write;
        write!(out, "${index}").expect("writing to a String");
    }

    fn scan_rules(&self) -> ScanRules {
        SCAN_RULES
    }

    fn push_column_type(&self, column: &ColumnDef, out: &mut String) -> Result<()> {
        types::push_column_type(column, out)
    }

    fn auto_increment_keyword(&self) -> Option<&'static str> {
        // Auto-increment is a type here (`SERIAL`, `BIGSERIAL`), written by `push_column_type`.
        None
    }

    fn push_string_literal(&self, s: &str, out: &mut String) -> Result<()> {
        if s.contains('\0') {
            return Err(Error::InvalidQuery(
                "PostgreSQL text cannot contain a NUL character".into(),
            ));
        }
        if s.contains('\\') {
            // `'…'` reads a backslash as an escape when a session turns
            // standard_conforming_strings off; an escape string reads the same in every mode.
            out.reserve(s.len() + 4);
            out.push_str("E'");
            for c in s.chars() {
                if c == '\'' || c == '\\' {
                    out.push(c);
                }
                out.push(c);
            }
            out.push('\'');
        } else {
            common::push_quoted_doubling(s, out);
        }
        Ok(())
    }

    fn push_bytes_literal(&self, bytes: &[u8], out: &mut String) {
        // bytea's hex input format (`\x…`), as an escape string so that it reads the same
        // whatever standard_conforming_strings says.
        out.push_str("E'\\\\x");
        common::push_hex(bytes, out);
        out.push_str("'::bytea");
    }

    fn push_bool_literal(&self, b: bool, out: &mut String) {
        out.push_str(if b { "TRUE" } else { "FALSE" });
    }

    fn push_lock(&self, lock: Lock, out: &mut String) -> Result<()> {
        out.push_str(match lock {
            Lock::Update => " FOR UPDATE",
            Lock::Share => " FOR SHARE",
        });
        Ok(())
    }

    fn begin_statements(&self, options: &TransactionOptions) -> Result<Vec<Cow<'static, str>>> {
        common::reject_sqlite_transaction_type("postgres", options)?;
        Ok(vec![match options.isolation_level {
            Some(level) => Cow::Owned(format!("BEGIN ISOLATION LEVEL {}", level.sql())),
            None => Cow::Borrowed("BEGIN"),
        }])
    }

    fn timestamp_format(&self) -> &'static str {
        TIMESTAMP_FORMAT
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
    use crate::sql::{IsolationLevel, TransactionType};

    fn render(f: impl FnOnce(&Postgres, &mut String)) -> String {
        let mut out = String::new();
        f(&Postgres::new(), &mut out);
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
        assert!(Postgres::new()
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
        let d = Postgres::new();
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
        let err = d.begin_statements(&immediate).unwrap_err();
        assert!(matches!(err, Error::Config(ref m) if m.contains("postgres has none")));
    }
}
