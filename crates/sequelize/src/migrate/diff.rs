//! The migration from the database to the models (`sequelize migration:generate
//! --from-models`): the JSON steps that create, alter and drop tables, columns, indexes and
//! foreign keys until the catalog matches the models defined on a Sequelize instance, and
//! the steps that undo them.
//!
//! Nothing is guessed: a column that is gone while another appeared is a drop and an add
//! (with a note saying so) unless a [`Renames`] says it was renamed.

use serde_json::{json, Map, Value as Json};

use crate::connection::Sequelize;
use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::model::registry_tables;
use crate::query_interface::{IndexDescription, TableSchema};
use crate::sql::{
    ColumnDef, Constraint, ConstraintKind, ConstraintType, CreateIndex, CreateTable, DefaultValue,
    Ident, References, ReferentialAction,
};
use crate::value::Value;

/// Renames the diff is told of, instead of a drop and an add: tables (`old=new`) and
/// columns (`table.old=new`).
///
/// ```
/// use sequelize::migrate::Renames;
/// let renames = Renames::default().parsed("people=users").unwrap().parsed("users.name=full_name").unwrap();
/// assert!(Renames::default().parsed("users.name").is_err());
/// # let _ = renames;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Renames {
    tables: Vec<(String, String)>,
    columns: Vec<(String, String, String)>,
}

impl Renames {
    /// The table `from` is now `to`.
    pub fn table(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.tables.push((from.into(), to.into()));
        self
    }

    /// The column `from` of `table` (its new name) is now `to`.
    pub fn column(
        mut self,
        table: impl Into<String>,
        from: impl Into<String>,
        to: impl Into<String>,
    ) -> Self {
        self.columns.push((table.into(), from.into(), to.into()));
        self
    }

    /// Adds a rename written as the CLI's `--rename` takes it: `old=new` for a table,
    /// `table.old=new` for a column.
    pub fn parsed(self, spec: &str) -> Result<Self> {
        let bad = || {
            Error::Config(format!(
                "--rename {spec:?}: expected old_table=new_table or table.old_column=new_column"
            ))
        };
        let (from, to) = spec.split_once('=').ok_or_else(bad)?;
        let (from, to) = (from.trim(), to.trim());
        if from.is_empty() || to.is_empty() || to.contains('.') {
            return Err(bad());
        }
        Ok(match from.split_once('.') {
            Some((table, column)) if !table.is_empty() && !column.is_empty() => {
                self.column(table, column, to)
            }
            Some(_) => return Err(bad()),
            None => self.table(from, to),
        })
    }

    fn old_table(&self, table: &str) -> Option<&str> {
        (self.tables.iter())
            .find(|(_, to)| to == table)
            .map(|(from, _)| from.as_str())
    }

    fn old_column(&self, table: &str, column: &str) -> Option<&str> {
        (self.columns.iter())
            .find(|(t, _, to)| t == table && to == column)
            .map(|(_, from, _)| from.as_str())
    }
}

/// The steps that take the database to the models (`up`) and back (`down`), with notes on
/// what the diff left to the developer.
///
/// ```
/// use sequelize::migrate::{JsonMigration, ModelDiff};
/// let diff = ModelDiff {
///     up: vec![serde_json::json!({ "dropTable": "old_things" })],
///     down: vec![serde_json::json!({ "createTable": "old_things", "attributes": { "id": "INTEGER" } })],
///     notes: Vec::new(),
/// };
/// assert!(!diff.is_empty());
/// assert_eq!(JsonMigration::parse("x.json", &diff.to_json()).unwrap().up.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelDiff {
    /// The steps from the database as it is to the models.
    pub up: Vec<Json>,
    /// The steps back, in the order they run.
    pub down: Vec<Json>,
    /// What a migration cannot say or the diff would not guess (possible renames, index
    /// options JSON steps do not have).
    pub notes: Vec<String>,
}

impl ModelDiff {
    /// Whether the database already matches the models.
    pub fn is_empty(&self) -> bool {
        self.up.is_empty()
    }

