//! PostgreSQL errors onto [`Error`]: SQLSTATE codes for what the server said, the I/O cause for
//! connection failures.
//!
//! Only `DbError::message()` is kept. The `detail` field quotes row values (`Key (email)=(…)
//! already exists`), which may be secrets (`reference/security.md`, class J): it is read for
//! the column names of a unique key and then dropped.

use std::fmt;

use crate::dialect::{common, tls};
use crate::error::{DatabaseError, Error};

/// Why a [`Value`](crate::value::Value) could not be encoded for a parameter. Names the value's
/// kind and the parameter's type, never the value.
#[derive(Debug)]
pub(super) struct BindError(pub(super) String);

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BindError {}

/// The error and its causes, joined with `: ` (tokio-postgres puts the useful part, such as
/// the I/O error, in the causes).
fn chain_message(e: &tokio_postgres::Error) -> String {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// The first cause of type `T` in the error's chain.
fn find_cause<T: std::error::Error + 'static>(e: &tokio_postgres::Error) -> Option<&T> {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if let Some(found) = cause.downcast_ref::<T>() {
            return Some(found);
        }
        source = cause.source();
    }
    None
}

/// The column list of a key in a constraint error's `detail`:
/// `Key (a, "B c")=(…) already exists.` → `["a", "B c"]`. Reading stops at the `)` that closes
/// the list; the values after `=` are never looked at.
fn key_columns(detail: &str) -> Vec<String> {
    let Some(rest) = detail.strip_prefix("Key (") else {
        return Vec::new();
    };
    let mut columns = Vec::new();
    let mut current = String::new();
    let mut depth = 0u32;
    let mut quoted = false;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    current.push('"');
                }
                '"' => quoted = false,
                _ => current.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '(' => {
                depth += 1;
                current.push(c);
            }
            ')' if depth > 0 => {
                depth -= 1;
                current.push(c);
            }
            ')' => {
                columns.push(current);
                return if chars.next() == Some('=') {
                    columns
                } else {
                    Vec::new()
                };
            }
            ',' if depth == 0 => {
                columns.push(std::mem::take(&mut current));
                if chars.peek() == Some(&' ') {
                    chars.next();
                }
            }
            _ => current.push(c),
        }
    }
    Vec::new()
}

/// Maps an error the server returned, by SQLSTATE.
fn map_db_error(db: &tokio_postgres::error::DbError) -> Error {
    let code = db.code().code();
    let source = DatabaseError {
        message: db.message().to_owned(),
        code: Some(code.to_owned()),
        sql: None,
    };
    match code {
        // unique_violation
        "23505" => Error::UniqueConstraint {
            fields: db.detail().map(key_columns).unwrap_or_default(),
            constraint: db.constraint().map(str::to_owned),
            source: Box::new(source),
        },
        // foreign_key_violation
        "23503" => Error::ForeignKeyConstraint {
            fields: Vec::new(),
            constraint: db.constraint().map(str::to_owned),
            source: Box::new(source),
        },
        // not_null_violation
        "23502" => Error::NotNullConstraint {
            field: db.column().map(str::to_owned),
            source,
        },
        // deadlock_detected
        "40P01" => Error::Deadlock(source),
        // disk_full
        "53100" => Error::StorageFull(source),
        // lock_not_available (`NOWAIT`, `lock_timeout`), query_canceled (`statement_timeout`)
        "55P03" | "57014" => Error::Timeout(source),
        // invalid_password, invalid_authorization_specification
        "28P01" | "28000" => Error::AccessDenied(source.message),
        // invalid_catalog_name: the database does not exist
        "3D000" => Error::Connection(source.message),
        _ => Error::Database(source),
    }
}

/// Maps an error from running a statement.
pub(super) fn map_error(e: tokio_postgres::Error) -> Error {
    if let Some(db) = e.as_db_error() {
        return map_db_error(db);
    }
    if let Some(bind) = find_cause::<BindError>(&e) {
        return Error::InvalidQuery(bind.0.clone());
    }
    if e.is_closed() || find_cause::<std::io::Error>(&e).is_some() {
        return Error::Connection(chain_message(&e));
    }
    Error::Database(DatabaseError::new(chain_message(&e)))
}

/// Maps an error from opening a connection to `target` (`host:port`): nothing listening there,
/// bad credentials, no such database, or any other reason the connection failed.
pub(super) fn map_connect_error(e: tokio_postgres::Error, target: &str) -> Error {
    if let Some(tls) = tls::rustls_cause(&e) {
        return Error::Tls(format!("{target}: {tls}"));
    }
    if e.to_string().starts_with("error performing TLS handshake") {
        return Error::Tls(format!("{target}: {}", chain_message(&e)));
    }
    let refused = find_cause::<std::io::Error>(&e)
        .filter(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        .map(ToString::to_string);
    common::connect_error(refused, target, map_error(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_key_columns_from_detail() {
        assert_eq!(
            key_columns("Key (email)=(a@example.com) already exists."),
            vec!["email"]
        );
        assert_eq!(
            key_columns("Key (tenant_id, \"User Name\")=(1, x) already exists."),
            vec!["tenant_id", "User Name"]
        );
        assert_eq!(
            key_columns("Key (\"a\"\"b\", lower((email)::text))=(…) already exists."),
            vec!["a\"b", "lower((email)::text)"]
        );
        // The values may look like anything; only the column list is read.
        assert_eq!(
            key_columns("Key (name)=(x)=(y), z) already exists."),
            vec!["name"]
        );
        assert!(key_columns("Failing row contains (1, null).").is_empty());
        assert!(key_columns("Key (unterminated").is_empty());
    }
}
