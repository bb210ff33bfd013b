//! The renderer: one generic walk of a [`Statement`] into SQL text and its bound parameters,
//! with one overridable [`QueryGenerator`] method per clause or token where databases differ.
//!
//! The defaults write standard SQL; each dialect's `render.rs` overrides only what its
//! database spells otherwise (Sequelize v7's query generators, sea-query's backends).

use std::fmt::{self, Write};

use chrono::NaiveDateTime;

use super::literal::push_literal;
use super::{Dialect, Supports};
use crate::error::{Error, Result};
use crate::sql::{
    CastType, ColumnDef, ConflictAction, Constraint, ConstraintKind, ConstraintType,
    CreateDatabase, CreateIndex, CreateTable, DefaultValue, Delete, Direction, DropTable, Expr,
    Function, Ident, IndexKind, IndexMethod, Insert, Join, JoinKind, JsonPathSegment, JsonRead,
    Lock, LockWait, Nulls, OnConflict, OrderBy, References, ReferentialAction, RowLock, Select,
    SelectItem, Source, Statement, TableOptions, TableRef, TransactionControl, Update,
};
use crate::types::DataType;
use crate::value::Value;

/// A rendered statement: SQL with placeholders, and the values to bind, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The SQL text. Contains no bound value.
    pub sql: String,
    /// The parameters, in placeholder order.
    pub params: Vec<Value>,
}

/// How one database writes SQL: a method per clause or token, each defaulting to standard SQL.
///
/// Implemented in each dialect folder's `render.rs`; `dyn Dialect::render` walks a statement
/// and calls these where the databases differ.
pub trait QueryGenerator {
    /// The characters that open and close a quoted identifier (`"` `"`, `` ` `` `` ` ``, or
    /// `[` `]`); the closing one is doubled inside a name.
    fn identifier_quotes(&self) -> (char, char) {
        ('"', '"')
    }

    /// Appends the placeholder for the `index`-th bound parameter (1-based).
    fn push_placeholder(&self, _index: usize, out: &mut String) {
        out.push('?');
    }

    /// Appends a string as an SQL literal, escaped for this database. Used only where a bind
    /// parameter is impossible (DDL defaults, enum values) and for `replacements`.
    fn push_string_literal(&self, s: &str, out: &mut String) -> Result<()>;

    /// Appends binary data as an SQL literal: the standard hex string, `X'…'`.
    fn push_bytes_literal(&self, bytes: &[u8], out: &mut String) {
        out.push_str("X'");
        super::common::push_hex(bytes, out);
        out.push('\'');
    }

    /// Appends a boolean literal.
    fn push_bool_literal(&self, b: bool, out: &mut String) {
        out.push_str(if b { "TRUE" } else { "FALSE" });
    }

    /// The `chrono` format of instants written as text (literals, SQLite storage), applied
    /// to the instant in the session zone.
    fn timestamp_format(&self) -> &'static str;

    /// A zone-less date and time (held as a UTC wall clock) as the database keeps it: as
    /// held, except where zone-less columns hold the session zone's wall clock (MySQL).
    fn stored_wall_clock(&self, utc: NaiveDateTime) -> NaiveDateTime {
        utc
    }

    /// Appends the type of a column of `table` (including `SERIAL`-style types for
    /// auto-increment keys where the database spells them as a type). The renderer has
    /// already refused the types [`Supports`](super::Supports) says the database lacks.
    fn push_column_type(
        &self,
        w: &mut SqlWriter<'_>,
        table: &Ident,
        column: &ColumnDef,
    ) -> Result<()>;

