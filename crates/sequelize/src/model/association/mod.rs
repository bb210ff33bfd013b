//! Associations: `hasOne`, `belongsTo`, `hasMany` and `belongsToMany` between two models of
//! one Sequelize instance, with Sequelize's options and defaults.
//!
//! An association is declared with its options ([`AssociationOptions`]) on the derive
//! (`#[has_many(Post, alias = "posts", foreign_key = "author_id")]`) or at run time
//! ([`ModelRuntime::associate`]), and resolved once both models are defined: names become
//! attribute positions, defaults are filled in the way Sequelize fills them, a
//! `belongsToMany` through a table name gets its join model, and the foreign key's
//! constraint is recorded for `sync`. The resolved [`Association`] is what `include` plans
//! joins from.
//!
//! One difference from Sequelize: a foreign key is an attribute the model declares.
//! Sequelize adds a missing one; here a derived model's struct is its list of attributes,
//! so a missing foreign key is an error that names the model and the attribute to add.
//! The join model of a `belongsToMany` through a table name is the exception: this module
//! defines it, with both keys.

mod declare;
pub(crate) mod eager;
pub(crate) mod include;
pub(crate) mod inert;
pub(crate) mod joined_columns;
pub(crate) mod loaded;
mod mixins;
mod nested;
mod separate;

use std::sync::{Arc, Weak};

use super::definition::ModelDefinition;
use super::dynamic::DynModel;
use super::hooks::Hook;
use super::runtime::ModelRuntime;
use crate::error::{Error, Result};
use crate::sql::{References, ReferentialAction};
use crate::utils::{camel_case, pluralize, snake_case};
use crate::value::Value;

pub use declare::AssociationDecl;
pub use include::{Assoc, Cardinality, Include, IncludeAll, Many, One};
pub use loaded::Loaded;
pub use mixins::Related;
pub use nested::Nested;

/// The four kinds of association (Sequelize's `associationType`).
///
/// ```
/// use sequelize::model::AssociationKind;
/// assert!(AssociationKind::HasMany.is_multiple());
/// assert_eq!(AssociationKind::BelongsTo.name(), "BelongsTo");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssociationKind {
    /// `A.belongsTo(B)`: the foreign key is on A, pointing at B.
    BelongsTo,
    /// `A.hasOne(B)`: the foreign key is on B, pointing at A; at most one B per A.
    HasOne,
    /// `A.hasMany(B)`: the foreign key is on B, pointing at A.
    HasMany,
    /// `A.belongsToMany(B, { through })`: a join table holds a key to each.
    BelongsToMany,
}

impl AssociationKind {
    /// Sequelize's name of the kind.
    pub fn name(self) -> &'static str {
        match self {
            AssociationKind::BelongsTo => "BelongsTo",
            AssociationKind::HasOne => "HasOne",
            AssociationKind::HasMany => "HasMany",
            AssociationKind::BelongsToMany => "BelongsToMany",
        }
    }

    /// Whether an instance has many associated rows (`isMultiAssociation`).
    pub fn is_multiple(self) -> bool {
        matches!(
            self,
            AssociationKind::HasMany | AssociationKind::BelongsToMany
        )
    }
}

