//! The connection pool, with Sequelize's pool options: `max` connections at most, `min` kept
//! open, idle ones closed after `idle` (checked every `evict`), a checkout waiting at most
//! `acquire`.
//!
//! A checkout takes a permit of a semaphore of `max` permits, then pops an idle connection
//! under a lock nobody holds for longer than a push or a pop: when a connection is idle, no
//! future waits, no timer is set and no clock is read. Only a checkout that must wait for a
//! permit, or open a connection, goes on to a boxed future bounded by `acquire`. The
//! connection is opened on the caller's task, so "connection refused" or "access denied"
//! reaches the caller at once instead of a timeout. Every connection that is not idle (lent
//! out, or being opened) holds a permit, so no more than `max` are ever open; the semaphore
//! wakes its waiters first come, first served.
//!
//! A connection goes back on drop and is asked then, synchronously, whether it is still
//! reusable ([`Conn`]'s state flags); one that is not is closed, never lent again. A reaper
//! task, every `evict`, closes connections idle for longer than `idle` (down to `min`) or
//! open for longer than [`MAX_LIFETIME`], and opens connections up to `min`. An in-memory
//! database lives in its connection, so that one is never closed for idleness or age
//! ([`crate::dialect::PoolConstraints`]).

mod closer;
mod conn;

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit, TryAcquireError};

pub(crate) use self::closer::Closer;
pub(crate) use self::conn::Conn;
use self::conn::Manager;
use crate::connection::hooks::ConnectionHooks;
use crate::connection::options::PoolOptions;
use crate::connection::PoolStatus;
use crate::dialect::{ConnectionConfig, Dialect};
use crate::error::{Error, Result};

/// How long a connection may live before it is replaced (Sequelize's options do not name
/// one).
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// The pool of one Sequelize instance; clones share it.
#[derive(Clone)]
pub(crate) struct Pool {
    shared: Arc<Shared>,
}

/// What the pool's handles, its lent connections and its reaper share.
struct Shared {
    manager: Manager,
    limits: Limits,
    /// `max` permits: one for each connection lent out or being opened. Closed when the
    /// pool is.
    permits: Semaphore,
    state: Mutex<State>,
}

/// The pool options, as they apply to this dialect and database.
struct Limits {
    min: u32,
    /// `None` where the connection holds the database (SQLite in memory).
    idle_timeout: Option<Duration>,
    max_lifetime: Option<Duration>,
    acquire: Duration,
    /// Ping a connection that sat idle through a reaper pass before lending it.
    validate: bool,
}

/// The connections that wait to be lent, and the count of all.
struct State {
    /// Taken from the end, so the most recently used connection is lent first and the
    /// others can reach their idle timeout.
    idle: Vec<Idle>,
    /// Open connections: idle, lent out, or being opened.
    open: u32,
}

impl State {
    fn idle_count(&self) -> u32 {
        u32::try_from(self.idle.len()).expect("no more than `max`, a u32, are idle")
    }
}

/// A connection waiting in the pool.
struct Idle {
    conn: Conn,
    opened: Instant,
    /// When the reaper first saw it idle: returning a connection reads no clock, so its
    /// idle time is counted from the next reaper pass (`idle` is honoured within `evict`).
    seen_idle: Option<Instant>,
}

/// A connection checked out of the pool; it goes back when dropped.
pub(crate) struct PooledConn {
    conn: Option<Conn>,
    opened: Instant,
    pool: Arc<Shared>,
}

