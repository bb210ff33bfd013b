//! Model hooks: Sequelize's `beforeCreate`, `afterSave`, `beforeFind`, … on one model of one
//! instance.
//!
//! A hook is an `async` function of the instance being written (or, for the hooks of
//! finders, static writes and `sync`, of the operation's options) and a [`HookContext`]; it may
//! change the instance (a password hashed, a slug made) and may fail, which stops the
//! operation before anything is sent (or, for an `after` hook, fails it after the statement;
//! inside a transaction nothing then remains once it rolls back). Hooks of one kind run one
//! after the other, in the order they were added, each awaited. `BeforeSave` and `AfterSave`
//! are added to both the create and the update hooks, as in Sequelize.

use std::any::{Any, TypeId};
use std::fmt;
use std::sync::{Arc, RwLock};

use futures_util::future::BoxFuture;

use super::definition::ModelDefinition;
use super::planner::FindOptions;
use super::registry::SyncOptions;
use crate::connection::ExecutorRef;
use crate::error::{Error, Result};

/// A model hook's moment (Sequelize's hook names).
///
/// ```
/// use sequelize::model::Hook;
/// assert_eq!(Hook::BeforeCreate.name(), "beforeCreate");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Hook {
    /// Before the validators run.
    BeforeValidate,
    /// After they passed.
    AfterValidate,
    /// After they failed; an error the hook returns replaces the validation error.
    ValidationFailed,
    /// Before the `INSERT` of a new instance (after validation).
    BeforeCreate,
    /// After it.
    AfterCreate,
    /// Before the `UPDATE` of a saved instance (after validation).
    BeforeUpdate,
    /// After it.
    AfterUpdate,
    /// Before either: added to [`BeforeCreate`](Hook::BeforeCreate) and
    /// [`BeforeUpdate`](Hook::BeforeUpdate).
    BeforeSave,
    /// After either: added to [`AfterCreate`](Hook::AfterCreate) and
    /// [`AfterUpdate`](Hook::AfterUpdate).
    AfterSave,
    /// Before an instance's `destroy`.
    BeforeDestroy,
    /// After it.
    AfterDestroy,
    /// Before an instance's `restore`.
    BeforeRestore,
    /// After it.
    AfterRestore,
    /// Before a `bulk_create`'s `INSERT`s, on each record (whether or not the per-record
    /// hooks run: `individual_hooks`).
    BeforeBulkCreate,
    /// After them, on each record, keys and defaults read back.
    AfterBulkCreate,
    /// Before an `upsert`, on the instance.
    BeforeUpsert,
    /// After it, on the instance as saved.
    AfterUpsert,
    /// After a finder read an instance, on each one found.
    AfterFind,
    /// Before a finder plans its query: on its [`FindOptions`](super::FindOptions), after
    /// the scopes were applied (it may change the filter, order, limit, …).
    BeforeFind,
    /// Before `count` and the other aggregates: on their [`FindOptions`](super::FindOptions).
    BeforeCount,
    /// Before a static `update` (`Model.update`): on [`FindOptions`](super::FindOptions)
    /// holding its filter, which the hook may narrow or replace.
    BeforeBulkUpdate,
    /// After it.
    AfterBulkUpdate,
    /// Before a static `destroy`: on [`FindOptions`](super::FindOptions) holding its filter.
    BeforeBulkDestroy,
    /// After it.
    AfterBulkDestroy,
    /// Before a static `restore`: on [`FindOptions`](super::FindOptions) holding its filter.
    BeforeBulkRestore,
    /// After it.
    AfterBulkRestore,
    /// Before the model's table is synced: on the [`SyncOptions`](super::SyncOptions).
    BeforeSync,
    /// After it.
    AfterSync,
    /// Before `sequelize.sync()` syncs every model: on its
    /// [`SyncOptions`](super::SyncOptions) (a hook of the Sequelize instance).
    BeforeBulkSync,
    /// After it.
    AfterBulkSync,
    /// Before an association of this model (its source) is made: on its
    /// [`AssociationOptions`](super::AssociationOptions), which the hook may change. Added
    /// with [`ModelRuntime::add_associate_hook`](super::ModelRuntime::add_associate_hook):
    /// it runs while models are defined, before any database work.
    BeforeAssociate,
    /// After it was made.
    AfterAssociate,
}

