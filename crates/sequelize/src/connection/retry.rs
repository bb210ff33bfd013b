//! [`RetryOptions`]: Sequelize's `retry` option, which failed statements run again, how
//! often, and after how long; and [`RetryOptions::run`], which retries any operation as a
//! whole (a managed transaction, say).
//!
//! A statement run outside a transaction is tried again when its error is one the options
//! match and it handed no row over yet (a retry would hand those rows over twice). Inside a
//! transaction nothing is retried statement by statement: after a deadlock or a
//! serialization failure the transaction is over, and only running it again as a whole can
//! help, which [`RetryOptions::run`] does.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::row::{ReadResult, RowReader, RowSink};

/// A kind of error a retry matches (an entry of Sequelize's `retry.match`, which names error
/// classes and message texts).
///
/// ```
/// use sequelize::{DatabaseError, Error, RetryMatch};
/// assert!(RetryMatch::Deadlock.matches(&Error::Deadlock(DatabaseError::new("deadlock detected"))));
/// assert!(RetryMatch::Connection.matches(&Error::Connection("connection reset".into())));
/// assert!(RetryMatch::Message("SQLITE_BUSY".into()).matches(&Error::Timeout(DatabaseError {
///     code: Some("SQLITE_BUSY".into()),
///     ..DatabaseError::new("database is locked")
/// })));
/// assert!(!RetryMatch::Deadlock.matches(&Error::Connection("connection reset".into())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryMatch {
    /// A connection that could not be opened or was lost: [`Error::ConnectionRefused`],
    /// [`Error::Connection`], and PostgreSQL's connection exceptions (SQLSTATE class `08`)
    /// and shutdown notices (`57P01`–`57P03`). Sequelize's `ConnectionError` classes.
    Connection,
    /// A statement chosen as a deadlock's victim ([`Error::Deadlock`]).
    Deadlock,
    /// A serialization failure (PostgreSQL's SQLSTATE `40001`), of a transaction at the
    /// `REPEATABLE READ` or `SERIALIZABLE` level.
    SerializationFailure,
    /// A lock not taken in time ([`Error::Timeout`]: SQLite's busy database, PostgreSQL's
    /// `lock_not_available`, MySQL's lock wait timeout).
    Timeout,
    /// An error whose message or database code contains this text (Sequelize's string
    /// matches, such as `'SQLITE_BUSY'`).
    Message(String),
}

impl RetryMatch {
    /// The kind a string of Sequelize's `retry.match` names: the name of one of Sequelize's
    /// connection error classes (`SequelizeConnectionError`,
    /// `SequelizeConnectionRefusedError`, `SequelizeHostNotFoundError`,
    /// `SequelizeHostNotReachableError`, `SequelizeInvalidConnectionError`,
    /// `SequelizeConnectionTimedOutError`), `SequelizeTimeoutError`, or else a message text.
    ///
    /// ```
    /// use sequelize::RetryMatch;
    /// assert_eq!(RetryMatch::named("SequelizeConnectionRefusedError"), RetryMatch::Connection);
    /// assert_eq!(RetryMatch::named("SQLITE_BUSY"), RetryMatch::Message("SQLITE_BUSY".into()));
    /// ```
    pub fn named(name: &str) -> RetryMatch {
        match name {
            "SequelizeConnectionError"
            | "SequelizeConnectionRefusedError"
            | "SequelizeHostNotFoundError"
            | "SequelizeHostNotReachableError"
            | "SequelizeInvalidConnectionError"
            | "SequelizeConnectionTimedOutError" => RetryMatch::Connection,
            "SequelizeTimeoutError" => RetryMatch::Timeout,
            text => RetryMatch::Message(text.to_owned()),
        }
    }

    /// Whether `error` is of this kind.
    pub fn matches(&self, error: &Error) -> bool {
        let code = error.database_error().and_then(|e| e.code.as_deref());
        match self {
            RetryMatch::Connection => {
                matches!(
                    error,
                    Error::ConnectionRefused { .. } | Error::Connection(_)
                ) || code.is_some_and(|c| {
                    c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03")
                })
            }
            RetryMatch::Deadlock => matches!(error, Error::Deadlock(_)),
            RetryMatch::SerializationFailure => code == Some("40001"),
            RetryMatch::Timeout => matches!(error, Error::Timeout(_)),
            RetryMatch::Message(text) => {
                code.is_some_and(|c| c.contains(text.as_str()))
                    || error.to_string().contains(text.as_str())
            }
        }
    }
}

