//! [`Value`]: one SQL value, as bound to a statement or read from a row.
//!
//! Every value that reaches the database goes through this type, and every driver decodes its
//! columns into it. Conversions from Rust types are `From` impls; conversions back are
//! [`FromValue`], which is lenient in the ways the databases require (SQLite stores booleans as
//! integers and dates as text, MySQL returns `TINYINT(1)` for booleans and text for JSON) and
//! strict everywhere else: a value that does not fit the target type is an error, never a
//! silent truncation.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::row::{ReadResult, RowReader};

/// One SQL value.
///
/// ```
/// use sequelize::Value;
/// let v: Value = "O'Reilly".into();
/// assert_eq!(v, Value::Text("O'Reilly".to_string()));
/// let n: Value = Option::<i32>::None.into();
/// assert!(n.is_null());
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// SQL `NULL`.
    #[default]
    Null,
    /// A boolean.
    Bool(bool),
    /// Any integer that fits in an `i64`.
    Int(i64),
    /// A double-precision float.
    Float(f64),
    /// An exact decimal (`DECIMAL`/`NUMERIC`).
    Decimal(Decimal),
    /// Text.
    Text(String),
    /// Binary data.
    Bytes(Vec<u8>),
    /// A UUID.
    Uuid(Uuid),
    /// A calendar date without time (`DATEONLY`).
    Date(NaiveDate),
    /// A time of day (`TIME`).
    Time(NaiveTime),
    /// A date and time without a zone (`TIMESTAMP WITHOUT TIME ZONE`, MySQL `DATETIME`).
    DateTime(NaiveDateTime),
    /// An instant (`DATE` in Sequelize: `TIMESTAMP WITH TIME ZONE` on PostgreSQL).
    Timestamp(DateTime<Utc>),
    /// A JSON document (boxed: it is large, and keeping it out of line keeps every other
    /// value, and so every row buffer, small).
    Json(Box<serde_json::Value>),
    /// A PostgreSQL array: elements of one kind, `NULL`s allowed.
    Array(Vec<Value>),
}

impl Value {
    /// Whether this is SQL `NULL`.
    ///
    /// ```
    /// assert!(sequelize::Value::Null.is_null());
    /// ```
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The name of this value's kind, for error messages (never the value itself).
    ///
    /// ```
    /// assert_eq!(sequelize::Value::Int(1).kind(), "integer");
    /// ```
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::Decimal(_) => "decimal",
            Value::Text(_) => "text",
            Value::Bytes(_) => "bytes",
            Value::Uuid(_) => "uuid",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::DateTime(_) => "datetime",
            Value::Timestamp(_) => "timestamp",
            Value::Json(_) => "json",
            Value::Array(_) => "array",
        }
    }
}

/// A value as JSON would hold it: decimals as strings (as Sequelize returns them, so no
/// digit is lost), dates and times as ISO 8601 text, bytes as an array of numbers.
///
/// ```
/// let v = sequelize::Value::from(rust_decimal::Decimal::new(1234, 2));
/// assert_eq!(serde_json::to_string(&v).unwrap(), r#""12.34""#);
/// ```
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_none(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Decimal(d) => s.collect_str(d),
            Value::Text(t) => s.serialize_str(t),
            Value::Bytes(b) => b.serialize(s),
            Value::Uuid(u) => s.collect_str(&u.hyphenated()),
            Value::Date(d) => s.collect_str(&d.format("%Y-%m-%d")),
            Value::Time(t) => s.collect_str(&t.format("%H:%M:%S%.f")),
            Value::DateTime(n) => s.collect_str(&n.format("%Y-%m-%dT%H:%M:%S%.f")),
            Value::Timestamp(t) => s.collect_str(&t.to_rfc3339()),
            Value::Json(j) => j.serialize(s),
            Value::Array(items) => items.serialize(s),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $variant:ident $(as $conv:ty)?),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self { Value::$variant(v $(as $conv)?) }
        }
    )*};
}

