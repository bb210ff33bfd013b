//! [`ModelRuntime`]: a model as defined on one Sequelize instance, and the registry of them.
//!
//! Sequelize v7 keeps a `ModelDefinition` per instance: what `define` registered there is what
//! every query of that instance runs with. Here `db.define::<M>()` (and `define_dynamic`)
//! registers a runtime in the instance's [`Registry`]; every finder and write looks it up
//! through the executor it runs on, by the model's `TypeId` (no string map on the hot path).
//! Hooks, scopes, validators and associations attach to the runtime as those features land.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use futures_util::future::BoxFuture;

use super::accessors::Accessors;
use super::association::include::expand_all;
use super::association::joined_columns::JoinedColumns;
use super::association::loaded::{Collection, NewCollection};
use super::association::{Association, AssociationDecl, AssociationKind, AssociationOptions};
use super::definition::ModelDefinition;
use super::hooks::{Hook, HookContext, Hooks};
use super::planner::FindOptions;
use super::scopes::{Scope, ScopeUse, Scopes};
use super::statement_cache::StatementCache;
use super::write::RowData;
use super::Model;
use crate::connection::{Executor, ExecutorRef, Sequelize};
use crate::error::{Error, Result};
use crate::sql::{CreateTable, Expr, References};
use crate::value::Value;

/// A model as defined on one Sequelize instance.
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct Tag { id: i64, name: String }
/// let db = Sequelize::new(Options { url: Some("sqlite::memory:".into()), ..Default::default() }).unwrap();
/// let tag = db.define::<Tag>().register().unwrap();
/// assert_eq!(tag.definition().table_name, "Tags");
/// ```
#[derive(Debug)]
pub struct ModelRuntime {
    definition: Arc<ModelDefinition>,
    statements: StatementCache,
    /// The columns joined `SELECT`s read of this model, by alias.
    joined_columns: JoinedColumns,
    hooks: Hooks,
    scopes: Scopes,
    row_hooks: RowHooks,
    /// A dynamic model's virtual attributes and setters.
    accessors: Accessors,
    /// The associations of which this model is the source, in the order made.
    associations: RwLock<Vec<Arc<Association>>>,
    /// The foreign-key constraints associations put on this model's attributes, for `sync`.
    foreign_keys: RwLock<Vec<(usize, References)>>,
    /// `BeforeAssociate`/`AfterAssociate` hooks, which run while models are defined.
    associate_hooks: AssociateHooks,
    /// Makes an empty list of this model's instances, for the rows an include reads.
    new_collection: NewCollection,
    /// One empty list, which every parent an include found nothing for shares.
    empty_collection: Arc<dyn Collection>,
}

/// A `BeforeAssociate` or `AfterAssociate` hook: the association being made (kind, source
/// and target) and its options, which a `BeforeAssociate` hook may change. They run while
/// models are defined, before any database work, so they are plain functions.
pub type AssociateHook =
    Arc<dyn Fn(&AssociationEvent<'_>, &mut AssociationOptions) -> Result<()> + Send + Sync>;

/// A model's associate hooks: (moment, name, function), in the order added.
#[derive(Default)]
struct AssociateHooks(RwLock<Vec<(Hook, String, AssociateHook)>>);

/// Their moments and names (functions have no `Debug`).
impl std::fmt::Debug for AssociateHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hooks = self.0.read().unwrap_or_else(|e| e.into_inner());
        f.debug_list()
            .entries(hooks.iter().map(|(hook, name, _)| (hook.name(), name)))
            .finish()
    }
}

/// What an associate hook is told: Sequelize's `{ source, target, type }`.
///
/// ```
/// use sequelize::model::{AssociationEvent, AssociationKind};
/// let event = AssociationEvent { kind: AssociationKind::HasMany, source: "User", target: "Post" };
/// assert_eq!(event.kind.name(), "HasMany");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AssociationEvent<'a> {
    /// The kind of association.
    pub kind: AssociationKind,
    /// The source model's name.
    pub source: &'a str,
    /// The target model's name.
    pub target: &'a str,
}

/// Runs a model's instance hooks on rows a static write read (its `individual_hooks`): each
/// row's values (every attribute, in order) become what the hooks take, the hooks run, and
/// the values come back as the hooks left them.
pub(crate) type RowHooks = for<'a> fn(
    &'a Arc<ModelRuntime>,
    Hook,
    &'a mut [Vec<Value>],
    ExecutorRef<'a>,
) -> BoxFuture<'a, Result<()>>;

