//! Declarative JSON migrations: `{ "up": [step…], "down": [step…] }`, each step a
//! QueryInterface call spelled as in Sequelize (DESIGN.md, "Compatibility contracts").
//!
//! A step is an object with one method key (`createSchema`, `dropSchema`, `createTable`,
//! `dropTable`, `renameTable`,
//! `addColumn`, `removeColumn`, `renameColumn`, `addIndex`, `removeIndex`, `bulkInsert`,
//! `bulkUpdate`, `bulkDelete`, `upsert`, `sql`) whose value is the method's first argument;
//! the other keys are its remaining arguments. Every unknown method, key or type is an error
//! naming the file, the step and the key, before anything runs.

use serde_json::{Map, Value as Json};

use crate::error::{Error, Result};
use crate::query_interface::{DatabaseOptions, Operation};
use crate::sql::{
    ColumnDef, Constraint, ConstraintKind, CreateTable, DefaultValue, Expr, Ident, References,
    ReferentialAction, Statement,
};
use crate::types::DataType;
use crate::value::Value;

/// A parsed JSON migration.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonMigration {
    /// Operations of `up`.
    pub up: Vec<Operation>,
    /// Operations of `down`.
    pub down: Vec<Operation>,
}

const METHODS: &[&str] = &[
    "createTable",
    "dropTable",
    "createSchema",
    "dropSchema",
    "addColumn",
    "removeColumn",
    "addIndex",
    "removeIndex",
    "renameTable",
    "renameColumn",
    "bulkInsert",
    "bulkUpdate",
    "bulkDelete",
    "upsert",
    "changeColumn",
    "addConstraint",
    "removeConstraint",
    "createDatabase",
    "dropDatabase",
    "sql",
];

/// Where an error is: file, direction and step number.
struct At<'a> {
    file: &'a str,
    direction: &'a str,
    step: usize,
}

impl At<'_> {
    fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::Migration {
            name: self.file.to_owned(),
            message: format!("{} step {}: {message}", self.direction, self.step + 1),
        }
    }
}

impl JsonMigration {
    /// Parses a migration file's text; `file` names it in errors.
    ///
    /// ```
    /// use sequelize::migrate::JsonMigration;
    /// let m = JsonMigration::parse("20240101000000-users.json", r#"{
    ///   "up": [ { "createTable": "users", "attributes": {
    ///       "id": { "type": "INTEGER", "primaryKey": true, "autoIncrement": true },
    ///       "email": { "type": "STRING", "allowNull": false, "unique": true } } } ],
    ///   "down": [ { "dropTable": "users" } ] }"#).unwrap();
    /// assert_eq!(m.up.len(), 1);
    /// let bad = JsonMigration::parse("x.json", r#"{ "up": [ { "dropTabel": "users" } ], "down": [] }"#);
    /// assert!(bad.unwrap_err().to_string().contains("dropTabel"));
    /// ```
    pub fn parse(file: &str, text: &str) -> Result<JsonMigration> {
        let whole_file = |message: String| Error::Migration {
            name: file.to_owned(),
            message,
        };
        let json: Json =
            serde_json::from_str(text).map_err(|e| whole_file(format!("invalid JSON: {e}")))?;
        let Json::Object(root) = json else {
            return Err(whole_file("expected an object with `up` and `down`".into()));
        };
        if let Some(key) = root.keys().find(|k| *k != "up" && *k != "down") {
            return Err(whole_file(format!(
                "unknown key `{key}` (expected `up` and `down`)"
            )));
        }
        let steps = |direction: &str| -> Result<Vec<Operation>> {
            match root.get(direction) {
                None => Ok(Vec::new()),
                Some(Json::Array(steps)) => steps
                    .iter()
                    .enumerate()
                    .map(|(step, json)| {
                        parse_step(
                            json,
                            &At {
                                file,
                                direction,
                                step,
                            },
                        )
                    })
                    .collect(),
                Some(_) => Err(whole_file(format!(
                    "`{direction}` must be an array of steps"
                ))),
            }
        };
        Ok(JsonMigration {
            up: steps("up")?,
            down: steps("down")?,
        })
    }
}

