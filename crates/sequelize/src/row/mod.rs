//! Result rows: positional values with shared column names.
//!
//! A driver returns all rows of a statement as one flat `Vec<Value>` (row-major) plus one
//! shared list of column names, so reading 10,000 rows allocates two vectors, not 10,000
//! maps. Column access is by position; by-name lookup exists for raw queries and costs a scan
//! of the (short) column list.

mod de;
mod reader;
mod sink;

use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::value::{FromValue, Value};

#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) use reader::no_column;
pub(crate) use reader::Window;
pub use reader::{ReadResult, RowReader, ValuesReader};
pub use sink::{Collect, Completion, RowSink};

/// What a driver returns for one statement.
#[derive(Debug, Clone, Default)]
pub struct QueryResult {
    /// The rows, if the statement returned any.
    pub rows: Rows,
    /// Rows inserted, updated or deleted.
    pub rows_affected: u64,
    /// The generated key of the last inserted row, where the database reports one.
    pub last_insert_id: Option<i64>,
}

/// All rows of one result, stored flat.
///
/// ```
/// use sequelize::{Rows, Value};
/// let rows = Rows::new(vec!["id".into(), "name".into()], vec![Value::Int(1), "a".into(), Value::Int(2), "b".into()]);
/// assert_eq!(rows.len(), 2);
/// assert_eq!(rows.iter().nth(1).unwrap()[1], Value::from("b"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Rows {
    /// Rows from column names and row-major values.
    ///
    /// # Panics
    /// When `values.len()` is not a multiple of the number of columns.
    pub fn new(columns: Vec<String>, values: Vec<Value>) -> Self {
        let rows = Rows {
            columns: columns.into(),
            values,
        };
        assert!(
            rows.width() == 0 || rows.values.len() % rows.width() == 0,
            "values do not fill whole rows"
        );
        rows
    }

    /// Rows from parts already shared.
    pub(crate) fn from_parts(columns: Arc<[String]>, values: Vec<Value>) -> Self {
        Rows { columns, values }
    }

    /// Appends one value to the last row (a sink collecting a driver's rows).
    pub(crate) fn push(&mut self, value: Value) {
        self.values.push(value);
    }

    /// The column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    fn width(&self) -> usize {
        self.columns.len()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.width()).unwrap_or(0)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The rows as slices of values, in column order.
    pub fn iter(&self) -> impl Iterator<Item = &[Value]> {
        self.values.chunks(self.width().max(1))
    }

    /// One column of every row, as `T` (the names a catalog query lists, say).
    ///
    /// ```
    /// use sequelize::{Rows, Value};
    /// let rows = Rows::new(vec!["name".into()], vec![Value::from("a"), Value::from("b")]);
    /// assert_eq!(rows.column::<String>(0).unwrap(), ["a", "b"]);
    /// ```
    pub fn column<T: FromValue>(&self, index: usize) -> Result<Vec<T>> {
        self.iter()
            .map(|row| T::from_value(row[index].clone()))
            .collect()
    }

    /// The rows as mutable slices, so decoders can move values out without cloning.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut [Value]> {
        let width = self.width().max(1);
        self.values.chunks_mut(width)
    }

    /// Splits into owned rows.
    pub fn into_rows(self) -> Vec<Row> {
        let width = self.width().max(1);
        let mut values = self.values.into_iter();
        let mut out = Vec::with_capacity(values.len() / width);
        while values.len() > 0 {
            out.push(Row {
                columns: Arc::clone(&self.columns),
                values: values.by_ref().take(width).collect(),
            });
        }
        out
    }

    /// The first row, if any.
    pub fn into_first(self) -> Option<Row> {
        let width = self.width();
        (!self.values.is_empty()).then(|| Row {
            values: self.values.into_iter().take(width).collect(),
            columns: self.columns,
        })
    }
}

/// One row: values by position, with the column names they came under.
///
/// ```
/// use sequelize::{Rows, Value};
/// let rows = Rows::new(vec!["id".into()], vec![Value::Int(7)]);
/// let row = rows.into_first().unwrap();
/// assert_eq!(row.get::<i64>("id").unwrap(), 7);
/// assert!(row.get::<i64>("missing").is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    /// The column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The values, in column order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// Consumes the row into its values.
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// The value of a column by name.
    pub fn value(&self, column: &str) -> Option<&Value> {
        let index = self.columns.iter().position(|c| c == column)?;
        self.values.get(index)
    }

    /// The value of a column, converted.
    pub fn get<T: FromValue>(&self, column: &str) -> Result<T> {
        let value = self
            .value(column)
            .ok_or_else(|| Error::Decode(format!("the row has no column {column:?}")))?;
        T::from_value(value.clone()).map_err(|e| Error::Decode(format!("column {column:?}: {e}")))
    }

    /// The value at a position, converted.
    pub fn get_index<T: FromValue>(&self, index: usize) -> Result<T> {
        let value = self
            .values
            .get(index)
            .ok_or_else(|| Error::Decode(format!("the row has no column {index}")))?;
        T::from_value(value.clone())
    }

    /// Deserializes the row into any `serde` type whose fields are named like the columns.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Count { n: i64 }
    /// let rows = sequelize::Rows::new(vec!["n".into()], vec![sequelize::Value::Int(3)]);
    /// assert_eq!(rows.into_first().unwrap().deserialize::<Count>().unwrap().n, 3);
    /// ```
    pub fn deserialize<T: DeserializeOwned>(self) -> Result<T> {
        de::from_row(self.columns, self.values)
    }
}
