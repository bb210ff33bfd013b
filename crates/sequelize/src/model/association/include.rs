//! `include`: which associations a finder loads with its rows, as plain data
//! ([`Include`]), and the typed handle a derived model has per association ([`Assoc`],
//! `Post::comments()`), which builds one.

use std::marker::PhantomData;

use super::AssociationKind;
use crate::error::Result;
use crate::model::runtime::ModelRuntime;
use crate::model::scopes::ScopeUse;
use crate::model::Model;
use crate::sql::{Expr, OrderBy};

/// One `include` of a finder: the association (by its `as`) and Sequelize's include
/// options. Built by a typed handle (`Post::comments().required(false)`) or by name
/// (`Include::new("comments")`, for models defined at run time).
///
/// ```
/// use sequelize::model::Include;
/// use sequelize::col;
/// use sequelize::ColumnOperators;
/// let comments = Include::new("comments")
///     .filter(col("approved").eq(true))
///     .required(false)
///     .include(Include::new("author").attributes(["id", "name"]));
/// assert_eq!(comments.include.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Include {
    /// The association's name (`as`).
    pub association: String,
    /// `where`: a condition on the included rows (by their own attribute names); it makes
    /// the include required unless `required(false)`.
    pub filter: Option<Expr>,
    /// `required`: `INNER JOIN` (parents without a match are left out) or `LEFT OUTER
    /// JOIN`; by default required exactly when there is a `where`.
    pub required: Option<bool>,
    /// `right`: `RIGHT OUTER JOIN` (every included row, with or without a parent).
    pub right: bool,
    /// `attributes`: the attributes read; every one when `None` (the primary key is always
    /// read, to tell the rows apart).
    pub attributes: Option<Vec<String>>,
    /// `attributes: { exclude }`.
    pub exclude: Vec<String>,
    /// `paranoid` (default true): leave soft-deleted rows of a paranoid model out.
    pub paranoid: bool,
    /// The target's scopes: `None` for its default scope, an empty list for none.
    pub scopes: Option<Vec<ScopeUse>>,
    /// `through: { attributes }` of a `belongsToMany`: the join row's attributes read
    /// (every one when `None`; `Some(vec![])` for none).
    pub through_attributes: Option<Vec<String>>,
    /// `through: { where }`: a condition on the join rows.
    pub through_filter: Option<Expr>,
    /// `include`: the target's own includes.
    pub include: Vec<Include>,
    /// `separate: true` (a `hasMany` only, as in Sequelize): the rows are read by a query
    /// of their own, one per include level, for every parent at once (`WHERE key IN
    /// (…)`), instead of being joined.
    pub separate: bool,
    /// `limit` of a separate include: at most this many rows per parent.
    pub limit: Option<u64>,
    /// `order` of a separate include.
    pub order: Vec<OrderBy>,
}

impl Include {
    /// Whether it joins with `INNER JOIN`: `required`, else whether it has a condition on
    /// its rows (`has_filter`: its own `where` or its target's scopes') or its join rows.
    pub(crate) fn is_required(&self, has_filter: bool) -> bool {
        (self.required).unwrap_or(has_filter || self.through_filter.is_some())
    }

    /// An include of the association named `association`, with Sequelize's defaults.
    pub fn new(association: impl Into<String>) -> Self {
        Include {
            association: association.into(),
            filter: None,
            required: None,
            right: false,
            attributes: None,
            exclude: Vec::new(),
            paranoid: true,
            scopes: None,
            through_attributes: None,
            through_filter: None,
            include: Vec::new(),
            separate: false,
            limit: None,
            order: Vec::new(),
        }
    }

    /// `where`; conditions given twice are joined with `AND`.
    pub fn filter(mut self, condition: Expr) -> Self {
        self.filter = Some(Expr::conjoin(self.filter.take(), condition));
        self
    }

    /// `required`.
    pub fn required(mut self, required: bool) -> Self {
        self.required = Some(required);
        self
    }

    /// `right: true`.
    pub fn right(mut self, right: bool) -> Self {
        self.right = right;
        self
    }

    /// `attributes: [...]`.
    pub fn attributes<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.attributes = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// `attributes: { exclude: [...] }`.
    pub fn exclude<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.exclude.extend(names.into_iter().map(Into::into));
        self
    }

    /// `paranoid: false` reads soft-deleted rows too.
    pub fn paranoid(mut self, paranoid: bool) -> Self {
        self.paranoid = paranoid;
        self
    }

    /// The target's scopes to apply instead of its default scope (`model: Foo.scope('x')`).
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = ScopeUse>) -> Self {
        self.scopes = Some(scopes.into_iter().collect());
        self
    }

    /// No scope of the target, not even its default scope (`Foo.unscoped()`).
    pub fn unscoped(mut self) -> Self {
        self.scopes = Some(Vec::new());
        self
    }

    /// `through: { attributes: [...] }` (`[]` reads none of the join row).
    pub fn through_attributes<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.through_attributes = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// `through: { where }`.
    pub fn through_filter(mut self, condition: Expr) -> Self {
        self.through_filter = Some(Expr::conjoin(self.through_filter.take(), condition));
        self
    }

    /// A nested include, of the target's association.
    pub fn include(mut self, include: impl Into<Include>) -> Self {
        self.include.push(include.into());
        self
    }

    /// `separate: true`.
    pub fn separate(mut self, separate: bool) -> Self {
        self.separate = separate;
        self
    }

    /// `limit` per parent, of a separate include.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Adds an `order` term, of a separate include.
    pub fn order(mut self, term: OrderBy) -> Self {
        self.order.push(term);
        self
    }
}