impl JsonMigration {
    /// One step (`{ "addColumn": "users", "column": "age", "attribute": "INTEGER" }`) as its
    /// operation: how a migration written in another language (sequelize-cli's JavaScript,
    /// run by the CLI) hands its QueryInterface calls over. `file`, `direction` and `index`
    /// name the step in errors.
    ///
    /// ```
    /// use sequelize::migrate::JsonMigration;
    /// let step = serde_json::json!({ "dropTable": "users" });
    /// assert!(JsonMigration::step("x.js", "up", 0, &step).is_ok());
    /// let bad = serde_json::json!({ "dropTables": "users" });
    /// let err = JsonMigration::step("x.js", "up", 0, &bad).unwrap_err();
    /// assert!(err.to_string().contains("x.js"), "{err}");
    /// ```
    pub fn step(file: &str, direction: &str, index: usize, json: &Json) -> Result<Operation> {
        parse_step(
            json,
            &At {
                file,
                direction,
                step: index,
            },
        )
    }
}

fn parse_step(json: &Json, at: &At<'_>) -> Result<Operation> {
    let Json::Object(step) = json else {
        return Err(at.error("a step must be an object"));
    };
    let mut methods = step.keys().filter(|k| METHODS.contains(&k.as_str()));
    let method = match (methods.next(), methods.next()) {
        (Some(m), None) => m.as_str(),
        (Some(a), Some(b)) => {
            return Err(at.error(format!("two methods `{a}` and `{b}` in one step")))
        }
        (None, _) => {
            let first = step.keys().next().map_or("(none)", String::as_str);
            return Err(at.error(format!(
                "unknown method `{first}` (expected one of {})",
                METHODS.join(", ")
            )));
        }
    };
    let allowed: &[&str] = match method {
        "createTable" => &["attributes", "options"],
        "addColumn" => &["column", "attribute"],
        "removeColumn" => &["column"],
        "addIndex" => &["fields", "options"],
        "removeIndex" => &["index"],
        "renameTable" => &["after"],
        "renameColumn" => &["before", "after"],
        "bulkInsert" => &["records"],
        "bulkUpdate" => &["values", "where"],
        "bulkDelete" => &["where"],
        "upsert" => &["values", "conflictFields", "updateFields"],
        "changeColumn" => &["column", "attribute"],
        "addConstraint" => &[
            "type",
            "name",
            "fields",
            "where",
            "defaultValue",
            "references",
            "onDelete",
            "onUpdate",
        ],
        "removeConstraint" => &["name"],
        "createDatabase" => &["options"],
        "sql" => &["dialects"],
        _ => &[],
    };
    if let Some(key) = step
        .keys()
        .find(|k| k.as_str() != method && !allowed.contains(&k.as_str()))
    {
        return Err(at.error(format!("unknown key `{key}` for `{method}`")));
    }
    let first = string(&step[method], method, at)?;
    let arg = |key: &str| {
        step.get(key)
            .ok_or_else(|| at.error(format!("`{method}` needs `{key}`")))
    };
    match method {
        "createTable" => {
            let Json::Object(attributes) = arg("attributes")? else {
                return Err(at.error("`attributes` must be an object"));
            };
            let columns = attributes
                .iter()
                .map(|(name, spec)| column(name, spec, at))
                .collect::<Result<_>>()?;
            let mut create = CreateTable::new(Ident::from(first), columns);
            if let Some(options) = step.get("options") {
                table_options(&mut create, options, at)?;
            }
            Ok(Operation::Statement(Box::new(create.into())))
        }
        "dropTable" => Ok(Operation::drop_table(first)),
        "createSchema" => Ok(Operation::create_schema(first)),
        "dropSchema" => Ok(Operation::drop_schema(first)),
        "addColumn" => {
            let name = string(arg("column")?, "column", at)?;
            Ok(Operation::add_column(
                first,
                column(&name, arg("attribute")?, at)?,
            ))
        }
        "removeColumn" => Ok(Operation::remove_column(
            first,
            string(arg("column")?, "column", at)?,
        )),
        "addIndex" => {
            let fields = strings(arg("fields")?, "fields", at)?;
            let (mut name, mut unique) = (None, false);
            if let Some(options) = step.get("options") {
                let Json::Object(options) = options else {
                    return Err(at.error("`options` must be an object"));
                };
                for (key, value) in options {
                    match (key.as_str(), value) {
                        ("name", Json::String(n)) => name = Some(n.clone()),
                        ("unique", Json::Bool(u)) => unique = *u,
                        _ => {
                            return Err(
                                at.error(format!("unknown or mistyped index option `{key}`"))
                            )
                        }
                    }
                }
            }
            Ok(Operation::add_index(first, fields, name, unique))
        }
        "removeIndex" => {
            // A name, or the fields of an index named by Sequelize's default.
            let name = match arg("index")? {
                Json::String(name) => name.clone(),
                fields => format!("{first}_{}", strings(fields, "index", at)?.join("_")),
            };
            Ok(Operation::remove_index(first, name))
        }
        "renameTable" => Ok(Operation::rename_table(
            first,
            string(arg("after")?, "after", at)?,
        )),
        "renameColumn" => Ok(Operation::rename_column(
            first,
            string(arg("before")?, "before", at)?,
            string(arg("after")?, "after", at)?,
        )),
        "bulkInsert" => {
            let Json::Array(records) = arg("records")? else {
                return Err(at.error("`records` must be an array of objects"));
            };
            let records = records
                .iter()
                .map(|record| column_values(record, "records[…]", at))
                .collect::<Result<_>>()?;
            Operation::bulk_insert(first, records).map_err(|e| at.error(e))
        }
        "bulkUpdate" => {
            let values = column_values(arg("values")?, "values", at)?;
            Ok(Operation::bulk_update(
                first,
                values,
                filter(step.get("where"), at)?,
            ))
        }
        "bulkDelete" => Ok(Operation::bulk_delete(
            first,
            filter(step.get("where"), at)?,
        )),
        "upsert" => {
            let values = column_values(arg("values")?, "values", at)?;
            let conflict = strings(arg("conflictFields")?, "conflictFields", at)?;
            let update = match step.get("updateFields") {
                Some(fields) => Some(strings(fields, "updateFields", at)?),
                None => None,
            };
            Operation::upsert(first, values, conflict, update).map_err(|e| at.error(e))
        }
        "changeColumn" => {
            let name = string(arg("column")?, "column", at)?;
            Ok(Operation::change_column(
                first,
                column(&name, arg("attribute")?, at)?,
            ))
        }
        "addConstraint" => constraint(first, step, at),
        "removeConstraint" => Ok(Operation::remove_constraint(
            first,
            string(arg("name")?, "name", at)?,
        )),
        "createDatabase" => {
            let mut options = DatabaseOptions::default();
            if let Some(json) = step.get("options") {
                let Json::Object(json) = json else {
                    return Err(at.error("`options` must be an object"));
                };
                for (key, value) in json {
                    let value = Some(string(value, key, at)?);
                    match key.as_str() {
                        "charset" => options.charset = value,
                        "collate" => options.collate = value,
                        "encoding" => options.encoding = value,
                        "ctype" => options.ctype = value,
                        "template" => options.template = value,
                        _ => return Err(at.error(format!("unknown database option `{key}`"))),
                    }
                }
            }
            Ok(Operation::Statement(Box::new(
                options.create_database(&first),
            )))
        }
        "dropDatabase" => Ok(Operation::Statement(Box::new(Statement::DropDatabase {
            name: Ident::from(first),
            if_exists: true,
        }))),
        "sql" => {
            let dialects = match step.get("dialects") {
                Some(d) => strings(d, "dialects", at)?,
                None => Vec::new(),
            };
            Ok(Operation::Sql {
                sql: first,
                dialects,
            })
        }
        _ => unreachable!("every method of METHODS is handled"),
    }
}

