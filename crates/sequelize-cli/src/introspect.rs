//! `db:introspect`: Rust models from the tables of an existing database (sequelize-auto's
//! job). Each table becomes a struct deriving `Model` with its columns (types, keys,
//! defaults, enums, comments, foreign keys), its indexes, and the associations its foreign
//! keys imply: `belongs_to` on the table that holds the key, `has_many` on the table it
//! refers to.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sequelize::query_interface::TableSchema;
use sequelize::sql::{ColumnDef, ConstraintKind, DefaultValue};
use sequelize::utils::{camel_case, pluralize, singularize, snake_case};
use sequelize::{DataType, Value};

/// The Rust type of a field of `data_type`, and the data type that Rust type has by
/// default (when they differ, the field says `data_type = …`).
fn rust_type(data_type: &DataType) -> (String, DataType) {
    let own = |rust: &str, default: DataType| (rust.to_owned(), default);
    match data_type {
        DataType::Boolean => own("bool", DataType::Boolean),
        DataType::TinyInt | DataType::SmallInt => own("i16", DataType::SmallInt),
        DataType::MediumInt | DataType::Integer => own("i32", DataType::Integer),
        DataType::BigInt | DataType::Unsigned(_) => own("i64", DataType::BigInt),
        DataType::Float => own("f32", DataType::Float),
        DataType::Double => own("f64", DataType::Double),
        DataType::Decimal(_) => own("Decimal", DataType::Decimal(None)),
        DataType::Blob | DataType::TinyBlob | DataType::MediumBlob | DataType::LongBlob => {
            own("Vec<u8>", DataType::Blob)
        }
        DataType::Uuid => own("Uuid", DataType::Uuid),
        DataType::Date(_) => own("DateTime<Utc>", DataType::Date(None)),
        DataType::DateOnly => own("NaiveDate", DataType::DateOnly),
        DataType::Time => own("chrono::NaiveTime", DataType::Time),
        DataType::Json | DataType::Jsonb => own("serde_json::Value", DataType::Json),
        DataType::Inet => own("std::net::IpAddr", DataType::Inet),
        DataType::Hstore => own(
            "std::collections::HashMap<String, Option<String>>",
            DataType::Hstore,
        ),
        DataType::Array(inner) => {
            let (rust, default) = rust_type(inner);
            (format!("Vec<{rust}>"), DataType::Array(Box::new(default)))
        }
        DataType::Range(inner) => {
            let (rust, default) = rust_type(inner);
            (format!("Range<{rust}>"), DataType::Range(Box::new(default)))
        }
        // Every other type is text to Rust: strings, enums, network and search types.
        _ => own("String", DataType::String(None)),
    }
}

/// `data_type`'s Rust expression, for `#[attr(data_type = …)]`.
fn data_type_expr(data_type: &DataType) -> String {
    let option = |n: &Option<u32>| match n {
        Some(n) => format!("Some({n})"),
        None => "None".to_owned(),
    };
    match data_type {
        DataType::String(n) => format!("DataType::String({})", option(n)),
        DataType::BinaryString(n) => format!("DataType::BinaryString({})", option(n)),
        DataType::Char(n) => format!("DataType::Char({})", option(n)),
        DataType::Date(n) => format!("DataType::Date({})", option(n)),
        DataType::Decimal(Some((p, s))) => format!("DataType::Decimal(Some(({p}, {s})))"),
        DataType::Unsigned(inner) => {
            format!("DataType::Unsigned(Box::new({}))", data_type_expr(inner))
        }
        DataType::Array(inner) => format!("DataType::Array(Box::new({}))", data_type_expr(inner)),
        DataType::Range(inner) => format!("DataType::Range(Box::new({}))", data_type_expr(inner)),
        other => format!("DataType::{other:?}"),
    }
}

/// A default as the derive's `default = …` writes it; `None` for one it cannot say.
fn default_expr(default: &DefaultValue) -> Option<String> {
    Some(match default {
        DefaultValue::Now => "now".to_owned(),
        DefaultValue::UuidV4 => "uuid_v4".to_owned(),
        DefaultValue::UuidV1 => "uuid_v1".to_owned(),
        DefaultValue::Literal(sql) => format!("literal({sql:?})"),
        DefaultValue::Value(Value::Text(s)) => format!("{s:?}"),
        DefaultValue::Value(Value::Bool(b)) => b.to_string(),
        DefaultValue::Value(Value::Int(i)) => i.to_string(),
        DefaultValue::Value(Value::Float(f)) => format!("{f:?}"),
        DefaultValue::Value(_) => return None,
    })
}

