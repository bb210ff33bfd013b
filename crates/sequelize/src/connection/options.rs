//! [`Options`]: Sequelize's constructor options, and the URL forms `Sequelize::connect` reads.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::connection::hooks::ConnectionHooks;
use crate::connection::replication::Replication;
use crate::connection::retry::RetryOptions;
use crate::dialect::{ConnectionConfig, TimeZone};
use crate::error::{Error, Result};

/// Pool settings, named as in Sequelize's `pool` option.
///
/// ```
/// use std::time::Duration;
/// let pool = sequelize::PoolOptions { max: 10, acquire: Duration::from_secs(5), ..Default::default() };
/// assert_eq!(pool.min, 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolOptions {
    /// Most connections open at once (Sequelize default 5).
    pub max: u32,
    /// Connections kept open even when idle (default 0).
    pub min: u32,
    /// How long a connection may sit idle before it is closed (default 10 s).
    pub idle: Duration,
    /// How long a query waits for a free connection before failing with
    /// [`Error::PoolTimeout`] (default 60 s).
    pub acquire: Duration,
    /// How often idle connections are checked for eviction (default 1 s).
    pub evict: Duration,
    /// Whether a connection that sat idle through an eviction pass is pinged before it is
    /// lent, and replaced when the server had closed it (default on; Sequelize's
    /// `pool.validate`, a function there). A connection the driver already knows to be
    /// closed is never lent, whatever this says.
    pub validate: bool,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max: 5,
            min: 0,
            idle: Duration::from_millis(10_000),
            acquire: Duration::from_millis(60_000),
            evict: Duration::from_millis(1_000),
            validate: true,
        }
    }
}

/// Receives each statement's SQL and, when `benchmark` is on, how long it took.
pub type LogFn = Arc<dyn Fn(&str, Option<Duration>) + Send + Sync>;

/// Where executed SQL is logged (Sequelize's `logging` option).
///
/// Only SQL text is logged, never bound values.
///
/// ```
/// use sequelize::Logging;
/// let quiet = Logging::Off;
/// let custom = Logging::custom(|sql, took| eprintln!("{sql} {took:?}"));
/// ```
#[derive(Clone, Default)]
pub enum Logging {
    /// As `tracing` events at DEBUG level, target `sequelize::sql` (the default: silent
    /// unless a subscriber listens).
    #[default]
    Tracing,
    /// Printed to standard output, as Sequelize's default `console.log` does.
    Stdout,
    /// Not logged (`logging: false`).
    Off,
    /// A function of the SQL text and, with `benchmark`, the elapsed time.
    Custom(LogFn),
}

impl Logging {
    /// Logging through a closure.
    pub fn custom(f: impl Fn(&str, Option<Duration>) + Send + Sync + 'static) -> Self {
        Logging::Custom(Arc::new(f))
    }

    pub(crate) fn log(&self, sql: &str, elapsed: Option<Duration>) {
        match self {
            Logging::Tracing => match elapsed {
                Some(t) => {
                    tracing::debug!(target: "sequelize::sql", elapsed_ms = t.as_secs_f64() * 1e3, "{sql}")
                }
                None => tracing::debug!(target: "sequelize::sql", "{sql}"),
            },
            Logging::Stdout => match elapsed {
                Some(t) => println!("Executed ({:.3} ms): {sql}", t.as_secs_f64() * 1e3),
                None => println!("Executing: {sql}"),
            },
            Logging::Off => {}
            Logging::Custom(f) => f(sql, elapsed),
        }
    }
}

impl fmt::Debug for Logging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Logging::Tracing => "Tracing",
            Logging::Stdout => "Stdout",
            Logging::Off => "Off",
            Logging::Custom(_) => "Custom(..)",
        })
    }
}

/// Sequelize's constructor options. Every field has Sequelize's name; `url` (v7) is parsed
/// first and the other fields override it.
///
/// ```
/// use sequelize::{Options, PoolOptions};
/// let options = Options {
///     dialect: Some("postgres".into()),
///     host: Some("127.0.0.1".into()),
///     database: Some("app".into()),
///     username: Some("postgres".into()),
///     pool: PoolOptions { max: 10, ..Default::default() },
///     ..Default::default()
/// };
/// ```
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A connection URL (`postgres://user:pass@host:5432/db`, `sqlite::memory:`, …).
    pub url: Option<String>,
    /// `sqlite`, `postgres`, `mysql` or `mariadb`.
    pub dialect: Option<String>,
    /// SQLite file path, or `:memory:` (the default for SQLite).
    pub storage: Option<String>,
    /// Server host.
    pub host: Option<String>,
    /// Server port (the dialect's default when absent).
    pub port: Option<u16>,
    /// Database name.
    pub database: Option<String>,
    /// User name.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Pool settings.
    pub pool: PoolOptions,
    /// Where SQL is logged.
    pub logging: Logging,
    /// Pass each statement's elapsed time to the logger.
    pub benchmark: bool,
    /// Which failed statements outside a transaction run again (Sequelize's `retry`).
    pub retry: RetryOptions,
    /// Driver-specific settings (Sequelize's `dialectOptions`, and URL query parameters).
    pub dialect_options: Vec<(String, String)>,
    /// Read replicas (Sequelize's `replication`): reads outside transactions go to them in
    /// turn, everything else to the primary. See [`Replication`].
    pub replication: Option<Replication>,
    /// The session time zone (Sequelize's `timezone`, UTC by default): what the server's
    /// `NOW()` answers in, and the zone `DATE` values are written in where the column keeps
    /// no zone (MySQL `DATETIME`, SQLite text). See [`TimeZone`].
    pub timezone: TimeZone,
    /// The hooks of the connections and their statements (`beforeConnect`, `afterConnect`,
    /// `beforePoolAcquire`, `afterPoolAcquire`, `beforeDisconnect`, `afterDisconnect`,
    /// `beforeQuery`, `afterQuery`).
    pub hooks: ConnectionHooks,
}

