//! `.sequelizerc`: the paths a project gives sequelize-cli.
//!
//! The file is JSON, or the JavaScript `sequelize init` users write
//! (`module.exports = { 'migrations-path': path.resolve('db', 'migrations'), … }`), run in
//! the embedded engine with `path`, `__dirname`, `process.cwd()`, `process.env` and `require`
//! of relative files. A key sequelize-cli does not read, or a value that is not a string or a
//! boolean, is an error that names the key, never a silently ignored setting.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value as Json};

/// The keys sequelize-cli reads from the rc file.
const KEYS: &[&str] = &[
    "config",
    "options-path",
    "migrations-path",
    "seeders-path",
    "models-path",
    "url",
    "env",
    "debug",
];

/// The settings of an rc file, by key (`migrations-path` → `db/migrations`).
pub(crate) type Settings = BTreeMap<String, String>;

/// Reads the rc file at `path`.
pub(crate) fn read(path: &Path) -> Result<Settings, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let exported = match serde_json::from_str::<Map<String, Json>>(&text) {
        Ok(json) => json,
        Err(_) => exported(path)?,
    };
    settings(exported).map_err(|e| format!("{}: {e}", path.display()))
}

/// What a JavaScript rc file exports.
#[cfg(feature = "js")]
fn exported(path: &Path) -> Result<Map<String, Json>, String> {
    let json = crate::js::exported_json(path, crate::js::time_limit()?)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match serde_json::from_str(&json) {
        Ok(Json::Object(exported)) => Ok(exported),
        _ => Err(format!("{}: must export an object", path.display())),
    }
}

#[cfg(not(feature = "js"))]
fn exported(path: &Path) -> Result<Map<String, Json>, String> {
    Err(format!(
        "{}: a JavaScript rc file needs the `js` feature of sequelize-cli; write it as JSON",
        path.display()
    ))
}

/// The settings of an rc file's exported object.
fn settings(exported: Map<String, Json>) -> Result<Settings, String> {
    let settings = (exported.into_iter())
        .map(|(key, value)| match value {
            Json::String(s) => Ok((key, s)),
            Json::Bool(b) => Ok((key, b.to_string())),
            _ => Err(format!("`{key}` must be a string")),
        })
        .collect::<Result<Settings, String>>()?;
    if let Some(key) = settings.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!(
            "unknown key `{key}` (expected one of {})",
            KEYS.join(", ")
        ));
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("sequelize-rc-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".sequelizerc");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    #[cfg(feature = "js")]
    fn the_file_sequelize_init_users_write() {
        let path = written(
            "init",
            r#"
            // .sequelizerc
            const path = require('path');

            module.exports = {
              'config': path.resolve('config', 'database.json'),
              "models-path": path.resolve(__dirname, 'db', 'models'),
              'seeders-path': process.env.SEEDERS || path.join('db', 'seeders'), /* seeds */
              'migrations-path': 'db/migrations',
              debug: true,
            };
        "#,
        );
        let settings = read(&path).unwrap();
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            settings["config"],
            cwd.join("config/database.json").display().to_string()
        );
        let folder = path.parent().unwrap();
        assert_eq!(
            settings["models-path"],
            folder.join("db/models").display().to_string()
        );
        assert_eq!(settings["seeders-path"], "db/seeders");
        assert_eq!(settings["migrations-path"], "db/migrations");
        assert_eq!(settings["debug"], "true");
        let code = written("code", "module.exports = { config: 7 };");
        let error = read(&code).unwrap_err();
        assert!(error.contains("`config` must be a string"), "{error}");
    }

    #[test]
    fn json_and_errors() {
        let settings = read(&written("json", r#"{ "migrations-path": "db/migrate" }"#)).unwrap();
        assert_eq!(settings["migrations-path"], "db/migrate");
        let unknown = read(&written("unknown", r#"{ "migration-path": "x" }"#)).unwrap_err();
        assert!(
            unknown.contains("unknown key `migration-path`"),
            "{unknown}"
        );
    }
}
