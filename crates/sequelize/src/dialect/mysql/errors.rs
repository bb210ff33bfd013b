//! MySQL/MariaDB errors onto [`Error`]: server error numbers for what the server said, the I/O
//! cause for connection failures.
//!
//! Some server messages quote the offending value (`Duplicate entry 'a@b.c' for key …`,
//! `Incorrect integer value: 'abc' for column …`). Values may be secrets
//! (`reference/security.md`, class J), so those messages are rewritten without the value.

use mysql_async::{DriverError, IoError, ServerError};

use crate::dialect::{common, tls};
use crate::error::{DatabaseError, Error};

/// The text between the first pair of single quotes: `Column 'email' cannot be null` → `email`.
fn first_quoted(message: &str) -> Option<String> {
    let (_, rest) = message.split_once('\'')?;
    let (name, _) = rest.split_once('\'')?;
    Some(name.to_owned())
}

/// The key of a duplicate-entry message: `Duplicate entry '…' for key 'users.email'` →
/// `users.email`. Read from the end, since the value before it may hold anything.
fn duplicate_key(message: &str) -> Option<&str> {
    const MARKER: &str = " for key '";
    let start = message.rfind(MARKER)? + MARKER.len();
    let key = &message[start..];
    Some(key.strip_suffix('\'').unwrap_or(key))
}

/// Reads one `` `identifier` `` (with `` `` `` for a backtick) at the start of `s`, returning it
/// and the rest.
fn backticked(s: &str) -> Option<(String, &str)> {
    let mut rest = s.strip_prefix('`')?;
    let mut name = String::new();
    loop {
        let end = rest.find('`')?;
        name.push_str(&rest[..end]);
        rest = &rest[end + 1..];
        match rest.strip_prefix('`') {
            Some(after) => {
                name.push('`');
                rest = after;
            }
            None => return Some((name, rest)),
        }
    }
}

/// The constraint name and referencing columns of a foreign-key message:
/// ``… (`db`.`posts`, CONSTRAINT `posts_ibfk_1` FOREIGN KEY (`author_id`) REFERENCES …`` →
/// (`posts_ibfk_1`, `["author_id"]`).
fn foreign_key(message: &str) -> (Option<String>, Vec<String>) {
    let constraint = message
        .split_once("CONSTRAINT ")
        .and_then(|(_, rest)| backticked(rest))
        .map(|(name, _)| name);
    let mut fields = Vec::new();
    if let Some((_, mut rest)) = message.split_once("FOREIGN KEY (") {
        while let Some((name, after)) = backticked(rest) {
            fields.push(name);
            match after.strip_prefix(", ") {
                Some(next) => rest = next,
                None => break,
            }
        }
    }
    (constraint, fields)
}

/// `Incorrect integer value: 'abc' for column …` → `Incorrect integer value: '…' for column …`.
/// Everything up to the last `' for ` is cut, so a value that contains `' for ` is cut whole.
fn redact_value(message: &str) -> String {
    const MARKER: &str = "value: '";
    let Some(start) = message.find(MARKER).map(|i| i + MARKER.len()) else {
        return message.to_owned();
    };
    let end = message[start..]
        .rfind("' for ")
        .or_else(|| message[start..].rfind('\''))
        .map_or(message.len(), |i| start + i);
    format!("{}…{}", &message[..start], &message[end..])
}

/// Maps an error the server returned, by error number.
fn map_server_error(e: ServerError) -> Error {
    let ServerError { code, message, .. } = e;
    let source = |message: String| DatabaseError {
        message,
        code: Some(code.to_string()),
        sql: None,
    };
    match code {
        // ER_DUP_ENTRY: the message quotes the duplicated value, which is dropped.
        1062 => {
            let reported = duplicate_key(&message);
            // MySQL 8 prefixes the key with its table (`users.email`), MariaDB does not.
            let key = reported.map(|k| k.rsplit('.').next().unwrap_or(k).to_owned());
            let message = match reported {
                Some(k) => format!("Duplicate entry for key '{k}'"),
                None => "Duplicate entry".to_owned(),
            };
            Error::UniqueConstraint {
                fields: key.iter().cloned().collect(),
                constraint: key,
                source: Box::new(source(message)),
            }
        }
        // ER_ROW_IS_REFERENCED_2, ER_NO_REFERENCED_ROW_2
        1451 | 1452 => {
            let (constraint, fields) = foreign_key(&message);
            Error::ForeignKeyConstraint {
                fields,
                constraint,
                source: Box::new(source(message)),
            }
        }
        // ER_BAD_NULL_ERROR (`Column 'x' cannot be null`), ER_NO_DEFAULT_FOR_FIELD
        // (`Field 'x' doesn't have a default value`)
        1048 | 1364 => Error::NotNullConstraint {
            field: first_quoted(&message),
            source: source(message),
        },
        // ER_LOCK_DEADLOCK
        1213 => Error::Deadlock(source(message)),
        // ER_RECORD_FILE_FULL ("The table is full"), ER_DISK_FULL
        1114 | 1021 => Error::StorageFull(source(message)),
        // ER_LOCK_WAIT_TIMEOUT (MariaDB's answer to `NOWAIT` too), MySQL's ER_LOCK_NOWAIT;
        // MySQL's and MariaDB's statement time limits (`max_execution_time`,
        // `max_statement_time`)
        1205 | 3572 | 3024 | 1969 => Error::Timeout(source(message)),
        // ER_ACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR, ER_ACCESS_DENIED_NO_PASSWORD_ERROR
        1045 | 1044 | 1698 => Error::AccessDenied(message),
        // ER_BAD_DB_ERROR: the database does not exist
        1049 => Error::Connection(message),
        // ER_TRUNCATED_WRONG_VALUE, ER_WRONG_VALUE_FOR_TYPE,
        // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: the message quotes the value.
        1292 | 1411 | 1366 => Error::Database(source(redact_value(&message))),
        _ => Error::Database(source(message)),
    }
}

