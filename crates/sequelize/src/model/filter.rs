//! Filters (`where`): combinators, and the check that ties a filter to a model.
//!
//! Every filter and order term passes [`resolve`] before it is rendered: each column must name
//! an attribute of the model (by attribute or column name), and each value compared with a
//! column is converted to that attribute's type. So `col("id").eq("1 OR 1=1")` is a typed
//! error, and MySQL never compares a string column with the number `0`
//! (`reference/security.md` classes D and E).

use super::convert::for_attribute;
use super::definition::ModelDefinition;
use crate::error::{Error, Result};
use crate::sql::{Expr, Ident, OrderBy};
use crate::types::DataType;
use crate::value::Value;

/// All of the conditions (`[Op.and]: [...]`). An empty list, here or nested at any depth, is an
/// error when the filter is used, never "every row".
///
/// ```
/// use sequelize::{and, col, ColumnOperators};
/// let f = and([col("a").eq(1), col("b").eq(2)]);
/// ```
pub fn and(conditions: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::And(conditions.into_iter().collect())
}

/// Any of the conditions (`[Op.or]: [...]`). An empty list is an error when the filter is used,
/// as for [`and`].
///
/// ```
/// use sequelize::{or, col, ColumnOperators};
/// let f = or([col("status").eq("active"), col("status").eq("pending")]);
/// ```
pub fn or(conditions: impl IntoIterator<Item = Expr>) -> Expr {
    Expr::Or(conditions.into_iter().collect())
}

/// The negation of a condition (`[Op.not]`).
///
/// ```
/// use sequelize::{not, col, ColumnOperators};
/// let f = not(col("status").eq("banned"));
/// ```
pub fn not(condition: Expr) -> Expr {
    condition.not()
}

/// The models a filter may name: the model queried (unqualified names, or its alias) and
/// the models joined to it, each by its alias (Sequelize's `$posts.title$`).
///
/// Names resolve to columns of the model they name; a column of a query with joins is
/// written qualified, so it never silently means another table's column of the same name.
pub(crate) struct Scope<'d> {
    /// The model queried, and the alias it is known by when the query joins others.
    main: (Option<&'d str>, &'d ModelDefinition),
    /// Joined models by alias.
    joined: Vec<(&'d str, &'d ModelDefinition)>,
}

impl<'d> Scope<'d> {
    /// One model, unaliased.
    pub(crate) fn of(def: &'d ModelDefinition) -> Self {
        Scope::new(None, def, Vec::new())
    }

    /// The model queried (known by `alias` in a query with joins), with the models joined to
    /// it by their aliases.
    pub(crate) fn new(
        alias: Option<&'d str>,
        def: &'d ModelDefinition,
        joined: Vec<(&'d str, &'d ModelDefinition)>,
    ) -> Self {
        Scope {
            main: (alias, def),
            joined,
        }
    }

    /// The model a column names, and the alias to qualify it with (none for a single model).
    fn model(&self, table: Option<&Ident>) -> Result<(Option<&'d str>, &'d ModelDefinition)> {
        let Some(alias) = table.map(Ident::as_str) else {
            return Ok(self.main);
        };
        if self.main.0 == Some(alias) || (self.main.0.is_none() && alias == self.main.1.name) {
            return Ok(self.main);
        }
        self.joined
            .iter()
            .find(|(joined, _)| *joined == alias)
            .map(|(joined, def)| (Some(*joined), *def))
            .ok_or_else(|| {
                Error::InvalidQuery(format!(
                    "the query on {} joins nothing called {alias:?}",
                    self.main.1.name
                ))
            })
    }

    /// The column an attribute name stands for, qualified as the scope needs, with the
    /// attribute's model and type.
    fn column(
        &self,
        table: Option<&Ident>,
        name: &Ident,
    ) -> Result<(Expr, &'d ModelDefinition, &'d DataType)> {
        let (alias, def) = self.model(table)?;
        let index = def.position(name.as_str()).ok_or_else(|| {
            Error::InvalidQuery(format!(
                "model {} has no attribute {:?}",
                def.name,
                name.as_str()
            ))
        })?;
        let attribute = &def.attributes[index];
        let field = attribute.column.name.clone();
        let column = match alias {
            Some(alias) => Expr::qualified(Ident(alias.to_owned().into()), field),
            None => Expr::column(field),
        };
        Ok((column, def, &attribute.column.data_type))
    }
}