/// The options of an association, named as Sequelize's (`as` is `alias`, a Rust keyword).
/// Every option is optional; [`Association`] holds what they resolve to.
///
/// ```
/// use sequelize::model::AssociationOptions;
/// use sequelize::sql::ReferentialAction;
/// let comments = AssociationOptions::default()
///     .alias("comments")
///     .foreign_key("post_id")
///     .on_delete(ReferentialAction::Cascade);
/// assert_eq!(comments.alias.as_deref(), Some("comments"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AssociationOptions {
    /// `as`: the association's name (plural for `hasMany`/`belongsToMany`); the target
    /// model's name (pluralized for those two) by default.
    pub alias: Option<String>,
    /// `as: { singular }` for a many-association named by `alias` (the singular is found by
    /// dropping a trailing `s` otherwise).
    pub singular: Option<String>,
    /// `foreignKey`: the attribute holding the key (on the target for `hasOne`/`hasMany`, on
    /// the source for `belongsTo`, on the join model, pointing at the source, for
    /// `belongsToMany`).
    pub foreign_key: Option<String>,
    /// `sourceKey`: the source's attribute the foreign key refers to (its primary key by
    /// default).
    pub source_key: Option<String>,
    /// `targetKey`: the target's attribute a `belongsTo` (or the `otherKey` of a
    /// `belongsToMany`) refers to (its primary key by default).
    pub target_key: Option<String>,
    /// `otherKey`: the join model's attribute pointing at the target (`belongsToMany`).
    pub other_key: Option<String>,
    /// `through`: the join model's name, or a table name (a model is then defined for it).
    pub through: Option<String>,
    /// `through: { scope }`: attribute values every join row has (and gets when created).
    pub through_scope: Vec<(String, Value)>,
    /// `scope`: attribute values every associated row has, as a filter on reads and as
    /// values on creates (`{ commentableType: 'post' }`, polymorphism).
    pub scope: Vec<(String, Value)>,
    /// `onDelete` (Sequelize's default when `None`: `SET NULL` on a nullable key, else
    /// `CASCADE`).
    pub on_delete: Option<ReferentialAction>,
    /// `onUpdate` (default `CASCADE`).
    pub on_update: Option<ReferentialAction>,
    /// `constraints` (default true): `false` creates no foreign-key constraint.
    pub constraints: bool,
    /// `hooks` (default false): destroying a source instance destroys its associated
    /// instances one by one, running their hooks, instead of leaving it to the database.
    pub hooks: bool,
}

impl Default for AssociationOptions {
    fn default() -> Self {
        AssociationOptions {
            alias: None,
            singular: None,
            foreign_key: None,
            source_key: None,
            target_key: None,
            other_key: None,
            through: None,
            through_scope: Vec::new(),
            scope: Vec::new(),
            on_delete: None,
            on_update: None,
            constraints: true,
            hooks: false,
        }
    }
}

impl AssociationOptions {
    /// `as`.
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// `as: { singular, plural }`: `alias` is the plural.
    pub fn singular(mut self, singular: impl Into<String>) -> Self {
        self.singular = Some(singular.into());
        self
    }

    /// `foreignKey`.
    pub fn foreign_key(mut self, attribute: impl Into<String>) -> Self {
        self.foreign_key = Some(attribute.into());
        self
    }

    /// `sourceKey`.
    pub fn source_key(mut self, attribute: impl Into<String>) -> Self {
        self.source_key = Some(attribute.into());
        self
    }

    /// `targetKey`.
    pub fn target_key(mut self, attribute: impl Into<String>) -> Self {
        self.target_key = Some(attribute.into());
        self
    }

    /// `otherKey`.
    pub fn other_key(mut self, attribute: impl Into<String>) -> Self {
        self.other_key = Some(attribute.into());
        self
    }

    /// `through`: a model's name or a table name.
    pub fn through(mut self, through: impl Into<String>) -> Self {
        self.through = Some(through.into());
        self
    }

    /// Adds to `through: { scope }`.
    pub fn through_scope(mut self, attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        self.through_scope.push((attribute.into(), value.into()));
        self
    }

    /// Adds to `scope`.
    pub fn scope(mut self, attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        self.scope.push((attribute.into(), value.into()));
        self
    }

    /// `onDelete`.
    pub fn on_delete(mut self, action: ReferentialAction) -> Self {
        self.on_delete = Some(action);
        self
    }

    /// `onUpdate`.
    pub fn on_update(mut self, action: ReferentialAction) -> Self {
        self.on_update = Some(action);
        self
    }

    /// `constraints: false`: no foreign-key constraint.
    pub fn constraints(mut self, constraints: bool) -> Self {
        self.constraints = constraints;
        self
    }

