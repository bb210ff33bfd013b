//! [`ModelDefinition`]: a model as plain data (table, attributes, options).
//!
//! Both `#[derive(Model)]` and run-time definitions produce this type through
//! [`ModelDefinition::builder`], so the naming rules (table names, column names, timestamps)
//! live here once. `sync`, the finders and the writers read it; none of them needs the
//! model's Rust type (the split of Sequelize v7's `model-definition.ts`).

use super::index::Index;
use super::validator::{ModelValidator, Validator};
use crate::error::{Error, Result};
use crate::sql::{
    ColumnDef, Constraint, ConstraintKind, CreateTable, DefaultValue, Ident, References,
    TableOptions,
};
use crate::types::DataType;
use crate::utils::{camel_case, pluralize, snake_case};

/// One attribute of a model: its name, and the column it is stored in.
///
/// The column's options are set with the same builder as a query-interface column
/// ([`ColumnDef`]), which this wraps.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// The attribute's name (the Rust field name).
    pub name: String,
    /// The column: its name (Sequelize's `field`), type, nullability, key and default.
    pub column: ColumnDef,
    /// Whether the column name was set explicitly (then `underscored` leaves it alone).
    explicit_field: bool,
    /// The validators every written value must pass (Sequelize's `validate: { … }`).
    pub validators: Vec<Validator>,
    /// The name of the unique constraint this attribute is part of (`unique: 'name'`):
    /// attributes sharing a name are unique together.
    pub unique_key: Option<String>,
    /// Added by the definition rather than declared (a timestamp the model does not name,
    /// as Sequelize adds `createdAt`); such attributes come after the declared ones.
    implicit: bool,
}

impl Attribute {
    /// An attribute of a type; nullable unless told otherwise.
    ///
    /// ```
    /// use sequelize::{Attribute, DataType};
    /// let a = Attribute::new("email", DataType::String(None)).not_null().unique();
    /// assert!(!a.column.allow_null && a.column.unique);
    /// ```
    pub fn new(name: impl Into<String>, data_type: DataType) -> Self {
        let name = name.into();
        Attribute {
            column: ColumnDef::new(name.clone(), data_type),
            name,
            explicit_field: false,
            validators: Vec::new(),
            unique_key: None,
            implicit: false,
        }
    }

    /// Whether the definition added this attribute rather than the model declaring it (the
    /// timestamps and version Sequelize adds).
    pub fn is_implicit(&self) -> bool {
        self.implicit
    }

    /// The column's name.
    pub fn column_name(&self) -> &str {
        self.column.name.as_str()
    }