    /// The keyword that follows `PRIMARY KEY` for an auto-increment column, if the database
    /// spells it as a keyword rather than a type.
    fn auto_increment_keyword(&self) -> Option<&'static str> {
        None
    }

    /// The statement that empties a table, before its name.
    fn truncate_keyword(&self) -> &'static str {
        "TRUNCATE TABLE "
    }

    /// Appends a column's comment inside its definition; by default nothing (PostgreSQL
    /// comments with statements of their own, [`Supports::comment_statements`]).
    fn push_column_comment(&self, _w: &mut SqlWriter<'_>, _comment: &str) -> Result<()> {
        Ok(())
    }

    /// Appends what follows a `CREATE TABLE`'s column list: the table's comment and storage
    /// options where the database writes them there (MySQL); by default nothing.
    fn push_table_options(&self, _w: &mut SqlWriter<'_>, _options: &TableOptions) -> Result<()> {
        Ok(())
    }

    /// Writes `changeColumn`: by default PostgreSQL's `ALTER TABLE t ALTER COLUMN c TYPE x
    /// USING c::x, ALTER COLUMN c SET|DROP NOT NULL`.
    fn change_column(
        &self,
        w: &mut SqlWriter<'_>,
        table: &Ident,
        column: &ColumnDef,
    ) -> Result<()> {
        w.push("ALTER TABLE ");
        w.ident(table)?;
        w.push(" ALTER COLUMN ");
        w.ident(&column.name)?;
        w.push(" TYPE ");
        let start = w.sql_mut().len();
        self.push_column_type(w, table, column)?;
        let column_type = w.sql_mut()[start..].to_owned();
        w.push(" USING ");
        w.ident(&column.name)?;
        w.push("::");
        w.push(&column_type);
        w.push(", ALTER COLUMN ");
        w.ident(&column.name)?;
        w.push(if column.allow_null {
            " DROP NOT NULL"
        } else {
            " SET NOT NULL"
        });
        w.push(", ALTER COLUMN ");
        w.ident(&column.name)?;
        if column.default.as_ref().is_some_and(DefaultValue::in_ddl) {
            w.push(" SET");
            w.default_clause(column)
        } else {
            w.push(" DROP DEFAULT");
            Ok(())
        }
    }

    /// Writes `ALTER TABLE … ADD CONSTRAINT …`.
    fn add_constraint(
        &self,
        w: &mut SqlWriter<'_>,
        table: &Ident,
        constraint: &Constraint,
    ) -> Result<()> {
        w.push("ALTER TABLE ");
        w.ident(table)?;
        w.push(" ADD ");
        w.constraint(constraint)
    }

    /// Writes the statement that drops `table`'s constraint `name` of type `kind`: by
    /// default `ALTER TABLE … DROP CONSTRAINT …`, whatever the type.
    fn drop_constraint(
        &self,
        w: &mut SqlWriter<'_>,
        table: &Ident,
        name: &Ident,
        _kind: Option<ConstraintType>,
    ) -> Result<()> {
        w.push("ALTER TABLE ");
        w.ident(table)?;
        w.push(" DROP CONSTRAINT ");
        w.ident(name)
    }

    /// Writes `ALTER TABLE … ALTER COLUMN … SET DEFAULT …` (`DROP DEFAULT` for `None`).
    fn set_default(
        &self,
        w: &mut SqlWriter<'_>,
        table: &Ident,
        column: &Ident,
        default: Option<&DefaultValue>,
    ) -> Result<()> {
        w.push("ALTER TABLE ");
        w.ident(table)?;
        w.push(" ALTER COLUMN ");
        w.ident(column)?;
        match default.filter(|d| d.in_ddl()) {
            Some(default) => {
                // A timestamp column stands for the column itself, whose type the statement
                // does not name: only `Now` reads it (for its precision).
                let column = ColumnDef {
                    default: Some(default.clone()),
                    ..ColumnDef::new(column.clone(), DataType::Date(None))
                };
                w.push(" SET");
                w.default_clause(&column)
            }
            None => {
                w.push(" DROP DEFAULT");
                Ok(())
            }
        }
    }

    /// A column type as the database reports it back, in one spelling for comparison: by
    /// default lowercased, without quotes. `sync({ alter })` changes a column whose type
    /// differs from the model's in this form.
    fn canonical_type(&self, sql_type: &str) -> String {
        sql_type.trim().replace('"', "").to_ascii_lowercase()
    }

    /// Writes `DROP INDEX` of `table`'s index `name`: by default `DROP INDEX IF EXISTS name`, the
    /// name in the table's schema where the database has schemas (an index lives in its
    /// table's schema).
    fn drop_index(&self, w: &mut SqlWriter<'_>, table: &Ident, name: &Ident) -> Result<()> {
        // `IF EXISTS`, as Sequelize's removeIndex writes it.
        w.push("DROP INDEX IF EXISTS ");
        if w.dialect().supports().schemas {
            w.ident(&name.clone().in_schema(table.schema().map(str::to_owned)))
        } else {
            w.ident(name)
        }
    }

    /// Writes `CREATE SCHEMA IF NOT EXISTS name`.
    fn create_schema(&self, w: &mut SqlWriter<'_>, name: &Ident) -> Result<()> {
        w.push("CREATE SCHEMA IF NOT EXISTS ");
        w.ident(name)
    }

    /// Writes `DROP SCHEMA IF EXISTS name`, by default with `CASCADE` (PostgreSQL), so that
    /// it goes with its tables as a MySQL database does.
    fn drop_schema(&self, w: &mut SqlWriter<'_>, name: &Ident) -> Result<()> {
        w.push("DROP SCHEMA IF EXISTS ");
        w.ident(name)?;
        w.push(" CASCADE");
        Ok(())
    }

    /// Writes `CREATE DATABASE`: by default PostgreSQL's, `"name" ENCODING = '…' LC_COLLATE
    /// = '…' LC_CTYPE = '…' TEMPLATE = "…"`; an option the database lacks is an error naming
    /// it.
    fn create_database(&self, w: &mut SqlWriter<'_>, create: &CreateDatabase) -> Result<()> {
        if create.charset.is_some() {
            return Err(unsupported(
                w,
                "createDatabase's `charset` (MySQL's; PostgreSQL takes `encoding`)",
            ));
        }
        w.push("CREATE DATABASE ");
        w.ident(&create.name)?;
        let settings = [
            (" ENCODING = ", &create.encoding),
            (" LC_COLLATE = ", &create.collate),
            (" LC_CTYPE = ", &create.ctype),
        ];
        for (keyword, value) in settings {
            if let Some(value) = value {
                w.push(keyword);
                self.push_string_literal(value, w.sql_mut())?;
            }
        }
        if let Some(template) = &create.template {
            w.push(" TEMPLATE = ");
            w.ident(&Ident::from(template.clone()))?;
        }
        Ok(())
    }

    /// Writes `DROP DATABASE [IF EXISTS] name`.
    fn drop_database(&self, w: &mut SqlWriter<'_>, name: &Ident, if_exists: bool) -> Result<()> {
        w.push(if if_exists {
            "DROP DATABASE IF EXISTS "
        } else {
            "DROP DATABASE "
        });
        w.ident(name)
    }

    /// Appends the new name of `ALTER TABLE … RENAME TO`: by default the name as given, with
    /// its schema (MySQL moves a table to the database it names).
    fn push_rename_target(&self, w: &mut SqlWriter<'_>, to: &Ident) -> Result<()> {
        w.ident(to)
    }

    /// This database's name for an index method, or `None` where it has no such method.
    fn index_method(&self, method: IndexMethod) -> Option<&'static str> {
        Some(method.sql())
    }

    /// Appends the `DEFAULT` expression for "the current time" (`DataTypes.NOW`) of a
    /// column, matching the precision of its type where the database asks for that.
    fn push_now_default(&self, _column: &ColumnDef, w: &mut SqlWriter<'_>) {
        w.push("CURRENT_TIMESTAMP");
    }

    /// The name this database gives a function.
    fn function_name(&self, function: Function) -> &'static str {
        super::common::standard_function_name(function)
    }

    /// The spelling of a `CAST` target type.
    fn cast_type(&self, to: CastType) -> &'static str {
        match to {
            CastType::Text => "TEXT",
            CastType::Integer => "INTEGER",
            CastType::BigInt => "BIGINT",
            CastType::Double => "DOUBLE PRECISION",
            CastType::Decimal => "DECIMAL",
            CastType::Boolean => "BOOLEAN",
            CastType::Date => "DATE",
            CastType::DateTime => "TIMESTAMP",
            CastType::Json => "JSON",
        }
    }

    /// A case-insensitive `LIKE`: by default both sides lowered (`LOWER(a) LIKE LOWER(?)`),
    /// which every database has; PostgreSQL writes its native `ILIKE`.
    fn case_insensitive_like(
        &self,
        w: &mut SqlWriter<'_>,
        expr: &Expr,
        pattern: &Expr,
        negated: bool,
    ) -> Result<()> {
        let lower = |e: &Expr| Expr::function(Function::Lower, [e.clone()]);
        w.expr(&lower(expr))?;
        w.push(if negated { " NOT LIKE " } else { " LIKE " });
        w.expr(&lower(pattern))
    }

    /// How a regular-expression match ([`Expr::Regexp`]) is written: `None` for
    /// PostgreSQL's operators (`~`, `!~`, `~*`, `!~*`); otherwise the database's string
    /// concatenation as the SQL before, between and after its two operands, for
    /// `expr REGEXP <case flag> || pattern`, the flag `(?i)` or `(?-i)`.
    fn regexp_concat(&self) -> Option<[&'static str; 3]> {
        None
    }

    /// JSON containment ([`Expr::JsonContains`]): by default MySQL's
    /// `JSON_CONTAINS(doc, candidate)`.
    fn json_contains(&self, w: &mut SqlWriter<'_>, doc: &Expr, candidate: &Expr) -> Result<()> {
        w.push("JSON_CONTAINS(");
        w.expr(doc)?;
        w.push(", ");
        w.expr(candidate)?;
        w.push(")");
        Ok(())
    }

    /// The select list: `[DISTINCT] item [AS alias], …` (or `*`).
    fn select_list(&self, w: &mut SqlWriter<'_>, select: &Select) -> Result<()> {
        if select.distinct {
            w.push("DISTINCT ");
        }
        if select.columns.is_empty() {
            w.push("*");
        }
        for (i, item) in select.columns.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            w.select_item(item)?;
        }
        Ok(())
    }

    /// ` FROM source` followed by the joins.
    fn sources_clause(&self, w: &mut SqlWriter<'_>, select: &Select) -> Result<()> {
        w.push(" FROM ");
        w.source(&select.from)?;
        w.joins(&select.joins)
    }

    /// ` WHERE condition`.
    fn where_clause(&self, w: &mut SqlWriter<'_>, filter: &Expr) -> Result<()> {
        w.push(" WHERE ");
        w.expr(filter)
    }

    /// ` GROUP BY …` and ` HAVING …`.
    fn group_by_clause(
        &self,
        w: &mut SqlWriter<'_>,
        group_by: &[Expr],
        having: Option<&Expr>,
    ) -> Result<()> {
        for (i, term) in group_by.iter().enumerate() {
            w.push(if i == 0 { " GROUP BY " } else { ", " });
            w.operand(term)?;
        }
        if let Some(having) = having {
            w.push(" HAVING ");
            w.expr(having)?;
        }
        Ok(())
    }

    /// ` ORDER BY term, …`, each term written by [`order_term`](Self::order_term).
    fn order_by_clause(&self, w: &mut SqlWriter<'_>, order: &[OrderBy]) -> Result<()> {
        for (i, term) in order.iter().enumerate() {
            w.push(if i == 0 { " ORDER BY " } else { ", " });
            self.order_term(w, term)?;
        }
        Ok(())
    }

    /// One order term: `expr ASC|DESC [NULLS FIRST|LAST]`.
    fn order_term(&self, w: &mut SqlWriter<'_>, term: &OrderBy) -> Result<()> {
        w.operand(&term.expr)?;
        w.push(direction(term.direction));
        w.push(match term.nulls {
            None => "",
            Some(Nulls::First) => " NULLS FIRST",
            Some(Nulls::Last) => " NULLS LAST",
        });
        Ok(())
    }

    /// ` LIMIT n OFFSET m`, each when present.
    fn limit_offset_clause(&self, w: &mut SqlWriter<'_>, limit: Option<u64>, offset: Option<u64>) {
        if let Some(limit) = limit {
            w.push_display(" LIMIT ", limit);
        }
        if let Some(offset) = offset {
            w.push_display(" OFFSET ", offset);
        }
    }

    /// The row-lock clause (` FOR UPDATE OF "t" SKIP LOCKED`): every strength, `OF` and
    /// wait option, as PostgreSQL spells them.
    fn lock_clause(&self, w: &mut SqlWriter<'_>, lock: &RowLock) -> Result<()> {
        w.push(match lock.strength {
            Lock::Update => " FOR UPDATE",
            Lock::Share => " FOR SHARE",
            Lock::KeyShare => " FOR KEY SHARE",
            Lock::NoKeyUpdate => " FOR NO KEY UPDATE",
        });
        lock_of_and_wait(w, lock)
    }

    /// What follows `INSERT INTO table` for a row of only default values.
    fn default_values(&self, w: &mut SqlWriter<'_>) {
        w.push(" DEFAULT VALUES");
    }

    /// ` RETURNING columns`, where the database has it ([`Supports::returning`]); elsewhere
    /// nothing (generated keys come back another way).
    ///
    /// [`Supports::returning`]: super::Supports::returning
    fn returning_clause(&self, w: &mut SqlWriter<'_>, returning: &[Ident]) -> Result<()> {
        if returning.is_empty() || !w.dialect().supports().returning {
            return Ok(());
        }
        w.push(" RETURNING ");
        w.ident_list(returning)
    }

    /// The conflict clause of an upsert: ` ON CONFLICT (target) DO NOTHING` or
    /// ` … DO UPDATE SET c = EXCLUDED.c`.
    fn on_conflict_clause(
        &self,
        w: &mut SqlWriter<'_>,
        conflict: &OnConflict,
        _inserted: &[Ident],
    ) -> Result<()> {
        match (conflict.target.is_empty(), &conflict.action) {
            // Any unique key: `ON CONFLICT DO NOTHING`.
            (true, ConflictAction::DoNothing) => {
                w.push(" ON CONFLICT DO NOTHING");
                return Ok(());
            }
            (true, ConflictAction::Update(_)) => {
                return Err(Error::InvalidQuery(
                    "an upsert needs the unique columns that collide".into(),
                ))
            }
            (false, _) => {}
        }
        w.push(" ON CONFLICT (");
        w.ident_list(&conflict.target)?;
        w.push(")");
        match &conflict.action {
            ConflictAction::DoNothing => w.push(" DO NOTHING"),
            ConflictAction::Update(columns) => {
                for (i, column) in columns.iter().enumerate() {
                    w.push(if i == 0 { " DO UPDATE SET " } else { ", " });
                    w.ident(column)?;
                    w.push(" = EXCLUDED.");
                    w.ident(column)?;
                }
                if columns.is_empty() {
                    w.push(" DO NOTHING");
                }
            }
        }
        Ok(())
    }

    /// A value inside a JSON document. The default is MySQL's form: `JSON_EXTRACT` with the
    /// path as a JSON path string (`$."a"[0]`), bound as a parameter. Read as a scalar, a
    /// JSON `null` becomes SQL `NULL` (`JSON_UNQUOTE` alone would give the text `null`),
    /// numbers are cast to `DECIMAL`, and a boolean is whether the text is `true`.
    fn json_path(
        &self,
        w: &mut SqlWriter<'_>,
        expr: &Expr,
        path: &[JsonPathSegment],
        read: JsonRead,
    ) -> Result<()> {
        let path = Value::Text(json_path_string(path));
        let extract = |w: &mut SqlWriter<'_>| -> Result<()> {
            w.push("JSON_EXTRACT(");
            w.expr(expr)?;
            w.push(", ");
            w.bind(&path);
            w.push(")");
            Ok(())
        };
        let scalar = |w: &mut SqlWriter<'_>| -> Result<()> {
            w.push("CASE JSON_TYPE(");
            extract(w)?;
            w.push(") WHEN 'NULL' THEN NULL ELSE JSON_UNQUOTE(");
            extract(w)?;
            w.push(") END");
            Ok(())
        };
        match read {
            JsonRead::Json => extract(w),
            JsonRead::Text => scalar(w),
            JsonRead::Number => {
                w.push("CAST(");
                scalar(w)?;
                w.push(" AS ");
                w.push(self.cast_type(CastType::Decimal));
                w.push(")");
                Ok(())
            }
            JsonRead::Boolean => {
                w.push("(");
                scalar(w)?;
                w.push(" = 'true')");
                Ok(())
            }
        }
    }
}

