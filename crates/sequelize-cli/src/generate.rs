//! What the generators write: `init`'s config and folders, the skeletons of
//! `migration:generate` and `seed:generate`, and `model:generate`'s Rust model and its
//! `createTable` migration, as sequelize-cli writes them (JSON where it writes JavaScript).

use std::fmt::Write as _;
use std::path::Path;

use sequelize::utils::{pluralize, snake_case};

/// sequelize-cli's `config/config.json`.
pub(crate) const CONFIG: &str = r#"{
  "development": {
    "username": "root",
    "password": null,
    "database": "database_development",
    "host": "127.0.0.1",
    "dialect": "mysql"
  },
  "test": {
    "username": "root",
    "password": null,
    "database": "database_test",
    "host": "127.0.0.1",
    "dialect": "mysql"
  },
  "production": {
    "username": "root",
    "password": null,
    "database": "database_production",
    "host": "127.0.0.1",
    "dialect": "mysql"
  }
}
"#;

/// `models/mod.rs`, where `model:generate` adds a module per model.
pub(crate) const MODELS_MOD: &str =
    "//! The models: `sequelize model:generate` adds a module per model below.\n";

/// The skeleton of a migration or seeder: no steps yet.
pub(crate) const SKELETON: &str = "{\n  \"up\": [],\n  \"down\": []\n}\n";

/// A migration file name's prefix: the UTC time as `YYYYMMDDHHmmss`.
pub(crate) fn timestamp() -> String {
    chrono::Utc::now().format("%Y%m%d%H%M%S").to_string()
}

/// `UserProfile` / `userProfile` → `user-profile`, for file names.
pub(crate) fn kebab(name: &str) -> String {
    snake_case(name).replace('_', "-")
}

/// One attribute of `--attributes`: `name:type`, `name:enum:{a,b}`, `name:array:type`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GeneratedAttribute {
    /// The attribute's name as given (`firstName`).
    pub(crate) name: String,
    /// Its type in a JSON migration (`STRING`, `ENUM`, `ARRAY(INTEGER)`).
    pub(crate) data_type: String,
    /// An `ENUM`'s values.
    pub(crate) values: Vec<String>,
    /// The Rust type of its field (`String`).
    pub(crate) rust_type: String,
}

/// A type name of `--attributes` (a `DataTypes` key, any case): its JSON type and Rust type.
fn scalar(name: &str) -> Result<(&'static str, &'static str), String> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "string" => ("STRING", "String"),
        "char" => ("CHAR", "String"),
        "text" => ("TEXT", "String"),
        "citext" => ("CITEXT", "String"),
        "tinyint" => ("TINYINT", "i8"),
        "smallint" => ("SMALLINT", "i16"),
        "mediumint" | "integer" => ("INTEGER", "i32"),
        "bigint" => ("BIGINT", "i64"),
        "float" | "real" => ("FLOAT", "f32"),
        "double" => ("DOUBLE", "f64"),
        "decimal" => ("DECIMAL", "Decimal"),
        "boolean" => ("BOOLEAN", "bool"),
        "date" => ("DATE", "DateTime<Utc>"),
        "dateonly" => ("DATEONLY", "NaiveDate"),
        "time" => ("TIME", "chrono::NaiveTime"),
        "uuid" => ("UUID", "Uuid"),
        "json" => ("JSON", "serde_json::Value"),
        "jsonb" => ("JSONB", "serde_json::Value"),
        "blob" => ("BLOB", "Vec<u8>"),
        other => return Err(format!("Unknown type '{other}'")),
    })
}

/// Parses `--attributes firstName:string,role:enum:{Admin,'Guest User'},tags:array:string`.
pub(crate) fn parse_attributes(text: &str) -> Result<Vec<GeneratedAttribute>, String> {
    let mut attributes = Vec::new();
    for spec in split_outside_braces(text) {
        let spec = spec.trim();
        let bad = |why: String| format!("Attribute '{spec}' cannot be parsed: {why}");
        let mut parts = spec.splitn(3, ':');
        let name = parts.next().unwrap_or_default().trim();
        let kind = parts.next().map(str::trim).unwrap_or_default();
        let rest = parts.next().map(str::trim);
        if name.is_empty() || kind.is_empty() {
            return Err(bad("expected name:type".into()));
        }
        let attribute = match (kind.to_ascii_lowercase().as_str(), rest) {
            ("enum", Some(values)) => {
                let values = values
                    .strip_prefix('{')
                    .and_then(|v| v.strip_suffix('}'))
                    .ok_or_else(|| bad("enum values go in braces: enum:{a,b}".into()))?;
                let values: Vec<String> = values
                    .split(',')
                    .map(|v| v.trim().trim_matches(|c| c == '\'' || c == '"').to_owned())
                    .filter(|v| !v.is_empty())
                    .collect();
                if values.is_empty() {
                    return Err(bad("an enum needs values".into()));
                }
                GeneratedAttribute {
                    name: name.to_owned(),
                    data_type: "ENUM".into(),
                    values,
                    rust_type: "String".into(),
                }
            }
            ("array", Some(inner)) => {
                let (data_type, rust_type) = scalar(inner).map_err(bad)?;
                GeneratedAttribute {
                    name: name.to_owned(),
                    data_type: format!("ARRAY({data_type})"),
                    values: Vec::new(),
                    rust_type: format!("Vec<{rust_type}>"),
                }
            }
            (_, Some(extra)) => return Err(bad(format!("unexpected `:{extra}`"))),
            (_, None) => {
                let (data_type, rust_type) = scalar(kind).map_err(bad)?;
                GeneratedAttribute {
                    name: name.to_owned(),
                    data_type: data_type.into(),
                    values: Vec::new(),
                    rust_type: rust_type.into(),
                }
            }
        };
        attributes.push(attribute);
    }
    if attributes.is_empty() {
        return Err("--attributes names no attribute".into());
    }
    Ok(attributes)
}

