//! Models defined at run time: `db.define_dynamic("User", attributes, options)`, Sequelize's
//! `sequelize.define`. They produce the same [`ModelDefinition`] a derived model does and go
//! through the same planner and writes; their instances hold values by attribute name.

use std::any::TypeId;
use std::sync::Arc;

use async_stream::try_stream;
use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, StreamExt};

use super::accessors::Virtual;
use super::association::loaded::{collection_of, not_included, Loaded};
use super::association::{eager, Include, IncludeAll};
use super::convert::to_attribute_type;
use super::definition::{Attribute, DefinitionBuilder, ModelDefinition};
use super::finder::FinderOptions;
use super::hooks::{Hook, HookContext};
use super::index::Index;
use super::planner::{self, FindOptions};
use super::runtime::{ModelRef, ModelRuntime, Registry};
use super::scopes::Scope;
use super::validator::ModelValidator;
use super::write::{
    self, run_row_hooks, Destroy, Dynamic, HookedRow, Restore, RowData, SaveOptions, Truncate,
    UpdateRows,
};
use super::{run, stream_rows};
use crate::connection::{Executor, ExecutorRef, Sequelize};
use crate::error::{Error, Result};
use crate::sql::{DefaultValue, Expr};
use crate::types::DataType;
use crate::value::{FromValue, Value};

/// The options of a model defined at run time, as Sequelize's `define` takes them; the same
/// options `#[model(...)]` gives a derived model.
///
/// ```
/// let options = sequelize::ModelOptions { table_name: Some("people".into()), underscored: true, ..Default::default() };
/// assert!(options.timestamps);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ModelOptions {
    /// `tableName`.
    pub table_name: Option<String>,
    /// `freezeTableName`: the model name, unpluralized, is the table name.
    pub freeze_table_name: bool,
    /// `underscored`: snake_case column and table names.
    pub underscored: bool,
    /// `timestamps` (default true): maintain the `created_at`/`updated_at` attributes.
    pub timestamps: bool,
    /// `createdAt`: the attribute that holds the creation time (default `created_at`), or
    /// none.
    pub created_at: Option<TimestampOption>,
    /// `updatedAt`: the attribute that holds the last update time (default `updated_at`),
    /// or none.
    pub updated_at: Option<TimestampOption>,
    /// `paranoid`: destroy sets the deletion time instead of deleting the row.
    pub paranoid: bool,
    /// `deletedAt`: the attribute that holds the deletion time (default `deleted_at`).
    pub deleted_at: Option<String>,
    /// `validate`: validators of the whole row.
    pub validate: Vec<ModelValidator>,
    /// `version`: optimistic locking on this integer attribute.
    pub version: Option<String>,
    /// `indexes`: the indexes `sync` creates.
    pub indexes: Vec<Index>,
    /// `comment`: the table's comment.
    pub comment: Option<String>,
    /// `engine`: MySQL's storage engine.
    pub engine: Option<String>,
    /// `charset`: MySQL's default character set of the table.
    pub charset: Option<String>,
    /// `collate`: MySQL's default collation of the table.
    pub collate: Option<String>,
    /// `omitNull`: leave `NULL` values out of `INSERT` and `UPDATE`.
    pub omit_null: bool,
    /// `schema`: the schema the table is in (PostgreSQL's schemas, MySQL's databases; the
    /// table `schema.table` on SQLite).
    pub schema: Option<String>,
}

/// `createdAt: 'inserted_at'` or `createdAt: false` (and the same for `updatedAt`).
///
/// ```
/// use sequelize::model::TimestampOption;
/// let options = sequelize::ModelOptions {
///     created_at: Some(TimestampOption::Rename("inserted_at".into())),
///     updated_at: Some(TimestampOption::Disable),
///     ..Default::default()
/// };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimestampOption {
    /// The attribute of this name holds the time.
    Rename(String),
    /// No such timestamp.
    Disable,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            table_name: None,
            freeze_table_name: false,
            underscored: false,
            timestamps: true,
            created_at: None,
            updated_at: None,
            paranoid: false,
            deleted_at: None,
            validate: Vec::new(),
            version: None,
            indexes: Vec::new(),
            comment: None,
            engine: None,
            charset: None,
            collate: None,
            omit_null: false,
            schema: None,
        }
    }
}

/// A builder method that takes one value.
type Apply<T> = fn(DefinitionBuilder, T) -> DefinitionBuilder;

