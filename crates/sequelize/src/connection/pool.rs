//! The connection pool: bb8 configured with Sequelize's pool options, and the state flags
//! that keep a connection in an unknown state from ever going back into it.
//!
//! bb8 was chosen over deadpool because its settings map one to one onto Sequelize's
//! (`max` → `max_size`, `min` → `min_idle`, `idle` → `idle_timeout`, `acquire` →
//! `connection_timeout`, `evict` → `reaper_rate`) and because it asks, synchronously, on every
//! return whether the connection is broken ([`bb8::ManageConnection::has_broken`]). A
//! connection is broken for us when a statement was cut off mid-flight (`busy`), when it may
//! be inside a transaction (`in_transaction`, set *before* `BEGIN` is sent and cleared only
//! after `COMMIT`/`ROLLBACK` succeeded), or when the driver saw the socket die. Such a
//! connection is closed instead of reused, which is what makes cancelled futures safe
//! (`reference/reliability.md` §3.1), unless the driver can reset it in place without waiting
//! (SQLite rolls back synchronously): an in-memory database lives in its connection, so it is
//! never replaced, nor closed for idleness or age ([`crate::dialect::PoolConstraints`]).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::StreamExt;
use tokio_util::task::TaskTracker;

use crate::connection::hooks::ConnectionHooks;
use crate::connection::options::PoolOptions;
use crate::dialect::ConnectionConfig;
use crate::dialect::{Dialect, DriverConnection, RowStream};
use crate::error::{Error, Result};
use crate::row::{Completion, RowSink};
use crate::sql::scanner::Backslashes;
use crate::value::Value;

/// How long a connection may live before it is replaced (bb8's default, which Sequelize's
/// options do not name).
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Why a [`Conn`]'s driver is always there while the connection is used.
const DRIVER_TAKEN: &str = "a connection's driver is only taken when it is dropped";

/// A connection checked out of the pool.
pub(crate) type PooledConn = bb8::PooledConnection<'static, Manager>;

/// The pool.
pub(crate) type Pool = bb8::Pool<Manager>;

/// Opens connections for bb8 and judges them on return.
pub(crate) struct Manager {
    dialect: Arc<dyn Dialect>,
    config: Arc<ConnectionConfig>,
    hooks: ConnectionHooks,
    /// Closes the connections bb8 lets go, when there are disconnect hooks to run.
    closer: Option<Arc<Closer>>,
}

/// A driver connection and what is known about its state.
pub(crate) struct Conn {
    /// The driver; taken only when the connection is dropped, to be closed by `closer`.
    driver: Option<Box<dyn DriverConnection>>,
    /// A statement was sent and its result not yet fully read.
    busy: bool,
    /// A transaction may be open on this connection.
    pub(crate) in_transaction: bool,
    /// Where the connection goes to be closed when bb8 drops it (with disconnect hooks).
    closer: Option<Arc<Closer>>,
}

/// bb8 closes a connection by dropping it (idle, too old, broken, or with the pool), where
/// nothing can be awaited; with disconnect hooks the driver is therefore handed to the
/// [`Closer`], which closes it on a task between the hooks.
impl Drop for Conn {
    fn drop(&mut self) {
        if let (Some(closer), Some(driver)) = (self.closer.take(), self.driver.take()) {
            closer.close(driver);
        }
    }
}

/// Closes the connections the pool lets go, between the `beforeDisconnect` and
/// `afterDisconnect` hooks, each on a task that [`Closer::finish`] waits for.
pub(crate) struct Closer {
    hooks: ConnectionHooks,
    tasks: TaskTracker,
    /// The first error of a disconnect hook or of a close, for [`Closer::finish`] to report.
    first_error: Mutex<Option<Error>>,
}

impl Closer {
    /// A closer when `hooks` has disconnect hooks to run; none otherwise (connections are
    /// then closed by dropping them, at no cost).
    pub(crate) fn for_hooks(hooks: &ConnectionHooks) -> Option<Arc<Closer>> {
        let needed = !hooks.before_disconnect.is_empty() || !hooks.after_disconnect.is_empty();
        needed.then(|| {
            Arc::new(Closer {
                hooks: hooks.clone(),
                tasks: TaskTracker::new(),
                first_error: Mutex::new(None),
            })
        })
    }