/// ` ASC` or ` DESC`.
pub(crate) fn direction(direction: Direction) -> &'static str {
    match direction {
        Direction::Asc => " ASC",
        Direction::Desc => " DESC",
    }
}

/// The part of a row-lock clause after its strength: ` OF "a", "b"` when tables are named,
/// then ` NOWAIT` or ` SKIP LOCKED`; PostgreSQL and MySQL spell these alike.
pub(crate) fn lock_of_and_wait(w: &mut SqlWriter<'_>, lock: &RowLock) -> Result<()> {
    if !lock.of.is_empty() {
        w.push(" OF ");
        w.ident_list(&lock.of)?;
    }
    w.push(match lock.wait {
        LockWait::Wait => "",
        LockWait::NoWait => " NOWAIT",
        LockWait::SkipLocked => " SKIP LOCKED",
    });
    Ok(())
}

/// `expr [NOT] REGEXP <flag> || pattern` for databases whose `REGEXP` operator reads inline
/// flags (MySQL's ICU, MariaDB's PCRE, the `regex` crate behind SQLite's): `(?i)` or `(?-i)`
/// is put before the pattern, so case follows the operator asked for and not the column's
/// collation. `concat` wraps its two operands in the database's string concatenation.
fn regexp_with_case_flag(
    w: &mut SqlWriter<'_>,
    expr: &Expr,
    pattern: &Expr,
    negated: bool,
    case_insensitive: bool,
    concat: [&str; 3],
) -> Result<()> {
    w.operand(expr)?;
    w.push(if negated { " NOT REGEXP " } else { " REGEXP " });
    w.push(concat[0]);
    w.push(if case_insensitive {
        "'(?i)'"
    } else {
        "'(?-i)'"
    });
    w.push(concat[1]);
    w.operand(pattern)?;
    w.push(concat[2]);
    Ok(())
}

