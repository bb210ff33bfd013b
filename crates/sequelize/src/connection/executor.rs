//! [`Executor`]: where a statement runs — the pool (through the [`Sequelize`] handle) or a
//! [`Transaction`]'s connection.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;

use super::hooks::{ConnectionHooks, QueryEvent, QueryOutcome};
use super::pool::{Conn, PooledConn};
use super::replacements::{resolve, Bind, Replacements};
use super::retry::{Counted, RetryOptions};
use super::transaction::{Transaction, TxConnectionGuard};
use super::Sequelize;
use crate::dialect::RowStream;
use crate::error::Result;
use crate::row::{Collect, Completion, QueryResult, RowSink};
use crate::sql::Statement;
use crate::value::Value;

mod sealed {
    pub trait Sealed {}
    impl Sealed for crate::Sequelize {}
    impl Sealed for crate::Transaction {}
    impl Sealed for super::ExecutorRef<'_> {}
    impl<T: Sealed + ?Sized> Sealed for &T {}
}

/// Something statements can run on: `&Sequelize` (a pooled connection per statement) or
/// `&Transaction` (the transaction's connection). Every query method takes one, as Sequelize
/// takes `{ transaction }`.
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::{Executor, Sequelize};
/// async fn count(exec: &impl Executor) -> sequelize::Result<i64> {
///     let row = exec.query("SELECT 1 + 1 AS n").plain().await?.unwrap();
///     row.get("n")
/// }
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// assert_eq!(count(&db).await?, 2);
/// let tx = db.begin().await?;
/// assert_eq!(count(&tx).await?, 2);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub trait Executor: sealed::Sealed + Send + Sync {
    /// Where statements go. An implementation detail of the crate.
    #[doc(hidden)]
    fn target(&self) -> Target<'_>;

    /// A raw query on this executor; see [`RawQuery`](super::RawQuery).
    fn query(&self, sql: impl super::raw_query::SqlSafeStr) -> super::RawQuery<'_> {
        super::RawQuery::new(self.target(), sql.into_sql())
    }

    /// Runs a statement of the SQL AST ([`crate::sql`]), rendered for this executor's dialect
    /// with every value bound: the step between raw SQL and models.
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// use sequelize::sql::{Expr, Function, Select, SelectItem, TableRef};
    /// use sequelize::{Executor, Sequelize};
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.query("CREATE TABLE t (x INTEGER)").exec().await?;
    /// db.query("INSERT INTO t VALUES (1), (2), (3)").exec().await?;
    /// let count = Select {
    ///     columns: vec![SelectItem::new(Expr::function(Function::Count, [])).alias("n")],
    ///     ..Select::new(TableRef::new("t"))
    /// }
    /// .filter(Expr::column("x").gt(1));
    /// let result = db.execute(&count.into()).await?;
    /// assert_eq!(result.rows.into_first().unwrap().get::<i64>("n")?, 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    fn execute<'a>(
        &'a self,
        statement: &'a Statement,
    ) -> impl Future<Output = Result<QueryResult>> + Send + 'a {
        let target = self.target();
        async move { target.run_statement(statement).await }
    }
}

