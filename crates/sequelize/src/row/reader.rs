//! Row readers: one row of a result as its driver holds it, read column by column.
//!
//! A driver hands each row to a [`RowSink`](super::RowSink) as a [`RowReader`] over the
//! driver's own row, so nothing is decoded that nobody asked for and nothing is decoded
//! twice. Every column can be read as a [`Value`]; the few forms a struct's fields take most
//! (integers, text, `NULL`) can also be read straight into the Rust type, which is how
//! [`FromValue::read`](crate::FromValue::read) decodes a typed model's fields without making
//! a `Value` first.

use crate::error::Error;
use crate::value::Value;

/// What reading a column (or a row) gives: the error boxed, so that the result stays small
/// enough to come back in registers. Most reads succeed, and a profile of 10,000-row reads
/// found the moves of 96-byte `Result`s between the readers and the sinks to be the largest
/// cost after SQLite's own; with the error behind a pointer, an integer's result is two
/// words.
pub type ReadResult<T> = std::result::Result<T, Box<Error>>;

/// One row of a result, read column by column (by position) while its driver holds it.
///
/// [`value`](Self::value) reads any column; the other methods are fast paths that answer
/// `None` when the column does not hold that form natively (the caller then reads
/// [`value`](Self::value), which gives the same result a `Value` would). Apart from
/// [`peek`](Self::peek), [`int`](Self::int) and [`is_null`](Self::is_null), which leave
/// the column in the row, a column is read once: after a read that answered, reading it
/// again is unspecified.
///
/// ```
/// use sequelize::{RowReader, ValuesReader};
/// use sequelize::{FromValue, Value};
/// let mut values = [Value::Int(7), Value::Null, Value::from("Ann")];
/// let mut row = ValuesReader(&mut values);
/// assert_eq!(row.width(), 3);
/// assert_eq!(i32::read(&mut row, 0).unwrap(), 7);
/// assert_eq!(Option::<String>::read(&mut row, 1).unwrap(), None);
/// assert_eq!(String::read(&mut row, 2).unwrap(), "Ann");
/// ```
pub trait RowReader {
    /// The number of columns.
    fn width(&self) -> usize;

    /// Column `i` as a [`Value`], which the reader may move out of its row.
    fn value(&mut self, i: usize) -> ReadResult<Value>;

    /// Column `i` as a [`Value`], left in the row for a later read (a key, looked at before
    /// the row is read into an instance).
    fn peek(&self, i: usize) -> ReadResult<Value>;

    /// Whether column `i` is `NULL`.
    fn is_null(&self, i: usize) -> bool;

    /// Column `i` as an integer, when the database sent one; `None` otherwise. Like
    /// [`peek`](Self::peek), it leaves the column in the row.
    fn int(&self, _i: usize) -> Option<i64> {
        None
    }

    /// Column `i` as text, when the database sent text (`Some(Err)` when that text is not
    /// UTF-8); `None` otherwise.
    fn text(&mut self, _i: usize) -> Option<ReadResult<String>> {
        None
    }
}

/// A row already decoded into values, read by moving them out: how rows held as
/// [`Rows`](super::Rows) are read like a driver's.
///
/// ```
/// use sequelize::{RowReader, ValuesReader};
/// use sequelize::Value;
/// let mut values = [Value::Int(1)];
/// let mut row = ValuesReader(&mut values);
/// assert!(!row.is_null(0));
/// assert_eq!(row.value(0).unwrap(), Value::Int(1));
/// assert!(row.value(1).is_err());
/// ```
pub struct ValuesReader<'a>(pub &'a mut [Value]);

impl RowReader for ValuesReader<'_> {
    fn width(&self) -> usize {
        self.0.len()
    }

    fn value(&mut self, i: usize) -> ReadResult<Value> {
        let width = self.0.len();
        let value = self.0.get_mut(i).ok_or_else(|| no_column(width, i))?;
        Ok(std::mem::take(value))
    }

    fn peek(&self, i: usize) -> ReadResult<Value> {
        let value = self.0.get(i).ok_or_else(|| no_column(self.0.len(), i))?;
        Ok(value.clone())
    }

    fn is_null(&self, i: usize) -> bool {
        matches!(self.0.get(i), None | Some(Value::Null))
    }
}

/// Columns `offset..offset + width` of a row, read as a row of their own: the columns of one
/// model in a joined row.
pub(crate) struct Window<'a> {
    pub(crate) row: &'a mut dyn RowReader,
    pub(crate) offset: usize,
    pub(crate) width: usize,
}

impl RowReader for Window<'_> {
    fn width(&self) -> usize {
        self.width
    }

    fn value(&mut self, i: usize) -> ReadResult<Value> {
        self.check(i)?;
        self.row.value(self.offset + i)
    }

    fn peek(&self, i: usize) -> ReadResult<Value> {
        self.check(i)?;
        self.row.peek(self.offset + i)
    }

    fn is_null(&self, i: usize) -> bool {
        i >= self.width || self.row.is_null(self.offset + i)
    }

    fn int(&self, i: usize) -> Option<i64> {
        (i < self.width)
            .then(|| self.row.int(self.offset + i))
            .flatten()
    }

    fn text(&mut self, i: usize) -> Option<ReadResult<String>> {
        (i < self.width)
            .then(|| self.row.text(self.offset + i))
            .flatten()
    }
}

impl Window<'_> {
    fn check(&self, i: usize) -> ReadResult<()> {
        match i < self.width {
            true => Ok(()),
            false => Err(no_column(self.width, i).into()),
        }
    }
}

/// A read of a column past a row's end.
pub(crate) fn no_column(width: usize, i: usize) -> Error {
    Error::Decode(format!("the row has {width} columns, none at {i}"))
}