/// `addConstraint`: `type` (`check`, `unique`, `primary key`, `foreign key`, `default`),
/// `fields`, `name` (Sequelize's default when absent: `<table>_<fields>_uk`, `_pk`, `_ck`,
/// `_df`, `<table>_<fields>_<referenced table>_fk`), a check's `where`, a default's
/// `defaultValue`, a foreign key's `references: { table, field | fields }`, `onDelete` and
/// `onUpdate`.
fn constraint(table: String, step: &Map<String, Json>, at: &At<'_>) -> Result<Operation> {
    let kind = string(
        step.get("type")
            .ok_or_else(|| at.error("`addConstraint` needs `type`"))?,
        "type",
        at,
    )?;
    let fields = strings(
        step.get("fields")
            .ok_or_else(|| at.error("`addConstraint` needs `fields`"))?,
        "fields",
        at,
    )?;
    let only = |allowed: &[&str]| {
        let extra = [
            "where",
            "defaultValue",
            "references",
            "onDelete",
            "onUpdate",
        ];
        match extra
            .iter()
            .find(|k| step.contains_key(**k) && !allowed.contains(k))
        {
            Some(key) => Err(at.error(format!("`{key}` is not an option of a {kind} constraint"))),
            None => Ok(()),
        }
    };
    let name = |suffix: &str| match step.get("name") {
        Some(name) => string(name, "name", at),
        None => Ok(format!("{table}_{}_{suffix}", fields.join("_"))),
    };
    let columns = || fields.iter().cloned().map(Ident::from).collect::<Vec<_>>();
    let constraint = match kind.to_ascii_lowercase().as_str() {
        "default" => {
            only(&["defaultValue"])?;
            let [field] = fields.as_slice() else {
                return Err(at.error("a default constraint has one field"));
            };
            let value = step
                .get("defaultValue")
                .ok_or_else(|| at.error("a default constraint needs `defaultValue`"))?;
            let default = default_value(value, at)?;
            return Ok(Operation::set_default(table, field.clone(), Some(default)));
        }
        "check" => {
            only(&["where"])?;
            let condition = filter(step.get("where"), at)?
                .ok_or_else(|| at.error("a check constraint needs `where`"))?;
            Constraint::new(name("ck")?, ConstraintKind::Check(condition))
        }
        "unique" => {
            only(&[])?;
            Constraint::new(name("uk")?, ConstraintKind::Unique(columns()))
        }
        "primary key" => {
            only(&[])?;
            Constraint::new(name("pk")?, ConstraintKind::PrimaryKey(columns()))
        }
        "foreign key" => {
            only(&["references", "onDelete", "onUpdate"])?;
            let Some(Json::Object(references)) = step.get("references") else {
                return Err(
                    at.error("a foreign key needs `references: { \"table\": …, \"field\": … }`")
                );
            };
            let mut target = None;
            let mut keys = Vec::new();
            for (key, value) in references {
                match key.as_str() {
                    "table" => target = Some(string(value, "references.table", at)?),
                    "field" => keys = vec![string(value, "references.field", at)?],
                    "fields" => keys = strings(value, "references.fields", at)?,
                    _ => return Err(at.error(format!("unknown key `references.{key}`"))),
                }
            }
            let target = target.ok_or_else(|| at.error("`references` needs `table`"))?;
            let action = |key: &str| match step.get(key) {
                Some(action) => ReferentialAction::parse(&string(action, key, at)?)
                    .map(Some)
                    .map_err(|e| at.error(e)),
                None => Ok(None),
            };
            let name = match step.get("name") {
                Some(name) => string(name, "name", at)?,
                None => format!("{table}_{}_{target}_fk", fields.join("_")),
            };
            Constraint::new(
                name,
                ConstraintKind::ForeignKey {
                    columns: columns(),
                    table: Ident::from(target),
                    keys: keys.into_iter().map(Ident::from).collect(),
                    on_delete: action("onDelete")?,
                    on_update: action("onUpdate")?,
                },
            )
        }
        _ => {
            return Err(at.error(format!(
                "unknown constraint type `{kind}` (expected check, unique, primary key, \
                 foreign key or default)"
            )))
        }
    };
    Ok(Operation::add_constraint(table, constraint))
}

