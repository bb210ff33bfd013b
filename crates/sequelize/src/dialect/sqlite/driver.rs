//! The rusqlite connection: binding, stepping and decoding, all in one synchronous call.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use rusqlite::config::DbConfig;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{CachedStatement, OpenFlags, ToSql};

use super::errors::map_error;
use super::functions;
use super::lock_wait::{self, Failure};
use super::stream::{self, Lent};
use super::{is_memory, TIMESTAMP_FORMAT};
use crate::dialect::{self, BoxFuture, DriverConnection};
use crate::dialect::{ConnectionConfig, TimeZone};
use crate::error::{Error, Result};
use crate::row::{Completion, ReadResult, RowReader, RowSink};
use crate::sql::scanner::Backslashes;
use crate::value::Value;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;

pub(super) struct SqliteConnection {
    /// The connection; `None` only while a row stream has lent it to its thread
    /// ([`Lent`]), or after such a stream was leaked.
    conn: Option<rusqlite::Connection>,
    /// Column names of the last few statements, shared by their result sets.
    last_columns: Option<(String, Arc<[String]>)>,
    /// The zone instants are written in (Sequelize's `timezone`).
    zone: TimeZone,
}

impl SqliteConnection {
    pub(super) async fn open(config: &ConnectionConfig) -> Result<Self> {
        if let Some((key, _)) = config.dialect_options.first() {
            return Err(Error::Config(format!(
                "unknown sqlite option `{key}` (sqlite takes no dialect options)"
            )));
        }
        let storage = config.storage.as_deref().unwrap_or(":memory:");
        let memory = is_memory(config);
        let mut conn = if storage == ":memory:" {
            rusqlite::Connection::open_in_memory()
        } else {
            rusqlite::Connection::open_with_flags(
                storage,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
        }
        .map_err(|e| Error::ConnectionRefused {
            target: storage.to_owned(),
            message: e.to_string(),
        })?;
        // No busy handler: a lock held elsewhere is waited for on the runtime's timer
        // (`lock_wait`), never by sleeping on this thread.
        conn.busy_timeout(Duration::ZERO).map_err(map_error)?;
        // SQLite reads a double-quoted name that matches no column as a string literal, so a
        // misspelled identifier would silently compare against text. This crate quotes with
        // backticks, which SQLite never reads so, but raw SQL and tables made by other tools
        // double-quote: turn the quirk off, as SQLite's docs advise.
        for quirk in [
            DbConfig::SQLITE_DBCONFIG_DQS_DML,
            DbConfig::SQLITE_DBCONFIG_DQS_DDL,
        ] {
            conn.set_db_config(quirk, false).map_err(map_error)?;
        }
        // A cached statement is reused as it was planned. Without the query planner
        // stability guarantee, SQLite (built with STAT4, as the bundled library is) marks a
        // join whose plan looked at a bound value as to be planned again whenever a value is
        // bound, so every run of a cached join re-parsed and re-planned its SQL (measured:
        // a one-row LEFT JOIN 17 µs instead of 4 µs). Plans then do not depend on bound
        // values, as PostgreSQL's generic plans do not.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(map_error)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        functions::register(&conn).map_err(map_error)?;
        let mut pragmas = String::from("PRAGMA foreign_keys = ON;");
        if !memory {
            pragmas.push_str("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
        }
        // Switching to WAL takes a lock that another connection may hold; the settings are
        // idempotent, so the script may run again.
        // (A unique borrow: the connection is not `Sync`, and the future must be `Send`.)
        let unique = &mut conn;
        lock_wait::retry(move || {
            (unique.execute_batch(&pragmas)).map_err(|e| Failure::from(e).or_lock_wait(unique))
        })
        .await?;
        Ok(SqliteConnection {
            conn: Some(conn),
            last_columns: None,
            zone: config.time_zone,
        })
    }

    /// The connection, unless a leaked row stream took it.
    fn conn(&mut self) -> Result<&mut rusqlite::Connection> {
        self.conn.as_mut().ok_or_else(stream::lost)
    }

    /// One attempt at a statement: bind, step and decode every row into `sink`, in one
    /// synchronous call. Only an attempt that handed no row over may wait for a lock and
    /// run again ([`Failure::after`]).
    fn run_sync(
        conn: &rusqlite::Connection,
        last_columns: &mut Option<(String, Arc<[String]>)>,
        sql: &str,
        params: &[Value],
        zone: TimeZone,
        sink: &mut dyn RowSink,
    ) -> Result<Completion, Failure> {
        let mut stmt = bound(conn, sql, params, zone)?;
        let width = stmt.column_count();
        if width == 0 {
            let affected = stmt.raw_execute()?;
            return Ok(Completion {
                rows_affected: affected as u64,
                last_insert_id: Some(conn.last_insert_rowid()),
            });
        }
        let columns = match last_columns {
            Some((last_sql, columns)) if last_sql == sql => columns,
            slot => {
                let names: Arc<[String]> = stmt.column_names().map(str::to_owned).collect();
                &mut slot.insert((sql.to_owned(), names)).1
            }
        };
        sink.columns(columns);
        let mut delivered = false;
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next().map_err(|e| Failure::after(e, delivered))? {
            sink.row(&mut SqliteRow { row, width }).map_err(|e| *e)?;
            delivered = true;
        }
        drop(rows);
        drop(stmt);
        Ok(Completion {
            rows_affected: conn.changes(),
            last_insert_id: Some(conn.last_insert_rowid()),
        })
    }
}

/// `sql` prepared (or found in the connection's cache) with `params` bound, instants
/// written in `zone`.
pub(super) fn bound<'c>(
    conn: &'c rusqlite::Connection,
    sql: &str,
    params: &[Value],
    zone: TimeZone,
) -> Result<CachedStatement<'c>, Failure> {
    let mut stmt = conn.prepare_cached(sql)?;
    let expected = stmt.parameter_count();
    if expected != params.len() {
        return Err(Error::InvalidQuery(format!(
            "the statement has {expected} placeholders but {} values were given",
            params.len()
        ))
        .into());
    }
    for (i, value) in params.iter().enumerate() {
        if let Value::Array(_) = value {
            return Err(Error::Unsupported {
                dialect: "sqlite",
                feature: "array values (ARRAY is a PostgreSQL type)".into(),
            }
            .into());
        }
        stmt.raw_bind_parameter(i + 1, Bind { value, zone })?;
    }
    Ok(stmt)
}