impl Sequelize {
    /// Defines a model at run time (`sequelize.define(name, attributes, options)`): the same
    /// definition rules, planner and writes as `#[derive(Model)]`, with instances that hold
    /// their values by attribute name.
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// use sequelize::prelude::*;
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// let user = db.define_dynamic(
    ///     "User",
    ///     [
    ///         Attribute::new("id", DataType::Integer),
    ///         Attribute::new("email", DataType::String(None)).not_null().unique(),
    ///         Attribute::new("age", DataType::Integer),
    ///     ],
    ///     ModelOptions { timestamps: false, ..Default::default() },
    /// )?;
    /// db.sync(SyncOptions::default()).await?;
    /// let ann = user.create([("email", Value::from("ann@example.com")), ("age", 41.into())]).exec(&db).await?;
    /// assert_eq!(ann.get::<i64>("id")?, 1);
    /// let adults = user.find_all().filter(col("age").gte(18)).exec(&db).await?;
    /// assert_eq!(adults[0].get::<String>("email")?, "ann@example.com");
    /// assert_eq!(serde_json::to_value(&adults[0]).unwrap()["age"], 41);
    /// // Without a key, the model gets Sequelize's implicit `id`.
    /// let tag = db.define_dynamic("Tag", [Attribute::new("name", DataType::String(None))], ModelOptions::default())?;
    /// assert_eq!(tag.definition().attributes[0].name, "id");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn define_dynamic(
        &self,
        name: impl Into<String>,
        attributes: impl IntoIterator<Item = Attribute>,
        options: ModelOptions,
    ) -> Result<DynModel> {
        let mut builder = ModelDefinition::builder(name)
            .freeze_table_name(options.freeze_table_name)
            .underscored(options.underscored)
            .timestamps(options.timestamps)
            .paranoid(options.paranoid)
            .omit_null(options.omit_null);
        for index in options.indexes {
            builder = builder.index(index);
        }
        for validator in options.validate {
            builder = builder.validate(validator);
        }
        // Each option given, through the builder method of the same name.
        let named = [
            (options.comment, DefinitionBuilder::comment as Apply<String>),
            (options.engine, DefinitionBuilder::engine),
            (options.charset, DefinitionBuilder::charset),
            (options.collate, DefinitionBuilder::collate),
            (options.version, DefinitionBuilder::version),
            (options.table_name, DefinitionBuilder::table_name),
            (options.deleted_at, DefinitionBuilder::deleted_at),
            (options.schema, DefinitionBuilder::schema),
        ];
        for (value, apply) in named {
            if let Some(value) = value {
                builder = apply(builder, value);
            }
        }
        let timestamps = [
            (
                options.created_at,
                DefinitionBuilder::created_at as Apply<String>,
                DefinitionBuilder::without_created_at as fn(_) -> _,
            ),
            (
                options.updated_at,
                DefinitionBuilder::updated_at,
                DefinitionBuilder::without_updated_at,
            ),
        ];
        for (option, rename, disable) in timestamps {
            builder = match option {
                Some(TimestampOption::Rename(name)) => rename(builder, name),
                Some(TimestampOption::Disable) => disable(builder),
                None => builder,
            };
        }
        let attributes: Vec<Attribute> = attributes.into_iter().collect();
        // Sequelize adds an `id` key when the model declares none.
        let keyless = !attributes
            .iter()
            .any(|a| a.column.primary_key || a.name == "id");
        if keyless {
            builder = builder.attribute(Attribute::new("id", DataType::Integer));
        }
        for attribute in attributes {
            builder = builder.attribute(attribute);
        }
        let runtime = Registry::of(self).define(
            builder.build()?,
            TypeId::of::<DynInstance>(),
            false,
            run_row_hooks::<DynInstance>,
            collection_of::<DynInstance>,
        )?;
        Ok(DynModel { runtime })
    }

    /// A model defined on this instance, by name (`sequelize.model('User')`), as a dynamic
    /// model; derived models are found too.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// struct Tag { id: i64, name: String }
    /// let db = Sequelize::new(Options { url: Some("sqlite::memory:".into()), ..Default::default() }).unwrap();
    /// db.define::<Tag>().register().unwrap();
    /// assert_eq!(db.model("Tag").unwrap().definition().table_name, "Tags");
    /// assert!(db.model("Post").is_none());
    /// ```
    pub fn model(&self, name: &str) -> Option<DynModel> {
        Registry::of(self)
            .named(name)
            .map(|runtime| DynModel { runtime })
    }
}

/// A model defined at run time (or looked up by name): Sequelize's model class, with its
/// static methods. Cheap to clone.
#[derive(Debug, Clone)]
pub struct DynModel {
    runtime: Arc<ModelRuntime>,
}

impl DynModel {
    /// A model's runtime as a dynamic model (a join model, for the mixins).
    pub(crate) fn of(runtime: Arc<ModelRuntime>) -> DynModel {
        DynModel { runtime }
    }

    /// The model's runtime on its Sequelize instance: its hooks, scopes and associations.
    pub fn runtime(&self) -> &Arc<ModelRuntime> {
        &self.runtime
    }