impl Pool {
    /// Builds the pool, and its reaper when there is anything to reap or keep open. Must run
    /// inside a Tokio runtime when it needs a reaper.
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
        let limits = Limits {
            min: options.min.min(max),
            idle_timeout: lifetime(options.idle),
            max_lifetime: lifetime(MAX_LIFETIME),
            acquire: options.acquire,
            validate: options.validate,
        };
        let reaps =
            limits.min > 0 || limits.idle_timeout.is_some() || limits.max_lifetime.is_some();
        let shared = Arc::new(Shared {
            manager: Manager {
                dialect,
                config,
                hooks,
                closer,
            },
            limits,
            permits: Semaphore::new(max as usize),
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
        });
        if reaps {
            tokio::spawn(reap(Arc::downgrade(&shared), options.evict));
        }
        Pool { shared }
    }

    /// A connection: an idle one, or a new one while fewer than `max` are open, or the
    /// first one given back within `acquire` ([`Error::PoolTimeout`] after that).
    pub(crate) async fn checkout(&self) -> Result<PooledConn> {
        let (permit, idle) = match self.shared.permits.try_acquire() {
            Ok(permit) => match self.shared.pop_idle(false) {
                Some(idle) if !self.shared.needs_ping(&idle) => {
                    return Ok(self.lend(permit, idle.conn, idle.opened));
                }
                idle => (Some(permit), idle),
            },
            Err(TryAcquireError::NoPermits) => (None, None),
            Err(TryAcquireError::Closed) => return Err(closed()),
        };
        let acquire = self.shared.limits.acquire;
        let slow = Box::pin(self.wait_or_open(permit, idle));
        match tokio::time::timeout(acquire, slow).await {
            Ok(conn) => conn,
            Err(_) => Err(Error::PoolTimeout(acquire)),
        }
    }

    /// The part of a checkout that awaits: a permit, when none was free; then an idle
    /// connection (`idle`, taken already, or the next one) that answers a ping where it
    /// must, or else a new one.
    async fn wait_or_open(
        &self,
        permit: Option<SemaphorePermit<'_>>,
        mut idle: Option<Idle>,
    ) -> Result<PooledConn> {
        let permit = match permit {
            Some(permit) => permit,
            None => self.shared.permits.acquire().await.map_err(|_| closed())?,
        };
        if idle.is_none() {
            idle = self.shared.pop_idle(true);
        }
        while let Some(mut candidate) = idle {
            if !self.shared.needs_ping(&candidate) {
                return Ok(self.lend(permit, candidate.conn, candidate.opened));
            }
            // Counted as open while it is pinged; uncounted if the ping fails or is dropped.
            let pinging = Opening(&self.shared);
            match candidate.conn.ping().await {
                Ok(()) => {
                    std::mem::forget(pinging);
                    return Ok(self.lend(permit, candidate.conn, candidate.opened));
                }
                Err(e) => {
                    tracing::debug!(target: "sequelize::pool", error = %e, "an idle connection did not answer its ping and is replaced");
                    drop(pinging);
                    drop(candidate);
                }
            }
            idle = self.shared.pop_idle(true);
        }
        let opening = Opening(&self.shared);
        let conn = self.shared.manager.connect().await?;
        std::mem::forget(opening);
        Ok(self.lend(permit, conn, Instant::now()))
    }

    /// Lends `conn`; its permit is given back with it.
    fn lend(&self, permit: SemaphorePermit<'_>, conn: Conn, opened: Instant) -> PooledConn {
        permit.forget();
        PooledConn {
            conn: Some(conn),
            opened,
            pool: Arc::clone(&self.shared),
        }
    }

    /// How many connections are open, and how many of them idle.
    pub(crate) fn status(&self) -> PoolStatus {
        let state = self.shared.lock();
        PoolStatus {
            size: state.open,
            available: state.idle_count(),
        }
    }

    /// Closes the pool: idle connections now, lent ones when they come back; checkouts
    /// waiting for a connection fail. A connection given back or opened after the
    /// semaphore is closed is closed too: both look at it under the lock taken here after.
    pub(crate) fn close(&self) {
        self.shared.permits.close();
        let idle = {
            let mut state = self.shared.lock();
            state.open -= state.idle_count();
            std::mem::take(&mut state.idle)
        };
        drop(idle);
    }
}

/// The error of a checkout from a closed pool.
fn closed() -> Error {
    Error::Connection("this Sequelize instance was closed".into())
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn is_closed(&self) -> bool {
        self.permits.is_closed()
    }

    /// The most recently returned idle connection the driver does not know to be closed
    /// (those it does are closed on the way). When there is none and `reserve` is set, the
    /// connection the caller will open is counted, under the same lock.
    fn pop_idle(&self, reserve: bool) -> Option<Idle> {
        let mut dead = Vec::new();
        let mut state = self.lock();
        let found = loop {
            match state.idle.pop() {
                Some(idle) if idle.conn.is_closed() => {
                    state.open -= 1;
                    dead.push(idle);
                }
                Some(idle) => break Some(idle),
                None => {
                    if reserve {
                        state.open += 1;
                    }
                    break None;
                }
            }
        };
        drop(state);
        drop(dead);
        found
    }

    /// Whether `idle` must answer a ping before it is lent: it sat idle through a reaper
    /// pass (long enough for a server to have closed it, by its idle timeout or a restart).
    fn needs_ping(&self, idle: &Idle) -> bool {
        self.limits.validate && idle.seen_idle.is_some()
    }

    /// Closes the connections idle for longer than `idle` (while more than `min` are open)
    /// or open for longer than their lifetime; starts the idle clock of the others.
    fn evict(&self, now: Instant) {
        let limits = &self.limits;
        let mut state = self.lock();
        let mut closing = Vec::new();
        let mut index = 0;
        while index < state.idle.len() {
            let idle = &mut state.idle[index];
            let too_old = limits
                .max_lifetime
                .is_some_and(|limit| now.duration_since(idle.opened) >= limit);
            let seen_idle = *idle.seen_idle.get_or_insert(now);
            let idle_too_long = limits
                .idle_timeout
                .is_some_and(|limit| now.duration_since(seen_idle) >= limit);
            if too_old || (idle_too_long && state.open > limits.min) {
                closing.push(state.idle.remove(index));
                state.open -= 1;
            } else {
                index += 1;
            }
        }
        drop(state);
        drop(closing);
    }

    /// Opens connections until `min` are open, each holding a permit while it is opened so
    /// that `max` still holds. A failed connect is logged and tried again next pass.
    async fn fill_to_min(&self) {
        while let Ok(permit) = self.permits.try_acquire() {
            {
                let mut state = self.lock();
                if state.open >= self.limits.min {
                    return;
                }
                state.open += 1;
            }
            let opening = Opening(self);
            match self.manager.connect().await {
                Ok(conn) => {
                    let mut state = self.lock();
                    if self.is_closed() {
                        // `close` ran while this one was being opened: `opening` uncounts it.
                        drop(state);
                        drop(conn);
                        return;
                    }
                    std::mem::forget(opening);
                    state.idle.push(Idle {
                        conn,
                        opened: Instant::now(),
                        seen_idle: None,
                    });
                    drop(state);
                    drop(permit);
                }
                Err(e) => {
                    tracing::warn!(target: "sequelize::pool", error = %e, "opening a connection to keep `min` open failed");
                    return;
                }
            }
        }
    }
}

