//! The one place each statement kind is built from a model and its options.
//!
//! Finders collect [`FindOptions`] (Sequelize's options bag) and [`select`] turns (model,
//! options) into a `SELECT`; [`insert`], [`update`] and [`delete`] are the one place their
//! statements are built. Typed and dynamic models both come here, so what is applied to a
//! query (attribute checks, value conversion, later default scopes, paranoid filters and
//! includes) is applied once.

use super::definition::ModelDefinition;
use super::filter::{self, Scope};
use super::validation;
use crate::dialect::Supports;
use crate::error::{Error, Result};
use crate::sql::{Delete, Expr, Insert, Lock, OrderBy, Select, SelectItem, TableRef, Update};
use crate::value::Value;

/// Sequelize's options bag for finders (`findAll(options)`), as plain data.
///
/// Every finder builder, typed or dynamic, fills one of these; the planner reads it. `where`
/// is a Rust keyword, so the condition is `filter`.
///
/// ```
/// use sequelize::model::FindOptions;
/// use sequelize::{col, ColumnOperators};
/// let options = FindOptions {
///     filter: Some(col("age").gte(18)),
///     attributes: Some(vec!["id".into(), "name".into()]),
///     order: vec![col("name").asc()],
///     limit: Some(10),
///     ..Default::default()
/// };
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FindOptions {
    /// The condition (`where`).
    pub filter: Option<Expr>,
    /// The attributes read (`attributes: ['id', 'name']`); every attribute when `None`.
    pub attributes: Option<Vec<String>>,
    /// `order`.
    pub order: Vec<OrderBy>,
    /// `group`.
    pub group: Vec<Expr>,
    /// `having`.
    pub having: Option<Expr>,
    /// `limit`.
    pub limit: Option<u64>,
    /// `offset`.
    pub offset: Option<u64>,
    /// `distinct`: duplicate rows are read once.
    pub distinct: bool,
    /// `lock`.
    pub lock: Option<Lock>,
}

impl FindOptions {
    /// Adds a condition, joined with `AND` to the ones before (the one `filter()` every
    /// builder shares).
    pub fn add_filter(&mut self, condition: Expr) {
        self.filter = Some(Expr::conjoin(self.filter.take(), condition));
    }
}

/// The model's table.
fn table(def: &ModelDefinition) -> TableRef {
    TableRef::new(def.table_name.clone())
}

/// The `SELECT` of a finder, and the positions of the attributes it reads, in column order.
pub(crate) fn select(def: &ModelDefinition, options: FindOptions) -> Result<(Select, Vec<usize>)> {
    let scope = Scope::of(def);
    let read: Vec<usize> = match &options.attributes {
        None => (0..def.attributes.len()).collect(),
        Some(names) => names
            .iter()
            .map(|name| {
                def.position(name).ok_or_else(|| {
                    Error::InvalidQuery(format!("model {} has no attribute {name:?}", def.name))
                })
            })
            .collect::<Result<_>>()?,
    };
    let columns = read
        .iter()
        .map(|&i| SelectItem::new(Expr::column(def.attributes[i].column.name.clone())))
        .collect();
    let select = Select {
        distinct: options.distinct,
        columns,
        filter: options
            .filter
            .map(|f| filter::resolve(f, &scope))
            .transpose()?,
        group_by: options
            .group
            .into_iter()
            .map(|e| filter::resolve(e, &scope))
            .collect::<Result<_>>()?,
        having: options
            .having
            .map(|h| filter::resolve(h, &scope))
            .transpose()?,
        order: filter::resolve_order(options.order, &scope)?,
        limit: options.limit,
        offset: options.offset,
        lock: options.lock,
        ..Select::new(table(def))
    };
    Ok((select, read))
}

/// The `INSERT` of one row, given as (attribute position, value) pairs, returning every
/// attribute where the database can. Each value must fit its column first.
pub(crate) fn insert(
    def: &ModelDefinition,
    written: Vec<(usize, Value)>,
    supports: &Supports,
) -> Result<Insert> {
    validation::check_row(def, &written, supports)?;
    let (columns, row) = written
        .into_iter()
        .map(|(i, value)| (def.attributes[i].column.name.clone(), Expr::Value(value)))
        .unzip();
    Ok(Insert {
        table: table(def),
        columns,
        rows: vec![row],
        returning: def
            .attributes
            .iter()
            .map(|a| a.column.name.clone())
            .collect(),
        on_conflict: None,
    })
}

/// The `UPDATE` of the given (attribute position, value) pairs in the rows `filter` selects.
pub(crate) fn update(
    def: &ModelDefinition,
    written: Vec<(usize, Value)>,
    filter: Expr,
    supports: &Supports,
) -> Result<Update> {
    validation::check_row(def, &written, supports)?;
    Ok(Update {
        table: table(def),
        set: written
            .into_iter()
            .map(|(i, value)| (def.attributes[i].column.name.clone(), Expr::Value(value)))
            .collect(),
        filter: filter::resolve(filter, &Scope::of(def))?,
    })
}

/// The `DELETE` of the rows `filter` selects. No filter is an error: it would delete every
/// row.
pub(crate) fn delete(def: &ModelDefinition, filter: Option<Expr>) -> Result<Delete> {
    let Some(filter) = filter else {
        return Err(Error::InvalidQuery(format!(
            "destroy on {} has no filter; an empty filter would delete every row",
            def.name
        )));
    };
    Ok(Delete {
        table: table(def),
        filter: filter::resolve(filter, &Scope::of(def))?,
    })
}

/// The condition that selects one row by its primary key, from a row's values (in attribute
/// order).
pub(crate) fn key_filter(def: &ModelDefinition, values: &[Value]) -> Result<Expr> {
    if def.primary_key.is_empty() {
        return Err(Error::InvalidQuery(format!(
            "model {} has no primary key to identify the row",
            def.name
        )));
    }
    Ok(Expr::And(
        def.primary_key
            .iter()
            .map(|&i| Expr::column(def.attributes[i].column.name.clone()).eq(values[i].clone()))
            .collect(),
    ))
}