    /// The model's definition.
    pub fn definition(&self) -> &ModelDefinition {
        self.runtime.definition()
    }

    /// Adds a hook under `name` (`Model.addHook`): an `async` function of the instance
    /// ([`DynInstance`]: `get`/`set` by name) and a [`HookContext`]; see
    /// [`Hook`] for the moments.
    ///
    /// ```
    /// use sequelize::{model::Hook, prelude::*};
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// let post = db.define_dynamic(
    ///     "Post",
    ///     [Attribute::new("title", DataType::String(None)), Attribute::new("slug", DataType::String(None))],
    ///     ModelOptions::default(),
    /// )?;
    /// post.add_hook(Hook::BeforeCreate, "slug", |post, _| Box::pin(async move {
    ///     let slug = post.get::<String>("title")?.to_lowercase().replace(' ', "-");
    ///     post.set("slug", slug)
    /// }))?;
    /// db.sync(SyncOptions::default()).await?;
    /// let hello = post.create([("title", Value::from("Hello World"))]).exec(&db).await?;
    /// assert_eq!(hello.get::<String>("slug")?, "hello-world");
    /// assert!(post.remove_hook(Hook::BeforeCreate, "slug"));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn add_hook(
        &self,
        hook: Hook,
        name: &str,
        run: impl for<'a> Fn(&'a mut DynInstance, &'a HookContext<'a>) -> BoxFuture<'a, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Result<()> {
        self.runtime.add_hook::<DynInstance>(hook, name, run)
    }

    /// Adds a hook on the operation's [`FindOptions`] under `name`: `BeforeFind`,
    /// `BeforeCount`, and the static writes' `BeforeBulkUpdate`, `AfterBulkUpdate`,
    /// `BeforeBulkDestroy`, `AfterBulkDestroy`, `BeforeBulkRestore`, `AfterBulkRestore`
    /// (their filter); see [`Hook`].
    pub fn add_find_hook(
        &self,
        hook: Hook,
        name: &str,
        run: impl for<'a> Fn(&'a mut FindOptions, &'a HookContext<'a>) -> BoxFuture<'a, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Result<()> {
        self.runtime.add_hook::<FindOptions>(hook, name, run)
    }

    /// Adds a virtual attribute (`name: { type: DataTypes.VIRTUAL, get() { … } }`): not
    /// stored, computed from the instance whenever it is read (`get`, the JSON). A finder
    /// asked for it (`attributes([name])`) reads the attributes it `depends` on.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// let user = db.define_dynamic("User", [
    ///     Attribute::new("first_name", DataType::String(None)),
    ///     Attribute::new("last_name", DataType::String(None)),
    /// ], ModelOptions::default())?;
    /// user.add_virtual("full_name", ["first_name", "last_name"], |u| {
    ///     Ok(format!("{} {}", u.get::<String>("first_name")?, u.get::<String>("last_name")?).into())
    /// })?;
    /// db.sync(SyncOptions::default()).await?;
    /// user.create([("first_name", Value::from("Jane")), ("last_name", "Doe".into())]).exec(&db).await?;
    /// let jane = user.find_all().attributes(["full_name"]).exec(&db).await?.remove(0);
    /// assert_eq!(jane.get::<String>("full_name")?, "Jane Doe");
    /// assert_eq!(serde_json::to_value(&jane).unwrap()["full_name"], "Jane Doe");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn add_virtual<S: Into<String>>(
        &self,
        name: &str,
        depends: impl IntoIterator<Item = S>,
        get: impl Fn(&DynInstance) -> Result<Value> + Send + Sync + 'static,
    ) -> Result<()> {
        let def = self.definition();
        if def.position(name).is_some() {
            return Err(Error::Config(format!(
                "model {}: {name:?} is a stored attribute, not a virtual one",
                def.name
            )));
        }
        let depends: Vec<String> = depends.into_iter().map(Into::into).collect();
        for dependency in &depends {
            self.position(dependency)?;
        }
        self.runtime.accessors().add_virtual(Virtual {
            name: name.to_owned(),
            depends,
            get: Arc::new(get),
        });
        Ok(())
    }

    /// Adds a getter to an attribute (`get() { return … this.getDataValue(…) }`): every
    /// value read from its column is held as the getter returns it (what is stored stays as
    /// it is until the attribute is changed and saved).
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// let card = db.define_dynamic("Card", [Attribute::new("number", DataType::String(None))], ModelOptions::default())?;
    /// card.add_getter("number", |v| Ok(match v {
    ///     Value::Text(n) => Value::Text(format!("**** {}", &n[n.len().saturating_sub(4)..])),
    ///     other => other,
    /// }))?;
    /// db.sync(SyncOptions::default()).await?;
    /// card.create([("number", Value::from("4111111111111111"))]).exec(&db).await?;
    /// let read = card.find_all().exec(&db).await?.remove(0);
    /// assert_eq!(read.get::<String>("number")?, "**** 1111");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn add_getter(
        &self,
        attribute: &str,
        get: impl Fn(Value) -> Result<Value> + Send + Sync + 'static,
    ) -> Result<()> {
        let index = self.position(attribute)?;
        self.runtime.accessors().add_getter(index, Arc::new(get));
        Ok(())
    }

    /// Adds a setter to an attribute (`set(value) { this.setDataValue(…) }`): every value
    /// assigned to it (`build`, `create`, `set`, `update`) is stored as the setter returns
    /// it, before validation; an error refuses the assignment.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// let user = db.define_dynamic("User", [Attribute::new("email", DataType::String(None))], ModelOptions::default())?;
    /// user.add_setter("email", |v| Ok(match v {
    ///     Value::Text(email) => Value::Text(email.trim().to_lowercase()),
    ///     other => other,
    /// }))?;
    /// let ann = user.build([("email", Value::from(" Ann@X.io "))])?;
    /// assert_eq!(ann.get::<String>("email")?, "ann@x.io");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn add_setter(
        &self,
        attribute: &str,
        set: impl Fn(Value) -> Result<Value> + Send + Sync + 'static,
    ) -> Result<()> {
        let index = self.position(attribute)?;
        self.runtime.accessors().add_setter(index, Arc::new(set));
        Ok(())
    }

    /// Removes the hook added under `name` (`Model.removeHook`); whether there was one.
    pub fn remove_hook(&self, hook: Hook, name: &str) -> bool {
        self.runtime.remove_hook(hook, name)
    }

    /// Creates the model's table if it does not exist (`Model.sync()`), as
    /// [`ModelRuntime::sync`].
    pub async fn sync(&self, exec: &impl Executor, options: super::SyncOptions) -> Result<()> {
        self.runtime.sync(exec, options).await
    }

    /// Drops the model's table if it exists (`Model.drop()`).
    pub async fn drop_table(&self, exec: &impl Executor) -> Result<()> {
        self.runtime.drop_table(exec).await
    }

    /// Adds a scope (`Model.addScope`), as [`ModelRuntime::add_scope`].
    pub fn add_scope(&self, name: &str, scope: impl Into<Scope>, replace: bool) -> Result<()> {
        self.runtime.add_scope(name, scope, replace)
    }

    /// An instance from a row that holds the attributes at the positions `read`; the others
    /// are `NULL`.
    fn loaded(&self, values: &mut [Value], read: &[usize]) -> Result<DynInstance> {
        let def = self.definition();
        let mut row = vec![Value::Null; def.attributes.len()];
        for (value, &index) in values.iter_mut().zip(read) {
            row[index] = std::mem::take(value);
        }
        let mut row = DynRow(row);
        row.normalize(def)?;
        for (index, value) in row.0.iter_mut().enumerate() {
            *value = (self.runtime.accessors()).read(index, std::mem::take(value))?;
        }
        Ok(DynInstance {
            saved: Some(row.0.clone()),
            model: self.clone(),
            row,
            loaded: None,
        })
    }

    /// `Model.findAll()`.
    pub fn find_all(&self) -> DynFindAll {
        DynFindAll {
            model: self.clone(),
            options: FindOptions::default(),
        }
    }

    /// `Model.findOne()`.
    pub fn find_one(&self) -> DynFindOne {
        DynFindOne(self.find_all())
    }

    /// `Model.findByPk(key)`; the key is converted to the key attribute's type.
    pub fn find_by_pk(&self, key: impl Into<Value>) -> Result<DynFindOne> {
        let def = self.definition();
        let key_attribute = &def.attributes[def.single_primary_key()?];
        let key = key.into();
        if key.is_null() {
            return Err(Error::InvalidQuery(format!(
                "find_by_pk on {} was given NULL",
                def.name
            )));
        }
        Ok(self
            .find_one()
            .filter(Expr::column(key_attribute.name.clone()).eq(key)))
    }

    /// `Model.build(values)`: an unsaved instance, with the attributes' defaults where no
    /// value is given. Unknown attribute names are an error.
    pub fn build<K: AsRef<str>>(
        &self,
        values: impl IntoIterator<Item = (K, Value)>,
    ) -> Result<DynInstance> {
        let def = self.definition();
        let mut row: Vec<Value> = def.attributes.iter().map(initial_value).collect();
        for (name, value) in values {
            let index = self.position(name.as_ref())?;
            row[index] = self.runtime.accessors().assigned(index, value)?;
        }
        Ok(DynInstance {
            model: self.clone(),
            row: DynRow(row),
            saved: None,
            loaded: None,
        })
    }

    /// `Model.create(values)`: [`build`](Self::build), then insert on [`exec`](DynCreate::exec).
    pub fn create<K: AsRef<str>>(&self, values: impl IntoIterator<Item = (K, Value)>) -> DynCreate {
        DynCreate(self.build(values))
    }

    /// `Model.truncate()`: empties the table (soft-deletes every row of a paranoid model
    /// unless forced).
    pub fn truncate(&self) -> Truncate {
        Truncate::new(ModelRef::Runtime(Arc::clone(&self.runtime)))
    }

    /// `Model.destroy({ where })`; a filter is required. Soft-deletes on a paranoid model.
    pub fn destroy(&self) -> Destroy {
        Destroy::new(ModelRef::Runtime(Arc::clone(&self.runtime)))
    }

    /// `Model.update(values, { where })`, `increment`, `decrement`, with attributes named at
    /// run time.
    pub fn update(&self) -> UpdateRows<Dynamic> {
        UpdateRows::new(ModelRef::Runtime(Arc::clone(&self.runtime)))
    }

    /// `Model.restore({ where })` on a paranoid model.
    pub fn restore(&self) -> Restore {
        Restore::new(ModelRef::Runtime(Arc::clone(&self.runtime)))
    }

    fn position(&self, name: &str) -> Result<usize> {
        let def = self.definition();
        def.position(name).ok_or_else(|| {
            Error::InvalidQuery(format!("model {} has no attribute {name:?}", def.name))
        })
    }
}