    /// The JSON migration file of these steps.
    pub fn to_json(&self) -> String {
        let file = json!({ "up": self.up, "down": self.down });
        let mut text = serde_json::to_string_pretty(&file).expect("JSON values serialize");
        text.push('\n');
        text
    }
}

/// Compares the models defined on `db` with its database: the tables of the models are
/// created or altered, the other tables (but those in `keep`, such as the migration
/// storage) dropped. See the module documentation.
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::prelude::*;
/// use sequelize::migrate::{diff_models, Renames};
/// #[derive(Model, Clone, Debug)]
/// struct Tag { id: i64, name: String }
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// db.define::<Tag>().register()?;
/// let diff = diff_models(&db, &Renames::default(), &[]).await?;
/// assert_eq!(diff.up[0]["createTable"], "Tags");
/// db.sync(SyncOptions::default()).await?;
/// assert!(diff_models(&db, &Renames::default(), &[]).await?.is_empty());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub async fn diff_models(db: &Sequelize, renames: &Renames, keep: &[&str]) -> Result<ModelDiff> {
    let qi = db.query_interface();
    let dialect = db.dialect();
    let mut diff = Diff {
        dialect,
        out: ModelDiff::default(),
    };
    let models = registry_tables(db)?;
    let mut altered = Vec::new();
    for (create, indexes) in &models {
        let name = create.name.as_str();
        let old = renames.old_table(name).unwrap_or(name);
        match qi.table_schema(old.to_owned()).await? {
            None => diff.create(create, indexes),
            Some(schema) => {
                if old != name {
                    diff.step(
                        json!({ "renameTable": old, "after": name }),
                        json!({ "renameTable": name, "after": old }),
                    );
                }
                altered.push((create, indexes, schema));
            }
        }
    }
    for (create, indexes, schema) in altered {
        diff.alter(create, indexes, &schema, renames);
    }
    let modelled: Vec<&str> = (models.iter())
        .flat_map(|(create, _)| {
            let name = create.name.as_str();
            [name, renames.old_table(name).unwrap_or(name)]
        })
        .collect();
    let mut dropped = Vec::new();
    for table in qi.show_all_tables().await? {
        if !modelled.contains(&table.as_str()) && !keep.contains(&table.as_str()) {
            if let Some(schema) = qi.table_schema(table.clone()).await? {
                dropped.push(schema);
            }
        }
    }
    for schema in referring_first(dropped) {
        diff.drop(&schema);
    }
    let mut out = diff.out;
    out.down.reverse();
    Ok(out)
}

/// Tables in an order where each comes before the tables it refers to (the order to drop
/// them in).
fn referring_first(mut tables: Vec<TableSchema>) -> Vec<TableSchema> {
    let refers = |table: &TableSchema, to: &str| {
        let name = table.create.name.as_str();
        (table.create.columns.iter())
            .filter_map(|c| c.references.as_ref())
            .any(|r| r.table.as_str() == to && to != name)
    };
    let mut ordered = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let at = (0..tables.len())
            .find(|&i| {
                let name = tables[i].create.name.as_str();
                !tables.iter().any(|other| refers(other, name))
            })
            .unwrap_or(0);
        ordered.push(tables.remove(at));
    }
    ordered
}

struct Diff<'d> {
    dialect: &'d dyn Dialect,
    out: ModelDiff,
}

