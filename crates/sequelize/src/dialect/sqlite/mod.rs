//! SQLite, embedded through `rusqlite` (bundled). The default dialect.
//!
//! Statements run inline on the calling task: the connection is exclusively checked out, a
//! whole statement (execute and decode every row) is one synchronous call, and there is no
//! thread hop at all. That is the fastest possible path for the short statements SQLite is
//! used for (a hop costs 25–30 µs against a 0.5 µs query, see `reference/performance.md`
//! §4.7); the price is that a long statement occupies its runtime worker while it runs, as any
//! synchronous call would. Waiting for another connection's lock is not such a call: it
//! sleeps on the runtime's timer between attempts (`lock_wait.rs`).

mod driver;
mod errors;
mod functions;
mod lock_wait;
mod render;
mod stream;
mod table_sql;
mod types;

use std::borrow::Cow;

use crate::dialect::config::{bad_url, decode, ConnectionConfig};
use crate::dialect::TimeZone;
use crate::dialect::{
    BoxFuture, Dialect, DriverConnection, ForeignKeySwitch, PoolConstraints, Supports, TableRebuild,
};
use crate::error::{Error, Result};
use crate::sql::scanner::ScanRules;
use crate::sql::{DefaultValue, Statement, TransactionOptions, TransactionType};

/// SQLite's foreign-key pragmas. Every connection has foreign keys on from the start.
pub(super) const FOREIGN_KEYS: ForeignKeySwitch = ForeignKeySwitch {
    off: "PRAGMA foreign_keys = OFF",
    check: "PRAGMA foreign_key_check",
    on: "PRAGMA foreign_keys = ON",
};

/// Sequelize's text form of an instant in SQLite (`2024-01-01 12:00:00.000 +00:00`), so a
/// database shared with a Node service reads the same on both sides.
pub(crate) const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.3f %:z";

/// How SQLite lexes SQL, for the replacements scanner: `"…"`, `` `…` `` and `[…]` identifiers,
/// no backslash escapes.
const SCAN_RULES: ScanRules = ScanRules {
    backtick_identifiers: true,
    bracket_identifiers: true,
    ..ScanRules::ANSI
};

/// Whether a configuration names an in-memory database, whose data lives only as long as its
/// connection: `:memory:` (the default), or a URI filename such as `file::memory:` or
/// `file:name?mode=memory&cache=shared`.
pub(crate) fn is_memory(config: &ConnectionConfig) -> bool {
    let Some(storage) = config.storage.as_deref() else {
        return true;
    };
    let Some(uri) = storage.strip_prefix("file:") else {
        return storage == ":memory:";
    };
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    path == ":memory:" || query.split('&').any(|pair| pair == "mode=memory")
}

/// The SQLite dialect.
#[derive(Debug)]
pub(crate) struct Sqlite {
    supports: Supports,
    /// The zone instants are written in.
    zone: TimeZone,
}

impl Sqlite {
    pub(crate) fn new(zone: TimeZone) -> Self {
        Sqlite {
            zone,
            supports: Supports {
                returning: true,
                transaction_types: true,
                transactional_ddl: true,
                max_bind_parameters: 32_766,
                max_identifier_length: 1024,
                // DECIMAL has NUMERIC affinity: a value is stored as a double, which keeps
                // 15 significant digits.
                decimal_significant_digits: Some(15),
                case_insensitive_text: true,
                partial_indexes: true,
                replication: false,
                ..Supports::BASE
            },
        }
    }
}