/// An attribute's value in a new instance, as `Model.build` fills it: its default (a constant,
/// the current time, a new UUID), else `NULL` (generated keys and timestamps are filled in by
/// the insert).
fn initial_value(attribute: &Attribute) -> Value {
    match &attribute.column.default {
        Some(DefaultValue::Value(value)) => value.clone(),
        Some(DefaultValue::Now) => planner::now(),
        Some(generated @ (DefaultValue::UuidV4 | DefaultValue::UuidV1)) => {
            generated.generate().unwrap_or(Value::Null)
        }
        // The database's own expression: read back after the insert.
        Some(DefaultValue::Literal(_)) | None => Value::Null,
    }
}

/// `findAll` / `findOne` / `findByPk` on a [`DynModel`]; the shared options are
/// [`FinderOptions`], plus `attributes`, `group`, `having` and `distinct`.
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct DynFindAll {
    model: DynModel,
    options: FindOptions,
}

impl FinderOptions for DynFindAll {
    fn options(&self) -> &FindOptions {
        &self.options
    }

    fn options_mut(&mut self) -> &mut FindOptions {
        &mut self.options
    }
}

impl DynFindAll {
    /// Loads an association with the rows (`include: [{ association: 'comments', … }]`);
    /// read them with [`DynInstance::included`].
    ///
    /// ```
    /// use sequelize::model::{AssociationKind, AssociationOptions, Include};
    /// use sequelize::prelude::*;
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// let post = db.define_dynamic("Post", [Attribute::new("title", DataType::String(None))], ModelOptions::default())?;
    /// let comment = db.define_dynamic("Comment", [Attribute::new("body", DataType::Text), Attribute::new("postId", DataType::Integer)], ModelOptions::default())?;
    /// db.associate("Post", AssociationKind::HasMany, "Comment", AssociationOptions::default().alias("comments"))?;
    /// db.sync(SyncOptions::default()).await?;
    /// let hello = post.create([("title", Value::from("Hello"))]).exec(&db).await?;
    /// comment.create([("body", Value::from("First!")), ("postId", hello.get::<i64>("id")?.into())]).exec(&db).await?;
    /// let posts = post.find_all().include(Include::new("comments")).exec(&db).await?;
    /// assert_eq!(posts[0].included("comments")?[0].get::<String>("body")?, "First!");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn include(mut self, include: Include) -> Self {
        self.options.include.push(include);
        self
    }

    /// `include: { all, nested }`; see [`FindAll::include_all`](crate::model::FindAll::include_all).
    pub fn include_all(mut self, all: IncludeAll, nested: bool) -> Self {
        self.options.include_all = Some((all, nested));
        self
    }

    /// Reads only these attributes (`attributes: ['id', 'email']`).
    pub fn attributes<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.options.attributes = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// `distinct`.
    pub fn distinct(mut self) -> Self {
        self.options.distinct = true;
        self
    }

    /// The options with each virtual attribute asked for replaced by those it depends on.
    fn expanded(model: &DynModel, mut options: FindOptions) -> FindOptions {
        if let Some(names) = options.attributes.take() {
            let accessors = model.runtime.accessors();
            let mut read: Vec<String> = Vec::with_capacity(names.len());
            for name in names {
                let wanted = match accessors.virtual_named(&name) {
                    Some(computed) => computed.depends,
                    None => vec![name],
                };
                for name in wanted {
                    if !read.contains(&name) {
                        read.push(name);
                    }
                }
            }
            options.attributes = Some(read);
        }
        options
    }

    /// Runs the query and returns the instances. Attributes not read are `NULL`.
    pub async fn exec(self, exec: &impl Executor) -> Result<Vec<DynInstance>> {
        let exec = &ExecutorRef::use_master(exec, self.options.use_master);
        let model = self.model;
        let options = DynFindAll::expanded(&model, self.options);
        let lent = ExecutorRef::of(exec);
        let options = (model.runtime)
            .planned(options, Hook::BeforeFind, lent)
            .await?;
        let hooks = options.hooks;
        let mut found = if options.include.is_empty() {
            let (select, read) = planner::select(model.definition(), options)?;
            let mut result = run(exec, &model.runtime, &mut select.into()).await?;
            (result.rows.iter_mut())
                .map(|values| model.loaded(values, &read))
                .collect::<Result<Vec<_>>>()?
        } else {
            eager::find(&model.runtime, options, lent).await?
        };
        (model.runtime)
            .run_on_rows(Hook::AfterFind, &mut found, hooks, lent)
            .await?;
        Ok(found)
    }

    /// Runs the query and yields the instances while the rows arrive, as
    /// [`FindAll::stream`](crate::model::FindAll::stream) does.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// let task = db.define_dynamic("Task", [Attribute::new("title", DataType::String(None))], ModelOptions::default())?;
    /// db.sync(SyncOptions::default()).await?;
    /// task.create([("title", Value::from("write"))]).exec(&db).await?;
    /// let titles: Vec<String> = task
    ///     .find_all()
    ///     .stream(&db)
    ///     .map(|found| found?.get::<String>("title"))
    ///     .try_collect()
    ///     .await?;
    /// assert_eq!(titles, ["write"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn stream<'a>(self, exec: &'a impl Executor) -> BoxStream<'a, Result<DynInstance>> {
        let model = self.model;
        let options = DynFindAll::expanded(&model, self.options);
        let use_master = options.use_master;
        Box::pin(try_stream! {
            let exec = &ExecutorRef::use_master(exec, use_master);
            let lent = ExecutorRef::of(exec);
            let options = (model.runtime)
                .planned(options, Hook::BeforeFind, lent)
                .await?;
            let hooks = options.hooks;
            let (select, read) = planner::select(model.definition(), options)?;
            let mut rows = stream_rows(exec, &model.runtime, &mut select.into())?;
            while let Some(batch) = rows.next().await {
                for values in batch?.iter_mut() {
                    let mut found = [model.loaded(values, &read)?];
                    (model.runtime).run_on_rows(Hook::AfterFind, &mut found, hooks, lent).await?;
                    let [found] = found;
                    yield found;
                }
            }
        })
    }
}

