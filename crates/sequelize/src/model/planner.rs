//! The one place each statement kind is built from a model and its options.
//!
//! Finders collect [`FindOptions`] (Sequelize's options bag) and [`select`] turns (model,
//! options) into a `SELECT` ([`aggregate`] into a `count`/`max`/…); [`insert`], [`update`]
//! (an instance's save), [`update_rows`] (`Model.update`, `increment`), [`destroy`] and
//! [`restore`] are the one place their statements are built. Typed and dynamic models both
//! come here, so what is applied to a query (attribute checks, value conversion, paranoid
//! filters, later default scopes and includes) is applied once.

use std::sync::Arc;

use super::association::{eager, inert, Include, IncludeAll};
use super::definition::ModelDefinition;
use super::filter::{self, Scope};
use super::runtime::ModelRuntime;
use super::scopes::ScopeUse;
use super::validation;
use crate::dialect::Supports;
use crate::error::{Error, Result};
use crate::sql::{
    BinaryOp, Delete, Expr, Function, Ident, Insert, OnConflict, OrderBy, RowLock, Select,
    SelectItem, Statement, TableRef, Update,
};
use crate::types::DataType;
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
#[derive(Debug, Clone, PartialEq)]
pub struct FindOptions {
    /// The condition (`where`).
    pub filter: Option<Expr>,
    /// The attributes read (`attributes: ['id', 'name']`); every attribute when `None`.
    pub attributes: Option<Vec<String>>,
    /// Attributes left out of those (`attributes: { exclude: ['password'] }`).
    pub exclude: Vec<String>,
    /// Computed values read after the attributes, each under its alias
    /// (`[sequelize.fn('COUNT', sequelize.col('id')), 'postCount']`).
    pub computed: Vec<SelectItem>,
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
    pub lock: Option<RowLock>,
    /// `paranoid` (default true): on a paranoid model, skip soft-deleted rows; `false` reads
    /// them too.
    pub paranoid: bool,
    /// The scopes to apply (`Model.scope(...)`): `None` for the default scope, an empty list
    /// for none (`unscoped()`).
    pub scopes: Option<Vec<ScopeUse>>,
    /// `hooks` (default true): run the model's `beforeFind`/`beforeCount` and `afterFind`
    /// hooks; `false` skips them.
    pub hooks: bool,
    /// `include`: the associations loaded with the rows.
    pub include: Vec<Include>,
    /// `include: { all, nested }`: every association of these kinds (and, nested, theirs).
    pub include_all: Option<(IncludeAll, bool)>,
    /// `subQuery` (default true): with a `limit` or `offset` and an include of many rows,
    /// limit the parents in a subquery before joining; `false` puts the limit on the joined
    /// rows, as Sequelize's `subQuery: false` does.
    pub sub_query: bool,
    /// `useMaster`: with read replicas, read from the primary.
    pub use_master: bool,
}

impl Default for FindOptions {
    fn default() -> Self {
        FindOptions {
            filter: None,
            attributes: None,
            exclude: Vec::new(),
            computed: Vec::new(),
            order: Vec::new(),
            group: Vec::new(),
            having: None,
            limit: None,
            offset: None,
            distinct: false,
            lock: None,
            paranoid: true,
            scopes: None,
            hooks: true,
            include: Vec::new(),
            include_all: None,
            sub_query: true,
            use_master: false,
        }
    }
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
    TableRef::new(def.table())
}

/// The current time as the writes record it: to the millisecond, as Sequelize (a JavaScript
/// `Date`) does, so an instance holds exactly what every database stores (SQLite's text keeps
/// milliseconds), whether or not the insert reads the row back.
pub(crate) fn now() -> Value {
    Value::Timestamp(current_time())
}

/// The current time, to the millisecond; see [`now`].
pub(crate) fn current_time() -> chrono::DateTime<chrono::Utc> {
    chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 3)
}

/// The column of a paranoid model's deletion time.
fn deleted_at(def: &ModelDefinition) -> Option<Ident> {
    def.deleted_at
        .map(|i| def.attributes[i].column.name.clone())
}

