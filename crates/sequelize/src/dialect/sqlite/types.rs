//! SQLite column types: affinities chosen so values keep their type and read back as written.

use crate::dialect::{common, SqlWriter};
use crate::sql::ColumnDef;
use crate::types::DataType;

/// Appends the SQLite type of a column. An auto-increment key must be exactly `INTEGER`
/// (SQLite's rowid alias).
pub(super) fn push_column_type(w: &mut SqlWriter<'_>, column: &ColumnDef) {
    if column.auto_increment {
        w.push("INTEGER");
        return;
    }
    match &column.data_type {
        DataType::Text
        | DataType::TinyText
        | DataType::MediumText
        | DataType::LongText
        | DataType::Enum(_) => w.push("TEXT"),
        // Compared and indexed without case, as PostgreSQL's citext is.
        DataType::CiText => w.push("TEXT COLLATE NOCASE"),
        // Every integer is 64-bit here, whatever the name (each has INTEGER affinity), and the
        // renderer adds the `CHECK` of a narrower range. The names are Sequelize's.
        DataType::TinyInt | DataType::MediumInt => w.push(integer_name(&column.data_type)),
        DataType::Unsigned(inner) => w.push(integer_name(inner)),
        DataType::BinaryString(_) => {
            common::push_standard_type(&column.data_type, w.sql_mut());
            w.push(" COLLATE BINARY");
        }
        DataType::Boolean => w.push("TINYINT(1)"),
        DataType::Date(_) => w.push("DATETIME"),
        DataType::TinyBlob | DataType::MediumBlob | DataType::LongBlob => w.push("BLOB"),
        // TEXT affinity: a `JSON` column has NUMERIC affinity, which would store the document
        // `42` as an integer and `-1.5` as a real; the text is kept as written instead.
        DataType::Json | DataType::Jsonb => w.push("TEXT"),
        standard => common::push_standard_type(standard, w.sql_mut()),
    }
}

/// The name Sequelize gives an integer type.
fn integer_name(data_type: &DataType) -> &'static str {
    match data_type {
        DataType::TinyInt => "TINYINT",
        DataType::SmallInt => "SMALLINT",
        DataType::MediumInt => "MEDIUMINT",
        DataType::BigInt => "BIGINT",
        _ => "INTEGER",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::sqlite::Sqlite;
    use crate::dialect::TimeZone;

    #[test]
    fn sequelize_types() {
        let dialect = Sqlite::new(TimeZone::UTC);
        for (data_type, expected) in [
            (DataType::CiText, "TEXT COLLATE NOCASE"),
            (DataType::TinyInt, "TINYINT"),
            (DataType::SmallInt, "SMALLINT"),
            (DataType::Unsigned(Box::new(DataType::Integer)), "INTEGER"),
            (DataType::Date(Some(3)), "DATETIME"),
            (DataType::LongText, "TEXT"),
            (DataType::MediumBlob, "BLOB"),
            (DataType::Json, "TEXT"),
        ] {
            let mut w = SqlWriter::new(&dialect);
            push_column_type(&mut w, &ColumnDef::new("c", data_type));
            assert_eq!(w.sql_mut(), expected);
        }
    }
}