/// `findOne` / `findByPk` on a [`DynModel`]: like [`DynFindAll`] with `limit(1)`.
#[must_use = "a finder does nothing until exec() is awaited"]
pub struct DynFindOne(DynFindAll);

impl FinderOptions for DynFindOne {
    fn options(&self) -> &FindOptions {
        &self.0.options
    }

    fn options_mut(&mut self) -> &mut FindOptions {
        &mut self.0.options
    }
}

impl DynFindOne {
    /// Runs the query; `None` when no row matches.
    pub async fn exec(self, exec: &impl Executor) -> Result<Option<DynInstance>> {
        Ok(self.0.limit(1).exec(exec).await?.into_iter().next())
    }
}

/// `Model.create(values)` on a [`DynModel`].
#[must_use = "a create does nothing until exec() is awaited"]
pub struct DynCreate(Result<DynInstance>);

impl DynCreate {
    /// Inserts the row and returns the saved instance, with generated keys and defaults.
    pub async fn exec(self, exec: &impl Executor) -> Result<DynInstance> {
        let mut instance = self.0?;
        instance.save(exec).await?;
        Ok(instance)
    }
}

/// A dynamic instance's values, in attribute order.
#[derive(Debug, Clone, PartialEq)]
struct DynRow(Vec<Value>);

