//! [`Transaction`]: one pooled connection held from `BEGIN` to `COMMIT`/`ROLLBACK`.
//!
//! The rules (`reference/reliability.md` §3.1–3.2):
//! - the connection is marked "in transaction" *before* `BEGIN` is sent and cleared only
//!   after `COMMIT` or `ROLLBACK` succeeded, so a future cancelled at any point returns a
//!   connection the pool will close rather than reuse;
//! - a transaction dropped without commit rolls back (on a spawned task, since `Drop` cannot
//!   wait); a nested transaction dropped without commit queues `ROLLBACK TO SAVEPOINT`, which
//!   runs before the next statement on the connection;
//! - nested transactions are savepoints on the same connection (Sequelize v7's default), so a
//!   transaction never needs a second connection from the pool.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use futures_util::FutureExt;
use tokio::sync::{Mutex, MutexGuard};

use super::pool::PooledConn;
use super::retry::RetryMatch;
use super::Sequelize;
use crate::dialect::{transaction_control, ForeignKeySwitch};
use crate::error::{DatabaseError, Error, Result};
use crate::row::Collect;
use crate::sql::{TransactionControl, TransactionOptions};

const OPEN: u8 = 0;
const COMMITTED: u8 = 1;
const ROLLED_BACK: u8 = 2;

/// A database transaction. Cheap to clone: clones are handles to the same transaction.
///
/// Pass it wherever an [`Executor`](super::Executor) is taken, so the statement runs on the
/// transaction's connection.
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::Executor;
/// let db = sequelize::Sequelize::connect("sqlite::memory:").await?;
/// let tx = db.begin().await?;
/// tx.query("CREATE TABLE t (x INTEGER)").exec().await?;
/// tx.commit().await?;
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone)]
pub struct Transaction {
    inner: Arc<TxInner>,
}

impl std::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("savepoint", &self.inner.savepoint)
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

struct TxInner {
    db: Sequelize,
    shared: Arc<Mutex<TxConnection>>,
    /// `None` for the outermost transaction; the savepoint's name for a nested one.
    savepoint: Option<String>,
    state: AtomicU8,
    /// Set when foreign keys were turned off for this (outermost) transaction: checked
    /// before `COMMIT`, turned on again after the end.
    foreign_keys: Option<ForeignKeySwitch>,
}

/// The connection a transaction and its nested transactions share.
struct TxConnection {
    conn: Option<PooledConn>,
    /// Statements owed before the next one (rollbacks of dropped savepoints).
    pending: Vec<String>,
    savepoints_made: u32,
}

impl TxConnection {
    /// The connection, with owed statements run first.
    async fn ready(&mut self, db: &Sequelize) -> Result<&mut PooledConn> {
        let conn = self
            .conn
            .as_mut()
            .ok_or(Error::TransactionFinished("its connection was released"))?;
        for statement in self.pending.drain(..) {
            db.log_statement(&statement, None);
            conn.execute_batch(&statement).await?;
        }
        Ok(conn)
    }
}

/// A transaction's connection, locked for one statement.
pub(crate) struct TxConnectionGuard<'a> {
    shared: MutexGuard<'a, TxConnection>,
}

impl TxConnectionGuard<'_> {
    /// The connection.
    pub(crate) fn conn(&mut self) -> &mut PooledConn {
        self.shared
            .conn
            .as_mut()
            .expect("Transaction::connection checked the connection under this lock")
    }
}

impl Transaction {
    /// Opens a transaction on a fresh connection.
    pub(crate) async fn open(db: &Sequelize, options: TransactionOptions) -> Result<Transaction> {
        let statements = db.dialect().begin(&options)?;
        let foreign_keys =
            (db.dialect().foreign_key_switch()).filter(|_| options.defer_foreign_keys);
        let mut conn = db.checkout().await?;
        // Marked before BEGIN is sent: if this future is dropped mid-BEGIN, the pool closes
        // the connection instead of lending out one that may hold an open transaction.
        conn.in_transaction = true;
        for statement in &statements {
            db.log_statement(statement, None);
            conn.execute_batch(statement).await?;
        }
        Ok(Transaction {
            inner: Arc::new(TxInner {
                db: db.clone(),
                shared: Arc::new(Mutex::new(TxConnection {
                    conn: Some(conn),
                    pending: Vec::new(),
                    savepoints_made: 0,
                })),
                savepoint: None,
                state: AtomicU8::new(OPEN),
                foreign_keys,
            }),
        })
    }