    /// Closes `driver` on a task of the current runtime; without one (the runtime is gone),
    /// it is dropped and no hook runs.
    fn close(self: Arc<Self>, driver: Box<dyn DriverConnection>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let tasks = self.tasks.clone();
        tasks.spawn_on(
            async move {
                if let Err(e) = self.disconnect(driver).await {
                    let mut first = self
                        .first_error
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    first.get_or_insert(e);
                }
            },
            &runtime,
        );
    }

    /// The `beforeDisconnect` hooks, the close, then the `afterDisconnect` hooks. The
    /// connection is closed even when a hook before fails; the first error is returned.
    async fn disconnect(&self, mut driver: Box<dyn DriverConnection>) -> Result<()> {
        let mut before = Ok(());
        for (_, hook) in &self.hooks.before_disconnect {
            before = hook(driver.as_mut()).await;
            if before.is_err() {
                break;
            }
        }
        driver.close().await;
        let mut after = Ok(());
        for (_, hook) in &self.hooks.after_disconnect {
            after = after.and(hook().await);
        }
        before.and(after)
    }

    /// Waits until every connection handed over so far is closed and its hooks have run;
    /// the first error any of them met (since the last call) is returned.
    pub(crate) async fn finish(&self) -> Result<()> {
        self.tasks.close();
        self.tasks.wait().await;
        self.tasks.reopen();
        let first = self
            .first_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        first.map_or(Ok(()), Err)
    }
}

impl Conn {
    /// The driver connection, for the `afterPoolAcquire` hooks.
    pub(crate) fn driver_mut(&mut self) -> &mut dyn DriverConnection {
        self.driver.as_deref_mut().expect(DRIVER_TAKEN)
    }

    fn driver(&self) -> &dyn DriverConnection {
        self.driver.as_deref().expect(DRIVER_TAKEN)
    }

    /// Whether a statement was abandoned before its reply was read, on a driver whose next
    /// reply would then be the abandoned statement's (MySQL's protocol has no request ids).
    pub(crate) fn is_out_of_step(&self) -> bool {
        self.busy && !self.driver().survives_cancellation()
    }

