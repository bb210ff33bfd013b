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
/// Every dialect writes every variant it can; a type a database lacks is
/// [`Error::Unsupported`] naming the dialect and the type, before anything is sent. Where a
/// database lacks a narrower integer (PostgreSQL and SQLite have no `TINYINT`, `MEDIUMINT` or
/// `UNSIGNED`) the column is the next wider type with a `CHECK` of the range, as Sequelize
/// v7's fallback policy describes.
///
/// ```
/// use sequelize::DataType;
/// assert_eq!(DataType::parse("STRING(500)").unwrap(), DataType::String(Some(500)));
/// assert_eq!(DataType::parse("decimal(10, 2)").unwrap(), DataType::Decimal(Some((10, 2))));
/// assert_eq!(
///     DataType::parse("INTEGER.UNSIGNED").unwrap(),
///     DataType::Unsigned(Box::new(DataType::Integer))
/// );
/// assert!(DataType::parse("VARCHAR(10); DROP TABLE x").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataType {
    /// `STRING(n)`: `VARCHAR(n)`, 255 when no length is given.
    String(Option<u32>),
    /// `STRING(n).BINARY`: a `VARCHAR(n)` compared byte by byte, case and accents included
    /// (MySQL's `BINARY`, PostgreSQL's `COLLATE "C"`, SQLite's `COLLATE BINARY`).
    BinaryString(Option<u32>),
    /// `CHAR(n)`: fixed length, 255 by default.
    Char(Option<u32>),
    /// `TEXT`: unbounded text.
    Text,
    /// `TEXT('tiny')`: MySQL's `TINYTEXT` (255 bytes); `TEXT` elsewhere.
    TinyText,
    /// `TEXT('medium')`: MySQL's `MEDIUMTEXT` (16 MiB); `TEXT` elsewhere.
    MediumText,
    /// `TEXT('long')`: MySQL's `LONGTEXT` (4 GiB); `TEXT` elsewhere.
    LongText,
    /// `CITEXT`: case-insensitive text (PostgreSQL's `citext` extension, SQLite's
    /// `TEXT COLLATE NOCASE`); MySQL has none.
    CiText,
    /// `TINYINT`: 8-bit integer.
    TinyInt,
    /// `SMALLINT`: 16-bit integer.
    SmallInt,
    /// `MEDIUMINT`: 24-bit integer.
    MediumInt,
    /// `INTEGER`: 32-bit integer.
    Integer,
    /// `BIGINT`: 64-bit integer.
    BigInt,
    /// `<integer>.UNSIGNED`: an integer type without negative values. MySQL has the type;
    /// PostgreSQL and SQLite store it in a wider integer with a `CHECK` of the range, and
    /// cannot hold `BIGINT.UNSIGNED` at all.
    Unsigned(Box<DataType>),
    /// `FLOAT` (also `REAL`): single precision.
    Float,
    /// `DOUBLE`: double precision.
    Double,
    /// `DECIMAL(p, s)`: exact decimal.
    Decimal(Option<(u32, u32)>),
    /// `BOOLEAN`.
    Boolean,
    /// `DATE(precision)`: an instant (date and time with zone on PostgreSQL), with that many
    /// fractional digits of a second (0–6; microseconds when not given).
    Date(Option<u32>),
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
    /// `BLOB('tiny')`: MySQL's `TINYBLOB`; the binary type elsewhere.
    TinyBlob,
    /// `BLOB('medium')`: MySQL's `MEDIUMBLOB`; the binary type elsewhere.
    MediumBlob,
    /// `BLOB('long')`: MySQL's `LONGBLOB`; the binary type elsewhere.
    LongBlob,
    /// `ENUM(values…)`: one of a closed set of strings. On PostgreSQL a type of its own,
    /// `enum_<table>_<column>`, created with the table and dropped with it.
    Enum(Vec<String>),
    /// `ARRAY(type)`: a PostgreSQL array of another type (`INTEGER[]`); the other databases
    /// have no arrays and refuse the column.
    Array(Box<DataType>),
    /// `RANGE(type)`: a PostgreSQL range of `INTEGER`, `BIGINT`, `DECIMAL`, `DATE` or
    /// `DATEONLY` (`int4range`, `int8range`, `numrange`, `tstzrange`, `daterange`).
    Range(Box<DataType>),
    /// `INET`: a PostgreSQL IPv4 or IPv6 host address, with an optional netmask.
    Inet,
    /// `CIDR`: a PostgreSQL IPv4 or IPv6 network.
    Cidr,
    /// `MACADDR`: a PostgreSQL MAC address.
    MacAddr,
    /// `TSVECTOR`: a PostgreSQL text-search document.
    TsVector,
    /// `HSTORE`: a PostgreSQL map of text keys to text values (the `hstore` extension).
    Hstore,
}