/// Where a statement runs. An implementation detail, public only because [`Executor`] is.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum Target<'a> {
    /// A connection of the primary's pool, checked out for the statement; a read there
    /// becomes [`Target::Read`].
    Pool(&'a Sequelize),
    /// A read outside a transaction: a connection of a read replica's pool, when the
    /// instance has replicas, else the primary's.
    Read(&'a Sequelize),
    /// The primary's pool for reads too (Sequelize's `useMaster`).
    Primary(&'a Sequelize),
    /// The transaction's connection.
    Transaction(&'a Transaction),
}

impl<'a> Target<'a> {
    /// The Sequelize instance behind this target.
    pub(crate) fn sequelize(&self) -> &'a Sequelize {
        match self {
            Target::Pool(db) | Target::Read(db) | Target::Primary(db) => db,
            Target::Transaction(tx) => tx.sequelize(),
        }
    }

    /// Where a read runs: a replica, unless this target is a transaction or the primary.
    pub(crate) fn for_read(self) -> Target<'a> {
        match self {
            Target::Pool(db) => Target::Read(db),
            other => other,
        }
    }

    /// This target with its reads kept on the primary when `use_master`.
    pub(crate) fn use_master(self, use_master: bool) -> Target<'a> {
        match self {
            Target::Pool(db) | Target::Read(db) if use_master => Target::Primary(db),
            other => other,
        }
    }

    /// A connection for one statement: a pooled one, or the transaction's.
    async fn connection(&self) -> Result<Slot<'a>> {
        Ok(match self {
            Target::Pool(db) | Target::Primary(db) => Slot::Pooled(db.checkout().await?),
            Target::Read(db) => Slot::Pooled(db.checkout_read().await?),
            Target::Transaction(tx) => Slot::Transaction(tx.connection().await?),
        })
    }

    /// Runs one statement, logging it as the options ask.
    pub(crate) async fn run(&self, sql: &str, params: &[Value]) -> Result<QueryResult> {
        let mut rows = Collect::default();
        let completion = self.run_into(sql, params, &mut rows).await?;
        Ok(rows.finish(completion))
    }

    /// Runs one statement, logging it as the options ask, and hands each row to `sink` as
    /// it is decoded.
    pub(crate) async fn run_into(
        &self,
        sql: &str,
        params: &[Value],
        sink: &mut dyn RowSink,
    ) -> Result<Completion> {
        if let Some(retry) = self.retry() {
            // Boxed: statements that are never retried carry none of this in their future.
            return Box::pin(self.run_into_retrying(retry, sql, params, sink)).await;
        }
        let mut slot = self.connection().await?;
        self.logged(slot.conn(), sql, params, sink).await
    }

    /// The retry options this target's statements run under: the instance's, outside a
    /// transaction, when they retry anything.
    fn retry(&self) -> Option<&'a RetryOptions> {
        match *self {
            Target::Transaction(_) => None,
            Target::Pool(db) | Target::Read(db) | Target::Primary(db) => {
                Some(db.retry_options()).filter(|retry| retry.is_on())
            }
        }
    }

    /// [`run_into`](Self::run_into) under `retry`: each try on a connection of its own
    /// (the failed one goes back to the pool first, and is closed there if it broke), and
    /// none after a try that handed rows over.
    async fn run_into_retrying(
        &self,
        retry: &RetryOptions,
        sql: &str,
        params: &[Value],
        sink: &mut dyn RowSink,
    ) -> Result<Completion> {
        let mut tries = 1;
        loop {
            let mut counted = Counted {
                sink: &mut *sink,
                rows: 0,
            };
            let result = match self.connection().await {
                Ok(mut slot) => self.logged(slot.conn(), sql, params, &mut counted).await,
                Err(e) => Err(e),
            };
            match result {
                Err(e) if counted.rows == 0 && retry.retries(tries, &e) => {
                    tries += 1;
                    retry.wait(tries, &e).await;
                }
                result => return result,
            }
        }
    }

    /// Runs developer-written SQL, resolving its replacements and bind parameters by the
    /// connection's session (how it reads backslashes in string literals).
    pub(crate) async fn run_raw(
        &self,
        sql: &str,
        replacements: Option<&Replacements>,
        bind: Option<&Bind>,
    ) -> Result<QueryResult> {
        match self.retry() {
            None => self.run_raw_once(sql, replacements, bind).await,
            Some(retry) => Box::pin(retry.run(|| self.run_raw_once(sql, replacements, bind))).await,
        }
    }

    /// One try of [`run_raw`](Self::run_raw), on a connection of its own.
    async fn run_raw_once(
        &self,
        sql: &str,
        replacements: Option<&Replacements>,
        bind: Option<&Bind>,
    ) -> Result<QueryResult> {
        let mut slot = self.connection().await?;
        let conn = slot.conn();
        let dialect = self.sequelize().dialect();
        let (sql, params) = resolve(sql, dialect, conn, replacements, bind).await?;
        let mut rows = Collect::default();
        let completion = self.logged(conn, &sql, &params, &mut rows).await?;
        Ok(rows.finish(completion))
    }

    /// Runs SQL text of any number of statements without parameters (the simple protocol),
    /// logged. Query hooks do not run: they see one statement with its parameters.
    pub(crate) async fn execute_script(&self, sql: &str) -> Result<()> {
        let mut slot = self.connection().await?;
        self.timed(sql, slot.conn().execute_batch(sql)).await
    }

    /// Awaits `run`, the work of `sql`, logged as the options ask.
    async fn timed<T>(&self, sql: &str, run: impl Future<Output = Result<T>>) -> Result<T> {
        let started = log_start(self.sequelize(), sql);
        let result = run.await;
        log_end(self.sequelize(), sql, started);
        result
    }

    /// Runs one statement on `conn`, logged, and between the `beforeQuery` and `afterQuery`
    /// hooks when there are any.
    async fn logged(
        &self,
        conn: &mut Conn,
        sql: &str,
        params: &[Value],
        sink: &mut dyn RowSink,
    ) -> Result<Completion> {
        let hooks = self.sequelize().connection_hooks();
        if hooks.watch_queries() {
            // Boxed so that statements without query hooks carry none of this in their future.
            return Box::pin(self.watched(hooks, conn, sql, params, sink)).await;
        }
        self.unwatched(conn, sql, params, sink).await
    }

    async fn unwatched(
        &self,
        conn: &mut Conn,
        sql: &str,
        params: &[Value],
        sink: &mut dyn RowSink,
    ) -> Result<Completion> {
        self.timed(sql, conn.run_into(sql, params, sink)).await
    }

    async fn watched(
        &self,
        hooks: &ConnectionHooks,
        conn: &mut Conn,
        sql: &str,
        params: &[Value],
        sink: &mut dyn RowSink,
    ) -> Result<Completion> {
        let event = QueryEvent {
            sql,
            params,
            in_transaction: self.in_transaction(),
        };
        hooks.run_before_query(&event).await?;
        let started = Instant::now();
        let result = self.unwatched(conn, sql, params, sink).await;
        let outcome = QueryOutcome {
            elapsed: started.elapsed(),
            error: result.as_ref().err(),
        };
        let after = hooks.run_after_query(&event, &outcome).await;
        match (result, after) {
            (Ok(_), Err(hook_error)) => Err(hook_error),
            (result, _) => result,
        }
    }

    /// Runs one query and hands its rows over while they arrive, on a connection held until
    /// the stream ends or is dropped. The `afterQuery` hooks run when the last row was read
    /// or a batch failed, not when the stream is dropped before its end.
    pub(crate) fn stream(self, sql: Arc<str>, params: Vec<Value>) -> RowStream<'a> {
        Box::pin(async_stream::try_stream! {
            let mut slot = self.connection().await?;
            let hooks = self.sequelize().connection_hooks();
            let watched = hooks.watch_queries();
            let event = QueryEvent {
                sql: &sql,
                params: &params,
                in_transaction: self.in_transaction(),
            };
            if watched {
                hooks.run_before_query(&event).await?;
            }
            let timer = watched.then(Instant::now);
            let started = log_start(self.sequelize(), &sql);
            let mut rows = slot.conn().stream(&sql, &params);
            while let Some(batch) = rows.next().await {
                match (batch, timer) {
                    (Ok(batch), _) => yield batch,
                    (Err(e), None) => Err(e)?,
                    (Err(e), Some(timer)) => {
                        let outcome = QueryOutcome { elapsed: timer.elapsed(), error: Some(&e) };
                        let _ = hooks.run_after_query(&event, &outcome).await;
                        Err(e)?;
                    }
                }
            }
            log_end(self.sequelize(), &sql, started);
            if let Some(timer) = timer {
                let outcome = QueryOutcome { elapsed: timer.elapsed(), error: None };
                hooks.run_after_query(&event, &outcome).await?;
            }
        })
    }

    /// Runs statements in order on one connection; when one fails, runs `on_failure` (its
    /// own failures ignored: the first error is the one reported).
    pub(crate) async fn run_sequence(
        &self,
        statements: &[String],
        on_failure: &[&str],
    ) -> Result<()> {
        let mut slot = self.connection().await?;
        for sql in statements {
            let mut rows = Collect::default();
            if let Err(e) = self.logged(slot.conn(), sql, &[], &mut rows).await {
                for undo in on_failure {
                    let _ = self
                        .logged(slot.conn(), undo, &[], &mut Collect::default())
                        .await;
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// Whether statements run inside a transaction.
    pub(crate) fn in_transaction(&self) -> bool {
        matches!(self, Target::Transaction(_))
    }

    /// Renders a statement for this target's dialect and runs it.
    pub(crate) async fn run_statement(&self, statement: &Statement) -> Result<QueryResult> {
        let rendered = self.sequelize().dialect().render(statement)?;
        self.run(&rendered.sql, &rendered.params).await
    }
}

/// Logs a statement as it starts, unless the options ask for its time (`benchmark`): then
/// the start is returned, for [`log_end`].
fn log_start(db: &Sequelize, sql: &str) -> Option<Instant> {
    let started = db.benchmark().then(Instant::now);
    if started.is_none() {
        db.log_statement(sql, None);
    }
    started
}

/// Logs a statement with its time, when [`log_start`] timed it.
fn log_end(db: &Sequelize, sql: &str, started: Option<Instant>) {
    if let Some(started) = started {
        db.log_statement(sql, Some(started.elapsed()));
    }
}

/// The connection one statement runs on.
enum Slot<'a> {
    Pooled(PooledConn),
    Transaction(TxConnectionGuard<'a>),
}

impl Slot<'_> {
    fn conn(&mut self) -> &mut Conn {
        match self {
            Slot::Pooled(conn) => conn,
            Slot::Transaction(guard) => guard.conn(),
        }
    }
}

impl Executor for Sequelize {
    fn target(&self) -> Target<'_> {
        Target::Pool(self)
    }
}

impl Executor for Transaction {
    fn target(&self) -> Target<'_> {
        Target::Transaction(self)
    }
}