impl ModelRuntime {
    fn new(
        definition: ModelDefinition,
        data: TypeId,
        row_hooks: RowHooks,
        new_collection: NewCollection,
    ) -> Self {
        ModelRuntime {
            definition: Arc::new(definition),
            statements: StatementCache::default(),
            joined_columns: JoinedColumns::default(),
            hooks: Hooks::new(data),
            scopes: Scopes::default(),
            row_hooks,
            accessors: Accessors::default(),
            associations: RwLock::default(),
            foreign_keys: RwLock::default(),
            associate_hooks: AssociateHooks::default(),
            new_collection,
            empty_collection: new_collection(),
        }
    }

    /// The association of this model named `name` (its `as`).
    pub fn association(&self, name: &str) -> Option<Arc<Association>> {
        (self.associations.read().unwrap_or_else(|e| e.into_inner()))
            .iter()
            .find(|a| a.name == name)
            .cloned()
    }

    /// Every association of this model, in the order made.
    pub fn associations(&self) -> Vec<Arc<Association>> {
        self.associations
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn add_association(&self, association: Arc<Association>) {
        (self.associations.write().unwrap_or_else(|e| e.into_inner())).push(association);
    }

    /// Records the constraint of the foreign key at `index` (the last one made wins).
    pub(crate) fn add_foreign_key(&self, index: usize, references: References) {
        let mut keys = self.foreign_keys.write().unwrap_or_else(|e| e.into_inner());
        keys.retain(|(i, _)| *i != index);
        keys.push((index, references));
    }

    /// The `CREATE TABLE` `sync` runs: the definition's, with the foreign keys associations
    /// added (a `references` the attribute declares itself is kept).
    pub(crate) fn create_table(&self) -> CreateTable {
        let mut create = self.definition.create_table();
        let keys = self.foreign_keys.read().unwrap_or_else(|e| e.into_inner());
        for (index, references) in keys.iter() {
            let column = &mut create.columns[*index];
            if column.references.is_none() {
                column.references = Some(references.clone());
            }
        }
        create
    }

    /// Adds a `BeforeAssociate` or `AfterAssociate` hook under `name` (replacing one of the
    /// same moment and name).
    ///
    /// ```
    /// use sequelize::model::{AssociationKind, AssociationOptions, Hook};
    /// use sequelize::prelude::*;
    /// # let db = Sequelize::new(Options { url: Some("sqlite::memory:".into()), ..Default::default() }).unwrap();
    /// let user = db.define_dynamic("User", [Attribute::new("name", DataType::String(None))], ModelOptions::default()).unwrap();
    /// db.define_dynamic("Post", [Attribute::new("userId", DataType::Integer)], ModelOptions::default()).unwrap();
    /// user.runtime().add_associate_hook(Hook::BeforeAssociate, "no-constraints", |event, options| {
    ///     assert_eq!(event.target, "Post");
    ///     options.constraints = false;
    ///     Ok(())
    /// }).unwrap();
    /// db.associate("User", AssociationKind::HasMany, "Post", AssociationOptions::default()).unwrap();
    /// ```
    pub fn add_associate_hook(
        &self,
        hook: Hook,
        name: &str,
        run: impl Fn(&AssociationEvent<'_>, &mut AssociationOptions) -> Result<()>
            + Send
            + Sync
            + 'static,
    ) -> Result<()> {
        if !matches!(hook, Hook::BeforeAssociate | Hook::AfterAssociate) {
            return Err(Error::Config(format!(
                "{} is not an associate hook: add it with add_hook",
                hook.name()
            )));
        }
        let mut hooks = (self.associate_hooks.0.write()).unwrap_or_else(|e| e.into_inner());
        hooks.retain(|(h, n, _)| !(*h == hook && n == name));
        hooks.push((hook, name.to_owned(), Arc::new(run)));
        Ok(())
    }

    /// Runs the `BeforeAssociate` or `AfterAssociate` hooks of this (the source) model.
    pub(crate) fn run_associate_hooks(
        &self,
        hook: Hook,
        kind: AssociationKind,
        target: &ModelRuntime,
        options: &mut AssociationOptions,
    ) -> Result<()> {
        let hooks: Vec<AssociateHook> = (self.associate_hooks.0.read())
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(h, _, _)| *h == hook)
            .map(|(_, _, run)| Arc::clone(run))
            .collect();
        let event = AssociationEvent {
            kind,
            source: &self.definition.name,
            target: &target.definition.name,
        };
        for run in hooks {
            run(&event, options)?;
        }
        Ok(())
    }

    /// Makes an empty list of this model's instances, for the rows an include reads.
    pub(crate) fn new_collection(&self) -> NewCollection {
        self.new_collection
    }

    /// An empty list of this model's instances, shared: what a parent holds when an
    /// include found nothing for it, at no allocation per parent.
    pub(crate) fn empty_collection(&self) -> &Arc<dyn Collection> {
        &self.empty_collection
    }

    /// Adds a scope (`Model.addScope(name, scope, { override })`); the name
    /// [`DEFAULT_SCOPE`](super::DEFAULT_SCOPE) is the default scope. A scope of the same
    /// name is an error unless `replace`.
    ///
    /// ```
    /// use sequelize::{model::FindOptions, prelude::*};
    /// #[derive(Model, Clone, Debug)]
    /// struct Post { id: i64, published: bool }
    /// # let db = Sequelize::new(Options { url: Some("sqlite::memory:".into()), ..Default::default() }).unwrap();
    /// let posts = db.define::<Post>().register().unwrap();
    /// let published = FindOptions { filter: Some(Post::PUBLISHED.eq(true)), ..Default::default() };
    /// posts.add_scope("published", published.clone(), false).unwrap();
    /// assert!(posts.add_scope("published", published.clone(), false).is_err());
    /// posts.add_scope("published", published, true).unwrap();
    /// ```
    pub fn add_scope(&self, name: &str, scope: impl Into<Scope>, replace: bool) -> Result<()> {
        self.scopes
            .add(&self.definition.name, name, scope.into(), replace)
    }

    /// A finder's options with the model's scopes merged under them.
    pub(crate) fn scoped(&self, options: FindOptions) -> Result<FindOptions> {
        self.scopes.apply(&self.definition.name, options)
    }

    /// A static write's condition with the scopes' conditions AND-ed to it.
    pub(crate) fn scoped_filter(
        &self,
        filter: Option<Expr>,
        scopes: Option<Vec<ScopeUse>>,
    ) -> Result<Option<Expr>> {
        self.scopes.filter(&self.definition.name, filter, scopes)
    }

    /// Whether the model has a default scope.
    pub(crate) fn has_default_scope(&self) -> bool {
        self.scopes.has_default()
    }

    /// Adds a hook under `name` (Sequelize's `addHook(type, name, fn)`), replacing one of
    /// the same moment and name; `D` is the model's struct (an error otherwise).
    ///
    /// ```
    /// use sequelize::{model::Hook, prelude::*};
    /// #[derive(Model, Clone, Debug)]
    /// struct Post { id: i64, title: String, slug: String }
    /// # let db = Sequelize::new(Options { url: Some("sqlite::memory:".into()), ..Default::default() }).unwrap();
    /// let posts = db.define::<Post>().register().unwrap();
    /// posts.add_hook::<Post>(Hook::BeforeCreate, "slug", |post, _| Box::pin(async move {
    ///     post.slug = post.title.to_lowercase().replace(' ', "-");
    ///     Ok(())
    /// })).unwrap();
    /// assert!(posts.remove_hook(Hook::BeforeCreate, "slug"));
    /// ```
    pub fn add_hook<D: 'static>(
        &self,
        hook: Hook,
        name: &str,
        run: impl for<'a> Fn(&'a mut D, &'a HookContext<'a>) -> BoxFuture<'a, Result<()>>
            + Send
            + Sync
            + 'static,
    ) -> Result<()> {
        self.hooks.add::<D>(hook, name, Arc::new(run))
    }

    /// Removes the hook added under `name` (`removeHook`); whether there was one.
    pub fn remove_hook(&self, hook: Hook, name: &str) -> bool {
        self.hooks.remove(hook, name)
    }

    /// The model's hooks.
    pub(crate) fn hooks(&self) -> &Hooks {
        &self.hooks
    }

    /// A dynamic model's virtual attributes and setters.
    pub(crate) fn accessors(&self) -> &Accessors {
        &self.accessors
    }

    /// The options a finder plans with: the scopes applied, then the model's `hook`
    /// (`BeforeFind` or `BeforeCount`) hooks on them, unless the options turn hooks off.
    pub(crate) async fn planned(
        &self,
        mut options: FindOptions,
        hook: Hook,
        exec: ExecutorRef<'_>,
    ) -> Result<FindOptions> {
        self.plan(&mut options, hook, exec).await?;
        Ok(options)
    }

    /// [`planned`](Self::planned) in place: options without scopes are not moved at all
    /// (copying them into this future and back was 4% of a one-row `find_all`'s clock
    /// profile).
    pub(crate) async fn plan(
        &self,
        options: &mut FindOptions,
        hook: Hook,
        exec: ExecutorRef<'_>,
    ) -> Result<()> {
        if options.scopes.is_some() || self.has_default_scope() {
            *options = self.scoped(std::mem::take(options))?;
        }
        if options.hooks {
            self.run_options_hooks(hook, options, exec).await?;
        }
        if let Some((all, nested)) = options.include_all.take() {
            expand_all(self, &mut options.include, all, nested, &mut Vec::new())?;
        }
        Ok(())
    }

    /// Runs the `hook` hooks that take the operation's options (`FindOptions`,
    /// `SyncOptions`): the model's, then the global ones of its Sequelize instance
    /// (`sequelize.addHook`), which Sequelize runs after the model's own.
    pub(crate) async fn run_options_hooks<D: 'static>(
        &self,
        hook: Hook,
        options: &mut D,
        exec: ExecutorRef<'_>,
    ) -> Result<()> {
        let global = &Registry::of(exec.target().sequelize()).global;
        for hooks in [&self.hooks, global] {
            if hooks.has(hook) {
                hooks
                    .run(hook, options, exec, &self.definition, &[])
                    .await?;
            }
        }
        Ok(())
    }

    /// Whether `hook` hooks on options would run for this model: its own, or its Sequelize
    /// instance's (a finder's cached plan must not pass over either).
    pub(crate) fn has_options_hook(&self, hook: Hook, exec: ExecutorRef<'_>) -> bool {
        self.hooks.has(hook) || Registry::of(exec.target().sequelize()).global.has(hook)
    }

    /// Runs the model's `hook` instance hooks on rows read whole (`individual_hooks`); see
    /// [`RowHooks`].
    pub(crate) async fn run_on_values(
        self: &Arc<Self>,
        hook: Hook,
        rows: &mut [Vec<Value>],
        exec: ExecutorRef<'_>,
    ) -> Result<()> {
        if !self.hooks.has(hook) {
            return Ok(());
        }
        (self.row_hooks)(self, hook, rows, exec).await
    }

    /// Runs the model's `hook` hooks (`BeforeBulkUpdate`, `AfterBulkDestroy`, …) on a
    /// static write's filter, as [`FindOptions`]; the filter they leave is the statement's.
    pub(crate) async fn filter_hook(
        &self,
        hook: Hook,
        filter: Option<Expr>,
        enabled: bool,
        exec: ExecutorRef<'_>,
    ) -> Result<Option<Expr>> {
        if !enabled {
            return Ok(filter);
        }
        let mut options = FindOptions {
            filter,
            ..FindOptions::default()
        };
        self.run_options_hooks(hook, &mut options, exec).await?;
        Ok(options.filter)
    }

    /// Runs the model's `hook` hooks on each row (`AfterFind` on what a finder read), unless
    /// `enabled` is off.
    pub(crate) async fn run_on_rows<D: RowData>(
        &self,
        hook: Hook,
        rows: &mut [D],
        enabled: bool,
        exec: ExecutorRef<'_>,
    ) -> Result<()> {
        if !enabled || !self.hooks.has(hook) {
            return Ok(());
        }
        let every: Vec<usize> = (0..self.definition.attributes.len()).collect();
        for row in rows {
            self.hooks
                .run(hook, row.hooked(), exec, &self.definition, &every)
                .await?;
        }
        Ok(())
    }

    /// The model's definition: name, table, attributes, keys.
    pub fn definition(&self) -> &ModelDefinition {
        &self.definition
    }

    /// The rendered SQL of the statement shapes this model ran.
    pub(crate) fn statements(&self) -> &StatementCache {
        &self.statements
    }

    /// The columns joined `SELECT`s read of this model, made once per alias.
    pub(crate) fn joined_columns(&self) -> &JoinedColumns {
        &self.joined_columns
    }
}

