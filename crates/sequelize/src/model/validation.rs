//! Checks a value must pass before it is written to its attribute's column.
//!
//! [`validate`] runs the attribute validators ([`Validator`]) with Sequelize's null rules:
//! a `NULL` in an attribute that does not allow it fails with `is_null` and nothing else
//! runs; a `NULL` where it is allowed skips the built-in validators but not the custom ones.
//!
//! [`check_row`] refuses the values a database would round silently instead of refusing:
//! MySQL, MariaDB and PostgreSQL round a decimal with more places than its column's scale,
//! and SQLite keeps a `DECIMAL` as a double (15 significant digits). It also refuses an
//! integer out of its attribute's range and an `ENUM` value that is not one of its values,
//! which every database would refuse too, but only after the statement is sent.
//!
//! Both report every failure at once in one [`Error::Validation`], before any SQL is sent.
//!
//! [`Validator`]: super::validator::Validator

use rust_decimal::Decimal;

use super::definition::{Attribute, ModelDefinition};
use crate::dialect::Supports;
use crate::error::{Error, Result, ValidationErrorItem};
use crate::row::Rows;
use crate::types::DataType;
use crate::value::Value;

/// What a write validates: the attributes it writes, and the instance's whole row when it
/// writes one (for the model validators).
pub(crate) struct Written<'a> {
    /// The attributes written, as (attribute index, value) pairs.
    pub(crate) values: &'a [(usize, Value)],
    /// The instance's row, every attribute in order, for the model validators: given by
    /// `create` and `save` when the model has any, not by the static `update` (which has no
    /// instance).
    pub(crate) row: Option<&'a [Value]>,
    /// The row as last saved, on an update (`isImmutable` compares with it).
    pub(crate) saved: Option<&'a [Value]>,
}

/// Runs the validators of the attributes about to be written, awaiting the `async` ones,
/// then the model validators on the whole row. Every failure is reported, attributes in
/// order, then the model validators.
pub(crate) async fn validate(def: &ModelDefinition, written: Written<'_>) -> Result<()> {
    let Written { values, row, saved } = written;
    let mut items = Vec::new();
    for (index, value) in values {
        let attribute = &def.attributes[*index];
        let column = &attribute.column;
        // The timestamps are the model's to set, when it writes the row.
        let maintained = [def.created_at, def.updated_at, def.deleted_at].contains(&Some(*index));
        let refused_null =
            !column.allow_null && column.default.is_none() && !column.auto_increment && !maintained;
        if value.is_null() && refused_null {
            items.push(ValidationErrorItem::new(
                attribute.name.as_str(),
                "is_null",
                format!("{}.{} cannot be null", def.name, attribute.name),
            ));
            continue;
        }
        // Sequelize's schema check: a string attribute given an array or an object.
        let stringy = column.data_type.is_text();
        let structured = match value {
            Value::Array(_) => true,
            Value::Json(json) => json.is_array() || json.is_object(),
            _ => false,
        };
        if stringy && structured {
            items.push(
                ValidationErrorItem::new(
                    attribute.name.as_str(),
                    "not_a_string",
                    format!("{} cannot be an array or an object", attribute.name),
                )
                .with_value(value.clone()),
            );
            continue;
        }
        for validator in &attribute.validators {
            if value.is_null() && !validator.is_custom() {
                continue;
            }
            let previous = saved.and_then(|row| row.get(*index));
            if let Err(message) = validator.run(value, previous).await {
                let message = message.unwrap_or_else(|| {
                    format!(
                        "Validation {} on {} failed",
                        validator.key(),
                        attribute.name
                    )
                });
                items.push(
                    ValidationErrorItem::new(attribute.name.as_str(), validator.key(), message)
                        .with_value(value.clone()),
                );
            }
        }
    }
    if let (Some(row), false) = (row, def.validators.is_empty()) {
        let names = def.attributes.iter().map(|a| a.name.clone()).collect();
        let row = Rows::new(names, row.to_vec())
            .into_first()
            .expect("a row of every attribute");
        for validator in &def.validators {
            if let Err(message) = validator.run(&row) {
                items.push(ValidationErrorItem::new(
                    validator.name(),
                    validator.name(),
                    message,
                ));
            }
        }
    }
    if items.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(items))
    }
}

/// Checks every value about to be written, given as (attribute index, value) pairs; every
/// failure is reported, as Sequelize reports every failed validator at once.
pub(crate) fn check_row(
    def: &ModelDefinition,
    written: &[(usize, Value)],
    supports: &Supports,
) -> Result<()> {
    let items: Vec<ValidationErrorItem> = written
        .iter()
        .filter_map(|(index, value)| check_value(&def.attributes[*index], value, supports).err())
        .collect();
    if items.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(items))
    }
}

