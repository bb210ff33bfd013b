//! Filters (`where`): combinators, and the check that ties a filter to a model.
//!
//! Every filter and order term passes [`resolve`] before it is rendered: each column must name
//! an attribute of the model (by attribute or column name), and each value compared with a
//! column is converted to that attribute's type. So `col("id").eq("1 OR 1=1")` is a typed
//! error, and MySQL never compares a string column with the number `0`
//! (`reference/security.md` classes D and E).

use super::definition::ModelDefinition;
use crate::error::{Error, Result};
use crate::sql::{Expr, Ident, OrderBy};
use crate::types::DataType;
use crate::value::{FromValue, Value};

/// All of the conditions (`[Op.and]: [...]`). An empty list, here or nested at any depth, is an
/// error when the filter is used, never "every row".
///
/// ```
/// use sequelize::{and, col};
/// let f = and([col("a").eq(1), col("b").eq(2)]);
/// ```
pub fn and(conditions: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::And(conditions.into_iter().collect())
}

/// Any of the conditions (`[Op.or]: [...]`). An empty list is an error when the filter is used,
/// as for [`and`].
///
/// ```
/// use sequelize::{or, col};
/// let f = or([col("status").eq("active"), col("status").eq("pending")]);
/// ```
pub fn or(conditions: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Or(conditions.into_iter().collect())
}

/// The negation of a condition (`[Op.not]`).
///
/// ```
/// use sequelize::{not, col};
/// let f = not(col("status").eq("banned"));
/// ```
pub fn not(condition: Expr) -> Expr {
    condition.not()
}

/// Checks a filter against a model and rewrites attribute names to column names.
///
/// An empty `AND` or `OR` anywhere in the filter is an error: `AND` of nothing is true, so
/// `or([and([]), x])` or `not(and([]))` would quietly turn into "every row" (or "no row") in a
/// finder, an update or a destroy.
pub(crate) fn resolve(expr: Expr, def: &ModelDefinition) -> Result<Expr> {
    Ok(match expr {
        Expr::And(items) | Expr::Or(items) if items.is_empty() => {
            return Err(Error::InvalidQuery(format!(
                "the filter on {} has an empty and([]) or or([]); an empty condition would \
                 match every row or none, so remove it (leave the filter out to read every row)",
                def.name
            )))
        }
        Expr::Column { table, name } => Expr::Column {
            table,
            name: column_of(&name, def)?.0,
        },
        Expr::Binary { op, left, right } => {
            let (left, right) = match (*left, *right) {
                (Expr::Column { name, .. }, Expr::Value(v)) => {
                    let (field, ty) = column_of(&name, def)?;
                    let value = coerce(v, ty, &name, def)?;
                    (Expr::column(field), Expr::Value(value))
                }
                (l, r) => (resolve(l, def)?, resolve(r, def)?),
            };
            Expr::Binary {
                op,
                left: Box::new(left),
                right: Box::new(right),
            }
        }
        Expr::InList {
            expr,
            list,
            negated,
        } => {
            let (expr, list) = match *expr {
                Expr::Column { name, .. } => {
                    let (field, ty) = column_of(&name, def)?;
                    let list = list
                        .into_iter()
                        .map(|item| match item {
                            Expr::Value(v) => coerce(v, ty, &name, def).map(Expr::Value),
                            other => resolve(other, def),
                        })
                        .collect::<Result<_>>()?;
                    (Expr::column(field), list)
                }
                other => (
                    resolve(other, def)?,
                    list.into_iter()
                        .map(|e| resolve(e, def))
                        .collect::<Result<_>>()?,
                ),
            };
            Expr::InList {
                expr: Box::new(expr),
                list,
                negated,
            }
        }
        Expr::And(items) => Expr::And(resolve_all(items, def)?),
        Expr::Or(items) => Expr::Or(resolve_all(items, def)?),
        Expr::Not(inner) => Expr::Not(Box::new(resolve(*inner, def)?)),
        Expr::IsNull { expr, negated } => Expr::IsNull {
            expr: Box::new(resolve(*expr, def)?),
            negated,
        },
        value @ (Expr::Value(_) | Expr::Literal(_)) => value,
    })
}