/// Checks a filter against the models in scope and rewrites attribute names to columns.
///
/// An empty `AND` or `OR` anywhere in the filter is an error: `AND` of nothing is true, so
/// `or([and([]), x])` or `not(and([]))` would quietly turn into "every row" (or "no row") in a
/// finder, an update or a destroy.
pub(crate) fn resolve(expr: Expr, scope: &Scope<'_>) -> Result<Expr> {
    Ok(match expr {
        Expr::And(items) | Expr::Or(items) if items.is_empty() => {
            return Err(Error::InvalidQuery(format!(
                "the filter on {} has an empty and([]) or or([]); an empty condition would \
                 match every row or none, so remove it (leave the filter out to read every row)",
                scope.main.1.name
            )))
        }
        Expr::Column { table, name } => scope.column(table.as_ref(), &name)?.0,
        Expr::Binary { op, left, right } => {
            let (left, right) = match (*left, *right) {
                (Expr::Column { table, name }, Expr::Value(v)) => {
                    let (column, def, ty) = scope.column(table.as_ref(), &name)?;
                    (column, Expr::Value(coerce(v, ty, &name, def)?))
                }
                (l, r) => (resolve(l, scope)?, resolve(r, scope)?),
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
                Expr::Column { table, name } => {
                    let (column, def, ty) = scope.column(table.as_ref(), &name)?;
                    let list = list
                        .into_iter()
                        .map(|item| match item {
                            Expr::Value(v) => coerce(v, ty, &name, def).map(Expr::Value),
                            other => resolve(other, scope),
                        })
                        .collect::<Result<_>>()?;
                    (column, list)
                }
                other => (resolve(other, scope)?, resolve_all(list, scope)?),
            };
            Expr::InList {
                expr: Box::new(expr),
                list,
                negated,
            }
        }
        Expr::And(items) => Expr::And(resolve_all(items, scope)?),
        Expr::Or(items) => Expr::Or(resolve_all(items, scope)?),
        Expr::Not(inner) => Expr::Not(Box::new(resolve(*inner, scope)?)),
        Expr::IsNull { expr, negated } => Expr::IsNull {
            expr: Box::new(resolve(*expr, scope)?),
            negated,
        },
        Expr::IsBool {
            expr,
            value,
            negated,
        } => Expr::IsBool {
            expr: Box::new(resolve(*expr, scope)?),
            value,
            negated,
        },
        Expr::Function {
            function,
            args,
            distinct,
        } => Expr::Function {
            function,
            args: resolve_all(args, scope)?,
            distinct,
        },
        Expr::Cast { expr, to } => Expr::Cast {
            expr: Box::new(resolve(*expr, scope)?),
            to,
        },
        Expr::JsonPath {
            expr,
            path,
            as_text,
        } => Expr::JsonPath {
            expr: Box::new(resolve(*expr, scope)?),
            path,
            as_text,
        },
        Expr::Between {
            expr,
            low,
            high,
            negated,
        } => {
            let (expr, low, high) = match *expr {
                Expr::Column { table, name } => {
                    let (column, def, ty) = scope.column(table.as_ref(), &name)?;
                    let bound = |e: Expr| match e {
                        Expr::Value(v) => coerce(v, ty, &name, def).map(Expr::Value),
                        other => resolve(other, scope),
                    };
                    (column, bound(*low)?, bound(*high)?)
                }
                other => (
                    resolve(other, scope)?,
                    resolve(*low, scope)?,
                    resolve(*high, scope)?,
                ),
            };
            Expr::Between {
                expr: Box::new(expr),
                low: Box::new(low),
                high: Box::new(high),
                negated,
            }
        }
        Expr::Like {
            expr,
            pattern,
            negated,
            case_insensitive,
            escaped,
        } => Expr::Like {
            expr: Box::new(resolve(*expr, scope)?),
            pattern: Box::new(resolve(*pattern, scope)?),
            negated,
            case_insensitive,
            escaped,
        },
        Expr::Regexp {
            expr,
            pattern,
            negated,
            case_insensitive,
        } => Expr::Regexp {
            expr: Box::new(resolve(*expr, scope)?),
            pattern: Box::new(resolve(*pattern, scope)?),
            negated,
            case_insensitive,
        },
        Expr::InSubquery {
            expr,
            select,
            negated,
        } => Expr::InSubquery {
            expr: Box::new(resolve(*expr, scope)?),
            select,
            negated,
        },
        // A subquery names its own tables; its identifiers are quoted and its values bound.
        value @ (Expr::Value(_) | Expr::Literal(_) | Expr::Exists { .. }) => value,
    })
}

