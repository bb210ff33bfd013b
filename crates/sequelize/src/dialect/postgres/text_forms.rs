//! PostgreSQL types that travel as their text forms: ranges, network addresses (`inet`,
//! `cidr`, `macaddr`), `tsvector`, and `hstore`.
//!
//! They have no [`Value`] of their own. A value for a parameter of such a type is its text
//! form, sent in the text format so that the server parses it; a column of such a type comes
//! back in the binary format and is turned into the text the server would have printed
//! (`[1,10)`, `192.168.0.1/24`, `'cat':1 'fat':2`). An `hstore` is a JSON object of strings
//! both ways, as Sequelize gives it.

use std::fmt::Write;
use std::net::IpAddr;

use bytes::BytesMut;
use postgres_protocol::types as wire;
use postgres_types::{Kind, Type};

use crate::range::{bound_text, push_bound};
use crate::value::Value;

type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// Whether values of `ty` are read and written through their text forms here.
pub(super) fn is_text_form(ty: &Type) -> bool {
    matches!(ty.kind(), Kind::Range(_))
        || matches!(
            *ty,
            Type::INET | Type::CIDR | Type::MACADDR | Type::TS_VECTOR
        )
        || is_hstore(ty)
}

/// `hstore` comes from an extension, so its type has no fixed OID: it is known by name.
pub(super) fn is_hstore(ty: &Type) -> bool {
    ty.name() == "hstore"
}

/// Writes an `hstore` parameter given as a JSON object of strings (or nulls) in the binary
/// format; `Err` names what is wrong.
pub(super) fn hstore_to_sql(json: &serde_json::Value, out: &mut BytesMut) -> Result<(), String> {
    let map = json.as_object().ok_or("an hstore value is a JSON object")?;
    let mut entries = Vec::with_capacity(map.len());
    for (key, value) in map {
        entries.push((
            key.as_str(),
            match value {
                serde_json::Value::String(s) => Some(s.as_str()),
                serde_json::Value::Null => None,
                _ => return Err("the values of an hstore are strings or null".into()),
            },
        ));
    }
    wire::hstore_to_sql(entries, out).map_err(|e| e.to_string())
}

/// Decodes a binary value of a text-form type; `element` decodes the bounds of a range by
/// their own type.
pub(super) fn decode(
    ty: &Type,
    raw: &[u8],
    element: impl Fn(&Type, &[u8]) -> Result<Value, BoxError>,
) -> Result<Value, BoxError> {
    if is_hstore(ty) {
        let mut map = serde_json::Map::new();
        let mut entries = wire::hstore_from_sql(raw)?;
        while let Some((key, value)) = fallible_iterator::FallibleIterator::next(&mut entries)? {
            let value = value.map_or(serde_json::Value::Null, |v| v.to_owned().into());
            map.insert(key.to_owned(), value);
        }
        return Ok(Value::Json(Box::new(serde_json::Value::Object(map))));
    }
    let text = match *ty {
        Type::INET | Type::CIDR => {
            let inet = wire::inet_from_sql(raw)?;
            let full = match inet.addr() {
                IpAddr::V4(_) => 32,
                IpAddr::V6(_) => 128,
            };
            if *ty == Type::INET && inet.netmask() == full {
                inet.addr().to_string()
            } else {
                format!("{}/{}", inet.addr(), inet.netmask())
            }
        }
        Type::MACADDR => {
            let bytes = wire::macaddr_from_sql(raw)?;
            let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            hex.join(":")
        }
        Type::TS_VECTOR => tsvector_text(raw)?,
        _ => match ty.kind() {
            Kind::Range(member) => range_text(member, raw, element)?,
            _ => return Err(format!("{ty} is not read through its text form").into()),
        },
    };
    Ok(Value::Text(text))
}

/// A range as PostgreSQL prints it: `empty`, or `[lower,upper)` with each bound quoted when
/// its text needs it and left out when unbounded.
fn range_text(
    member: &Type,
    raw: &[u8],
    element: impl Fn(&Type, &[u8]) -> Result<Value, BoxError>,
) -> Result<String, BoxError> {
    let (lower, upper) = match wire::range_from_sql(raw)? {
        wire::Range::Empty => return Ok("empty".to_owned()),
        wire::Range::Nonempty(lower, upper) => (lower, upper),
    };
    let mut out = String::new();
    let bound = |bound: wire::RangeBound<Option<&[u8]>>, out: &mut String| {
        let raw = match bound {
            wire::RangeBound::Inclusive(raw) | wire::RangeBound::Exclusive(raw) => raw,
            wire::RangeBound::Unbounded => None,
        };
        if let Some(raw) = raw {
            push_bound(&bound_text(element(member, raw)?), out);
        }
        Ok::<_, BoxError>(())
    };
    out.push(match lower {
        wire::RangeBound::Inclusive(_) => '[',
        _ => '(',
    });
    let closing = match upper {
        wire::RangeBound::Inclusive(_) => ']',
        _ => ')',
    };
    bound(lower, &mut out)?;
    out.push(',');
    bound(upper, &mut out)?;
    out.push(closing);
    Ok(out)
}

/// A `tsvector` as PostgreSQL prints it: `'lexeme':1A,2 'other'`. The binary form is the
/// lexeme count, then per lexeme its NUL-terminated text, its position count and the
/// positions (the weight in the top two bits: 3 = A … 0 = D).
fn tsvector_text(mut raw: &[u8]) -> Result<String, BoxError> {
    fn take<'a>(raw: &mut &'a [u8], n: usize) -> Result<&'a [u8], BoxError> {
        if raw.len() < n {
            return Err("a truncated tsvector".into());
        }
        let (head, rest) = raw.split_at(n);
        *raw = rest;
        Ok(head)
    }
    let count = u32::from_be_bytes(take(&mut raw, 4)?.try_into()?);
    let mut out = String::new();
    for i in 0..count {
        let end = raw
            .iter()
            .position(|&b| b == 0)
            .ok_or("a tsvector lexeme without its end")?;
        let lexeme = std::str::from_utf8(take(&mut raw, end)?)?;
        take(&mut raw, 1)?;
        if i > 0 {
            out.push(' ');
        }
        out.push('\'');
        for c in lexeme.chars() {
            if c == '\'' || c == '\\' {
                out.push(c);
            }
            out.push(c);
        }
        out.push('\'');
        let positions = u16::from_be_bytes(take(&mut raw, 2)?.try_into()?);
        for p in 0..positions {
            let position = u16::from_be_bytes(take(&mut raw, 2)?.try_into()?);
            out.push(if p == 0 { ':' } else { ',' });
            write!(out, "{}", position & 0x3fff).expect("writing to a String");
            match position >> 14 {
                3 => out.push('A'),
                2 => out.push('B'),
                1 => out.push('C'),
                _ => {}
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsvectors_print_as_postgres_does() {
        // 'a':1A 'it''s'
        let mut raw = vec![0, 0, 0, 2];
        raw.extend(b"a\0");
        raw.extend([0, 1, 0xc0, 1]);
        raw.extend(b"it's\0");
        raw.extend([0, 0]);
        assert_eq!(tsvector_text(&raw).unwrap(), "'a':1A 'it''s'");
        assert!(tsvector_text(&raw[..7]).is_err());
    }
}
