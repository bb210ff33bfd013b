//! `replacements` and `bind` for raw queries.
//!
//! Both are resolved in one pass of the [scanner](super::scanner) over the developer's SQL,
//! and only there: text produced by escaping is never scanned again (CVE-2023-25813).
//! Replacements are inlined as literals escaped for the dialect, exactly as Sequelize does
//! (so they also work in DDL, where bind parameters cannot go); bind parameters become the
//! driver's own placeholders and travel separately from the text.

use std::borrow::Cow;
use std::collections::HashMap;

use super::pool::Conn;
use crate::dialect::push_literal;
use crate::dialect::Dialect;
use crate::error::{Error, Result};
use crate::sql::scanner::{scan, Backslashes, Piece, ScanError, ScanFor};
use crate::value::Value;

/// One replacement: a value, or a list that expands to `a, b, c` (write the parentheses in
/// the SQL: `IN (:ids)`).
///
/// ```
/// use sequelize::Replacement;
/// let one: Replacement = "active".into();
/// let many = Replacement::list([1, 2, 3]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Replacement {
    /// A single value.
    Value(Value),
    /// A list of values, expanded to a comma-separated list.
    List(Vec<Value>),
}

impl Replacement {
    /// A list replacement.
    pub fn list<V: Into<Value>>(values: impl IntoIterator<Item = V>) -> Self {
        Replacement::List(values.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<T> for Replacement {
    fn from(v: T) -> Self {
        Replacement::Value(v.into())
    }
}

/// Values for `?` (positional) or `:name` (named) replacements. One query uses one kind,
/// as in Sequelize (an array or an object).
///
/// ```
/// use sequelize::{Replacement, Replacements};
/// let named = Replacements::named().set("status", "active").set("ids", Replacement::list([1, 2]));
/// let positional = Replacements::positional().push(5).push("x");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Replacements {
    /// For `?`, in order.
    Positional(Vec<Replacement>),
    /// For `:name`.
    Named(HashMap<String, Replacement>),
}

impl Replacements {
    /// An empty positional list.
    pub fn positional() -> Self {
        Replacements::Positional(Vec::new())
    }

    /// An empty named map.
    pub fn named() -> Self {
        Replacements::Named(HashMap::new())
    }

    /// Appends a positional replacement.
    ///
    /// # Panics
    /// On a named map (mixing the kinds is a programming error).
    #[must_use]
    pub fn push(mut self, value: impl Into<Replacement>) -> Self {
        match &mut self {
            Replacements::Positional(list) => list.push(value.into()),
            Replacements::Named(_) => panic!("push() is for positional replacements; use set()"),
        }
        self
    }

    /// Sets a named replacement.
    ///
    /// # Panics
    /// On a positional list (mixing the kinds is a programming error).
    #[must_use]
    pub fn set(mut self, name: impl Into<String>, value: impl Into<Replacement>) -> Self {
        match &mut self {
            Replacements::Named(map) => {
                map.insert(name.into(), value.into());
            }
            Replacements::Positional(_) => panic!("set() is for named replacements; use push()"),
        }
        self
    }
}

/// Values for bind parameters `$1, $2, …` (positional) or `$name` (named), sent to the
/// database separately from the SQL.
///
/// ```
/// use sequelize::Bind;
/// let by_position = Bind::positional().push(1).push("a");
/// let by_name = Bind::named().set("id", 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    /// For `$1`, `$2`, …
    Positional(Vec<Value>),
    /// For `$name`.
    Named(HashMap<String, Value>),
}

impl Bind {
    /// An empty positional list.
    pub fn positional() -> Self {
        Bind::Positional(Vec::new())
    }

    /// An empty named map.
    pub fn named() -> Self {
        Bind::Named(HashMap::new())
    }

    /// Appends a positional value.
    ///
    /// # Panics
    /// On a named map.
    #[must_use]
    pub fn push(mut self, value: impl Into<Value>) -> Self {
        match &mut self {
            Bind::Positional(list) => list.push(value.into()),
            Bind::Named(_) => panic!("push() is for positional bind parameters; use set()"),
        }
        self
    }