/// `createTable`'s options: `comment`, `engine`, `charset`, `collate` (MySQL's storage
/// options, left out elsewhere), `uniqueKeys: { name: { fields: [...] } }`.
fn table_options(create: &mut CreateTable, json: &Json, at: &At<'_>) -> Result<()> {
    let Json::Object(options) = json else {
        return Err(at.error("`options` must be an object"));
    };
    for (key, value) in options {
        let text = || string(value, key, at).map(Some);
        match key.as_str() {
            "comment" => create.options.comment = text()?,
            "engine" => create.options.engine = text()?,
            "charset" => create.options.charset = text()?,
            "collate" => create.options.collate = text()?,
            "uniqueKeys" => {
                let Json::Object(keys) = value else {
                    return Err(at.error("`uniqueKeys` must be an object of { fields: [...] }"));
                };
                for (name, spec) in keys {
                    let fields = match spec.get("fields") {
                        Some(fields) if spec.as_object().is_some_and(|o| o.len() == 1) => {
                            strings(fields, "fields", at)?
                        }
                        _ => {
                            return Err(at.error(format!(
                                "`uniqueKeys.{name}` must be {{ \"fields\": [...] }}"
                            )))
                        }
                    };
                    create.constraints.push(Constraint::new(
                        name.clone(),
                        ConstraintKind::Unique(fields.into_iter().map(Ident::from).collect()),
                    ));
                }
            }
            _ => return Err(at.error(format!("unknown table option `{key}`"))),
        }
    }
    Ok(())
}

