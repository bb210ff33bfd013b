//! Aggregates over a model's rows: `count`, `max`, `min`, `sum` (Sequelize's static
//! `Model.count(options)` and friends), planned from the same options bag as the finders.

use std::marker::PhantomData;

use super::column::Column;
use super::finder::FinderOptions;
use super::planner::{self, FindOptions, AGGREGATE};
use super::runtime::runtime_of;
use super::{run, Model};
use crate::connection::Executor;
use crate::error::Result;
use crate::sql::Function;
use crate::value::{FromValue, Value};

/// `Model.count(options)`, `Model.max(field, options)`, `min`, `sum`: one value computed by
/// the database over the rows the filter selects (soft-deleted rows of a paranoid model
/// excluded unless `paranoid(false)`). `T` is what the value reads as: `i64` for a count,
/// `Option<T>` of the column's type for the others (`None` over no rows).
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// #[model(timestamps = false)]
/// struct Player { id: i64, team: String, score: i64 }
/// # async fn demo() -> sequelize::Result<()> {
/// # let db = Sequelize::connect("sqlite::memory:").await?;
/// # db.define::<Player>().register()?;
/// # db.sync(SyncOptions::default()).await?;
/// for (team, score) in [("red", 3), ("red", 5), ("blue", 5)] {
///     Player::create(Player { id: 0, team: team.into(), score }).exec(&db).await?;
/// }
/// assert_eq!(Player::count().exec(&db).await?, 3);
/// assert_eq!(Player::count().column(Player::TEAM).distinct().exec(&db).await?, 2);
/// assert_eq!(Player::max(Player::SCORE).filter(Player::TEAM.eq("red")).exec(&db).await?, Some(5));
/// assert_eq!(Player::sum(Player::SCORE).exec(&db).await?, Some(13));
/// assert_eq!(Player::min(Player::SCORE).filter(Player::TEAM.eq("none")).exec(&db).await?, None);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "an aggregate does nothing until exec() is awaited"]
pub struct Aggregate<M, T> {
    options: FindOptions,
    function: Function,
    column: Option<usize>,
    distinct: bool,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M: Model, T> FinderOptions for Aggregate<M, T> {
    fn options(&self) -> &FindOptions {
        &self.options
    }

    fn options_mut(&mut self) -> &mut FindOptions {
        &mut self.options
    }
}

impl<M: Model, T: FromValue> Aggregate<M, T> {
    pub(crate) fn new(function: Function, column: Option<usize>) -> Self {
        Aggregate {
            options: FindOptions::default(),
            function,
            column,
            distinct: false,
            _types: PhantomData,
        }
    }

    /// Counts only distinct values (`distinct: true`, with a column).
    pub fn distinct(mut self) -> Self {
        self.distinct = true;
        self
    }

    /// Runs the aggregate and reads its value.
    pub async fn exec(self, exec: &impl Executor) -> Result<T> {
        let runtime = runtime_of::<M>(exec)?;
        let select = planner::aggregate(
            runtime.definition(),
            self.options,
            self.function,
            self.column,
            self.distinct,
        )?;
        let result = run(exec, &runtime, &select.into()).await?;
        let value = result
            .rows
            .into_first()
            .map(|row| row.get::<Value>(AGGREGATE))
            .transpose()?
            .unwrap_or(Value::Null);
        T::from_value(value)
    }
}

impl<M: Model> Aggregate<M, i64> {
    /// Counts the rows where this column is not `NULL` (`col`), instead of every row.
    pub fn column<T: Into<Value>>(mut self, column: Column<M, T>) -> Self {
        self.column = Some(column.index());
        self
    }
}
