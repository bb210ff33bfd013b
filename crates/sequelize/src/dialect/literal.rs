//! SQL literals, for the two places a bound parameter is impossible: DDL (defaults, enum
//! values) and Sequelize's `replacements`.
//!
//! Every literal is self-delimiting (`reference/security.md` class B): strings are always
//! quoted, and negative numbers are preceded by a space so that `-:a` with `a = -1` renders
//! `- -1`, never the comment `--1`.

use super::Dialect;
use crate::error::{Error, Result};
use crate::value::Value;

/// Appends `value` as a literal of `dialect`.
pub(crate) fn push_literal(value: &Value, dialect: &dyn Dialect, out: &mut String) -> Result<()> {
    use std::fmt::Write;
    let number = |text: String, out: &mut String| {
        if text.starts_with('-') {
            out.push(' ');
        }
        out.push_str(&text);
    };
    match value {
        Value::Null => out.push_str("NULL"),
        Value::Bool(b) => dialect.push_bool_literal(*b, out),
        Value::Int(i) => number(i.to_string(), out),
        Value::Float(f) if f.is_finite() => number(format!("{f:?}"), out),
        Value::Float(f) => return Err(Error::InvalidQuery(format!("{f} has no SQL literal form"))),
        Value::Decimal(d) => number(d.to_string(), out),
        Value::Text(s) => dialect.push_string_literal(s, out)?,
        Value::Bytes(b) => dialect.push_bytes_literal(b, out),
        Value::Uuid(u) => dialect.push_string_literal(&u.to_string(), out)?,
        Value::Date(d) => dialect.push_string_literal(&d.format("%Y-%m-%d").to_string(), out)?,
        Value::Time(t) => dialect.push_string_literal(&t.format("%H:%M:%S%.f").to_string(), out)?,
        Value::DateTime(n) => {
            let mut text = String::new();
            let stored = dialect.stored_wall_clock(*n);
            write!(text, "{}", stored.format("%Y-%m-%d %H:%M:%S%.f")).expect("writing to a String");
            dialect.push_string_literal(&text, out)?;
        }
        Value::Timestamp(t) => {
            let local = dialect.time_zone().local(*t);
            let text = local.format(dialect.timestamp_format()).to_string();
            dialect.push_string_literal(&text, out)?;
        }
        Value::Json(j) => dialect.push_string_literal(&j.to_string(), out)?,
        Value::Array(items) => {
            if !dialect.supports().arrays {
                return Err(Error::Unsupported {
                    dialect: dialect.name(),
                    feature: "array values (ARRAY is a PostgreSQL type)".into(),
                });
            }
            // `'{}'` takes its type from where it stands; `ARRAY[]` would need one.
            if items.is_empty() {
                out.push_str("'{}'");
            }
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i == 0 { "ARRAY[" } else { ", " });
                push_literal(item, dialect, out)?;
            }
            if !items.is_empty() {
                out.push(']');
            }
        }
    }
    Ok(())
}
