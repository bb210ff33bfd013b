//! Writes: `create`, `save` (insert or update of changed attributes), `destroy`.

use std::marker::PhantomData;

use super::filter;
use super::instance::Instance;
use super::validation;
use super::{run, Model};
use crate::connection::Executor;
use crate::error::{Error, Result};
use crate::sql::{DefaultValue, Delete, Expr, Ident, Insert, Statement, TableRef, Update};
use crate::value::Value;

fn field_ident(field: &'static str) -> Ident {
    Ident(std::borrow::Cow::Borrowed(field))
}

/// The `WHERE` that selects one row by its primary key, from the given values.
fn key_filter<M: Model>(values: &[Value]) -> Result<Expr> {
    let def = M::definition();
    if def.primary_key.is_empty() {
        return Err(Error::InvalidQuery(format!(
            "model {} has no primary key to identify the row",
            def.name
        )));
    }
    Ok(Expr::And(
        def.primary_key
            .iter()
            .map(|&i| Expr::column(field_ident(&def.attributes[i].field)).eq(values[i].clone()))
            .collect(),
    ))
}

/// Inserts a model's data; reads back generated keys and defaults.
pub(crate) async fn insert<M: Model>(data: &mut M, exec: &impl Executor) -> Result<()> {
    let def = M::definition();
    let now = Value::Timestamp(chrono::Utc::now());
    for index in [def.created_at, def.updated_at].into_iter().flatten() {
        data.set_value(index, now.clone())?;
    }
    let mut written = Vec::with_capacity(def.attributes.len());
    let mut generated_key = None;
    for (index, (attribute, mut value)) in def.attributes.iter().zip(data.to_values()).enumerate() {
        if attribute.auto_increment && matches!(value, Value::Null | Value::Int(0)) {
            generated_key = Some(index);
            continue;
        }
        let unset_uuid =
            matches!(&value, Value::Null) || matches!(&value, Value::Uuid(u) if u.is_nil());
        if attribute.default == Some(DefaultValue::UuidV4) && unset_uuid {
            value = Value::Uuid(uuid::Uuid::new_v4());
            data.set_value(index, value.clone())?;
        }
        written.push((index, value));
    }
    validation::check_row(
        def,
        &written,
        exec.target().sequelize().dialect().supports(),
    )?;
    let (columns, row) = written
        .into_iter()
        .map(|(index, value)| {
            (
                field_ident(&def.attributes[index].field),
                Expr::Value(value),
            )
        })
        .unzip();
    let returning = def
        .attributes
        .iter()
        .map(|a| field_ident(&a.field))
        .collect();
    let statement = Statement::Insert(Insert {
        table: TableRef::new(field_ident(&def.table_name)),
        columns,
        rows: vec![row],
        returning,
    });
    let mut result = run(exec, &statement).await?;
    if let Some(values) = result.rows.iter_mut().next() {
        *data = M::from_values(values)?;
    } else if let (Some(index), Some(id)) = (generated_key, result.last_insert_id) {
        data.set_value(index, Value::Int(id))?;
    }
    Ok(())
}

/// Updates the changed attributes of a saved row, identified by its saved key.
pub(crate) async fn update<M: Model>(
    data: &mut M,
    saved: &[Value],
    changed: &[usize],
    exec: &impl Executor,
) -> Result<()> {
    if changed.is_empty() {
        return Ok(());
    }
    let def = M::definition();
    let mut changed = changed.to_vec();
    if let Some(index) = def.updated_at {
        data.set_value(index, Value::Timestamp(chrono::Utc::now()))?;
        if !changed.contains(&index) {
            changed.push(index);
        }
    }
    let written: Vec<(usize, Value)> = changed.iter().map(|&i| (i, data.value(i))).collect();
    validation::check_row(
        def,
        &written,
        exec.target().sequelize().dialect().supports(),
    )?;
    let set = written
        .into_iter()
        .map(|(index, value)| {
            (
                field_ident(&def.attributes[index].field),
                Expr::Value(value),
            )
        })
        .collect();
    let statement = Statement::Update(Update {
        table: TableRef::new(field_ident(&def.table_name)),
        set,
        filter: key_filter::<M>(saved)?,
    });
    run(exec, &statement).await?;
    Ok(())
}

/// Deletes the row with the key found in `values`.
pub(crate) async fn delete_by_key<M: Model>(values: &[Value], exec: &impl Executor) -> Result<()> {
    let def = M::definition();
    let statement = Statement::Delete(Delete {
        table: TableRef::new(field_ident(&def.table_name)),
        filter: key_filter::<M>(values)?,
    });
    run(exec, &statement).await.map(drop)
}

/// `Model.create(values)`; see [`Model::create`] and the [`Model`] example.
#[must_use = "a create does nothing until exec() is awaited"]
pub struct Create<M: Model> {
    data: M,
}

impl<M: Model> Create<M> {
    pub(crate) fn new(data: M) -> Self {
        Create { data }
    }

    /// Inserts the row and returns the saved instance, with generated keys and (where the
    /// database returns them) defaults filled in.
    pub async fn exec(self, exec: &impl Executor) -> Result<Instance<M>> {
        let mut instance = Instance::new_record(self.data);
        instance.save(exec).await?;
        Ok(instance)
    }
}

/// `Model.destroy({ where })`; see [`Model::destroy`].
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct Session { id: i64, expired: bool }
/// # async fn demo(db: &Sequelize) -> sequelize::Result<()> {
/// let removed: u64 = Session::destroy().filter(Session::EXPIRED.eq(true)).exec(db).await?;
/// assert!(Session::destroy().exec(db).await.is_err()); // no filter: refused
/// # Ok(()) }
/// ```
#[must_use = "a destroy does nothing until exec() is awaited"]
pub struct Destroy<M: Model> {
    filter: Option<Expr>,
    _model: PhantomData<fn() -> M>,
}

impl<M: Model> Destroy<M> {
    pub(crate) fn new() -> Self {
        Destroy {
            filter: None,
            _model: PhantomData,
        }
    }

    /// Which rows to delete (`where`); conditions given twice are joined with `AND`.
    pub fn filter(mut self, condition: Expr) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing.and(condition),
            None => condition,
        });
        self
    }

    /// Deletes the matching rows and returns how many went. A missing or empty filter is an
    /// error: it would delete every row.
    pub async fn exec(self, exec: &impl Executor) -> Result<u64> {
        let def = M::definition();
        let Some(filter) = self.filter else {
            return Err(Error::InvalidQuery(format!(
                "destroy on {} has no filter; an empty filter would delete every row",
                def.name
            )));
        };
        let filter = filter::resolve(filter, def)?;
        let statement = Statement::Delete(Delete {
            table: TableRef::new(field_ident(&def.table_name)),
            filter,
        });
        Ok(run(exec, &statement).await?.rows_affected)
    }
}