    /// Sets a named value.
    ///
    /// # Panics
    /// On a positional list.
    #[must_use]
    pub fn set(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        match &mut self {
            Bind::Named(map) => {
                map.insert(name.into(), value.into());
            }
            Bind::Positional(_) => panic!("set() is for named bind parameters; use push()"),
        }
        self
    }
}

/// Resolves replacements and bind parameters in developer SQL: the final text (the input
/// itself when there is nothing to resolve), and the values to bind in placeholder order.
///
/// The SQL is lexed by the session of `conn`: where a literal's end depends on how the session
/// reads backslashes (`standard_conforming_strings`, `NO_BACKSLASH_ESCAPES`) and the driver
/// does not know it offhand, the session is asked; a token whose end cannot be known for
/// certain (MySQL's `"…"` under an unknown `ANSI_QUOTES`) is an error.
pub(crate) async fn resolve<'s>(
    sql: &'s str,
    dialect: &dyn Dialect,
    conn: &mut Conn,
    replacements: Option<&Replacements>,
    bind: Option<&Bind>,
) -> Result<(Cow<'s, str>, Vec<Value>)> {
    if replacements.is_none() && bind.is_none() {
        return Ok((Cow::Borrowed(sql), Vec::new()));
    }
    // As in Sequelize, `?` is a replacement only when the replacements are positional, so
    // PostgreSQL's jsonb `?` operator can stand next to `:name`. A `:name` with positional
    // replacements is still recognised, to report the mix as an error.
    let scan_for = match replacements {
        None => ScanFor::NOTHING,
        Some(Replacements::Positional(_)) => ScanFor::REPLACEMENTS,
        Some(Replacements::Named(_)) => ScanFor {
            named: true,
            ..ScanFor::NOTHING
        },
    }
    .with_bind(bind.is_some());
    let rules = dialect.scan_rules();
    let offhand = conn.backslashes();
    let pieces = match scan(sql, &rules.with_backslashes(offhand), scan_for) {
        Err(ScanError::ModeDependent { .. }) if offhand == Backslashes::Unknown => {
            let session = conn.session_backslashes().await?;
            scan(sql, &rules.with_backslashes(session), scan_for)
        }
        scanned => scanned,
    }
    .map_err(|e| Error::InvalidQuery(format!("cannot read the SQL for placeholders: {e}")))?;
    let (sql, params) = substitute(pieces, sql.len(), dialect, replacements, bind)?;
    Ok((Cow::Owned(sql), params))
}

/// Joins the scanned pieces with each placeholder's substitution: an inlined literal for a
/// replacement, the dialect's parameter marker for a bind parameter.
fn substitute(
    pieces: Vec<Piece<'_>>,
    length: usize,
    dialect: &dyn Dialect,
    replacements: Option<&Replacements>,
    bind: Option<&Bind>,
) -> Result<(String, Vec<Value>)> {
    let mut out = String::with_capacity(length + 16);
    let mut params = Vec::new();
    let mut next_positional = 0usize;
    for piece in pieces {
        match piece {
            Piece::Sql(text) => out.push_str(text),
            Piece::Positional => {
                let Some(Replacements::Positional(list)) = replacements else {
                    return Err(Error::InvalidQuery(
                        "the SQL has a `?` replacement but the replacements are named".into(),
                    ));
                };
                let value = list.get(next_positional).ok_or_else(|| {
                    Error::InvalidQuery(format!(
                        "the SQL has more `?` replacements than the {} given",
                        list.len()
                    ))
                })?;
                next_positional += 1;
                push_replacement(value, dialect, &mut out)?;
            }
            Piece::Named(name) => {
                let Some(Replacements::Named(map)) = replacements else {
                    return Err(Error::InvalidQuery(format!(
                        "the SQL has the named replacement :{name} but the replacements are positional"
                    )));
                };
                let value = map.get(name).ok_or_else(|| {
                    Error::InvalidQuery(format!("named replacement :{name} has no entry"))
                })?;
                push_replacement(value, dialect, &mut out)?;
            }
            Piece::BindIndex(index) => {
                let value = match bind {
                    Some(Bind::Positional(list)) => index.checked_sub(1).and_then(|i| list.get(i)),
                    _ => None,
                }
                .ok_or_else(|| {
                    Error::InvalidQuery(format!("bind parameter ${index} has no value"))
                })?;
                params.push(value.clone());
                dialect.push_placeholder(params.len(), &mut out);
            }
            Piece::BindName(name) => {
                let value = match bind {
                    Some(Bind::Named(map)) => map.get(name),
                    _ => None,
                }
                .ok_or_else(|| {
                    Error::InvalidQuery(format!("bind parameter ${name} has no value"))
                })?;
                params.push(value.clone());
                dialect.push_placeholder(params.len(), &mut out);
            }
        }
    }
    if let Some(Replacements::Positional(list)) = replacements {
        if next_positional != list.len() {
            return Err(Error::InvalidQuery(format!(
                "{} positional replacements were given but the SQL has {next_positional}",
                list.len()
            )));
        }
    }
    Ok((out, params))
}

fn push_replacement(value: &Replacement, dialect: &dyn Dialect, out: &mut String) -> Result<()> {
    match value {
        Replacement::Value(v) => push_literal(v, dialect, out),
        // An empty list becomes NULL so `IN (:ids)` stays valid SQL and matches nothing.
        Replacement::List(list) if list.is_empty() => {
            out.push_str("NULL");
            Ok(())
        }
        Replacement::List(list) => {
            for (i, v) in list.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_literal(v, dialect, out)?;
            }
            Ok(())
        }
    }
}
