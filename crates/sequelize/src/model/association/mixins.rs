//! Sequelize's association mixins (`post.getComments()`, `post.addTag(tag)`, …) for one
//! instance: [`Related`], made by an association handle's [`Assoc::of`]. Every method takes
//! the executor to run on (a transaction, or the handle) and runs the hooks Sequelize runs:
//! `create` the target's instance hooks, `add`/`remove`/`set` of a `hasMany` the target's
//! bulk-update hooks, the join rows of a `belongsToMany` the join model's.

use std::marker::PhantomData;
use std::sync::Arc;

use super::include::{Assoc, Cardinality};
use super::{Association, AssociationKind};
use crate::connection::Executor;
use crate::error::{Error, Result};
use crate::model::aggregate::Aggregate;
use crate::model::dynamic::DynModel;
use crate::model::finder::{FindAll, FinderOptions};
use crate::model::instance::Instance;
use crate::model::runtime::{runtime_of, ModelRuntime};
use crate::model::Model;
use crate::sql::{Expr, Select, SelectItem, TableRef};
use crate::value::Value;

/// One instance's association: Sequelize's mixins. `C` is [`One`](super::One) or
/// [`Many`](super::Many).
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// #[model(timestamps = false)]
/// #[has_many(Comment, alias = "comments", foreign_key = "post_id")]
/// struct Post { id: i64, title: String }
/// #[derive(Model, Clone, Debug)]
/// #[model(timestamps = false)]
/// struct Comment { id: i64, post_id: Option<i64>, body: String }
/// # async fn demo() -> sequelize::Result<()> {
/// # let db = Sequelize::connect("sqlite::memory:").await?;
/// db.define::<Post>().register()?;
/// db.define::<Comment>().register()?;
/// # db.sync(SyncOptions::default()).await?;
/// let post = Post::create(Post { id: 0, title: "Hello".into() }).exec(&db).await?;
/// let comments = Post::comments().of(&post);
/// comments.create(&db, Comment { id: 0, post_id: None, body: "First!".into() }).await?;
/// let loose = Comment::create(Comment { id: 0, post_id: None, body: "Later".into() }).exec(&db).await?;
/// comments.add(&db, &[&loose]).await?;
/// assert_eq!(comments.count(&db).await?, 2);
/// assert!(comments.has(&db, &[&loose]).await?);
/// comments.remove(&db, &[&loose]).await?;
/// assert_eq!(comments.get(&db).await?.len(), 1);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub struct Related<'a, S: Model, T: Model, C> {
    source: &'a Instance<S>,
    name: String,
    _target: PhantomData<fn() -> (T, C)>,
}

impl<S: Model, T: Model, C> Assoc<S, T, C> {
    /// The association of `instance`, for its mixins (`get`, `count`, `add`, …).
    pub fn of(self, instance: &Instance<S>) -> Related<'_, S, T, C> {
        Related {
            source: instance,
            name: self.name().to_owned(),
            _target: PhantomData,
        }
    }
}

/// The association and its target, resolved on the executor's Sequelize instance.
struct Resolved {
    association: Arc<Association>,
    target: Arc<ModelRuntime>,
}

