//! PostgreSQL column types, as Sequelize v6 writes them for `postgres`.

use crate::dialect::common::DEFAULT_STRING_LENGTH;
use crate::error::{Error, Result};
use crate::sql::ColumnDef;
use crate::types::DataType;

/// Appends the PostgreSQL type of a column. Auto-increment keys are the `SERIAL` pseudo-types
/// (an integer column with its own sequence as the default); only integer columns can be one.
pub(super) fn push_column_type(column: &ColumnDef, out: &mut String) -> Result<()> {
    use std::fmt::Write;
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
        DataType::String(n) => write!(out, "VARCHAR({})", n.unwrap_or(DEFAULT_STRING_LENGTH))
            .expect("writing to a String"),
        DataType::Char(n) => write!(out, "CHAR({})", n.unwrap_or(DEFAULT_STRING_LENGTH))
            .expect("writing to a String"),
        DataType::Text => out.push_str("TEXT"),
        // The renderer adds `CHECK (column IN (…))` since `native_enums` is off.
        DataType::Enum(_) => out.push_str("VARCHAR(255)"),
        DataType::SmallInt => out.push_str("SMALLINT"),
        DataType::Integer => out.push_str("INTEGER"),
        DataType::BigInt => out.push_str("BIGINT"),
        DataType::Float => out.push_str("REAL"),
        DataType::Double => out.push_str("DOUBLE PRECISION"),
        DataType::Decimal(Some((p, s))) => {
            write!(out, "DECIMAL({p},{s})").expect("writing to a String");
        }
        DataType::Decimal(None) => out.push_str("DECIMAL"),
        DataType::Boolean => out.push_str("BOOLEAN"),
        DataType::Date => out.push_str("TIMESTAMP WITH TIME ZONE"),
        DataType::DateOnly => out.push_str("DATE"),
        DataType::Time => out.push_str("TIME"),
        DataType::Uuid => out.push_str("UUID"),
        DataType::Json => out.push_str("JSON"),
        DataType::Jsonb => out.push_str("JSONB"),
        DataType::Blob => out.push_str("BYTEA"),
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
