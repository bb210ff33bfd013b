//! What SQLite writes differently from standard SQL.

use super::{types, Sqlite, TIMESTAMP_FORMAT};
use crate::dialect::{
    common, json_path_string, limit_before_offset, unsupported, QueryGenerator, SqlWriter,
};
use crate::error::{Error, Result};
use crate::sql::{
    CastType, ColumnDef, Constraint, ConstraintType, CreateDatabase, DefaultValue, Expr, Function,
    Ident, IndexMethod, JsonPathSegment, JsonRead, LockWait, RowLock,
};
use crate::value::Value;

impl QueryGenerator for Sqlite {
    fn create_schema(&self, w: &mut SqlWriter<'_>, _: &Ident) -> Result<()> {
        Err(unsupported(
            w,
            "CREATE SCHEMA (attach another database file instead)",
        ))
    }

    fn drop_schema(&self, w: &mut SqlWriter<'_>, _: &Ident) -> Result<()> {
        Err(unsupported(
            w,
            "DROP SCHEMA (detach the database file instead)",
        ))
    }

    fn create_database(&self, w: &mut SqlWriter<'_>, _: &CreateDatabase) -> Result<()> {
        Err(unsupported(
            w,
            "CREATE DATABASE (an SQLite database is its file)",
        ))
    }

    fn drop_database(&self, w: &mut SqlWriter<'_>, _: &Ident, _: bool) -> Result<()> {
        Err(unsupported(
            w,
            "DROP DATABASE (an SQLite database is its file)",
        ))
    }

    fn truncate_keyword(&self) -> &'static str {
        // SQLite has no TRUNCATE; a DELETE without WHERE is its truncate optimization.
        "DELETE FROM "
    }

    fn push_string_literal(&self, s: &str, out: &mut String) -> Result<()> {
        if s.contains('\0') {
            return Err(Error::InvalidQuery(
                "a NUL character cannot be inlined in SQLite SQL text; use bind parameters".into(),
            ));
        }
        common::push_quoted_doubling(s, out);
        Ok(())
    }

    fn push_bool_literal(&self, b: bool, out: &mut String) {
        out.push(if b { '1' } else { '0' });
    }

    fn timestamp_format(&self) -> &'static str {
        TIMESTAMP_FORMAT
    }

    fn push_column_type(&self, w: &mut SqlWriter<'_>, _: &Ident, column: &ColumnDef) -> Result<()> {
        types::push_column_type(w, column);
        Ok(())
    }

    fn auto_increment_keyword(&self) -> Option<&'static str> {
        Some("AUTOINCREMENT")
    }

    /// Backticks, as Sequelize quotes on SQLite: the schema keeps the text of each
    /// `CREATE TABLE`, and Sequelize finds constraints in it by that quoting.
    fn identifier_quotes(&self) -> (char, char) {
        ('`', '`')
    }

    fn push_column_comment(&self, w: &mut SqlWriter<'_>, comment: &str) -> Result<()> {
        // SQLite has no comments, but keeps the text of `CREATE TABLE` in its schema: the
        // comment stays there, with anything that would end it defused.
        w.push(" /* ");
        w.push(&comment.replace("*/", "* /").replace('\0', ""));
        w.push(" */");
        Ok(())
    }

    fn canonical_type(&self, sql_type: &str) -> String {
        // SQLite reports the declared type without its collation (CITEXT's `COLLATE NOCASE`).
        let lower = sql_type.trim().to_ascii_lowercase();
        match lower.split_once(" collate ") {
            Some((declared, _)) => declared.to_owned(),
            None => lower,
        }
    }

    fn change_column(&self, w: &mut SqlWriter<'_>, _: &Ident, _: &ColumnDef) -> Result<()> {
        Err(unsupported(
            w,
            "ALTER COLUMN (the query interface rebuilds the table instead)",
        ))
    }

    fn add_constraint(&self, w: &mut SqlWriter<'_>, _: &Ident, _: &Constraint) -> Result<()> {
        Err(unsupported(
            w,
            "ADD CONSTRAINT (the query interface rebuilds the table instead)",
        ))
    }

    fn drop_constraint(
        &self,
        w: &mut SqlWriter<'_>,
        _: &Ident,
        _: &Ident,
        _: Option<ConstraintType>,
    ) -> Result<()> {
        Err(unsupported(
            w,
            "DROP CONSTRAINT (the query interface rebuilds the table instead)",
        ))
    }

    fn set_default(
        &self,
        w: &mut SqlWriter<'_>,
        _: &Ident,
        _: &Ident,
        _: Option<&DefaultValue>,
    ) -> Result<()> {
        Err(unsupported(
            w,
            "ALTER COLUMN … SET DEFAULT (the query interface rebuilds the table instead)",
        ))
    }

    fn index_method(&self, _: IndexMethod) -> Option<&'static str> {
        None
    }

    fn function_name(&self, function: Function) -> &'static str {
        match function {
            // SQLite's length() counts characters of text.
            Function::CharLength => "LENGTH",
            other => common::standard_function_name(other),
        }
    }

    fn cast_type(&self, to: CastType) -> &'static str {
        // SQLite casts to a storage class; dates and JSON are text.
        match to {
            CastType::Integer | CastType::BigInt | CastType::Boolean => "INTEGER",
            CastType::Double => "REAL",
            CastType::Decimal => "NUMERIC",
            CastType::Text | CastType::Date | CastType::DateTime | CastType::Json => "TEXT",
        }
    }

    fn limit_offset_clause(&self, w: &mut SqlWriter<'_>, limit: Option<u64>, offset: Option<u64>) {
        limit_before_offset(w, limit, offset, "-1");
    }

    fn lock_clause(&self, w: &mut SqlWriter<'_>, lock: &RowLock) -> Result<()> {
        // SQLite locks the whole database for a writing transaction; row locks do not exist
        // and `FOR UPDATE` is a syntax error, so the clause is left out (as Sequelize does),
        // with any `OF` (the lock covers every table anyway). Use
        // `TransactionType::Immediate` to take the write lock up front. Skipping or failing
        // on locked rows cannot be had: asking for it is an error, not a silent wait.
        match lock.wait {
            LockWait::Wait => Ok(()),
            LockWait::NoWait => Err(unsupported(w, "lock no_wait (it has no row locks)")),
            LockWait::SkipLocked => Err(unsupported(w, "lock skip_locked (it has no row locks)")),
        }
    }

    fn regexp_concat(&self) -> Option<[&'static str; 3]> {
        // `REGEXP` calls the `regexp` function the driver registers on each connection.
        Some(["(", " || ", ")"])
    }

    fn json_contains(&self, w: &mut SqlWriter<'_>, _: &Expr, _: &Expr) -> Result<()> {
        Err(unsupported(
            w,
            "JSON containment (Op.contains on a JSON attribute)",
        ))
    }

    fn json_path(
        &self,
        w: &mut SqlWriter<'_>,
        expr: &Expr,
        path: &[JsonPathSegment],
        read: JsonRead,
    ) -> Result<()> {
        // `->>` gives the SQL value (text unquoted, numbers as numbers, booleans as 1 or 0),
        // `->` the JSON text (SQLite 3.38+).
        w.push("(");
        w.expr(expr)?;
        w.push(if read == JsonRead::Json {
            " -> "
        } else {
            " ->> "
        });
        w.bind(&Value::Text(json_path_string(path)));
        w.push(")");
        Ok(())
    }
}
