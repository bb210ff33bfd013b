//! The [`Sequelize`] handle: options, the pool, transactions and raw queries.
//!
//! This layer knows the [`Dialect`] trait but no concrete dialect: it asks
//! [`dialect::by_name`] for one and talks to it through the trait.

mod executor;
pub(crate) mod hooks;
pub(crate) mod options;
pub(crate) mod pool;
mod raw_query;
mod replacements;
pub(crate) mod replication;
pub(crate) mod retry;
pub(crate) mod transaction;

use std::any::Any;
use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub use executor::{Executor, ExecutorRef, Target};
pub use raw_query::{AssertSqlSafe, QueryOutput, QueryType, RawQuery, SqlSafeStr};
pub use replacements::{Bind, Replacement, Replacements};

use self::hooks::ConnectionHooks;
use self::options::{Logging, Options};
use self::pool::{Closer, Pool, PooledConn};
use self::replication::{is_unreachable, PoolParts, ReadReplicas, ServerPool};
use self::retry::RetryOptions;
use self::transaction::{run_managed, Transaction};
use crate::dialect::{self, Dialect};
use crate::error::{Error, Result};
use crate::sql::TransactionOptions;

/// A connection to one database: Sequelize's `sequelize` instance.
///
/// Cheap to clone; clones share the pool. Statements run on a pooled connection each, or on a
/// [`Transaction`]'s connection when one is passed instead.
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::Sequelize;
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// db.authenticate().await?;
/// db.close().await?;
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone)]
pub struct Sequelize {
    inner: Arc<Inner>,
}

struct Inner {
    dialect: Arc<dyn Dialect>,
    /// The server of writes and transactions (with replication, its `write` server).
    primary: ServerPool,
    /// The servers of reads outside transactions; none without replication.
    replicas: ReadReplicas,
    /// `beforeConnect` … `afterQuery`.
    connection_hooks: ConnectionHooks,
    /// Closes the pool's connections between the disconnect hooks, when there are any.
    closer: Option<Arc<Closer>>,
    logging: Logging,
    benchmark: bool,
    retry: RetryOptions,
    /// The model layer's state for this instance (its registry of model runtimes), kept
    /// here untyped so that this layer does not depend on the one above it.
    models: OnceLock<Box<dyn Any + Send + Sync>>,
}

/// The size of a Sequelize instance's pool; see [`Sequelize::pool_status`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStatus {
    /// Open connections, in use or idle.
    pub size: u32,
    /// Idle connections, ready to lend.
    pub available: u32,
}

impl std::fmt::Debug for Sequelize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sequelize")
            .field("dialect", &self.inner.dialect.name())
            .field("host", &self.inner.primary.config.host)
            .field("database", &self.inner.primary.config.database)
            .finish_non_exhaustive()
    }
}

impl Sequelize {
    /// A Sequelize instance from options, as `new Sequelize(options)`.
    ///
    /// Like Sequelize's constructor this checks the options but does not connect: the first
    /// query (or [`authenticate`](Self::authenticate)) opens the first connection.
    ///
    /// ```
    /// use sequelize::{Options, Sequelize};
    /// let db = Sequelize::new(Options { dialect: Some("sqlite".into()), storage: Some(":memory:".into()), ..Default::default() }).unwrap();
    /// assert_eq!(db.dialect().name(), "sqlite");
    /// let err = Sequelize::new(Options { dialect: Some("oracle".into()), ..Default::default() }).unwrap_err();
    /// assert!(matches!(err, sequelize::Error::UnknownDialect(_)));
    /// ```
    pub fn new(options: Options) -> Result<Sequelize> {
        let (dialect_name, config, options) = options.resolve()?;
        let dialect = dialect::for_session(&dialect_name, config.time_zone)?;
        let (primary, replicas) = match &options.replication {
            None => (ServerPool::new(config, options.pool.clone()), Vec::new()),
            Some(replication) => {
                if !dialect.supports().replication {
                    return Err(Error::Unsupported {
                        dialect: dialect.name(),
                        feature: "replication (read replicas are servers; SQLite is a file)".into(),
                    });
                }
                let server = |server: &replication::ServerOptions| -> Result<ServerPool> {
                    let pool = server.pool.clone().unwrap_or_else(|| options.pool.clone());
                    options::check_pool(&pool)?;
                    Ok(ServerPool::new(server.over(&*dialect, &config)?, pool))
                };
                let replicas = replication.read.iter().map(server).collect::<Result<_>>()?;
                (server(&replication.write)?, replicas)
            }
        };
        Ok(Sequelize {
            inner: Arc::new(Inner {
                dialect,
                primary,
                replicas: ReadReplicas::new(replicas),
                closer: Closer::for_hooks(&options.hooks),
                connection_hooks: options.hooks,
                logging: options.logging,
                benchmark: options.benchmark,
                retry: options.retry,
                models: OnceLock::new(),
            }),
        })
    }

