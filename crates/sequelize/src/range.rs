//! [`Range`]: a PostgreSQL range value (`DataTypes.RANGE(type)`).
//!
//! A range travels as its text form, `[lower,upper)` (see `dialect/postgres/text_forms.rs`),
//! so this module holds both directions of that text: [`Range::to_text`] and parsing in
//! [`FromValue`].

use std::ops::Bound;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::value::{FromValue, Value};

/// A range of values, as PostgreSQL's range types hold them: empty, or between two bounds,
/// each included, excluded or unbounded.
///
/// Serialized as Sequelize gives ranges: `[{ "value": 1, "inclusive": true }, { "value": 10,
/// "inclusive": false }]` (an unbounded side has `"value": null`; an empty range is `[]`).
///
/// ```
/// use std::ops::Bound;
/// use sequelize::{FromValue, Range, Value};
/// let r: Range<i32> = (1..10).into();
/// assert_eq!(Value::from(r.clone()), Value::Text("[1,10)".into()));
/// assert_eq!(Range::<i32>::from_value(Value::Text("[1,10)".into())).unwrap(), r);
/// let open: Range<i32> = Range::new(Bound::Excluded(0), Bound::Unbounded);
/// assert_eq!(Value::from(open), Value::Text("(0,)".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Range<T> {
    /// The empty range (`'empty'`).
    Empty,
    /// The values between two bounds.
    Bounds(Bound<T>, Bound<T>),
}

impl<T> Range<T> {
    /// The range between two bounds.
    ///
    /// ```
    /// use std::ops::Bound;
    /// let r = sequelize::Range::new(Bound::Included(1), Bound::Included(5));
    /// assert_eq!(r.lower(), Some(&Bound::Included(1)));
    /// ```
    pub fn new(lower: Bound<T>, upper: Bound<T>) -> Self {
        Range::Bounds(lower, upper)
    }

    /// The lower bound (`None` for the empty range).
    pub fn lower(&self) -> Option<&Bound<T>> {
        match self {
            Range::Bounds(lower, _) => Some(lower),
            Range::Empty => None,
        }
    }

    /// The upper bound (`None` for the empty range).
    ///
    /// ```
    /// use std::ops::Bound;
    /// let r: sequelize::Range<i32> = (1..=5).into();
    /// assert_eq!(r.upper(), Some(&Bound::Included(5)));
    /// ```
    pub fn upper(&self) -> Option<&Bound<T>> {
        match self {
            Range::Bounds(_, upper) => Some(upper),
            Range::Empty => None,
        }
    }
}

impl<T: Into<Value>> Range<T> {
    /// The text form PostgreSQL reads: `empty`, or `[lower,upper)` with each bound quoted
    /// where its text needs it.
    ///
    /// ```
    /// let r: sequelize::Range<i64> = (-5..5).into();
    /// assert_eq!(r.to_text(), "[-5,5)");
    /// ```
    pub fn to_text(self) -> String {
        let (lower, upper) = match self {
            Range::Empty => return "empty".to_owned(),
            Range::Bounds(lower, upper) => (lower, upper),
        };
        let mut out = String::new();
        out.push(if matches!(lower, Bound::Included(_)) {
            '['
        } else {
            '('
        });
        let closing = if matches!(upper, Bound::Included(_)) {
            ']'
        } else {
            ')'
        };
        for (i, bound) in [lower, upper].into_iter().enumerate() {
            if i == 1 {
                out.push(',');
            }
            if let Bound::Included(v) | Bound::Excluded(v) = bound {
                push_bound(&bound_text(v.into()), &mut out);
            }
        }
        out.push(closing);
        out
    }
}

/// The empty range.
impl<T> Default for Range<T> {
    fn default() -> Self {
        Range::Empty
    }
}

impl<T> From<std::ops::Range<T>> for Range<T> {
    fn from(r: std::ops::Range<T>) -> Self {
        Range::Bounds(Bound::Included(r.start), Bound::Excluded(r.end))
    }
}

impl<T> From<std::ops::RangeInclusive<T>> for Range<T> {
    fn from(r: std::ops::RangeInclusive<T>) -> Self {
        let (start, end) = r.into_inner();
        Range::Bounds(Bound::Included(start), Bound::Included(end))
    }
}

impl<T: Into<Value>> From<Range<T>> for Value {
    fn from(range: Range<T>) -> Self {
        Value::Text(range.to_text())
    }
}

impl<T: FromValue> FromValue for Range<T> {
    fn from_value(value: Value) -> Result<Self> {
        let text = String::from_value(value)?;
        parse(&text).ok_or_else(|| Error::Decode("the text is not a range".into()))?
    }
}

