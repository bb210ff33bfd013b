//! PostgreSQL column types, as Sequelize v6 writes them for `postgres`.

use crate::dialect::{common, SqlWriter};
use crate::error::{Error, Result};
use crate::sql::{enum_type_name, ColumnDef, Ident};
use crate::types::DataType;

/// Appends the PostgreSQL type of a column of `table`. Auto-increment keys are the `SERIAL`
/// pseudo-types (an integer column with its own sequence as the default); an `ENUM` is the
/// type `enum_<table>_<column>`, which the query interface creates before the table.
pub(super) fn push_column_type(
    w: &mut SqlWriter<'_>,
    table: &Ident,
    column: &ColumnDef,
) -> Result<()> {
    if column.auto_increment {
        if !column.data_type.is_integer() {
            return Err(Error::InvalidQuery(format!(
                "column {:?} is auto-increment but {} is not an integer type",
                column.name.as_str(),
                column.data_type
            )));
        }
        // Whatever a 32-bit integer cannot hold takes the 64-bit sequence.
        let wide =
            (column.data_type.integer_range()).is_none_or(|(_, high)| high > i64::from(i32::MAX));
        w.push(if wide { "BIGSERIAL" } else { "SERIAL" });
        return Ok(());
    }
    push_type(w, table, column, &column.data_type)
}

fn push_type(
    w: &mut SqlWriter<'_>,
    table: &Ident,
    column: &ColumnDef,
    data_type: &DataType,
) -> Result<()> {
    match data_type {
        DataType::Float => w.push("REAL"),
        DataType::Blob | DataType::TinyBlob | DataType::MediumBlob | DataType::LongBlob => {
            w.push("BYTEA");
        }
        DataType::Enum(_) => w.ident(&enum_type_name(table, &column.name))?,
        // Byte-by-byte comparison: the "C" collation.
        DataType::BinaryString(_) => {
            common::push_standard_type(data_type, w.sql_mut());
            w.push(" COLLATE \"C\"");
        }
        DataType::Array(inner) => {
            push_type(w, table, column, inner)?;
            w.push("[]");
        }
        DataType::Range(inner)
            if !matches!(
                **inner,
                DataType::Integer
                    | DataType::BigInt
                    | DataType::Decimal(_)
                    | DataType::Date(_)
                    | DataType::DateOnly
            ) =>
        {
            return Err(Error::InvalidQuery(format!(
                "column {:?}: PostgreSQL has no range of {inner}; ranges are of INTEGER, \
                 BIGINT, DECIMAL, DATE or DATEONLY",
                column.name.as_str()
            )))
        }
        standard => common::push_standard_type(standard, w.sql_mut()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::postgres::Postgres;
    use crate::dialect::TimeZone;

    fn column_type(data_type: DataType, auto_increment: bool) -> Result<String> {
        let mut column = ColumnDef::new("c", data_type);
        column.auto_increment = auto_increment;
        let dialect = Postgres::new(TimeZone::UTC);
        let mut w = SqlWriter::new(&dialect);
        push_column_type(&mut w, &Ident::from("t"), &column)?;
        Ok(w.sql_mut().clone())
    }

    #[test]
    fn sequelize_types() {
        let cases = [
            (DataType::String(None), "VARCHAR(255)"),
            (DataType::String(Some(64)), "VARCHAR(64)"),
            (DataType::Char(Some(2)), "CHAR(2)"),
            (DataType::Enum(vec!["a".into()]), "\"enum_t_c\""),
            (
                DataType::Array(Box::new(DataType::Enum(vec!["a".into()]))),
                "\"enum_t_c\"[]",
            ),
            (DataType::Float, "REAL"),
            (DataType::Double, "DOUBLE PRECISION"),
            (DataType::Decimal(Some((10, 2))), "DECIMAL(10,2)"),
            (DataType::Date(None), "TIMESTAMP WITH TIME ZONE"),
            (DataType::Date(Some(3)), "TIMESTAMP(3) WITH TIME ZONE"),
            (DataType::DateOnly, "DATE"),
            (DataType::Jsonb, "JSONB"),
            (DataType::Blob, "BYTEA"),
            (DataType::LongBlob, "BYTEA"),
            (DataType::MediumText, "TEXT"),
            (DataType::CiText, "CITEXT"),
            (DataType::TinyInt, "SMALLINT"),
            (DataType::MediumInt, "INTEGER"),
            (DataType::Unsigned(Box::new(DataType::SmallInt)), "INTEGER"),
            (DataType::Unsigned(Box::new(DataType::Integer)), "BIGINT"),
            (DataType::Range(Box::new(DataType::Integer)), "INT4RANGE"),
            (DataType::Range(Box::new(DataType::Date(None))), "TSTZRANGE"),
            (DataType::Range(Box::new(DataType::DateOnly)), "DATERANGE"),
            (
                DataType::Range(Box::new(DataType::Decimal(None))),
                "NUMRANGE",
            ),
            (DataType::Inet, "INET"),
            (DataType::Hstore, "HSTORE"),
        ];
        for (data_type, expected) in cases {
            assert_eq!(column_type(data_type, false).unwrap(), expected);
        }
        assert!(column_type(DataType::Range(Box::new(DataType::Text)), false).is_err());
    }

    #[test]
    fn auto_increment_is_serial() {
        assert_eq!(column_type(DataType::Integer, true).unwrap(), "SERIAL");
        assert_eq!(column_type(DataType::SmallInt, true).unwrap(), "SERIAL");
        assert_eq!(column_type(DataType::BigInt, true).unwrap(), "BIGSERIAL");
        let unsigned = DataType::Unsigned(Box::new(DataType::Integer));
        assert_eq!(column_type(unsigned, true).unwrap(), "BIGSERIAL");
        assert!(column_type(DataType::Text, true).is_err());
    }
}
