//! SQLite column types: affinities chosen so values keep their type and read back as written.

use crate::dialect::common;
use crate::sql::ColumnDef;
use crate::types::DataType;

/// Appends the SQLite type of a column. An auto-increment key must be exactly `INTEGER`
/// (SQLite's rowid alias).
pub(super) fn push_column_type(column: &ColumnDef, out: &mut String) {
    if column.auto_increment {
        out.push_str("INTEGER");
        return;
    }
    match &column.data_type {
        DataType::Text | DataType::Enum(_) => out.push_str("TEXT"),
        DataType::SmallInt => out.push_str("INTEGER"),
        DataType::Boolean => out.push_str("TINYINT(1)"),
        DataType::Date => out.push_str("DATETIME"),
        // TEXT affinity: a `JSON` column has NUMERIC affinity, which would store the document
        // `42` as an integer and `-1.5` as a real; the text is kept as written instead.
        DataType::Json | DataType::Jsonb => out.push_str("TEXT"),
        standard => common::push_standard_type(standard, out),
    }
}
