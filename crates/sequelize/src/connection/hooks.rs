//! [`ConnectionHooks`]: the hooks of a Sequelize instance's connections and statements
//! (`beforeConnect` … `afterQuery`), kept apart from the model hooks because they belong to
//! the connection layer, which knows no model.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::dialect::{BoxFuture, ConnectionConfig, DriverConnection};
use crate::error::{Error, Result};
use crate::value::Value;

/// A `beforeConnect` hook: may change the settings a new connection opens with (a rotated
/// password, say); its error fails the connection.
pub type BeforeConnect =
    Arc<dyn for<'a> Fn(&'a mut ConnectionConfig) -> BoxFuture<'a, Result<()>> + Send + Sync>;

/// An `afterConnect` hook: runs on each new connection before the pool hands it out (to set
/// session settings, say); its error fails the connection.
pub type AfterConnect = Arc<
    dyn for<'a> Fn(&'a mut dyn DriverConnection, &'a ConnectionConfig) -> BoxFuture<'a, Result<()>>
        + Send
        + Sync,
>;

/// A `beforePoolAcquire` hook: runs before each checkout of a connection from the pool;
/// its error fails the operation.
pub type BeforeAcquire = Arc<dyn Fn() -> BoxFuture<'static, Result<()>> + Send + Sync>;

/// An `afterPoolAcquire` hook: runs on each connection checked out of the pool, before the
/// operation uses it; its error fails the operation.
pub type AfterAcquire =
    Arc<dyn for<'a> Fn(&'a mut dyn DriverConnection) -> BoxFuture<'a, Result<()>> + Send + Sync>;

/// A `beforeDisconnect` hook: runs on each connection the pool closes (idle, too old,
/// broken, or at [`Sequelize::close`](crate::Sequelize::close)), before it is closed.
pub type BeforeDisconnect = AfterAcquire;

/// An `afterDisconnect` hook: runs after each connection the pool closes was closed.
pub type AfterDisconnect = BeforeAcquire;

/// A `beforeQuery` hook: runs before each statement is sent; its error fails the statement,
/// which is then not sent.
pub type BeforeQuery =
    Arc<dyn for<'a> Fn(&'a QueryEvent<'a>) -> BoxFuture<'a, Result<()>> + Send + Sync>;

/// An `afterQuery` hook: runs after each statement, whether it succeeded or failed; its error
/// is returned in place of the statement's result (unless the statement failed itself).
pub type AfterQuery = Arc<
    dyn for<'a> Fn(&'a QueryEvent<'a>, &'a QueryOutcome<'a>) -> BoxFuture<'a, Result<()>>
        + Send
        + Sync,
>;

/// A statement as the query hooks see it: its SQL with placeholders and its bound values.
///
/// ```
/// let event = sequelize::QueryEvent { sql: "SELECT $1", params: &[], in_transaction: false };
/// assert!(event.sql.starts_with("SELECT"));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct QueryEvent<'a> {
    /// The SQL text, as sent (with the dialect's placeholders).
    pub sql: &'a str,
    /// The values bound to the placeholders.
    pub params: &'a [Value],
    /// Whether the statement runs inside a transaction.
    pub in_transaction: bool,
}

/// How a statement ended, for the `afterQuery` hooks.
///
/// ```
/// let outcome = sequelize::QueryOutcome { elapsed: std::time::Duration::ZERO, error: None };
/// assert!(outcome.error.is_none());
/// ```
#[derive(Debug, Clone, Copy)]
pub struct QueryOutcome<'a> {
    /// From sending the statement to its last row read.
    pub elapsed: Duration,
    /// Its error, when it failed.
    pub error: Option<&'a Error>,
}

/// Sequelize's connection hooks, each list run in the order added: `beforeConnect` /
/// `afterConnect` for every connection the pool opens, `beforePoolAcquire` /
/// `afterPoolAcquire` for every checkout, `beforeDisconnect` / `afterDisconnect` for every
/// connection it closes, `beforeQuery` / `afterQuery` for every statement.
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::{ConnectionHooks, Executor, Options, Sequelize};
/// let hooks = ConnectionHooks::default()
///     .before_connect("secret", |config| Box::pin(async move {
///         config.password = std::env::var("DB_PASSWORD").ok();  // read at each connect
///         Ok(())
///     }))
///     .after_connect("pragma", |conn, _| Box::pin(async move {
///         conn.execute_batch("PRAGMA user_version = 7").await
///     }));
/// let db = Sequelize::connect_with(Options { url: Some("sqlite::memory:".into()), hooks, ..Default::default() }).await?;
/// let version = db.query("PRAGMA user_version").plain().await?.unwrap();
/// assert_eq!(version.get::<i64>("user_version")?, 7);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone, Default)]
pub struct ConnectionHooks {
    pub(crate) before: Vec<(String, BeforeConnect)>,
    pub(crate) after: Vec<(String, AfterConnect)>,
    pub(crate) before_acquire: Vec<(String, BeforeAcquire)>,
    pub(crate) after_acquire: Vec<(String, AfterAcquire)>,
    pub(crate) before_disconnect: Vec<(String, BeforeDisconnect)>,
    pub(crate) after_disconnect: Vec<(String, AfterDisconnect)>,
    pub(crate) before_query: Vec<(String, BeforeQuery)>,
    pub(crate) after_query: Vec<(String, AfterQuery)>,
}