/// A column's `references: { model, key }` (`model` a table name or `{ tableName }`).
fn references(json: &Json, in_column: &dyn Fn(String) -> Error) -> Result<References> {
    let Json::Object(spec) = json else {
        return Err(in_column(
            "`references` must be { \"model\": table, \"key\": column }".into(),
        ));
    };
    let mut table = None;
    let mut key = "id".to_owned();
    for (name, value) in spec {
        match (name.as_str(), value) {
            ("model", Json::String(t)) => table = Some(t.clone()),
            ("model", Json::Object(m)) => match m.get("tableName") {
                Some(Json::String(t)) => table = Some(t.clone()),
                _ => {
                    return Err(in_column(
                        "`references.model` object needs `tableName`".into(),
                    ))
                }
            },
            ("key", Json::String(k)) => key = k.clone(),
            _ => {
                return Err(in_column(format!(
                    "unknown or mistyped key `references.{name}`"
                )))
            }
        }
    }
    let table = table.ok_or_else(|| in_column("`references` needs `model`".into()))?;
    Ok(References::new(Ident::from(table), Ident::from(key)))
}

/// An object of column → value pairs (`values`, a record), as bound values.
fn column_values(json: &Json, key: &str, at: &At<'_>) -> Result<Vec<(String, Value)>> {
    let Json::Object(fields) = json else {
        return Err(at.error(format!("`{key}` must be an object of column values")));
    };
    fields
        .iter()
        .map(|(column, value)| json_value(value, at).map(|v| (column.clone(), v)))
        .collect()
}