/// Sequelize's size argument of `TEXT(…)` and `BLOB(…)`.
fn sized(base: &str, size: &str) -> Option<DataType> {
    let size = size.trim().trim_matches(|c| c == '\'' || c == '"');
    let text = base == "TEXT";
    Some(match size.to_ascii_lowercase().as_str() {
        "tiny" if text => DataType::TinyText,
        "medium" if text => DataType::MediumText,
        "long" if text => DataType::LongText,
        "tiny" => DataType::TinyBlob,
        "medium" => DataType::MediumBlob,
        "long" => DataType::LongBlob,
        _ => return None,
    })
}

/// `ARRAY(…)`/`RANGE(…)`: the inner spelling, when `input` is `<name>(…)`.
fn wrapped<'a>(input: &'a str, name: &str) -> Option<&'a str> {
    let open = name.len();
    input
        .get(..=open)
        .filter(|head| head[..open].eq_ignore_ascii_case(name) && head.ends_with('('))
        .and_then(|_| input[open + 1..].strip_suffix(')'))
}

impl DataType {
    /// Parses Sequelize's spelling of a type (`STRING`, `STRING(64)`, `DECIMAL(10,2)`,
    /// `INTEGER.UNSIGNED`, `TEXT('long')`, `DATE(3)`, `RANGE(INTEGER)`, `ENUM`, …).
    /// Case-insensitive; anything else is an error naming the input.
    ///
    /// `ENUM` parses to an enum with no values; the migration reader fills them from the
    /// attribute's `values` key.
    ///
    /// ```
    /// use sequelize::DataType;
    /// assert_eq!(DataType::parse("bigint").unwrap(), DataType::BigInt);
    /// assert_eq!(DataType::parse("ARRAY(TEXT)").unwrap(), DataType::Array(Box::new(DataType::Text)));
    /// assert_eq!(DataType::parse("TEXT('long')").unwrap(), DataType::LongText);
    /// assert_eq!(DataType::parse("DATE(3)").unwrap(), DataType::Date(Some(3)));
    /// ```
    pub fn parse(input: &str) -> Result<DataType> {
        let bad = || Error::Config(format!("unknown data type `{input}`"));
        let trimmed = input.trim();
        for (name, wrap) in [
            ("ARRAY", DataType::Array as fn(Box<DataType>) -> DataType),
            ("RANGE", DataType::Range),
        ] {
            if let Some(inner) = wrapped(trimmed, name) {
                let inner = DataType::parse(inner)?;
                let nested = matches!(inner, DataType::Array(_) | DataType::Range(_));
                return if nested {
                    Err(bad())
                } else {
                    Ok(wrap(Box::new(inner)))
                };
            }
        }
        let binary = [".BINARY", " BINARY"].iter().find_map(|suffix| {
            let cut = trimmed.len().checked_sub(suffix.len())?;
            (trimmed.is_char_boundary(cut) && trimmed[cut..].eq_ignore_ascii_case(suffix))
                .then(|| &trimmed[..cut])
        });
        if let Some(inner) = binary {
            return match DataType::parse(inner)? {
                DataType::String(length) => Ok(DataType::BinaryString(length)),
                _ => Err(bad()),
            };
        }
        let unsigned = [".UNSIGNED", " UNSIGNED"].iter().find_map(|suffix| {
            let cut = trimmed.len().checked_sub(suffix.len())?;
            (trimmed.is_char_boundary(cut) && trimmed[cut..].eq_ignore_ascii_case(suffix))
                .then(|| &trimmed[..cut])
        });
        if let Some(inner) = unsigned {
            let inner = DataType::parse(inner)?;
            return if inner.is_integer() && !matches!(inner, DataType::Unsigned(_)) {
                Ok(DataType::Unsigned(Box::new(inner)))
            } else {
                Err(bad())
            };
        }
        let (name, args) = match trimmed.find('(') {
            Some(open) => {
                let close = trimmed.strip_suffix(')').ok_or_else(bad)?;
                (&trimmed[..open], Some(&close[open + 1..]))
            }
            None => (trimmed, None),
        };
        let name = name.trim().to_ascii_uppercase();
        if let (Some(size), "TEXT" | "BLOB") = (args, name.as_str()) {
            return sized(&name, size).ok_or_else(bad);
        }
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
        match name.as_str() {
            "STRING" | "VARCHAR" => Ok(DataType::String(one(&numbers)?)),
            "CHAR" => Ok(DataType::Char(one(&numbers)?)),
            "TEXT" => none(&numbers, DataType::Text),
            "TINYTEXT" => none(&numbers, DataType::TinyText),
            "MEDIUMTEXT" => none(&numbers, DataType::MediumText),
            "LONGTEXT" => none(&numbers, DataType::LongText),
            "CITEXT" => none(&numbers, DataType::CiText),
            "TINYINT" => none(&numbers, DataType::TinyInt),
            "SMALLINT" => none(&numbers, DataType::SmallInt),
            "MEDIUMINT" => none(&numbers, DataType::MediumInt),
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
            "DATE" => match one(&numbers)? {
                Some(p) if p > MAX_DATE_PRECISION => Err(bad()),
                precision => Ok(DataType::Date(precision)),
            },
            "DATEONLY" => none(&numbers, DataType::DateOnly),
            "TIME" => none(&numbers, DataType::Time),
            "UUID" => none(&numbers, DataType::Uuid),
            "JSON" => none(&numbers, DataType::Json),
            "JSONB" => none(&numbers, DataType::Jsonb),
            "BLOB" => none(&numbers, DataType::Blob),
            "TINYBLOB" => none(&numbers, DataType::TinyBlob),
            "MEDIUMBLOB" => none(&numbers, DataType::MediumBlob),
            "LONGBLOB" => none(&numbers, DataType::LongBlob),
            "INET" => none(&numbers, DataType::Inet),
            "CIDR" => none(&numbers, DataType::Cidr),
            "MACADDR" => none(&numbers, DataType::MacAddr),
            "TSVECTOR" => none(&numbers, DataType::TsVector),
            "HSTORE" => none(&numbers, DataType::Hstore),
            "ENUM" if args.is_none() => Ok(DataType::Enum(Vec::new())),
            _ => Err(bad()),
        }
    }

