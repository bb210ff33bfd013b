//! `config/config.json`, read as sequelize-cli reads it.

use std::path::Path;
use std::time::Duration;

use serde_json::Value as Json;

use super::{
    MigrationStorage, DEFAULT_STORAGE_FILE, DEFAULT_STORAGE_TABLE, SEEDER_STORAGE_FILE,
    SEEDER_STORAGE_TABLE,
};
use crate::connection::options::{Logging, Options};
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

/// Reads the `env` section of a sequelize-cli config file.
///
/// Keys read: `username`, `password`, `database`, `host`, `port`, `dialect`, `storage`,
/// `url`, `use_env_variable` (the name of an environment variable holding the URL),
/// `logging` (false to silence), `benchmark`, `pool` (`max`, `min`, `idle`, `acquire`,
/// `evict`, in milliseconds), `retry` (`max`, `match`, `backoffBase`, `backoffExponent`),
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
    let json: Json = serde_json::from_str(&text).map_err(|e| bad(format!("invalid JSON: {e}")))?;
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
        let Json::Object(pool) = pool else {
            return Err(bad("`pool` must be an object".into()));
        };
        for (key, value) in pool {
            let n = value
                .as_u64()
                .ok_or_else(|| bad(format!("pool.{key} must be a non-negative number")))?;
            let count = || u32::try_from(n).map_err(|_| bad(format!("pool.{key} is too large")));
            match key.as_str() {
                "max" => options.pool.max = count()?,
                "min" => options.pool.min = count()?,
                "idle" => options.pool.idle = Duration::from_millis(n),
                "acquire" => options.pool.acquire = Duration::from_millis(n),
                "evict" => options.pool.evict = Duration::from_millis(n),
                _ => return Err(bad(format!("unknown pool option `{key}`"))),
            }
        }
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
}
