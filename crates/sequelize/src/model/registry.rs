//! Defining models on a Sequelize instance, and `sync`.

use std::any::TypeId;
use std::marker::PhantomData;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::association::loaded::collection_of;
use super::definition::ModelDefinition;
use super::hooks::{Hook, HookContext, HookFn};
use super::index::Index;
use super::instance::Instance;
use super::planner::FindOptions;
use super::runtime::{ModelRuntime, Registry};
use super::scopes::{Scope, DEFAULT_SCOPE};
use super::validator::{ModelValidator, Verdict};
use super::write::{run_row_hooks, TypedRow};
use super::Model;
use crate::connection::{Executor, ExecutorRef, Sequelize};
use crate::error::{Error, Result};
use crate::query_interface::{Operation, QueryInterface};
use crate::row::Row;
use crate::sql::{CreateIndex, CreateTable, DropTable, Statement};

/// Registers a model on a Sequelize instance; see [`Sequelize::define`]. Hooks, scopes and
/// associations will be added here, before [`register`](Self::register).
#[must_use = "call register() to define the model"]
pub struct ModelRegistration<'a, M: Model> {
    db: &'a Sequelize,
    validators: Vec<ModelValidator>,
    indexes: Vec<Index>,
    hooks: Vec<(Hook, String, HookFn<M>)>,
    find_hooks: Vec<(Hook, String, HookFn<FindOptions>)>,
    sync_hooks: Vec<(Hook, String, HookFn<SyncOptions>)>,
    scopes: Vec<(String, Scope)>,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> ModelRegistration<'_, M> {
    /// Adds a validator of the whole row (the model option `validate: { name() {…} }`).
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// struct Place { id: i64, latitude: Option<f64>, longitude: Option<f64> }
    /// # let db = Sequelize::new(Options { url: Some("sqlite::memory:".into()), ..Default::default() }).unwrap();
    /// db.define::<Place>()
    ///     .validate("bothCoordsOrNone", |row| {
    ///         let set = |name| row.value(name).is_some_and(|v| !v.is_null());
    ///         if set("latitude") == set("longitude") { Ok(()) } else { Err("both, or neither".into()) }
    ///     })
    ///     .register()
    ///     .unwrap();
    /// ```
    pub fn validate(
        mut self,
        name: impl Into<String>,
        check: impl Fn(&Row) -> Verdict + Send + Sync + 'static,
    ) -> Self {
        self.validators.push(ModelValidator::new(name, check));
        self
    }

    /// Adds a hook under `name` (the model option `hooks: { beforeCreate: … }`): an `async`
    /// function of the instance and a [`HookContext`], which may change the instance and
    /// whose error stops the operation. See [`Hook`] for the moments and their order.
    ///
    /// ```
    /// use sequelize::{model::Hook, prelude::*};
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Post { id: i64, title: String, slug: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.define::<Post>()
    ///     .hook(Hook::BeforeCreate, "slug", |post, _| Box::pin(async move {
    ///         post.slug = post.title.to_lowercase().replace(' ', "-");
    ///         Ok(())
    ///     }))
    ///     .register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// let post = Post::create(Post { id: 0, title: "Hello World".into(), slug: String::new() }).exec(&db).await?;
    /// assert_eq!(post.slug, "hello-world");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn hook(
        mut self,
        hook: Hook,
        name: impl Into<String>,
        run: impl for<'h> Fn(&'h mut M, &'h HookContext<'h>) -> BoxFuture<'h, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.hooks.push((hook, name.into(), Arc::new(run)));
        self
    }

    /// Adds a hook on an operation's [`FindOptions`] under `name`: `BeforeFind` and
    /// `BeforeCount` (after the scopes; they may change the filter, order, limit, …) and the
    /// static writes' `Before`/`AfterBulkUpdate`, `…BulkDestroy`, `…BulkRestore` (their
    /// filter, which a `before` hook may narrow or replace). See [`Hook`].
    ///
    /// ```
    /// use sequelize::{model::{FindOptions, Hook}, prelude::*};
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Post { id: i64, tenant: i64 }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.define::<Post>()
    ///     .find_hook(Hook::BeforeFind, "tenant", |options: &mut FindOptions, _| Box::pin(async move {
    ///         options.add_filter(Post::TENANT.eq(7));
    ///         Ok(())
    ///     }))
    ///     .register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// Post::bulk_create([Post { id: 0, tenant: 7 }, Post { id: 0, tenant: 8 }]).exec(&db).await?;
    /// assert_eq!(Post::find_all().exec(&db).await?.len(), 1);        // tenant 7 only
    /// assert_eq!(Post::find_all().hooks(false).exec(&db).await?.len(), 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn find_hook(
        mut self,
        hook: Hook,
        name: impl Into<String>,
        run: impl for<'h> Fn(&'h mut FindOptions, &'h HookContext<'h>) -> BoxFuture<'h, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.find_hooks.push((hook, name.into(), Arc::new(run)));
        self
    }

    /// Adds a `BeforeSync`/`AfterSync` hook under `name`, on the [`SyncOptions`] (a
    /// `before` hook may change them).
    pub fn sync_hook(
        mut self,
        hook: Hook,
        name: impl Into<String>,
        run: impl for<'h> Fn(&'h mut SyncOptions, &'h HookContext<'h>) -> BoxFuture<'h, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.sync_hooks.push((hook, name.into(), Arc::new(run)));
        self
    }

    /// The default scope (`defaultScope`): options every finder of the model applies unless
    /// it names other scopes or is `unscoped()`.
    ///
    /// ```
    /// use sequelize::{model::{FindOptions, Scope}, prelude::*};
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Post { id: i64, published: bool, author_id: i64 }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.define::<Post>()
    ///     .default_scope(FindOptions { filter: Some(Post::PUBLISHED.eq(true)), ..Default::default() })
    ///     .scope("byAuthor", Scope::function(|args| Ok(FindOptions {
    ///         filter: Some(col("author_id").eq(args[0].clone())),
    ///         ..Default::default()
    ///     })))
    ///     .register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// Post::create(Post { id: 0, published: false, author_id: 7 }).exec(&db).await?;
    /// assert_eq!(Post::count().exec(&db).await?, 0);                     // default scope
    /// assert_eq!(Post::count().unscoped().exec(&db).await?, 1);
    /// assert_eq!(Post::find_all().scope_with("byAuthor", [7]).exec(&db).await?.len(), 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn default_scope(self, options: FindOptions) -> Self {
        self.scope(DEFAULT_SCOPE, options)
    }

    /// A named scope (`scopes: { name: {...} }`), fixed options or made from arguments
    /// ([`Scope::function`]).
    pub fn scope(mut self, name: impl Into<String>, scope: impl Into<Scope>) -> Self {
        self.scopes.push((name.into(), scope.into()));
        self
    }

    /// Adds an index (one entry of the model option `indexes: [...]`), created by `sync`
    /// when missing; see [`Index`] for its options.
    ///
    /// ```
    /// use sequelize::{model::{Index, IndexField}, prelude::*};
    /// #[derive(Model, Clone, Debug)]
    /// struct Post { id: i64, slug: String, published: bool, created_at: DateTime<Utc>, updated_at: DateTime<Utc> }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.define::<Post>()
    ///     .index(Index::on(["slug"]).unique())
    ///     .index(Index::on(["published"]).field(IndexField::new("created_at").desc()))
    ///     .register()?;
    /// db.sync(SyncOptions::default()).await?;
    /// let names = db.query_interface().index_names("Posts").await?;
    /// assert!(names.contains(&"posts_slug".to_string()));
    /// assert!(names.contains(&"posts_published_created_at".to_string()));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn index(mut self, index: Index) -> Self {
        self.indexes.push(index);
        self
    }

    /// Defines the model on the instance and returns its runtime. Defining it again is a
    /// no-op (its hooks and scopes replace those of the same names); a model of the same
    /// name with other attributes or options is an error.
    pub fn register(self) -> Result<Arc<ModelRuntime>> {
        let mut definition = M::definition().clone();
        definition.validators.extend(self.validators);
        for index in &self.indexes {
            index.statement(&definition)?;
        }
        definition.indexes.extend(self.indexes);
        let registry = Registry::of(self.db);
        let runtime = registry.define(
            definition,
            TypeId::of::<M>(),
            true,
            run_row_hooks::<TypedRow<M>>,
            collection_of::<Instance<M>>,
        )?;
        for (hook, name, run) in self.hooks {
            runtime.hooks().add::<M>(hook, &name, run)?;
        }
        for (hook, name, run) in self.find_hooks {
            runtime.hooks().add::<FindOptions>(hook, &name, run)?;
        }
        for (hook, name, run) in self.sync_hooks {
            runtime.hooks().add::<SyncOptions>(hook, &name, run)?;
        }
        for (name, scope) in self.scopes {
            runtime.add_scope(&name, scope, true)?;
        }
        registry.declare(&runtime.definition().name, M::associations())?;
        Ok(runtime)
    }
}

