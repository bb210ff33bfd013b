//! SQLite column types: affinities chosen so values keep their type and read back as written.

use crate::dialect::common::DEFAULT_STRING_LENGTH;
use crate::sql::ColumnDef;
use crate::types::DataType;

/// Appends the SQLite type of a column. An auto-increment key must be exactly `INTEGER`
/// (SQLite's rowid alias).
pub(super) fn push_column_type(column: &ColumnDef, out: &mut String) {
    use std::fmt::Write;
    if column.auto_increment {
        out.push_str("INTEGER");
        return;
    }
    match &column.data_type {
        DataType::String(n) => write!(out, "VARCHAR({})", n.unwrap_or(DEFAULT_STRING_LENGTH))
            .expect("writing to a String"),
        DataType::Char(n) => write!(out, "CHAR({})", n.unwrap_or(DEFAULT_STRING_LENGTH))
            .expect("writing to a String"),
        DataType::Text | DataType::Enum(_) => out.push_str("TEXT"),
        DataType::SmallInt | DataType::Integer => out.push_str("INTEGER"),
        DataType::BigInt => out.push_str("BIGINT"),
        DataType::Float => out.push_str("FLOAT"),
        DataType::Double => out.push_str("DOUBLE PRECISION"),
        DataType::Decimal(Some((p, s))) => {
            write!(out, "DECIMAL({p},{s})").expect("writing to a String");
        }
        DataType::Decimal(None) => out.push_str("DECIMAL"),
        DataType::Boolean => out.push_str("TINYINT(1)"),
        DataType::Date => out.push_str("DATETIME"),
        DataType::DateOnly => out.push_str("DATE"),
        DataType::Time => out.push_str("TIME"),
        DataType::Uuid => out.push_str("UUID"),
        DataType::Json | DataType::Jsonb => out.push_str("JSON"),
        DataType::Blob => out.push_str("BLOB"),
    }
}
