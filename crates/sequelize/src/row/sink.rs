//! Row sinks: where a driver puts each row the moment it has read it.
//!
//! A driver hands each row of a result to a [`RowSink`] as a [`RowReader`] over its own row,
//! and the sink reads the columns it wants in the form it wants. A typed finder's sink
//! builds its structs straight from the driver's rows, so a result of 10,000 rows is never
//! held a second time as values; [`Collect`] gathers the rows into [`Rows`] for everything
//! that wants them whole.

use std::sync::Arc;

use crate::row::{QueryResult, ReadResult, RowReader, Rows};

/// Receives a statement's rows, one at a time, while the driver holds them.
///
/// ```
/// use std::sync::Arc;
/// use sequelize::{FromValue, RowReader, RowSink, Value, ValuesReader};
///
/// /// Sums the first column.
/// struct Total(i64);
/// impl RowSink for Total {
///     fn columns(&mut self, _: &Arc<[String]>) {}
///     fn row(&mut self, row: &mut dyn RowReader) -> sequelize::ReadResult<()> {
///         self.0 += Option::<i64>::read(row, 0)?.unwrap_or(0);
///         Ok(())
///     }
/// }
///
/// let mut total = Total(0);
/// for n in [Value::Int(2), Value::Null, Value::Int(3)] {
///     total.row(&mut ValuesReader(&mut [n])).unwrap();
/// }
/// assert_eq!(total.0, 5);
/// ```
pub trait RowSink: Send {
    /// The result's column names, once, before its first row (not called for statements
    /// that return no columns).
    fn columns(&mut self, names: &Arc<[String]>);

    /// One row. An error stops the reading of the statement's rows and is what the
    /// statement returns.
    fn row(&mut self, row: &mut dyn RowReader) -> ReadResult<()>;
}

/// What a statement reports besides its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Completion {
    /// Rows inserted, updated or deleted (a `SELECT`'s row count on the servers).
    pub rows_affected: u64,
    /// The generated key of the last inserted row, where the database reports one.
    pub last_insert_id: Option<i64>,
}

/// A sink that keeps every row, as [`Rows`] (every column read as a
/// [`Value`](crate::Value)).
///
/// ```
/// use std::sync::Arc;
/// use sequelize::{Collect, RowSink, Value, ValuesReader};
/// let mut collect = Collect::default();
/// collect.columns(&Arc::from(vec!["id".to_string()]));
/// collect.row(&mut ValuesReader(&mut [Value::Int(7)])).unwrap();
/// let result = collect.finish(Default::default());
/// assert_eq!(result.rows.len(), 1);
/// assert_eq!(result.rows.iter().next().unwrap(), [Value::Int(7)]);
/// ```
#[derive(Debug, Default)]
pub struct Collect {
    rows: Rows,
}

impl Collect {
    /// The collected rows with the statement's completion.
    pub fn finish(self, completion: Completion) -> QueryResult {
        QueryResult {
            rows: self.rows,
            rows_affected: completion.rows_affected,
            last_insert_id: completion.last_insert_id,
        }
    }
}

impl RowSink for Collect {
    fn columns(&mut self, names: &Arc<[String]>) {
        self.rows = Rows::from_parts(Arc::clone(names), Vec::new());
    }

    fn row(&mut self, row: &mut dyn RowReader) -> ReadResult<()> {
        for i in 0..row.width() {
            self.rows.push(row.value(i)?);
        }
        Ok(())
    }
}