value_from! {
    bool => Bool,
    i8 => Int as i64, i16 => Int as i64, i32 => Int as i64, i64 => Int,
    u8 => Int as i64, u16 => Int as i64, u32 => Int as i64,
    f32 => Float as f64, f64 => Float,
    Decimal => Decimal, String => Text, Vec<u8> => Bytes, Uuid => Uuid,
    NaiveDate => Date, NaiveTime => Time, NaiveDateTime => DateTime,
    DateTime<Utc> => Timestamp,
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        Value::Json(Box::new(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::Bytes(v.to_vec())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Calls the macro `$apply` with every type a `Vec<T>` array attribute (`ARRAY(type)` on
/// PostgreSQL) may hold: the scalar types, not `u8` (a `Vec<u8>` is a `BLOB`). The one list
/// of them, for the conversions here and the model traits.
macro_rules! array_element_types {
    ($apply:ident) => {
        $apply!(
            bool,
            i16,
            i32,
            i64,
            f32,
            f64,
            ::rust_decimal::Decimal,
            String,
            ::uuid::Uuid,
            ::chrono::NaiveDate,
            ::chrono::NaiveDateTime,
            ::chrono::DateTime<::chrono::Utc>
        );
    };
}
pub(crate) use array_element_types;

/// `Vec<T>` and `Vec<Option<T>>` to and from [`Value::Array`].
macro_rules! array_values {
    ($($t:ty),* $(,)?) => {$(
        impl From<Vec<$t>> for Value {
            fn from(items: Vec<$t>) -> Self {
                Value::Array(items.into_iter().map(Value::from).collect())
            }
        }

        impl From<Vec<Option<$t>>> for Value {
            fn from(items: Vec<Option<$t>>) -> Self {
                Value::Array(items.into_iter().map(Value::from).collect())
            }
        }

        impl FromValue for Vec<$t> {
            fn from_value(value: Value) -> Result<Self> {
                array_items(value)?.into_iter().map(<$t>::from_value).collect()
            }
        }

        impl FromValue for Vec<Option<$t>> {
            fn from_value(value: Value) -> Result<Self> {
                array_items(value)?.into_iter().map(Option::<$t>::from_value).collect()
            }
        }
    )*};
}

array_element_types!(array_values);

/// The items of an array value.
///
/// ```
/// use sequelize::{FromValue, Value};
/// let tags = Vec::<String>::from_value(Value::from(vec!["a".to_string()])).unwrap();
/// assert_eq!(tags, ["a"]);
/// assert!(Vec::<i32>::from_value(Value::Int(1)).is_err());
/// ```
fn array_items(value: Value) -> Result<Vec<Value>> {
    match value {
        Value::Array(items) => Ok(items),
        other => mismatch(&other, "an array"),
    }
}

/// Conversion from a [`Value`] read from the database into a Rust type.
///
/// Implemented for every type that has a `From<T> for Value` impl, and for `Option<T>`
/// (which maps `NULL` to `None`). A `NULL` into a non-`Option` type is an error.
///
/// ```
/// use sequelize::{FromValue, Value};
/// // SQLite returns booleans as integers:
/// assert_eq!(bool::from_value(Value::Int(1)).unwrap(), true);
/// assert!(i8::from_value(Value::Int(300)).is_err());
/// assert_eq!(Option::<String>::from_value(Value::Null).unwrap(), None);
/// ```
pub trait FromValue: Sized {
    /// Converts, or explains why the value does not fit.
    fn from_value(value: Value) -> Result<Self>;

    /// Reads column `i` of a driver's row: by default as a [`Value`], converted; integers,
    /// strings and their `Option`s straight from the driver's form (the same result,
    /// without the `Value`).
    ///
    /// ```
    /// use sequelize::ValuesReader;
    /// use sequelize::{FromValue, Value};
    /// let mut values = [Value::Int(300)];
    /// assert!(i8::read(&mut ValuesReader(&mut values), 0).is_err());
    /// ```
    fn read(row: &mut dyn RowReader, i: usize) -> ReadResult<Self> {
        Ok(Self::from_value(row.value(i)?)?)
    }
}

fn mismatch<T>(value: &Value, target: &str) -> Result<T> {
    Err(Error::Decode(format!(
        "cannot read a {} value as {target}",
        value.kind()
    )))
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }

    fn read(row: &mut dyn RowReader, i: usize) -> ReadResult<Self> {
        if row.is_null(i) {
            return Ok(None);
        }
        T::read(row, i).map(Some)
    }
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self> {
        Ok(value)
    }
}

impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Bool(b) => Ok(b),
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            Value::Text(ref s) if s == "0" || s == "false" => Ok(false),
            Value::Text(ref s) if s == "1" || s == "true" => Ok(true),
            v => mismatch(&v, "bool"),
        }
    }
}

