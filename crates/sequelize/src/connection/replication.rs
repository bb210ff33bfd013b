//! Read replicas (Sequelize's `replication` option): the servers' options, each server's
//! pool, and the round-robin order reads take through the replicas, skipping one that was
//! found unreachable for a while.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use super::hooks::ConnectionHooks;
use super::options::PoolOptions;
use super::pool::{Closer, Pool};
use super::PoolStatus;
use crate::dialect::{ConnectionConfig, Dialect};
use crate::error::{Error, Result};

/// How long a replica that could not be reached is left out of the reads' rotation before
/// it is tried again.
pub(crate) const UNREACHABLE_FOR: Duration = Duration::from_secs(5);

/// Sequelize's `replication: { read: [...], write: {...} }`: reads outside transactions go
/// round-robin to the `read` servers, everything else to `write`.
///
/// Each server's fields override the instance's (its `url`, then `host`, `port`, …), so a
/// server names only what differs; each has its own pool, sized by its `pool` or else the
/// instance's.
///
/// ```
/// use sequelize::{Options, PoolOptions, Replication, ServerOptions};
/// let options = Options {
///     url: Some("postgres://app@primary.db.local/app".into()),
///     replication: Some(Replication {
///         read: vec![
///             ServerOptions { host: Some("replica-1.db.local".into()), ..Default::default() },
///             ServerOptions {
///                 url: Some("postgres://reader@replica-2.db.local:6432/app".into()),
///                 pool: Some(PoolOptions { max: 20, ..Default::default() }),
///                 ..Default::default()
///             },
///         ],
///         write: ServerOptions::default(),
///     }),
///     ..Default::default()
/// };
/// let db = sequelize::Sequelize::new(options).unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct Replication {
    /// The read replicas, taken in turn by reads.
    pub read: Vec<ServerOptions>,
    /// The primary: writes, transactions, and reads with `use_master`.
    pub write: ServerOptions,
}

/// One server of [`Replication`]: what differs from the instance's options.
///
/// ```
/// let replica = sequelize::ServerOptions { host: Some("10.0.0.12".into()), ..Default::default() };
/// assert_eq!(replica.port, None);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// A URL of the instance's dialect; its parts override the instance's.
    pub url: Option<String>,
    /// Server host.
    pub host: Option<String>,
    /// Server port.
    pub port: Option<u16>,
    /// Database name.
    pub database: Option<String>,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// This server's pool (the instance's `pool` when absent).
    pub pool: Option<PoolOptions>,
}

impl ServerOptions {
    /// The connection settings of this server: `base` with this server's fields over it.
    pub(crate) fn over(
        &self,
        dialect: &dyn Dialect,
        base: &ConnectionConfig,
    ) -> Result<ConnectionConfig> {
        let mut config = base.clone();
        if let Some(url) = &self.url {
            let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
            let own = crate::dialect::by_name(scheme).map(|d| d.name() == dialect.name());
            if !matches!(own, Ok(true)) {
                return Err(Error::Config(format!(
                    "replication: the URL of a server must be a {} URL",
                    dialect.name()
                )));
            }
            let from_url = dialect.config_from_url(url)?;
            config.dialect_options.extend(from_url.dialect_options);
            let url_parts = ServerOptions {
                host: from_url.host,
                port: from_url.port,
                database: from_url.database,
                username: from_url.username,
                password: from_url.password,
                ..ServerOptions::default()
            };
            url_parts.lay_over(&mut config);
        }
        self.lay_over(&mut config);
        Ok(config)
    }

    /// Puts the fields this server names over `config`'s.
    fn lay_over(&self, config: &mut ConnectionConfig) {
        config.host = self.host.clone().or(config.host.take());
        config.port = self.port.or(config.port);
        config.database = self.database.clone().or(config.database.take());
        config.username = self.username.clone().or(config.username.take());
        config.password = self.password.clone().or(config.password.take());
    }
}

/// A server's pool, built at its first checkout (its reaper needs a Tokio runtime, which
/// creating a [`Sequelize`](super::Sequelize) does not require).
pub(crate) struct ServerPool {
    pub(crate) config: Arc<ConnectionConfig>,
    pub(crate) options: PoolOptions,
    state: RwLock<PoolState>,
}

enum PoolState {
    Unstarted,
    Open(Pool),
    Closed,
}