    /// Stores the attribute in a column of another name (Sequelize's `field`).
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.column.name = field.into().into();
        self.explicit_field = true;
        self
    }

    fn with_column(mut self, build: impl FnOnce(ColumnDef) -> ColumnDef) -> Self {
        self.column = build(self.column);
        self
    }

    /// Sets whether `NULL` is allowed; see [`ColumnDef::allow_null`].
    pub fn allow_null(self, allow: bool) -> Self {
        self.with_column(|c| c.allow_null(allow))
    }

    /// `allowNull: false`; see [`ColumnDef::not_null`].
    pub fn not_null(self) -> Self {
        self.with_column(ColumnDef::not_null)
    }

    /// Marks the attribute as (part of) the primary key; see [`ColumnDef::primary_key`].
    pub fn primary_key(self) -> Self {
        self.with_column(ColumnDef::primary_key)
    }

    /// A database-generated integer key; see [`ColumnDef::auto_increment`].
    pub fn auto_increment(self) -> Self {
        self.with_column(ColumnDef::auto_increment)
    }

    /// `unique: true`; see [`ColumnDef::unique`].
    pub fn unique(self) -> Self {
        self.with_column(ColumnDef::unique)
    }

    /// `defaultValue`; see [`ColumnDef::default_value`].
    pub fn default_value(self, default: DefaultValue) -> Self {
        self.with_column(|c| c.default_value(default))
    }

    /// `unique: 'name'`: unique together with the other attributes of the same name (a
    /// composite unique constraint of that name).
    ///
    /// ```
    /// use sequelize::{Attribute, DataType};
    /// let a = Attribute::new("user_id", DataType::Integer).unique_key("user_role");
    /// assert_eq!(a.unique_key.as_deref(), Some("user_role"));
    /// ```
    pub fn unique_key(mut self, name: impl Into<String>) -> Self {
        self.unique_key = Some(name.into());
        self
    }

    /// `comment`; see [`ColumnDef::comment`].
    pub fn comment(self, comment: impl Into<String>) -> Self {
        self.with_column(|c| c.comment(comment))
    }

    /// `references` with `onDelete`/`onUpdate`: a foreign key; see
    /// [`ColumnDef::references`].
    ///
    /// ```
    /// use sequelize::{Attribute, DataType, sql::{References, ReferentialAction}};
    /// let author = Attribute::new("author_id", DataType::Integer)
    ///     .references(References::new("Users", "id").on_delete(ReferentialAction::Cascade));
    /// assert!(author.column.references.is_some());
    /// ```
    pub fn references(self, references: References) -> Self {
        self.with_column(|c| c.references(references))
    }

    /// Adds a validator (one entry of Sequelize's `validate: { … }`); every value written to
    /// the attribute must pass it, before any SQL is sent.
    ///
    /// ```
    /// use sequelize::{model::Validator, Attribute, DataType};
    /// let password = Attribute::new("password", DataType::String(None))
    ///     .not_null()
    ///     .validate(Validator::len(8, 100));
    /// assert_eq!(password.validators[0].key(), "len");
    /// ```
    pub fn validate(mut self, validator: Validator) -> Self {
        self.validators.push(validator);
        self
    }
}

/// A model: its name, table, attributes and the positions of its special attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelDefinition {
    /// The model's name (`User`).
    pub name: String,
    /// The table (`Users` by Sequelize's default, or as configured).
    pub table_name: String,
    /// The attributes, in declaration order; rows are read in this order.
    pub attributes: Vec<Attribute>,
    /// Positions of the primary-key attributes.
    pub primary_key: Vec<usize>,
    /// Position of the `createdAt` attribute, when timestamps are on (and it is not disabled).
    pub created_at: Option<usize>,
    /// Position of the `updatedAt` attribute, when timestamps are on (and it is not disabled).
    pub updated_at: Option<usize>,
    /// Position of the `deletedAt` attribute of a paranoid model (`paranoid: true`): destroy
    /// sets it instead of deleting the row, and finders skip rows where it is set.
    pub deleted_at: Option<usize>,
    /// Column names are snake_case (Sequelize's `underscored`).
    pub underscored: bool,
    /// Position of the version attribute of optimistic locking (`version: true`): every save
    /// increments it, and a save of a stale instance fails.
    pub version: Option<usize>,
    /// Validators of the whole row (the model option `validate`).
    pub validators: Vec<ModelValidator>,
    /// The indexes `sync` creates (`indexes: [...]`).
    pub indexes: Vec<Index>,
    /// The table's comment and MySQL storage options (`comment`, `engine`, `charset`,
    /// `collate`).
    pub table_options: TableOptions,
    /// `omitNull`: `NULL` values are left out of `INSERT` and `UPDATE` statements (the
    /// database's default applies instead).
    pub omit_null: bool,
    /// `schema`: the schema the table is in (PostgreSQL's schemas, MySQL's databases; on
    /// SQLite the table is named `schema.table`); the connection's own when `None`.
    pub schema: Option<String>,
    /// The position of the first attribute the definition added (the length when none),
    /// found once: rows are split there for every instance read.
    implicit_from: usize,
}