/// A step's `where`: column → condition pairs that must all hold (a value is `=`, an array
/// `IN`, `null` `IS NULL`, an object of operators each of them, see [`compare`]); absent or
/// `null`, every row.
fn filter(json: Option<&Json>, at: &At<'_>) -> Result<Option<Expr>> {
    let conditions = match json {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::Object(conditions)) => conditions,
        Some(_) => return Err(at.error("`where` must be an object of column values, or null")),
    };
    let mut all: Option<Expr> = None;
    for (column, value) in conditions {
        let condition = match value {
            Json::Null => Expr::column(column.clone()).is_null(),
            Json::Array(items) => Expr::InList {
                expr: Box::new(Expr::column(column.clone())),
                list: items
                    .iter()
                    .map(|item| json_value(item, at).map(Expr::Value))
                    .collect::<Result<_>>()?,
                negated: false,
            },
            Json::Object(operators) => {
                let mut each = None;
                for (operator, operand) in operators {
                    let condition = compare(column, operator, operand, at)?;
                    each = Some(Expr::conjoin(each, condition));
                }
                each.ok_or_else(|| at.error(format!("`where.{column}` has no operator")))?
            }
            scalar => Expr::column(column.clone()).eq(json_value(scalar, at)?),
        };
        all = Some(Expr::conjoin(all, condition));
    }
    Ok(all)
}

/// `where.column.operator`: Sequelize's `Op.eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `in`,
/// `notIn`, `like`, `notLike`, `between`, `notBetween`, `is` (`null`) and `not` (`null`).
fn compare(column: &str, operator: &str, operand: &Json, at: &At<'_>) -> Result<Expr> {
    let left = Expr::column(column.to_owned());
    let value = || json_value(operand, at);
    let list = || match operand {
        Json::Array(items) => items
            .iter()
            .map(|i| json_value(i, at))
            .collect::<Result<Vec<_>>>(),
        _ => Err(at.error(format!("`where.{column}.{operator}` must be an array"))),
    };
    let pair = || match list()?.as_slice() {
        [low, high] => Ok((low.clone(), high.clone())),
        _ => Err(at.error(format!("`where.{column}.{operator}` must be [low, high]"))),
    };
    Ok(match operator {
        "eq" => left.eq(value()?),
        "ne" => left.ne(value()?),
        "gt" => left.gt(value()?),
        "gte" => left.gte(value()?),
        "lt" => left.lt(value()?),
        "lte" => left.lte(value()?),
        "like" => left.like(value()?),
        "notLike" => left.not_like(value()?),
        "in" | "notIn" => Expr::InList {
            expr: Box::new(left),
            list: list()?.into_iter().map(Expr::Value).collect(),
            negated: operator == "notIn",
        },
        "between" => pair().map(|(low, high)| left.between(low, high))?,
        "notBetween" => pair().map(|(low, high)| left.not_between(low, high))?,
        "is" if operand.is_null() => left.is_null(),
        "not" if operand.is_null() => left.is_not_null(),
        _ => {
            return Err(at.error(format!(
                "unknown operator `where.{column}.{operator}` (expected eq, ne, gt, gte, lt, \
                 lte, in, notIn, like, notLike, between, notBetween, is or not)"
            )))
        }
    })
}

fn string(json: &Json, key: &str, at: &At<'_>) -> Result<String> {
    match json {
        Json::String(s) => Ok(s.clone()),
        _ => Err(at.error(format!("`{key}` must be a string"))),
    }
}

fn strings(json: &Json, key: &str, at: &At<'_>) -> Result<Vec<String>> {
    match json {
        Json::Array(items) => items.iter().map(|i| string(i, key, at)).collect(),
        _ => Err(at.error(format!("`{key}` must be an array of strings"))),
    }
}

/// A JSON literal as a bound value.
fn json_value(json: &Json, at: &At<'_>) -> Result<Value> {
    JsonMigration::value(json).map_err(|e| at.error(e))
}

