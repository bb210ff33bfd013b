//! A `serde` deserializer over rows, so raw queries can return any `Deserialize` type.
//!
//! A row deserializes as a map from column name to value; each [`Value`] deserializes as the
//! closest serde data type, with the database's quirks smoothed the same way [`FromValue`]
//! does (integers `0`/`1` as booleans for SQLite and MySQL, JSON stored as text parsed when a
//! struct or sequence is asked for).
//!
//! [`FromValue`]: crate::FromValue

use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeOwned, IntoDeserializer, MapAccess, Visitor};
use serde::forward_to_deserialize_any;

use crate::error::{Error, Result};
use crate::value::Value;

/// Deserializes one row.
pub(crate) fn from_row<T: DeserializeOwned>(
    columns: Arc<[String]>,
    values: Vec<Value>,
) -> Result<T> {
    T::deserialize(RowDeserializer {
        columns: &columns,
        values: values.into_iter(),
        index: 0,
    })
    .map_err(|e| Error::Decode(e.0))
}

/// The error type while deserializing; converted to [`Error::Decode`].
#[derive(Debug)]
struct DeError(String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError(msg.to_string())
    }
}

struct RowDeserializer<'a> {
    columns: &'a [String],
    values: std::vec::IntoIter<Value>,
    index: usize,
}

impl<'de> de::Deserializer<'de> for RowDeserializer<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> MapAccess<'de> for RowDeserializer<'_> {
    type Error = DeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.columns.get(self.index) {
            Some(name) => seed
                .deserialize(name.as_str().into_deserializer())
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        let column = &self.columns[self.index];
        self.index += 1;
        let value = self.values.next().unwrap_or_default();
        seed.deserialize(ValueDeserializer(value))
            .map_err(|e| DeError(format!("column {column:?}: {e}")))
    }
}

/// Deserializes one value.
struct ValueDeserializer(Value);

impl ValueDeserializer {
    /// JSON documents stored as text (SQLite, MariaDB) parsed for structured targets.
    fn into_json(self) -> Result<serde_json::Value, DeError> {
        match self.0 {
            Value::Json(j) => Ok(*j),
            Value::Text(s) => serde_json::from_str(&s).map_err(|e| DeError(e.to_string())),
            Value::Bytes(b) => serde_json::from_slice(&b).map_err(|e| DeError(e.to_string())),
            other => Err(DeError(format!(
                "a {} value is not a structured value",
                other.kind()
            ))),
        }
    }
}

impl IntoDeserializer<'_, DeError> for ValueDeserializer {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> de::Deserializer<'de> for ValueDeserializer {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Int(i) => visitor.visit_i64(i),
            Value::Float(f) => visitor.visit_f64(f),
            Value::Decimal(d) => visitor.visit_string(d.to_string()),
            Value::Text(s) => visitor.visit_string(s),
            Value::Bytes(b) => visitor.visit_byte_buf(b),
            Value::Uuid(u) => visitor.visit_string(u.to_string()),
            Value::Date(d) => visitor.visit_string(d.format("%Y-%m-%d").to_string()),
            Value::Time(t) => visitor.visit_string(t.format("%H:%M:%S%.f").to_string()),
            Value::DateTime(n) => {
                visitor.visit_string(n.format("%Y-%m-%dT%H:%M:%S%.f").to_string())
            }
            Value::Timestamp(t) => visitor.visit_string(t.to_rfc3339()),
            Value::Json(j) => (*j)
                .deserialize_any(visitor)
                .map_err(|e| DeError(e.to_string())),
            Value::Array(items) => visitor.visit_seq(de::value::SeqDeserializer::new(
                items.into_iter().map(ValueDeserializer),
            )),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Int(0) => visitor.visit_bool(false),
            Value::Int(1) => visitor.visit_bool(true),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Decimal(d) => visitor
                .visit_f64(f64::try_from(d).map_err(|_| DeError(format!("{d} is not a float")))?),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if let Value::Bytes(b) = self.0 {
            return visitor.visit_seq(de::value::SeqDeserializer::new(b.into_iter()));
        }
        self.into_json()?
            .deserialize_seq(visitor)
            .map_err(|e| DeError(e.to_string()))
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.into_json()?
            .deserialize_map(visitor)
            .map_err(|e| DeError(e.to_string()))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.into_json()?
            .deserialize_struct(name, fields, visitor)
            .map_err(|e| DeError(e.to_string()))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let json = match self.0 {
            Value::Text(s) => serde_json::Value::String(s),
            other => ValueDeserializer(other).into_json()?,
        };
        json.deserialize_enum(name, variants, visitor)
            .map_err(|e| DeError(e.to_string()))
    }

    forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 char str string
        bytes byte_buf unit unit_struct tuple tuple_struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Settings {
        theme: String,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Status {
        Active,
        Banned,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct User {
        id: i32,
        email: String,
        nickname: Option<String>,
        verified: bool,
        score: f64,
        status: Status,
        settings: Settings,
        tags: Vec<String>,
        created_at: chrono::DateTime<chrono::Utc>,
        balance: rust_decimal::Decimal,
    }

    #[test]
    fn rows_deserialize_into_structs() {
        let columns: Arc<[String]> = [
            "id",
            "email",
            "nickname",
            "verified",
            "score",
            "status",
            "settings",
            "tags",
            "created_at",
            "balance",
        ]
        .map(String::from)
        .into();
        let values = vec![
            Value::Int(7),
            "a@example.com".into(),
            Value::Null,
            Value::Int(1),
            Value::Int(3),
            "banned".into(),
            Value::Text(r#"{"theme":"dark"}"#.into()),
            serde_json::json!(["x", "y"]).into(),
            Value::Text("2024-01-02 03:04:05.000 +00:00".into()),
            Value::Decimal("12.50".parse().unwrap()),
        ];
        let user: User = from_row(columns, values).unwrap();
        assert_eq!(user.id, 7);
        assert_eq!(user.nickname, None);
        assert!(user.verified);
        assert_eq!(user.status, Status::Banned);
        assert_eq!(user.settings.theme, "dark");
        assert_eq!(user.tags, vec!["x", "y"]);
        assert_eq!(user.balance.to_string(), "12.50");
        assert_eq!(user.score, 3.0);
        let _ = Status::Active;
    }

    #[test]
    fn type_errors_name_the_column() {
        let columns: Arc<[String]> = ["id".to_string()].into();
        #[derive(Debug, Deserialize)]
        struct OnlyId {
            #[allow(dead_code)]
            id: u8,
        }
        let err = from_row::<OnlyId>(columns, vec![Value::Int(300)]).unwrap_err();
        assert!(err.to_string().contains("column \"id\""), "{err}");
    }
}
