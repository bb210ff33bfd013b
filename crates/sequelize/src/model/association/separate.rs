//! `separate: true`: a `hasMany` include read by a query of its own, for every parent at
//! once: `WHERE "postId" IN (…)` over the parents' keys (`= ANY($1)` on PostgreSQL, one
//! statement shape whatever the number of parents), its own includes joined or separate in
//! turn, and with a `limit`, at most that many rows per parent (ranked with `DENSE_RANK()`
//! over each parent's rows). The rows are then handed to their parents by key; parents of
//! the same key share them.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::eager::{self, KeyHashing, KeyPart};
use super::loaded::{Collection, LoadedRow};
use super::{Association, Include};
use crate::connection::{Executor, ExecutorRef};
use crate::error::{Error, Result};
use crate::model::definition::ModelDefinition;
use crate::model::hooks::Hook;
use crate::model::planner::FindOptions;
use crate::model::run_into;
use crate::sql::{Expr, Ident, Select, SelectItem, Source, WindowFunction};
use crate::value::Value;

/// The column a separate include's rank is read under.
const RANK: &str = "__rank";

/// One separate include: where its parents are (the association names from the finder's
/// model down to them), the association, and its options.
#[derive(Debug)]
pub(crate) struct Separate {
    pub(crate) path: Vec<Arc<str>>,
    pub(crate) association: Arc<Association>,
    pub(crate) include: Include,
}

impl Separate {
    /// Reads the rows of every parent found under `roots`, and gives each parent its own.
    pub(crate) fn load<'a>(
        &'a self,
        roots: &'a mut dyn Collection,
        exec: ExecutorRef<'a>,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let association = &self.association;
            let mut parent_keys: Vec<KeyPart> = Vec::new();
            let mut group_of: HashMap<KeyPart, usize, KeyHashing> = HashMap::default();
            let mut keys: Vec<Value> = Vec::new();
            visit(roots, &self.path, &mut |row| {
                let value = row.value(association.source_key);
                let key = KeyPart::of(&value);
                if !value.is_null() && !group_of.contains_key(&key) {
                    group_of.insert(key.clone(), keys.len());
                    keys.push(value);
                }
                parent_keys.push(key);
                Ok(())
            })?;
            let target = association.target()?;
            let groups = match keys.is_empty() {
                true => Vec::new(),
                false => self.children(keys, &group_of, exec).await?,
            };
            let name: Arc<str> = Arc::from(association.name.as_str());
            let mut parents = parent_keys.iter();
            visit(roots, &self.path, &mut |row| {
                let key = parents.next().ok_or_else(|| {
                    Error::EagerLoading("the parents changed while their rows were read".into())
                })?;
                let rows = match group_of.get(key) {
                    Some(&group) => Arc::clone(&groups[group]),
                    None => Arc::clone(target.empty_collection()),
                };
                row.loaded_mut().set(&name, false, rows);
                Ok(())
            })
        })
    }

    /// The rows of the parents with these keys, one collection per key (in `group_of`'s
    /// numbering).
    async fn children(
        &self,
        keys: Vec<Value>,
        group_of: &HashMap<KeyPart, usize, KeyHashing>,
        exec: ExecutorRef<'_>,
    ) -> Result<Vec<Arc<dyn Collection>>> {
        let association = &self.association;
        let target = association.target()?;
        let def = target.definition();
        let foreign_key = association.foreign_key;
        let key_name = def.attributes[foreign_key].name.clone();
        let include = self.include.clone();
        let mut attributes = include.attributes;
        if let Some(names) = &mut attributes {
            if !names.iter().any(|n| def.position(n) == Some(foreign_key)) {
                names.push(key_name.clone());
            }
        }
        let mut exclude = include.exclude;
        exclude.retain(|n| def.position(n) != Some(foreign_key));
        let options = FindOptions {
            filter: include.filter,
            attributes,
            exclude,
            order: include.order,
            paranoid: include.paranoid,
            scopes: include.scopes,
            include: include.include,
            ..FindOptions::default()
        };
        let mut options = target.planned(options, Hook::BeforeFind, exec).await?;
        for (index, value) in &association.scope {
            options.add_filter(Expr::column(def.attributes[*index].name.clone()).eq(value.clone()));
        }
        // Where each key is a parameter, as many statements as the parameter limit needs
        // (half of it for the keys, the rest for the conditions); one array elsewhere.
        let supports = exec.target().sequelize().dialect().supports();
        let per_statement = match supports.arrays {
            true => keys.len(),
            false => (supports.max_bind_parameters / 2).max(1),
        };
        let owner = |key: &KeyPart| {
            group_of.get(key).copied().ok_or_else(|| {
                Error::EagerLoading("a separate include read a row of no parent".into())
            })
        };
        let mut children = (target.new_collection())();
        let rows = Arc::get_mut(&mut children)
            .ok_or_else(|| Error::EagerLoading("a new collection is shared".into()))?;
        let mut last_plan = None;
        for chunk in keys.chunks(per_statement) {
            let mut options = options.clone();
            options.add_filter(Expr::InList {
                expr: Box::new(Expr::column(key_name.clone())),
                list: chunk.iter().cloned().map(Expr::Value).collect(),
                negated: false,
            });
            let (mut select, plan) = eager::plan(&target, options)?;
            if let Some(limit) = include.limit {
                select = per_parent(select, def, foreign_key, limit);
            }
            run_into(&exec, &target, &mut select.into(), &mut plan.fold(rows)).await?;
            last_plan = Some(plan);
        }
        // Every chunk's plan reads the same includes: the last one reads them for all.
        if let Some(plan) = last_plan {
            plan.load_separate(rows, exec).await?;
        }
        let mut owners = Vec::with_capacity(rows.len());
        rows.each_mut(&mut |row| {
            owners.push(owner(&KeyPart::of(&row.value(foreign_key)))?);
            Ok(())
        })?;
        Ok(rows.split(&owners, group_of.len()))
    }
}

/// At most `limit` rows per parent: the query ranked within each parent's rows by its order
/// (then key) with `DENSE_RANK()`, so that the rows of one instance repeated by joined
/// includes share a rank, and read in rank order.
fn per_parent(mut select: Select, def: &ModelDefinition, foreign_key: usize, limit: u64) -> Select {
    let alias = Ident::new(def.name.clone());
    let column =
        |index: usize| Expr::qualified(alias.clone(), def.attributes[index].column.name.clone());
    let mut order = std::mem::take(&mut select.order);
    order.extend(def.primary_key.iter().map(|&k| column(k).asc()));
    let rank = Expr::Window {
        function: WindowFunction::DenseRank,
        partition_by: vec![column(foreign_key)],
        order,
    };
    select.columns.push(SelectItem::new(rank).alias(RANK));
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    Select {
        filter: Some(Expr::column(RANK).lte(limit)),
        order: vec![Expr::column(RANK).asc()],
        ..Select::new(Source::subquery(select, alias))
    }
}

/// Runs `f` on every instance at `path` below `collection` (each name an include, in
/// order), depth first.
fn visit(
    collection: &mut dyn Collection,
    path: &[Arc<str>],
    f: &mut dyn FnMut(&mut dyn LoadedRow) -> Result<()>,
) -> Result<()> {
    match path.split_first() {
        None => collection.each_mut(f),
        Some((name, rest)) => {
            collection.each_mut(&mut |row| match row.loaded_mut().get_mut(name)? {
                Some(inner) => visit(inner, rest, f),
                None => Ok(()),
            })
        }
    }
}