impl ModelDefinition {
    /// Starts a definition, as `sequelize.define(name, attributes, options)`.
    ///
    /// ```
    /// use sequelize::{Attribute, DataType, ModelDefinition};
    /// let def = ModelDefinition::builder("BlogPost")
    ///     .attribute(Attribute::new("id", DataType::Integer).primary_key().auto_increment())
    ///     .attribute(Attribute::new("view_count", DataType::Integer))
    ///     .attribute(Attribute::new("created_at", DataType::Date(None)))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(def.table_name, "BlogPosts");          // pluralized, as in Sequelize
    /// assert_eq!(def.attributes[1].column_name(), "viewCount");  // camelCase by default
    /// assert_eq!(def.created_at, Some(2));
    /// assert!(def.attributes[0].column.auto_increment);    // a lone integer key
    /// ```
    pub fn builder(name: impl Into<String>) -> DefinitionBuilder {
        DefinitionBuilder {
            name: name.into(),
            table_name: None,
            freeze_table_name: false,
            underscored: false,
            timestamps: true,
            paranoid: false,
            created_at: Some("created_at".into()),
            updated_at: Some("updated_at".into()),
            deleted_at: "deleted_at".into(),
            version: None,
            attributes: Vec::new(),
            validators: Vec::new(),
            indexes: Vec::new(),
            table_options: TableOptions::default(),
            omit_null: false,
            schema: None,
        }
    }

    /// The attribute at a position.
    pub fn attribute(&self, index: usize) -> &Attribute {
        &self.attributes[index]
    }

    /// The position of an attribute, by attribute name or column name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.attributes
            .iter()
            .position(|a| a.name == name)
            .or_else(|| self.attributes.iter().position(|a| a.column_name() == name))
    }

    /// The model's table, in its schema.
    ///
    /// ```
    /// use sequelize::{Attribute, DataType, ModelDefinition};
    /// let def = ModelDefinition::builder("Event")
    ///     .attribute(Attribute::new("id", DataType::Integer))
    ///     .schema("analytics")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!((def.table().as_str(), def.table().schema()), ("Events", Some("analytics")));
    /// ```
    pub fn table(&self) -> Ident {
        Ident::from(self.table_name.clone()).in_schema(self.schema.clone())
    }

    /// The positions of the attributes the definition added (after the declared ones): a
    /// typed model's struct holds the declared ones, its instance the others.
    ///
    /// ```
    /// use sequelize::{Attribute, DataType, ModelDefinition};
    /// let def = ModelDefinition::builder("Tag")
    ///     .attribute(Attribute::new("id", DataType::Integer))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(def.implicit_attributes(), 1..3);          // createdAt, updatedAt
    /// assert_eq!(def.attributes[1].column_name(), "createdAt");
    /// ```
    pub fn implicit_attributes(&self) -> std::ops::Range<usize> {
        self.implicit_from..self.attributes.len()
    }

    /// The `CREATE TABLE` of this model: its columns, its composite unique keys (attributes
    /// sharing a `unique_key` name), its comment and storage options.
    ///
    /// ```
    /// use sequelize::{Attribute, DataType, ModelDefinition, sql::ConstraintKind};
    /// let def = ModelDefinition::builder("UserRole")
    ///     .attribute(Attribute::new("id", DataType::Integer))
    ///     .attribute(Attribute::new("user_id", DataType::Integer).unique_key("user_role"))
    ///     .attribute(Attribute::new("role_id", DataType::Integer).unique_key("user_role"))
    ///     .build()
    ///     .unwrap();
    /// let create = def.create_table();
    /// assert!(matches!(&create.constraints[0].kind, ConstraintKind::Unique(columns) if columns.len() == 2));
    /// ```
    pub fn create_table(&self) -> CreateTable {
        let mut constraints: Vec<Constraint> = Vec::new();
        for attribute in &self.attributes {
            let Some(name) = &attribute.unique_key else {
                continue;
            };
            let column = attribute.column.name.clone();
            let key = constraints.iter_mut().find(|k| k.name.as_str() == name);
            match key.map(|k| &mut k.kind) {
                Some(ConstraintKind::Unique(columns)) => columns.push(column),
                _ => constraints.push(Constraint::new(
                    name.clone(),
                    ConstraintKind::Unique(vec![column]),
                )),
            }
        }
        CreateTable {
            constraints,
            options: self.table_options.clone(),
            ..CreateTable::new(
                self.table(),
                self.attributes.iter().map(|a| a.column.clone()).collect(),
            )
        }
    }

    /// The single primary-key attribute's position, or an error naming the model.
    pub fn single_primary_key(&self) -> Result<usize> {
        match self.primary_key.as_slice() {
            [one] => Ok(*one),
            [] => Err(Error::InvalidQuery(format!(
                "model {} has no primary key",
                self.name
            ))),
            _ => Err(Error::InvalidQuery(format!(
                "model {} has a composite primary key; filter on each key column",
                self.name
            ))),
        }
    }
}