impl FromValue for i64 {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Int(i) => Ok(i),
            Value::Bool(b) => Ok(i64::from(b)),
            Value::Decimal(d) if d.fract().is_zero() => {
                i64::try_from(d).map_err(|_| Error::Decode(format!("{d} does not fit in i64")))
            }
            Value::Text(ref s) => s
                .parse()
                .map_err(|_| Error::Decode("text is not an integer".into())),
            v => mismatch(&v, "i64"),
        }
    }

    fn read(row: &mut dyn RowReader, i: usize) -> ReadResult<Self> {
        match row.int(i) {
            Some(int) => Ok(int),
            None => Ok(Self::from_value(row.value(i)?)?),
        }
    }
}

macro_rules! narrow_int {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self> {
                narrowed(i64::from_value(value)?, stringify!($t))
            }

            fn read(row: &mut dyn RowReader, i: usize) -> ReadResult<Self> {
                Ok(narrowed(i64::read(row, i)?, stringify!($t))?)
            }
        }
    )*};
}
narrow_int!(i8, i16, i32, u8, u16, u32, u64);

/// An integer read as an `i64`, checked to fit the narrower type `name`.
fn narrowed<T: TryFrom<i64>>(wide: i64, name: &str) -> Result<T> {
    T::try_from(wide).map_err(|_| Error::Decode(format!("{wide} does not fit in {name}")))
}

impl FromValue for f64 {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Float(f) => Ok(f),
            // Widening an integer or decimal to a float is what the caller asked for.
            #[allow(clippy::cast_precision_loss)]
            Value::Int(i) => Ok(i as f64),
            Value::Decimal(d) => {
                f64::try_from(d).map_err(|_| Error::Decode(format!("{d} is not a float")))
            }
            Value::Text(ref s) => s
                .parse()
                .map_err(|_| Error::Decode("text is not a number".into())),
            v => mismatch(&v, "f64"),
        }
    }
}

impl FromValue for f32 {
    fn from_value(value: Value) -> Result<Self> {
        // f32 columns are declared single precision; the narrowing is the column's own.
        #[allow(clippy::cast_possible_truncation)]
        f64::from_value(value).map(|f| f as f32)
    }
}

impl FromValue for Decimal {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Decimal(d) => Ok(d),
            Value::Int(i) => Ok(Decimal::from(i)),
            Value::Float(f) => {
                Decimal::try_from(f).map_err(|_| Error::Decode(format!("{f} is not a decimal")))
            }
            Value::Text(ref s) => s
                .parse()
                .map_err(|_| Error::Decode("text is not a decimal".into())),
            v => mismatch(&v, "Decimal"),
        }
    }
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Text(s) => Ok(s),
            Value::Bytes(b) => {
                String::from_utf8(b).map_err(|_| Error::Decode("bytes are not UTF-8".into()))
            }
            Value::Json(j) => match *j {
                serde_json::Value::String(s) => Ok(s),
                other => Ok(other.to_string()),
            },
            Value::Uuid(u) => Ok(u.to_string()),
            Value::Decimal(d) => Ok(d.to_string()),
            v => mismatch(&v, "String"),
        }
    }

    fn read(row: &mut dyn RowReader, i: usize) -> ReadResult<Self> {
        match row.text(i) {
            Some(text) => text,
            None => Ok(Self::from_value(row.value(i)?)?),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Bytes(b) => Ok(b),
            Value::Text(s) => Ok(s.into_bytes()),
            v => mismatch(&v, "Vec<u8>"),
        }
    }
}