impl Diff<'_> {
    /// A step and its undoing.
    fn step(&mut self, up: Json, down: Json) {
        self.out.up.push(up);
        self.out.down.push(down);
    }

    fn create(&mut self, create: &CreateTable, indexes: &[CreateIndex]) {
        let name = create.name.as_str();
        self.step(create_table_step(create), json!({ "dropTable": name }));
        // Undone by dropping the table: what it holds goes with it (and MySQL refuses to
        // drop an index a foreign key uses).
        let undone = self.out.down.len();
        for constraint in &create.constraints {
            if !matches!(constraint.kind, ConstraintKind::Unique(_)) {
                self.add_constraint(name, constraint);
            }
        }
        for index in indexes {
            self.add_index(name, index);
        }
        self.out.down.truncate(undone);
    }

    fn drop(&mut self, schema: &TableSchema) {
        let name = schema.create.name.as_str();
        // Undone as made: the table, then its indexes.
        let mut undo = vec![create_table_step(&schema.create)];
        undo.extend(schema.indexes.iter().map(|i| index_step(name, i)));
        self.out.up.push(json!({ "dropTable": name }));
        self.out.down.extend(undo.into_iter().rev());
    }

    fn alter(
        &mut self,
        create: &CreateTable,
        indexes: &[CreateIndex],
        schema: &TableSchema,
        renames: &Renames,
    ) {
        let table = create.name.as_str();
        let now = &schema.create;
        let find = |name: &str| now.columns.iter().find(|c| c.name.as_str() == name);
        let mut kept = Vec::new();
        let mut added = Vec::new();
        for column in &create.columns {
            let name = column.name.as_str();
            let old = renames
                .old_column(table, name)
                .filter(|old| find(old).is_some());
            if let Some(old) = old {
                self.step(
                    json!({ "renameColumn": table, "before": old, "after": name }),
                    json!({ "renameColumn": table, "before": name, "after": old }),
                );
            }
            match find(old.unwrap_or(name)) {
                Some(existing) => {
                    let existing = ColumnDef {
                        name: column.name.clone(),
                        ..existing.clone()
                    };
                    self.change_column(table, column, &existing, schema);
                    kept.push(existing.name.as_str().to_owned());
                    if let Some(old) = old {
                        kept.push(old.to_owned());
                    }
                }
                None => added.push(column),
            }
        }
        for column in &added {
            self.step(
                json!({ "addColumn": table, "column": column.name.as_str(), "attribute": spec(column) }),
                json!({ "removeColumn": table, "column": column.name.as_str() }),
            );
        }
        let removed: Vec<&ColumnDef> = (now.columns.iter())
            .filter(|c| !kept.iter().any(|k| k == c.name.as_str()))
            .collect();
        for column in &removed {
            self.step(
                json!({ "removeColumn": table, "column": column.name.as_str() }),
                json!({ "addColumn": table, "column": column.name.as_str(), "attribute": spec(column) }),
            );
        }
        if !added.is_empty() && !removed.is_empty() {
            let names = |columns: &[&ColumnDef]| {
                let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
                names.join(", ")
            };
            self.out.notes.push(format!(
                "{table}: {} dropped and {} added; if one was renamed, say so with \
                 --rename {table}.<old>=<new>",
                names(&removed),
                names(&added)
            ));
        }
        self.constraints(table, &create.constraints, schema);
        self.indexes(table, indexes, schema);
    }

    /// The steps that change an existing column to the model's: its type, nullability and
    /// default (`changeColumn`), its unique constraint and its foreign key.
    fn change_column(
        &mut self,
        table: &str,
        model: &ColumnDef,
        existing: &ColumnDef,
        schema: &TableSchema,
    ) {
        let name = model.name.as_str();
        let changed = !model.primary_key
            && (self.type_sql(table, model) != self.type_sql(table, existing)
                || model.allow_null != existing.allow_null
                || !same_default(model.default.as_ref(), existing.default.as_ref()));
        if changed {
            let plain = |c: &ColumnDef| ColumnDef {
                unique: false,
                references: None,
                ..c.clone()
            };
            self.step(
                json!({ "changeColumn": table, "column": name, "attribute": spec(&plain(model)) }),
                json!({ "changeColumn": table, "column": name, "attribute": spec(&plain(existing)) }),
            );
        }
        let named = |kind: ConstraintType| {
            (schema.constraints.iter())
                .find(|c| c.constraint_type == kind && c.columns == [name])
                .map(|c| c.name.clone())
        };
        if model.unique != existing.unique && !model.primary_key {
            let unique = Constraint::new(
                format!("{table}_{name}_uk"),
                ConstraintKind::Unique(vec![model.name.clone()]),
            );
            match (model.unique, named(ConstraintType::Unique)) {
                (true, _) => self.add_constraint(table, &unique),
                (false, Some(old)) => {
                    let unique = Constraint::new(old, unique.kind);
                    self.remove_constraint(table, &unique);
                }
                (false, None) => {}
            }
        }
        if !same_references(model.references.as_ref(), existing.references.as_ref()) {
            if let (Some(old), Some(references)) =
                (named(ConstraintType::ForeignKey), &existing.references)
            {
                self.remove_constraint(table, &foreign_key(old, &model.name, references));
            }
            if let Some(references) = &model.references {
                let name = format!("{table}_{name}_{}_fk", references.table.as_str());
                self.add_constraint(table, &foreign_key(name, &model.name, references));
            }
        }
    }

    /// The composite unique keys and foreign keys, by name.
    fn constraints(&mut self, table: &str, model: &[Constraint], schema: &TableSchema) {
        let composite = |kind: &ConstraintKind| match kind {
            ConstraintKind::Unique(columns) => columns.len() > 1,
            ConstraintKind::ForeignKey { columns, .. } => columns.len() > 1,
            _ => false,
        };
        let existing: Vec<&Constraint> = (schema.create.constraints.iter())
            .filter(|c| composite(&c.kind))
            .collect();
        for constraint in model.iter().filter(|c| composite(&c.kind)) {
            match existing.iter().find(|e| e.name == constraint.name) {
                Some(now) if now.kind == constraint.kind => {}
                Some(now) => {
                    self.remove_constraint(table, now);
                    self.add_constraint(table, constraint);
                }
                None => self.add_constraint(table, constraint),
            }
        }
        for now in existing {
            if !model.iter().any(|c| c.name == now.name) {
                self.remove_constraint(table, now);
            }
        }
    }

    fn indexes(&mut self, table: &str, model: &[CreateIndex], schema: &TableSchema) {
        let existing = &schema.indexes;
        // MySQL keeps a unique index as a unique constraint: it is there as one.
        let as_constraint = |wanted: &IndexDescription| {
            wanted.unique
                && (schema.constraints.iter()).any(|c| {
                    c.name == wanted.name
                        && c.constraint_type == ConstraintType::Unique
                        && c.columns == wanted.fields
                })
        };
        for index in model {
            let wanted = description(index);
            if as_constraint(&wanted) {
                continue;
            }
            match existing.iter().find(|e| e.name == wanted.name) {
                Some(now) if now.fields == wanted.fields && now.unique == wanted.unique => {}
                Some(now) => {
                    self.step(remove_index(table, now), index_step(table, now));
                    self.add_index(table, index);
                }
                None => self.add_index(table, index),
            }
        }
        for now in existing {
            if !model.iter().any(|i| i.name.as_str() == now.name) {
                self.step(remove_index(table, now), index_step(table, now));
            }
        }
    }

    fn add_index(&mut self, table: &str, index: &CreateIndex) {
        let plain = index.filter.is_none()
            && index.using.is_none()
            && index.kind.is_none()
            && (index.columns.iter())
                .all(|c| c.order.is_none() && c.length.is_none() && c.operator.is_none());
        if !plain {
            self.out.notes.push(format!(
                "{table}: index {} has options a JSON step cannot hold (where, using, kind, \
                 order, length or operator); the migration makes it with its fields only",
                index.name.as_str()
            ));
        }
        let index = description(index);
        self.step(index_step(table, &index), remove_index(table, &index));
    }

    fn add_constraint(&mut self, table: &str, constraint: &Constraint) {
        let name = constraint.name.as_str();
        self.step(
            constraint_step(table, constraint),
            json!({ "removeConstraint": table, "name": name }),
        );
    }

    fn remove_constraint(&mut self, table: &str, constraint: &Constraint) {
        let name = constraint.name.as_str();
        self.step(
            json!({ "removeConstraint": table, "name": name }),
            constraint_step(table, constraint),
        );
    }

    /// A column's type as this dialect writes it, in its canonical spelling.
    fn type_sql(&self, table: &str, column: &ColumnDef) -> String {
        let table = Ident::from(table.to_owned());
        let sql = (self.dialect.column_type_sql(&table, column))
            .unwrap_or_else(|_| column.data_type.to_string());
        self.dialect.canonical_type(&sql)
    }
}