fn resolve_all(items: Vec<Expr>, scope: &Scope<'_>) -> Result<Vec<Expr>> {
    items.into_iter().map(|e| resolve(e, scope)).collect()
}

/// Checks order terms against the models in scope.
pub(crate) fn resolve_order(order: Vec<OrderBy>, scope: &Scope<'_>) -> Result<Vec<OrderBy>> {
    order
        .into_iter()
        .map(|term| {
            Ok(OrderBy {
                expr: resolve(term.expr, scope)?,
                ..term
            })
        })
        .collect()
}

/// Converts a value compared with an attribute to the attribute's type, for the types
/// whose comparisons depend on it (integers, text, booleans, UUIDs); an error names the
/// attribute.
pub(crate) fn coerce(
    value: Value,
    ty: &DataType,
    name: &Ident,
    def: &ModelDefinition,
) -> Result<Value> {
    let compared_as_typed = matches!(
        ty,
        DataType::SmallInt
            | DataType::Integer
            | DataType::BigInt
            | DataType::String(_)
            | DataType::Char(_)
            | DataType::Text
            | DataType::Enum(_)
            | DataType::Boolean
            | DataType::Uuid
    );
    if !compared_as_typed {
        return Ok(value);
    }
    for_attribute(value, ty, &def.name, name.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{col, Attribute, ColumnOperators};

    fn def() -> ModelDefinition {
        ModelDefinition::builder("User")
            .attribute(Attribute::new("id", DataType::Integer))
            .attribute(Attribute::new("first_name", DataType::String(None)))
            .build()
            .unwrap()
    }

    #[test]
    fn attribute_names_become_columns() {
        let e = resolve(col("first_name").eq("Ann"), &Scope::of(&def())).unwrap();
        assert_eq!(e, Expr::column("firstName").eq("Ann"));
    }

    #[test]
    fn unknown_attributes_and_bad_values_are_errors() {
        let order_injection =
            "(CASE WHEN (SELECT COUNT(*) FROM users)>0 THEN email ELSE password END)";
        assert!(resolve(col(order_injection).eq(1), &Scope::of(&def())).is_err());
        let err = resolve(col("id").eq("1 OR 1=1"), &Scope::of(&def())).unwrap_err();
        assert!(err.to_string().contains("User.id"), "{err}");
        assert_eq!(
            resolve(col("first_name").eq(0), &Scope::of(&def())).unwrap(),
            Expr::column("firstName").eq("0")
        );
    }

    #[test]
    fn names_resolve_against_aliased_models() {
        let users = def();
        let posts = ModelDefinition::builder("Post")
            .attribute(Attribute::new("id", DataType::Integer))
            .attribute(Attribute::new("author_id", DataType::Integer))
            .attribute(Attribute::new("title", DataType::String(None)))
            .build()
            .unwrap();
        let scope = Scope::new(Some("User"), &users, vec![("posts", &posts)]);
        let resolved = resolve(
            col("$posts.title$").eq(5).and(col("first_name").eq("Ann")),
            &scope,
        )
        .unwrap();
        assert_eq!(
            resolved,
            Expr::qualified("posts", "title")
                .eq("5")
                .and(Expr::qualified("User", "firstName").eq("Ann"))
        );
        // The joined model's types apply to its columns.
        let err = resolve(col("$posts.author_id$").eq("x"), &scope).unwrap_err();
        assert!(err.to_string().contains("Post.author_id"), "{err}");
        let unknown = resolve(col("$comments.id$").eq(1), &scope).unwrap_err();
        assert!(unknown.to_string().contains("comments"), "{unknown}");
        assert!(resolve(col("$posts.nope$").eq(1), &scope).is_err());
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
            let err = resolve(filter, &Scope::of(&def())).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidQuery(m) if m.contains("empty")),
                "{shown}: {err}"
            );
        }
        assert!(resolve(and([id(), or([id()])]), &Scope::of(&def())).is_ok());
    }
}