/// [`Error::Unsupported`] for `feature` on the writer's dialect.
/// What the database lacks to hold a column of `data_type`, as the API names it; `None`
/// when it can hold one.
fn lacking_type(supports: &Supports, data_type: &DataType) -> Option<&'static str> {
    match data_type {
        DataType::Array(_) if !supports.arrays => Some("ARRAY"),
        DataType::Array(inner) => lacking_type(supports, inner),
        DataType::CiText if !supports.case_insensitive_text => Some("CITEXT"),
        DataType::Unsigned(inner)
            if **inner == DataType::BigInt && !supports.narrow_and_unsigned_integers =>
        {
            Some("BIGINT.UNSIGNED")
        }
        DataType::Range(_) if !supports.postgres_types => Some("RANGE"),
        DataType::Inet if !supports.postgres_types => Some("INET"),
        DataType::Cidr if !supports.postgres_types => Some("CIDR"),
        DataType::MacAddr if !supports.postgres_types => Some("MACADDR"),
        DataType::TsVector if !supports.postgres_types => Some("TSVECTOR"),
        DataType::Hstore if !supports.postgres_types => Some("HSTORE"),
        _ => None,
    }
}

pub(crate) fn unsupported(w: &SqlWriter<'_>, feature: impl Into<String>) -> Error {
    Error::Unsupported {
        dialect: w.dialect().name(),
        feature: feature.into(),
    }
}

/// ` LIMIT n OFFSET m` for databases that take an `OFFSET` only after a `LIMIT` (SQLite,
/// MySQL): without a limit, `unlimited` (their "no limit") stands before the offset.
#[cfg(any(feature = "sqlite", feature = "mysql"))]
pub(crate) fn limit_before_offset(
    w: &mut SqlWriter<'_>,
    limit: Option<u64>,
    offset: Option<u64>,
    unlimited: &str,
) {
    match (limit, offset) {
        (Some(limit), _) => w.push_display(" LIMIT ", limit),
        (None, Some(_)) => {
            w.push(" LIMIT ");
            w.push(unlimited);
        }
        (None, None) => {}
    }
    if let Some(offset) = offset {
        w.push_display(" OFFSET ", offset);
    }
}