/// Options of [`Sequelize::sync`].
///
/// ```
/// let recreate = sequelize::SyncOptions { force: true, ..Default::default() };
/// let migrate_in_place = sequelize::SyncOptions { alter: true, ..Default::default() };
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncOptions {
    /// Drop each table first (`force: true`).
    pub force: bool,
    /// Bring each existing table to its model (`alter: true`): add the columns it lacks,
    /// change those whose type or nullability differ, drop those the model does not have,
    /// create the indexes it lacks and drop those the model does not declare. A table that
    /// matches gets no statement, so running it again changes nothing.
    pub alter: bool,
}

impl Sequelize {
    /// Starts defining a model on this instance (`sequelize.define` / `Model.init`).
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// struct Tag { id: i64, name: String }
    /// # let db = Sequelize::new(Options { url: Some("sqlite::memory:".into()), ..Default::default() }).unwrap();
    /// db.define::<Tag>().register().unwrap();
    /// assert!(db.is_defined("Tag"));
    /// assert!(!db.is_defined("Post"));
    /// ```
    pub fn define<M: Model>(&self) -> ModelRegistration<'_, M> {
        ModelRegistration {
            db: self,
            validators: Vec::new(),
            indexes: Vec::new(),
            hooks: Vec::new(),
            find_hooks: Vec::new(),
            sync_hooks: Vec::new(),
            scopes: Vec::new(),
            _model: PhantomData,
        }
    }

    /// Adds a hook of every model (`sequelize.addHook`), run after each model's own hooks
    /// of that moment: the hooks on the operations' options, a [`FindOptions`] (`BeforeFind`,
    /// `BeforeCount`, the static writes' bulk hooks) or the [`SyncOptions`] (`BeforeSync`,
    /// `AfterSync`). Instance hooks belong to each model (their instances are of its type).
    ///
    /// ```
    /// use sequelize::{model::{FindOptions, Hook}, prelude::*};
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Post { id: i64, title: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.add_hook::<FindOptions>(Hook::BeforeFind, "atMost100", |options, _| Box::pin(async move {
    ///     options.limit = Some(options.limit.map_or(100, |l| l.min(100)));
    ///     Ok(())
    /// }))?;
    /// db.define::<Post>().register()?;
    /// # db.sync(SyncOptions::default()).await?;
    /// let posts = (0..150).map(|i| Post { id: 0, title: format!("p{i}") });
    /// Post::bulk_create(posts).exec(&db).await?;
    /// assert_eq!(Post::find_all().exec(&db).await?.len(), 100);
    /// assert!(db.remove_hook(Hook::BeforeFind, "atMost100"));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn add_hook<D: 'static>(
        &self,
        hook: Hook,
        name: &str,
        run: impl for<'h> Fn(&'h mut D, &'h HookContext<'h>) -> BoxFuture<'h, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Result<()> {
        Registry::of(self).add_global_hook::<D>(hook, name, Arc::new(run))
    }

    /// Removes a hook of every model added under `name`; whether there was one.
    pub fn remove_hook(&self, hook: Hook, name: &str) -> bool {
        Registry::of(self).remove_global_hook(hook, name)
    }

    /// Adds a `beforeDefine` hook under `name` (Sequelize's, with the attributes and
    /// options): runs on each model's definition before the model exists, and may change its
    /// table, options, indexes, validators and column names (not the attributes' names,
    /// order or types: a derived model's struct reads them; such a change is an error).
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Post { id: i64, title: String }
    /// # let db = Sequelize::new(Options { url: Some("sqlite::memory:".into()), ..Default::default() }).unwrap();
    /// db.before_define("prefix", |def| {
    ///     def.table_name = format!("blog_{}", def.table_name);
    ///     Ok(())
    /// });
    /// let posts = db.define::<Post>().register().unwrap();
    /// assert_eq!(posts.definition().table_name, "blog_Posts");
    /// ```
    pub fn before_define(
        &self,
        name: &str,
        hook: impl Fn(&mut ModelDefinition) -> Result<()> + Send + Sync + 'static,
    ) {
        Registry::of(self).add_before_define(name, Arc::new(hook));
    }

    /// Adds an `afterDefine` hook under `name`: runs on each model's runtime once the model
    /// exists (to add hooks or scopes to every model, say); its error fails the definition.
    pub fn after_define(
        &self,
        name: &str,
        hook: impl Fn(&ModelRuntime) -> Result<()> + Send + Sync + 'static,
    ) {
        Registry::of(self).add_after_define(name, Arc::new(hook));
    }

    /// The names of the models defined on this instance, in definition order (the keys of
    /// Sequelize's `sequelize.models`).
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// struct Tag { id: i64 }
    /// let db = Sequelize::new(Options::from_url("sqlite::memory:").unwrap()).unwrap();
    /// assert!(db.model_names().is_empty());
    /// db.define::<Tag>().register().unwrap();
    /// assert_eq!(db.model_names(), ["Tag"]);
    /// ```
    pub fn model_names(&self) -> Vec<String> {
        (Registry::of(self).all().iter())
            .map(|runtime| runtime.definition().name.clone())
            .collect()
    }

    /// Whether a model of that name was defined (`sequelize.isDefined`).
    pub fn is_defined(&self, name: &str) -> bool {
        Registry::of(self).named(name).is_some()
    }

    /// Creates the tables of every defined model that do not exist yet (`sequelize.sync()`);
    /// with `force`, drops and recreates them.
    pub async fn sync(&self, options: SyncOptions) -> Result<()> {
        let mut options = options;
        let registry = Registry::of(self);
        let lent = ExecutorRef::of(self);
        registry
            .run_instance_hooks(Hook::BeforeBulkSync, &mut options, lent)
            .await?;
        self.sync_models(options).await?;
        registry
            .run_instance_hooks(Hook::AfterBulkSync, &mut options, lent)
            .await
    }

    /// `sync` without its `beforeBulkSync`/`afterBulkSync` hooks.
    async fn sync_models(&self, options: SyncOptions) -> Result<()> {
        let ordered = dependency_order(Registry::of(self).all())?;
        if options.force {
            for runtime in ordered.iter().rev() {
                runtime.drop_table(self).await?;
            }
        }
        // Dropped above, in the reverse order: each model only creates what is missing.
        let each = SyncOptions {
            force: false,
            ..options
        };
        for runtime in &ordered {
            runtime.sync(self, each).await?;
        }
        Ok(())
    }

    /// Drops the tables of every defined model that exist (`sequelize.drop()`), the last
    /// defined first.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// struct Tag { id: i64, name: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.define::<Tag>().register()?;
    /// db.sync(SyncOptions::default()).await?;
    /// db.drop().await?;
    /// assert!(Tag::count().exec(&db).await.is_err()); // no table any more
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn drop(&self) -> Result<()> {
        for runtime in dependency_order(Registry::of(self).all())?.iter().rev() {
            runtime.drop_table(self).await?;
        }
        Ok(())
    }
}

/// The `CREATE TABLE` and the indexes of every model defined on `db`, each table after the
/// tables its foreign keys refer to: what `sync` makes, the models' side of the model diff.
pub(crate) fn registry_tables(db: &Sequelize) -> Result<Vec<(CreateTable, Vec<CreateIndex>)>> {
    let ordered = dependency_order(Registry::of(db).all())?;
    (ordered.iter())
        .map(|runtime| {
            let def = runtime.definition();
            let indexes = (def.indexes.iter())
                .map(|index| index.statement(def))
                .collect::<Result<Vec<_>>>()?;
            Ok((runtime.create_table(), indexes))
        })
        .collect()
}

/// The models in an order where every table comes after the tables its foreign keys refer
/// to (definition order otherwise), so that `sync` creates and `drop` (in reverse) drops
/// them without breaking a reference. A cycle of references is an error naming its models.
fn dependency_order(runtimes: Vec<Arc<ModelRuntime>>) -> Result<Vec<Arc<ModelRuntime>>> {
    let refers_to = |runtime: &ModelRuntime| -> Vec<String> {
        let def = runtime.definition();
        (runtime.create_table().columns.iter())
            .filter_map(|c| c.references.as_ref())
            .map(|r| r.table.as_str().to_owned())
            .filter(|table| *table != def.table_name)
            .collect()
    };
    let mut pending = runtimes;
    let mut ordered: Vec<Arc<ModelRuntime>> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let waiting = |table: &String| {
            pending
                .iter()
                .any(|other| other.definition().table_name == *table)
        };
        let ready = pending
            .iter()
            .position(|runtime| !refers_to(runtime).iter().any(waiting));
        match ready {
            Some(i) => ordered.push(pending.remove(i)),
            None => {
                let names: Vec<&str> = pending
                    .iter()
                    .map(|r| r.definition().name.as_str())
                    .collect();
                return Err(Error::Config(format!(
                    "the foreign keys of the models {} refer to each other in a cycle; create \
                     one of them without the constraint",
                    names.join(", ")
                )));
            }
        }
    }
    Ok(ordered)
}