/// What a hook's function receives besides the context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Argument {
    /// The instance (the model's struct, or a dynamic instance).
    Instance,
    /// The operation's [`FindOptions`](super::FindOptions).
    Find,
    /// The [`SyncOptions`](super::SyncOptions).
    Sync,
    /// An association's options, synchronously (see [`Hook::BeforeAssociate`]).
    Associate,
}

impl Hook {
    /// Sequelize's name of the hook.
    pub fn name(self) -> &'static str {
        match self {
            Hook::BeforeValidate => "beforeValidate",
            Hook::AfterValidate => "afterValidate",
            Hook::ValidationFailed => "validationFailed",
            Hook::BeforeCreate => "beforeCreate",
            Hook::AfterCreate => "afterCreate",
            Hook::BeforeUpdate => "beforeUpdate",
            Hook::AfterUpdate => "afterUpdate",
            Hook::BeforeSave => "beforeSave",
            Hook::AfterSave => "afterSave",
            Hook::BeforeDestroy => "beforeDestroy",
            Hook::AfterDestroy => "afterDestroy",
            Hook::BeforeRestore => "beforeRestore",
            Hook::AfterRestore => "afterRestore",
            Hook::BeforeBulkCreate => "beforeBulkCreate",
            Hook::AfterBulkCreate => "afterBulkCreate",
            Hook::BeforeUpsert => "beforeUpsert",
            Hook::AfterUpsert => "afterUpsert",
            Hook::AfterFind => "afterFind",
            Hook::BeforeFind => "beforeFind",
            Hook::BeforeCount => "beforeCount",
            Hook::BeforeBulkUpdate => "beforeBulkUpdate",
            Hook::AfterBulkUpdate => "afterBulkUpdate",
            Hook::BeforeBulkDestroy => "beforeBulkDestroy",
            Hook::AfterBulkDestroy => "afterBulkDestroy",
            Hook::BeforeBulkRestore => "beforeBulkRestore",
            Hook::AfterBulkRestore => "afterBulkRestore",
            Hook::BeforeSync => "beforeSync",
            Hook::AfterSync => "afterSync",
            Hook::BeforeBulkSync => "beforeBulkSync",
            Hook::AfterBulkSync => "afterBulkSync",
            Hook::BeforeAssociate => "beforeAssociate",
            Hook::AfterAssociate => "afterAssociate",
        }
    }

    /// Whether the hook's function takes the instance (else the operation's options).
    pub(crate) fn takes_instance(self) -> bool {
        self.argument() == Argument::Instance
    }

    /// What the hook's function takes.
    fn argument(self) -> Argument {
        match self {
            Hook::BeforeFind
            | Hook::BeforeCount
            | Hook::BeforeBulkUpdate
            | Hook::AfterBulkUpdate
            | Hook::BeforeBulkDestroy
            | Hook::AfterBulkDestroy
            | Hook::BeforeBulkRestore
            | Hook::AfterBulkRestore => Argument::Find,
            Hook::BeforeSync | Hook::AfterSync | Hook::BeforeBulkSync | Hook::AfterBulkSync => {
                Argument::Sync
            }
            Hook::BeforeAssociate | Hook::AfterAssociate => Argument::Associate,
            _ => Argument::Instance,
        }
    }

    /// The hooks a registration of this one lands in (`BeforeSave` in both befores).
    fn targets(self) -> &'static [Hook] {
        match self {
            Hook::BeforeSave => &[Hook::BeforeCreate, Hook::BeforeUpdate],
            Hook::AfterSave => &[Hook::AfterCreate, Hook::AfterUpdate],
            Hook::BeforeValidate => &[Hook::BeforeValidate],
            Hook::AfterValidate => &[Hook::AfterValidate],
            Hook::ValidationFailed => &[Hook::ValidationFailed],
            Hook::BeforeCreate => &[Hook::BeforeCreate],
            Hook::AfterCreate => &[Hook::AfterCreate],
            Hook::BeforeUpdate => &[Hook::BeforeUpdate],
            Hook::AfterUpdate => &[Hook::AfterUpdate],
            Hook::BeforeDestroy => &[Hook::BeforeDestroy],
            Hook::AfterDestroy => &[Hook::AfterDestroy],
            Hook::BeforeRestore => &[Hook::BeforeRestore],
            Hook::AfterRestore => &[Hook::AfterRestore],
            Hook::BeforeBulkCreate => &[Hook::BeforeBulkCreate],
            Hook::AfterBulkCreate => &[Hook::AfterBulkCreate],
            Hook::BeforeUpsert => &[Hook::BeforeUpsert],
            Hook::AfterUpsert => &[Hook::AfterUpsert],
            Hook::AfterFind => &[Hook::AfterFind],
            Hook::BeforeFind => &[Hook::BeforeFind],
            Hook::BeforeCount => &[Hook::BeforeCount],
            Hook::BeforeBulkUpdate => &[Hook::BeforeBulkUpdate],
            Hook::AfterBulkUpdate => &[Hook::AfterBulkUpdate],
            Hook::BeforeBulkDestroy => &[Hook::BeforeBulkDestroy],
            Hook::AfterBulkDestroy => &[Hook::AfterBulkDestroy],
            Hook::BeforeBulkRestore => &[Hook::BeforeBulkRestore],
            Hook::AfterBulkRestore => &[Hook::AfterBulkRestore],
            Hook::BeforeSync => &[Hook::BeforeSync],
            Hook::AfterSync => &[Hook::AfterSync],
            Hook::BeforeBulkSync => &[Hook::BeforeBulkSync],
            Hook::AfterBulkSync => &[Hook::AfterBulkSync],
            Hook::BeforeAssociate => &[Hook::BeforeAssociate],
            Hook::AfterAssociate => &[Hook::AfterAssociate],
        }
    }
}

