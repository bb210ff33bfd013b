//! SQLite error codes onto [`Error`].

use rusqlite::ffi;

use crate::error::{DatabaseError, Error};

/// `UNIQUE constraint failed: users.email, users.name` → `["email", "name"]`.
fn constraint_columns(message: &str) -> Vec<String> {
    message
        .split_once(": ")
        .map(|(_, list)| {
            list.split(", ")
                .map(|c| c.rsplit('.').next().unwrap_or(c).to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Maps a rusqlite error.
pub(super) fn map_error(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::SqliteFailure(failure, message) => {
            let message = message.unwrap_or_else(|| failure.to_string());
            let source = DatabaseError {
                code: Some(format!("{:?}({})", failure.code, failure.extended_code)),
                message: message.clone(),
                sql: None,
            };
            match failure.extended_code {
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    Error::UniqueConstraint {
                        fields: constraint_columns(&message),
                        constraint: None,
                        source: Box::new(source),
                    }
                }
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Error::ForeignKeyConstraint {
                    fields: Vec::new(),
                    constraint: None,
                    source: Box::new(source),
                },
                ffi::SQLITE_CONSTRAINT_NOTNULL => Error::NotNullConstraint {
                    field: constraint_columns(&message).into_iter().next(),
                    source,
                },
                _ if failure.code == rusqlite::ErrorCode::DiskFull => Error::StorageFull(source),
                _ if failure.code == rusqlite::ErrorCode::DatabaseBusy
                    || failure.code == rusqlite::ErrorCode::DatabaseLocked =>
                {
                    Error::Timeout(source)
                }
                _ => Error::Database(source),
            }
        }
        other => Error::Database(DatabaseError::new(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_from_messages() {
        assert_eq!(
            constraint_columns("UNIQUE constraint failed: users.email, users.name"),
            vec!["email", "name"]
        );
        assert_eq!(
            constraint_columns("NOT NULL constraint failed: users.email"),
            vec!["email"]
        );
    }
}