impl Dialect for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn supports(&self) -> &Supports {
        &self.supports
    }

    fn time_zone(&self) -> TimeZone {
        self.zone
    }

    fn foreign_key_switch(&self) -> Option<ForeignKeySwitch> {
        Some(FOREIGN_KEYS)
    }

    fn table_rebuild(&self) -> Option<TableRebuild> {
        // SQLite's own procedure for schema changes ALTER TABLE cannot make.
        Some(TableRebuild {
            before: &[FOREIGN_KEYS.off, "BEGIN IMMEDIATE"],
            after: &["COMMIT", FOREIGN_KEYS.on],
            on_failure: &["ROLLBACK", FOREIGN_KEYS.on],
            foreign_keys_query: "PRAGMA foreign_keys",
            definition_query: "SELECT sql FROM sqlite_master WHERE type = 'table' \
                               AND name = ?1 AND COALESCE(?2, 'main') = 'main'",
            dependents_query: "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') \
                               AND sql IS NOT NULL AND tbl_name = ?1 \
                               AND COALESCE(?2, 'main') = 'main' ORDER BY type, name",
            rewrite: |dialect, definition, changes, rebuilt, dependents| {
                let name = changes.first().and_then(Statement::altered_table);
                let name = name.ok_or_else(|| {
                    Error::InvalidQuery(format!("a table rebuild makes none of {changes:?}"))
                })?;
                let table = table_sql::TableSql::parse(definition)?;
                table.rewrite(dialect, name, changes, rebuilt, dependents)
            },
            constraints: |table, definition| {
                Ok(table_sql::TableSql::parse(definition)?.constraints(table.as_str()))
            },
            // SQLite's rules for ADD COLUMN: no key, no unique constraint, a constant
            // default, and a default when it may not be NULL.
            adds_column_in_place: |column| {
                let constant = !matches!(
                    column.default,
                    Some(DefaultValue::Now | DefaultValue::Literal(_))
                );
                let has_default = column.default.as_ref().is_some_and(DefaultValue::in_ddl);
                !column.primary_key
                    && !column.unique
                    && constant
                    && (column.allow_null || has_default)
            },
        })
    }

    fn index_columns_query(&self) -> &'static str {
        "SELECT il.name, il.\"unique\", il.origin = 'pk', ii.name \
         FROM pragma_index_list(CASE WHEN ?2 IS NULL THEN ?1 ELSE ?2 || '.' || ?1 END) AS il, \
         pragma_index_info(il.name) AS ii ORDER BY il.name, ii.seqno"
    }

    fn table_names_query(&self) -> &'static str {
        "SELECT name FROM pragma_table_list \
         WHERE schema = COALESCE(?1, 'main') AND type = 'table' AND name NOT LIKE 'sqlite%' \
         ORDER BY name"
    }

    fn foreign_keys_query(&self) -> &'static str {
        "SELECT \"from\", \"table\", \"to\" FROM \
         pragma_foreign_key_list(CASE WHEN ?2 IS NULL THEN ?1 ELSE ?2 || '.' || ?1 END) \
         ORDER BY \"from\""
    }

    fn describe_columns_query(&self) -> &'static str {
        // An `INTEGER PRIMARY KEY` alone is the rowid, which numbers new rows itself.
        "SELECT name, type, \"notnull\" = 0, dflt_value, pk > 0, \
         pk = 1 AND upper(type) = 'INTEGER' AND (SELECT COUNT(*) FROM \
         pragma_table_info(CASE WHEN ?2 IS NULL THEN ?1 ELSE ?2 || '.' || ?1 END) WHERE pk > 0) = 1, \
         NULL FROM pragma_table_info(CASE WHEN ?2 IS NULL THEN ?1 ELSE ?2 || '.' || ?1 END) \
         ORDER BY cid"
    }

    fn index_names_query(&self) -> &'static str {
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
         AND tbl_name = (CASE WHEN ?2 IS NULL THEN ?1 ELSE ?2 || '.' || ?1 END)"
    }

    fn scan_rules(&self) -> ScanRules {
        SCAN_RULES
    }

    fn begin_statements(&self, options: &TransactionOptions) -> Result<Vec<Cow<'static, str>>> {
        // Every SQLite transaction is serializable, which satisfies any requested level.
        Ok(vec![Cow::Borrowed(
            match options.transaction_type.unwrap_or_default() {
                TransactionType::Deferred => "BEGIN DEFERRED",
                TransactionType::Immediate => "BEGIN IMMEDIATE",
                TransactionType::Exclusive => "BEGIN EXCLUSIVE",
            },
        )])
    }

    fn pool_constraints(&self, config: &ConnectionConfig) -> PoolConstraints {
        let memory = is_memory(config);
        PoolConstraints {
            max_connections: memory.then_some(1),
            keep_alive: memory,
        }
    }

    /// `sqlite::memory:`, `sqlite://relative/path.db`, `sqlite:///absolute/path.db`, or an
    /// SQLite URI filename such as `sqlite:file:name?mode=memory&cache=shared` (whose query
    /// stays part of the filename). Other query parameters become `dialect_options`.
    fn config_from_url(&self, url: &str) -> Result<ConnectionConfig> {
        let rest = url
            .strip_prefix("sqlite:")
            .ok_or_else(|| bad_url("an SQLite URL starts with sqlite:"))?;
        let (location, query) = match rest.strip_prefix("//").unwrap_or(rest) {
            uri if uri.starts_with("file:") => (uri, ""),
            _ => rest.split_once('?').unwrap_or((rest, "")),
        };
        let storage = match location {
            ":memory:" | "//:memory:" => ":memory:".to_owned(),
            _ => {
                let path = location.strip_prefix("//").unwrap_or(location);
                if path.is_empty() {
                    return Err(bad_url(
                        "sqlite URL has no file path (use sqlite::memory: for an in-memory database)",
                    ));
                }
                decode(path)?
            }
        };
        Ok(ConnectionConfig {
            storage: Some(storage),
            dialect_options: url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            ..Default::default()
        })
    }

    fn connect<'a>(
        &'a self,
        config: &'a ConnectionConfig,
    ) -> BoxFuture<'a, Result<Box<dyn DriverConnection>>> {
        Box::pin(async move {
            let conn = driver::SqliteConnection::open(config).await?;
            Ok(Box::new(conn) as Box<dyn DriverConnection>)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_databases_are_recognised() {
        let config = |storage: Option<&str>| ConnectionConfig {
            storage: storage.map(str::to_owned),
            ..Default::default()
        };
        for memory in [
            None,
            Some(":memory:"),
            Some("file::memory:"),
            Some("file::memory:?cache=shared"),
            Some("file:mem1?mode=memory&cache=shared"),
        ] {
            assert!(is_memory(&config(memory)), "{memory:?}");
        }
        for file in [
            Some("app.db"),
            Some("file:app.db"),
            Some("file:app.db?mode=ro"),
        ] {
            assert!(!is_memory(&config(file)), "{file:?}");
        }
    }
}