/// Splits on the commas that are not inside `{…}`.
fn split_outside_braces(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// The `createTable` migration of a generated model: `id`, the attributes, and the two
/// timestamps, as sequelize-cli's template has them.
pub(crate) fn model_migration(
    model: &str,
    attributes: &[GeneratedAttribute],
    underscored: bool,
) -> String {
    let table = pluralize(model);
    let column = |name: &str| match underscored {
        true => snake_case(name),
        false => name.to_owned(),
    };
    let mut columns = vec![(
        "id".to_owned(),
        serde_json::json!({ "type": "INTEGER", "primaryKey": true, "autoIncrement": true, "allowNull": false }),
    )];
    for attribute in attributes {
        let mut spec = serde_json::json!({ "type": attribute.data_type });
        if !attribute.values.is_empty() {
            spec["values"] = serde_json::json!(attribute.values);
        }
        columns.push((column(&attribute.name), spec));
    }
    for timestamp in ["createdAt", "updatedAt"] {
        columns.push((
            column(timestamp),
            serde_json::json!({ "type": "DATE", "allowNull": false }),
        ));
    }
    let attributes: serde_json::Map<String, serde_json::Value> = columns.into_iter().collect();
    let migration = serde_json::json!({
        "up": [ { "createTable": table, "attributes": attributes } ],
        "down": [ { "dropTable": table } ],
    });
    let mut text = serde_json::to_string_pretty(&migration).expect("JSON values serialize");
    text.push('\n');
    text
}

/// The Rust model of `model:generate`: a struct deriving `Model`, a field per attribute
/// (optional, as the migration's columns allow `NULL`), and the timestamps.
pub(crate) fn model_source(
    model: &str,
    attributes: &[GeneratedAttribute],
    underscored: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! The `{model}` model, written by `sequelize model:generate`; its table is created by\n\
         //! the `create-{}` migration written with it.\n",
        kebab(model)
    );
    out.push_str("use sequelize::prelude::*;\n\n");
    out.push_str("#[derive(Model, Debug, Clone, PartialEq)]\n");
    if underscored {
        out.push_str("#[model(underscored)]\n");
    }
    let _ = writeln!(out, "pub struct {model} {{");
    out.push_str("    pub id: i32,\n");
    for attribute in attributes {
        if !attribute.values.is_empty() {
            let values: Vec<String> = attribute.values.iter().map(|v| format!("{v:?}")).collect();
            let _ = writeln!(out, "    #[attr(values({}))]", values.join(", "));
        }
        let _ = writeln!(
            out,
            "    pub {}: Option<{}>,",
            snake_case(&attribute.name),
            attribute.rust_type
        );
    }
    out.push_str("    pub created_at: DateTime<Utc>,\n");
    out.push_str("    pub updated_at: DateTime<Utc>,\n");
    out.push_str("}\n");
    out
}

/// Writes a generated file; one that exists is kept, an error sequelize-cli's way, unless
/// `force`.
pub(crate) fn write_new(path: &Path, text: &str, force: bool) -> Result<(), String> {
    if path.exists() && !force {
        return Err(format!(
            "The file {} already exists. Run command with --force to overwrite it.",
            path.display()
        ));
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir(parent)?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Creates a folder of `init`, saying so, or that it was there.
pub(crate) fn init_folder(path: &Path, what: &str) -> Result<(), String> {
    if path.is_dir() {
        println!("{what} folder at \"{}\" already exists.", path.display());
        return Ok(());
    }
    create_dir(path)?;
    println!(
        "Successfully created {what} folder at \"{}\".",
        path.display()
    );
    Ok(())
}

fn create_dir(path: &Path) -> Result<(), String> {
    std::fs::create_dir_all(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
}

/// Adds `pub mod <module>;` to the models' `mod.rs` when there is one and it lacks it.
pub(crate) fn register_model(models: &Path, module: &str) -> Result<(), String> {
    let path = models.join("mod.rs");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(());
    };
    let line = format!("pub mod {module};");
    if text.lines().any(|l| l.trim() == line) {
        return Ok(());
    }
    let mut text = text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&line);
    text.push('\n');
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_parse_as_sequelize_cli_reads_them() {
        let parsed =
            parse_attributes("firstName:string,role:enum:{Admin,'Guest User'},tags:array:text")
                .unwrap();
        assert_eq!(parsed.len(), 3);
        assert_eq!(parsed[0].data_type, "STRING");
        assert_eq!(parsed[1].values, ["Admin", "Guest User"]);
        assert_eq!(parsed[2].data_type, "ARRAY(TEXT)");
        assert_eq!(parsed[2].rust_type, "Vec<String>");
        let err = parse_attributes("age:numbr").unwrap_err();
        assert!(
            err.contains("Attribute 'age:numbr'") && err.contains("Unknown type 'numbr'"),
            "{err}"
        );
        assert!(parse_attributes("age").is_err());
    }

    #[test]
    fn names_become_file_names() {
        assert_eq!(kebab("UserProfile"), "user-profile");
        assert_eq!(timestamp().len(), 14);
    }
}
