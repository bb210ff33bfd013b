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
use crate::sql::{ArrayOperator, Expr, Ident, JsonPathSegment, JsonRead, OrderBy};
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
        // `$comments.author.name$` names the include joined as `comments->author`.
        let path = alias.replace('.', "->");
        self.joined
            .iter()
            .find(|(joined, _)| *joined == alias || *joined == path)
            .map(|(joined, def)| (Some(*joined), *def))
            .ok_or_else(|| {
                Error::InvalidQuery(format!(
                    "the query on {} joins nothing called {alias:?}",
                    self.main.1.name
                ))
            })
    }

    /// What a column name or JSON path in a filter stands for, or `None` for any other
    /// expression. A name is an attribute (by attribute or column name), qualified as the
    /// scope needs; a dotted name whose first part is a JSON attribute (`meta.a.b`,
    /// Sequelize's nested JSON `where`) is a path into it, each further part a key.
    fn operand(&self, expr: &Expr) -> Result<Option<Operand<'d>>> {
        match expr {
            Expr::Column { table, name } => self.column(table.as_ref(), name).map(Some),
            Expr::JsonPath { expr, path, read } => self.json_path(expr, path, *read),
            _ => Ok(None),
        }
    }

    /// What a column name stands for: an attribute, or a dotted path into a JSON one.
    fn column(&self, table: Option<&Ident>, name: &Ident) -> Result<Operand<'d>> {
        let (alias, def) = self.model(table)?;
        let column = |index: usize| {
            let field = def.attributes[index].column.name.clone();
            match alias {
                Some(alias) => Expr::qualified(Ident::new(alias.to_owned()), field),
                None => Expr::column(field),
            }
        };
        if let Some(index) = def.position(name.as_str()) {
            return Ok(Operand::Attribute {
                column: column(index),
                def,
                index,
            });
        }
        let dotted = name
            .as_str()
            .split_once('.')
            .and_then(|(base, keys)| Some((def.position(base)?, keys)));
        let Some((index, keys)) = dotted else {
            return Err(Error::InvalidQuery(format!(
                "model {} has no attribute {:?}",
                def.name,
                name.as_str()
            )));
        };
        json_attribute(def, index, name.as_str())?;
        let path = keys
            .split('.')
            .map(|key| JsonPathSegment::Key(key.to_owned()));
        Ok(Operand::Json(column(index).json_text(path)))
    }

    /// What a JSON path stands for when it looks inside an attribute (which must be JSON);
    /// `None` when it looks inside another expression.
    fn json_path(
        &self,
        inner: &Expr,
        path: &[JsonPathSegment],
        read: JsonRead,
    ) -> Result<Option<Operand<'d>>> {
        let Some(Operand::Attribute { column, def, index }) = self.operand(inner)? else {
            return Ok(None);
        };
        let keys: Vec<String> = (path.iter())
            .map(|segment| match segment {
                JsonPathSegment::Key(key) => format!("{key:?}"),
                JsonPathSegment::Index(i) => format!("[{i}]"),
            })
            .collect();
        json_attribute(def, index, &format!("the JSON path {}", keys.join(".")))?;
        Ok(Some(Operand::Json(column.json_read(path.to_vec(), read))))
    }
}

/// What a name in a filter stands for.
enum Operand<'d> {
    /// An attribute's column: values compared with it are converted to its type.
    Attribute {
        column: Expr,
        def: &'d ModelDefinition,
        index: usize,
    },
    /// A value inside a JSON attribute ([`Expr::JsonPath`]).
    Json(Expr),
}

impl Operand<'_> {
    /// A value compared with the operand, converted to the attribute's type where its
    /// comparisons depend on it.
    fn value(&self, value: Value) -> Result<Value> {
        match self {
            Operand::Attribute { def, index, .. } => coerce(value, def, *index),
            Operand::Json(_) => Ok(value),
        }
    }

    /// The operand as compared with `value`: a JSON value read as text is read as a number
    /// or a boolean when compared with one (Sequelize's casts of JSON values).
    fn compared_with(self, value: Option<&Value>) -> Expr {
        match self {
            Operand::Attribute { column, .. } => column,
            Operand::Json(Expr::JsonPath {
                expr,
                path,
                read: JsonRead::Text,
            }) => Expr::JsonPath {
                expr,
                path,
                read: value.map_or(JsonRead::Text, JsonRead::for_value),
            },
            Operand::Json(path) => path,
        }
    }
}