/// Which associations `include: { all }` loads: Sequelize's `all: true` and its kinds
/// (`'BelongsTo'`, `'HasOne'`, `'HasMany'`, `'One'` for the first two, `'Has'` for `hasOne`
/// and `hasMany`, `'Many'` for `hasMany` and `belongsToMany`).
///
/// ```
/// use sequelize::model::{AssociationKind, IncludeAll};
/// assert!(IncludeAll::Many.takes(AssociationKind::BelongsToMany));
/// assert!(!IncludeAll::One.takes(AssociationKind::HasMany));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncludeAll {
    /// Every association.
    All,
    /// `belongsTo` ones.
    BelongsTo,
    /// `hasOne` ones.
    HasOne,
    /// `hasMany` ones.
    HasMany,
    /// `belongsToMany` ones.
    BelongsToMany,
    /// `belongsTo` and `hasOne`.
    One,
    /// `hasOne` and `hasMany`.
    Has,
    /// `hasMany` and `belongsToMany`.
    Many,
}

impl IncludeAll {
    /// Whether associations of `kind` are included.
    pub fn takes(self, kind: AssociationKind) -> bool {
        use AssociationKind::*;
        match self {
            IncludeAll::All => true,
            IncludeAll::BelongsTo => kind == BelongsTo,
            IncludeAll::HasOne => kind == HasOne,
            IncludeAll::HasMany => kind == HasMany,
            IncludeAll::BelongsToMany => kind == BelongsToMany,
            IncludeAll::One => matches!(kind, BelongsTo | HasOne),
            IncludeAll::Has => matches!(kind, HasOne | HasMany),
            IncludeAll::Many => matches!(kind, HasMany | BelongsToMany),
        }
    }
}

/// Adds to `includes` an include of each association of `runtime` that `all` takes and that
/// is not included yet; with `nested`, theirs too, without coming back to a model on the
/// way (`visited`), as Sequelize's `nested: true` stops at cycles.
pub(crate) fn expand_all(
    runtime: &ModelRuntime,
    includes: &mut Vec<Include>,
    all: IncludeAll,
    nested: bool,
    visited: &mut Vec<String>,
) -> Result<()> {
    visited.push(runtime.definition().name.clone());
    for association in runtime.associations() {
        if !all.takes(association.kind) {
            continue;
        }
        let target = association.target()?;
        if nested && visited.contains(&target.definition().name) {
            continue;
        }
        let at = match includes
            .iter()
            .position(|i| i.association == association.name)
        {
            Some(at) => at,
            None => {
                includes.push(Include::new(association.name.clone()));
                includes.len() - 1
            }
        };
        if nested {
            expand_all(&target, &mut includes[at].include, all, nested, visited)?;
        }
    }
    visited.pop();
    Ok(())
}

/// An association holding one instance (`belongsTo`, `hasOne`).
#[derive(Debug, Clone, Copy)]
pub struct One;

/// An association holding many (`hasMany`, `belongsToMany`).
#[derive(Debug, Clone, Copy)]
pub struct Many;

/// What an instance gives back for an included association: one instance or none
/// ([`One`]), or a slice ([`Many`]).
pub trait Cardinality {
    /// The included rows as the association holds them.
    type Of<'a, T: 'a>;

    /// The rows read for the association (a mixin's `get`): `Option<T>` or `Vec<T>`.
    type Owned<T>;

    /// Picks them out of the list the include read.
    fn pick<T>(rows: &[T]) -> Self::Of<'_, T>;

    /// Takes them out of the rows a query read.
    fn own<T>(rows: Vec<T>) -> Self::Owned<T>;
}

impl Cardinality for One {
    type Of<'a, T: 'a> = Option<&'a T>;
    type Owned<T> = Option<T>;

    fn pick<T>(rows: &[T]) -> Option<&T> {
        rows.first()
    }

    fn own<T>(rows: Vec<T>) -> Option<T> {
        rows.into_iter().next()
    }
}

impl Cardinality for Many {
    type Of<'a, T: 'a> = &'a [T];
    type Owned<T> = Vec<T>;

    fn pick<T>(rows: &[T]) -> &[T] {
        rows
    }

    fn own<T>(rows: Vec<T>) -> Vec<T> {
        rows
    }
}