/// `condition AND deleted_at IS NULL` on a paranoid model: the rows not soft-deleted.
fn and_not_deleted(def: &ModelDefinition, condition: Expr) -> Expr {
    match deleted_at(def) {
        Some(column) => condition.and(Expr::column(column).is_null()),
        None => condition,
    }
}

/// [`and_not_deleted`] for an optional condition.
fn not_deleted(def: &ModelDefinition, condition: Option<Expr>) -> Option<Expr> {
    match condition {
        Some(condition) => Some(and_not_deleted(def, condition)),
        None => deleted_at(def).map(|column| Expr::column(column).is_null()),
    }
}

/// The `SELECT` of a finder, and the positions of the attributes it reads, in column order.
/// A finder with includes is planned by [`eager::plan`](super::association::eager::plan);
/// here they are an error.
pub(crate) fn select(def: &ModelDefinition, options: FindOptions) -> Result<(Select, Vec<usize>)> {
    if let Some(include) = options.include.first() {
        return Err(Error::InvalidQuery(format!(
            "include ({:?} of {}) is not taken by raw finders, streams and aggregates yet; \
             use find_all().include(…)",
            include.association, def.name
        )));
    }
    let scope = Scope::of(def);
    let read = read_positions(def, &options)?;
    if read.is_empty() && options.computed.is_empty() {
        return Err(Error::InvalidQuery(format!(
            "every attribute of {} is excluded: a query must read at least one",
            def.name
        )));
    }
    let mut columns: Vec<SelectItem> = read
        .iter()
        .map(|&i| SelectItem::new(Expr::column(def.attributes[i].column.name.clone())))
        .collect();
    for item in options.computed {
        columns.push(SelectItem {
            expr: filter::resolve(item.expr, &scope)?,
            alias: item.alias,
        });
    }
    let filter = options
        .filter
        .map(|f| filter::resolve(f, &scope))
        .transpose()?;
    let select = Select {
        distinct: options.distinct,
        columns,
        filter: match options.paranoid {
            true => not_deleted(def, filter),
            false => filter,
        },
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

/// The positions of the attributes a finder's options read (`attributes`, less `exclude`),
/// in the order read; an unknown name is an error.
pub(crate) fn read_positions(def: &ModelDefinition, options: &FindOptions) -> Result<Vec<usize>> {
    let position = |name: &String| {
        def.position(name).ok_or_else(|| {
            Error::InvalidQuery(format!("model {} has no attribute {name:?}", def.name))
        })
    };
    let mut read: Vec<usize> = match &options.attributes {
        None => (0..def.attributes.len()).collect(),
        Some(names) => names.iter().map(position).collect::<Result<_>>()?,
    };
    let excluded = options
        .exclude
        .iter()
        .map(position)
        .collect::<Result<Vec<_>>>()?;
    read.retain(|i| !excluded.contains(i));
    Ok(read)
}

/// An aggregate over the rows a finder's options select (`count`, `max`, `min`, `sum`):
/// `SELECT function([DISTINCT] column) AS "result"`, or `COUNT(*)` without a column. Order,
/// limit and offset do not apply to an aggregate and are left out, as Sequelize does.
///
/// With includes, they are joined as a finder joins them (separate ones are left out) and the
/// columns are qualified by the model's name: `count` then counts joined rows, and
/// `distinct` on the key counts the model's rows, as in Sequelize. The includes that cannot
/// change the value are left out ([`inert`]).
pub(crate) fn aggregate(
    runtime: &Arc<ModelRuntime>,
    mut options: FindOptions,
    function: Function,
    column: Option<usize>,
    distinct: bool,
    group: Option<usize>,
) -> Result<Select> {
    let def = runtime.definition();
    options.order.clear();
    options.limit = None;
    options.offset = None;
    options.attributes = None;
    options.exclude.clear();
    options.computed.clear();
    options.include.retain(|include| !include.separate);
    // Asked for with includes, the aggregate is planned as a join even when every one is
    // left out: the model's table keeps its alias, which the filter may name.
    let joined = !options.include.is_empty();
    let rows_count =
        !distinct && matches!(function, Function::Count | Function::Sum | Function::Avg);
    inert::leave_out_inert_includes(runtime, &mut options, rows_count);
    let (mut select, qualifier) = if !joined {
        (select(def, options)?.0, None)
    } else {
        (eager::plan(runtime, options)?.0, Some(def.name.as_str()))
    };
    let column_of = |i: usize| {
        let name = def.attributes[i].column.name.clone();
        match qualifier {
            Some(alias) => Expr::qualified(Ident::new(alias.to_owned()), name),
            None => Expr::column(name),
        }
    };
    let value = SelectItem::new(Expr::Function {
        function,
        args: column.map(column_of).into_iter().collect(),
        distinct,
    })
    .alias(AGGREGATE);
    select.columns = match group {
        // One row per value of the group column, in its order.
        Some(i) => {
            select.group_by = vec![column_of(i)];
            select.order = vec![column_of(i).asc()];
            vec![SelectItem::new(column_of(i)).alias(GROUP), value]
        }
        None => vec![value],
    };
    Ok(select)
}

/// The name an aggregate's value is read under.
pub(crate) const AGGREGATE: &str = "result";

/// The name a grouped aggregate's group value is read under.
pub(crate) const GROUP: &str = "group_key";

/// The `INSERT` of one row, given as (attribute position, value) pairs, returning every
/// attribute where the database can. Each value must fit its column first.
pub(crate) fn insert(
    def: &ModelDefinition,
    written: Vec<(usize, Value)>,
    supports: &Supports,
) -> Result<Insert> {
    let columns: Vec<usize> = written.iter().map(|(i, _)| *i).collect();
    insert_rows(
        def,
        &columns,
        vec![written],
        None,
        supports,
        &every_attribute(def),
    )
}

/// The positions of every attribute of `def`, in order.
pub(crate) fn every_attribute(def: &ModelDefinition) -> Vec<usize> {
    (0..def.attributes.len()).collect()
}

/// The `INSERT` of several rows of the attributes at `columns`, each row the (attribute
/// position, value) pairs of those attributes in that order, with a conflict clause,
/// returning the attributes at `returning` where the database can. Each value must fit its
/// column first.
pub(crate) fn insert_rows(
    def: &ModelDefinition,
    columns: &[usize],
    rows: Vec<Vec<(usize, Value)>>,
    on_conflict: Option<OnConflict>,
    supports: &Supports,
    returning: &[usize],
) -> Result<Insert> {
    let rows = (rows.into_iter())
        .map(|written| {
            validation::check_row(def, &written, supports)?;
            Ok(written.into_iter().map(|(_, v)| Expr::Value(v)).collect())
        })
        .collect::<Result<_>>()?;
    Ok(Insert {
        table: table(def),
        columns: (columns.iter())
            .map(|&i| def.attributes[i].column.name.clone())
            .collect(),
        rows,
        returning: (returning.iter())
            .map(|&i| def.attributes[i].column.name.clone())
            .collect(),
        on_conflict,
    })
}

/// What an `UPDATE` sets an attribute to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Assignment {
    /// A value.
    Value(Value),
    /// The attribute's current value plus this amount (`increment`; negative to decrement),
    /// computed by the database so concurrent increments are not lost.
    Add(Value),
}

/// The `UPDATE` that saves one instance: the given (attribute position, assignment) pairs in
/// the row its key selects (even a soft-deleted one).
pub(crate) fn update(
    def: &ModelDefinition,
    assignments: Vec<(usize, Assignment)>,
    key: Expr,
    supports: &Supports,
) -> Result<Update> {
    // The instance's save sets `updatedAt` itself (or not, when silent).
    update_where(
        def,
        assignments,
        filter::resolve(key, &Scope::of(def))?,
        false,
        supports,
    )
}

/// Sequelize's `Model.update` and `Model.increment`: the assignments in every row `filter`
/// selects (none is an error: it would update every row). On a paranoid model soft-deleted
/// rows are left alone, as in Sequelize.
pub(crate) fn update_rows(
    def: &ModelDefinition,
    assignments: Vec<(usize, Assignment)>,
    filter: Option<Expr>,
    supports: &Supports,
) -> Result<Update> {
    let Some(filter) = filter else {
        return Err(Error::InvalidQuery(format!(
            "update on {} has no filter; an empty filter would update every row",
            def.name
        )));
    };
    let filter = and_not_deleted(def, filter::resolve(filter, &Scope::of(def))?);
    update_where(def, assignments, filter, true, supports)
}

/// An `UPDATE` of resolved `filter`'s rows; with `touch`, `updated_at` is set to now unless
/// an assignment sets it.
fn update_where(
    def: &ModelDefinition,
    mut assignments: Vec<(usize, Assignment)>,
    filter: Expr,
    touch: bool,
    supports: &Supports,
) -> Result<Update> {
    if assignments.is_empty() {
        return Err(Error::InvalidQuery(format!(
            "update on {} sets no attribute",
            def.name
        )));
    }
    if let (Some(index), true) = (def.updated_at, touch) {
        if !assignments.iter().any(|(i, _)| *i == index) {
            assignments.push((index, Assignment::Value(now())));
        }
    }
    let values: Vec<(usize, Value)> = assignments
        .iter()
        .filter_map(|(i, a)| match a {
            Assignment::Value(v) => Some((*i, v.clone())),
            Assignment::Add(_) => None,
        })
        .collect();
    validation::check_row(def, &values, supports)?;
    let set = assignments
        .into_iter()
        .map(|(i, assignment)| {
            let attribute = &def.attributes[i];
            let column = attribute.column.name.clone();
            let expr = match assignment {
                Assignment::Value(value) => Expr::Value(value),
                Assignment::Add(by) => {
                    let data_type = &attribute.column.data_type;
                    let numeric = data_type.is_integer()
                        || matches!(
                            data_type,
                            DataType::Float | DataType::Double | DataType::Decimal(_)
                        );
                    if !numeric
                        || !matches!(by, Value::Int(_) | Value::Float(_) | Value::Decimal(_))
                    {
                        return Err(Error::InvalidQuery(format!(
                            "{}.{}: only a number can be added to a numeric attribute",
                            def.name, attribute.name
                        )));
                    }
                    Expr::column(column.clone()).compare(BinaryOp::Add, Expr::Value(by))
                }
            };
            Ok((column, expr))
        })
        .collect::<Result<_>>()?;
    Ok(Update {
        table: table(def),
        set,
        filter,
    })
}

/// What destroying the rows `filter` selects runs: a `DELETE`, or on a paranoid model an
/// `UPDATE` that sets their deletion time (unless `force`). No filter is an error: it would
/// destroy every row.
/// `at` is the deletion time a paranoid model records.
pub(crate) fn destroy(
    def: &ModelDefinition,
    filter: Option<Expr>,
    force: bool,
    at: Value,
) -> Result<Statement> {
    let Some(filter) = filter else {
        return Err(Error::InvalidQuery(format!(
            "destroy on {} has no filter; an empty filter would delete every row",
            def.name
        )));
    };
    let filter = filter::resolve(filter, &Scope::of(def))?;
    Ok(match (deleted_at(def), force) {
        (Some(column), false) => Statement::Update(Update {
            table: table(def),
            set: vec![(column, Expr::Value(at))],
            filter: and_not_deleted(def, filter),
        }),
        _ => Statement::Delete(Delete {
            table: table(def),
            filter,
        }),
    })
}

/// The `UPDATE` that restores the soft-deleted rows `filter` selects (`Model.restore`). Only a
/// paranoid model has any.
pub(crate) fn restore(def: &ModelDefinition, filter: Option<Expr>) -> Result<Update> {
    let column = deleted_at(def).ok_or_else(|| {
        Error::InvalidQuery(format!(
            "model {} is not paranoid; it has no deleted rows to restore",
            def.name
        ))
    })?;
    let filter = filter
        .map(|f| filter::resolve(f, &Scope::of(def)))
        .transpose()?;
    Ok(Update {
        table: table(def),
        set: vec![(column.clone(), Expr::Value(Value::Null))],
        filter: Expr::conjoin(filter, Expr::column(column).is_not_null()),
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