fn resolve_all(items: Vec<Expr>, def: &ModelDefinition) -> Result<Vec<Expr>> {
    items.into_iter().map(|e| resolve(e, def)).collect()
}

/// Checks order terms against a model.
pub(crate) fn resolve_order(order: Vec<OrderBy>, def: &ModelDefinition) -> Result<Vec<OrderBy>> {
    order
        .into_iter()
        .map(|term| {
            Ok(OrderBy {
                expr: resolve(term.expr, def)?,
                direction: term.direction,
            })
        })
        .collect()
}

fn column_of<'d>(name: &Ident, def: &'d ModelDefinition) -> Result<(Ident, &'d DataType)> {
    let index = def.position(name.as_str()).ok_or_else(|| {
        Error::InvalidQuery(format!(
            "model {} has no attribute {:?}",
            def.name,
            name.as_str()
        ))
    })?;
    let attribute = &def.attributes[index];
    Ok((Ident(attribute.field.clone().into()), &attribute.data_type))
}

/// Converts a value compared with an attribute to the attribute's type.
fn coerce(value: Value, ty: &DataType, name: &Ident, def: &ModelDefinition) -> Result<Value> {
    let wrong = |e: Error| {
        Error::InvalidQuery(format!(
            "{}.{}: {}",
            def.name,
            name.as_str(),
            match e {
                Error::Decode(m) => m,
                other => other.to_string(),
            }
        ))
    };
    if value.is_null() {
        return Ok(value);
    }
    Ok(match ty {
        DataType::SmallInt | DataType::Integer | DataType::BigInt => {
            Value::Int(i64::from_value(value).map_err(wrong)?)
        }
        DataType::String(_) | DataType::Char(_) | DataType::Text | DataType::Enum(_) => match value
        {
            Value::Int(i) => Value::Text(i.to_string()),
            Value::Float(f) => Value::Text(f.to_string()),
            Value::Decimal(d) => Value::Text(d.to_string()),
            Value::Text(_) => value,
            other => {
                return Err(wrong(Error::Decode(format!(
                    "a {} value cannot be compared with a string attribute",
                    other.kind()
                ))))
            }
        },
        DataType::Boolean => Value::Bool(bool::from_value(value).map_err(wrong)?),
        DataType::Uuid => Value::Uuid(uuid::Uuid::from_value(value).map_err(wrong)?),
        _ => value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{col, Attribute};

    fn def() -> ModelDefinition {
        ModelDefinition::builder("User")
            .attribute(Attribute::new("id", DataType::Integer))
            .attribute(Attribute::new("first_name", DataType::String(None)))
            .build()
            .unwrap()
    }

    #[test]
    fn attribute_names_become_columns() {
        let e = resolve(col("first_name").eq("Ann"), &def()).unwrap();
        assert_eq!(e, Expr::column("firstName").eq("Ann"));
    }

    #[test]
    fn unknown_attributes_and_bad_values_are_errors() {
        let order_injection =
            "(CASE WHEN (SELECT COUNT(*) FROM users)>0 THEN email ELSE password END)";
        assert!(resolve(col(order_injection).eq(1), &def()).is_err());
        let err = resolve(col("id").eq("1 OR 1=1"), &def()).unwrap_err();
        assert!(err.to_string().contains("User.id"), "{err}");
        assert_eq!(
            resolve(col("first_name").eq(0), &def()).unwrap(),
            Expr::column("firstName").eq("0")
        );
    }

    #[test]
    fn empty_conditions_are_errors_at_any_depth() {
        let id = || col("id").eq(1);
        for filter in [
            and([]),
            or([]),
            and([and([])]),
            or([and([])]),
            and([]).or(id()),
            id().or(and([])),
            not(and([])),
            not(or([])),
            and([id(), or([id(), not(and([id(), or([])]))])]),
        ] {
            let shown = format!("{filter:?}");
            let err = resolve(filter, &def()).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidQuery(m) if m.contains("empty")),
                "{shown}: {err}"
            );
        }
        assert!(resolve(and([id(), or([id()])]), &def()).is_ok());
    }
}
