//! Declaring associations before both models exist, and resolving them once they do: the
//! derive's `#[has_many(...)]` on a model registered before its target, and
//! [`Sequelize::associate`] at run time.

use std::any::TypeId;
use std::sync::Arc;

use super::loaded::collection_of;
use super::{key_or_primary, through_key_names, Association, AssociationKind, AssociationOptions};
use crate::connection::Sequelize;
use crate::error::{Error, Result};
use crate::model::definition::{Attribute, ModelDefinition};
use crate::model::dynamic::DynInstance;
use crate::model::runtime::{ModelRuntime, Registry};
use crate::model::write::run_row_hooks;

/// An association as declared on its source model (the derive's `#[has_many(Post, …)]`):
/// the kind, the target model's name and the options. It is resolved when both models are
/// defined on a Sequelize instance.
///
/// ```
/// use sequelize::model::{AssociationDecl, AssociationKind, AssociationOptions};
/// let posts = AssociationDecl::new(AssociationKind::HasMany, "Post", AssociationOptions::default().alias("posts"));
/// assert_eq!(posts.target, "Post");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AssociationDecl {
    /// The kind.
    pub kind: AssociationKind,
    /// The target model's name.
    pub target: String,
    /// The options.
    pub options: AssociationOptions,
}

impl AssociationDecl {
    /// A declaration.
    pub fn new(
        kind: AssociationKind,
        target: impl Into<String>,
        options: AssociationOptions,
    ) -> Self {
        AssociationDecl {
            kind,
            target: target.into(),
            options,
        }
    }
}

impl Registry {
    /// Records the associations `source` declares and resolves those whose models all exist.
    pub(crate) fn declare(&self, source: &str, declared: Vec<AssociationDecl>) -> Result<()> {
        self.pending_associations()
            .extend(declared.into_iter().map(|decl| (source.to_owned(), decl)));
        self.resolve_pending()
    }

    /// Resolves every declared association whose source and target are defined. The first
    /// error is returned (and that declaration dropped, so it is reported once).
    pub(crate) fn resolve_pending(&self) -> Result<()> {
        let ready: Vec<(String, AssociationDecl)> = {
            let mut pending = self.pending_associations();
            let (ready, waiting) =
                std::mem::take(&mut *pending)
                    .into_iter()
                    .partition(|(source, decl)| {
                        self.named(source).is_some() && self.named(&decl.target).is_some()
                    });
            *pending = waiting;
            ready
        };
        for (source, decl) in ready {
            self.resolve(&source, decl)?;
        }
        Ok(())
    }

    /// Resolves one association of `source`; both models must be defined.
    fn resolve(&self, source: &str, decl: AssociationDecl) -> Result<Arc<Association>> {
        let find = |name: &str| {
            self.named(name)
                .ok_or_else(|| Error::NotDefined(name.to_owned()))
        };
        let source = find(source)?;
        let target = find(&decl.target)?;
        let through = match (&decl.options.through, decl.kind) {
            (Some(through), AssociationKind::BelongsToMany) => Some(match self.named(through) {
                Some(model) => model,
                None => self.define_join_model(&source, &target, through, &decl.options)?,
            }),
            (Some(_), _) => {
                return Err(Error::Config(format!(
                    "`through` is an option of belongsToMany, not of {} ({} → {})",
                    decl.kind.name(),
                    source.definition().name,
                    target.definition().name
                )))
            }
            (None, _) => None,
        };
        source.associate_resolved(decl.kind, &target, through.as_ref(), decl.options)
    }

    /// The join model of a `belongsToMany` through a table name, as Sequelize defines it:
    /// named and stored as the table, the two keys its composite primary key, timestamps
    /// and naming as the source model has them.
    fn define_join_model(
        &self,
        source: &ModelRuntime,
        target: &ModelRuntime,
        table: &str,
        options: &AssociationOptions,
    ) -> Result<Arc<ModelRuntime>> {
        let (source_def, target_def) = (source.definition(), target.definition());
        let source_key = key_or_primary(source_def, &options.source_key, "source key", table)?;
        let target_key = key_or_primary(target_def, &options.target_key, "target key", table)?;
        let (foreign, other) =
            through_key_names(source_def, source_key, target_def, target_key, options);
        let key_attribute = |name: String, def: &ModelDefinition, index: usize| {
            Attribute::new(name, def.attributes[index].column.data_type.clone())
                .primary_key()
                .not_null()
        };
        let definition = ModelDefinition::builder(table)
            .table_name(table)
            .underscored(source_def.underscored)
            .timestamps(source_def.created_at.is_some() || source_def.updated_at.is_some())
            .attribute(key_attribute(foreign, source_def, source_key))
            .attribute(key_attribute(other, target_def, target_key))
            .build()?;
        self.define(
            definition,
            TypeId::of::<DynInstance>(),
            false,
            run_row_hooks::<DynInstance>,
            collection_of::<DynInstance>,
        )
    }
}

impl Sequelize {
    /// Associates two models defined on this instance, by name: Sequelize's
    /// `Source.hasMany(Target, options)`, `belongsTo`, `hasOne` and `belongsToMany` (whose
    /// `through` names a join model, or a table for which one is defined). Derived models
    /// usually declare theirs on the struct instead (`#[has_many(Post, …)]`).
    ///
    /// ```
    /// use sequelize::model::{AssociationKind, AssociationOptions};
    /// use sequelize::prelude::*;
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.define_dynamic("User", [Attribute::new("name", DataType::String(None))], ModelOptions::default())?;
    /// db.define_dynamic("Post", [Attribute::new("title", DataType::String(None)), Attribute::new("userId", DataType::Integer)], ModelOptions::default())?;
    /// let posts = db.associate("User", AssociationKind::HasMany, "Post", AssociationOptions::default())?;
    /// assert_eq!(posts.name, "Posts");
    /// assert!(db.associate("User", AssociationKind::HasMany, "Post", AssociationOptions::default()).is_err());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn associate(
        &self,
        source: &str,
        kind: AssociationKind,
        target: &str,
        options: AssociationOptions,
    ) -> Result<Arc<Association>> {
        Registry::of(self).resolve(source, AssociationDecl::new(kind, target, options))
    }
}