impl JsonMigration {
    /// A JSON literal as the value it binds: `{ "$date": "<RFC 3339>" }` is an instant (a
    /// JavaScript `Date`), other objects and arrays JSON documents.
    ///
    /// ```
    /// use sequelize::{migrate::JsonMigration, Value};
    /// let date = serde_json::json!({ "$date": "2024-01-15T12:00:00.000Z" });
    /// assert!(matches!(JsonMigration::value(&date), Ok(Value::Timestamp(_))));
    /// assert_eq!(JsonMigration::value(&serde_json::json!(7)).unwrap(), Value::Int(7));
    /// ```
    pub fn value(json: &Json) -> std::result::Result<Value, String> {
        let tagged = json.as_object().filter(|o| o.len() == 1);
        if let Some(Json::String(date)) = tagged.and_then(|o| o.get("$date")) {
            let instant = chrono::DateTime::parse_from_rfc3339(date)
                .map_err(|_| format!("`$date` {date:?} is not an RFC 3339 date"))?;
            return Ok(Value::Timestamp(instant.with_timezone(&chrono::Utc)));
        }
        Ok(match json {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Value::Int(i),
                (None, Some(f)) => Value::Float(f),
                _ => return Err(format!("number {n} does not fit in 64 bits")),
            },
            Json::String(s) => Value::Text(s.clone()),
            other => Value::Json(Box::new(other.clone())),
        })
    }
}

/// A `defaultValue`: a value, `"UUIDV4"`, `"UUIDV1"`, `{ "fn": "NOW" }` or
/// `{ "literal": "SQL" }` (Sequelize's `sequelize.literal(…)`, the migration's own SQL).
fn default_value(json: &Json, at: &At<'_>) -> Result<DefaultValue> {
    Ok(match json {
        Json::Object(f) => {
            match (f.len(), f.get("fn"), f.get("literal")) {
                (1, Some(Json::String(n)), _) if n == "NOW" => DefaultValue::Now,
                (1, _, Some(Json::String(sql))) => DefaultValue::Literal(sql.clone().into()),
                _ => return Err(at.error(
                    "a defaultValue object must be { \"fn\": \"NOW\" } or { \"literal\": \"…\" }",
                )),
            }
        }
        Json::String(s) if s == "UUIDV4" => DefaultValue::UuidV4,
        Json::String(s) if s == "UUIDV1" => DefaultValue::UuidV1,
        v => DefaultValue::Value(json_value(v, at)?),
    })
}