    /// The Sequelize instance this transaction belongs to.
    pub fn sequelize(&self) -> &Sequelize {
        &self.inner.db
    }

    /// Whether the transaction was committed or rolled back.
    pub fn is_finished(&self) -> bool {
        self.inner.state.load(Ordering::Acquire) != OPEN
    }

    fn finish(&self, state: u8) -> Result<()> {
        match self
            .inner
            .state
            .compare_exchange(OPEN, state, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => Ok(()),
            Err(COMMITTED) => Err(Error::TransactionFinished("committed")),
            Err(_) => Err(Error::TransactionFinished("rolled back")),
        }
    }

    fn ensure_open(&self) -> Result<()> {
        match self.inner.state.load(Ordering::Acquire) {
            OPEN => Ok(()),
            COMMITTED => Err(Error::TransactionFinished("committed")),
            _ => Err(Error::TransactionFinished("rolled back")),
        }
    }

    /// The transaction's connection, held until the guard is dropped, with owed statements
    /// run first.
    pub(crate) async fn connection(&self) -> Result<TxConnectionGuard<'_>> {
        self.ensure_open()?;
        let mut shared = self.inner.shared.lock().await;
        shared.ready(&self.inner.db).await?;
        Ok(TxConnectionGuard { shared })
    }

    /// Ends the transaction with `control`, releasing the connection when it is the outermost.
    async fn end(&self, state: u8, control: TransactionControl) -> Result<()> {
        self.finish(state)?;
        let db = &self.inner.db;
        let mut shared = self.inner.shared.lock().await;
        match &self.inner.savepoint {
            Some(name) => {
                let sql = transaction_control(control, Some(name), db.dialect())?;
                let conn = shared.ready(db).await?;
                db.log_statement(&sql, None);
                conn.execute_batch(&sql).await
            }
            None => {
                let sql = transaction_control(control, None, db.dialect())?;
                if matches!(control, TransactionControl::Rollback) {
                    if let Some(conn) = shared.conn.take_if(|conn| conn.is_out_of_step()) {
                        // Nothing can be sent on it any more; closing it (the pool does, as
                        // it is marked) makes the server roll the transaction back.
                        drop(conn);
                        return Ok(());
                    }
                }
                shared.ready(db).await?;
                // Taken out first: if this future is dropped while COMMIT is in flight, the
                // connection is dropped still marked, and the pool closes it.
                let mut conn = shared.conn.take().expect("ready() checked the connection");
                drop(shared);
                let Some(switch) = self.inner.foreign_keys else {
                    db.log_statement(&sql, None);
                    conn.execute_batch(&sql)
                        .await
                        .map_err(|e| outcome_unknown(control, e))?;
                    conn.in_transaction = false;
                    return Ok(());
                };
                let mut broken = Vec::new();
                if matches!(control, TransactionControl::Commit) {
                    db.log_statement(switch.check, None);
                    let mut rows = Collect::default();
                    let completion = conn.run_into(switch.check, &[], &mut rows).await?;
                    broken = rows.finish(completion).rows.column::<String>(0)?;
                }
                let sql = match broken.is_empty() {
                    true => sql,
                    false => transaction_control(TransactionControl::Rollback, None, db.dialect())?,
                };
                for statement in [sql.as_str(), switch.on] {
                    db.log_statement(statement, None);
                    conn.execute_batch(statement)
                        .await
                        .map_err(|e| outcome_unknown(control, e))?;
                }
                conn.in_transaction = false;
                if broken.is_empty() {
                    return Ok(());
                }
                self.inner.state.store(ROLLED_BACK, Ordering::Release);
                broken.dedup();
                Err(Error::ForeignKeyConstraint {
                    fields: Vec::new(),
                    constraint: None,
                    source: Box::new(DatabaseError::new(format!(
                        "rows of {} refer to rows that do not exist; the transaction was \
                         rolled back",
                        broken.join(", ")
                    ))),
                })
            }
        }
    }

    /// Commits. For a nested transaction, releases its savepoint. When the connection is
    /// lost while `COMMIT` runs, the transaction may or may not have been committed, and the
    /// error says so ([`Error::CommitOutcomeUnknown`]) rather than look like a failure that
    /// is safe to run again.
    pub async fn commit(&self) -> Result<()> {
        self.end(COMMITTED, TransactionControl::Commit).await
    }

    /// Rolls back. For a nested transaction, rolls back to its savepoint.
    pub async fn rollback(&self) -> Result<()> {
        self.end(ROLLED_BACK, TransactionControl::Rollback).await
    }

    /// Opens a nested transaction: a savepoint on this transaction's connection.
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = sequelize::Sequelize::connect("sqlite::memory:").await?;
    /// let tx = db.begin().await?;
    /// let inner = tx.begin().await?;
    /// inner.rollback().await?;   // ROLLBACK TO SAVEPOINT
    /// tx.commit().await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn begin(&self) -> Result<Transaction> {
        self.ensure_open()?;
        let db = &self.inner.db;
        let mut shared = self.inner.shared.lock().await;
        shared.savepoints_made += 1;
        let name = format!("sequelize_sp_{}", shared.savepoints_made);
        let sql = transaction_control(TransactionControl::Savepoint, Some(&name), db.dialect())?;
        let conn = shared.ready(db).await?;
        db.log_statement(&sql, None);
        conn.execute_batch(&sql).await?;
        Ok(Transaction {
            inner: Arc::new(TxInner {
                db: db.clone(),
                shared: Arc::clone(&self.inner.shared),
                savepoint: Some(name),
                state: AtomicU8::new(OPEN),
                foreign_keys: None,
            }),
        })
    }

    /// Runs `f` in a nested transaction (a savepoint): released when `f` returns `Ok`, rolled
    /// back to when it returns `Err` or panics.
    pub async fn transaction<F, Fut, T, E>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        let nested = self.begin().await?;
        run_managed(nested, f).await
    }
}