    /// `hooks: true`.
    pub fn hooks(mut self, hooks: bool) -> Self {
        self.hooks = hooks;
        self
    }
}

/// An association as resolved on one Sequelize instance: the models, and the attribute
/// positions its keys are at. Found on the source's runtime by name
/// ([`ModelRuntime::association`]).
#[derive(Debug)]
pub struct Association {
    /// The kind.
    pub kind: AssociationKind,
    /// `as`: the name it is included and reached by.
    pub name: String,
    /// The singular of the name (`comment` for `comments`).
    pub singular: String,
    /// The source model's name.
    pub source: String,
    target: Weak<ModelRuntime>,
    through: Option<Weak<ModelRuntime>>,
    /// The foreign key's position: on the target (`hasOne`, `hasMany`), on the source
    /// (`belongsTo`), on the join model (`belongsToMany`).
    pub foreign_key: usize,
    /// The position of the source's attribute the foreign key refers to (`hasOne`,
    /// `hasMany`, `belongsToMany`).
    pub source_key: usize,
    /// The position of the target's attribute referred to (`belongsTo`'s foreign key,
    /// `belongsToMany`'s other key).
    pub target_key: usize,
    /// The join model's attribute pointing at the target (`belongsToMany`).
    pub other_key: Option<usize>,
    /// The association scope: (target attribute position, value).
    pub scope: Vec<(usize, Value)>,
    /// The through scope: (join model attribute position, value).
    pub through_scope: Vec<(usize, Value)>,
    /// `hooks: true`.
    pub hooks: bool,
}

impl Association {
    /// The target model's runtime.
    pub fn target(&self) -> Result<Arc<ModelRuntime>> {
        upgrade(&self.target, &self.name)
    }

    /// The join model's runtime (`belongsToMany`).
    pub fn through(&self) -> Result<Option<Arc<ModelRuntime>>> {
        self.through
            .as_ref()
            .map(|through| upgrade(through, &self.name))
            .transpose()
    }

    /// Inserts the join rows of a `belongsToMany` between the source's key and each target
    /// key, with the through scope and `extra` values, each through the join model's create.
    pub(crate) async fn insert_join_rows(
        &self,
        source_key: &Value,
        target_keys: impl IntoIterator<Item = Value>,
        extra: &[(&str, Value)],
        exec: &impl crate::connection::Executor,
    ) -> Result<()> {
        let (through, other_key) = self.join()?;
        let def = through.definition();
        let name = |index: usize| def.attributes[index].name.clone();
        let join = DynModel::of(Arc::clone(&through));
        for key in target_keys {
            let mut values = vec![
                (name(self.foreign_key), source_key.clone()),
                (name(other_key), key),
            ];
            values.extend(
                self.through_scope
                    .iter()
                    .map(|(i, v)| (name(*i), v.clone())),
            );
            values.extend(extra.iter().map(|(n, v)| ((*n).to_owned(), v.clone())));
            join.create(values).exec(exec).await?;
        }
        Ok(())
    }

    /// The join model of a `belongsToMany` and its other key (to the target); an error
    /// for the other kinds.
    pub(crate) fn join(&self) -> Result<(Arc<ModelRuntime>, usize)> {
        match (self.through()?, self.other_key) {
            (Some(through), Some(other_key)) => Ok((through, other_key)),
            _ => Err(Error::EagerLoading(format!(
                "the {} association {:?} has no join model",
                self.kind.name(),
                self.name
            ))),
        }
    }
}

fn upgrade(model: &Weak<ModelRuntime>, association: &str) -> Result<Arc<ModelRuntime>> {
    model.upgrade().ok_or_else(|| {
        Error::EagerLoading(format!(
            "the association {association:?} refers to a model of a closed Sequelize instance"
        ))
    })
}