    /// Connects to a URL and checks the connection: `sqlite::memory:`, `sqlite://file.db`,
    /// `postgres://user:pass@host:5432/db`, `mysql://…`, `mariadb://…`.
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = sequelize::Sequelize::connect("sqlite::memory:").await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn connect(url: &str) -> Result<Sequelize> {
        Sequelize::connect_with(Options {
            url: Some(url.to_owned()),
            ..Default::default()
        })
        .await
    }

    /// [`new`](Self::new) followed by [`authenticate`](Self::authenticate).
    pub async fn connect_with(options: Options) -> Result<Sequelize> {
        let db = Sequelize::new(options)?;
        db.authenticate().await?;
        Ok(db)
    }

    /// Checks that a connection can be made and used (`SELECT 1+1 AS result`).
    pub async fn authenticate(&self) -> Result<()> {
        self.query("SELECT 1+1 AS result").exec().await.map(drop)
    }

    /// Closes the pool: idle connections are closed now, connections in use when they come
    /// back. Later queries fail with a [`Error::Connection`]. With `beforeDisconnect` /
    /// `afterDisconnect` hooks, this waits until they ran for every idle connection, and
    /// returns the first error one of them (or one run earlier, for a connection the pool
    /// closed while idle) met.
    pub async fn close(&self) -> Result<()> {
        self.inner.primary.close();
        for replica in self.inner.replicas.servers() {
            replica.close();
        }
        match &self.inner.closer {
            Some(closer) => closer.finish().await,
            None => Ok(()),
        }
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.inner.primary.is_closed()
    }