impl DynRow {
    /// Converts every value to its attribute's type (SQLite hands dates back as text,
    /// booleans as integers).
    fn normalize(&mut self, def: &ModelDefinition) -> Result<()> {
        for (value, attribute) in self.0.iter_mut().zip(&def.attributes) {
            let read = std::mem::take(value);
            *value = to_attribute_type(read, &attribute.column.data_type).map_err(|e| match e {
                Error::Decode(m) => Error::Decode(format!("{}.{}: {m}", def.name, attribute.name)),
                other => other,
            })?;
        }
        Ok(())
    }
}

impl RowData for DynRow {
    type Hooked = DynRow;

    fn hooked(&mut self) -> &mut DynRow {
        self
    }

    fn value(&self, index: usize) -> Value {
        self.0[index].clone()
    }

    fn values(&self) -> Vec<Value> {
        self.0.clone()
    }

    fn set_value(&mut self, index: usize, value: Value) -> Result<()> {
        self.0[index] = value;
        Ok(())
    }

    fn load(&mut self, values: &mut [Value]) -> Result<()> {
        for (slot, value) in self.0.iter_mut().zip(values) {
            *slot = std::mem::take(value);
        }
        Ok(())
    }
}

impl HookedRow for DynInstance {
    fn decode(runtime: &Arc<ModelRuntime>, values: &mut [Value]) -> Result<Self> {
        let every: Vec<usize> = (0..values.len()).collect();
        let model = DynModel {
            runtime: Arc::clone(runtime),
        };
        model.loaded(values, &every)
    }
}