/// The models defined on one Sequelize instance, and its hooks for every model.
pub(crate) struct Registry {
    models: RwLock<Models>,
    /// The hooks of every model (`sequelize.addHook`): those on the operations' options.
    global: Hooks,
    /// `beforeDefine` hooks, in the order added.
    before_define: RwLock<Vec<(String, BeforeDefine)>>,
    /// `afterDefine` hooks, in the order added.
    after_define: RwLock<Vec<(String, AfterDefine)>>,
    /// Associations declared by a model whose target is not defined yet (source name,
    /// declaration).
    pending: Mutex<Vec<(String, AssociationDecl)>>,
}

/// A `beforeDefine` hook: may change a definition before its model exists.
pub(crate) type BeforeDefine = Arc<dyn Fn(&mut ModelDefinition) -> Result<()> + Send + Sync>;

/// An `afterDefine` hook: sees a model's runtime once it exists.
pub(crate) type AfterDefine = Arc<dyn Fn(&ModelRuntime) -> Result<()> + Send + Sync>;

impl Default for Registry {
    fn default() -> Self {
        Registry {
            models: RwLock::default(),
            // No instance is a `Registry`: only hooks on options can be added.
            global: Hooks::new(TypeId::of::<Registry>()),
            before_define: RwLock::default(),
            after_define: RwLock::default(),
            pending: Mutex::default(),
        }
    }
}

