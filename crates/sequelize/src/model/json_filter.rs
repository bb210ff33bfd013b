//! Filters from data: Sequelize's where-object shape, as an HTTP handler receives it in JSON,
//! turned into a filter (`reference/security.md` §1.4 W1–W7).
//!
//! Keys are attribute names or the connectors `and`, `or`, `not`; an attribute's value is a
//! value (`=`), `null` (`IS NULL`), an array (`IN`), or an object of operators from a closed
//! set. In an attribute's object, a key that is no operator is a key inside a JSON attribute
//! (`{"meta": {"a": {"b": 5}}}`, as Sequelize nests JSON conditions), and a dotted attribute
//! name is a path too (`{"meta.a.b": 5}`). Anything else is an error that names its path in
//! the JSON, before any SQL: an operator alias (`$ne`), an object or array where a value
//! belongs. Attribute names, value types, and that a path looks inside a JSON attribute
//! (`{"username": {"malicious": "code"}}` does not), are checked against the model when the
//! filter is used, as for every filter.

use serde_json::Value as Json;

use super::column::quantified;
use super::Comparison;
use crate::error::{Error, Result};
use crate::sql::{ArrayOperator, Expr, Ident, JsonPathSegment};
use crate::value::Value;

/// Sequelize's where object, from JSON, as a filter.
///
/// ```
/// use sequelize::model::filter_from_json;
/// let filter = filter_from_json(&serde_json::json!({
///     "status": "active",
///     "age": { "gte": 18, "lt": 65 },
///     "or": [ { "role": ["admin", "editor"] }, { "deleted_at": null } ]
/// })).unwrap();
/// let injection = filter_from_json(&serde_json::json!({ "password": { "$ne": null } }));
/// assert!(injection.unwrap_err().to_string().contains("filter.password.$ne"));
/// ```
pub fn filter_from_json(json: &Json) -> Result<Expr> {
    let Json::Object(_) = json else {
        return Err(bad(
            "filter",
            "a filter must be an object of attributes and connectors",
        ));
    };
    conditions(json, "filter")
}

fn bad(path: &str, why: &str) -> Error {
    Error::InvalidQuery(format!("{path}: {why}"))
}