/// What a hook receives besides the instance: the executor the operation runs on (its
/// transaction, if any), so that the hook's own queries run there too, and which attributes
/// the save writes (`instance.changed('password')`).
pub struct HookContext<'a> {
    exec: ExecutorRef<'a>,
    hook: Hook,
    /// The model, or `None` for a hook of the whole instance (`BeforeBulkSync`).
    def: Option<&'a ModelDefinition>,
    changed: &'a [usize],
}

impl<'a> HookContext<'a> {
    /// Whether the save writes this attribute (every attribute of a new instance; the
    /// changed ones of a saved one; none on `destroy` and `restore`).
    pub fn changed(&self, attribute: &str) -> bool {
        self.def
            .and_then(|def| def.position(attribute))
            .is_some_and(|index| self.changed.contains(&index))
    }

    /// Where the operation runs: run the hook's queries on it.
    pub fn exec(&self) -> &ExecutorRef<'a> {
        &self.exec
    }

    /// Which moment is running (a `BeforeSave` hook runs as `BeforeCreate` or
    /// `BeforeUpdate`).
    pub fn hook(&self) -> Hook {
        self.hook
    }
}

/// A hook function on instances whose data is `D` (the model's struct).
pub type HookFn<D> =
    Arc<dyn for<'a> Fn(&'a mut D, &'a HookContext<'a>) -> BoxFuture<'a, Result<()>> + Send + Sync>;

/// One hook added to a model, its function behind `Any` (a [`HookFn`] of the model's data).
struct Registered {
    /// When it runs.
    hook: Hook,
    /// What it was added as (`BeforeSave` runs as `BeforeCreate` and `BeforeUpdate`).
    added_as: Hook,
    name: String,
    run: Arc<dyn Any + Send + Sync>,
}

