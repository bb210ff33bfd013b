//! Scopes: named, reusable finder options (Sequelize's `defaultScope`, `scopes`,
//! `Model.scope(...)`, `unscoped()`, `addScope`).
//!
//! A finder runs with the default scope unless it names its scopes (then only those, as
//! `Post.scope('published')` does) or is `unscoped()`. Several scopes merge in order, and
//! the finder's own options last: conditions are joined with `AND` (Sequelize v7's merge);
//! `attributes`, `order`, `group`, `having`, `limit`, `offset` and `lock` of a later one
//! replace an earlier one's; `exclude` and computed attributes add up.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use super::association::Include;
use super::planner::FindOptions;
use crate::error::{Error, Result};
use crate::sql::Expr;
use crate::value::Value;

/// The name of the scope every finder applies unless told otherwise.
pub const DEFAULT_SCOPE: &str = "defaultScope";

/// A scope the finder applies: its name and, for a scope that takes them, its arguments.
///
/// ```
/// let by_author = sequelize::model::ScopeUse::with("byAuthor", [7]);
/// assert_eq!(by_author.name, "byAuthor");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeUse {
    /// The scope's name.
    pub name: String,
    /// Its arguments (Sequelize's `{ method: ['byAuthor', 7] }`).
    pub args: Vec<Value>,
}

impl ScopeUse {
    /// A scope without arguments.
    pub fn named(name: impl Into<String>) -> Self {
        ScopeUse {
            name: name.into(),
            args: Vec::new(),
        }
    }

    /// A scope with arguments.
    pub fn with<V: Into<Value>>(
        name: impl Into<String>,
        args: impl IntoIterator<Item = V>,
    ) -> Self {
        ScopeUse {
            name: name.into(),
            args: args.into_iter().map(Into::into).collect(),
        }
    }
}

/// What makes a scope's options from its arguments.
pub type ScopeFn = Arc<dyn Fn(&[Value]) -> Result<FindOptions> + Send + Sync>;

/// Choosing a builder's scopes (`Model.scope(...)`, `unscoped()`): the finders, and the
/// static `update`, `increment` and `destroy`, which AND the scopes' conditions to their own
/// (theirs stay required). In the prelude.
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct Post { id: i64, published: bool }
/// let finder = Post::find_all().scope("published").scope("recent");
/// assert_eq!(finder.options().scopes.as_ref().unwrap().len(), 2);
/// let everything = Post::find_all().unscoped();
/// ```
pub trait Scoped: Sized {
    /// The scopes chosen so far (`None`: the default scope).
    fn scope_uses(&mut self) -> &mut Option<Vec<ScopeUse>>;

    /// `Model.scope('name')`: applies this scope (instead of the default scope; call it again
    /// for several, `Model.scope(['a', 'b'])`, and name `defaultScope` to keep that one).
    fn scope(mut self, name: impl Into<String>) -> Self {
        (self.scope_uses().get_or_insert_with(Vec::new)).push(ScopeUse::named(name));
        self
    }

    /// `Model.scope({ method: ['name', ...args] })`: applies a scope that takes arguments.
    fn scope_with<V: Into<Value>>(
        mut self,
        name: impl Into<String>,
        args: impl IntoIterator<Item = V>,
    ) -> Self {
        (self.scope_uses().get_or_insert_with(Vec::new)).push(ScopeUse::with(name, args));
        self
    }

    /// `Model.unscoped()`: no scope, not even the default one.
    fn unscoped(mut self) -> Self {
        *self.scope_uses() = Some(Vec::new());
        self
    }
}

/// A scope's definition: fixed options, or options made from arguments.
#[derive(Clone)]
pub enum Scope {
    /// `scopes: { published: { where: { published: true } } }` (boxed: options are large).
    Options(Box<FindOptions>),
    /// `scopes: { byAuthor(authorId) { return { where: { authorId } } } }`.
    Function(ScopeFn),
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Options(options) => f.debug_tuple("Options").field(options).finish(),
            Scope::Function(_) => f.write_str("Function(..)"),
        }
    }
}

impl From<FindOptions> for Scope {
    fn from(options: FindOptions) -> Self {
        Scope::Options(Box::new(options))
    }
}

impl Scope {
    /// A scope made from its arguments (`Scope::function(|args| …)`).
    ///
    /// ```
    /// use sequelize::{col, model::{FindOptions, Scope}, ColumnOperators};
    /// let by_author = Scope::function(|args| Ok(FindOptions {
    ///     filter: Some(col("author_id").eq(args[0].clone())),
    ///     ..Default::default()
    /// }));
    /// ```
    pub fn function(
        make: impl Fn(&[Value]) -> Result<FindOptions> + Send + Sync + 'static,
    ) -> Self {
        Scope::Function(Arc::new(make))
    }