/// The model name of a table: its singular, in PascalCase (`post_tags` → `PostTag`).
pub(crate) fn model_name(table: &str) -> String {
    let camel = camel_case(&snake_case(&singularize(table)));
    let mut chars = camel.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// How a table names its columns: `underscored` when every column is snake_case already.
struct Naming {
    underscored: bool,
}

impl Naming {
    fn of(schema: &TableSchema) -> Naming {
        let columns = &schema.create.columns;
        Naming {
            underscored: columns
                .iter()
                .all(|c| snake_case(c.name.as_str()) == c.name.as_str()),
        }
    }

    /// The column a field of this name is stored in by default.
    fn column_of(&self, field: &str) -> String {
        match self.underscored {
            true => snake_case(field),
            false => camel_case(field),
        }
    }
}

/// An association a table's foreign keys imply, written on one of the two models.
struct Association {
    /// The other model.
    target: String,
    /// The attribute.
    line: String,
}

/// The source of each table's model: `(module name, Rust source)`, in table-name order.
pub(crate) fn model_sources(tables: &[TableSchema]) -> Vec<(String, String)> {
    // In name order whatever the catalog's collation, so that every database writes the
    // same models.
    let mut tables: Vec<&TableSchema> = tables.iter().collect();
    tables.sort_by(|a, b| a.create.name.as_str().cmp(b.create.name.as_str()));
    let mut associations: BTreeMap<String, Vec<Association>> = BTreeMap::new();
    for schema in &tables {
        let table = schema.create.name.as_str();
        let model = model_name(table);
        let mut has_many_aliases: Vec<(String, String)> = Vec::new();
        for column in &schema.create.columns {
            let Some(references) = &column.references else {
                continue;
            };
            let field = snake_case(column.name.as_str());
            let base = field.strip_suffix("_id").unwrap_or(&field);
            let base = if base == field {
                format!("{field}_record")
            } else {
                base.to_owned()
            };
            let target = references.table.as_str();
            let target_model = model_name(target);
            associations.entry(table.to_owned()).or_default().push(Association {
                target: target_model.clone(),
                line: format!(
                    "#[belongs_to({target_model}, alias = {:?}, foreign_key = {field:?}, constraints = false)]",
                    camel_case(&base)
                ),
            });
            let plural = camel_case(&snake_case(&pluralize(&model)));
            let taken = has_many_aliases
                .iter()
                .any(|(t, a)| t == target && *a == plural);
            let alias = match taken {
                true => camel_case(&format!("{base}_{}", snake_case(&pluralize(&model)))),
                false => plural,
            };
            has_many_aliases.push((target.to_owned(), alias.clone()));
            associations.entry(target.to_owned()).or_default().push(Association {
                target: model.clone(),
                line: format!(
                    "#[has_many({model}, alias = {alias:?}, foreign_key = {field:?}, constraints = false)]"
                ),
            });
        }
    }
    let mut sources: Vec<(String, String)> = (tables.iter())
        .map(|schema| {
            let table = schema.create.name.as_str();
            let lines = associations.remove(table).unwrap_or_default();
            let model = model_name(table);
            (snake_case(&model), formatted(model_source(schema, &lines)))
        })
        .collect();
    sources.sort();
    sources
}

/// `source` as `rustfmt` writes it, when `rustfmt` is on the `PATH` (as it is with
/// rustup's toolchains); as it is otherwise.
fn formatted(source: String) -> String {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return source;
    };
    let written =
        (child.stdin.take()).is_some_and(|mut stdin| stdin.write_all(source.as_bytes()).is_ok());
    match child.wait_with_output() {
        Ok(out) if written && out.status.success() && !out.stdout.is_empty() => {
            String::from_utf8(out.stdout).unwrap_or(source)
        }
        _ => source,
    }
}