    /// The pool's size now: open connections, and how many of them wait idle (Sequelize's
    /// `connectionManager.pool.size` and `.available`). Zero before the first query and
    /// after [`close`](Self::close).
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = sequelize::Sequelize::connect("sqlite::memory:").await?;
    /// let status = db.pool_status();
    /// assert_eq!((status.size, status.available), (1, 1));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn pool_status(&self) -> PoolStatus {
        self.inner.primary.status()
    }

    /// The size of each read replica's pool, in the order of `replication.read` (empty
    /// without replication).
    ///
    /// ```
    /// let db = sequelize::Sequelize::new(sequelize::Options::from_url("sqlite::memory:").unwrap()).unwrap();
    /// assert!(db.replica_pool_status().is_empty());
    /// ```
    pub fn replica_pool_status(&self) -> Vec<PoolStatus> {
        self.inner
            .replicas
            .servers()
            .map(ServerPool::status)
            .collect()
    }

    /// The dialect in use.
    pub fn dialect(&self) -> &dyn Dialect {
        &*self.inner.dialect
    }

    /// The model layer's state for this instance, created on first use. Only one type ever
    /// uses the slot (the model layer's registry).
    pub(crate) fn model_state<T: Any + Send + Sync + Default>(&self) -> &T {
        self.inner
            .models
            .get_or_init(|| Box::new(T::default()))
            .downcast_ref()
            .expect("the model state slot holds one type")
    }

    /// The hooks of the connections and their statements.
    pub(crate) fn connection_hooks(&self) -> &ConnectionHooks {
        &self.inner.connection_hooks
    }

    /// The `retry` option: which statements outside a transaction run again.
    pub(crate) fn retry_options(&self) -> &RetryOptions {
        &self.inner.retry
    }

    pub(crate) fn benchmark(&self) -> bool {
        self.inner.benchmark
    }

    pub(crate) fn log_statement(&self, sql: &str, elapsed: Option<Duration>) {
        self.inner.logging.log(sql, elapsed);
    }

    /// What every server's pool is built with.
    fn pool_parts(&self) -> PoolParts<'_> {
        PoolParts {
            dialect: &self.inner.dialect,
            hooks: &self.inner.connection_hooks,
            closer: &self.inner.closer,
        }
    }

    /// The primary's pool, built at its first use.
    fn pool(&self) -> Result<Pool> {
        self.inner.primary.pool(&self.pool_parts())
    }

    /// A connection from the primary's pool.
    pub(crate) async fn checkout(&self) -> Result<PooledConn> {
        let pool = self.pool()?;
        self.acquire(&pool).await
    }

    /// A connection for a read outside a transaction: a read replica's, in turn, when there
    /// are any. A replica that cannot be reached is skipped with a warning (and left out for
    /// a few seconds); when none can be, the read goes to the primary.
    pub(crate) async fn checkout_read(&self) -> Result<PooledConn> {
        if self.inner.replicas.is_empty() {
            return self.checkout().await;
        }
        Box::pin(self.checkout_replica()).await
    }

    async fn checkout_replica(&self) -> Result<PooledConn> {
        for replica in self.inner.replicas.in_turn() {
            let pool = replica.server.pool(&self.pool_parts())?;
            match self.acquire(&pool).await {
                Ok(conn) => return Ok(conn),
                Err(e) if is_unreachable(&e) => {
                    tracing::warn!(
                        target: "sequelize::replication",
                        replica = %replica.server.target(),
                        error = %e,
                        "read replica unreachable: skipped"
                    );
                    replica.unreachable();
                }
                Err(e) => return Err(e),
            }
        }
        tracing::warn!(
            target: "sequelize::replication",
            "no read replica reachable: reading from the primary"
        );
        self.checkout().await
    }

    /// A connection of `pool`, between the acquire hooks.
    async fn acquire(&self, pool: &Pool) -> Result<PooledConn> {
        let hooks = &self.inner.connection_hooks;
        for (_, hook) in &hooks.before_acquire {
            hook().await?;
        }
        let mut conn = pool.checkout().await?;
        for (_, hook) in &hooks.after_acquire {
            hook(conn.driver_mut()).await?;
        }
        Ok(conn)
    }

    /// Starts an unmanaged transaction (`sequelize.transaction()` without a callback): commit
    /// or roll back yourself; dropping it uncommitted rolls it back.
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = sequelize::Sequelize::connect("sqlite::memory:").await?;
    /// let tx = db.begin().await?;
    /// tx.rollback().await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn begin(&self) -> Result<Transaction> {
        Transaction::open(self, TransactionOptions::default()).await
    }

    /// The most connections the pool opens (`pool.max`).
    pub(crate) fn pool_max(&self) -> u32 {
        self.inner.primary.options.max
    }

    /// Starts an unmanaged transaction with options (isolation level, SQLite type).
    pub async fn begin_with(&self, options: TransactionOptions) -> Result<Transaction> {
        Transaction::open(self, options).await
    }

    /// A managed transaction: `f` runs with the transaction; it commits when `f` returns
    /// `Ok`, and rolls back when `f` returns `Err` or panics.
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// use sequelize::Executor;
    /// let db = sequelize::Sequelize::connect("sqlite::memory:").await?;
    /// let n: i64 = db.transaction(|tx| async move {
    ///     let row = tx.query("SELECT 40 + 2 AS n").plain().await?.unwrap();
    ///     row.get::<i64>("n")
    /// }).await?;
    /// assert_eq!(n, 42);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn transaction<F, Fut, T, E>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        self.transaction_with(TransactionOptions::default(), f)
            .await
    }

    /// A managed transaction with options.
    pub async fn transaction_with<F, Fut, T, E>(
        &self,
        options: TransactionOptions,
        f: F,
    ) -> Result<T, E>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: From<Error>,
    {
        let tx = Transaction::open(self, options).await?;
        run_managed(tx, f).await
    }
}