/// The position of `name` on `def`, or the error that names the model, the attribute and
/// what it was for.
fn attribute(def: &ModelDefinition, name: &str, role: &str, association: &str) -> Result<usize> {
    def.position(name).ok_or_else(|| {
        Error::Config(format!(
            "the association {association:?} needs the attribute {name:?} on model {} as its \
             {role}: declare it (Sequelize adds a missing foreign key; here a model's \
             attributes are what it declares)",
            def.name
        ))
    })
}

/// The key an association refers to: the attribute an option names, or by default the
/// model's single primary key.
fn key_or_primary(
    def: &ModelDefinition,
    named: &Option<String>,
    role: &str,
    association: &str,
) -> Result<usize> {
    match named {
        Some(name) => attribute(def, name, role, association),
        None => def.single_primary_key().map_err(|e| {
            Error::Config(format!(
                "the association {association:?}: {e}; name the key with source_key/target_key"
            ))
        }),
    }
}

/// Sequelize's default foreign-key name: `<model or alias, singular><Key>`, camelCase, or
/// snake_case on an underscored model.
fn default_key_name(prefix: &str, key: &str, underscored: bool) -> String {
    let joined = format!("{prefix}_{key}");
    if underscored {
        snake_case(&joined)
    } else {
        camel_case(&snake_case(&joined))
    }
}

/// The singular of an association name (`comments` → `comment`), Sequelize's
/// `Utils.singularize` for the regular plurals.
fn singularize(plural: &str) -> String {
    if let Some(stem) = plural.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["ches", "shes", "sses", "xes"] {
        if let Some(stem) = plural.strip_suffix(suffix) {
            return format!("{stem}{}", &suffix[..suffix.len() - 2]);
        }
    }
    plural
        .strip_suffix('s')
        .filter(|stem| !stem.is_empty())
        .unwrap_or(plural)
        .to_owned()
}

/// Attribute values by name as positions on `def`.
fn positions(
    def: &ModelDefinition,
    values: &[(String, Value)],
    role: &str,
    association: &str,
) -> Result<Vec<(usize, Value)>> {
    values
        .iter()
        .map(|(name, value)| Ok((attribute(def, name, role, association)?, value.clone())))
        .collect()
}

/// The constraint a foreign key gets: Sequelize's defaults where the options say nothing.
fn references(
    holder: &ModelDefinition,
    foreign_key: usize,
    referred: &ModelDefinition,
    key: usize,
    kind: AssociationKind,
    options: &AssociationOptions,
) -> References {
    let nullable = holder.attributes[foreign_key].column.allow_null;
    let on_delete = options.on_delete.unwrap_or(match kind {
        AssociationKind::BelongsToMany => ReferentialAction::Cascade,
        _ if nullable => ReferentialAction::SetNull,
        _ => ReferentialAction::Cascade,
    });
    References::new(
        referred.table(),
        referred.attributes[key].column.name.clone(),
    )
    .on_delete(on_delete)
    .on_update(options.on_update.unwrap_or(ReferentialAction::Cascade))
}