impl FromValue for Uuid {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Uuid(u) => Ok(u),
            Value::Text(ref s) => {
                Uuid::parse_str(s).map_err(|_| Error::Decode("text is not a UUID".into()))
            }
            Value::Bytes(ref b) if b.len() == 16 => {
                Uuid::from_slice(b).map_err(|_| Error::Decode("bytes are not a UUID".into()))
            }
            Value::Bytes(ref b) => std::str::from_utf8(b)
                .ok()
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| Error::Decode("bytes are not a UUID".into())),
            v => mismatch(&v, "Uuid"),
        }
    }
}

impl FromValue for serde_json::Value {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Json(j) => Ok(*j),
            // SQLite and MariaDB store JSON as text.
            Value::Text(ref s) => {
                serde_json::from_str(s).map_err(|e| Error::Decode(format!("text is not JSON: {e}")))
            }
            Value::Bytes(ref b) => serde_json::from_slice(b)
                .map_err(|e| Error::Decode(format!("bytes are not JSON: {e}"))),
            // A column declared `JSON` in SQLite (as Sequelize declares it) has NUMERIC
            // affinity and turns the documents `42`, `-1.5` and `true`… into numbers.
            Value::Int(i) => Ok(serde_json::Value::from(i)),
            Value::Float(f) => serde_json::Number::from_f64(f)
                .map(serde_json::Value::Number)
                .ok_or_else(|| Error::Decode(format!("{f} is not a JSON number"))),
            Value::Bool(b) => Ok(serde_json::Value::Bool(b)),
            v => mismatch(&v, "serde_json::Value"),
        }
    }
}

/// An `INET` address: PostgreSQL prints a host address without its netmask.
impl From<std::net::IpAddr> for Value {
    fn from(v: std::net::IpAddr) -> Self {
        Value::Text(v.to_string())
    }
}

impl FromValue for std::net::IpAddr {
    fn from_value(value: Value) -> Result<Self> {
        let text = String::from_value(value)?;
        // A full netmask is the host itself.
        let host = match text.split_once('/') {
            Some((host, "32" | "128")) => host,
            _ => &text,
        };
        host.parse()
            .map_err(|_| Error::Decode("the text is not an IP address".into()))
    }
}

/// An `HSTORE`: a map of text keys to text values or `NULL`, a JSON object in a [`Value`].
impl From<std::collections::HashMap<String, Option<String>>> for Value {
    fn from(map: std::collections::HashMap<String, Option<String>>) -> Self {
        let object = map
            .into_iter()
            .map(|(k, v)| {
                (
                    k,
                    v.map_or(serde_json::Value::Null, serde_json::Value::String),
                )
            })
            .collect();
        Value::Json(Box::new(serde_json::Value::Object(object)))
    }
}

impl FromValue for std::collections::HashMap<String, Option<String>> {
    fn from_value(value: Value) -> Result<Self> {
        let serde_json::Value::Object(object) = serde_json::Value::from_value(value)? else {
            return Err(Error::Decode("an hstore value is a JSON object".into()));
        };
        object
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => Ok((k, Some(s))),
                serde_json::Value::Null => Ok((k, None)),
                _ => Err(Error::Decode(
                    "the values of an hstore are strings or null".into(),
                )),
            })
            .collect()
    }
}