/// `column op right` for the ARRAY attribute `index`, its value converted to the
/// attribute's element type.
fn array_compare(
    column: Expr,
    op: ArrayOperator,
    right: Expr,
    def: &ModelDefinition,
    index: usize,
    scope: &Scope<'_>,
) -> Result<Expr> {
    let attribute = &def.attributes[index];
    if !matches!(attribute.column.data_type, DataType::Array(_)) {
        return Err(Error::InvalidQuery(format!(
            "{}.{} is {}, not an ARRAY, so array operators do not apply to it",
            def.name, attribute.name, attribute.column.data_type
        )));
    }
    let right = match right {
        Expr::Value(v) => Expr::Value(coerce(v, def, index)?),
        other => resolve(other, scope)?,
    };
    Ok(Expr::ArrayCompare {
        left: Box::new(column),
        op,
        right: Box::new(right),
    })
}

/// Checks that attribute `index` holds JSON, for `what` (a dotted name or a JSON path).
fn json_attribute(def: &ModelDefinition, index: usize, what: &str) -> Result<()> {
    let attribute = &def.attributes[index];
    match attribute.column.data_type {
        DataType::Json | DataType::Jsonb => Ok(()),
        ref other => Err(Error::InvalidQuery(format!(
            "{}.{} is {other}, not JSON, so {what} cannot look inside it (in a filter object, \
             a key that is no operator such as eq, gt or in is a key inside a JSON or JSONB \
             attribute)",
            def.name, attribute.name
        ))),
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
        Expr::Column { table, name } => scope.column(table.as_ref(), &name)?.compared_with(None),
        Expr::JsonPath { expr, path, read } => match scope.json_path(&expr, &path, read)? {
            Some(operand) => operand.compared_with(None),
            None => resolve(*expr, scope)?.json_read(path, read),
        },
        Expr::Binary { op, left, right } => {
            let (left, right) = match (*left, *right) {
                (l, Expr::Value(v)) => match scope.operand(&l)? {
                    Some(operand) => {
                        let v = operand.value(v)?;
                        (operand.compared_with(Some(&v)), Expr::Value(v))
                    }
                    None => (resolve(l, scope)?, Expr::Value(v)),
                },
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
            let (expr, list) = match scope.operand(&expr)? {
                Some(operand) => {
                    let list = list
                        .into_iter()
                        .map(|item| match item {
                            Expr::Value(v) => operand.value(v).map(Expr::Value),
                            other => resolve(other, scope),
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let sample = list.iter().find_map(|item| match item {
                        Expr::Value(v) if !v.is_null() => Some(v),
                        _ => None,
                    });
                    (operand.compared_with(sample), list)
                }
                None => (resolve(*expr, scope)?, resolve_all(list, scope)?),
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
        // `contains` on an ARRAY attribute is the array operator (a filter from data cannot
        // tell the two apart; the attribute's type does).
        Expr::JsonContains { doc, candidate } => match scope.operand(&doc)? {
            Some(Operand::Attribute { column, def, index })
                if matches!(def.attributes[index].column.data_type, DataType::Array(_)) =>
            {
                array_compare(
                    column,
                    ArrayOperator::Contains,
                    *candidate,
                    def,
                    index,
                    scope,
                )?
            }
            Some(Operand::Attribute { column, def, index }) => {
                json_attribute(def, index, "containment")?;
                Expr::JsonContains {
                    doc: Box::new(column),
                    candidate: Box::new(resolve(*candidate, scope)?),
                }
            }
            _ => {
                return Err(Error::InvalidQuery(
                    "containment needs a JSON or ARRAY attribute on its left".into(),
                ))
            }
        },
        Expr::ArrayCompare { left, op, right } => match scope.operand(&left)? {
            Some(Operand::Attribute { column, def, index }) => {
                array_compare(column, op, *right, def, index, scope)?
            }
            _ => {
                return Err(Error::InvalidQuery(
                    "an array operator needs an ARRAY attribute on its left".into(),
                ))
            }
        },
        Expr::Between {
            expr,
            low,
            high,
            negated,
        } => {
            let (expr, low, high) = match scope.operand(&expr)? {
                Some(operand) => {
                    let bound = |e: Expr| match e {
                        Expr::Value(v) => operand.value(v).map(Expr::Value),
                        other => resolve(other, scope),
                    };
                    let (low, high) = (bound(*low)?, bound(*high)?);
                    let sample = match &low {
                        Expr::Value(v) => Some(v),
                        _ => None,
                    };
                    (operand.compared_with(sample), low, high)
                }
                None => (
                    resolve(*expr, scope)?,
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
        Expr::Window {
            function,
            partition_by,
            order,
        } => Expr::Window {
            function,
            partition_by: resolve_all(partition_by, scope)?,
            order: resolve_order(order, scope)?,
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
pub(crate) fn coerce(value: Value, def: &ModelDefinition, index: usize) -> Result<Value> {
    let attribute = &def.attributes[index];
    let ty = &attribute.column.data_type;
    let compared_as_typed = ty.is_integer()
        || ty.is_text()
        || matches!(ty, DataType::Boolean | DataType::Uuid | DataType::Array(_));
    if !compared_as_typed {
        return Ok(value);
    }
    for_attribute(value, ty, &def.name, &attribute.name)
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
