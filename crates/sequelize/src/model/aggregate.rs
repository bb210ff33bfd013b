//! Aggregates over a model's rows: `count`, `max`, `min`, `sum` (Sequelize's static
//! `Model.count(options)` and friends), planned from the same options bag as the finders.

use std::marker::PhantomData;

use super::association::Assoc;
use super::column::Column;
use super::finder::FinderOptions;
use super::hooks::Hook;
use super::planner::{self, FindOptions, AGGREGATE, GROUP};
use super::runtime::runtime_of;
use super::{run, Model};
use crate::connection::{Executor, ExecutorRef};
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

    /// Joins an association, to filter on its rows (`count({ include, distinct })`); see
    /// [`FindAll::include`](super::FindAll::include).
    pub fn include<U: Model, C>(mut self, association: Assoc<M, U, C>) -> Self {
        self.options.include.push(association.into());
        self
    }

    /// Runs the aggregate and reads its value.
    pub async fn exec(self, exec: &impl Executor) -> Result<T> {
        let exec = &ExecutorRef::use_master(exec, self.options.use_master);
        let runtime = runtime_of::<M>(exec)?;
        let select = planner::aggregate(
            &runtime,
            (runtime.planned(self.options, Hook::BeforeCount, ExecutorRef::of(exec))).await?,
            self.function,
            self.column,
            self.distinct,
            None,
        )?;
        let result = run(exec, &runtime, &mut select.into()).await?;
        let value = result
            .rows
            .into_first()
            .map(|row| row.get::<Value>(AGGREGATE))
            .transpose()?
            .unwrap_or(Value::Null);
        T::from_value(value)
    }

    /// One value per value of `column` (`group: ['team']`): the pairs (group value,
    /// aggregate), ordered by the group value.
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
    /// let per_team = Player::count().group_by(Player::TEAM).exec(&db).await?;
    /// assert_eq!(per_team, [("blue".to_string(), 1), ("red".to_string(), 2)]);
    /// let best = Player::max(Player::SCORE).group_by(Player::TEAM).exec(&db).await?;
    /// assert_eq!(best, [("blue".to_string(), Some(5)), ("red".to_string(), Some(5))]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn group_by<K: FromValue + Into<Value>>(
        self,
        column: Column<M, K>,
    ) -> GroupedAggregate<M, K, T> {
        GroupedAggregate {
            group: column.index(),
            aggregate: self,
            _key: PhantomData,
        }
    }
}

/// An [`Aggregate`] computed per value of a column; made by [`Aggregate::group_by`].
#[must_use = "an aggregate does nothing until exec() is awaited"]
pub struct GroupedAggregate<M, K, T> {
    aggregate: Aggregate<M, T>,
    group: usize,
    _key: PhantomData<fn() -> K>,
}

impl<M: Model, K, T> FinderOptions for GroupedAggregate<M, K, T> {
    fn options(&self) -> &FindOptions {
        &self.aggregate.options
    }

    fn options_mut(&mut self) -> &mut FindOptions {
        &mut self.aggregate.options
    }
}

impl<M: Model, K: FromValue, T: FromValue> GroupedAggregate<M, K, T> {
    /// Runs the aggregate: (group value, aggregate) per group, by group value.
    pub async fn exec(self, exec: &impl Executor) -> Result<Vec<(K, T)>> {
        let exec = &ExecutorRef::use_master(exec, self.aggregate.options.use_master);
        let runtime = runtime_of::<M>(exec)?;
        let aggregate = self.aggregate;
        let select = planner::aggregate(
            &runtime,
            (runtime.planned(aggregate.options, Hook::BeforeCount, ExecutorRef::of(exec))).await?,
            aggregate.function,
            aggregate.column,
            aggregate.distinct,
            Some(self.group),
        )?;
        let result = run(exec, &runtime, &mut select.into()).await?;
        result
            .rows
            .into_rows()
            .into_iter()
            .map(|row| Ok((row.get::<K>(GROUP)?, row.get::<T>(AGGREGATE)?)))
            .collect()
    }
}

/// The functions [`Model::aggregate`] computes (Sequelize's `aggregate(field, 'avg')`).
///
/// ```
/// use sequelize::AggregateFunction;
/// assert_ne!(AggregateFunction::Avg, AggregateFunction::Sum);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateFunction {
    /// `COUNT(column)`: the non-`NULL` values.
    Count,
    /// `SUM(column)`.
    Sum,
    /// `AVG(column)`: read it as `Option<f64>` (or a decimal); integer columns average to a
    /// fraction.
    Avg,
    /// `MIN(column)`.
    Min,
    /// `MAX(column)`.
    Max,
}

impl From<AggregateFunction> for Function {
    fn from(function: AggregateFunction) -> Self {
        match function {
            AggregateFunction::Count => Function::Count,
            AggregateFunction::Sum => Function::Sum,
            AggregateFunction::Avg => Function::Avg,
            AggregateFunction::Min => Function::Min,
            AggregateFunction::Max => Function::Max,
        }
    }
}

impl<M: Model> Aggregate<M, i64> {
    /// Counts the rows where this column is not `NULL` (`col`), instead of every row.
    pub fn column<T: Into<Value>>(mut self, column: Column<M, T>) -> Self {
        self.column = Some(column.index());
        self
    }
}