/// Builds a [`ModelDefinition`]; see [`ModelDefinition::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct DefinitionBuilder {
    name: String,
    table_name: Option<String>,
    freeze_table_name: bool,
    underscored: bool,
    timestamps: bool,
    paranoid: bool,
    created_at: Option<String>,
    updated_at: Option<String>,
    deleted_at: String,
    version: Option<String>,
    attributes: Vec<Attribute>,
    validators: Vec<ModelValidator>,
    indexes: Vec<Index>,
    table_options: TableOptions,
    omit_null: bool,
    schema: Option<String>,
}

impl DefinitionBuilder {
    /// The table name (`tableName`).
    pub fn table_name(mut self, table: impl Into<String>) -> Self {
        self.table_name = Some(table.into());
        self
    }

    /// Use the model name as the table name, unpluralized (`freezeTableName`).
    pub fn freeze_table_name(mut self, freeze: bool) -> Self {
        self.freeze_table_name = freeze;
        self
    }

    /// snake_case column and table names (`underscored`).
    pub fn underscored(mut self, underscored: bool) -> Self {
        self.underscored = underscored;
        self
    }

    /// Maintain `createdAt`/`updatedAt` (`timestamps`, default on). The attributes are the
    /// ones named `created_at` and `updated_at` (see [`created_at`](Self::created_at));
    /// a model that does not declare them gets them anyway, as Sequelize adds them (a typed
    /// model's instance holds them: `instance.get("created_at")`).
    pub fn timestamps(mut self, timestamps: bool) -> Self {
        self.timestamps = timestamps;
        self
    }

    /// The attribute that holds the creation time (`createdAt: 'inserted_at'`).
    pub fn created_at(mut self, attribute: impl Into<String>) -> Self {
        self.created_at = Some(attribute.into());
        self
    }

    /// No creation time (`createdAt: false`), the other timestamps kept.
    ///
    /// ```
    /// use sequelize::{Attribute, DataType, ModelDefinition};
    /// let def = ModelDefinition::builder("Event")
    ///     .attribute(Attribute::new("id", DataType::Integer))
    ///     .without_created_at()
    ///     .build()
    ///     .unwrap();
    /// assert_eq!((def.created_at, def.updated_at), (None, Some(1)));
    /// ```
    pub fn without_created_at(mut self) -> Self {
        self.created_at = None;
        self
    }

    /// No last-update time (`updatedAt: false`), the other timestamps kept.
    pub fn without_updated_at(mut self) -> Self {
        self.updated_at = None;
        self
    }

    /// The attribute that holds the last update time.
    pub fn updated_at(mut self, attribute: impl Into<String>) -> Self {
        self.updated_at = Some(attribute.into());
        self
    }

    /// Soft deletes (`paranoid`): destroy sets the `deleted_at` attribute (see
    /// [`deleted_at`](Self::deleted_at)) instead of deleting the row, finders skip such rows
    /// unless asked, and `restore` clears it. Needs timestamps and that attribute.
    pub fn paranoid(mut self, paranoid: bool) -> Self {
        self.paranoid = paranoid;
        self
    }

    /// Optimistic locking (`version: true`, or `version: 'name'`): the integer attribute
    /// that counts the saves of a row. A save updates the row only where it still has the
    /// instance's version, and increments it; a stale instance's save is
    /// [`Error::OptimisticLock`](crate::Error::OptimisticLock).
    pub fn version(mut self, attribute: impl Into<String>) -> Self {
        self.version = Some(attribute.into());
        self
    }

