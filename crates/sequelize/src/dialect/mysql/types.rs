//! MySQL/MariaDB column types, as Sequelize v6 writes them for `mysql` and `mariadb`.

use super::push_mode_proof_literal;
use crate::dialect::common;
use crate::error::{Error, Result};
use crate::sql::ColumnDef;
use crate::types::DataType;

/// Appends the MySQL type of a column. Auto-increment is the `AUTO_INCREMENT` keyword after
/// the type, so it does not change the type here.
pub(super) fn push_column_type(column: &ColumnDef, out: &mut String) -> Result<()> {
    match &column.data_type {
        DataType::Enum(values) => {
            if values.is_empty() {
                return Err(Error::InvalidQuery(format!(
                    "ENUM column {:?} has no values",
                    column.name.as_str()
                )));
            }
            out.push_str("ENUM(");
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                // The value list takes hex strings (read in the column's character set) but
                // no introducer.
                push_mode_proof_literal(v, "", out);
            }
            out.push(')');
        }
        DataType::Boolean => out.push_str("TINYINT(1)"),
        // A bare `DECIMAL` is `DECIMAL(10,0)` here, which rounds 12345678.91 to 12345679. The
        // widest type instead holds every value a `rust_decimal::Decimal` can (28 digits, at
        // most 28 after the point) exactly.
        DataType::Decimal(None) => out.push_str("DECIMAL(65,30)"),
        // Microseconds, as every other dialect keeps them.
        DataType::Date => out.push_str("DATETIME(6)"),
        // `BINARY` makes comparisons case-sensitive, as UUIDs compare elsewhere.
        DataType::Uuid => out.push_str("CHAR(36) BINARY"),
        DataType::Json | DataType::Jsonb => out.push_str("JSON"),
        standard => common::push_standard_type(standard, out),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    fn column_type(data_type: DataType) -> Result<String> {
        let mut out = String::new();
        push_column_type(&ColumnDef::new("c", data_type), &mut out)?;
        Ok(out)
    }

    #[test]
    fn sequelize_types() {
        let cases = [
            (DataType::String(None), "VARCHAR(255)"),
            (DataType::Char(Some(2)), "CHAR(2)"),
            (DataType::Double, "DOUBLE PRECISION"),
            (DataType::Decimal(Some((10, 2))), "DECIMAL(10,2)"),
            (DataType::Decimal(None), "DECIMAL(65,30)"),
            (DataType::Boolean, "TINYINT(1)"),
            (DataType::Date, "DATETIME(6)"),
            (DataType::DateOnly, "DATE"),
            (DataType::Uuid, "CHAR(36) BINARY"),
            (DataType::Jsonb, "JSON"),
            (DataType::Blob, "BLOB"),
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