/// `Some(Err)` when the shape is a range but a bound is not a `T`.
fn parse<T: FromValue>(text: &str) -> Option<Result<Range<T>>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("empty") {
        return Some(Ok(Range::Empty));
    }
    let lower_inclusive = match text.chars().next()? {
        '[' => true,
        '(' => false,
        _ => return None,
    };
    let upper_inclusive = match text.chars().last()? {
        ']' => true,
        ')' => false,
        _ => return None,
    };
    let inner = text.get(1..text.len() - 1)?;
    let (lower, rest) = read_bound(inner)?;
    let rest = rest.strip_prefix(',')?;
    let (upper, rest) = read_bound(rest)?;
    if !rest.is_empty() {
        return None;
    }
    let bound = |text: Option<String>, inclusive: bool| -> Result<Bound<T>> {
        Ok(match text {
            None => Bound::Unbounded,
            Some(t) if inclusive => Bound::Included(T::from_value(Value::Text(t))?),
            Some(t) => Bound::Excluded(T::from_value(Value::Text(t))?),
        })
    };
    Some(
        bound(lower, lower_inclusive)
            .and_then(|lower| Ok(Range::Bounds(lower, bound(upper, upper_inclusive)?))),
    )
}

/// One bound's text (unquoted; `None` when empty, i.e. unbounded) and what follows it.
fn read_bound(text: &str) -> Option<(Option<String>, &str)> {
    let Some(quoted) = text.strip_prefix('"') else {
        let end = text.find(',').unwrap_or(text.len());
        let bound = text[..end].trim();
        return Some(((!bound.is_empty()).then(|| bound.to_owned()), &text[end..]));
    };
    let mut out = String::new();
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' if quoted[i + 1..].starts_with('"') => {
                out.push('"');
                chars.next();
            }
            '"' => return Some((Some(out), &quoted[i + 1..])),
            c => out.push(c),
        }
    }
    None
}

/// A bound's value as text the server reads back.
pub(crate) fn bound_text(value: Value) -> String {
    match value {
        Value::Int(i) => i.to_string(),
        Value::Decimal(d) => d.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S%.f").to_string(),
        Value::Timestamp(t) => t.format("%Y-%m-%d %H:%M:%S%.6f+00:00").to_string(),
        Value::Text(s) => s,
        other => other.kind().to_owned(),
    }
}

/// Appends a bound, in double quotes when it holds a character that ends or escapes one.
pub(crate) fn push_bound(text: &str, out: &mut String) {
    let special =
        |c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '"' | '\\');
    if !text.is_empty() && !text.contains(special) {
        out.push_str(text);
        return;
    }
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// One side of a range in Sequelize's JSON shape.
#[derive(Serialize, Deserialize)]
struct JsonBound<T> {
    value: Option<T>,
    inclusive: bool,
}

impl<T> JsonBound<T> {
    fn of(bound: Bound<T>) -> Self {
        match bound {
            Bound::Included(v) => JsonBound {
                value: Some(v),
                inclusive: true,
            },
            Bound::Excluded(v) => JsonBound {
                value: Some(v),
                inclusive: false,
            },
            Bound::Unbounded => JsonBound {
                value: None,
                inclusive: false,
            },
        }
    }

    fn bound(self) -> Bound<T> {
        match self.value {
            Some(v) if self.inclusive => Bound::Included(v),
            Some(v) => Bound::Excluded(v),
            None => Bound::Unbounded,
        }
    }
}

impl<T: Serialize + Clone> Serialize for Range<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Range::Empty => Vec::<JsonBound<T>>::new().serialize(serializer),
            Range::Bounds(lower, upper) => {
                [JsonBound::of(lower.clone()), JsonBound::of(upper.clone())].serialize(serializer)
            }
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Range<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let mut bounds = Vec::<JsonBound<T>>::deserialize(deserializer)?.into_iter();
        match (bounds.next(), bounds.next(), bounds.next()) {
            (None, _, _) => Ok(Range::Empty),
            (Some(lower), Some(upper), None) => Ok(Range::Bounds(lower.bound(), upper.bound())),
            _ => Err(serde::de::Error::custom(
                "a range is [] or [lower bound, upper bound]",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeZone, Utc};

    #[test]
    fn text_forms_round_trip() {
        let cases: Vec<Range<i64>> = vec![
            Range::Empty,
            (1..10).into(),
            (-3..=3).into(),
            Range::new(Bound::Unbounded, Bound::Excluded(0)),
            Range::new(Bound::Unbounded, Bound::Unbounded),
        ];
        for range in cases {
            let text = range.clone().to_text();
            assert_eq!(
                Range::<i64>::from_value(Value::Text(text.clone())).unwrap(),
                range,
                "{text}"
            );
        }
        let at = |h| Utc.with_ymd_and_hms(2024, 5, 1, h, 0, 0).unwrap();
        let r: Range<DateTime<Utc>> = (at(9)..at(17)).into();
        let text = r.clone().to_text();
        assert_eq!(
            text,
            "[\"2024-05-01 09:00:00.000000+00:00\",\"2024-05-01 17:00:00.000000+00:00\")"
        );
        assert_eq!(Range::from_value(Value::Text(text)).unwrap(), r);
        for bad in ["", "1,2", "[1,2", "[1;2)", "[a,2)", "[1,2,3)"] {
            assert!(
                Range::<i64>::from_value(Value::Text(bad.into())).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn json_is_sequelize_shape() {
        let r: Range<i32> = (1..10).into();
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"value": 1, "inclusive": true}, {"value": 10, "inclusive": false}])
        );
        assert_eq!(serde_json::from_value::<Range<i32>>(json).unwrap(), r);
        assert_eq!(
            serde_json::to_value(Range::<i32>::Empty).unwrap(),
            serde_json::json!([])
        );
    }
}