/// A column's value as SQLite stored it.
pub(super) fn decode(value: ValueRef<'_>) -> Result<Value> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Float(f),
        ValueRef::Text(t) => Value::Text(text(t)?),
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    })
}

/// SQLite text as a string.
fn text(bytes: &[u8]) -> Result<String> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| Error::Decode("SQLite text is not UTF-8".into()))
}

/// The row a statement stepped to, read in place.
struct SqliteRow<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    width: usize,
}

impl RowReader for SqliteRow<'_, '_> {
    fn width(&self) -> usize {
        self.width
    }

    fn value(&mut self, i: usize) -> ReadResult<Value> {
        self.peek(i)
    }

    fn peek(&self, i: usize) -> ReadResult<Value> {
        Ok(decode(self.row.get_ref(i).map_err(map_error)?)?)
    }

    fn is_null(&self, i: usize) -> bool {
        matches!(self.row.get_ref(i), Ok(ValueRef::Null))
    }

    fn int(&self, i: usize) -> Option<i64> {
        match self.row.get_ref(i) {
            Ok(ValueRef::Integer(int)) => Some(int),
            _ => None,
        }
    }

    fn text(&mut self, i: usize) -> Option<ReadResult<String>> {
        match self.row.get_ref(i) {
            Ok(ValueRef::Text(bytes)) => Some(text(bytes).map_err(Box::new)),
            _ => None,
        }
    }
}

/// A [`Value`] bound as SQLite stores Sequelize's types: booleans as 0/1, decimals, UUIDs,
/// dates and JSON as text; an instant as its wall clock in `zone` with the offset, as
/// Sequelize writes it (`2024-01-01 17:30:00.000 +05:30`).
struct Bind<'a> {
    value: &'a Value,
    zone: TimeZone,
}