fn model_source(schema: &TableSchema, associations: &[Association]) -> String {
    let table = schema.create.name.as_str();
    let model = model_name(table);
    let naming = Naming::of(schema);
    let columns = &schema.create.columns;
    let has = |name: &str| (columns.iter()).find(|c| c.name.as_str() == naming.column_of(name));
    let is_time = |c: &&ColumnDef| matches!(c.data_type, DataType::Date(_));
    let timestamps =
        has("created_at").filter(is_time).is_some() && has("updated_at").filter(is_time).is_some();
    let paranoid = timestamps
        && has("deleted_at")
            .filter(is_time)
            .is_some_and(|c| c.allow_null);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! The `{model}` model of the `{table}` table, written by `sequelize db:introspect`.\n"
    );
    if !associations.is_empty() {
        // Associations of one model repeat `foreign_key` and `constraints = false`.
        out.push_str("#![allow(clippy::duplicated_attributes)]\n\n");
    }
    out.push_str("use sequelize::prelude::*;\n");
    // The models its associations name, each in the module of its table beside this one.
    let mut others: Vec<&str> = (associations.iter())
        .map(|a| a.target.as_str())
        .filter(|target| *target != model)
        .collect();
    others.sort_unstable();
    others.dedup();
    if !others.is_empty() {
        out.push('\n');
    }
    for other in &others {
        let _ = writeln!(out, "use super::{}::{other};", snake_case(other));
    }
    out.push_str("\n#[derive(Model, Debug, Clone, PartialEq)]\n");
    let mut options = vec![format!("table = {table:?}")];
    if naming.underscored {
        options.push("underscored".into());
    }
    if !timestamps {
        options.push("timestamps = false".into());
    }
    if paranoid {
        options.push("paranoid".into());
    }
    let _ = writeln!(out, "#[model({})]", options.join(", "));
    for index in &schema.indexes {
        let fields: Vec<String> = index.fields.iter().map(|f| format!("{f:?}")).collect();
        let unique = if index.unique { ", unique" } else { "" };
        let _ = writeln!(
            out,
            "#[model(index(fields({}){unique}, name = {:?}))]",
            fields.join(", "),
            index.name
        );
    }
    for association in associations {
        let _ = writeln!(out, "{}", association.line);
    }
    let _ = writeln!(out, "pub struct {model} {{");
    for column in columns {
        let name = column.name.as_str();
        let field = snake_case(name);
        let mut attrs: Vec<String> = Vec::new();
        if naming.column_of(&field) != name {
            attrs.push(format!("field = {name:?}"));
        }
        if column.primary_key {
            attrs.push("primary_key".into());
        }
        if column.auto_increment {
            attrs.push("auto_increment".into());
        }
        if column.unique {
            attrs.push("unique".into());
        }
        for constraint in &schema.create.constraints {
            if let ConstraintKind::Unique(key) = &constraint.kind {
                if key.iter().any(|k| k.as_str() == name) {
                    attrs.push(format!("unique = {:?}", constraint.name.as_str()));
                }
            }
        }
        let (rust, default_type) = rust_type(&column.data_type);
        match &column.data_type {
            DataType::Enum(values) => {
                let values: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
                attrs.push(format!("values({})", values.join(", ")));
            }
            other if *other != default_type => {
                attrs.push(format!("data_type = {}", data_type_expr(other)));
            }
            _ => {}
        }
        let default = match (&column.default, &column.data_type) {
            (Some(default), _) => default_expr(default),
            // A UUID key of its own (not a reference) is made by the ORM, as Sequelize's
            // `defaultValue: DataTypes.UUIDV4` does.
            (None, DataType::Uuid) if column.primary_key && column.references.is_none() => {
                Some("uuid_v4".into())
            }
            (None, _) => None,
        };
        if let Some(default) = default {
            attrs.push(format!("default = {default}"));
        }
        if let Some(comment) = &column.comment {
            attrs.push(format!("comment = {comment:?}"));
        }
        if let Some(references) = &column.references {
            attrs.push(format!(
                "references(table = {:?}, key = {:?})",
                references.table.as_str(),
                references.key.as_str()
            ));
            for (key, action) in [
                ("on_delete", references.on_delete),
                ("on_update", references.on_update),
            ] {
                if let Some(action) = action {
                    attrs.push(format!("{key} = {:?}", action.sql()));
                }
            }
        }
        if !attrs.is_empty() {
            let _ = writeln!(out, "    #[attr({})]", attrs.join(", "));
        }
        let rust = match column.allow_null && !column.primary_key {
            true => format!("Option<{rust}>"),
            false => rust,
        };
        let _ = writeln!(out, "    pub {field}: {rust},");
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sequelize::model::SqlType;

    #[test]
    fn each_rust_type_has_the_data_type_the_library_gives_it() {
        let library = [
            ("bool", <bool as SqlType>::data_type()),
            ("i16", <i16 as SqlType>::data_type()),
            ("i32", <i32 as SqlType>::data_type()),
            ("i64", <i64 as SqlType>::data_type()),
            ("f32", <f32 as SqlType>::data_type()),
            ("f64", <f64 as SqlType>::data_type()),
            ("String", <String as SqlType>::data_type()),
            ("Vec<u8>", <Vec<u8> as SqlType>::data_type()),
            ("Uuid", <sequelize::prelude::Uuid as SqlType>::data_type()),
            (
                "serde_json::Value",
                <serde_json::Value as SqlType>::data_type(),
            ),
        ];
        for (rust, expected) in library {
            let (written, default) = rust_type(&expected);
            assert_eq!((written.as_str(), default), (rust, expected));
        }
    }

    #[test]
    fn tables_are_named_as_models() {
        assert_eq!(model_name("users"), "User");
        assert_eq!(model_name("post_tags"), "PostTag");
        assert_eq!(model_name("Categories"), "Category");
        assert_eq!(
            data_type_expr(&DataType::String(Some(80))),
            "DataType::String(Some(80))"
        );
        assert_eq!(
            data_type_expr(&DataType::Array(Box::new(DataType::Text))),
            "DataType::Array(Box::new(DataType::Text))"
        );
    }
}