impl ConnectionHooks {
    /// Adds a `beforeConnect` hook under `name`.
    pub fn before_connect(
        mut self,
        name: impl Into<String>,
        hook: impl for<'a> Fn(&'a mut ConnectionConfig) -> BoxFuture<'a, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.before.push((name.into(), Arc::new(hook)));
        self
    }

    /// Adds an `afterConnect` hook under `name`.
    pub fn after_connect(
        mut self,
        name: impl Into<String>,
        hook: impl for<'a> Fn(
                &'a mut dyn DriverConnection,
                &'a ConnectionConfig,
            ) -> BoxFuture<'a, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.after.push((name.into(), Arc::new(hook)));
        self
    }

    /// Adds a `beforePoolAcquire` hook under `name`.
    pub fn before_pool_acquire(
        mut self,
        name: impl Into<String>,
        hook: impl Fn() -> BoxFuture<'static, Result<()>> + Send + Sync + 'static,
    ) -> Self {
        self.before_acquire.push((name.into(), Arc::new(hook)));
        self
    }

    /// Adds an `afterPoolAcquire` hook under `name`.
    pub fn after_pool_acquire(
        mut self,
        name: impl Into<String>,
        hook: impl for<'a> Fn(&'a mut dyn DriverConnection) -> BoxFuture<'a, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.after_acquire.push((name.into(), Arc::new(hook)));
        self
    }

    /// Adds a `beforeDisconnect` hook under `name`.
    pub fn before_disconnect(
        mut self,
        name: impl Into<String>,
        hook: impl for<'a> Fn(&'a mut dyn DriverConnection) -> BoxFuture<'a, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.before_disconnect.push((name.into(), Arc::new(hook)));
        self
    }

    /// Adds an `afterDisconnect` hook under `name`.
    pub fn after_disconnect(
        mut self,
        name: impl Into<String>,
        hook: impl Fn() -> BoxFuture<'static, Result<()>> + Send + Sync + 'static,
    ) -> Self {
        self.after_disconnect.push((name.into(), Arc::new(hook)));
        self
    }

    /// Adds a `beforeQuery` hook under `name`.
    pub fn before_query(
        mut self,
        name: impl Into<String>,
        hook: impl for<'a> Fn(&'a QueryEvent<'a>) -> BoxFuture<'a, Result<()>> + Send + Sync + 'static,
    ) -> Self {
        self.before_query.push((name.into(), Arc::new(hook)));
        self
    }

    /// Adds an `afterQuery` hook under `name`.
    pub fn after_query(
        mut self,
        name: impl Into<String>,
        hook: impl for<'a> Fn(&'a QueryEvent<'a>, &'a QueryOutcome<'a>) -> BoxFuture<'a, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.after_query.push((name.into(), Arc::new(hook)));
        self
    }

    /// Whether any `beforeQuery` or `afterQuery` hook is set (when none is, a statement
    /// costs no more than without hooks).
    pub(crate) fn watch_queries(&self) -> bool {
        !self.before_query.is_empty() || !self.after_query.is_empty()
    }

    /// Runs the `beforeQuery` hooks; the first error stops them.
    pub(crate) async fn run_before_query(&self, event: &QueryEvent<'_>) -> Result<()> {
        for (_, hook) in &self.before_query {
            hook(event).await?;
        }
        Ok(())
    }

    /// Runs the `afterQuery` hooks; the first error stops them.
    pub(crate) async fn run_after_query(
        &self,
        event: &QueryEvent<'_>,
        outcome: &QueryOutcome<'_>,
    ) -> Result<()> {
        for (_, hook) in &self.after_query {
            hook(event, outcome).await?;
        }
        Ok(())
    }
}

/// The hooks' names (their functions have no `Debug`).
impl fmt::Debug for ConnectionHooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn names<T>(hooks: &[(String, T)]) -> Vec<&str> {
            hooks.iter().map(|(name, _)| name.as_str()).collect()
        }
        f.debug_struct("ConnectionHooks")
            .field("before_connect", &names(&self.before))
            .field("after_connect", &names(&self.after))
            .field("before_pool_acquire", &names(&self.before_acquire))
            .field("after_pool_acquire", &names(&self.after_acquire))
            .field("before_disconnect", &names(&self.before_disconnect))
            .field("after_disconnect", &names(&self.after_disconnect))
            .field("before_query", &names(&self.before_query))
            .field("after_query", &names(&self.after_query))
            .finish()
    }
}