impl ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as Owned;
        Ok(match self.value {
            Value::Null => ToSqlOutput::Owned(Owned::Null),
            Value::Bool(b) => ToSqlOutput::Owned(Owned::Integer(i64::from(*b))),
            Value::Int(i) => ToSqlOutput::Owned(Owned::Integer(*i)),
            Value::Float(f) => ToSqlOutput::Owned(Owned::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Value::Decimal(d) => ToSqlOutput::Owned(Owned::Text(d.to_string())),
            Value::Uuid(u) => ToSqlOutput::Owned(Owned::Text(u.to_string())),
            Value::Date(d) => ToSqlOutput::Owned(Owned::Text(d.format("%Y-%m-%d").to_string())),
            Value::Time(t) => ToSqlOutput::Owned(Owned::Text(t.format("%H:%M:%S%.f").to_string())),
            Value::DateTime(n) => {
                ToSqlOutput::Owned(Owned::Text(n.format("%Y-%m-%d %H:%M:%S%.3f").to_string()))
            }
            Value::Timestamp(t) => ToSqlOutput::Owned(Owned::Text(
                self.zone.local(*t).format(TIMESTAMP_FORMAT).to_string(),
            )),
            Value::Json(j) => ToSqlOutput::Owned(Owned::Text(j.to_string())),
            // Refused before binding (`bound`).
            Value::Array(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "SQLite has no arrays".into(),
                ))
            }
        })
    }
}

impl DriverConnection for SqliteConnection {
    fn run_into<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
        sink: &'a mut dyn RowSink,
    ) -> BoxFuture<'a, Result<Completion>> {
        let SqliteConnection {
            conn,
            last_columns,
            zone,
        } = self;
        let zone = *zone;
        // The first attempt runs inline; only a lock held elsewhere makes it wait.
        // (A unique borrow: the connection is not `Sync`, and the future must be `Send`.)
        Box::pin(async move {
            let conn = conn.as_mut().ok_or_else(stream::lost)?;
            lock_wait::retry(move || {
                Self::run_sync(conn, last_columns, sql, params, zone, sink)
                    .map_err(|e| e.or_lock_wait(conn))
            })
            .await
        })
    }

    fn stream<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> dialect::RowStream<'a> {
        Box::pin(async_stream::try_stream! {
            let mut rows = Lent::start(&mut self.conn, sql, params, self.zone)?;
            while let Some(batch) = rows.next().await {
                yield batch?;
            }
        })
    }

    fn execute_batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>> {
        // Used for single transaction-control statements (`BEGIN IMMEDIATE`, `COMMIT`, …),
        // which may wait for a lock and are safe to repeat after waiting.
        Box::pin(async move {
            let conn = self.conn()?;
            lock_wait::retry(move || {
                (conn.execute_batch(sql)).map_err(|e| Failure::from(e).or_lock_wait(conn))
            })
            .await
        })
    }

    fn ping(&mut self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move { self.conn()?.execute_batch("SELECT 1").map_err(map_error) })
    }

    fn is_closed(&self) -> bool {
        self.conn.is_none()
    }

    fn backslashes(&self) -> Backslashes {
        // SQLite has no backslash escapes.
        Backslashes::Literal
    }

    fn survives_cancellation(&self) -> bool {
        // Statements run to completion inside one call, and a dropped row stream takes its
        // connection back (`stream.rs`); a future dropped while it waits for a lock has
        // nothing in flight.
        true
    }

    fn reset_now(&mut self) -> bool {
        // Statements run to completion inside one call, so none is ever left half-read; only
        // a transaction can be left open (a dropped handle, a failed COMMIT).
        let Some(conn) = &self.conn else {
            return false;
        };
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            return false;
        }
        // A transaction begun with `defer_foreign_keys` turned them off.
        conn.is_autocommit() && conn.execute_batch(super::FOREIGN_KEYS.on).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::row::Collect;

    #[tokio::test]
    async fn a_cached_join_is_not_planned_again_when_values_are_bound() {
        let mut connection = SqliteConnection::open(&ConnectionConfig::default())
            .await
            .unwrap();
        connection
            .execute_batch(
                "CREATE TABLE users (id INTEGER PRIMARY KEY, hair TEXT); \
                 CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER); \
                 INSERT INTO users (hair) VALUES ('black'), ('brown')",
            )
            .await
            .unwrap();
        let join = "SELECT u.id, p.id FROM users AS u LEFT JOIN posts AS p \
                    ON p.user_id = u.id WHERE u.hair = ?";
        for hair in ["black", "brown", "black"] {
            let mut rows = Collect::default();
            let params = [Value::Text(hair.into())];
            connection.run_into(join, &params, &mut rows).await.unwrap();
            assert_eq!(rows.finish(Completion::default()).rows.len(), 1);
        }
        let conn = connection.conn().unwrap();
        let statement = conn.prepare_cached(join).unwrap();
        assert_eq!(
            statement.get_status(rusqlite::StatementStatus::RePrepare),
            0,
            "binding new values made SQLite parse and plan the statement again"
        );
    }
}