/// A derived model's association from `S` to `T`, as `#[has_many(...)]` and the others
/// generate it (`Post::comments()`): an [`Include`] whose nested includes must start at
/// `T`, and the key to the included rows of an instance (`post.included(Post::comments())`).
/// `C` is [`One`] or [`Many`].
pub struct Assoc<S, T, C> {
    include: Include,
    _models: Models<S, T, C>,
}

/// The source, target and cardinality an [`Assoc`] is typed by.
type Models<S, T, C> = PhantomData<fn() -> (S, T, C)>;

impl<S, T, C> Clone for Assoc<S, T, C> {
    fn clone(&self) -> Self {
        Assoc {
            include: self.include.clone(),
            _models: PhantomData,
        }
    }
}

impl<S, T, C> std::fmt::Debug for Assoc<S, T, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.include.fmt(f)
    }
}

impl<S: Model, T: Model, C> Assoc<S, T, C> {
    /// The handle of the association named `name`: what the derive generates for the
    /// associations it declares, and how to reach one made at run time between derived
    /// models (`db.associate`).
    ///
    /// ```
    /// use sequelize::model::{Assoc, AssociationKind, AssociationOptions, Many};
    /// use sequelize::prelude::*;
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Tag { id: i64, name: String }
    /// #[derive(Model, Clone, Debug)]
    /// #[model(timestamps = false)]
    /// struct Note { id: i64, tag_id: i64, body: String }
    /// # async fn demo() -> sequelize::Result<()> {
    /// # let db = Sequelize::connect("sqlite::memory:").await?;
    /// db.define::<Tag>().register()?;
    /// db.define::<Note>().register()?;
    /// db.associate("Tag", AssociationKind::HasMany, "Note", AssociationOptions::default().alias("notes").foreign_key("tag_id"))?;
    /// # db.sync(SyncOptions::default()).await?;
    /// let notes = || Assoc::<Tag, Note, Many>::named("notes");
    /// let todo = Tag::create(Tag { id: 0, name: "todo".into() }).exec(&db).await?;
    /// notes().of(&todo).create(&db, Note { id: 0, tag_id: 0, body: "milk".into() }).await?;
    /// let tags = Tag::find_all().include(notes()).exec(&db).await?;
    /// assert_eq!(tags[0].included(notes())?[0].body, "milk");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn named(name: &'static str) -> Self {
        Assoc {
            include: Include::new(name),
            _models: PhantomData,
        }
    }

    /// The association's name (`as`).
    pub fn name(&self) -> &str {
        &self.include.association
    }

    /// `where` on the included rows; see [`Include::filter`].
    pub fn filter(mut self, condition: Expr) -> Self {
        self.include = self.include.filter(condition);
        self
    }

    /// `required`; see [`Include::required`].
    pub fn required(mut self, required: bool) -> Self {
        self.include = self.include.required(required);
        self
    }

    /// `right: true`.
    pub fn right(mut self, right: bool) -> Self {
        self.include = self.include.right(right);
        self
    }

    /// `attributes: [...]`.
    pub fn attributes<N: Into<String>>(mut self, names: impl IntoIterator<Item = N>) -> Self {
        self.include = self.include.attributes(names);
        self
    }

    /// `attributes: { exclude: [...] }`.
    pub fn exclude<N: Into<String>>(mut self, names: impl IntoIterator<Item = N>) -> Self {
        self.include = self.include.exclude(names);
        self
    }

    /// `paranoid: false`.
    pub fn paranoid(mut self, paranoid: bool) -> Self {
        self.include = self.include.paranoid(paranoid);
        self
    }

    /// The target's scopes instead of its default scope.
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = ScopeUse>) -> Self {
        self.include = self.include.scopes(scopes);
        self
    }

    /// No scope of the target.
    pub fn unscoped(mut self) -> Self {
        self.include = self.include.unscoped();
        self
    }

    /// `through: { attributes: [...] }`.
    pub fn through_attributes<N: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = N>,
    ) -> Self {
        self.include = self.include.through_attributes(names);
        self
    }

    /// `through: { where }`.
    pub fn through_filter(mut self, condition: Expr) -> Self {
        self.include = self.include.through_filter(condition);
        self
    }

    /// A nested include of one of the target's associations.
    pub fn include<U: Model, D>(mut self, nested: Assoc<T, U, D>) -> Self {
        self.include = self.include.include(nested.include);
        self
    }

    /// `separate: true`: read by a query of its own; see [`Include::separate`].
    pub fn separate(mut self, separate: bool) -> Self {
        self.include = self.include.separate(separate);
        self
    }

    /// `limit` per parent, of a separate include.
    pub fn limit(mut self, limit: u64) -> Self {
        self.include = self.include.limit(limit);
        self
    }

    /// Adds an `order` term, of a separate include.
    pub fn order(mut self, term: OrderBy) -> Self {
        self.include = self.include.order(term);
        self
    }
}

impl<S, T, C> From<Assoc<S, T, C>> for Include {
    fn from(assoc: Assoc<S, T, C>) -> Self {
        assoc.include
    }
}
