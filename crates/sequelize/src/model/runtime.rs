//! [`ModelRuntime`]: a model as defined on one Sequelize instance, and the registry of them.
//!
//! Sequelize v7 keeps a `ModelDefinition` per instance: what `define` registered there is what
//! every query of that instance runs with. Here `db.define::<M>()` (and `define_dynamic`)
//! registers a runtime in the instance's [`Registry`]; every finder and write looks it up
//! through the executor it runs on, by the model's `TypeId` (no string map on the hot path).
//! Hooks, scopes, validators and associations attach to the runtime as those features land.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use futures_util::future::BoxFuture;

use super::definition::ModelDefinition;
use super::hooks::{Hook, HookContext, Hooks};
use super::planner::FindOptions;
use super::scopes::{Scope, ScopeUse, Scopes};
use super::statement_cache::StatementCache;
use super::write::RowData;
use super::Model;
use crate::connection::{Executor, ExecutorRef, Sequelize};
use crate::error::{Error, Result};
use crate::sql::Expr;

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
    hooks: Hooks,
    scopes: Scopes,
}

impl ModelRuntime {
    fn new(definition: ModelDefinition, data: TypeId) -> Self {
        ModelRuntime {
            definition: Arc::new(definition),
            statements: StatementCache::default(),
            hooks: Hooks::new(data),
            scopes: Scopes::default(),
        }
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

    /// The options a finder plans with: the scopes applied, then the model's `hook`
    /// (`BeforeFind` or `BeforeCount`) hooks on them, unless the options turn hooks off.
    pub(crate) async fn planned(
        &self,
        options: FindOptions,
        hook: Hook,
        exec: ExecutorRef<'_>,
    ) -> Result<FindOptions> {
        let mut options = self.scoped(options)?;
        if options.hooks && self.hooks.has(hook) {
            let hooks = &self.hooks;
            hooks
                .run(hook, &mut options, exec, &self.definition, &[])
                .await?;
        }
        Ok(options)
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
        if !enabled || !self.hooks.has(hook) {
            return Ok(filter);
        }
        let mut options = FindOptions {
            filter,
            ..FindOptions::default()
        };
        self.hooks
            .run(hook, &mut options, exec, &self.definition, &[])
            .await?;
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
}

/// The models defined on one Sequelize instance.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    models: RwLock<Models>,
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
    pub(crate) fn define(
        &self,
        definition: ModelDefinition,
        data: TypeId,
        typed: bool,
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
                let runtime = Arc::new(ModelRuntime::new(definition, data));
                models.in_order.push(Arc::clone(&runtime));
                runtime
            }
        };
        if typed {
            models.by_type.insert(data, Arc::clone(&runtime));
        }
        Ok(runtime)
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