/// What a pool is built with besides its server's settings: the same for every server.
pub(crate) struct PoolParts<'a> {
    pub(crate) dialect: &'a Arc<dyn Dialect>,
    pub(crate) hooks: &'a ConnectionHooks,
    pub(crate) closer: &'a Option<Arc<Closer>>,
}

impl ServerPool {
    pub(crate) fn new(config: ConnectionConfig, options: PoolOptions) -> ServerPool {
        ServerPool {
            config: Arc::new(config),
            options,
            state: RwLock::new(PoolState::Unstarted),
        }
    }

    /// The pool, built now if this is its first use; an error once closed.
    pub(crate) fn pool(&self, parts: &PoolParts<'_>) -> Result<Pool> {
        let closed = || Error::Connection("this Sequelize instance was closed".into());
        if let PoolState::Open(pool) = &*self.state.read().unwrap_or_else(PoisonError::into_inner) {
            return Ok(pool.clone());
        }
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        match &*state {
            PoolState::Open(pool) => Ok(pool.clone()),
            PoolState::Closed => Err(closed()),
            PoolState::Unstarted => {
                let pool = Pool::build(
                    Arc::clone(parts.dialect),
                    Arc::clone(&self.config),
                    &self.options,
                    parts.hooks.clone(),
                    parts.closer.clone(),
                );
                *state = PoolState::Open(pool.clone());
                Ok(pool)
            }
        }
    }

    /// Closes the pool (see [`Pool::close`]); later checkouts fail.
    pub(crate) fn close(&self) {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        if let PoolState::Open(pool) = std::mem::replace(&mut *state, PoolState::Closed) {
            pool.close();
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        matches!(
            *self.state.read().unwrap_or_else(PoisonError::into_inner),
            PoolState::Closed
        )
    }

    pub(crate) fn status(&self) -> PoolStatus {
        match &*self.state.read().unwrap_or_else(PoisonError::into_inner) {
            PoolState::Open(pool) => pool.status(),
            PoolState::Unstarted | PoolState::Closed => PoolStatus::default(),
        }
    }

    /// `host:port` of the server, for messages.
    pub(crate) fn target(&self) -> String {
        let port = self.config.port.map_or(String::new(), |p| format!(":{p}"));
        format!("{}{port}", self.config.host_or_default())
    }
}

/// The read replicas, taken round-robin.
#[derive(Default)]
pub(crate) struct ReadReplicas {
    replicas: Vec<Replica>,
    next: AtomicUsize,
}

pub(crate) struct Replica {
    pub(crate) server: ServerPool,
    /// Until when the replica is left out, after it could not be reached.
    unreachable_until: Mutex<Option<Instant>>,
}

impl ReadReplicas {
    pub(crate) fn new(servers: Vec<ServerPool>) -> ReadReplicas {
        let replicas = servers
            .into_iter()
            .map(|server| Replica {
                server,
                unreachable_until: Mutex::new(None),
            })
            .collect();
        ReadReplicas {
            replicas,
            next: AtomicUsize::new(0),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.replicas.is_empty()
    }

    /// Every replica once, starting with the next one's turn, leaving out those found
    /// unreachable less than [`UNREACHABLE_FOR`] ago.
    pub(crate) fn in_turn(&self) -> impl Iterator<Item = &Replica> {
        let n = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n.max(1);
        let now = Instant::now();
        (0..n)
            .map(move |k| &self.replicas[(start + k) % n])
            .filter(move |replica| !replica.left_out(now))
    }

    pub(crate) fn servers(&self) -> impl Iterator<Item = &ServerPool> {
        self.replicas.iter().map(|replica| &replica.server)
    }
}

impl Replica {
    fn left_out(&self, now: Instant) -> bool {
        let until = self
            .unreachable_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        until.is_some_and(|until| now < until)
    }

    /// Leaves the replica out of the rotation for [`UNREACHABLE_FOR`].
    pub(crate) fn unreachable(&self) {
        let mut until = self
            .unreachable_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *until = Some(Instant::now() + UNREACHABLE_FOR);
    }
}

/// Whether `e`, met checking out a replica's connection, says the server cannot be reached
/// now (so reads go elsewhere), rather than that the settings are wrong.
pub(crate) fn is_unreachable(e: &Error) -> bool {
    matches!(
        e,
        Error::ConnectionRefused { .. } | Error::Connection(_) | Error::PoolTimeout(_)
    )
}
