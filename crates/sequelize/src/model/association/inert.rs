//! The includes an aggregate can leave out: joins that cannot change its value.
//!
//! `findAndCountAll` counts with the finder's includes, as Sequelize does. An optional
//! include joins with `LEFT OUTER JOIN`, so it keeps every parent: when the count is of
//! distinct parents (`distinct: true`), or when the include is a `belongsTo` (at most one
//! row per parent), the count is the same without it, and the join only costs time. Leaving
//! it out turns `GET /posts`' count of posts with their author, category and tags into a
//! count of posts.
//!
//! An include stays when it or any include inside it is required (a `where`, `required`,
//! `through: { where }`, or a `where` from the target's default scope) or is a right join;
//! when the rows it joins would count (`COUNT(*)`, `SUM` or `AVG` without `distinct`, and the
//! include is not a `belongsTo`); and all of them stay when the filter names an include's
//! attribute (`$tags.name$`), when it holds SQL the ORM cannot read (a literal, a subquery),
//! or when the aggregate is grouped.

use std::sync::Arc;

use super::eager::include_alias;
use super::{AssociationKind, Include};
use crate::model::filter::{self, Scope};
use crate::model::planner::FindOptions;
use crate::model::runtime::ModelRuntime;
use crate::sql::Expr;

/// Removes from `options` the includes that cannot change the aggregate of `root`'s rows.
/// `rows_count` says whether the aggregate counts repeated rows (`COUNT(*)`, `SUM`, `AVG`
/// without `distinct`), so that a join that repeats them changes it.
pub(crate) fn leave_out_inert_includes(
    root: &Arc<ModelRuntime>,
    options: &mut FindOptions,
    rows_count: bool,
) {
    let mut opaque = |e: &Expr| {
        matches!(
            e,
            Expr::Literal(_) | Expr::Exists { .. } | Expr::InSubquery { .. }
        )
    };
    if !options.group.is_empty()
        || options.having.is_some()
        || (options.filter.as_ref()).is_some_and(|filter| filter.any(&mut opaque))
    {
        return;
    }
    let inert: Vec<bool> = (options.include.iter())
        .map(|include| is_inert(root, include, rows_count))
        .collect();
    if !inert.contains(&true) {
        return;
    }
    if let Some(filter) = &options.filter {
        // The filter may name an attribute of an include to leave out: it must read with
        // only the kept ones joined.
        let kept = (options.include.iter().zip(&inert))
            .filter(|(_, inert)| !**inert)
            .map(|(include, _)| include);
        let mut joined = Vec::new();
        joined_aliases(root, None, kept, &mut joined);
        let def = root.definition();
        let scope = Scope::new(
            Some(&def.name),
            def,
            (joined.iter())
                .map(|(alias, runtime)| (alias.as_str(), runtime.definition()))
                .collect(),
        );
        if filter::resolve(filter.clone(), &scope).is_err() {
            return;
        }
    }
    let mut inert = inert.into_iter();
    options.include.retain(|_| !inert.next().unwrap_or(false));
}

/// Whether `include` (of `parent`) and every include inside it keep each parent's rows as
/// they are. An include that cannot be planned (an unknown association) is not: the
/// finder's planner reports it.
fn is_inert(parent: &ModelRuntime, include: &Include, rows_count: bool) -> bool {
    if include.separate {
        return true;
    }
    let Some(association) = parent.association(&include.association) else {
        return false;
    };
    let Ok(target) = association.target() else {
        return false;
    };
    let Ok(scoped) = target.scoped(FindOptions {
        filter: include.filter.clone(),
        scopes: include.scopes.clone(),
        ..FindOptions::default()
    }) else {
        return false;
    };
    let required = include.is_required(scoped.filter.is_some());
    // Rows that count are repeated by any join but a belongsTo's (one target per parent).
    let changes_rows = rows_count && association.kind != AssociationKind::BelongsTo;
    let keeps_parents = !(required || include.right || changes_rows);
    keeps_parents && (include.include.iter()).all(|nested| is_inert(&target, nested, rows_count))
}

/// The aliases the joined includes are known by in a filter (`author`, `comments->author`),
/// with their models, as the finder's planner names them.
fn joined_aliases<'i>(
    parent: &ModelRuntime,
    parent_alias: Option<&str>,
    includes: impl Iterator<Item = &'i Include>,
    out: &mut Vec<(String, Arc<ModelRuntime>)>,
) {
    for include in includes.filter(|include| !include.separate) {
        let Some(association) = parent.association(&include.association) else {
            continue;
        };
        let Ok(target) = association.target() else {
            continue;
        };
        let alias = include_alias(parent_alias, &association.name);
        joined_aliases(&target, Some(&alias), include.include.iter(), out);
        out.push((alias, target));
    }
}
