//! PostgreSQL column types, as Sequelize v6 writes them for `postgres`.

use crate::dialect::common;
use crate::error::{Error, Result};
use crate::sql::ColumnDef;
use crate::types::DataType;

/// Appends the PostgreSQL type of a column. Auto-increment keys are the `SERIAL` pseudo-types
/// (an integer column with its own sequence as the default); only integer columns can be one.
pub(super) fn push_column_type(column: &ColumnDef, out: &mut String) -> Result<()> {
    if column.auto_increment {
        out.push_str(match column.data_type {
            DataType::SmallInt | DataType::Integer => "SERIAL",
            DataType::BigInt => "BIGSERIAL",
            _ => {
                return Err(Error::InvalidQuery(format!(
                    "column {:?} is auto-increment but not SMALLINT, INTEGER or BIGINT",
                    column.name.as_str()
                )))
            }
        });
        return Ok(());
    }
    match &column.data_type {
        DataType::Float => out.push_str("REAL"),
        DataType::Blob => out.push_str("BYTEA"),
        standard => common::push_standard_type(standard, out),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column_type(data_type: DataType, auto_increment: bool) -> Result<String> {
        let mut column = ColumnDef::new("c", data_type);
        column.auto_increment = auto_increment;
        let mut out = String::new();
        push_column_type(&column, &mut out)?;
        Ok(out)
    }

    #[test]
    fn sequelize_types() {
        let cases = [
            (DataType::String(None), "VARCHAR(255)"),
            (DataType::String(Some(64)), "VARCHAR(64)"),
            (DataType::Char(Some(2)), "CHAR(2)"),
            (DataType::Enum(vec!["a".into()]), "VARCHAR(255)"),
            (DataType::Float, "REAL"),
            (DataType::Double, "DOUBLE PRECISION"),
            (DataType::Decimal(Some((10, 2))), "DECIMAL(10,2)"),
            (DataType::Date, "TIMESTAMP WITH TIME ZONE"),
            (DataType::DateOnly, "DATE"),
            (DataType::Jsonb, "JSONB"),
            (DataType::Blob, "BYTEA"),
        ];
        for (data_type, expected) in cases {
            assert_eq!(column_type(data_type, false).unwrap(), expected);
        }
    }

    #[test]
    fn auto_increment_is_serial() {
        assert_eq!(column_type(DataType::Integer, true).unwrap(), "SERIAL");
        assert_eq!(column_type(DataType::SmallInt, true).unwrap(), "SERIAL");
        assert_eq!(column_type(DataType::BigInt, true).unwrap(), "BIGSERIAL");
        assert!(column_type(DataType::Text, true).is_err());
    }
}