/// Whether two defaults are the database's same one (an ORM-made UUID is none; literal SQL
/// compared without case or spacing).
fn same_default(model: Option<&DefaultValue>, existing: Option<&DefaultValue>) -> bool {
    let in_ddl = |d: Option<&DefaultValue>| d.filter(|d| d.in_ddl()).cloned();
    let spelled = |sql: &str| sql.to_ascii_lowercase().replace([' ', '(', ')'], "");
    match (in_ddl(model), in_ddl(existing)) {
        (Some(DefaultValue::Literal(a)), Some(DefaultValue::Literal(b))) => {
            spelled(&a) == spelled(&b)
        }
        (Some(DefaultValue::Value(a)), Some(DefaultValue::Value(b))) => same_value(&a, &b),
        (a, b) => a == b,
    }
}

/// Whether two default values are equal as the database keeps them (a float and an
/// integer of the same number; text and what it spells).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(i), Value::Float(f)) | (Value::Float(f), Value::Int(i)) => *i as f64 == *f,
        (Value::Bool(v), Value::Int(i)) | (Value::Int(i), Value::Bool(v)) => i64::from(*v) == *i,
        (Value::Decimal(d), other) | (other, Value::Decimal(d)) => d.to_string() == text_of(other),
        _ => a == b,
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::Text(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        other => format!("{other:?}"),
    }
}