/// Text forms of instants the databases produce: Sequelize's SQLite format
/// (`2024-01-01 12:00:00.000 +00:00`), RFC 3339, and naive forms read as UTC.
fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    const WITH_OFFSET: &[&str] = &["%Y-%m-%d %H:%M:%S%.f %:z", "%Y-%m-%d %H:%M:%S%.f%:z"];
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for format in WITH_OFFSET {
        if let Ok(t) = DateTime::parse_from_str(s, format) {
            return Some(t.with_timezone(&Utc));
        }
    }
    parse_naive_datetime(s).map(|n| n.and_utc())
}

fn parse_naive_datetime(s: &str) -> Option<NaiveDateTime> {
    const NAIVE: &[&str] = &["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"];
    NAIVE
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN))
        })
}

impl FromValue for DateTime<Utc> {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Timestamp(t) => Ok(t),
            // Zone-less values are UTC wall clocks: the MySQL driver converts from the
            // session zone its DATETIME columns keep.
            Value::DateTime(n) => Ok(n.and_utc()),
            Value::Date(d) => Ok(d.and_time(NaiveTime::MIN).and_utc()),
            Value::Text(ref s) => {
                parse_timestamp(s).ok_or_else(|| Error::Decode("text is not a timestamp".into()))
            }
            Value::Int(secs) => DateTime::from_timestamp(secs, 0)
                .ok_or_else(|| Error::Decode("integer is not a timestamp".into())),
            v => mismatch(&v, "DateTime<Utc>"),
        }
    }
}

impl FromValue for NaiveDateTime {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::DateTime(n) => Ok(n),
            Value::Timestamp(t) => Ok(t.naive_utc()),
            Value::Date(d) => Ok(d.and_time(NaiveTime::MIN)),
            Value::Text(ref s) => parse_naive_datetime(s)
                .or_else(|| parse_timestamp(s).map(|t| t.naive_utc()))
                .ok_or_else(|| Error::Decode("text is not a datetime".into())),
            v => mismatch(&v, "NaiveDateTime"),
        }
    }
}

impl FromValue for NaiveDate {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Date(d) => Ok(d),
            Value::DateTime(n) => Ok(n.date()),
            Value::Timestamp(t) => Ok(t.date_naive()),
            Value::Text(ref s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| Error::Decode("text is not a date".into())),
            v => mismatch(&v, "NaiveDate"),
        }
    }
}

impl FromValue for NaiveTime {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Time(t) => Ok(t),
            Value::Text(ref s) => NaiveTime::parse_from_str(s, "%H:%M:%S%.f")
                .map_err(|_| Error::Decode("text is not a time".into())),
            v => mismatch(&v, "NaiveTime"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_integers_are_checked() {
        assert_eq!(i32::from_value(Value::Int(7)).unwrap(), 7);
        assert!(i32::from_value(Value::Int(i64::MAX)).is_err());
        assert!(u64::from_value(Value::Int(-1)).is_err());
    }

    #[test]
    fn null_into_non_option_is_an_error() {
        assert!(String::from_value(Value::Null).is_err());
    }

    #[test]
    fn sequelize_sqlite_dates_parse() {
        let t = DateTime::<Utc>::from_value(Value::Text("2024-01-02 03:04:05.678 +00:00".into()))
            .unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-02T03:04:05.678+00:00");
        let t = DateTime::<Utc>::from_value(Value::Text("2024-01-02 03:04:05".into())).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-02T03:04:05+00:00");
    }

    #[test]
    fn uuid_from_text_and_bytes() {
        let u = Uuid::new_v4();
        assert_eq!(Uuid::from_value(Value::Text(u.to_string())).unwrap(), u);
        assert_eq!(
            Uuid::from_value(Value::Bytes(u.to_string().into_bytes())).unwrap(),
            u
        );
        assert_eq!(
            Uuid::from_value(Value::Bytes(u.as_bytes().to_vec())).unwrap(),
            u
        );
    }
}