/// Sequelize's `retry` option: a statement outside a transaction that fails with an error
/// `matching` one of the kinds is tried again, up to `max` tries in all, waiting
/// `backoff_base`, then `backoff_exponent` times longer before each next try. Each retry is
/// logged as a warning (target `sequelize::retry`).
///
/// Sequelize retries `SQLITE_BUSY` five times by default; here SQLite's busy handler already
/// waits for the lock up to the busy timeout, so nothing is matched by default and nothing
/// is retried until you say what may be. A write whose connection was lost while the server
/// ran it may have been applied: match [`RetryMatch::Connection`] where running a write twice
/// is harmless, or where the writes are idempotent.
///
/// ```
/// use std::time::Duration;
/// use sequelize::{Options, RetryMatch, RetryOptions};
/// let options = Options {
///     url: Some("postgres://postgres@127.0.0.1/app".into()),
///     retry: RetryOptions {
///         max: 5,
///         matching: vec![RetryMatch::Connection, RetryMatch::Deadlock],
///         ..RetryOptions::default()
///     },
///     ..Options::default()
/// };
/// assert_eq!(options.retry.delay(2), Duration::from_millis(100));
/// assert_eq!(options.retry.delay(3), Duration::from_millis(110));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryOptions {
    /// The most tries of a statement, the first one included (Sequelize's `retry.max`;
    /// default 5). 0 and 1 both mean one try.
    pub max: u32,
    /// The errors that are retried (Sequelize's `retry.match`); none by default.
    pub matching: Vec<RetryMatch>,
    /// The wait before the first retry (`retry.backoffBase`, default 100 ms).
    pub backoff_base: Duration,
    /// How much longer each next wait is (`retry.backoffExponent`, default 1.1).
    pub backoff_exponent: f64,
}

impl Default for RetryOptions {
    fn default() -> Self {
        RetryOptions {
            max: 5,
            matching: Vec::new(),
            backoff_base: Duration::from_millis(100),
            backoff_exponent: 1.1,
        }
    }
}

impl RetryOptions {
    /// Whether any error is retried at all.
    pub(crate) fn is_on(&self) -> bool {
        self.max > 1 && !self.matching.is_empty()
    }

    /// Whether the `tries`-th try, which failed with `error`, is followed by another.
    pub fn retries(&self, tries: u32, error: &Error) -> bool {
        tries < self.max && self.matching.iter().any(|kind| kind.matches(error))
    }

    /// How long to wait before try number `next` (2 for the first retry).
    pub fn delay(&self, next: u32) -> Duration {
        let exponent = i32::try_from(next.saturating_sub(2)).unwrap_or(i32::MAX);
        self.backoff_base
            .mul_f64(self.backoff_exponent.powi(exponent).min(1e6))
    }

    /// Runs `operation` until it succeeds, fails with an error these options do not retry,
    /// or has been tried `max` times; the last error is returned. This is how a managed
    /// transaction is retried as a whole after a deadlock or a serialization failure: every
    /// statement of it runs again, in a new transaction.
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// use std::time::Duration;
    /// use sequelize::{Executor, RetryMatch, RetryOptions, Sequelize};
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.query("CREATE TABLE counters (n INTEGER)").exec().await?;
    /// db.query("INSERT INTO counters VALUES (0)").exec().await?;
    /// let retry = RetryOptions {
    ///     matching: vec![RetryMatch::Deadlock, RetryMatch::SerializationFailure],
    ///     backoff_base: Duration::from_millis(1),
    ///     ..RetryOptions::default()
    /// };
    /// let mut tries = 0;
    /// retry.run(|| {
    ///     tries += 1;
    ///     let failing = tries == 1;
    ///     db.transaction(move |tx| async move {
    ///         tx.query("UPDATE counters SET n = n + 1").exec().await?;
    ///         if failing {
    ///             // What a deadlocked statement returns; the transaction rolls back.
    ///             return Err(sequelize::Error::Deadlock(sequelize::DatabaseError::new("deadlock")));
    ///         }
    ///         Ok(())
    ///     })
    /// }).await?;
    /// let row = db.query("SELECT n FROM counters").plain().await?.unwrap();
    /// assert_eq!((tries, row.get::<i64>("n")?), (2, 1));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn run<T, F, Fut>(&self, mut operation: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut tries = 1;
        loop {
            match operation().await {
                Err(error) if self.retries(tries, &error) => {
                    tries += 1;
                    self.wait(tries, &error).await;
                }
                result => return result,
            }
        }
    }

    /// Logs the retry and waits before try number `next`.
    pub(crate) async fn wait(&self, next: u32, error: &Error) {
        let delay = self.delay(next);
        tracing::warn!(target: "sequelize::retry", %error, try_number = next, max = self.max, delay_ms = delay.as_secs_f64() * 1e3, "retrying after an error the retry options match");
        tokio::time::sleep(delay).await;
    }
}

/// Counts the rows handed to a sink, so that a statement that already handed rows over is
/// not retried.
pub(crate) struct Counted<'s> {
    pub(crate) sink: &'s mut dyn RowSink,
    pub(crate) rows: usize,
}

impl RowSink for Counted<'_> {
    fn columns(&mut self, names: &Arc<[String]>) {
        self.sink.columns(names);
    }

    fn row(&mut self, row: &mut dyn RowReader) -> ReadResult<()> {
        self.rows += 1;
        self.sink.row(row)
    }
}