/// A connection being opened, counted in `open`; the count is taken back if the connect
/// fails or its future is dropped.
struct Opening<'a>(&'a Shared);

impl Drop for Opening<'_> {
    fn drop(&mut self) {
        self.0.lock().open -= 1;
    }
}

/// Every `evict`, while the pool exists and is open: evict, then open up to `min`.
async fn reap(pool: Weak<Shared>, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(shared) = pool.upgrade() else {
            return;
        };
        if shared.is_closed() {
            return;
        }
        shared.evict(Instant::now());
        shared.fill_to_min().await;
    }
}

impl Deref for PooledConn {
    type Target = Conn;

    fn deref(&self) -> &Conn {
        self.conn
            .as_ref()
            .expect("a lent connection is there until it is dropped")
    }
}

impl DerefMut for PooledConn {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn
            .as_mut()
            .expect("a lent connection is there until it is dropped")
    }
}

/// Gives the connection back: to the idle list when it is reusable and the pool open,
/// closed otherwise; its permit is released after, so a waiter woken by it finds it idle.
impl Drop for PooledConn {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let reusable = conn.is_reusable();
        let mut state = self.pool.lock();
        if reusable && !self.pool.is_closed() {
            state.idle.push(Idle {
                conn,
                opened: self.opened,
                seen_idle: None,
            });
            drop(state);
        } else {
            state.open -= 1;
            drop(state);
            drop(conn);
        }
        self.pool.permits.add_permits(1);
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::MAX_LIFETIME;
    use crate::{Options, PoolOptions, Sequelize};

    /// A pool on `url` whose reaper stays out of the way (its first pass only), with `idle`.
    async fn pool_on(url: String, idle: Duration) -> Sequelize {
        let options = Options {
            url: Some(url),
            pool: PoolOptions {
                idle,
                evict: Duration::from_secs(3600),
                ..PoolOptions::default()
            },
            ..Options::default()
        };
        let db = Sequelize::new(options).unwrap();
        db.authenticate().await.unwrap();
        db
    }

    /// A connection past its lifetime is closed at the next pass, even one used a moment
    /// ago, and one idle for less than `idle` is kept; the connection that holds an
    /// in-memory database is never closed for its age.
    #[tokio::test]
    async fn eviction_closes_connections_past_their_lifetime() {
        let path = std::env::temp_dir().join(format!(
            "sequelize-pool-lifetime-{}.sqlite",
            std::process::id()
        ));
        let file = pool_on(format!("sqlite://{}", path.display()), 2 * MAX_LIFETIME).await;
        let pool = file.pool().unwrap();
        let now = Instant::now();
        pool.shared.evict(now);
        pool.shared.evict(now + Duration::from_secs(60));
        assert_eq!(
            pool.status().size,
            1,
            "younger than its lifetime, idle less than idle"
        );
        pool.shared.evict(now + MAX_LIFETIME);
        assert_eq!(pool.status().size, 0, "past its lifetime");
        file.close().await.unwrap();
        let _ = std::fs::remove_file(&path);

        let memory = pool_on("sqlite::memory:".into(), Duration::from_secs(1)).await;
        let pool = memory.pool().unwrap();
        pool.shared.evict(now);
        pool.shared.evict(now + 2 * MAX_LIFETIME);
        assert_eq!(pool.status().size, 1, "the in-memory database is kept");
        memory.close().await.unwrap();
    }
}
