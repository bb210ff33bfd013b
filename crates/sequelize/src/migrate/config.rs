//! `config/config.json`, read as sequelize-cli reads it.

use std::path::Path;
use std::time::Duration;

use serde_json::Value as Json;

use super::{
    MigrationStorage, DEFAULT_STORAGE_FILE, DEFAULT_STORAGE_TABLE, SEEDER_STORAGE_FILE,
    SEEDER_STORAGE_TABLE,
};
use crate::connection::options::{Logging, Options, PoolOptions};
use crate::connection::replication::{Replication, ServerOptions};
use crate::connection::retry::{RetryMatch, RetryOptions};
use crate::error::{Error, Result};

/// One environment of `config/config.json`, as connection options plus the CLI's own keys.
#[derive(Debug, Clone)]
pub struct CliConfig {
    /// The connection options.
    pub options: Options,
    /// Where applied migrations are kept: `migrationStorage` (`sequelize`, the default;
    /// `json`; `none`), `migrationStorageTableName` (`SequelizeMeta`),
    /// `migrationStoragePath` (`sequelize-meta.json`).
    pub migration_storage: MigrationStorage,
    /// Where applied seeders are kept: `seederStorage` (`none`, the default; `json`;
    /// `sequelize`), `seederStorageTableName` (`SequelizeData`), `seederStoragePath`
    /// (`sequelize-data.json`).
    pub seeder_storage: MigrationStorage,
}

/// Reads Sequelize's `retry` option (`max`, `match`, `backoffBase` in milliseconds,
/// `backoffExponent`) into `retry`.
fn read_retry(json: &Json, retry: &mut RetryOptions) -> std::result::Result<(), String> {
    let Json::Object(fields) = json else {
        return Err("`retry` must be an object".into());
    };
    for (key, value) in fields {
        match key.as_str() {
            "max" => {
                retry.max = (value.as_u64().and_then(|n| u32::try_from(n).ok()))
                    .ok_or("retry.max must be a non-negative number")?;
            }
            "match" => {
                let names = value
                    .as_array()
                    .ok_or("retry.match must be an array of strings")?;
                retry.matching = (names.iter())
                    .map(|name| name.as_str().map(RetryMatch::named))
                    .collect::<Option<_>>()
                    .ok_or("retry.match must be an array of strings")?;
            }
            "backoffBase" => {
                retry.backoff_base = Duration::from_millis(
                    value
                        .as_u64()
                        .ok_or("retry.backoffBase must be a number of milliseconds")?,
                );
            }
            "backoffExponent" => {
                retry.backoff_exponent = (value.as_f64())
                    .filter(|e| e.is_finite() && *e >= 1.0)
                    .ok_or("retry.backoffExponent must be a number of at least 1")?;
            }
            _ => return Err(format!("unknown retry option `{key}`")),
        }
    }
    Ok(())
}

/// Reads a `pool` object (`max`, `min`, `idle`, `acquire`, `evict`, in milliseconds) found
/// at `at` into `pool`.
fn read_pool(json: &Json, at: &str, pool: &mut PoolOptions) -> std::result::Result<(), String> {
    let Json::Object(fields) = json else {
        return Err(format!("`{at}` must be an object"));
    };
    for (key, value) in fields {
        let n =
            (value.as_u64()).ok_or_else(|| format!("{at}.{key} must be a non-negative number"))?;
        let count = || u32::try_from(n).map_err(|_| format!("{at}.{key} is too large"));
        match key.as_str() {
            "max" => pool.max = count()?,
            "min" => pool.min = count()?,
            "idle" => pool.idle = Duration::from_millis(n),
            "acquire" => pool.acquire = Duration::from_millis(n),
            "evict" => pool.evict = Duration::from_millis(n),
            _ => return Err(format!("unknown pool option `{at}.{key}`")),
        }
    }
    Ok(())
}