/// One attribute: `"STRING"` or `{ "type": "STRING", "allowNull": false, … }`.
fn column(name: &str, spec: &Json, at: &At<'_>) -> Result<ColumnDef> {
    let in_column = |message: String| at.error(format!("column `{name}`: {message}"));
    let spec: Map<String, Json> = match spec {
        Json::String(ty) => [("type".to_owned(), Json::String(ty.clone()))]
            .into_iter()
            .collect(),
        Json::Object(map) => map.clone(),
        _ => {
            return Err(in_column(
                "expected a type name or an attribute object".into(),
            ))
        }
    };
    let Some(Json::String(type_name)) = spec.get("type") else {
        return Err(in_column(
            "`type` (a string such as \"STRING\") is required".into(),
        ));
    };
    let mut data_type = DataType::parse(type_name).map_err(|e| in_column(e.to_string()))?;
    let mut column = ColumnDef::new(name.to_owned(), DataType::Text);
    let mut reference = None;
    let mut actions = Vec::new();
    for (key, value) in &spec {
        match (key.as_str(), value) {
            ("type", _) => {}
            ("primaryKey", Json::Bool(true)) => column = column.primary_key(),
            ("autoIncrement", Json::Bool(b)) => column.auto_increment = *b,
            ("allowNull", Json::Bool(b)) => column.allow_null = *b && !column.primary_key,
            ("unique", Json::Bool(b)) => column.unique = *b,
            ("primaryKey", Json::Bool(false)) => {}
            ("values", Json::Array(_)) => {
                let values = strings(value, "values", at)?;
                match &mut data_type {
                    DataType::Enum(v) => *v = values,
                    _ => return Err(in_column("`values` is only for ENUM".into())),
                }
            }
            ("defaultValue", v) => column.default = Some(default_value(v, at)?),
            ("comment", Json::String(c)) => column.comment = Some(c.clone()),
            ("references", spec) => reference = Some(references(spec, &in_column)?),
            ("onDelete" | "onUpdate", Json::String(action)) => {
                let action =
                    ReferentialAction::parse(action).map_err(|e| in_column(e.to_string()))?;
                actions.push((key.as_str() == "onDelete", action));
            }
            _ => return Err(in_column(format!("unknown or mistyped key `{key}`"))),
        }
    }
    if let DataType::Enum(values) = &data_type {
        if values.is_empty() {
            return Err(in_column("ENUM needs `values`".into()));
        }
    }
    column.data_type = data_type;
    match reference {
        Some(mut reference) => {
            for (on_delete, action) in actions {
                reference = match on_delete {
                    true => reference.on_delete(action),
                    false => reference.on_update(action),
                };
            }
            column.references = Some(reference);
        }
        None if !actions.is_empty() => {
            return Err(in_column("`onDelete`/`onUpdate` need `references`".into()));
        }
        None => {}
    }
    Ok(column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_example_parses() {
        let text = r#"{ "up": [
            { "createTable": "users", "attributes": {
                "id":         { "type": "INTEGER", "primaryKey": true, "autoIncrement": true, "allowNull": false },
                "email":      { "type": "STRING", "allowNull": false, "unique": true },
                "status":     { "type": "ENUM", "values": ["active", "inactive"], "defaultValue": "active" },
                "created_at": { "type": "DATE", "allowNull": false },
                "updated_at": { "type": "DATE", "allowNull": false } } },
            { "addIndex": "users", "fields": ["status"], "options": { "name": "users_status" } },
            { "addColumn": "users", "column": "nickname", "attribute": { "type": "STRING(64)" } },
            { "bulkInsert": "users", "records": [ { "email": "a@example.com", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z" } ] },
            { "sql": "CREATE EXTENSION IF NOT EXISTS citext", "dialects": ["postgres"] } ],
          "down": [ { "dropTable": "users" } ] }"#;
        let m = JsonMigration::parse("m.json", text).unwrap();
        assert_eq!(m.up.len(), 5);
        assert_eq!(m.down.len(), 1);
    }

    #[test]
    fn errors_name_file_step_and_key() {
        let cases = [
            (
                r#"{"up":[{"createTable":"t","attributes":{"a":{"type":"STRNG"}}}]}"#,
                "up step 1: column `a`",
            ),
            (
                r#"{"up":[{"createTable":"t","attributes":{"a":{"type":"TEXT","nul":true}}}]}"#,
                "unknown or mistyped key `nul`",
            ),
            (
                r#"{"up":[{"dropTable":"t","cascade":true}]}"#,
                "unknown key `cascade`",
            ),
            (
                r#"{"down":[{"dropTables":"t"}]}"#,
                "down step 1: unknown method `dropTables`",
            ),
            (r#"{"up":[],"sideways":[]}"#, "unknown key `sideways`"),
            (
                r#"{"up":[{"createTable":"t","attributes":{},"options":{"engin":"x"}}]}"#,
                "unknown table option `engin`",
            ),
            (
                r#"{"up":[{"createTable":"t","attributes":{"a":{"type":"INTEGER","onDelete":"CASCADE"}}}]}"#,
                "need `references`",
            ),
            (
                r#"{"up":[{"createTable":"t","attributes":{"a":{"type":"INTEGER","references":{"model":"u"},"onDelete":"EXPLODE"}}}]}"#,
                "column `a`",
            ),
            (
                r#"{"up":[{"addColumn":"t","column":"c"}]}"#,
                "needs `attribute`",
            ),
        ];
        for (text, expected) in cases {
            let err = JsonMigration::parse("2024-x.json", text)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("2024-x.json") && err.contains(expected),
                "{err} / {expected}"
            );
        }
    }
}