/// The writes read and fill a dynamic instance through its row; hooks receive the instance.
impl RowData for DynInstance {
    type Hooked = DynInstance;

    fn hooked(&mut self) -> &mut DynInstance {
        self
    }

    fn value(&self, index: usize) -> Value {
        self.row.value(index)
    }

    fn values(&self) -> Vec<Value> {
        self.row.values()
    }

    fn set_value(&mut self, index: usize, value: Value) -> Result<()> {
        self.row.set_value(index, value)
    }

    fn load(&mut self, values: &mut [Value]) -> Result<()> {
        self.row.load(values)?;
        let accessors = self.model.runtime.accessors();
        for (index, value) in self.row.0.iter_mut().enumerate() {
            *value = accessors.read(index, std::mem::take(value))?;
        }
        Ok(())
    }
}

/// An instance of a [`DynModel`]: values by attribute name, what changed since it was saved,
/// and whether it is saved yet. Serializes as an object of attribute name to value.
#[derive(Debug, Clone)]
pub struct DynInstance {
    model: DynModel,
    row: DynRow,
    /// The values as saved; `None` for a new record.
    saved: Option<Vec<Value>>,
    /// The included associations' instances, when a finder included any.
    loaded: Option<Box<Loaded>>,
}

impl DynInstance {
    /// The model.
    pub fn model(&self) -> &DynModel {
        &self.model
    }

    /// Whether the instance has not been saved yet (`isNewRecord`).
    pub fn is_new_record(&self) -> bool {
        self.saved.is_none()
    }

    /// The instances a finder included for the association `name` (`post.comments`), when
    /// its target is a model defined at run time; one or none for a `belongsTo` or `hasOne`.
    /// An association the finder did not include is an [`Error::EagerLoading`].
    pub fn included(&self, name: &str) -> Result<&[DynInstance]> {
        let model = &self.model.definition().name;
        let loaded = (self.loaded.as_deref()).ok_or_else(|| not_included(model, name))?;
        loaded.rows::<DynInstance>(model, name)
    }

    /// The value of the attribute at `index`.
    pub(crate) fn value_at(&self, index: usize) -> Value {
        self.row.0[index].clone()
    }

    /// The included instances, to add to.
    pub(crate) fn loaded_mut(&mut self) -> &mut Loaded {
        self.loaded.get_or_insert_with(Box::default)
    }

    /// An attribute's value (`instance.get('email')`).
    pub fn value(&self, name: &str) -> Result<&Value> {
        Ok(&self.row.0[self.model.position(name)?])
    }

    /// An attribute's value as a Rust type; a virtual attribute's is computed now.
    pub fn get<T: FromValue>(&self, name: &str) -> Result<T> {
        if self.model.definition().position(name).is_none() {
            if let Some(computed) = self.model.runtime.accessors().virtual_named(name) {
                return T::from_value((computed.get)(self)?);
            }
        }
        T::from_value(self.value(name)?.clone())
    }

    /// Sets an attribute (`instance.set('email', …)`), through its setter if it has one;
    /// [`save`](Self::save) writes it.
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> Result<()> {
        let index = self.model.position(name)?;
        self.row.0[index] = (self.model.runtime.accessors()).assigned(index, value.into())?;
        Ok(())
    }

