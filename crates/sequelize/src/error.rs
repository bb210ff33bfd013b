//! [`Error`]: Sequelize's error classes as one enum.
//!
//! Each dialect maps its driver's error codes onto these variants in
//! `dialect/<name>/errors.rs`, so application code matches on `Error::UniqueConstraint` the
//! same way on every database. Errors that come from a statement carry its SQL text, never the
//! bound values (values may be secrets; see `reference/security.md`, class J).

use crate::value::Value;
use std::fmt;
use std::time::Duration;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What the database said, and the statement it said it about.
///
/// `sql` is the statement text with placeholders; bound values are never included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseError {
    /// The database's own message.
    pub message: String,
    /// SQLSTATE on PostgreSQL, the error number on MySQL/MariaDB, the extended result code
    /// name on SQLite.
    pub code: Option<String>,
    /// The statement, with placeholders, when the error came from one.
    pub sql: Option<String>,
}

impl DatabaseError {
    /// A database error with a message only.
    ///
    /// ```
    /// let e = sequelize::DatabaseError::new("boom");
    /// assert_eq!(e.to_string(), "boom");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        DatabaseError {
            message: message.into(),
            code: None,
            sql: None,
        }
    }
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(code) = &self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(sql) = &self.sql {
            write!(f, "; SQL: {sql}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DatabaseError {}

/// One failed check of a [`Error::Validation`]: which attribute, which validator, why, and
/// the value that failed (never shown by `Display`, which must not leak a password).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationErrorItem {
    /// The attribute (or option) that failed.
    pub path: String,
    /// The validator's key, e.g. `is_null`, `len`, `isEmail`.
    pub validator_key: String,
    /// A message for humans.
    pub message: String,
    /// The value that failed (`Null` when the check concerns no value).
    pub value: Value,
}

impl ValidationErrorItem {
    /// Builds an item.
    ///
    /// ```
    /// let item = sequelize::ValidationErrorItem::new("email", "notNull", "email cannot be null");
    /// assert_eq!(item.path, "email");
    /// ```
    pub fn new(
        path: impl Into<String>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        ValidationErrorItem {
            path: path.into(),
            validator_key: key.into(),
            message: message.into(),
            value: Value::Null,
        }
    }

    /// The item with the value that failed.
    ///
    /// ```
    /// let item = sequelize::ValidationErrorItem::new("age", "min", "too young").with_value(12);
    /// assert_eq!(item.value, sequelize::Value::Int(12));
    /// ```
    pub fn with_value(mut self, value: impl Into<Value>) -> Self {
        self.value = value.into();
        self
    }
}

/// Every error this crate returns. Variants follow Sequelize's error classes.
///
/// ```
/// use sequelize::Error;
/// fn is_duplicate(e: &Error) -> bool {
///     matches!(e, Error::UniqueConstraint { .. })
/// }
/// assert!(!is_duplicate(&Error::EmptyResult("User".into())));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Options, URLs or configuration that cannot work (`SequelizeConnectionError` for bad
    /// config in Sequelize). Raised before anything is sent.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// The dialect named in a URL or in the options is unknown, or not compiled in.
    #[error("unknown dialect `{0}`: expected one of sqlite, postgres, mysql, mariadb (each needs its cargo feature)")]
    UnknownDialect(String),

    /// A query that cannot be built as asked: an unknown attribute, an empty filter on a
    /// destroy, a bad limit. Raised before anything is sent; names the part at fault.
    #[error("invalid query: {0}")]
    InvalidQuery(String),

    /// Something the database of `dialect` cannot express (a lock strength, an operator, a
    /// lock option); raised before anything is sent.
    #[error("{dialect} cannot do {feature}")]
    Unsupported {
        /// The dialect's name (`sqlite`, `postgres`, `mysql`, `mariadb`).
        dialect: &'static str,
        /// What was asked, as the API spells it.
        feature: String,
    },

    /// A model was used on a Sequelize instance it was not defined on.
    #[error("model {0} is not defined on this Sequelize instance; define it first (db.define::<{0}>().register(), or db.define_dynamic)")]
    NotDefined(String),

    /// One or more attributes failed validation (`SequelizeValidationError`).
    #[error("validation failed: {}", .0.iter().map(|i| i.message.as_str()).collect::<Vec<_>>().join("; "))]
    Validation(Vec<ValidationErrorItem>),

    /// A unique constraint was violated (`SequelizeUniqueConstraintError`).
    #[error("unique constraint violated on {fields:?}: {source}")]
    UniqueConstraint {
        /// The columns of the constraint, when the database says which.
        fields: Vec<String>,
        /// The constraint or index name, when known.
        constraint: Option<String>,
        /// What the database said (boxed to keep `Error` small).
        source: Box<DatabaseError>,
    },

    /// A foreign-key constraint was violated (`SequelizeForeignKeyConstraintError`).
    #[error("foreign key constraint violated: {source}")]
    ForeignKeyConstraint {
        /// The referencing columns, when the database says which.
        fields: Vec<String>,
        /// The constraint name, when known.
        constraint: Option<String>,
        /// What the database said (boxed to keep `Error` small).
        source: Box<DatabaseError>,
    },

    /// A `NOT NULL` column was given `NULL`.
    #[error("not-null constraint violated on {field:?}: {source}")]
    NotNullConstraint {
        /// The column, when the database says which.
        field: Option<String>,
        /// What the database said.
        source: DatabaseError,
    },

    /// The transaction was chosen as a deadlock victim and rolled back.
    #[error("deadlock detected: {0}")]
    Deadlock(DatabaseError),

    /// A lock could not be taken in time: SQLite's `SQLITE_BUSY`, PostgreSQL's
    /// `lock_not_available`, MySQL's lock wait timeout (`SequelizeTimeoutError`).
    #[error("lock wait timed out: {0}")]
    Timeout(DatabaseError),

    /// The database's storage is full: SQLite's `SQLITE_FULL` (a full disk, or
    /// `max_page_count`), PostgreSQL's `disk_full` (53100), MySQL's full table or disk
    /// (1114, 1021). The statement wrote nothing; its transaction can still be rolled back.
    #[error("storage full: {0}")]
    StorageFull(DatabaseError),

    /// Any other error the database returned (`SequelizeDatabaseError`).
    #[error("database error: {0}")]
    Database(DatabaseError),

    /// The server refused the connection (nothing listens there).
    #[error("connection refused by {target}: {message}")]
    ConnectionRefused {
        /// host:port or file path.
        target: String,
        /// The driver's message.
        message: String,
    },

    /// The server rejected the credentials.
    #[error("access denied: {0}")]
    AccessDenied(String),

    /// Any other connection failure (host not found, lost connection, bad database name).
    #[error("connection error: {0}")]
    Connection(String),

    /// TLS could not be set up: the server's certificate is not trusted (the message names
    /// the problem: an unknown issuer, a certificate for another host name, an expired
    /// one), the server does not offer TLS, or a certificate or key given cannot be read.
    #[error("TLS: {0}")]
    Tls(String),

    /// No pooled connection became free within the pool's `acquire` time
    /// (`SequelizeConnectionAcquireTimeoutError`).
    #[error("timed out after {0:?} waiting for a pooled connection; if this runs inside a transaction, pass the transaction instead of the Sequelize handle")]
    PoolTimeout(Duration),

    /// A value read from the database does not fit the Rust type asked for.
    #[error("cannot decode value: {0}")]
    Decode(String),

    /// A save of an instance whose row another save changed since it was read
    /// (`SequelizeOptimisticLockError`): reload it and try again.
    #[error("{model}: the row was changed by another save since this instance was read (version {version}); reload it and try again")]
    OptimisticLock {
        /// The model.
        model: String,
        /// The version the instance had.
        version: i64,
    },

    /// A query that must find a row found none (`SequelizeEmptyResultError`, `rejectOnEmpty`).
    #[error("no {0} found")]
    EmptyResult(String),

    /// An `include` names no association of the model it is on, or its results are read
    /// where they were not included (`SequelizeEagerLoadingError`).
    #[error("eager loading: {0}")]
    EagerLoading(String),

    /// The connection was lost while `COMMIT` ran: the server may have committed the
    /// transaction or not, and nobody can tell from here. Check (an idempotency key, a
    /// lookup) before running it again; [`RetryOptions`](crate::RetryOptions) never does.
    #[error("the connection was lost while COMMIT ran, so the transaction may or may not have been committed; check before running it again ({0})")]
    CommitOutcomeUnknown(String),

    /// The transaction was already committed or rolled back.
    #[error("transaction has already finished ({0}); start a new one")]
    TransactionFinished(&'static str),

    /// A migration or seeder failed; names the file and what went wrong.
    #[error("migration {name}: {message}")]
    Migration {
        /// The migration file name.
        name: String,
        /// What failed.
        message: String,
    },
}

/// A boxed error (a [`ReadResult`](crate::ReadResult)'s) is the error it holds.
impl From<Box<Error>> for Error {
    fn from(boxed: Box<Error>) -> Self {
        *boxed
    }
}

impl Error {
    /// The underlying database error, for the variants that carry one.
    ///
    /// ```
    /// use sequelize::{DatabaseError, Error};
    /// let e = Error::Database(DatabaseError::new("boom"));
    /// assert_eq!(e.database_error().unwrap().message, "boom");
    /// ```
    pub fn database_error(&self) -> Option<&DatabaseError> {
        match self {
            Error::UniqueConstraint { source, .. } | Error::ForeignKeyConstraint { source, .. } => {
                Some(source)
            }
            Error::NotNullConstraint { source, .. } => Some(source),
            Error::Deadlock(e) | Error::Timeout(e) | Error::StorageFull(e) | Error::Database(e) => {
                Some(e)
            }
            _ => None,
        }
    }

    /// Attaches the statement text to an error that came from running it.
    pub(crate) fn with_sql(mut self, sql: &str) -> Self {
        let slot = match &mut self {
            Error::UniqueConstraint { source, .. } | Error::ForeignKeyConstraint { source, .. } => {
                &mut source.sql
            }
            Error::NotNullConstraint { source, .. } => &mut source.sql,
            Error::Deadlock(e) | Error::Timeout(e) | Error::StorageFull(e) | Error::Database(e) => {
                &mut e.sql
            }
            _ => return self,
        };
        if slot.is_none() {
            *slot = Some(sql.to_owned());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_shows_sql_not_values() {
        let e = Error::Database(DatabaseError {
            message: "syntax error".into(),
            code: Some("42601".into()),
            sql: None,
        })
        .with_sql("SELECT * FROM \"users\" WHERE \"id\" = $1");
        assert_eq!(
            e.to_string(),
            "database error: syntax error (code 42601); SQL: SELECT * FROM \"users\" WHERE \"id\" = $1"
        );
    }
}