/// Whether the connection is unusable after this error (its protocol state is unknown).
/// Server errors and errors in the statement's own parameters leave it usable.
pub(super) fn breaks_connection(e: &mysql_async::Error) -> bool {
    !matches!(
        e,
        mysql_async::Error::Server(_)
            | mysql_async::Error::Driver(
                DriverError::StmtParamsMismatch { .. }
                    | DriverError::StmtParamsNumberExceedsLimit { .. }
                    | DriverError::MixedParams
                    | DriverError::Params(_)
            )
    )
}

/// Maps an error from running a statement.
pub(super) fn map_error(e: mysql_async::Error) -> Error {
    match e {
        mysql_async::Error::Server(server) => map_server_error(server),
        mysql_async::Error::Driver(
            ref driver @ (DriverError::StmtParamsMismatch { .. }
            | DriverError::StmtParamsNumberExceedsLimit { .. }
            | DriverError::MixedParams
            | DriverError::Params(_)),
        ) => Error::InvalidQuery(driver.to_string()),
        other => Error::Connection(other.to_string()),
    }
}

/// Maps an error from opening a connection to `target` (`host:port`): nothing listening there,
/// bad credentials, no such database, or any other reason the connection failed.
pub(super) fn map_connect_error(e: mysql_async::Error, target: &str) -> Error {
    if let Some(tls) = tls::rustls_cause(&e) {
        return Error::Tls(format!("{target}: {tls}"));
    }
    if let mysql_async::Error::Driver(DriverError::NoClientSslFlagFromServer) = e {
        return Error::Tls(format!("{target}: the server does not offer TLS"));
    }
    let refused = match &e {
        mysql_async::Error::Io(IoError::Io(io))
            if io.kind() == std::io::ErrorKind::ConnectionRefused =>
        {
            Some(io.to_string())
        }
        _ => None,
    };
    common::connect_error(refused, target, map_error(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(code: u16, message: &str) -> Error {
        map_server_error(ServerError {
            code,
            message: message.to_owned(),
            state: "23000".to_owned(),
        })
    }

    #[test]
    fn duplicate_entry_drops_the_value() {
        let e = server(
            1062,
            "Duplicate entry 'secret@example.com' for key 'users.email'",
        );
        let Error::UniqueConstraint {
            fields,
            constraint,
            source,
        } = e
        else {
            panic!("not a unique error: {e:?}");
        };
        assert_eq!(fields, ["email"]);
        assert_eq!(constraint.as_deref(), Some("email"));
        assert_eq!(source.message, "Duplicate entry for key 'users.email'");
        assert_eq!(source.code.as_deref(), Some("1062"));
        // MariaDB: no table prefix; a value that imitates the marker changes nothing.
        let e = server(
            1062,
            "Duplicate entry 'x' for key 'y' for key 'users_email_name'",
        );
        assert!(
            matches!(e, Error::UniqueConstraint { ref fields, .. } if fields == &["users_email_name"])
        );
        assert!(!e.to_string().contains("x'"));
    }

    #[test]
    fn foreign_key_fields() {
        let message = "Cannot add or update a child row: a foreign key constraint fails \
                       (`test`.`posts`, CONSTRAINT `posts_ibfk_1` FOREIGN KEY (`author_id`, `x``y`) \
                       REFERENCES `users` (`id`, `z`))";
        let Error::ForeignKeyConstraint {
            fields, constraint, ..
        } = server(1452, message)
        else {
            panic!("not a foreign-key error");
        };
        assert_eq!(fields, ["author_id", "x`y"]);
        assert_eq!(constraint.as_deref(), Some("posts_ibfk_1"));
    }

    #[test]
    fn not_null_field() {
        for (code, message) in [
            (1048, "Column 'email' cannot be null"),
            (1364, "Field 'email' doesn't have a default value"),
        ] {
            assert!(matches!(
                server(code, message),
                Error::NotNullConstraint { field: Some(ref f), .. } if f == "email"
            ));
        }
    }

    #[test]
    fn values_are_redacted() {
        let e = server(
            1366,
            "Incorrect integer value: 'it's secret' for column `test`.`t`.`n` at row 1",
        );
        assert_eq!(
            e.database_error().unwrap().message,
            "Incorrect integer value: '…' for column `test`.`t`.`n` at row 1"
        );
        assert_eq!(
            redact_value("Truncated incorrect DOUBLE value: 'abc'"),
            "Truncated incorrect DOUBLE value: '…'"
        );
        assert_eq!(redact_value("no value here"), "no value here");
    }

    #[test]
    fn other_codes() {
        assert!(matches!(server(1213, "Deadlock found"), Error::Deadlock(_)));
        assert!(matches!(
            server(1114, "The table 't' is full"),
            Error::StorageFull(_)
        ));
        assert!(matches!(
            server(1205, "Lock wait timeout exceeded"),
            Error::Timeout(_)
        ));
        assert!(matches!(
            server(3572, "Statement aborted because lock(s) could not be acquired immediately and NOWAIT is set."),
            Error::Timeout(_)
        ));
        assert!(matches!(
            server(1045, "Access denied"),
            Error::AccessDenied(_)
        ));
        assert!(matches!(
            server(1049, "Unknown database 'x'"),
            Error::Connection(_)
        ));
        assert!(matches!(
            server(1064, "You have an error"),
            Error::Database(_)
        ));
    }
}