/// Reads `replication: { read: [server…], write: server }`, each server an object of `url`,
/// `host`, `port`, `database`, `username`, `password` and `pool`, or (as Sequelize v7
/// takes them) a URL string.
fn read_replication(json: &Json) -> std::result::Result<Replication, String> {
    let Json::Object(fields) = json else {
        return Err("`replication` must be an object".into());
    };
    let mut replication = Replication::default();
    for (key, value) in fields {
        match key.as_str() {
            "read" => {
                let Json::Array(servers) = value else {
                    return Err("replication.read must be an array of servers".into());
                };
                replication.read = (servers.iter().enumerate())
                    .map(|(i, server)| read_server(server, &format!("replication.read[{i}]")))
                    .collect::<std::result::Result<_, _>>()?;
            }
            "write" => replication.write = read_server(value, "replication.write")?,
            _ => return Err(format!("unknown replication option `{key}`")),
        }
    }
    Ok(replication)
}

fn read_server(json: &Json, at: &str) -> std::result::Result<ServerOptions, String> {
    let fields = match json {
        Json::String(url) => {
            return Ok(ServerOptions {
                url: Some(url.clone()),
                ..ServerOptions::default()
            })
        }
        Json::Object(fields) => fields,
        _ => return Err(format!("{at} must be an object or a URL")),
    };
    let mut server = ServerOptions::default();
    for (key, value) in fields {
        let text = || match value {
            Json::String(s) => Ok(s.clone()),
            Json::Number(n) => Ok(n.to_string()),
            _ => Err(format!("{at}.{key} must be a string")),
        };
        match key.as_str() {
            "url" => server.url = Some(text()?),
            "host" => server.host = Some(text()?),
            "database" => server.database = Some(text()?),
            "username" => server.username = Some(text()?),
            "password" => server.password = Some(text()?),
            "port" => {
                let port = text()?;
                server.port = Some(
                    port.parse()
                        .map_err(|_| format!("{at}.port {port:?} is not a port number"))?,
                );
            }
            "pool" => {
                let mut pool = PoolOptions::default();
                read_pool(value, &format!("{at}.pool"), &mut pool)?;
                server.pool = Some(pool);
            }
            _ => return Err(format!("unknown server option `{at}.{key}`")),
        }
    }
    Ok(server)
}