impl ModelRuntime {
    /// Associates this model (the source) with `target` (Sequelize's `Source.hasMany(Target,
    /// options)` and the others); for a `belongsToMany`, `through` is the join model (see
    /// [`Sequelize::associate`](crate::Sequelize) which finds or defines it from
    /// `options.through`). Runs the source's `BeforeAssociate` and `AfterAssociate` hooks.
    ///
    /// A name used twice on one model is an error, as is an attribute an option names that
    /// the model lacks.
    pub(crate) fn associate_resolved(
        self: &Arc<Self>,
        kind: AssociationKind,
        target: &Arc<ModelRuntime>,
        through: Option<&Arc<ModelRuntime>>,
        options: AssociationOptions,
    ) -> Result<Arc<Association>> {
        let mut options = options;
        self.run_associate_hooks(
            super::hooks::Hook::BeforeAssociate,
            kind,
            target,
            &mut options,
        )?;
        let source_def = self.definition();
        let target_def = target.definition();
        let plural_default = || pluralize(&target_def.name);
        let name = match (&options.alias, kind.is_multiple()) {
            (Some(alias), _) => alias.clone(),
            (None, true) => plural_default(),
            (None, false) => target_def.name.clone(),
        };
        let singular = match (&options.singular, kind.is_multiple()) {
            (Some(singular), _) => singular.clone(),
            (None, true) => singularize(&name),
            (None, false) => name.clone(),
        };
        if self.association(&name).is_some() {
            return Err(Error::Config(format!(
                "model {} already has an association named {name:?}",
                source_def.name
            )));
        }
        if source_def.position(&name).is_some() {
            return Err(Error::Config(format!(
                "model {} has an attribute named {name:?}, which the association of that \
                 name would hide: give the association another alias",
                source_def.name
            )));
        }
        let underscored = source_def.underscored;
        let scope = positions(target_def, &options.scope, "scope attribute", &name)?;
        let named_source_key =
            || key_or_primary(source_def, &options.source_key, "source key", &name);
        let named_target_key =
            || key_or_primary(target_def, &options.target_key, "target key", &name);
        let references_of = |holder: &ModelDefinition, key: usize, referred, referred_key| {
            references(holder, key, referred, referred_key, kind, &options)
        };
        // The keys, where the constraints go, and the join model of a belongsToMany.
        let (foreign_key, source_key, target_key): (usize, usize, usize);
        let other_key: Option<usize>;
        let through_scope: Vec<(usize, Value)>;
        let mut through_model = None;
        match kind {
            AssociationKind::BelongsTo => {
                target_key = named_target_key()?;
                let default =
                    default_key_name(&name, &target_def.attributes[target_key].name, underscored);
                let named = options.foreign_key.as_deref().unwrap_or(&default);
                foreign_key = attribute(source_def, named, "foreign key", &name)?;
                source_key = foreign_key;
                other_key = None;
                through_scope = Vec::new();
                if options.constraints {
                    let refs = references_of(source_def, foreign_key, target_def, target_key);
                    self.add_foreign_key(foreign_key, refs);
                }
            }
            AssociationKind::HasOne | AssociationKind::HasMany => {
                source_key = named_source_key()?;
                let default = default_key_name(
                    &source_def.name,
                    &source_def.attributes[source_key].name,
                    target_def.underscored,
                );
                let named = options.foreign_key.as_deref().unwrap_or(&default);
                foreign_key = attribute(target_def, named, "foreign key", &name)?;
                target_key = foreign_key;
                other_key = None;
                through_scope = Vec::new();
                if options.constraints {
                    let refs = references_of(target_def, foreign_key, source_def, source_key);
                    target.add_foreign_key(foreign_key, refs);
                }
            }
            AssociationKind::BelongsToMany => {
                let through = through.ok_or_else(|| {
                    Error::Config(format!(
                        "the belongsToMany association {name:?} of {} needs `through` (a \
                         model or a table name)",
                        source_def.name
                    ))
                })?;
                let through_def = through.definition();
                source_key = named_source_key()?;
                target_key = named_target_key()?;
                let (foreign_name, other_name) =
                    through_key_names(source_def, source_key, target_def, target_key, &options);
                foreign_key = attribute(through_def, &foreign_name, "foreign key", &name)?;
                let other = attribute(through_def, &other_name, "other key", &name)?;
                other_key = Some(other);
                through_scope = positions(
                    through_def,
                    &options.through_scope,
                    "through scope attribute",
                    &name,
                )?;
                if options.constraints {
                    let to_source = references_of(through_def, foreign_key, source_def, source_key);
                    let to_target = references_of(through_def, other, target_def, target_key);
                    through.add_foreign_key(foreign_key, to_source);
                    through.add_foreign_key(other, to_target);
                }
                through_model = Some(Arc::downgrade(through));
            }
        }
        let association = Association {
            kind,
            name,
            singular,
            source: source_def.name.clone(),
            target: Arc::downgrade(target),
            through: through_model,
            foreign_key,
            source_key,
            target_key,
            other_key,
            scope,
            through_scope,
            hooks: options.hooks,
        };
        let association = Arc::new(association);
        self.add_association(Arc::clone(&association));
        self.run_associate_hooks(
            super::hooks::Hook::AfterAssociate,
            kind,
            target,
            &mut options,
        )?;
        Ok(association)
    }
}