    /// Whether values of this type are integers (`TINYINT` … `BIGINT`, signed or not).
    ///
    /// ```
    /// use sequelize::DataType;
    /// assert!(DataType::Unsigned(Box::new(DataType::TinyInt)).is_integer());
    /// assert!(!DataType::Decimal(None).is_integer());
    /// ```
    pub fn is_integer(&self) -> bool {
        match self {
            DataType::TinyInt
            | DataType::SmallInt
            | DataType::MediumInt
            | DataType::Integer
            | DataType::BigInt => true,
            DataType::Unsigned(inner) => inner.is_integer(),
            _ => false,
        }
    }

    /// Whether values of this type are text (`STRING`, `CHAR`, the `TEXT` sizes, `CITEXT`,
    /// `ENUM`).
    ///
    /// ```
    /// use sequelize::DataType;
    /// assert!(DataType::CiText.is_text());
    /// assert!(!DataType::Json.is_text());
    /// ```
    pub fn is_text(&self) -> bool {
        matches!(
            self,
            DataType::String(_)
                | DataType::BinaryString(_)
                | DataType::Char(_)
                | DataType::Text
                | DataType::TinyText
                | DataType::MediumText
                | DataType::LongText
                | DataType::CiText
                | DataType::Enum(_)
        )
    }

    /// The smallest and largest value an integer type holds (`None` for other types, and for
    /// `BIGINT.UNSIGNED`, whose top half an `i64` cannot hold).
    ///
    /// ```
    /// use sequelize::DataType;
    /// assert_eq!(DataType::TinyInt.integer_range(), Some((-128, 127)));
    /// assert_eq!(DataType::Unsigned(Box::new(DataType::SmallInt)).integer_range(), Some((0, 65_535)));
    /// ```
    pub fn integer_range(&self) -> Option<(i64, i64)> {
        Some(match self {
            DataType::TinyInt => (i8::MIN.into(), i8::MAX.into()),
            DataType::SmallInt => (i16::MIN.into(), i16::MAX.into()),
            DataType::MediumInt => (-(1 << 23), (1 << 23) - 1),
            DataType::Integer => (i32::MIN.into(), i32::MAX.into()),
            DataType::BigInt => (i64::MIN, i64::MAX),
            DataType::Unsigned(inner) => match **inner {
                DataType::BigInt => return None,
                ref narrower => (0, 2 * narrower.integer_range()?.1 + 1),
            },
            _ => return None,
        })
    }
}