/// Commits when `f` returns `Ok`, rolls back when it returns `Err` or panics (and then
/// resumes the panic).
pub(crate) async fn run_managed<F, Fut, T, E>(tx: Transaction, f: F) -> Result<T, E>
where
    F: FnOnce(Transaction) -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: From<Error>,
{
    let outcome = AssertUnwindSafe(f(tx.clone())).catch_unwind().await;
    match outcome {
        // The callback may have ended the transaction itself.
        Ok(Ok(value)) if tx.is_finished() => Ok(value),
        Ok(Ok(value)) => {
            tx.commit().await?;
            Ok(value)
        }
        Ok(Err(e)) => {
            if !tx.is_finished() {
                tx.rollback().await?;
            }
            Err(e)
        }
        Err(panic) => {
            if !tx.is_finished() {
                let _ = tx.rollback().await;
            }
            std::panic::resume_unwind(panic)
        }
    }
}

impl Drop for TxInner {
    fn drop(&mut self) {
        if self.state.load(Ordering::Acquire) != OPEN {
            return;
        }
        match &self.savepoint {
            Some(name) => {
                let Ok(sql) = transaction_control(
                    TransactionControl::Rollback,
                    Some(name),
                    self.db.dialect(),
                ) else {
                    return;
                };
                if let Ok(mut guard) = self.shared.try_lock() {
                    guard.pending.push(sql);
                    return;
                }
                let shared = Arc::clone(&self.shared);
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move { shared.lock().await.pending.push(sql) });
                }
            }
            None => {
                // If the connection cannot be taken here it stays marked and is closed by the
                // pool when the last handle lets go of it.
                let Some(mut conn) = self.shared.try_lock().ok().and_then(|mut s| s.conn.take())
                else {
                    return;
                };
                let db = self.db.clone();
                let foreign_keys = self.foreign_keys;
                if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                    runtime.spawn(async move {
                        let Ok(sql) =
                            transaction_control(TransactionControl::Rollback, None, db.dialect())
                        else {
                            return;
                        };
                        let after = foreign_keys.map(|switch| switch.on);
                        for statement in std::iter::once(sql.as_str()).chain(after) {
                            db.log_statement(statement, None);
                            if conn.execute_batch(statement).await.is_err() {
                                return;
                            }
                        }
                        conn.in_transaction = false;
                    });
                }
            }
        }
    }
}

/// The error of a transaction's last statement: a `COMMIT` whose connection was lost (the
/// errors [`RetryMatch::Connection`] matches) may have been applied, so it is
/// [`Error::CommitOutcomeUnknown`], which no retry matches.
fn outcome_unknown(control: TransactionControl, error: Error) -> Error {
    match control {
        TransactionControl::Commit if RetryMatch::Connection.matches(&error) => {
            Error::CommitOutcomeUnknown(error.to_string())
        }
        _ => error,
    }
}