/// Where an operation runs, lent to code that runs inside it (a model hook), so that its
/// statements run there too: on the operation's transaction, or on the pool.
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::{Executor, ExecutorRef, Sequelize};
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// let lent: ExecutorRef<'_> = ExecutorRef::of(&db);
/// assert_eq!(lent.query("SELECT 2 AS n").plain().await?.unwrap().get::<i64>("n")?, 2);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone, Copy)]
pub struct ExecutorRef<'a>(Target<'a>);

impl<'a> ExecutorRef<'a> {
    /// Lends an executor.
    pub fn of(exec: &'a impl Executor) -> Self {
        ExecutorRef(exec.target())
    }

    /// The executor of a target (a query interface's, lent to raw queries).
    pub(crate) fn from_target(target: Target<'a>) -> Self {
        ExecutorRef(target)
    }

    /// `exec`, with its reads kept on the primary when `use_master` (Sequelize's
    /// `useMaster`); see [`Replication`](crate::Replication).
    pub(crate) fn use_master(exec: &'a impl Executor, use_master: bool) -> Self {
        ExecutorRef(exec.target().use_master(use_master))
    }
}

impl Executor for ExecutorRef<'_> {
    fn target(&self) -> Target<'_> {
        self.0
    }
}

impl<T: Executor + ?Sized> Executor for &T {
    fn target(&self) -> Target<'_> {
        (**self).target()
    }
}