#[derive(Debug, Default)]
struct Models {
    /// Derived models by their Rust type.
    by_type: HashMap<TypeId, Arc<ModelRuntime>>,
    /// Every model, in definition order (for `sync` and lookups by name).
    in_order: Vec<Arc<ModelRuntime>>,
}

impl Registry {
    /// The registry of `db`.
    pub(crate) fn of(db: &Sequelize) -> &Registry {
        db.model_state::<Registry>()
    }

    /// Registers a model. Defining the same model again with the same definition returns the
    /// runtime registered first; with a different one it is an error.
    /// `data` is the type of the instances' data (a derived model's struct); a derived model
    /// is also found by it (`typed`).
    /// `new_collection` makes an empty list of the model's instances.
    /// Associations declared earlier whose models now all exist are resolved.
    pub(crate) fn define(
        &self,
        definition: ModelDefinition,
        data: TypeId,
        typed: bool,
        row_hooks: RowHooks,
        new_collection: NewCollection,
    ) -> Result<Arc<ModelRuntime>> {
        let runtime = self.define_model(definition, data, typed, row_hooks, new_collection)?;
        self.resolve_pending()?;
        Ok(runtime)
    }

    /// The associations declared and not resolved yet.
    pub(crate) fn pending_associations(&self) -> MutexGuard<'_, Vec<(String, AssociationDecl)>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn define_model(
        &self,
        definition: ModelDefinition,
        data: TypeId,
        typed: bool,
        row_hooks: RowHooks,
        new_collection: NewCollection,
    ) -> Result<Arc<ModelRuntime>> {
        let mut models = self.models.write().unwrap_or_else(|e| e.into_inner());
        let existing = models
            .in_order
            .iter()
            .find(|m| m.definition.name == definition.name)
            .cloned();
        let runtime = match existing {
            Some(runtime) if *runtime.definition == definition => runtime,
            Some(_) => {
                return Err(Error::Config(format!(
                    "model {} is already defined on this Sequelize instance with other \
                     attributes or options",
                    definition.name
                )))
            }
            None => {
                let definition = self.before_define(definition)?;
                let runtime = Arc::new(ModelRuntime::new(
                    definition,
                    data,
                    row_hooks,
                    new_collection,
                ));
                models.in_order.push(Arc::clone(&runtime));
                let after = self.after_define.read().unwrap_or_else(|e| e.into_inner());
                for (_, hook) in after.iter() {
                    hook(&runtime)?;
                }
                runtime
            }
        };
        if typed {
            models.by_type.insert(data, Arc::clone(&runtime));
        }
        Ok(runtime)
    }

    /// `definition` after the `beforeDefine` hooks. They may change its table, options,
    /// indexes, validators and column names, not its attributes' names, order or types
    /// (a derived model's struct is read by them).
    fn before_define(&self, mut definition: ModelDefinition) -> Result<ModelDefinition> {
        let hooks = self.before_define.read().unwrap_or_else(|e| e.into_inner());
        for (name, hook) in hooks.iter() {
            let shape = |def: &ModelDefinition| -> Vec<(String, crate::DataType)> {
                (def.attributes.iter())
                    .map(|a| (a.name.clone(), a.column.data_type.clone()))
                    .collect()
            };
            let before = shape(&definition);
            hook(&mut definition)?;
            if shape(&definition) != before {
                return Err(Error::Config(format!(
                    "the beforeDefine hook {name:?} added, removed or retyped attributes of \
                     model {}; it may change the table, options, indexes and validators",
                    definition.name
                )));
            }
        }
        Ok(definition)
    }

    /// Adds a hook of every model on the operations' options (`sequelize.addHook`).
    pub(crate) fn add_global_hook<D: 'static>(
        &self,
        hook: Hook,
        name: &str,
        run: super::hooks::HookFn<D>,
    ) -> Result<()> {
        if hook.takes_instance() {
            return Err(Error::Config(format!(
                "the {} hook {name:?} takes a model's instances, which are of each model's own \
                 type: add it to the model (the Sequelize instance's hooks take the \
                 operations' options)",
                hook.name()
            )));
        }
        self.global.add::<D>(hook, name, run)
    }

    /// Runs the Sequelize instance's own hooks of `hook` (`BeforeBulkSync`, …), which
    /// belong to no model.
    pub(crate) async fn run_instance_hooks<D: 'static>(
        &self,
        hook: Hook,
        data: &mut D,
        exec: ExecutorRef<'_>,
    ) -> Result<()> {
        if self.global.has(hook) {
            self.global.run_on(hook, data, exec, None, &[]).await?;
        }
        Ok(())
    }

    /// Removes a global hook added under `name`; whether there was one.
    pub(crate) fn remove_global_hook(&self, hook: Hook, name: &str) -> bool {
        self.global.remove(hook, name)
    }

    /// Adds a `beforeDefine` hook, replacing one of the same name.
    pub(crate) fn add_before_define(&self, name: &str, hook: BeforeDefine) {
        let mut hooks = self
            .before_define
            .write()
            .unwrap_or_else(|e| e.into_inner());
        hooks.retain(|(n, _)| n != name);
        hooks.push((name.to_owned(), hook));
    }

    /// Adds an `afterDefine` hook, replacing one of the same name.
    pub(crate) fn add_after_define(&self, name: &str, hook: AfterDefine) {
        let mut hooks = self.after_define.write().unwrap_or_else(|e| e.into_inner());
        hooks.retain(|(n, _)| n != name);
        hooks.push((name.to_owned(), hook));
    }

    /// The runtime of a derived model.
    fn typed(&self, type_id: TypeId) -> Option<Arc<ModelRuntime>> {
        let models = self.models.read().unwrap_or_else(|e| e.into_inner());
        models.by_type.get(&type_id).cloned()
    }

    /// The runtime of a model by name.
    pub(crate) fn named(&self, name: &str) -> Option<Arc<ModelRuntime>> {
        let models = self.models.read().unwrap_or_else(|e| e.into_inner());
        models
            .in_order
            .iter()
            .find(|m| m.definition.name == name)
            .cloned()
    }

    /// Every model, in definition order.
    pub(crate) fn all(&self) -> Vec<Arc<ModelRuntime>> {
        self.models
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .in_order
            .clone()
    }
}