/// The hooks of one model, in the order they were added.
pub(crate) struct Hooks {
    /// The type of the data the hooks take (the model's struct).
    data: TypeId,
    list: RwLock<Vec<Registered>>,
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = self.list.read().unwrap_or_else(|e| e.into_inner());
        f.debug_list()
            .entries(list.iter().map(|r| (r.hook.name(), r.name.as_str())))
            .finish()
    }
}

impl Hooks {
    /// No hooks yet, for instances whose data is of type `data`.
    pub(crate) fn new(data: TypeId) -> Self {
        Hooks {
            data,
            list: RwLock::new(Vec::new()),
        }
    }

    /// Adds a hook under `name`, replacing one added as the same moment under that name.
    pub(crate) fn add<D: 'static>(&self, hook: Hook, name: &str, run: HookFn<D>) -> Result<()> {
        let (expected, takes) = match hook.argument() {
            Argument::Instance => (self.data, "the model's instances"),
            Argument::Find => (TypeId::of::<FindOptions>(), "the operation's FindOptions"),
            Argument::Sync => (TypeId::of::<SyncOptions>(), "the SyncOptions"),
            Argument::Associate => {
                return Err(Error::Config(format!(
                    "the {} hook {name:?} runs while models are defined, with no database: \
                     add it with ModelRuntime::add_associate_hook",
                    hook.name()
                )))
            }
        };
        if TypeId::of::<D>() != expected {
            return Err(Error::Config(format!(
                "the {} hook {name:?} takes another argument: it takes {takes}",
                hook.name()
            )));
        }
        let run: Arc<dyn Any + Send + Sync> = Arc::new(run);
        let mut list = self.list.write().unwrap_or_else(|e| e.into_inner());
        list.retain(|r| !(r.added_as == hook && r.name == name));
        for &target in hook.targets() {
            list.push(Registered {
                hook: target,
                added_as: hook,
                name: name.to_owned(),
                run: Arc::clone(&run),
            });
        }
        Ok(())
    }

    /// Removes the hook added under `name`; whether there was one.
    pub(crate) fn remove(&self, hook: Hook, name: &str) -> bool {
        let mut list = self.list.write().unwrap_or_else(|e| e.into_inner());
        let before = list.len();
        list.retain(|r| !(r.added_as == hook && r.name == name));
        list.len() != before
    }

    /// Whether the model has a hook of this moment.
    pub(crate) fn has(&self, hook: Hook) -> bool {
        (self.list.read().unwrap_or_else(|e| e.into_inner()))
            .iter()
            .any(|r| r.hook == hook)
    }

    /// Whether the model has any hook (the writes skip the hook steps when it has none).
    pub(crate) fn is_empty(&self) -> bool {
        self.list
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_empty()
    }

    /// Runs the hooks of one moment on `data`, in order; the first failure stops them.
    /// `changed` are the attributes the operation writes.
    pub(crate) async fn run<D: 'static>(
        &self,
        hook: Hook,
        data: &mut D,
        exec: ExecutorRef<'_>,
        def: &ModelDefinition,
        changed: &[usize],
    ) -> Result<()> {
        self.run_on(hook, data, exec, Some(def), changed).await
    }

    /// [`run`](Self::run) for a model, or for the whole instance (`def` `None`).
    pub(crate) async fn run_on<D: 'static>(
        &self,
        hook: Hook,
        data: &mut D,
        exec: ExecutorRef<'_>,
        def: Option<&ModelDefinition>,
        changed: &[usize],
    ) -> Result<()> {
        let functions: Vec<HookFn<D>> = {
            let list = self.list.read().unwrap_or_else(|e| e.into_inner());
            (list.iter())
                .filter(|r| r.hook == hook)
                .filter_map(|r| r.run.downcast_ref::<HookFn<D>>().cloned())
                .collect()
        };
        let context = HookContext {
            exec,
            hook,
            def,
            changed,
        };
        for function in functions {
            function(data, &context).await?;
        }
        Ok(())
    }
}