/// A JSON path in the syntax SQLite and MySQL share: `$`, then `."key"` (quoted, so any key
/// is safe) or `[index]` per step.
///
/// ```
/// use sequelize::{dialect::json_path_string, sql::JsonPathSegment::{Index, Key}};
/// assert_eq!(json_path_string(&[Key("a b".into()), Index(0), Key("q\"".into())]), r#"$."a b"[0]."q\"""#);
/// ```
pub fn json_path_string(path: &[JsonPathSegment]) -> String {
    let mut out = String::from("$");
    for segment in path {
        match segment {
            JsonPathSegment::Key(key) => {
                out.push_str(".\"");
                for c in key.chars() {
                    if c == '"' || c == '\\' {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
            }
            JsonPathSegment::Index(i) => {
                write!(out, "[{i}]").expect("writing to a String");
            }
        }
    }
    out
}

/// The SQL text and parameters being written, and the dialect writing them.
///
/// [`QueryGenerator`] methods receive it to write their clause, and call back into it for
/// identifiers, expressions and values, which keeps quoting and binding in one place.
pub struct SqlWriter<'d> {
    dialect: &'d dyn Dialect,
    sql: String,
    params: Vec<Value>,
    /// Values are written as literals instead of bound (DDL, which takes no parameters).
    inline_values: bool,
    /// The first value that had no literal form while `inline_values` was on.
    inline_error: Option<Error>,
}

impl<'d> SqlWriter<'d> {
    /// An empty writer for `dialect`.
    pub(crate) fn new(dialect: &'d dyn Dialect) -> Self {
        SqlWriter {
            dialect,
            sql: String::with_capacity(128),
            params: Vec::new(),
            inline_values: false,
            inline_error: None,
        }
    }

    /// The dialect writing.
    pub fn dialect(&self) -> &'d dyn Dialect {
        self.dialect
    }

    /// Appends SQL text written by this crate (keywords, punctuation).
    pub fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    /// Appends a keyword and a number (`LIMIT 10`).
    pub fn push_display(&mut self, keyword: &str, number: impl fmt::Display) {
        write!(self.sql, "{keyword}{number}").expect("writing to a String");
    }

    /// The SQL text written so far, for dialect code that appends literals it escapes
    /// itself.
    pub(crate) fn sql_mut(&mut self) -> &mut String {
        &mut self.sql
    }

    /// Appends an identifier, quoted, with the closing quote doubled inside the name. Fails on
    /// names the database cannot hold: empty, containing NUL, or longer than it keeps.
    pub fn ident(&mut self, ident: &Ident) -> Result<()> {
        match ident.schema() {
            None => self.name(ident.as_str()),
            Some(schema) if self.dialect.supports().schemas => {
                self.name(schema)?;
                self.push(".");
                self.name(ident.as_str())
            }
            // No schemas (SQLite): one name, `schema.table`, as Sequelize names it.
            Some(schema) => self.name(&format!("{schema}.{}", ident.as_str())),
        }
    }

    /// Appends one name, quoted.
    fn name(&mut self, name: &str) -> Result<()> {
        let max = self.dialect.supports().max_identifier_length;
        if name.is_empty() {
            return Err(Error::InvalidQuery("an identifier is empty".into()));
        }
        if name.contains('\0') {
            return Err(Error::InvalidQuery(format!(
                "identifier {name:?} contains a NUL character"
            )));
        }
        if name.len() > max {
            return Err(Error::InvalidQuery(format!(
                "identifier {name:?} is longer than the {max} bytes {} keeps",
                self.dialect.name()
            )));
        }
        let (open, close) = self.dialect.identifier_quotes();
        self.sql.push(open);
        for c in name.chars() {
            if c == close {
                self.sql.push(close);
            }
            self.sql.push(c);
        }
        self.sql.push(close);
        Ok(())
    }

    /// Appends identifiers separated by commas.
    pub fn ident_list(&mut self, idents: &[Ident]) -> Result<()> {
        for (i, ident) in idents.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.ident(ident)?;
        }
        Ok(())
    }

    /// How many values are bound so far.
    #[cfg(feature = "mysql")]
    pub(crate) fn param_count(&self) -> usize {
        self.params.len()
    }

    /// Appends a value's placeholder and keeps the value to bind.
    pub fn bind(&mut self, value: &Value) {
        if self.inline_values {
            if let Err(e) = push_literal(value, self.dialect, &mut self.sql) {
                self.inline_error.get_or_insert(e);
            }
            return;
        }
        self.params.push(value.clone());
        self.dialect
            .push_placeholder(self.params.len(), &mut self.sql);
    }

    /// Writes an expression with its values as literals, for DDL (a partial index's
    /// `WHERE`), where the database takes no parameters.
    fn expr_inline(&mut self, e: &Expr) -> Result<()> {
        self.inline_values = true;
        let written = self.expr(e);
        self.inline_values = false;
        written?;
        self.inline_error.take().map_or(Ok(()), Err)
    }

    fn table(&mut self, table: &TableRef) -> Result<()> {
        self.ident(&table.name)?;
        if let Some(alias) = &table.alias {
            self.push(" AS ");
            self.ident(alias)?;
        }
        Ok(())
    }

    /// Appends a table or a parenthesized, aliased subquery.
    pub fn source(&mut self, source: &Source) -> Result<()> {
        match source {
            Source::Table(table) => self.table(table),
            Source::Subquery { select, alias } => {
                self.push("(");
                self.select(select)?;
                self.push(") AS ");
                self.ident(alias)
            }
            Source::Nested { source, joins } => {
                self.push("(");
                self.source(source)?;
                self.joins(joins)?;
                self.push(")");
                Ok(())
            }
        }
    }

    /// Appends joins: ` INNER JOIN source ON condition`, and the others.
    pub fn joins(&mut self, joins: &[Join]) -> Result<()> {
        for join in joins {
            self.push(match join.kind {
                JoinKind::Inner => " INNER JOIN ",
                JoinKind::Left => " LEFT OUTER JOIN ",
                JoinKind::Right => " RIGHT OUTER JOIN ",
            });
            self.source(&join.source)?;
            self.push(" ON ");
            self.expr(&join.on)?;
        }
        Ok(())
    }

    /// Appends one select-list item.
    pub fn select_item(&mut self, item: &SelectItem) -> Result<()> {
        self.expr(&item.expr)?;
        if let Some(alias) = &item.alias {
            self.push(" AS ");
            self.ident(alias)?;
        }
        Ok(())
    }

    /// Appends an expression that appears as an operand: compound ones get parentheses.
    pub fn operand(&mut self, e: &Expr) -> Result<()> {
        let compound = matches!(
            e,
            Expr::And(_) | Expr::Or(_) | Expr::Binary { .. } | Expr::Not(_)
        );
        if compound {
            self.push("(");
        }
        self.expr(e)?;
        if compound {
            self.push(")");
        }
        Ok(())
    }

    fn connective(&mut self, items: &[Expr], joiner: &str) -> Result<()> {
        if items.is_empty() {
            // The model layer refuses empty conditions before they get here; a hand-built
            // statement gets the same answer rather than "every row".
            return Err(Error::InvalidQuery(
                "an empty AND or OR has no meaning in SQL; leave the condition out".into(),
            ));
        }
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.push(joiner);
            }
            match item {
                Expr::And(_) | Expr::Or(_) => self.operand(item)?,
                _ => self.expr(item)?,
            }
        }
        Ok(())
    }

    /// Appends a parenthesized subquery.
    fn subquery(&mut self, select: &Select) -> Result<()> {
        self.push("(");
        self.select(select)?;
        self.push(")");
        Ok(())
    }

    /// Appends an expression.
    pub fn expr(&mut self, e: &Expr) -> Result<()> {
        match e {
            Expr::Column { table, name } => {
                if let Some(t) = table {
                    self.ident(t)?;
                    self.push(".");
                }
                self.ident(name)?;
            }
            Expr::Value(v) => self.bind(v),
            Expr::Binary { op, left, right } => {
                if matches!(**right, Expr::Value(Value::Null))
                    || matches!(**left, Expr::Value(Value::Null))
                {
                    return Err(Error::InvalidQuery(
                        "comparison with NULL never matches; use is_null() or is_not_null()".into(),
                    ));
                }
                self.operand(left)?;
                self.push(op.sql());
                self.operand(right)?;
            }
            Expr::And(items) => self.connective(items, " AND ")?,
            Expr::Or(items) => self.connective(items, " OR ")?,
            Expr::Not(inner) => {
                self.push("NOT (");
                self.expr(inner)?;
                self.push(")");
            }
            Expr::IsNull { expr, negated } => {
                self.operand(expr)?;
                self.push(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            Expr::IsBool {
                expr,
                value,
                negated,
            } => {
                self.operand(expr)?;
                self.push(if *negated { " IS NOT" } else { " IS" });
                self.push(if *value { " TRUE" } else { " FALSE" });
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                // `IN ()` is a syntax error; an empty list matches nothing, and `NOT IN` of an
                // empty list matches everything (not `NOT IN (NULL)`, Sequelize #4859).
                if list.is_empty() {
                    self.push(if *negated { "1 = 1" } else { "1 = 0" });
                    return Ok(());
                }
                // Values of one type go as one array where the database binds arrays
                // (`= ANY($1)`): one statement shape, however many values.
                let arrays = self.dialect.supports().arrays && !self.inline_values;
                if let Some(values) = Expr::one_typed_values(list).filter(|_| arrays) {
                    self.operand(expr)?;
                    self.push(if *negated { " <> ALL(" } else { " = ANY(" });
                    self.bind(&Value::Array(values));
                    self.push(")");
                    return Ok(());
                }
                self.operand(expr)?;
                self.push(if *negated { " NOT IN (" } else { " IN (" });
                for (i, item) in list.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.expr(item)?;
                }
                self.push(")");
            }
            Expr::Literal(sql) => self.push(sql),
            Expr::Function {
                function,
                args,
                distinct,
            } => {
                let dialect = self.dialect;
                self.push(dialect.function_name(*function));
                self.push("(");
                if *distinct {
                    self.push("DISTINCT ");
                }
                if args.is_empty() && *function == Function::Count {
                    self.push("*");
                }
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.expr(arg)?;
                }
                self.push(")");
            }
            Expr::Cast { expr, to } => {
                let dialect = self.dialect;
                self.push("CAST(");
                self.expr(expr)?;
                self.push(" AS ");
                self.push(dialect.cast_type(*to));
                self.push(")");
            }
            Expr::JsonPath { expr, path, read } => {
                if path.is_empty() {
                    return Err(Error::InvalidQuery("a JSON path needs a step".into()));
                }
                let dialect = self.dialect;
                dialect.json_path(self, expr, path, *read)?;
            }
            Expr::Between {
                expr,
                low,
                high,
                negated,
            } => {
                self.operand(expr)?;
                self.push(if *negated {
                    " NOT BETWEEN "
                } else {
                    " BETWEEN "
                });
                self.operand(low)?;
                self.push(" AND ");
                self.operand(high)?;
            }
            Expr::Like {
                expr,
                pattern,
                negated,
                case_insensitive,
                escaped,
            } => {
                if matches!(**pattern, Expr::Value(Value::Null)) {
                    return Err(Error::InvalidQuery(
                        "LIKE with a NULL pattern never matches".into(),
                    ));
                }
                if *case_insensitive {
                    let dialect = self.dialect;
                    dialect.case_insensitive_like(self, expr, pattern, *negated)?;
                } else {
                    self.operand(expr)?;
                    self.push(if *negated { " NOT LIKE " } else { " LIKE " });
                    self.operand(pattern)?;
                }
                if *escaped {
                    self.push(" ESCAPE '!'");
                }
            }
            Expr::Regexp {
                expr,
                pattern,
                negated,
                case_insensitive,
            } => {
                if matches!(**pattern, Expr::Value(Value::Null)) {
                    return Err(Error::InvalidQuery(
                        "a regular expression match with a NULL pattern never matches".into(),
                    ));
                }
                match self.dialect.regexp_concat() {
                    Some(concat) => {
                        regexp_with_case_flag(
                            self,
                            expr,
                            pattern,
                            *negated,
                            *case_insensitive,
                            concat,
                        )?;
                    }
                    None => {
                        self.operand(expr)?;
                        self.push(match (negated, case_insensitive) {
                            (false, false) => " ~ ",
                            (true, false) => " !~ ",
                            (false, true) => " ~* ",
                            (true, true) => " !~* ",
                        });
                        self.operand(pattern)?;
                    }
                }
            }
            Expr::ArrayCompare { left, op, right } => {
                if !self.dialect.supports().arrays {
                    return Err(unsupported(self, "array operators (@>, <@, &&)"));
                }
                self.operand(left)?;
                self.push(op.sql());
                self.operand(right)?;
            }
            Expr::JsonContains { doc, candidate } => {
                self.dialect.json_contains(self, doc, candidate)?;
            }
            Expr::Exists { select, negated } => {
                self.push(if *negated { "NOT EXISTS " } else { "EXISTS " });
                self.subquery(select)?;
            }
            Expr::Window {
                function,
                partition_by,
                order,
            } => {
                self.push(function.sql());
                self.push(" OVER (");
                for (i, term) in partition_by.iter().enumerate() {
                    self.push(if i == 0 { "PARTITION BY " } else { ", " });
                    self.expr(term)?;
                }
                if !order.is_empty() && !partition_by.is_empty() {
                    self.push(" ");
                }
                let dialect = self.dialect;
                for (i, term) in order.iter().enumerate() {
                    self.push(if i == 0 { "ORDER BY " } else { ", " });
                    dialect.order_term(self, term)?;
                }
                self.push(")");
            }
            Expr::InSubquery {
                expr,
                select,
                negated,
            } => {
                self.operand(expr)?;
                self.push(if *negated { " NOT IN " } else { " IN " });
                self.subquery(select)?;
            }
        }
        Ok(())
    }

    /// Appends a `SELECT`, clause by clause.
    pub fn select(&mut self, s: &Select) -> Result<()> {
        let dialect = self.dialect;
        self.push("SELECT ");
        dialect.select_list(self, s)?;
        dialect.sources_clause(self, s)?;
        if let Some(filter) = &s.filter {
            dialect.where_clause(self, filter)?;
        }
        dialect.group_by_clause(self, &s.group_by, s.having.as_ref())?;
        dialect.order_by_clause(self, &s.order)?;
        dialect.limit_offset_clause(self, s.limit, s.offset);
        if let Some(lock) = &s.lock {
            dialect.lock_clause(self, lock)?;
        }
        Ok(())
    }

    fn insert(&mut self, i: &Insert) -> Result<()> {
        let dialect = self.dialect;
        self.push("INSERT INTO ");
        self.table(&i.table)?;
        if i.columns.is_empty() {
            dialect.default_values(self);
        } else {
            self.push(" (");
            self.ident_list(&i.columns)?;
            self.push(") VALUES ");
            for (n, row) in i.rows.iter().enumerate() {
                if row.len() != i.columns.len() {
                    return Err(Error::InvalidQuery(format!(
                        "insert row {n} has {} values for {} columns",
                        row.len(),
                        i.columns.len()
                    )));
                }
                self.push(if n == 0 { "(" } else { ", (" });
                for (k, value) in row.iter().enumerate() {
                    if k > 0 {
                        self.push(", ");
                    }
                    self.expr(value)?;
                }
                self.push(")");
            }
        }
        if let Some(conflict) = &i.on_conflict {
            dialect.on_conflict_clause(self, conflict, &i.columns)?;
        }
        dialect.returning_clause(self, &i.returning)
    }

    fn update(&mut self, u: &Update) -> Result<()> {
        if u.set.is_empty() {
            return Err(Error::InvalidQuery("update sets no column".into()));
        }
        let dialect = self.dialect;
        self.push("UPDATE ");
        self.table(&u.table)?;
        for (i, (column, value)) in u.set.iter().enumerate() {
            self.push(if i == 0 { " SET " } else { ", " });
            self.ident(column)?;
            self.push(" = ");
            self.expr(value)?;
        }
        dialect.where_clause(self, &u.filter)
    }

    fn delete(&mut self, d: &Delete) -> Result<()> {
        let dialect = self.dialect;
        self.push("DELETE FROM ");
        self.table(&d.table)?;
        dialect.where_clause(self, &d.filter)
    }

    /// ` DEFAULT …` of a column with a default the database applies; nothing otherwise.
    pub(crate) fn default_clause(&mut self, c: &ColumnDef) -> Result<()> {
        let dialect = self.dialect;
        match &c.default {
            Some(DefaultValue::Value(v)) => {
                self.push(" DEFAULT ");
                push_literal(v, dialect, &mut self.sql)?;
            }
            Some(DefaultValue::Now) => {
                self.push(" DEFAULT ");
                dialect.push_now_default(c, self);
            }
            Some(DefaultValue::Literal(sql)) => {
                self.push(" DEFAULT (");
                self.push(sql);
                self.push(")");
            }
            Some(DefaultValue::UuidV4 | DefaultValue::UuidV1) | None => {}
        }
        Ok(())
    }

    /// Appends a column's definition: name, type, `NOT NULL`, default, comment, `UNIQUE`, and
    /// `PRIMARY KEY` when `inline_primary_key`.
    pub(crate) fn column_def(
        &mut self,
        table: &Ident,
        c: &ColumnDef,
        inline_primary_key: bool,
    ) -> Result<()> {
        let dialect = self.dialect;
        if let Some(lacking) = lacking_type(dialect.supports(), &c.data_type) {
            return Err(unsupported(
                self,
                format!(
                    "{lacking} columns ({:?} is {})",
                    c.name.as_str(),
                    c.data_type
                ),
            ));
        }
        self.ident(&c.name)?;
        self.push(" ");
        dialect.push_column_type(self, table, c)?;
        if !c.allow_null {
            self.push(" NOT NULL");
        }
        self.default_clause(c)?;
        if c.unique && (!c.primary_key || !inline_primary_key) {
            self.push(" UNIQUE");
        }
        if let Some(comment) = &c.comment {
            dialect.push_column_comment(self, comment)?;
        }
        if c.primary_key && inline_primary_key {
            self.push(" PRIMARY KEY");
            if c.auto_increment {
                if let Some(keyword) = dialect.auto_increment_keyword() {
                    self.push(" ");
                    self.push(keyword);
                }
            }
        }
        let supports = dialect.supports();
        if let DataType::Enum(values) = &c.data_type {
            if !supports.native_enums && !supports.enum_types {
                self.push(" CHECK (");
                self.ident(&c.name)?;
                self.push(" IN (");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    dialect.push_string_literal(v, &mut self.sql)?;
                }
                self.push("))");
            }
        }
        let narrow = matches!(
            c.data_type,
            DataType::TinyInt | DataType::MediumInt | DataType::Unsigned(_)
        );
        if narrow && !supports.narrow_and_unsigned_integers {
            // Stored in a wider type: the range is the type's all the same.
            if let Some((low, high)) = c.data_type.integer_range() {
                self.push(" CHECK (");
                self.ident(&c.name)?;
                self.push_display(" BETWEEN ", low);
                self.push_display(" AND ", high);
                self.push(")");
            }
        }
        Ok(())
    }

    /// An error naming `statement` where enums are not types of their own.
    fn enum_types_supported(&self, statement: &str) -> Result<()> {
        if self.dialect.supports().enum_types {
            Ok(())
        } else {
            Err(unsupported(self, format!("{statement} (enum types)")))
        }
    }

    fn create_table(&mut self, c: &CreateTable) -> Result<()> {
        if c.columns.is_empty() {
            return Err(Error::InvalidQuery(format!(
                "table {:?} has no columns",
                c.name.as_str()
            )));
        }
        self.push(if c.if_not_exists {
            "CREATE TABLE IF NOT EXISTS "
        } else {
            "CREATE TABLE "
        });
        self.ident(&c.name)?;
        self.push(" (");
        let key_columns: Vec<&ColumnDef> = c.columns.iter().filter(|col| col.primary_key).collect();
        let keys: Vec<&Ident> = key_columns.iter().map(|col| &col.name).collect();
        // A key of several columns is a clause after them; so is a unique one where the
        // dialect gives it a unique key of its own beside (an inline `UNIQUE PRIMARY KEY` is
        // one key there).
        let key_clause = keys.len() > 1
            || (self.dialect.supports().unique_beside_primary_key
                && key_columns
                    .iter()
                    .any(|col| col.unique && !col.auto_increment));
        for (i, column) in c.columns.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.column_def(&c.name, column, !key_clause)?;
        }
        if key_clause {
            self.push(", PRIMARY KEY (");
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                self.ident(key)?;
            }
            self.push(")");
        }
        for constraint in &c.constraints {
            self.push(", ");
            self.constraint(constraint)?;
        }
        for column in &c.columns {
            if let Some(references) = &column.references {
                self.push(", FOREIGN KEY (");
                self.ident(&column.name)?;
                self.push(") ");
                self.column_references(references)?;
            }
        }
        self.push(")");
        self.dialect.push_table_options(self, &c.options)
    }

    /// `CONSTRAINT "name" …`, as `CREATE TABLE` and `ADD CONSTRAINT` write it. A check's
    /// values are written as literals: DDL takes no parameters.
    pub(crate) fn constraint(&mut self, constraint: &Constraint) -> Result<()> {
        let empty = match &constraint.kind {
            ConstraintKind::Check(_) => false,
            ConstraintKind::Unique(columns) | ConstraintKind::PrimaryKey(columns) => {
                columns.is_empty()
            }
            ConstraintKind::ForeignKey { columns, keys, .. } => {
                columns.is_empty() || columns.len() != keys.len()
            }
        };
        if empty {
            return Err(Error::InvalidQuery(format!(
                "constraint {:?} names no columns, or not as many keys as columns",
                constraint.name.as_str()
            )));
        }
        self.push("CONSTRAINT ");
        self.ident(&constraint.name)?;
        match &constraint.kind {
            ConstraintKind::Check(condition) => {
                self.push(" CHECK (");
                self.expr_inline(condition)?;
                self.push(")");
            }
            ConstraintKind::Unique(columns) => {
                self.push(" UNIQUE (");
                self.ident_list(columns)?;
                self.push(")");
            }
            ConstraintKind::PrimaryKey(columns) => {
                self.push(" PRIMARY KEY (");
                self.ident_list(columns)?;
                self.push(")");
            }
            ConstraintKind::ForeignKey {
                columns,
                table,
                keys,
                on_delete,
                on_update,
            } => {
                self.push(" FOREIGN KEY (");
                self.ident_list(columns)?;
                self.push(") ");
                self.references(table, keys, *on_delete, *on_update)?;
            }
        }
        Ok(())
    }

    /// A column's `REFERENCES "table" ("key") [ON DELETE …] [ON UPDATE …]`.
    pub(crate) fn column_references(&mut self, references: &References) -> Result<()> {
        let key = std::slice::from_ref(&references.key);
        self.references(
            &references.table,
            key,
            references.on_delete,
            references.on_update,
        )
    }

    /// `REFERENCES "table" ("key", …) [ON DELETE …] [ON UPDATE …]`.
    fn references(
        &mut self,
        table: &Ident,
        keys: &[Ident],
        on_delete: Option<ReferentialAction>,
        on_update: Option<ReferentialAction>,
    ) -> Result<()> {
        self.push("REFERENCES ");
        self.ident(table)?;
        self.push(" (");
        self.ident_list(keys)?;
        self.push(")");
        for (event, action) in [(" ON DELETE ", on_delete), (" ON UPDATE ", on_update)] {
            if let Some(action) = action {
                self.push(event);
                self.push(action.sql());
            }
        }
        Ok(())
    }

    fn drop_table(&mut self, d: &DropTable) -> Result<()> {
        self.push(if d.if_exists {
            "DROP TABLE IF EXISTS "
        } else {
            "DROP TABLE "
        });
        self.ident(&d.name)
    }

    fn create_index(&mut self, i: &CreateIndex) -> Result<()> {
        if i.columns.is_empty() {
            return Err(Error::InvalidQuery(format!(
                "index {:?} has no columns",
                i.name.as_str()
            )));
        }
        let dialect = self.dialect;
        let supports = dialect.supports();
        let lacking = if i.filter.is_some() && !supports.partial_indexes {
            Some("a partial index (`where`)")
        } else if i.kind.is_some() && !supports.full_text_indexes {
            Some("FULLTEXT and SPATIAL indexes")
        } else if i.concurrently && !supports.concurrent_indexes {
            Some("CREATE INDEX CONCURRENTLY")
        } else if i.columns.iter().any(|c| c.operator.is_some()) && !supports.index_operator_classes
        {
            Some("an index operator class (`operator`)")
        } else {
            i.using
                .filter(|m| dialect.index_method(*m).is_none())
                .map(|_| "this index method (`using`)")
        };
        if let Some(lacking) = lacking {
            return Err(unsupported(
                self,
                format!("{lacking} (index {:?})", i.name.as_str()),
            ));
        }
        self.push("CREATE ");
        match (i.unique, i.kind) {
            (_, Some(IndexKind::FullText)) => self.push("FULLTEXT "),
            (_, Some(IndexKind::Spatial)) => self.push("SPATIAL "),
            (true, None) => self.push("UNIQUE "),
            (false, None) => {}
        }
        self.push("INDEX ");
        if i.concurrently {
            self.push("CONCURRENTLY ");
        }
        if i.if_not_exists {
            if !supports.create_index_if_not_exists {
                return Err(Error::InvalidQuery(format!(
                    "{} has no CREATE INDEX IF NOT EXISTS; check for the index first",
                    dialect.name()
                )));
            }
            self.push("IF NOT EXISTS ");
        }
        self.ident(&i.name)?;
        let method = i.using.and_then(|m| dialect.index_method(m));
        if let (Some(method), true) = (method, supports.index_method_before_table) {
            self.push(" USING ");
            self.push(method);
        }
        self.push(" ON ");
        self.ident(&i.table)?;
        if let (Some(method), false) = (method, supports.index_method_before_table) {
            self.push(" USING ");
            self.push(method);
        }
        self.push(" (");
        for (n, column) in i.columns.iter().enumerate() {
            if n > 0 {
                self.push(", ");
            }
            self.ident(&column.name)?;
            if let (Some(length), true) = (column.length, supports.index_prefix_lengths) {
                self.push_display("(", length);
                self.push(")");
            }
            if let Some(operator) = &column.operator {
                self.push(" ");
                self.ident(operator)?;
            }
            match column.order {
                Some(Direction::Asc) => self.push(" ASC"),
                Some(Direction::Desc) => self.push(" DESC"),
                None => {}
            }
        }
        self.push(")");
        if let Some(filter) = &i.filter {
            self.push(" WHERE ");
            self.expr_inline(filter)?;
        }
        Ok(())
    }

    /// Appends a statement.
    pub(crate) fn statement(&mut self, statement: &Statement) -> Result<()> {
        match statement {
            Statement::Select(s) => self.select(s),
            Statement::Insert(i) => self.insert(i),
            Statement::Update(u) => self.update(u),
            Statement::Delete(d) => self.delete(d),
            Statement::CreateTable(c) => self.create_table(c),
            Statement::DropTable(d) => self.drop_table(d),
            Statement::Truncate(table) => {
                let dialect = self.dialect;
                self.push(dialect.truncate_keyword());
                self.ident(table)
            }
            Statement::AddColumn { table, column } => {
                self.push("ALTER TABLE ");
                self.ident(table)?;
                self.push(" ADD COLUMN ");
                self.column_def(table, column, true)?;
                if let Some(references) = &column.references {
                    if self.dialect.supports().inline_references {
                        self.push(" ");
                    } else {
                        // Named as Sequelize names it, for a later removeConstraint.
                        let name =
                            format!("{}_{}_foreign_idx", table.as_str(), column.name.as_str());
                        self.push(", ADD CONSTRAINT ");
                        self.ident(&Ident::from(name))?;
                        self.push(" FOREIGN KEY (");
                        self.ident(&column.name)?;
                        self.push(") ");
                    }
                    self.column_references(references)?;
                }
                Ok(())
            }
            Statement::Comment {
                table,
                column,
                text,
            } => {
                if !self.dialect.supports().comment_statements {
                    return Err(unsupported(
                        self,
                        "COMMENT ON (comments are part of CREATE TABLE)",
                    ));
                }
                self.push(if column.is_some() {
                    "COMMENT ON COLUMN "
                } else {
                    "COMMENT ON TABLE "
                });
                self.ident(table)?;
                if let Some(column) = column {
                    self.push(".");
                    self.ident(column)?;
                }
                self.push(" IS ");
                self.dialect.push_string_literal(text, &mut self.sql)
            }
            Statement::RemoveColumn { table, column } => {
                self.push("ALTER TABLE ");
                self.ident(table)?;
                self.push(" DROP COLUMN ");
                self.ident(column)
            }
            Statement::CreateIndex(i) => self.create_index(i),
            Statement::RenameTable { from, to } => {
                self.push("ALTER TABLE ");
                self.ident(from)?;
                self.push(" RENAME TO ");
                let dialect = self.dialect;
                dialect.push_rename_target(self, to)
            }
            Statement::RenameColumn { table, from, to } => {
                self.push("ALTER TABLE ");
                self.ident(table)?;
                self.push(" RENAME COLUMN ");
                self.ident(from)?;
                self.push(" TO ");
                self.ident(to)
            }
            Statement::CopyRows { from, to, columns } => {
                self.push("INSERT INTO ");
                self.ident(to)?;
                self.push(" (");
                self.ident_list(columns)?;
                self.push(") SELECT ");
                self.ident_list(columns)?;
                self.push(" FROM ");
                self.ident(from)
            }
            Statement::DropIndex { table, name } => {
                let dialect = self.dialect;
                dialect.drop_index(self, table, name)
            }
            Statement::ChangeColumn { table, column } => {
                let dialect = self.dialect;
                dialect.change_column(self, table, column)
            }
            Statement::AddConstraint { table, constraint } => {
                let dialect = self.dialect;
                dialect.add_constraint(self, table, constraint)
            }
            Statement::DropConstraint { table, name, kind } => {
                let dialect = self.dialect;
                dialect.drop_constraint(self, table, name, *kind)
            }
            Statement::SetDefault {
                table,
                column,
                default,
            } => {
                let dialect = self.dialect;
                dialect.set_default(self, table, column, default.as_ref())
            }
            Statement::CreateEnumType { name, values } => {
                self.enum_types_supported("CREATE TYPE … AS ENUM")?;
                self.push("CREATE TYPE ");
                self.ident(name)?;
                self.push(" AS ENUM (");
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        self.push(", ");
                    }
                    self.dialect.push_string_literal(value, &mut self.sql)?;
                }
                self.push(")");
                Ok(())
            }
            Statement::AddEnumValue { name, value } => {
                self.enum_types_supported("ALTER TYPE … ADD VALUE")?;
                self.push("ALTER TYPE ");
                self.ident(name)?;
                self.push(" ADD VALUE IF NOT EXISTS ");
                self.dialect.push_string_literal(value, &mut self.sql)
            }
            Statement::CreateSchema(name) => {
                let dialect = self.dialect;
                dialect.create_schema(self, name)
            }
            Statement::DropSchema(name) => {
                let dialect = self.dialect;
                dialect.drop_schema(self, name)
            }
            Statement::CreateDatabase(create) => {
                let dialect = self.dialect;
                dialect.create_database(self, create)
            }
            Statement::DropDatabase { name, if_exists } => {
                let dialect = self.dialect;
                dialect.drop_database(self, name, *if_exists)
            }
            Statement::DropEnumType { name, if_exists } => {
                self.enum_types_supported("DROP TYPE")?;
                self.push(if *if_exists {
                    "DROP TYPE IF EXISTS "
                } else {
                    "DROP TYPE "
                });
                self.ident(name)
            }
        }
    }

    /// The text and parameters written, checked against the database's parameter limit.
    pub(crate) fn finish(self) -> Result<Rendered> {
        let max = self.dialect.supports().max_bind_parameters;
        if self.params.len() > max {
            return Err(Error::InvalidQuery(format!(
                "statement has {} bound parameters; {} accepts at most {max}",
                self.params.len(),
                self.dialect.name()
            )));
        }
        Ok(Rendered {
            sql: self.sql,
            params: self.params,
        })
    }
}

/// Renders a transaction-control statement; the savepoint name is quoted like any identifier.
pub(crate) fn transaction_control(
    control: TransactionControl,
    savepoint: Option<&str>,
    dialect: &dyn Dialect,
) -> Result<String> {
    let Some(name) = savepoint else {
        return match control {
            TransactionControl::Commit => Ok("COMMIT".into()),
            TransactionControl::Rollback => Ok("ROLLBACK".into()),
            TransactionControl::Savepoint => {
                Err(Error::InvalidQuery("a savepoint needs a name".into()))
            }
        };
    };
    let mut w = SqlWriter::new(dialect);
    w.push(match control {
        TransactionControl::Commit => "RELEASE SAVEPOINT ",
        TransactionControl::Rollback => "ROLLBACK TO SAVEPOINT ",
        TransactionControl::Savepoint => "SAVEPOINT ",
    });
    w.ident(&Ident::from(name.to_owned()))?;
    Ok(w.sql)
}