/// `hooks: true` (Sequelize's cascade with hooks): when an instance of `runtime` is
/// destroyed (after its `beforeDestroy` hooks, before its own `DELETE`), the rows of its
/// `hasOne`/`hasMany` associations that say so are destroyed one by one as instances are:
/// each one's `beforeDestroy` hooks, its own dependents the same way, its `DELETE` (or
/// soft delete), its `afterDestroy` hooks; instead of leaving them to the database's
/// `ON DELETE`. `values` are the instance's, in attribute order.
pub(crate) fn destroy_dependents<'a>(
    runtime: &'a ModelRuntime,
    values: &'a [Value],
    exec: crate::connection::ExecutorRef<'a>,
) -> futures_util::future::BoxFuture<'a, Result<()>> {
    Box::pin(async move {
        for association in runtime.associations() {
            let cascades = association.hooks
                && matches!(
                    association.kind,
                    AssociationKind::HasOne | AssociationKind::HasMany
                );
            if !cascades {
                continue;
            }
            let target = association.target()?;
            let def = target.definition();
            let key = def.attributes[association.foreign_key].name.clone();
            let mine = crate::sql::Expr::column(key).eq(values[association.source_key].clone());
            let (select, _) = super::planner::select(
                def,
                super::planner::FindOptions {
                    filter: Some(mine),
                    ..Default::default()
                },
            )?;
            let found = super::run(&exec, &target, &mut select.into()).await?.rows;
            let mut rows: Vec<Vec<Value>> = found.iter().map(<[Value]>::to_vec).collect();
            for row in &mut rows {
                let one = std::slice::from_mut(row);
                target.run_on_values(Hook::BeforeDestroy, one, exec).await?;
                destroy_dependents(&target, &one[0], exec).await?;
                let filter = super::planner::key_filter(def, &one[0])?;
                let at = super::planner::now();
                let mut destroy = super::planner::destroy(def, Some(filter), false, at)?;
                super::run(&exec, &target, &mut destroy).await?;
                target.run_on_values(Hook::AfterDestroy, one, exec).await?;
            }
        }
        Ok(())
    })
}

/// The names of a join model's two keys: `foreignKey` (to the source) and `otherKey` (to the
/// target), or Sequelize's defaults (`postId`, `tagId`; snake_case on an underscored source).
fn through_key_names(
    source: &ModelDefinition,
    source_key: usize,
    target: &ModelDefinition,
    target_key: usize,
    options: &AssociationOptions,
) -> (String, String) {
    let underscored = source.underscored;
    let foreign = options.foreign_key.clone().unwrap_or_else(|| {
        default_key_name(
            &source.name,
            &source.attributes[source_key].name,
            underscored,
        )
    });
    let other = options.other_key.clone().unwrap_or_else(|| {
        default_key_name(
            &target.name,
            &target.attributes[target_key].name,
            underscored,
        )
    });
    (foreign, other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_follow_sequelize() {
        assert_eq!(default_key_name("User", "id", false), "userId");
        assert_eq!(default_key_name("author", "id", true), "author_id");
        assert_eq!(default_key_name("BlogPost", "id", false), "blogPostId");
        assert_eq!(singularize("comments"), "comment");
        assert_eq!(singularize("categories"), "category");
        assert_eq!(singularize("boxes"), "box");
        assert_eq!(singularize("s"), "s");
    }
}
