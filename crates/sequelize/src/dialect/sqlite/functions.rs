//! SQL functions SQLite lacks and the crate's SQL uses, registered on every connection.

use std::sync::Arc;

use regex::Regex;
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;

/// Registers the functions on `conn`.
pub(super) fn register(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    // `x REGEXP y` is SQLite's call `regexp(y, x)`; SQLite has no function of that name.
    conn.create_scalar_function(
        "regexp",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        regexp,
    )
}

/// `regexp(pattern, text)`: whether the pattern (Rust's `regex` syntax, which runs in time
/// linear in the text whatever the pattern) matches somewhere in the text; `NULL` when either
/// is `NULL`. Numbers are matched in their text form, as MySQL does. The compiled pattern is
/// kept for the statement's later rows.
fn regexp(ctx: &mut Context<'_>) -> rusqlite::Result<Option<bool>> {
    if matches!(ctx.get_raw(0), ValueRef::Null) {
        return Ok(None);
    }
    let text = match ctx.get_raw(1) {
        ValueRef::Null => return Ok(None),
        ValueRef::Text(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Blob(_) => {
            return Err(rusqlite::Error::UserFunctionError(
                "REGEXP cannot match a BLOB".into(),
            ))
        }
    };
    let regex: Arc<Regex> = ctx.get_or_create_aux(0, |pattern| -> Result<Regex, BoxError> {
        Ok(Regex::new(pattern.as_str()?)?)
    })?;
    Ok(Some(regex.is_match(&text)))
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