/// Reads the `env` section of a sequelize-cli config file.
///
/// Keys read: `username`, `password`, `database`, `host`, `port`, `dialect`, `storage`,
/// `url`, `use_env_variable` (the name of an environment variable holding the URL),
/// `logging` (false to silence), `benchmark`, `pool` (`max`, `min`, `idle`, `acquire`,
/// `evict`, in milliseconds), `retry` (`max`, `match`, `backoffBase`, `backoffExponent`),
/// `timezone` (an offset such as `+05:30` or a zone name such as `Europe/Paris`),
/// `replication` (`read`, a list of servers, and `write`, one: each a URL or an object of
/// `url`, `host`, `port`, `database`, `username`, `password` and `pool`),
/// `dialectOptions` (an object in it, as `ssl: { require: true }`, gives `ssl.require`),
/// `migrationStorage`,
/// `migrationStorageTableName`, `migrationStorageTableSchema`, `migrationStoragePath`,
/// `seederStorage`, `seederStorageTableName`, `seederStorageTableSchema`,
/// `seederStoragePath`. Other keys
/// Sequelize knows are ignored, as sequelize-cli passes them to a Sequelize option this
/// crate does not have yet.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("seq-config-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("config.json");
/// std::fs::write(&path, r#"{ "development": { "dialect": "sqlite", "storage": "dev.sqlite", "logging": false } }"#).unwrap();
/// let config = sequelize::migrate::load_config(&path, "development").unwrap();
/// assert_eq!(config.options.storage.as_deref(), Some("dev.sqlite"));
/// assert!(sequelize::migrate::load_config(&path, "production").is_err());
/// ```
pub fn load_config(path: &Path, env: &str) -> Result<CliConfig> {
    let bad = |m: String| Error::Config(format!("{}: {m}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
    parse_config(&text, path, env)
}

/// The `env` section of a config's JSON text, as [`load_config`] reads it; `path` names the
/// config in errors (a `config/config.js` the CLI ran gives its export as JSON).
///
/// ```
/// let text = r#"{ "test": { "dialect": "sqlite", "storage": ":memory:" } }"#;
/// let config = sequelize::migrate::parse_config(text, "config/config.js".as_ref(), "test").unwrap();
/// assert_eq!(config.options.dialect.as_deref(), Some("sqlite"));
/// ```
pub fn parse_config(text: &str, path: &Path, env: &str) -> Result<CliConfig> {
    let bad = |m: String| Error::Config(format!("{}: {m}", path.display()));
    let json: Json = serde_json::from_str(text).map_err(|e| bad(format!("invalid JSON: {e}")))?;
    let section = json.get(env).ok_or_else(|| {
        bad(format!(
            "no environment \"{env}\" (set NODE_ENV or --env to one of: {})",
            json.as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        ))
    })?;
    let Json::Object(section) = section else {
        return Err(bad(format!("environment \"{env}\" must be an object")));
    };
    let string = |key: &str| -> Result<Option<String>> {
        match section.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(Json::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(bad(format!("`{key}` must be a string"))),
        }
    };
    let mut options = Options {
        url: string("url")?,
        dialect: string("dialect")?,
        storage: string("storage")?,
        host: string("host")?,
        database: string("database")?,
        username: string("username")?,
        password: string("password")?,
        ..Default::default()
    };
    if let Some(var) = string("use_env_variable")? {
        let url = std::env::var(&var)
            .map_err(|_| bad(format!("use_env_variable names {var}, which is not set")))?;
        options.url = Some(url);
    }
    if let Some(port) = string("port")? {
        options.port = Some(
            port.parse()
                .map_err(|_| bad(format!("`port` {port:?} is not a port number")))?,
        );
    }
    match section.get("logging") {
        None | Some(Json::Bool(true)) => options.logging = Logging::Stdout,
        Some(Json::Bool(false)) => options.logging = Logging::Off,
        Some(_) => return Err(bad("`logging` must be true or false in JSON".into())),
    }
    options.benchmark = matches!(section.get("benchmark"), Some(Json::Bool(true)));
    if let Some(pool) = section.get("pool") {
        read_pool(pool, "pool", &mut options.pool).map_err(bad)?;
    }
    if let Some(replication) = section.get("replication") {
        options.replication = Some(read_replication(replication).map_err(bad)?);
    }
    if let Some(zone) = string("timezone")? {
        options.timezone = zone.parse().map_err(|e: Error| bad(e.to_string()))?;
    }
    if let Some(retry) = section.get("retry") {
        read_retry(retry, &mut options.retry).map_err(bad)?;
    }
    if let Some(dialect_options) = section.get("dialectOptions") {
        let Json::Object(map) = dialect_options else {
            return Err(bad("`dialectOptions` must be an object".into()));
        };
        // One level of objects, as `ssl: { require: true, rejectUnauthorized: false }`, comes
        // in as `ssl.require`, `ssl.rejectUnauthorized`.
        let text = |key: &str, value: &Json| match value {
            Json::String(s) => Ok(s.clone()),
            Json::Number(_) | Json::Bool(_) => Ok(value.to_string()),
            _ => Err(bad(format!(
                "dialectOptions.{key} must be a string, number or boolean"
            ))),
        };
        for (key, value) in map {
            match value {
                Json::Object(inner) => {
                    for (field, value) in inner {
                        let key = format!("{key}.{field}");
                        let value = text(&key, value)?;
                        options.dialect_options.push((key, value));
                    }
                }
                value => options
                    .dialect_options
                    .push((key.clone(), text(key, value)?)),
            }
        }
    }
    // `<kind>Storage`, `<kind>StorageTableName`, `<kind>StorageTableSchema`,
    // `<kind>StoragePath`, as sequelize-cli names them.
    let storage = |kind: &str, default_kind: &str, defaults: (&str, &str)| {
        let key = |suffix: &str| format!("{kind}Storage{suffix}");
        let chosen = string(&key(""))?.unwrap_or_else(|| default_kind.to_owned());
        let table = string(&key("TableName"))?.unwrap_or_else(|| defaults.0.to_owned());
        let schema = string(&key("TableSchema"))?;
        let path = string(&key("Path"))?.unwrap_or_else(|| defaults.1.to_owned());
        MigrationStorage::parse(&chosen, &table, schema.as_deref(), &path)
            .map_err(|e| bad(format!("`{}`: {e}", key(""))))
    };
    Ok(CliConfig {
        options,
        migration_storage: storage(
            "migration",
            "sequelize",
            (DEFAULT_STORAGE_TABLE, DEFAULT_STORAGE_FILE),
        )?,
        seeder_storage: storage(
            "seeder",
            "none",
            (SEEDER_STORAGE_TABLE, SEEDER_STORAGE_FILE),
        )?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_is_read_as_sequelize_writes_it() {
        let mut retry = RetryOptions::default();
        let json = serde_json::json!({
            "max": 3,
            "match": ["SequelizeConnectionRefusedError", "SequelizeTimeoutError", "ER_LOCK_DEADLOCK"],
            "backoffBase": 250,
            "backoffExponent": 1.5
        });
        read_retry(&json, &mut retry).unwrap();
        assert_eq!(retry.max, 3);
        assert_eq!(
            retry.matching,
            [
                RetryMatch::Connection,
                RetryMatch::Timeout,
                RetryMatch::Message("ER_LOCK_DEADLOCK".into())
            ]
        );
        assert_eq!(retry.backoff_base, Duration::from_millis(250));
        assert_eq!(retry.backoff_exponent, 1.5);
        for (bad, says) in [
            (serde_json::json!({ "max": -1 }), "retry.max"),
            (serde_json::json!({ "match": [1] }), "retry.match"),
            (
                serde_json::json!({ "backoffExponent": 0.5 }),
                "retry.backoffExponent",
            ),
            (
                serde_json::json!({ "report": true }),
                "unknown retry option `report`",
            ),
            (serde_json::json!([]), "`retry` must be an object"),
        ] {
            let error = read_retry(&bad, &mut RetryOptions::default()).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }

    #[test]
    fn replication_is_read_as_sequelize_writes_it() {
        let json = serde_json::json!({
            "read": [
                { "host": "replica-1", "port": 5433, "pool": { "max": 20 } },
                "postgres://reader@replica-2/app"
            ],
            "write": { "host": "primary", "username": "writer" }
        });
        let replication = read_replication(&json).unwrap();
        assert_eq!(replication.read.len(), 2);
        assert_eq!(replication.read[0].host.as_deref(), Some("replica-1"));
        assert_eq!(replication.read[0].port, Some(5433));
        assert_eq!(replication.read[0].pool.as_ref().map(|p| p.max), Some(20));
        assert_eq!(
            replication.read[1].url.as_deref(),
            Some("postgres://reader@replica-2/app")
        );
        assert_eq!(replication.write.username.as_deref(), Some("writer"));
        for (bad, says) in [
            (
                serde_json::json!({ "read": {} }),
                "replication.read must be an array",
            ),
            (
                serde_json::json!({ "read": [{ "port": "x" }] }),
                "replication.read[0].port",
            ),
            (
                serde_json::json!({ "read": [{ "pool": { "size": 1 } }] }),
                "replication.read[0].pool.size",
            ),
            (
                serde_json::json!({ "write": 7 }),
                "replication.write must be an object or a URL",
            ),
            (
                serde_json::json!({ "primary": {} }),
                "unknown replication option `primary`",
            ),
        ] {
            let error = read_replication(&bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }

    #[test]
    fn timezone_is_read_as_an_offset_or_a_name() {
        let dir = std::env::temp_dir().join(format!("seq-config-tz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.json");
        let config = |zone: &str| {
            let json =
                serde_json::json!({ "development": { "dialect": "sqlite", "timezone": zone } });
            std::fs::write(&path, json.to_string()).unwrap();
            load_config(&path, "development").map(|c| c.options.timezone)
        };
        assert_eq!(config("+05:30").unwrap().to_string(), "+05:30");
        assert_eq!(config("Asia/Tokyo").unwrap().to_string(), "Asia/Tokyo");
        let error = config("Asia/Atlantis").unwrap_err().to_string();
        assert!(
            error.contains("config.json") && error.contains("timezone"),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