/// Whether two references are the same: the same table and key, and the same actions
/// (none given is `NO ACTION`, which is `RESTRICT` unless the key is deferred).
fn same_references(model: Option<&References>, existing: Option<&References>) -> bool {
    let action = |a: Option<ReferentialAction>| match a {
        None | Some(ReferentialAction::Restrict) => ReferentialAction::NoAction,
        Some(other) => other,
    };
    match (model, existing) {
        (Some(m), Some(e)) => {
            m.table == e.table
                && m.key == e.key
                && action(m.on_delete) == action(e.on_delete)
                && action(m.on_update) == action(e.on_update)
        }
        (m, e) => m.is_none() && e.is_none(),
    }
}

fn foreign_key(name: String, column: &Ident, references: &References) -> Constraint {
    Constraint::new(
        name,
        ConstraintKind::ForeignKey {
            columns: vec![column.clone()],
            table: references.table.clone(),
            keys: vec![references.key.clone()],
            on_delete: references.on_delete,
            on_update: references.on_update,
        },
    )
}

fn description(index: &CreateIndex) -> IndexDescription {
    IndexDescription {
        name: index.name.as_str().to_owned(),
        unique: index.unique,
        primary: false,
        fields: (index.columns.iter())
            .map(|c| c.name.as_str().to_owned())
            .collect(),
    }
}

fn index_step(table: &str, index: &IndexDescription) -> Json {
    json!({ "addIndex": table, "fields": index.fields,
            "options": { "name": index.name, "unique": index.unique } })
}

fn remove_index(table: &str, index: &IndexDescription) -> Json {
    json!({ "removeIndex": table, "index": index.name })
}

fn names(columns: &[Ident]) -> Vec<&str> {
    columns.iter().map(Ident::as_str).collect()
}

/// The `createTable` step of a table: its columns, and its unique keys as `uniqueKeys`.
fn create_table_step(create: &CreateTable) -> Json {
    let name = create.name.as_str();
    let mut step = json!({ "createTable": name, "attributes": attributes(&create.columns) });
    let keys: Map<String, Json> = (create.constraints.iter())
        .filter_map(|c| match &c.kind {
            ConstraintKind::Unique(columns) => Some((
                c.name.as_str().to_owned(),
                json!({ "fields": names(columns) }),
            )),
            _ => None,
        })
        .collect();
    if !keys.is_empty() {
        step["options"] = json!({ "uniqueKeys": keys });
    }
    step
}

