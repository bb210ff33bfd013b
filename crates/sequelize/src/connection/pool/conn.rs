//! [`Conn`], a driver connection and what is known about its state, and the [`Manager`] that
//! opens connections with the connection hooks around them.
//!
//! A connection is broken for us when a statement was cut off mid-flight (`busy`), when it may
//! be inside a transaction (`in_transaction`, set *before* `BEGIN` is sent and cleared only
//! after `COMMIT`/`ROLLBACK` succeeded), or when the driver saw the socket die. Such a
//! connection is closed instead of reused, which is what makes cancelled futures safe
//! (`reference/reliability.md` §3.1), unless the driver can reset it in place without waiting
//! (SQLite rolls back synchronously).

use std::sync::Arc;

use futures_util::StreamExt;

use super::closer::Closer;
use crate::connection::hooks::ConnectionHooks;
use crate::dialect::ConnectionConfig;
use crate::dialect::{BoxFuture, Dialect, DriverConnection, RowStream};
use crate::error::{Error, Result};
use crate::row::{Completion, RowSink};
use crate::sql::scanner::Backslashes;
use crate::value::Value;

/// Why a [`Conn`]'s driver is always there while the connection is used.
const DRIVER_TAKEN: &str = "a connection's driver is only taken when it is dropped";

/// Opens driver connections, running the connect hooks around each.
pub(crate) struct Manager {
    pub(super) dialect: Arc<dyn Dialect>,
    pub(super) config: Arc<ConnectionConfig>,
    pub(super) hooks: ConnectionHooks,
    /// Closes the connections the pool lets go, when there are disconnect hooks to run.
    pub(super) closer: Option<Arc<Closer>>,
}

impl Manager {
    /// Opens a connection: the `beforeConnect` hooks (which may change a copy of the
    /// configuration), the driver's connect, then the `afterConnect` hooks.
    pub(super) async fn connect(&self) -> Result<Conn> {
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
}

/// A driver connection and what is known about its state.
pub(crate) struct Conn {
    /// The driver; taken only when the connection is dropped, to be closed by `closer`.
    driver: Option<Box<dyn DriverConnection>>,
    /// A statement was sent and its result not yet fully read.
    busy: bool,
    /// A transaction may be open on this connection.
    pub(crate) in_transaction: bool,
    /// Where the connection goes to be closed when the pool drops it (with disconnect hooks).
    closer: Option<Arc<Closer>>,
}

/// The pool closes a connection by dropping it (idle, too old, broken, or with the pool),
/// where nothing can be awaited; with disconnect hooks the driver is therefore handed to the
/// [`Closer`], which closes it on a task between the hooks.
impl Drop for Conn {
    fn drop(&mut self) {
        if let (Some(closer), Some(driver)) = (self.closer.take(), self.driver.take()) {
            closer.close(driver);
        }
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

    /// Sends one request on the driver (`send` makes it), the connection counting as busy
    /// until its reply is read, so that a request cut off mid-flight leaves it marked.
    async fn request<'c, T>(
        &'c mut self,
        send: impl FnOnce(&'c mut dyn DriverConnection) -> BoxFuture<'c, Result<T>>,
    ) -> Result<T> {
        self.ensure_in_step()?;
        let Conn { driver, busy, .. } = self;
        *busy = true;
        let result = send(driver.as_deref_mut().expect(DRIVER_TAKEN)).await;
        *busy = false;
        result
    }

    /// Runs one statement, its rows into `sink`; the error carries the SQL.
    pub(crate) async fn run_into(
        &mut self,
        sql: &str,
        params: &[Value],
        sink: &mut dyn RowSink,
    ) -> Result<Completion> {
        self.request(|driver| driver.run_into(sql, params, sink))
            .await
            .map_err(|e| e.with_sql(sql))
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
        self.request(|driver| driver.session_backslashes()).await
    }

    /// Runs parameterless statements through the simple protocol.
    pub(crate) async fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.request(|driver| driver.execute_batch(sql))
            .await
            .map_err(|e| e.with_sql(sql))
    }

    /// Whether the driver knows the connection to be closed (the server hung up, or a
    /// statement found the socket dead).
    pub(super) fn is_closed(&self) -> bool {
        self.driver().is_closed()
    }

    /// One round trip to the server, to learn whether the connection still works.
    pub(super) async fn ping(&mut self) -> Result<()> {
        self.request(|driver| driver.ping()).await
    }

    /// Whether the connection may go back to the pool: not broken, or reset in place by a
    /// driver that can do it without waiting. Asked on every return.
    pub(super) fn is_reusable(&mut self) -> bool {
        if (self.busy || self.in_transaction) && self.driver_mut().reset_now() {
            self.busy = false;
            self.in_transaction = false;
        }
        !(self.busy || self.in_transaction || self.driver().is_closed())
    }
}