impl ModelRuntime {
    /// Creates this model's table if it does not exist (`Model.sync()`); with `force`, drops
    /// and recreates it.
    ///
    /// ```
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// struct Tag { id: i64, name: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// let tags = db.define::<Tag>().register()?;
    /// tags.sync(&db, SyncOptions::default()).await?;
    /// assert_eq!(Tag::count().exec(&db).await?, 0);
    /// tags.drop_table(&db).await?;                     // `Tag.drop()`
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn sync(&self, exec: &impl Executor, options: SyncOptions) -> Result<()> {
        let lent = ExecutorRef::of(exec);
        let mut options = options;
        self.run_options_hooks(Hook::BeforeSync, &mut options, lent)
            .await?;
        self.sync_table(exec, options).await?;
        self.run_options_hooks(Hook::AfterSync, &mut options, lent)
            .await
    }

    /// `sync` without its hooks.
    async fn sync_table(&self, exec: &impl Executor, options: SyncOptions) -> Result<()> {
        if options.force {
            self.drop_table(exec).await?;
        }
        let def = self.definition();
        let qi = QueryInterface::new(exec);
        let create = CreateTable {
            if_not_exists: true,
            ..self.create_table()
        };
        if options.alter {
            qi.alter_table(&create).await?;
        } else {
            let statement = Statement::CreateTable(create.clone());
            qi.run(&Operation::Statement(Box::new(statement))).await?;
        }
        if def.indexes.is_empty() && !options.alter {
            return Ok(());
        }
        // Created when missing, so a repeated sync never adds a second copy (Sequelize
        // #8984); checked by name, which works where `IF NOT EXISTS` does not (MySQL).
        let existing = qi.index_names(def.table()).await?;
        let declared = (def.indexes.iter())
            .map(|index| index.statement(def))
            .collect::<Result<Vec<_>>>()?;
        for statement in &declared {
            if !existing.iter().any(|name| name == statement.name.as_str()) {
                let create = Statement::CreateIndex(statement.clone());
                qi.run(&Operation::Statement(Box::new(create))).await?;
            }
        }
        if options.alter {
            // Indexes behind the model's unique keys and foreign keys stay: MySQL lists them
            // with the others, named by the key or by the column.
            let keys = (create.constraints.iter().map(|k| k.name.as_str()))
                .chain(
                    (create.columns.iter())
                        .filter(|c| c.unique || c.references.is_some())
                        .map(|c| c.name.as_str()),
                )
                .collect::<Vec<_>>();
            let undeclared = (existing.iter())
                .filter(|name| !declared.iter().any(|d| d.name.as_str() == name.as_str()))
                .filter(|name| !keys.contains(&name.as_str()));
            for name in undeclared {
                qi.drop_index(def.table(), name).await?;
            }
        }
        Ok(())
    }

    /// Drops this model's table if it exists (`Model.drop()`), and on PostgreSQL the enum
    /// types of its `ENUM` attributes.
    pub async fn drop_table(&self, exec: &impl Executor) -> Result<()> {
        let def = self.definition();
        let drop_table = Statement::DropTable(DropTable {
            name: def.table(),
            if_exists: true,
        });
        exec.execute(&drop_table).await?;
        let columns: Vec<_> = def.attributes.iter().map(|a| &a.column).collect();
        QueryInterface::new(exec)
            .drop_enum_types(&def.table(), &columns)
            .await
    }
}
