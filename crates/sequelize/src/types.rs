//! [`DataType`]: Sequelize's `DataTypes`, as a closed enum.
//!
//! Models and migrations name column types with this enum; each dialect turns it into its own
//! SQL type in `dialect/<name>/types.rs`. Migration files spell types as Sequelize does
//! (`"STRING(500)"`, `"DECIMAL(10,2)"`); [`DataType::parse`] reads that spelling and rejects
//! anything else, so a type name from a file never reaches SQL as free text.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A column type, named as in Sequelize's `DataTypes`.
///
/// ```
/// use sequelize::DataType;
/// assert_eq!(DataType::parse("STRING(500)").unwrap(), DataType::String(Some(500)));
/// assert_eq!(DataType::parse("decimal(10, 2)").unwrap(), DataType::Decimal(Some((10, 2))));
/// assert!(DataType::parse("VARCHAR(10); DROP TABLE x").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataType {
    /// `STRING(n)`: `VARCHAR(n)`, 255 when no length is given.
    String(Option<u32>),
    /// `CHAR(n)`: fixed length, 255 by default.
    Char(Option<u32>),
    /// `TEXT`: unbounded text.
    Text,
    /// `SMALLINT`: 16-bit integer.
    SmallInt,
    /// `INTEGER`: 32-bit integer.
    Integer,
    /// `BIGINT`: 64-bit integer.
    BigInt,
    /// `FLOAT`: single precision.
    Float,
    /// `DOUBLE`: double precision.
    Double,
    /// `DECIMAL(p, s)`: exact decimal.
    Decimal(Option<(u32, u32)>),
    /// `BOOLEAN`.
    Boolean,
    /// `DATE`: an instant (date and time with zone on PostgreSQL).
    Date,
    /// `DATEONLY`: a calendar date.
    DateOnly,
    /// `TIME`: a time of day.
    Time,
    /// `UUID`.
    Uuid,
    /// `JSON`.
    Json,
    /// `JSONB` (PostgreSQL; JSON elsewhere).
    Jsonb,
    /// `BLOB`: binary data.
    Blob,
    /// `ENUM(values…)`: one of a closed set of strings.
    Enum(Vec<String>),
    /// `ARRAY(type)`: a PostgreSQL array of another type (`INTEGER[]`); the other databases
    /// have no arrays and refuse the column.
    Array(Box<DataType>),
}