/// An object's entries, joined with `AND`. An empty object is an empty `AND`, which every
/// filter refuses when it is used.
fn conditions(json: &Json, path: &str) -> Result<Expr> {
    let Json::Object(entries) = json else {
        return Err(bad(path, "expected an object of conditions"));
    };
    let items = entries
        .iter()
        .map(|(key, value)| {
            let path = format!("{path}.{key}");
            match key.as_str() {
                "and" => connective(value, &path).map(Expr::And),
                "or" => connective(value, &path).map(Expr::Or),
                "not" => Ok(conditions(value, &path)?.not()),
                attribute => attribute_conditions(attribute, value, &path),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(match <[Expr; 1]>::try_from(items) {
        Ok([single]) => single,
        Err(items) => Expr::And(items),
    })
}

/// The members of `and`/`or`: an array of condition objects, or one object whose entries
/// are the members.
fn connective(json: &Json, path: &str) -> Result<Vec<Expr>> {
    match json {
        Json::Array(members) => members
            .iter()
            .enumerate()
            .map(|(i, member)| conditions(member, &format!("{path}[{i}]")))
            .collect(),
        Json::Object(entries) => entries
            .iter()
            .map(|(key, value)| {
                let single = serde_json::Map::from_iter([(key.clone(), value.clone())]);
                conditions(&Json::Object(single), path)
            })
            .collect(),
        _ => Err(bad(path, "expected an array or an object of conditions")),
    }
}

/// The conditions on one attribute.
fn attribute_conditions(attribute: &str, json: &Json, path: &str) -> Result<Expr> {
    target_conditions(Expr::column(Ident::from(attribute.to_owned())), json, path)
}

/// The conditions on an attribute or on a value inside a JSON attribute (`target`).
fn target_conditions(target: Expr, json: &Json, path: &str) -> Result<Expr> {
    match json {
        Json::Object(operators) => {
            let items = operators
                .iter()
                .map(|(key, operand)| {
                    let path = format!("{path}.{key}");
                    match operator(target.clone(), key, operand, &path)? {
                        Some(condition) => Ok(condition),
                        None => target_conditions(json_key(target.clone(), key), operand, &path),
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(match <[Expr; 1]>::try_from(items) {
                Ok([single]) => single,
                Err(items) => Expr::And(items),
            })
        }
        Json::Array(_) => Ok(target.is_in(values(json, path)?)),
        Json::Null => Ok(target.is_null()),
        scalar => Ok(target.eq(value(scalar, path)?)),
    }
}

/// The value under `key` inside `target`: one more step of its JSON path.
fn json_key(target: Expr, key: &str) -> Expr {
    let key = JsonPathSegment::Key(key.to_owned());
    match target {
        Expr::JsonPath {
            expr,
            mut path,
            read,
        } => {
            path.push(key);
            Expr::JsonPath { expr, path, read }
        }
        column => column.json_text([key]),
    }
}

/// One operator of an attribute's object, from the closed set; `None` when `op` names no
/// operator (a JSON key). Sequelize's old `$`-prefixed aliases (`$ne`, `$gt`) are refused:
/// they were how injected objects became operators (security.md S7).
fn operator(column: Expr, op: &str, operand: &Json, path: &str) -> Result<Option<Expr>> {
    let text = || match operand {
        Json::String(s) => Ok(s.clone()),
        _ => Err(bad(path, "expected a string")),
    };
    let range = || -> Result<(Value, Value)> {
        match values(operand, path)?.as_slice() {
            [low, high] => Ok((low.clone(), high.clone())),
            _ => Err(bad(path, "expected an array of two values")),
        }
    };
    let comparison = match op {
        "eq" => Some(Comparison::Eq),
        "ne" => Some(Comparison::Ne),
        "gt" => Some(Comparison::Gt),
        "gte" => Some(Comparison::Gte),
        "lt" => Some(Comparison::Lt),
        "lte" => Some(Comparison::Lte),
        _ => None,
    };
    // `{ "gt": { "any": [1, 2] } }`, Sequelize's `{ [Op.gt]: { [Op.any]: [1, 2] } }`.
    if let (Some(comparison), Json::Object(quantifier)) = (comparison, operand) {
        let mut entries = quantifier.iter();
        return match (entries.next(), entries.next()) {
            (Some((q, list)), None) if q == "any" || q == "all" => {
                let path = format!("{path}.{q}");
                Ok(Some(quantified(
                    column,
                    comparison,
                    values(list, &path)?,
                    q == "any",
                )))
            }
            _ => Err(bad(
                path,
                "an object is not allowed where a value belongs, except {\"any\": [...]} or \
                 {\"all\": [...]}",
            )),
        };
    }
    Ok(Some(match op {
        "any" => quantified(column, Comparison::Eq, values(operand, path)?, true),
        "all" => quantified(column, Comparison::Eq, values(operand, path)?, false),
        "is" | "not" => {
            let negated = op == "not";
            match operand {
                Json::Null if negated => column.is_not_null(),
                Json::Null => column.is_null(),
                Json::Bool(value) => column.is_bool(*value, negated),
                _ => return Err(bad(path, "expected null, true or false")),
            }
        }
        "eq" if operand.is_null() => column.is_null(),
        "ne" if operand.is_null() => column.is_not_null(),
        "eq" => column.eq(value(operand, path)?),
        "ne" => column.ne(value(operand, path)?),
        "gt" => column.gt(value(operand, path)?),
        "gte" => column.gte(value(operand, path)?),
        "lt" => column.lt(value(operand, path)?),
        "lte" => column.lte(value(operand, path)?),
        "in" => column.is_in(values(operand, path)?),
        "notIn" => column.not_in(values(operand, path)?),
        "like" => column.like_with(text()?, false, false, false),
        "notLike" => column.like_with(text()?, true, false, false),
        "iLike" => column.like_with(text()?, false, true, false),
        "notILike" => column.like_with(text()?, true, true, false),
        "regexp" => column.regexp(text()?, false, false),
        "notRegexp" => column.regexp(text()?, true, false),
        "iRegexp" => column.regexp(text()?, false, true),
        "notIRegexp" => column.regexp(text()?, true, true),
        "between" => {
            let (low, high) = range()?;
            column.between(low, high)
        }
        "notBetween" => {
            let (low, high) = range()?;
            column.not_between(low, high)
        }
        // On an ARRAY attribute `contains` is the array operator; the model decides.
        "contains" => match operand {
            Json::Object(_) | Json::Array(_) => column.json_contains(operand.clone()),
            _ => return Err(bad(path, "expected an object or an array to look for")),
        },
        "contained" | "overlap" => match operand {
            Json::Array(_) => {
                let op = match op {
                    "contained" => ArrayOperator::ContainedBy,
                    _ => ArrayOperator::Overlaps,
                };
                column.array_compare(op, operand.clone())
            }
            _ => return Err(bad(path, "expected an array")),
        },
        alias if alias.starts_with('$') => {
            return Err(bad(
                path,
                "unknown operator (operator aliases such as $ne are not accepted; the \
                 operators are eq, ne, is, not, gt, gte, lt, lte, in, notIn, like, notLike, \
                 iLike, notILike, regexp, notRegexp, iRegexp, notIRegexp, between, \
                 notBetween, any, all, contains, contained and overlap)",
            ))
        }
        _ => return Ok(None),
    }))
}

/// A value in a value's slot: a string, number or boolean (`null` only where it means
/// `IS NULL`, handled by the caller).
fn value(json: &Json, path: &str) -> Result<Value> {
    Ok(match json {
        Json::String(s) => Value::Text(s.clone()),
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(
                n.as_f64()
                    .ok_or_else(|| bad(path, "the number does not fit an i64 or an f64"))?,
            ),
        },
        Json::Null => Value::Null,
        Json::Object(_) => return Err(bad(path, "an object is not allowed where a value belongs")),
        Json::Array(_) => return Err(bad(path, "an array is not allowed where a value belongs")),
    })
}

/// The values of an array (`in`, `between`); a `null` in it stays a value (`IN (NULL)`
/// matches nothing), never `IS NULL`.
fn values(json: &Json, path: &str) -> Result<Vec<Value>> {
    let Json::Array(items) = json else {
        return Err(bad(path, "expected an array of values"));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| value(item, &format!("{path}[{i}]")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error(json: Json) -> String {
        filter_from_json(&json).unwrap_err().to_string()
    }

    #[test]
    fn shapes() {
        assert_eq!(
            filter_from_json(&json!({ "age": { "gte": 18 } })).unwrap(),
            Expr::column("age").gte(18)
        );
        assert_eq!(
            filter_from_json(&json!({ "id": [1, 2] })).unwrap(),
            Expr::column("id").is_in([1, 2])
        );
        assert_eq!(
            filter_from_json(&json!({ "deleted_at": null })).unwrap(),
            Expr::column("deleted_at").is_null()
        );
        assert_eq!(
            filter_from_json(&json!({ "or": [{ "a": 1 }, { "b": 2 }] })).unwrap(),
            Expr::Or(vec![Expr::column("a").eq(1), Expr::column("b").eq(2)])
        );
        assert_eq!(
            filter_from_json(&json!({ "not": { "a": 1 } })).unwrap(),
            Expr::column("a").eq(1).not()
        );
        // Sequelize's `{ [Op.gt]: { [Op.any]: [...] } }` and `{ [Op.any]: [...] }`.
        let age = || Expr::column("age");
        assert_eq!(
            filter_from_json(&json!({ "age": { "gt": { "any": [1, 2] } } })).unwrap(),
            Expr::Or(vec![age().gt(1), age().gt(2)])
        );
        assert_eq!(
            filter_from_json(&json!({ "age": { "lte": { "all": [5] } } })).unwrap(),
            Expr::And(vec![age().lte(5)])
        );
        assert_eq!(
            filter_from_json(&json!({ "age": { "any": [] } })).unwrap(),
            age().is_in(Vec::<Value>::new())
        );
        assert_eq!(
            filter_from_json(&json!({})).unwrap(),
            Expr::And(vec![]),
            "an empty object is an empty AND, which every use refuses"
        );
    }

    #[test]
    fn hostile_shapes_name_their_path() {
        // security.md W1, W3, W6.
        assert!(error(json!({ "password": { "$ne": null } })).contains("filter.password.$ne"));
        assert!(error(json!({ "username": { "$gt": "" } }))
            .contains("filter.username.$gt: unknown operator"));
        // Another key is a JSON key, which the model refuses on a column that is not JSON.
        assert_eq!(
            filter_from_json(&json!({ "username": { "malicious": "code" } })).unwrap(),
            Expr::column("username")
                .json_text([JsonPathSegment::Key("malicious".into())])
                .eq("code")
        );
        assert!(
            error(json!({ "age": { "gte": { "x": 1 } } })).contains("filter.age.gte: an object")
        );
        assert!(error(json!({ "id": [[1]] })).contains("filter.id[0]: an array"));
        assert!(error(json!({ "or": "x" })).contains("filter.or: expected an array"));
        assert!(error(json!({ "or": [1] })).contains("filter.or[0]: expected an object"));
        for top in [json!(1), json!(null), json!("x"), json!([1])] {
            assert!(error(top).contains("a filter must be an object"));
        }
        assert!(error(json!({ "age": { "between": [1] } })).contains("two values"));
        assert!(
            error(json!({ "age": { "gt": { "some": [1] } } })).contains("filter.age.gt: an object")
        );
        assert!(error(json!({ "age": { "gt": { "any": 1 } } }))
            .contains("filter.age.gt.any: expected an array"));
        // `[null]` is a value in a list, never IS NULL (W2).
        assert_eq!(
            filter_from_json(&json!({ "name": [null] })).unwrap(),
            Expr::column("name").is_in([Value::Null])
        );
    }
}