    fn options(&self, model: &str, used: &ScopeUse) -> Result<FindOptions> {
        match (self, used.args.is_empty()) {
            (Scope::Options(options), true) => Ok(options.as_ref().clone()),
            (Scope::Options(_), false) => Err(Error::InvalidQuery(format!(
                "scope {:?} of {model} takes no arguments",
                used.name
            ))),
            (Scope::Function(make), _) => make(&used.args),
        }
    }
}

/// The scopes of one model.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    by_name: RwLock<HashMap<String, Scope>>,
}

impl Scopes {
    /// Adds a scope; one of the same name is an error unless `replace` (`override: true`).
    pub(crate) fn add(&self, model: &str, name: &str, scope: Scope, replace: bool) -> Result<()> {
        let mut by_name = self.by_name.write().unwrap_or_else(|e| e.into_inner());
        if by_name.contains_key(name) && !replace {
            return Err(Error::Config(format!(
                "model {model} has a scope {name:?} already; replace it explicitly \
                 (Sequelize's `override: true`)"
            )));
        }
        by_name.insert(name.to_owned(), scope);
        Ok(())
    }

    /// Whether the model has a default scope.
    pub(crate) fn has_default(&self) -> bool {
        self.by_name
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(DEFAULT_SCOPE)
    }

    /// A static write's condition with its scopes' conditions: `None` stays `None` (the
    /// write then refuses to run, whatever its scopes say).
    pub(crate) fn filter(
        &self,
        model: &str,
        filter: Option<Expr>,
        scopes: Option<Vec<ScopeUse>>,
    ) -> Result<Option<Expr>> {
        if filter.is_none() {
            return Ok(None);
        }
        let options = FindOptions {
            filter,
            scopes,
            ..FindOptions::default()
        };
        Ok(self.apply(model, options)?.filter)
    }

    /// The finder's options with its scopes merged under them.
    pub(crate) fn apply(&self, model: &str, mut options: FindOptions) -> Result<FindOptions> {
        let by_name = self.by_name.read().unwrap_or_else(|e| e.into_inner());
        let uses = match options.scopes.take() {
            Some(uses) => uses,
            None if by_name.contains_key(DEFAULT_SCOPE) => vec![ScopeUse::named(DEFAULT_SCOPE)],
            None => return Ok(options),
        };
        let mut merged = FindOptions::default();
        for used in &uses {
            let scope = by_name.get(&used.name).ok_or_else(|| {
                Error::InvalidQuery(format!("model {model} has no scope {:?}", used.name))
            })?;
            merge(&mut merged, scope.options(model, used)?);
        }
        merge(&mut merged, options);
        Ok(merged)
    }
}

/// Merges `next` into `into`, `next` winning where the two cannot both hold.
fn merge(into: &mut FindOptions, next: FindOptions) {
    if let Some(filter) = next.filter {
        into.add_filter(filter);
    }
    if next.attributes.is_some() {
        into.attributes = next.attributes;
    }
    into.exclude.extend(next.exclude);
    into.computed.extend(next.computed);
    if !next.order.is_empty() {
        into.order = next.order;
    }
    if !next.group.is_empty() {
        into.group = next.group;
    }
    if next.having.is_some() {
        into.having = next.having;
    }
    into.limit = next.limit.or(into.limit);
    into.offset = next.offset.or(into.offset);
    into.distinct |= next.distinct;
    into.lock = next.lock.or(into.lock.take());
    into.paranoid &= next.paranoid;
    into.hooks &= next.hooks;
    into.sub_query &= next.sub_query;
    into.include_all = next.include_all.or(into.include_all);
    merge_includes(&mut into.include, next.include);
}

/// Merges includes: one of an association already included is merged into it (conditions
/// AND-ed, `next`'s options winning, nested includes merged the same way), as Sequelize
/// merges a scope's includes with the finder's.
fn merge_includes(into: &mut Vec<Include>, next: Vec<Include>) {
    for include in next {
        let Some(existing) = into
            .iter_mut()
            .find(|i| i.association == include.association)
        else {
            into.push(include);
            continue;
        };
        if let Some(filter) = include.filter {
            existing.filter = Some(Expr::conjoin(existing.filter.take(), filter));
        }
        if let Some(filter) = include.through_filter {
            existing.through_filter = Some(Expr::conjoin(existing.through_filter.take(), filter));
        }
        existing.required = include.required.or(existing.required);
        existing.right |= include.right;
        if include.attributes.is_some() {
            existing.attributes = include.attributes;
        }
        existing.exclude.extend(include.exclude);
        existing.paranoid &= include.paranoid;
        if include.scopes.is_some() {
            existing.scopes = include.scopes;
        }
        if include.through_attributes.is_some() {
            existing.through_attributes = include.through_attributes;
        }
        existing.separate |= include.separate;
        existing.limit = include.limit.or(existing.limit);
        if !include.order.is_empty() {
            existing.order = include.order;
        }
        merge_includes(&mut existing.include, include.include);
    }
}