/// The runtime of `M` on the instance behind `exec`, or the error that says to define it.
pub(crate) fn runtime_of<M: Model>(exec: &impl Executor) -> Result<Arc<ModelRuntime>> {
    runtime_on::<M>(exec.target().sequelize())
}

fn runtime_on<M: Model>(db: &Sequelize) -> Result<Arc<ModelRuntime>> {
    Registry::of(db)
        .typed(TypeId::of::<M>())
        .ok_or_else(|| Error::NotDefined(M::definition().name.clone()))
}

/// The model a builder runs against: a derived model, whose runtime is looked up on the
/// executor's instance when the builder runs, or a dynamic model's runtime.
#[derive(Debug, Clone)]
pub(crate) enum ModelRef {
    /// A derived model: the lookup of its runtime.
    Typed(fn(&Sequelize) -> Result<Arc<ModelRuntime>>),
    /// A model defined at run time.
    Runtime(Arc<ModelRuntime>),
}

impl ModelRef {
    /// A derived model.
    pub(crate) fn typed<M: Model>() -> Self {
        ModelRef::Typed(runtime_on::<M>)
    }

    /// The runtime, on the instance behind `exec`.
    pub(crate) fn resolve(&self, exec: &impl Executor) -> Result<Arc<ModelRuntime>> {
        match self {
            ModelRef::Typed(lookup) => lookup(exec.target().sequelize()),
            ModelRef::Runtime(runtime) => Ok(Arc::clone(runtime)),
        }
    }
}