    /// Sets attributes and saves (`instance.update(values)`): validators and hooks run as
    /// for [`save`](Self::save), and only what changed is written.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// let attributes = [Attribute::new("id", DataType::Integer), Attribute::new("name", DataType::String(None))];
    /// let user = db.define_dynamic("User", attributes, ModelOptions::default())?;
    /// db.sync(SyncOptions::default()).await?;
    /// let mut ann = user.create([("name", Value::from("Ann"))]).exec(&db).await?;
    /// ann.update(&db, [("name", Value::from("Anna"))]).await?;
    /// assert_eq!(user.find_all().exec(&db).await?[0].get::<String>("name")?, "Anna");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn update<K: AsRef<str>>(
        &mut self,
        exec: &impl Executor,
        values: impl IntoIterator<Item = (K, Value)>,
    ) -> Result<()> {
        for (name, value) in values {
            self.set(name.as_ref(), value)?;
        }
        self.save(exec).await
    }

    /// The names of the attributes changed since the last save (`changed()`).
    pub fn changed(&self) -> Vec<&str> {
        let def = self.model.definition();
        self.changed_indices()
            .into_iter()
            .map(|i| def.attributes[i].name.as_str())
            .collect()
    }

    fn changed_indices(&self) -> Vec<usize> {
        match &self.saved {
            None => Vec::new(),
            Some(saved) => (0..saved.len())
                .filter(|&i| saved[i] != self.row.0[i])
                .collect(),
        }
    }

    /// Saves: inserts a new record, or updates the changed attributes of a saved one.
    pub async fn save(&mut self, exec: &impl Executor) -> Result<()> {
        self.save_with(exec, SaveOptions::default()).await
    }

    /// [`save`](Self::save) with options (`validate`, `fields`), as
    /// [`Instance::save_with`](crate::Instance::save_with).
    pub async fn save_with(&mut self, exec: &impl Executor, options: SaveOptions) -> Result<()> {
        let runtime = Arc::clone(&self.model.runtime);
        let saved = self.saved.clone();
        write::save(&runtime, self, saved.as_deref(), &options, exec).await?;
        self.row.normalize(runtime.definition())?;
        self.saved = Some(self.row.0.clone());
        Ok(())
    }

    /// Deletes this instance's row (`instance.destroy()`); soft-deletes on a paranoid model.
    pub async fn destroy(&mut self, exec: &impl Executor) -> Result<()> {
        let runtime = Arc::clone(&self.model.runtime);
        let key = self.key_values().to_vec();
        write::destroy_instance(&runtime, self, &key, exec).await?;
        self.deletion_saved();
        Ok(())
    }

    /// Restores this soft-deleted instance of a paranoid model (`instance.restore()`).
    pub async fn restore(&mut self, exec: &impl Executor) -> Result<()> {
        let runtime = Arc::clone(&self.model.runtime);
        let key = self.key_values().to_vec();
        write::restore_instance(&runtime, self, &key, exec).await?;
        self.deletion_saved();
        Ok(())
    }

    /// Reads the row again (`instance.reload()`), dropping unsaved changes.
    pub async fn reload(&mut self, exec: &impl Executor) -> Result<()> {
        let runtime = Arc::clone(&self.model.runtime);
        let key = self.key_values().to_vec();
        write::reload(&runtime, &mut self.row, &key, exec).await?;
        self.row.normalize(runtime.definition())?;
        self.saved = Some(self.row.0.clone());
        Ok(())
    }

    /// Records the deletion time just written (by `destroy` or `restore`) as saved.
    fn deletion_saved(&mut self) {
        if let (Some(index), Some(saved)) = (self.model.definition().deleted_at, &mut self.saved) {
            saved[index] = self.row.0[index].clone();
        }
    }

    /// The values the row is saved with (its key as saved, even after a change).
    fn key_values(&self) -> &[Value] {
        self.saved.as_deref().unwrap_or(&self.row.0)
    }
}

impl serde::Serialize for DynInstance {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        use serde::ser::SerializeMap;
        let def = self.model.definition();
        let virtuals = self.model.runtime.accessors().virtuals();
        let len = (self.loaded.is_none()).then(|| def.attributes.len() + virtuals.len());
        let mut map = s.serialize_map(len)?;
        for (index, (attribute, value)) in def.attributes.iter().zip(&self.row.0).enumerate() {
            if self
                .loaded
                .as_ref()
                .is_none_or(|loaded| loaded.was_read(index))
            {
                map.serialize_entry(&attribute.name, value)?;
            }
        }
        for computed in virtuals {
            let value = (computed.get)(self).map_err(S::Error::custom)?;
            map.serialize_entry(&computed.name, &value)?;
        }
        if let Some(loaded) = &self.loaded {
            let mut included = serde_json::Value::Object(serde_json::Map::new());
            loaded
                .add_to_json(def, &mut included)
                .map_err(S::Error::custom)?;
            if let serde_json::Value::Object(included) = included {
                for (name, value) in included {
                    map.serialize_entry(&name, &value)?;
                }
            }
        }
        map.end()
    }
}