impl Options {
    /// Options from a URL: `sqlite::memory:`, `sqlite://path/to/file.db`,
    /// `sqlite:///absolute/path.db`, `postgres://user:pass@host:port/db?options`,
    /// `postgresql://…`, `mysql://…`, `mariadb://…`. Query parameters become
    /// `dialect_options`.
    ///
    /// ```
    /// let o = sequelize::Options::from_url("postgres://bob:s%40cret@db.local:6543/app").unwrap();
    /// assert_eq!(o.dialect.as_deref(), Some("postgres"));
    /// assert_eq!(o.password.as_deref(), Some("s@cret"));
    /// assert_eq!(o.port, Some(6543));
    /// assert!(sequelize::Options::from_url("not a url").is_err());
    /// ```
    pub fn from_url(url: &str) -> Result<Options> {
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()))
            .ok_or_else(|| {
                Error::Config(format!(
                    "bad database URL: expected dialect:… (sqlite::memory:, postgres://…), not {url:?}"
                ))
            })?;
        let dialect = crate::dialect::by_name(scheme)?;
        let config = dialect.config_from_url(url)?;
        Ok(Options {
            url: Some(url.to_owned()),
            dialect: Some(dialect.name().to_owned()),
            host: config.host,
            port: config.port,
            database: config.database,
            username: config.username,
            password: config.password,
            storage: config.storage,
            dialect_options: config.dialect_options,
            ..Default::default()
        })
    }

    /// The options with `url` parsed and the explicit fields laid over it.
    pub(crate) fn resolve(self) -> Result<(String, ConnectionConfig, Options)> {
        let base = match &self.url {
            Some(url) => Options::from_url(url)?,
            None => Options::default(),
        };
        let dialect = self
            .dialect
            .clone()
            .or(base.dialect)
            .ok_or_else(|| Error::Config("no dialect given: set `dialect` or `url`".into()))?;
        let mut dialect_options = base.dialect_options;
        dialect_options.extend(self.dialect_options.iter().cloned());
        let config = ConnectionConfig {
            host: self.host.clone().or(base.host),
            port: self.port.or(base.port),
            database: self.database.clone().or(base.database),
            username: self.username.clone().or(base.username),
            password: self.password.clone().or(base.password),
            storage: self.storage.clone().or(base.storage),
            dialect_options,
            time_zone: self.timezone,
        };
        check_pool(&self.pool)?;
        Ok((dialect, config, self))
    }
}

/// Refuses pool options no pool can have.
pub(crate) fn check_pool(pool: &PoolOptions) -> Result<()> {
    if pool.max == 0 {
        return Err(Error::Config("pool.max must be at least 1".into()));
    }
    if pool.min > pool.max {
        return Err(Error::Config(format!(
            "pool.min ({}) is larger than pool.max ({})",
            pool.min, pool.max
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls() {
        let memory = Options::from_url("sqlite::memory:").unwrap();
        assert_eq!(memory.storage.as_deref(), Some(":memory:"));
        let relative = Options::from_url("sqlite://data/app.db").unwrap();
        assert_eq!(relative.storage.as_deref(), Some("data/app.db"));
        let absolute = Options::from_url("sqlite:///tmp/app.db").unwrap();
        assert_eq!(absolute.storage.as_deref(), Some("/tmp/app.db"));
        assert!(Options::from_url("sqlite://").is_err());
        let shared = Options::from_url("sqlite:file:mem1?mode=memory&cache=shared").unwrap();
        assert_eq!(
            shared.storage.as_deref(),
            Some("file:mem1?mode=memory&cache=shared")
        );
        assert!(shared.dialect_options.is_empty());
    }

    #[test]
    fn server_urls() {
        let o = Options::from_url("mariadb://root@127.0.0.1:3306/test?charset=utf8mb4").unwrap();
        assert_eq!(o.dialect.as_deref(), Some("mariadb"));
        assert_eq!(o.username.as_deref(), Some("root"));
        assert_eq!(o.password, None);
        assert_eq!(o.database.as_deref(), Some("test"));
        assert_eq!(
            o.dialect_options,
            vec![("charset".into(), "utf8mb4".into())]
        );
    }

    #[test]
    fn explicit_options_override_the_url() {
        let (dialect, config, _) = Options {
            url: Some("postgres://a@h1/db1".into()),
            host: Some("h2".into()),
            ..Default::default()
        }
        .resolve()
        .unwrap();
        assert_eq!(dialect, "postgres");
        assert_eq!(config.host.as_deref(), Some("h2"));
        assert_eq!(config.database.as_deref(), Some("db1"));
    }

    #[test]
    fn missing_dialect_and_bad_pool_are_errors() {
        assert!(Options::default().resolve().is_err());
        let o = Options {
            dialect: Some("sqlite".into()),
            pool: PoolOptions {
                max: 0,
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(o.resolve().is_err());
    }
}
