//! Values converted to an attribute's type: for values compared with an attribute in a
//! filter, and for the rows a dynamic model reads (typed models decode through their field
//! types instead).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::types::DataType;
use crate::value::{FromValue, Value};

/// `value` as a value of `data_type`, or a [`Error::Decode`] saying why it is not one.
/// `NULL` stays `NULL`.
pub(crate) fn to_attribute_type(value: Value, data_type: &DataType) -> Result<Value> {
    if value.is_null() {
        return Ok(value);
    }
    Ok(match data_type {
        integer @ (DataType::TinyInt
        | DataType::SmallInt
        | DataType::MediumInt
        | DataType::Integer
        | DataType::BigInt
        | DataType::Unsigned(_)) => {
            let i = i64::from_value(value)?;
            match integer.integer_range() {
                Some((low, high)) if i < low || i > high => {
                    return Err(Error::Decode(format!(
                        "the integer is out of the range of {integer} ({low} to {high})"
                    )))
                }
                _ => Value::Int(i),
            }
        }
        DataType::Float | DataType::Double => Value::Float(f64::from_value(value)?),
        DataType::Decimal(_) => Value::Decimal(Decimal::from_value(value)?),
        DataType::String(_)
        | DataType::BinaryString(_)
        | DataType::Char(_)
        | DataType::Text
        | DataType::TinyText
        | DataType::MediumText
        | DataType::LongText
        | DataType::CiText
        | DataType::Enum(_) => {
            match value {
                // Compared as text, so MySQL never compares a string column with a number.
                Value::Int(i) => Value::Text(i.to_string()),
                Value::Float(f) => Value::Text(f.to_string()),
                Value::Decimal(d) => Value::Text(d.to_string()),
                Value::Text(_) => value,
                other => {
                    return Err(Error::Decode(format!(
                        "a {} value is not text",
                        other.kind()
                    )))
                }
            }
        }
        // PostgreSQL reads these from their text forms.
        DataType::Inet
        | DataType::Cidr
        | DataType::MacAddr
        | DataType::TsVector
        | DataType::Range(_) => Value::Text(String::from_value(value)?),
        DataType::Hstore => hstore(value)?,
        DataType::Boolean => Value::Bool(bool::from_value(value)?),
        DataType::Date(_) => Value::Timestamp(DateTime::<Utc>::from_value(value)?),
        DataType::DateOnly => Value::Date(NaiveDate::from_value(value)?),
        DataType::Time => Value::Time(NaiveTime::from_value(value)?),
        DataType::Uuid => Value::Uuid(uuid::Uuid::from_value(value)?),
        DataType::Json | DataType::Jsonb => {
            Value::Json(Box::new(serde_json::Value::from_value(value)?))
        }
        DataType::Blob | DataType::TinyBlob | DataType::MediumBlob | DataType::LongBlob => {
            Value::Bytes(Vec::<u8>::from_value(value)?)
        }
        DataType::Array(member) => {
            let items = match value {
                Value::Array(items) => items,
                // A JSON array, as a filter from data holds one.
                Value::Json(json) => match *json {
                    serde_json::Value::Array(items) => items.into_iter().map(json_scalar).collect(),
                    _ => return Err(Error::Decode("a JSON value that is not an array".into())),
                },
                other => {
                    return Err(Error::Decode(format!(
                        "a {} value is not an array",
                        other.kind()
                    )))
                }
            };
            Value::Array(
                (items.into_iter())
                    .map(|item| to_attribute_type(item, member))
                    .collect::<Result<_>>()?,
            )
        }
    })
}

/// An `HSTORE` value: a JSON object whose values are strings or `null`.
fn hstore(value: Value) -> Result<Value> {
    let json = serde_json::Value::from_value(value)?;
    let valid = json.as_object().is_some_and(|map| {
        map.values()
            .all(|v| matches!(v, serde_json::Value::String(_) | serde_json::Value::Null))
    });
    if valid {
        Ok(Value::Json(Box::new(json)))
    } else {
        Err(Error::Decode(
            "an HSTORE value is an object of strings (or nulls)".into(),
        ))
    }
}

/// A JSON scalar as the value it stands for (an object or array stays JSON).
fn json_scalar(json: serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => n
                .as_f64()
                .map_or(Value::Json(Box::new(n.into())), Value::Float),
        },
        serde_json::Value::String(s) => Value::Text(s),
        other => Value::Json(Box::new(other)),
    }
}

/// [`to_attribute_type`] for a value given for `model.attribute`, with an error that names
/// them ([`Error::InvalidQuery`]).
pub(crate) fn for_attribute(
    value: Value,
    data_type: &DataType,
    model: &str,
    attribute: &str,
) -> Result<Value> {
    to_attribute_type(value, data_type).map_err(|e| {
        Error::InvalidQuery(format!(
            "{model}.{attribute}: {}",
            match e {
                Error::Decode(m) => m,
                other => other.to_string(),
            }
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_take_the_attribute_type() {
        assert_eq!(
            to_attribute_type(Value::Int(1), &DataType::Boolean).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            to_attribute_type(Value::Int(7), &DataType::String(None)).unwrap(),
            Value::Text("7".into())
        );
        let stored = Value::Text("2024-01-02 03:04:05.000 +00:00".into());
        assert!(matches!(
            to_attribute_type(stored, &DataType::Date(None)).unwrap(),
            Value::Timestamp(_)
        ));
        assert!(to_attribute_type(Value::Text("x".into()), &DataType::Integer).is_err());
        assert!(to_attribute_type(Value::Bool(true), &DataType::Text).is_err());
        assert_eq!(
            to_attribute_type(Value::Null, &DataType::Uuid).unwrap(),
            Value::Null
        );
        let ints = DataType::Array(Box::new(DataType::Integer));
        assert_eq!(
            to_attribute_type(serde_json::json!([1, null]).into(), &ints).unwrap(),
            Value::Array(vec![Value::Int(1), Value::Null])
        );
        assert!(to_attribute_type(serde_json::json!(["x"]).into(), &ints).is_err());
        assert!(to_attribute_type(Value::Int(1), &ints).is_err());
    }
}