/// The `addConstraint` step of a unique key or a foreign key, the only constraints the diff
/// adds and removes (a primary key is its columns', and models have no checks).
fn constraint_step(table: &str, constraint: &Constraint) -> Json {
    let name = constraint.name.as_str();
    match &constraint.kind {
        ConstraintKind::Unique(columns) => {
            json!({ "addConstraint": table, "type": "unique", "name": name, "fields": names(columns) })
        }
        ConstraintKind::ForeignKey {
            columns,
            table: target,
            keys,
            on_delete,
            on_update,
        } => {
            let mut step = json!({
                "addConstraint": table, "type": "foreign key", "name": name, "fields": names(columns),
                "references": { "table": target.as_str(), "fields": names(keys) } });
            for (key, action) in [("onDelete", on_delete), ("onUpdate", on_update)] {
                if let Some(action) = action {
                    step[key] = json!(action.sql());
                }
            }
            step
        }
        ConstraintKind::PrimaryKey(_) | ConstraintKind::Check(_) => {
            unreachable!("the diff adds and removes no primary key or check constraint")
        }
    }
}

/// `createTable`'s `attributes`.
fn attributes(columns: &[ColumnDef]) -> Map<String, Json> {
    (columns.iter())
        .map(|c| (c.name.as_str().to_owned(), spec(c)))
        .collect()
}

/// A column's attribute object, as the JSON migration reader reads it back.
pub(crate) fn spec(column: &ColumnDef) -> Json {
    let mut spec = Map::new();
    spec.insert("type".into(), json!(column.data_type.to_string()));
    if let Some(values) = column.enum_values() {
        spec.insert("values".into(), json!(values));
    }
    if column.primary_key {
        spec.insert("primaryKey".into(), json!(true));
    }
    if column.auto_increment {
        spec.insert("autoIncrement".into(), json!(true));
    }
    if !column.allow_null && !column.primary_key {
        spec.insert("allowNull".into(), json!(false));
    }
    if column.unique {
        spec.insert("unique".into(), json!(true));
    }
    if let Some(default) = &column.default {
        spec.insert("defaultValue".into(), default_json(default));
    }
    if let Some(comment) = &column.comment {
        spec.insert("comment".into(), json!(comment));
    }
    if let Some(references) = &column.references {
        spec.insert(
            "references".into(),
            json!({ "model": references.table.as_str(), "key": references.key.as_str() }),
        );
        for (key, action) in [
            ("onDelete", references.on_delete),
            ("onUpdate", references.on_update),
        ] {
            if let Some(action) = action {
                spec.insert(key.into(), json!(action.sql()));
            }
        }
    }
    Json::Object(spec)
}

fn default_json(default: &DefaultValue) -> Json {
    match default {
        DefaultValue::Now => json!({ "fn": "NOW" }),
        DefaultValue::UuidV4 => json!("UUIDV4"),
        DefaultValue::UuidV1 => json!("UUIDV1"),
        DefaultValue::Literal(sql) => json!({ "literal": sql }),
        DefaultValue::Value(value) => match value {
            Value::Null => Json::Null,
            Value::Bool(b) => json!(b),
            Value::Int(i) => json!(i),
            Value::Float(f) => json!(f),
            Value::Text(s) => json!(s),
            Value::Json(j) => (**j).clone(),
            other => json!(text_of(other)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::JsonMigration;
    use crate::query_interface::Operation;
    use crate::types::DataType;

    #[test]
    fn attribute_objects_are_read_back_as_written() {
        let columns = vec![
            ColumnDef::new("id", DataType::Integer)
                .primary_key()
                .auto_increment(),
            ColumnDef::new("email", DataType::String(Some(80)))
                .not_null()
                .unique(),
            ColumnDef::new("role", DataType::Enum(vec!["a".into(), "b".into()]))
                .default_value(DefaultValue::Value("a".into())),
            ColumnDef::new("seen", DataType::Date(None)).default_value(DefaultValue::Now),
            ColumnDef::new("day", DataType::DateOnly)
                .default_value(DefaultValue::Literal("CURRENT_DATE".into())),
            ColumnDef::new("key", DataType::Uuid).default_value(DefaultValue::UuidV1),
            ColumnDef::new("owner_id", DataType::BigInt)
                .comment("who")
                .references(References::new("owners", "id").on_delete(ReferentialAction::SetNull)),
        ];
        let step = json!({ "createTable": "things", "attributes": attributes(&columns) });
        let file = json!({ "up": [step], "down": [] }).to_string();
        let read = JsonMigration::parse("x.json", &file).unwrap();
        assert_eq!(read.up, [Operation::create_table("things", columns)]);
    }
}