    /// Adds a validator of the whole row (the model option `validate`).
    pub fn validate(mut self, validator: ModelValidator) -> Self {
        self.validators.push(validator);
        self
    }

    /// The attribute that holds the deletion time of a paranoid model (`deletedAt`).
    pub fn deleted_at(mut self, attribute: impl Into<String>) -> Self {
        self.deleted_at = attribute.into();
        self
    }

    /// Adds an index (one entry of `indexes: [...]`), created by `sync`.
    ///
    /// ```
    /// use sequelize::{model::Index, Attribute, DataType, ModelDefinition};
    /// let def = ModelDefinition::builder("Post")
    ///     .attribute(Attribute::new("slug", DataType::String(None)))
    ///     .index(Index::on(["slug"]).unique())
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(def.indexes.len(), 1);
    /// ```
    pub fn index(mut self, index: Index) -> Self {
        self.indexes.push(index);
        self
    }

    /// The table's comment (`comment`).
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.table_options.comment = Some(comment.into());
        self
    }

    /// MySQL's storage engine (`engine: 'MYISAM'`); the other databases have none.
    pub fn engine(mut self, engine: impl Into<String>) -> Self {
        self.table_options.engine = Some(engine.into());
        self
    }

    /// MySQL's default character set of the table (`charset`).
    pub fn charset(mut self, charset: impl Into<String>) -> Self {
        self.table_options.charset = Some(charset.into());
        self
    }

    /// MySQL's default collation of the table (`collate`).
    pub fn collate(mut self, collate: impl Into<String>) -> Self {
        self.table_options.collate = Some(collate.into());
        self
    }

    /// `omitNull`: leave `NULL` values out of `INSERT` and `UPDATE`.
    pub fn omit_null(mut self, omit: bool) -> Self {
        self.omit_null = omit;
        self
    }

    /// `schema`: the schema the table is in; see [`ModelDefinition::schema`].
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// Adds an attribute.
    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    /// Finishes the definition: derives column and table names, finds the key and the
    /// timestamps, and checks the result.
    pub fn build(self) -> Result<ModelDefinition> {
        let model = self.name;
        if self.attributes.is_empty() {
            return Err(Error::Config(format!("model {model} has no attributes")));
        }
        let mut attributes = self.attributes;
        // Sequelize adds the key, the timestamps (and the version) a model does not declare.
        let mut implied: Vec<Attribute> = Vec::new();
        if !attributes.iter().any(|a| a.column.primary_key) {
            implied.push(Attribute::new("id", DataType::Integer));
        }
        if self.timestamps {
            for name in [&self.created_at, &self.updated_at].into_iter().flatten() {
                implied.push(Attribute::new(name.clone(), DataType::Date(None)).not_null());
            }
            if self.paranoid {
                implied.push(Attribute::new(
                    self.deleted_at.clone(),
                    DataType::Date(None),
                ));
            }
        }
        if let Some(version) = &self.version {
            implied.push(
                Attribute::new(version.clone(), DataType::Integer)
                    .not_null()
                    .default_value(DefaultValue::Value(crate::Value::Int(0))),
            );
        }
        for mut attribute in implied {
            if !attributes.iter().any(|a| a.name == attribute.name) {
                attribute.implicit = true;
                attributes.push(attribute);
            }
        }
        for a in &mut attributes {
            if !a.explicit_field {
                let column = if self.underscored {
                    snake_case(&a.name)
                } else {
                    camel_case(&a.name)
                };
                a.column.name = column.into();
            }
        }
        for a in &attributes {
            if let Some(why) = a.validators.iter().find_map(Validator::problem) {
                return Err(Error::Config(format!(
                    "model {model}, attribute {}: {why}",
                    a.name
                )));
            }
        }
        for (i, a) in attributes.iter().enumerate() {
            if let Some(dup) = attributes[..i]
                .iter()
                .find(|b| b.column_name() == a.column_name())
            {
                return Err(Error::Config(format!(
                    "model {model}: attributes {} and {} both map to column {:?}",
                    dup.name,
                    a.name,
                    a.column_name()
                )));
            }
        }
        let mut primary_key: Vec<usize> = attributes
            .iter()
            .enumerate()
            .filter(|(_, a)| a.column.primary_key)
            .map(|(i, _)| i)
            .collect();
        if primary_key.is_empty() {
            // Sequelize's implicit `id` primary key.
            if let Some(i) = attributes.iter().position(|a| a.name == "id") {
                attributes[i] = attributes[i].clone().primary_key();
                primary_key.push(i);
            }
        }
        // A lone integer key without a default is generated by the database, as Sequelize's
        // `id` is (`autoIncrement: true`).
        if let [key] = primary_key.as_slice() {
            let key = &mut attributes[*key].column;
            if key.data_type.is_integer() && key.default.is_none() {
                key.auto_increment = true;
            }
        }
        let find = |name: &str| {
            self.timestamps
                .then(|| attributes.iter().position(|a| a.name == name))
                .flatten()
        };
        let created_at = self.created_at.as_deref().and_then(find);
        let updated_at = self.updated_at.as_deref().and_then(find);
        let deleted_at = match (self.paranoid, self.timestamps) {
            (false, _) => None,
            (true, false) => {
                return Err(Error::Config(format!(
                    "model {model} is paranoid without timestamps; paranoid needs them, as in \
                     Sequelize"
                )))
            }
            (true, true) => {
                let index = find(&self.deleted_at).ok_or_else(|| {
                    Error::Config(format!(
                        "model {model} is paranoid but has no attribute {:?} for the \
                         deletion time",
                        self.deleted_at
                    ))
                })?;
                if !attributes[index].column.allow_null {
                    return Err(Error::Config(format!(
                        "model {model}: the deletion time {:?} must allow NULL (an \
                         Option<DateTime<Utc>>): NULL is what marks a row as not deleted",
                        self.deleted_at
                    )));
                }
                Some(index)
            }
        };
        let version = match &self.version {
            None => None,
            Some(name) => {
                let index = attributes.iter().position(|a| a.name == *name);
                let integer = index.filter(|&i| attributes[i].column.data_type.is_integer());
                Some(integer.ok_or_else(|| {
                    Error::Config(format!(
                        "model {model} has optimistic locking but no integer attribute {name:?} \
                         for the version"
                    ))
                })?)
            }
        };
        let table_name = match self.table_name {
            Some(t) => t,
            None if self.freeze_table_name => model.clone(),
            None if self.underscored => snake_case(&pluralize(&model)),
            None => pluralize(&model),
        };
        let def = ModelDefinition {
            name: model,
            table_name,
            attributes,
            primary_key,
            created_at,
            updated_at,
            deleted_at,
            underscored: self.underscored,
            version,
            validators: self.validators,
            indexes: self.indexes,
            table_options: self.table_options,
            omit_null: self.omit_null,
            schema: self.schema,
            implicit_from: 0,
        };
        let mut def = def;
        def.implicit_from = (def.attributes.iter())
            .position(Attribute::is_implicit)
            .unwrap_or(def.attributes.len());
        for index in &def.indexes {
            index.statement(&def)?;
        }
        Ok(def)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underscored_definitions() {
        let def = ModelDefinition::builder("BlogPost")
            .underscored(true)
            .attribute(Attribute::new("id", DataType::Integer))
            .attribute(Attribute::new("view_count", DataType::Integer))
            .attribute(Attribute::new("title", DataType::Text).field("headline"))
            .build()
            .unwrap();
        assert_eq!(def.table_name, "blog_posts");
        assert_eq!(def.attributes[1].column_name(), "view_count");
        assert_eq!(def.attributes[2].column_name(), "headline");
        assert_eq!(def.primary_key, vec![0]);
    }

    #[test]
    fn duplicate_columns_are_rejected() {
        let err = ModelDefinition::builder("X")
            .attribute(Attribute::new("a", DataType::Integer).field("c"))
            .attribute(Attribute::new("b", DataType::Integer).field("c"))
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("both map to column"), "{err}");
    }
}
