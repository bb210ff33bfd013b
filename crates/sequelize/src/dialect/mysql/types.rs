//! MySQL/MariaDB column types, as Sequelize v6 writes them for `mysql` and `mariadb`.

use super::push_mode_proof_literal;
use crate::dialect::{common, SqlWriter};
use crate::error::{Error, Result};
use crate::sql::ColumnDef;
use crate::types::DataType;

/// Appends the MySQL type of a column. Auto-increment is the `AUTO_INCREMENT` keyword after
/// the type, so it does not change the type here.
pub(super) fn push_column_type(w: &mut SqlWriter<'_>, column: &ColumnDef) -> Result<()> {
    push_type(w, column, &column.data_type)
}

fn push_type(w: &mut SqlWriter<'_>, column: &ColumnDef, data_type: &DataType) -> Result<()> {
    match data_type {
        DataType::Enum(values) => {
            if values.is_empty() {
                return Err(Error::InvalidQuery(format!(
                    "ENUM column {:?} has no values",
                    column.name.as_str()
                )));
            }
            w.push("ENUM(");
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    w.push(", ");
                }
                // The value list takes hex strings (read in the column's character set) but
                // no introducer.
                push_mode_proof_literal(v, "", w.sql_mut());
            }
            w.push(")");
        }
        DataType::BinaryString(_) => {
            common::push_standard_type(data_type, w.sql_mut());
            w.push(" BINARY");
        }
        DataType::Boolean => w.push("TINYINT(1)"),
        DataType::TinyInt => w.push("TINYINT"),
        DataType::MediumInt => w.push("MEDIUMINT"),
        DataType::Unsigned(inner) => {
            push_type(w, column, inner)?;
            w.push(" UNSIGNED");
        }
        DataType::TinyText => w.push("TINYTEXT"),
        DataType::MediumText => w.push("MEDIUMTEXT"),
        DataType::LongText => w.push("LONGTEXT"),
        DataType::TinyBlob => w.push("TINYBLOB"),
        DataType::MediumBlob => w.push("MEDIUMBLOB"),
        DataType::LongBlob => w.push("LONGBLOB"),
        // A bare `DECIMAL` is `DECIMAL(10,0)` here, which rounds 12345678.91 to 12345679. The
        // widest type instead holds every value a `rust_decimal::Decimal` can (28 digits, at
        // most 28 after the point) exactly.
        DataType::Decimal(None) => w.push("DECIMAL(65,30)"),
        // Microseconds unless told otherwise, as every other dialect keeps them.
        DataType::Date(precision) => {
            w.push_display("DATETIME(", precision.unwrap_or(DEFAULT_DATE_PRECISION));
            w.push(")");
        }
        // `BINARY` makes comparisons case-sensitive, as UUIDs compare elsewhere.
        DataType::Uuid => w.push("CHAR(36) BINARY"),
        DataType::Json | DataType::Jsonb => w.push("JSON"),
        standard => common::push_standard_type(standard, w.sql_mut()),
    }
    Ok(())
}

/// The fractional digits of a `DATE` column without a precision: microseconds.
pub(super) const DEFAULT_DATE_PRECISION: u32 = 6;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::mysql::{Flavor, MySql};
    use crate::dialect::TimeZone;

    fn column_type(data_type: DataType) -> Result<String> {
        let dialect = MySql::new(Flavor::MariaDb, TimeZone::UTC);
        let mut w = SqlWriter::new(&dialect);
        push_column_type(&mut w, &ColumnDef::new("c", data_type))?;
        Ok(w.sql_mut().clone())
    }

    #[test]
    fn sequelize_types() {
        let unsigned = |t| DataType::Unsigned(Box::new(t));
        let cases = [
            (DataType::String(None), "VARCHAR(255)"),
            (DataType::Char(Some(2)), "CHAR(2)"),
            (DataType::Double, "DOUBLE PRECISION"),
            (DataType::Decimal(Some((10, 2))), "DECIMAL(10,2)"),
            (DataType::Decimal(None), "DECIMAL(65,30)"),
            (DataType::Boolean, "TINYINT(1)"),
            (DataType::Date(None), "DATETIME(6)"),
            (DataType::Date(Some(0)), "DATETIME(0)"),
            (DataType::DateOnly, "DATE"),
            (DataType::Uuid, "CHAR(36) BINARY"),
            (DataType::Jsonb, "JSON"),
            (DataType::Blob, "BLOB"),
            (DataType::MediumBlob, "MEDIUMBLOB"),
            (DataType::LongText, "LONGTEXT"),
            (DataType::TinyInt, "TINYINT"),
            (DataType::MediumInt, "MEDIUMINT"),
            (unsigned(DataType::TinyInt), "TINYINT UNSIGNED"),
            (unsigned(DataType::BigInt), "BIGINT UNSIGNED"),
        ];
        for (data_type, expected) in cases {
            assert_eq!(column_type(data_type).unwrap(), expected);
        }
    }
    #[test]
    fn enums_are_native() {
        let values = vec!["active".to_owned(), "it's".to_owned(), "a\\b".to_owned()];
        assert_eq!(
            column_type(DataType::Enum(values)).unwrap(),
            "ENUM('active', 'it''s', X'615c62')"
        );
        assert!(column_type(DataType::Enum(Vec::new())).is_err());
    }
}