    /// Refuses to send anything on a connection that is out of step: its next reply would
    /// answer the abandoned statement, not this one.
    fn ensure_in_step(&self) -> Result<()> {
        if self.is_out_of_step() {
            return Err(Error::Connection(
                "a statement on this connection was cancelled before its reply was read, so \
                 the connection is out of step with the server and is closed; a transaction on \
                 it is rolled back"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Runs one statement, its rows into `sink`; the error carries the SQL.
    pub(crate) async fn run_into(
        &mut self,
        sql: &str,
        params: &[Value],
        sink: &mut dyn RowSink,
    ) -> Result<Completion> {
        self.ensure_in_step()?;
        self.busy = true;
        let result = self.driver_mut().run_into(sql, params, sink).await;
        self.busy = false;
        result.map_err(|e| e.with_sql(sql))
    }

    /// Runs one query and hands its rows over while they arrive. The connection counts as
    /// busy until the last batch was read, so a stream dropped early leaves it as a dropped
    /// [`run`](Self::run) would (closed where the driver cannot survive that).
    pub(crate) fn stream<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> RowStream<'a> {
        Box::pin(async_stream::try_stream! {
            self.ensure_in_step()?;
            self.busy = true;
            let mut rows = self.driver.as_deref_mut().expect(DRIVER_TAKEN).stream(sql, params);
            while let Some(batch) = rows.next().await {
                match batch {
                    Ok(batch) => yield batch,
                    Err(e) => {
                        self.busy = false;
                        Err(e.with_sql(sql))?;
                    }
                }
            }
            self.busy = false;
        })
    }

    /// How this session reads a backslash in `'…'` literals, when the driver knows it without
    /// asking the server.
    pub(crate) fn backslashes(&self) -> Backslashes {
        self.driver().backslashes()
    }

    /// How this session reads a backslash in `'…'` literals now, asking the server if the
    /// driver must.
    pub(crate) async fn session_backslashes(&mut self) -> Result<Backslashes> {
        self.ensure_in_step()?;
        self.busy = true;
        let result = self.driver_mut().session_backslashes().await;
        self.busy = false;
        result
    }

    /// Runs parameterless statements through the simple protocol.
    pub(crate) async fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.ensure_in_step()?;
        self.busy = true;
        let result = self.driver_mut().execute_batch(sql).await;
        self.busy = false;
        result.map_err(|e| e.with_sql(sql))
    }
}

impl bb8::ManageConnection for Manager {
    type Connection = Conn;
    type Error = Error;

    async fn connect(&self) -> Result<Conn> {
        let mut driver = if self.hooks.before.is_empty() {
            self.dialect.connect(&self.config).await?
        } else {
            let mut config = (*self.config).clone();
            for (_, hook) in &self.hooks.before {
                hook(&mut config).await?;
            }
            self.dialect.connect(&config).await?
        };
        for (_, hook) in &self.hooks.after {
            hook(driver.as_mut(), &self.config).await?;
        }
        Ok(Conn {
            driver: Some(driver),
            busy: false,
            in_transaction: false,
            closer: self.closer.clone(),
        })
    }

    async fn is_valid(&self, conn: &mut Conn) -> Result<()> {
        conn.driver_mut().ping().await
    }

    fn has_broken(&self, conn: &mut Conn) -> bool {
        if (conn.busy || conn.in_transaction) && conn.driver_mut().reset_now() {
            conn.busy = false;
            conn.in_transaction = false;
        }
        conn.busy || conn.in_transaction || conn.driver().is_closed()
    }
}

/// Builds the pool. Must run inside a Tokio runtime (bb8 spawns its reaper).
pub(crate) fn build(
    dialect: Arc<dyn Dialect>,
    config: Arc<ConnectionConfig>,
    options: &PoolOptions,
    hooks: ConnectionHooks,
    closer: Option<Arc<Closer>>,
) -> Pool {
    let constraints = dialect.pool_constraints(&config);
    let max = constraints
        .max_connections
        .map_or(options.max, |limit| limit.min(options.max));
    // A connection that holds the database (SQLite in memory) lives as long as the pool.
    let lifetime = |limit: Duration| (!constraints.keep_alive).then_some(limit);
    bb8::Pool::builder()
        .max_size(max)
        .min_idle(Some(options.min.min(max)).filter(|m| *m > 0))
        .idle_timeout(lifetime(options.idle))
        .max_lifetime(lifetime(MAX_LIFETIME))
        .connection_timeout(options.acquire)
        .reaper_rate(options.evict)
        // A failed connect is reported at once (connection refused, bad password) instead of
        // being retried until `acquire` runs out and reported as a timeout.
        .retry_connection(false)
        // A checkout must not cost a round trip; broken connections are caught on return.
        .test_on_check_out(false)
        .build_unchecked(Manager {
            dialect,
            config,
            hooks,
            closer,
        })
}

/// Checks a connection out, mapping bb8's errors onto ours.
///
/// bb8 opens connections on a background task and only reports their failures to an error
/// sink, so a checkout from an empty pool whose server is down would wait out the whole
/// `acquire` time and say "timeout". When the pool holds no connection at all, the first one
/// is therefore opened here, on the caller's task, so "connection refused" or "access
/// denied" reaches the caller at once; it is then handed to the pool.
pub(crate) async fn checkout(pool: &Pool, options: &PoolOptions) -> Result<PooledConn> {
    if pool.state().connections == 0 {
        let conn = pool.dedicated_connection().await?;
        // A concurrent checkout may have filled the pool meanwhile; then this one is closed.
        let _ = pool.add(conn);
    }
    pool.get_owned().await.map_err(|e| match e {
        bb8::RunError::User(e) => e,
        bb8::RunError::TimedOut => Error::PoolTimeout(options.acquire),
    })
}