/// Checks one value against its attribute's declared type and the database's limits.
fn check_value(
    attribute: &Attribute,
    value: &Value,
    supports: &Supports,
) -> std::result::Result<(), ValidationErrorItem> {
    match (&attribute.column.data_type, value) {
        (DataType::Decimal(declared), Value::Decimal(d)) => check_decimal(
            attribute,
            *d,
            *declared,
            supports.decimal_significant_digits,
        ),
        (integer, Value::Int(i)) => match integer.integer_range() {
            Some((low, high)) if *i < low || *i > high => Err(ValidationErrorItem::new(
                attribute.name.as_str(),
                "range",
                format!(
                    "{}: the value is out of the range of {integer} ({low} to {high})",
                    attribute.name
                ),
            )
            .with_value(value.clone())),
            _ => Ok(()),
        },
        (DataType::Enum(values), Value::Text(text)) if !values.contains(text) => {
            Err(ValidationErrorItem::new(
                attribute.name.as_str(),
                "is_in",
                format!(
                    "{}: the value is not one of the ENUM's values ({})",
                    attribute.name,
                    values.join(", ")
                ),
            )
            .with_value(value.clone()))
        }
        _ => Ok(()),
    }
}

/// A decimal fits `DECIMAL(precision, scale)` when it has at most `scale` digits after the
/// point and `precision - scale` before it; trailing zeros after the point do not count.
fn check_decimal(
    attribute: &Attribute,
    value: Decimal,
    declared: Option<(u32, u32)>,
    significant_limit: Option<u32>,
) -> std::result::Result<(), ValidationErrorItem> {
    let fail = |message: String| {
        Err(ValidationErrorItem::new(
            attribute.name.as_str(),
            "decimal",
            format!("{}: {message}", attribute.name),
        ))
    };
    let value = value.normalize();
    let places = value.scale();
    let digits = digit_count(value.mantissa().unsigned_abs());
    let integer_digits = digits.saturating_sub(places);
    if let Some((precision, scale)) = declared {
        if places > scale {
            return fail(format!(
                "{places} digits after the point do not fit DECIMAL({precision},{scale}), \
                 which keeps {scale}; round the value first"
            ));
        }
        if integer_digits > precision.saturating_sub(scale) {
            return fail(format!(
                "{integer_digits} digits before the point do not fit DECIMAL({precision},{scale}), \
                 which keeps {}",
                precision.saturating_sub(scale)
            ));
        }
    }
    if let Some(limit) = significant_limit {
        if digits > limit {
            return fail(format!(
                "{digits} significant digits; this database stores a DECIMAL as a double, which \
                 keeps {limit} (store the value in a STRING attribute to keep every digit)"
            ));
        }
    }
    Ok(())
}

/// The number of decimal digits of `n` (0 for 0).
fn digit_count(n: u128) -> u32 {
    n.checked_ilog10().map_or(0, |log| log + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: &str, declared: Option<(u32, u32)>, limit: Option<u32>) -> Result<(), String> {
        let attribute = Attribute::new("balance", DataType::Decimal(declared));
        check_decimal(&attribute, value.parse().unwrap(), declared, limit).map_err(|e| e.message)
    }

    #[test]
    fn declared_precision_and_scale() {
        assert!(check("12345678.91", Some((10, 2)), None).is_ok());
        assert!(check("-99999999.99", Some((10, 2)), None).is_ok());
        assert!(check("1.50000", Some((10, 2)), None).is_ok());
        assert!(check("0", Some((1, 0)), None).is_ok());
        let places = check("1.234", Some((10, 2)), None).unwrap_err();
        assert!(
            places.starts_with("balance: 3 digits after the point"),
            "{places}"
        );
        let integer = check("123456789.1", Some((10, 2)), None).unwrap_err();
        assert!(integer.contains("9 digits before the point"), "{integer}");
        assert!(check("12345678.91", Some((10, 0)), None).is_err());
    }

    #[test]
    fn significant_digits_of_floating_storage() {
        assert!(check("1234567890123.45", None, Some(15)).is_ok());
        assert!(check("0.000000000000001", None, Some(15)).is_ok());
        let err = check("1234567890123456.78", None, Some(15)).unwrap_err();
        assert!(err.contains("18 significant digits"), "{err}");
        assert!(check("1234567890123456.78", None, None).is_ok());
    }
}
