//! Waiting for another connection's lock without blocking the async runtime.
//!
//! SQLite's own busy handler sleeps inside the statement, on the calling thread. Statements
//! here run inline on a Tokio worker, so a handler that sleeps would hold the worker: with as
//! many waiting tasks as workers, the task holding the lock could never reach its `COMMIT`,
//! and no `tokio::time::timeout` could fire. Instead the busy handler is off (SQLite answers
//! `SQLITE_BUSY` at once) and [`retry`] sleeps on the runtime's timer between attempts, up to
//! [`BUSY_TIMEOUT`] in all, as `busy_timeout` would have. A statement that gets its lock at
//! once costs nothing extra: no thread hop, no timer, only its unit of Tokio's cooperative
//! budget (so that statements back to back still let other tasks run).

use std::time::{Duration, Instant};

use rusqlite::{ffi, ErrorCode, TransactionState};

use super::errors::map_error;
use crate::error::{Error, Result};

/// How long a statement waits, in all, for another connection's lock before it fails with
/// [`Error::Timeout`].
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The pauses between attempts: short at first (most locks are held for well under a
/// millisecond), then steady.
const PAUSES_MS: [u64; 6] = [1, 2, 4, 8, 16, 25];

/// Why one attempt failed: SQLite, a lock that waiting will free, or this crate.
pub(super) enum Failure {
    Sqlite(rusqlite::Error),
    LockWait(rusqlite::Error),
    Other(Error),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sqlite(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Other(e)
    }
}

impl Failure {
    /// A step's failure: one that waiting may cure, unless rows were already handed over
    /// (a repeated attempt would hand them over again).
    pub(super) fn after(e: rusqlite::Error, delivered: bool) -> Failure {
        if delivered {
            Failure::Other(map_error(e))
        } else {
            Failure::Sqlite(e)
        }
    }

    /// Marks the failures that waiting cures, judged on the connection they happened on:
    /// `SQLITE_BUSY` (another connection holds the lock), a table lock of a shared-cache
    /// database, and `SQLITE_BUSY_SNAPSHOT` when the connection holds no read snapshot (the
    /// statement began afresh and met a newer commit). With a snapshot held, a transaction
    /// that read before another one committed can never write, however long it waits.
    pub(super) fn or_lock_wait(self, conn: &rusqlite::Connection) -> Failure {
        let Failure::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) = &self else {
            return self;
        };
        let waitable = match (failure.code, failure.extended_code) {
            (ErrorCode::DatabaseBusy, ffi::SQLITE_BUSY_SNAPSHOT) => matches!(
                conn.transaction_state(None::<&str>),
                Ok(TransactionState::None)
            ),
            (ErrorCode::DatabaseBusy, _) => true,
            (ErrorCode::DatabaseLocked, code) => code == ffi::SQLITE_LOCKED_SHAREDCACHE,
            _ => false,
        };
        match self {
            Failure::Sqlite(e) if waitable => Failure::LockWait(e),
            other => other,
        }
    }
}

/// Runs `attempt` until it succeeds or fails otherwise than with [`Failure::LockWait`],
/// sleeping on the runtime's timer between attempts, for at most [`BUSY_TIMEOUT`].
///
/// `attempt` must be safe to repeat after a lock wait: a single statement is (SQLite undoes
/// a statement that could not get its lock), and so is a script of idempotent settings.
///
/// Each call first takes a unit of Tokio's cooperative budget, as Tokio's own sockets and
/// channels do: a statement that gets its lock never waits, so without it a task running
/// statements back to back would never give its worker to the tasks beside it.
pub(super) async fn retry<T>(mut attempt: impl FnMut() -> Result<T, Failure>) -> Result<T> {
    tokio::task::coop::consume_budget().await;
    let mut schedule = Schedule::default();
    loop {
        match schedule.judge(attempt()) {
            Next::Done(outcome) => return outcome,
            Next::Wait(pause) => tokio::time::sleep(pause).await,
        }
    }
}

/// [`retry`] for a thread that may block (a row stream's thread, `stream.rs`): sleeps on
/// the thread between attempts.
pub(super) fn retry_blocking<T>(mut attempt: impl FnMut() -> Result<T, Failure>) -> Result<T> {
    let mut schedule = Schedule::default();
    loop {
        match schedule.judge(attempt()) {
            Next::Done(outcome) => return outcome,
            Next::Wait(pause) => std::thread::sleep(pause),
        }
    }
}

/// What follows an attempt: its outcome, or a pause before the next one.
enum Next<T> {
    Done(Result<T>),
    Wait(Duration),
}

/// The waits of one statement: when it first met a lock, and the pauses still to take.
#[derive(Default)]
struct Schedule {
    started: Option<Instant>,
    attempts: usize,
}

impl Schedule {
    fn judge<T>(&mut self, attempt: Result<T, Failure>) -> Next<T> {
        let e = match attempt {
            Ok(value) => return Next::Done(Ok(value)),
            Err(Failure::Other(e)) => return Next::Done(Err(e)),
            Err(Failure::Sqlite(e)) => return Next::Done(Err(map_error(e))),
            Err(Failure::LockWait(e)) => e,
        };
        let waited = self.started.get_or_insert_with(Instant::now).elapsed();
        let Some(left) = BUSY_TIMEOUT
            .checked_sub(waited)
            .filter(|left| !left.is_zero())
        else {
            return Next::Done(Err(map_error(e)));
        };
        let ms = PAUSES_MS[self.attempts.min(PAUSES_MS.len() - 1)];
        self.attempts += 1;
        Next::Wait(Duration::from_millis(ms).min(left))
    }
}