/// The most fractional digits of a second a `DATE(precision)` keeps (microseconds), on
/// every database that takes a precision.
pub const MAX_DATE_PRECISION: u32 = 6;

impl FromStr for DataType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        DataType::parse(s)
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            DataType::String(Some(n)) => return write!(f, "STRING({n})"),
            DataType::BinaryString(Some(n)) => return write!(f, "STRING({n}).BINARY"),
            DataType::Char(Some(n)) => return write!(f, "CHAR({n})"),
            DataType::Decimal(Some((p, s))) => return write!(f, "DECIMAL({p},{s})"),
            DataType::Date(Some(p)) => return write!(f, "DATE({p})"),
            DataType::Array(inner) => return write!(f, "ARRAY({inner})"),
            DataType::Range(inner) => return write!(f, "RANGE({inner})"),
            DataType::Unsigned(inner) => return write!(f, "{inner}.UNSIGNED"),
            DataType::String(None) => "STRING",
            DataType::BinaryString(None) => "STRING.BINARY",
            DataType::Char(None) => "CHAR",
            DataType::Text => "TEXT",
            DataType::TinyText => "TEXT('tiny')",
            DataType::MediumText => "TEXT('medium')",
            DataType::LongText => "TEXT('long')",
            DataType::CiText => "CITEXT",
            DataType::TinyInt => "TINYINT",
            DataType::SmallInt => "SMALLINT",
            DataType::MediumInt => "MEDIUMINT",
            DataType::Integer => "INTEGER",
            DataType::BigInt => "BIGINT",
            DataType::Float => "FLOAT",
            DataType::Double => "DOUBLE",
            DataType::Decimal(None) => "DECIMAL",
            DataType::Boolean => "BOOLEAN",
            DataType::Date(None) => "DATE",
            DataType::DateOnly => "DATEONLY",
            DataType::Time => "TIME",
            DataType::Uuid => "UUID",
            DataType::Json => "JSON",
            DataType::Jsonb => "JSONB",
            DataType::Blob => "BLOB",
            DataType::TinyBlob => "BLOB('tiny')",
            DataType::MediumBlob => "BLOB('medium')",
            DataType::LongBlob => "BLOB('long')",
            DataType::Enum(_) => "ENUM",
            DataType::Inet => "INET",
            DataType::Cidr => "CIDR",
            DataType::MacAddr => "MACADDR",
            DataType::TsVector => "TSVECTOR",
            DataType::Hstore => "HSTORE",
        };
        f.write_str(name)
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
            (
                "TINYINT.UNSIGNED",
                DataType::Unsigned(Box::new(DataType::TinyInt)),
            ),
            (
                "mediumint unsigned",
                DataType::Unsigned(Box::new(DataType::MediumInt)),
            ),
            ("TEXT('medium')", DataType::MediumText),
            ("BLOB(long)", DataType::LongBlob),
            ("DATE", DataType::Date(None)),
            ("DATE(3)", DataType::Date(Some(3))),
            (
                "RANGE(DATEONLY)",
                DataType::Range(Box::new(DataType::DateOnly)),
            ),
            ("HSTORE", DataType::Hstore),
            ("STRING(64).BINARY", DataType::BinaryString(Some(64))),
            ("string binary", DataType::BinaryString(None)),
        ] {
            assert_eq!(
                DataType::parse(&expected.to_string()).unwrap(),
                expected,
                "{expected}"
            );
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
            "TEXT.UNSIGNED",
            "TEXT.BINARY",
            "INTEGER.UNSIGNED.UNSIGNED",
            "TEXT('huge')",
            "DATE(7)",
            "RANGE(ARRAY(INTEGER))",
            "ARRAY(RANGE(INTEGER))",
        ] {
            assert!(DataType::parse(input).is_err(), "{input}");
        }
    }
}