impl DataType {
    /// Parses Sequelize's spelling of a type (`STRING`, `STRING(64)`, `DECIMAL(10,2)`,
    /// `ENUM`, …). Case-insensitive; anything else is an error naming the input.
    ///
    /// `ENUM` parses to an enum with no values; the migration reader fills them from the
    /// attribute's `values` key.
    ///
    /// ```
    /// use sequelize::DataType;
    /// assert_eq!(DataType::parse("bigint").unwrap(), DataType::BigInt);
    /// assert_eq!(DataType::parse("ARRAY(TEXT)").unwrap(), DataType::Array(Box::new(DataType::Text)));
    /// ```
    pub fn parse(input: &str) -> Result<DataType> {
        let bad = || Error::Config(format!("unknown data type `{input}`"));
        let trimmed = input.trim();
        let array = trimmed
            .get(..6)
            .filter(|head| head.eq_ignore_ascii_case("ARRAY("))
            .and_then(|_| trimmed[6..].strip_suffix(')'));
        if let Some(inner) = array {
            return match DataType::parse(inner)? {
                DataType::Array(_) => Err(bad()),
                inner => Ok(DataType::Array(Box::new(inner))),
            };
        }
        let (name, args) = match trimmed.find('(') {
            Some(open) => {
                let close = trimmed.strip_suffix(')').ok_or_else(bad)?;
                (&trimmed[..open], Some(&close[open + 1..]))
            }
            None => (trimmed, None),
        };
        let numbers: Vec<u32> = match args {
            None => Vec::new(),
            Some(a) => a
                .split(',')
                .map(|n| n.trim().parse::<u32>())
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| bad())?,
        };
        let one = |n: &[u32]| match n {
            [] => Ok(None),
            [len] => Ok(Some(*len)),
            _ => Err(bad()),
        };
        let none = |n: &[u32], t: DataType| if n.is_empty() { Ok(t) } else { Err(bad()) };
        match name.trim().to_ascii_uppercase().as_str() {
            "STRING" | "VARCHAR" => Ok(DataType::String(one(&numbers)?)),
            "CHAR" => Ok(DataType::Char(one(&numbers)?)),
            "TEXT" => none(&numbers, DataType::Text),
            "SMALLINT" => none(&numbers, DataType::SmallInt),
            "INTEGER" | "INT" => none(&numbers, DataType::Integer),
            "BIGINT" => none(&numbers, DataType::BigInt),
            "FLOAT" | "REAL" => none(&numbers, DataType::Float),
            "DOUBLE" | "DOUBLE PRECISION" => none(&numbers, DataType::Double),
            "DECIMAL" | "NUMERIC" => match numbers.as_slice() {
                [] => Ok(DataType::Decimal(None)),
                [p, s] => Ok(DataType::Decimal(Some((*p, *s)))),
                _ => Err(bad()),
            },
            "BOOLEAN" => none(&numbers, DataType::Boolean),
            "DATE" => none(&numbers, DataType::Date),
            "DATEONLY" => none(&numbers, DataType::DateOnly),
            "TIME" => none(&numbers, DataType::Time),
            "UUID" => none(&numbers, DataType::Uuid),
            "JSON" => none(&numbers, DataType::Json),
            "JSONB" => none(&numbers, DataType::Jsonb),
            "BLOB" => none(&numbers, DataType::Blob),
            "ENUM" if args.is_none() => Ok(DataType::Enum(Vec::new())),
            _ => Err(bad()),
        }
    }
}

impl FromStr for DataType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        DataType::parse(s)
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataType::String(Some(n)) => write!(f, "STRING({n})"),
            DataType::String(None) => f.write_str("STRING"),
            DataType::Char(Some(n)) => write!(f, "CHAR({n})"),
            DataType::Char(None) => f.write_str("CHAR"),
            DataType::Text => f.write_str("TEXT"),
            DataType::Array(inner) => write!(f, "ARRAY({inner})"),
            DataType::SmallInt => f.write_str("SMALLINT"),
            DataType::Integer => f.write_str("INTEGER"),
            DataType::BigInt => f.write_str("BIGINT"),
            DataType::Float => f.write_str("FLOAT"),
            DataType::Double => f.write_str("DOUBLE"),
            DataType::Decimal(Some((p, s))) => write!(f, "DECIMAL({p},{s})"),
            DataType::Decimal(None) => f.write_str("DECIMAL"),
            DataType::Boolean => f.write_str("BOOLEAN"),
            DataType::Date => f.write_str("DATE"),
            DataType::DateOnly => f.write_str("DATEONLY"),
            DataType::Time => f.write_str("TIME"),
            DataType::Uuid => f.write_str("UUID"),
            DataType::Json => f.write_str("JSON"),
            DataType::Jsonb => f.write_str("JSONB"),
            DataType::Blob => f.write_str("BLOB"),
            DataType::Enum(_) => f.write_str("ENUM"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sequelize_spellings() {
        for (input, expected) in [
            ("STRING", DataType::String(None)),
            ("STRING(64)", DataType::String(Some(64))),
            ("TEXT", DataType::Text),
            ("INTEGER", DataType::Integer),
            ("DECIMAL(10,2)", DataType::Decimal(Some((10, 2)))),
            ("DOUBLE PRECISION", DataType::Double),
            ("ENUM", DataType::Enum(vec![])),
        ] {
            assert_eq!(DataType::parse(input).unwrap(), expected, "{input}");
        }
    }

    #[test]
    fn rejects_free_text() {
        for input in [
            "STRING(",
            "STRING(a)",
            "INTEGER(1)",
            "TEXT) --",
            "role::text",
            "",
        ] {
            assert!(DataType::parse(input).is_err(), "{input}");
        }
    }
}