impl<S: Model, T: Model, C: Cardinality> Related<'_, S, T, C> {
    fn resolve(&self, exec: &impl Executor) -> Result<Resolved> {
        let source = runtime_of::<S>(exec)?;
        let association = source.association(&self.name).ok_or_else(|| {
            Error::EagerLoading(format!(
                "{} has no association {:?}",
                source.definition().name,
                self.name
            ))
        })?;
        let target = association.target()?;
        Ok(Resolved {
            association,
            target,
        })
    }

    /// The value of the source's attribute at `index`.
    fn source_value(&self, index: usize) -> Value {
        self.source.row_value(index)
    }

    /// The condition selecting the associated rows of the source, by attribute names of
    /// the target.
    fn condition(&self, resolved: &Resolved) -> Result<Expr> {
        let Resolved {
            association,
            target,
        } = resolved;
        let def = target.definition();
        let attribute = |index: usize| Expr::column(def.attributes[index].name.clone());
        let mut condition = match association.kind {
            AssociationKind::BelongsTo => {
                attribute(association.target_key).eq(self.source_value(association.foreign_key))
            }
            AssociationKind::HasOne | AssociationKind::HasMany => {
                attribute(association.foreign_key).eq(self.source_value(association.source_key))
            }
            AssociationKind::BelongsToMany => {
                let (through, other_key) = association.join()?;
                let through_def = through.definition();
                let column = |index: usize| {
                    Expr::qualified(
                        through_def.table(),
                        through_def.attributes[index].column.name.clone(),
                    )
                };
                let mut rows =
                    column(association.foreign_key).eq(self.source_value(association.source_key));
                for (index, value) in &association.through_scope {
                    rows = rows.and(column(*index).eq(value.clone()));
                }
                Expr::InSubquery {
                    expr: Box::new(attribute(association.target_key)),
                    select: Box::new(
                        Select {
                            columns: vec![SelectItem::new(column(other_key))],
                            ..Select::new(TableRef::new(through_def.table()))
                        }
                        .filter(rows),
                    ),
                    negated: false,
                }
            }
        };
        for (index, value) in &association.scope {
            condition = condition.and(attribute(*index).eq(value.clone()));
        }
        Ok(condition)
    }

    /// A finder of the associated rows (`getComments(options)`): add a filter, order,
    /// limit or includes, then run it.
    pub fn find(&self, exec: &impl Executor) -> Result<FindAll<T>> {
        let resolved = self.resolve(exec)?;
        self.finder(&resolved)
    }

    fn finder(&self, resolved: &Resolved) -> Result<FindAll<T>> {
        Ok(T::find_all().filter(self.condition(resolved)?))
    }

    /// The associated instances (`getComments()`): a `Vec` for a `hasMany` or
    /// `belongsToMany`, an `Option` for a `belongsTo` or `hasOne` (`getAuthor()`).
    pub async fn get(&self, exec: &impl Executor) -> Result<C::Owned<Instance<T>>> {
        let resolved = self.resolve(exec)?;
        let find = self.finder(&resolved)?;
        let rows = match resolved.association.kind.is_multiple() {
            true => find.exec(exec).await?,
            false => find.limit(1).exec(exec).await?,
        };
        Ok(C::own(rows))
    }

    /// How many are associated (`countComments()`).
    pub async fn count(&self, exec: &impl Executor) -> Result<i64> {
        let resolved = self.resolve(exec)?;
        let mut count = Aggregate::<T, i64>::new(crate::sql::Function::Count, None);
        count.options_mut().add_filter(self.condition(&resolved)?);
        count.exec(exec).await
    }

    /// Whether every one of `targets` is associated (`hasComment(c)`, `hasComments([…])`).
    pub async fn has(&self, exec: &impl Executor, targets: &[&Instance<T>]) -> Result<bool> {
        let resolved = self.resolve(exec)?;
        let keys = keys_of(&resolved, targets)?;
        let wanted = keys.len();
        let key = key_attribute(&resolved)?;
        let mut count = Aggregate::<T, i64>::new(crate::sql::Function::Count, None);
        count.options_mut().add_filter(
            self.condition(&resolved)?
                .and(Expr::column(key).is_in(keys)),
        );
        Ok(usize::try_from(count.exec(exec).await?).is_ok_and(|n| n == wanted))
    }

    /// Associates `targets` (`addComments([…])`, `addTag(tag)`): a `hasMany` sets their
    /// foreign key, a `belongsToMany` inserts the join rows it lacks, with `through` values
    /// (`addTag(tag, { through: { role } })`, use [`add_through`](Self::add_through)).
    pub async fn add(&self, exec: &impl Executor, targets: &[&Instance<T>]) -> Result<()> {
        self.add_through(exec, targets, &[]).await
    }

    /// [`add`](Self::add) with values for the join rows of a `belongsToMany`.
    pub async fn add_through(
        &self,
        exec: &impl Executor,
        targets: &[&Instance<T>],
        through: &[(&str, Value)],
    ) -> Result<()> {
        let resolved = self.resolve(exec)?;
        let association = &resolved.association;
        let keys = keys_of(&resolved, targets)?;
        if keys.is_empty() {
            return Ok(());
        }
        match association.kind {
            AssociationKind::HasMany | AssociationKind::HasOne => {
                let def = resolved.target.definition();
                let key = key_attribute(&resolved)?;
                let mut update = DynModel::of(Arc::clone(&resolved.target)).update().set(
                    def.attributes[association.foreign_key].name.clone(),
                    self.source_value(association.source_key),
                );
                for (index, value) in &association.scope {
                    update = update.set(def.attributes[*index].name.clone(), value.clone());
                }
                update
                    .filter(Expr::column(key).is_in(keys))
                    .exec(exec)
                    .await?;
                Ok(())
            }
            AssociationKind::BelongsToMany => {
                let existing = self.joined_keys(exec, &resolved).await?;
                let source_key = self.source_value(association.source_key);
                let missing = keys.into_iter().filter(|k| !existing.contains(k));
                association
                    .insert_join_rows(&source_key, missing, through, exec)
                    .await
            }
            AssociationKind::BelongsTo => Err(Error::InvalidQuery(format!(
                "{} is a belongsTo: use set",
                association.name
            ))),
        }
    }

    /// Dissociates `targets` (`removeComment(c)`): a `hasMany` sets their foreign key to
    /// `NULL`, a `belongsToMany` deletes their join rows.
    pub async fn remove(&self, exec: &impl Executor, targets: &[&Instance<T>]) -> Result<()> {
        let resolved = self.resolve(exec)?;
        let keys = keys_of(&resolved, targets)?;
        if keys.is_empty() {
            return Ok(());
        }
        self.dissociate(exec, &resolved, Some(keys), None).await
    }

    /// Makes `targets` the associated rows (`setTags([…])`, `setAuthor(user)`): the others
    /// are dissociated, the missing ones added. For a `belongsTo` or `hasOne`, at most one
    /// target; none clears it.
    pub async fn set(&self, exec: &impl Executor, targets: &[&Instance<T>]) -> Result<()> {
        let resolved = self.resolve(exec)?;
        let association = &resolved.association;
        if association.kind == AssociationKind::BelongsTo {
            return Err(Error::InvalidQuery(format!(
                "{}.{} is a belongsTo: its foreign key is on the instance; set it there and \
                 save (`post.author_id = user.id`)",
                S::definition().name,
                association.name
            )));
        }
        if !association.kind.is_multiple() && targets.len() > 1 {
            return Err(Error::InvalidQuery(format!(
                "{} holds one instance; set was given {}",
                association.name,
                targets.len()
            )));
        }
        let keys = keys_of(&resolved, targets)?;
        self.dissociate(exec, &resolved, None, Some(keys)).await?;
        self.add(exec, targets).await
    }

    /// Creates a target associated with the source (`createComment({ … })`): the foreign
    /// key (and the association scope) set before its hooks run; for a `belongsToMany`, the
    /// join row inserted after it.
    pub async fn create(&self, exec: &impl Executor, data: T) -> Result<Instance<T>> {
        let resolved = self.resolve(exec)?;
        let association = &resolved.association;
        let mut data = data;
        match association.kind {
            AssociationKind::HasMany | AssociationKind::HasOne => {
                data.set_value(
                    association.foreign_key,
                    self.source_value(association.source_key),
                )?;
            }
            AssociationKind::BelongsTo => {
                return Err(Error::InvalidQuery(format!(
                    "{} is a belongsTo: create the {} and set the foreign key on the instance",
                    association.name,
                    resolved.target.definition().name
                )))
            }
            AssociationKind::BelongsToMany => {}
        }
        for (index, value) in &association.scope {
            data.set_value(*index, value.clone())?;
        }
        let created = T::create(data).exec(exec).await?;
        if association.kind == AssociationKind::BelongsToMany {
            self.add(exec, &[&created]).await?;
        }
        Ok(created)
    }

    /// The other keys of the source's join rows (`belongsToMany`).
    async fn joined_keys(&self, exec: &impl Executor, resolved: &Resolved) -> Result<Vec<Value>> {
        let association = &resolved.association;
        let (through, other_key) = association.join()?;
        let def = through.definition();
        let rows = DynModel::of(Arc::clone(&through))
            .find_all()
            .filter(
                Expr::column(def.attributes[association.foreign_key].name.clone())
                    .eq(self.source_value(association.source_key)),
            )
            .exec(exec)
            .await?;
        Ok(rows.iter().map(|row| row.value_at(other_key)).collect())
    }

    /// Dissociates the associated rows whose keys are in `only` (all when `None`), except
    /// those whose keys are in `keep`.
    async fn dissociate(
        &self,
        exec: &impl Executor,
        resolved: &Resolved,
        only: Option<Vec<Value>>,
        keep: Option<Vec<Value>>,
    ) -> Result<()> {
        let association = &resolved.association;
        let narrow = |column: Expr, mut condition: Expr| {
            if let Some(only) = &only {
                condition = condition.and(column.clone().is_in(only.clone()));
            }
            if let Some(keep) = keep.as_ref().filter(|k| !k.is_empty()) {
                condition = condition.and(Expr::Not(Box::new(column.is_in(keep.clone()))));
            }
            condition
        };
        match association.kind {
            AssociationKind::HasMany | AssociationKind::HasOne => {
                let def = resolved.target.definition();
                let key = Expr::column(key_attribute(resolved)?);
                let mine = Expr::column(def.attributes[association.foreign_key].name.clone())
                    .eq(self.source_value(association.source_key));
                DynModel::of(Arc::clone(&resolved.target))
                    .update()
                    .set(
                        def.attributes[association.foreign_key].name.clone(),
                        Value::Null,
                    )
                    .filter(narrow(key, mine))
                    .exec(exec)
                    .await?;
            }
            AssociationKind::BelongsToMany => {
                let (through, other_key) = association.join()?;
                let def = through.definition();
                let other = Expr::column(def.attributes[other_key].name.clone());
                let mine = Expr::column(def.attributes[association.foreign_key].name.clone())
                    .eq(self.source_value(association.source_key));
                DynModel::of(through)
                    .destroy()
                    .filter(narrow(other, mine))
                    .force()
                    .exec(exec)
                    .await?;
            }
            AssociationKind::BelongsTo => {}
        }
        Ok(())
    }
}

/// The name of the target's attribute the association refers to: its key for a
/// `belongsTo` or `belongsToMany`, its primary key otherwise.
fn key_attribute(resolved: &Resolved) -> Result<String> {
    let def = resolved.target.definition();
    let index = match resolved.association.kind {
        AssociationKind::BelongsTo | AssociationKind::BelongsToMany => {
            resolved.association.target_key
        }
        AssociationKind::HasOne | AssociationKind::HasMany => def.single_primary_key()?,
    };
    Ok(def.attributes[index].name.clone())
}

/// The values of that attribute of each target.
fn keys_of<T: Model>(resolved: &Resolved, targets: &[&Instance<T>]) -> Result<Vec<Value>> {
    let name = key_attribute(resolved)?;
    let index = resolved
        .target
        .definition()
        .position(&name)
        .ok_or_else(|| Error::InvalidQuery(format!("no attribute {name:?}")))?;
    Ok(targets.iter().map(|t| t.row_value(index)).collect())
}
