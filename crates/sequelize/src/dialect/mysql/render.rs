//! What MySQL and MariaDB write differently from standard SQL.

use super::{push_mode_proof_literal, types, Flavor, MySql, NO_LIMIT, TIMESTAMP_FORMAT};
use chrono::NaiveDateTime;

use crate::dialect::common;
use crate::dialect::render::{direction, lock_of_and_wait};
use crate::dialect::{limit_before_offset, unsupported, QueryGenerator, SqlWriter};
use crate::error::{Error, Result};
use crate::sql::{
    CastType, ColumnDef, ConflictAction, ConstraintType, CreateDatabase, Function, Ident,
    IndexMethod, Lock, LockWait, Nulls, OnConflict, OrderBy, RowLock, TableOptions,
};
use crate::types::DataType;

impl QueryGenerator for MySql {
    fn identifier_quotes(&self) -> (char, char) {
        ('`', '`')
    }

    fn push_string_literal(&self, s: &str, out: &mut String) -> Result<()> {
        // The introducer makes a hex literal text rather than binary.
        push_mode_proof_literal(s, "_utf8mb4 ", out);
        Ok(())
    }

    fn push_bool_literal(&self, b: bool, out: &mut String) {
        out.push(if b { '1' } else { '0' });
    }

    fn timestamp_format(&self) -> &'static str {
        TIMESTAMP_FORMAT
    }

    fn stored_wall_clock(&self, utc: NaiveDateTime) -> NaiveDateTime {
        self.zone.utc_to_local(utc)
    }

    fn push_column_type(&self, w: &mut SqlWriter<'_>, _: &Ident, column: &ColumnDef) -> Result<()> {
        types::push_column_type(w, column)
    }

    fn auto_increment_keyword(&self) -> Option<&'static str> {
        Some("AUTO_INCREMENT")
    }

    fn push_column_comment(&self, w: &mut SqlWriter<'_>, comment: &str) -> Result<()> {
        w.push(" COMMENT ");
        self.push_string_literal(comment, w.sql_mut())
    }

    fn push_table_options(&self, w: &mut SqlWriter<'_>, options: &TableOptions) -> Result<()> {
        for (keyword, word) in [
            (" ENGINE=", &options.engine),
            (" DEFAULT CHARSET=", &options.charset),
            (" COLLATE=", &options.collate),
        ] {
            if let Some(word) = word {
                let is_word =
                    !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !is_word {
                    return Err(Error::InvalidQuery(format!(
                        "table option{keyword:?} must be a word (letters, digits, _), not {word:?}"
                    )));
                }
                w.push(keyword);
                w.push(word);
            }
        }
        if let Some(comment) = &options.comment {
            w.push(" COMMENT=");
            self.push_string_literal(comment, w.sql_mut())?;
        }
        Ok(())
    }

    fn drop_schema(&self, w: &mut SqlWriter<'_>, name: &Ident) -> Result<()> {
        w.push("DROP SCHEMA IF EXISTS ");
        w.ident(name)
    }

    fn create_database(&self, w: &mut SqlWriter<'_>, create: &CreateDatabase) -> Result<()> {
        let postgres_only = [
            ("encoding", &create.encoding),
            ("ctype", &create.ctype),
            ("template", &create.template),
        ];
        if let Some((option, _)) = postgres_only.iter().find(|(_, v)| v.is_some()) {
            return Err(unsupported(
                w,
                format!("createDatabase's `{option}` (PostgreSQL's; MySQL takes `charset` and `collate`)"),
            ));
        }
        w.push("CREATE DATABASE IF NOT EXISTS ");
        w.ident(&create.name)?;
        if let Some(charset) = &create.charset {
            w.push(" DEFAULT CHARACTER SET ");
            self.push_string_literal(charset, w.sql_mut())?;
        }
        if let Some(collate) = &create.collate {
            w.push(" DEFAULT COLLATE ");
            self.push_string_literal(collate, w.sql_mut())?;
        }
        Ok(())
    }

    fn drop_index(&self, w: &mut SqlWriter<'_>, table: &Ident, name: &Ident) -> Result<()> {
        w.push("DROP INDEX ");
        w.ident(name)?;
        w.push(" ON ");
        w.ident(table)
    }

    fn change_column(
        &self,
        w: &mut SqlWriter<'_>,
        table: &Ident,
        column: &ColumnDef,
    ) -> Result<()> {
        w.push("ALTER TABLE ");
        w.ident(table)?;
        w.push(" MODIFY COLUMN ");
        // The type, nullability, default and comment only: `UNIQUE` again would add a second
        // unique index each time (Sequelize #8984), and the key stays as it is.
        let column = ColumnDef {
            unique: false,
            primary_key: false,
            ..column.clone()
        };
        w.column_def(table, &column, false)
    }

    fn drop_constraint(
        &self,
        w: &mut SqlWriter<'_>,
        table: &Ident,
        name: &Ident,
        kind: Option<ConstraintType>,
    ) -> Result<()> {
        let Some(kind) = kind else {
            return Err(Error::InvalidQuery(format!(
                "MySQL drops constraint {:?} by its type, which was not given",
                name.as_str()
            )));
        };
        w.push("ALTER TABLE ");
        w.ident(table)?;
        // MySQL drops a key by what it is: a unique constraint is an index, a foreign key
        // has a statement of its own, the primary key has no name of its own.
        match kind {
            ConstraintType::PrimaryKey => {
                w.push(" DROP PRIMARY KEY");
                return Ok(());
            }
            ConstraintType::ForeignKey => w.push(" DROP FOREIGN KEY "),
            ConstraintType::Unique => w.push(" DROP INDEX "),
            ConstraintType::Check => w.push(" DROP CONSTRAINT "),
        }
        w.ident(name)
    }

    fn canonical_type(&self, sql_type: &str) -> String {
        let lower = sql_type.trim().to_ascii_lowercase().replace(", ", ",");
        // Display widths (`int(11)`) are not part of the type, except `tinyint(1)`, which is
        // how MySQL spells BOOLEAN; BINARY is a collation; MariaDB keeps JSON as LONGTEXT.
        let mut words: Vec<String> = Vec::new();
        for word in lower.split_whitespace() {
            let word = match word {
                "integer" => "int".to_owned(),
                "precision" if words.last().is_some_and(|w| w == "double") => continue,
                "binary" => continue,
                "json" => "longtext".to_owned(),
                _ => match word.split_once('(') {
                    Some((name, _))
                        if word != "tinyint(1)"
                            && matches!(
                                name,
                                "tinyint" | "smallint" | "mediumint" | "int" | "bigint"
                            ) =>
                    {
                        name.to_owned()
                    }
                    _ => word.to_owned(),
                },
            };
            words.push(word);
        }
        words.join(" ")
    }

    fn index_method(&self, method: IndexMethod) -> Option<&'static str> {
        matches!(method, IndexMethod::BTree | IndexMethod::Hash).then(|| method.sql())
    }

    fn push_now_default(&self, column: &ColumnDef, w: &mut SqlWriter<'_>) {
        // MySQL 8 wants the default's precision to be the column's.
        let precision = match column.data_type {
            DataType::Date(precision) => precision.unwrap_or(types::DEFAULT_DATE_PRECISION),
            _ => 0,
        };
        w.push_display("CURRENT_TIMESTAMP(", precision);
        w.push(")");
    }

    fn cast_type(&self, to: CastType) -> &'static str {
        match to {
            CastType::Text => "CHAR",
            // MySQL casts to integers as SIGNED; it has no BOOLEAN target either.
            CastType::Integer | CastType::BigInt | CastType::Boolean => "SIGNED",
            CastType::Double => "DOUBLE",
            CastType::Decimal => "DECIMAL(65,30)",
            CastType::Date => "DATE",
            CastType::DateTime => "DATETIME(6)",
            // MariaDB's JSON is text and has no CAST target of that name.
            CastType::Json if self.flavor == Flavor::MariaDb => "CHAR",
            CastType::Json => "JSON",
        }
    }

    fn limit_offset_clause(&self, w: &mut SqlWriter<'_>, limit: Option<u64>, offset: Option<u64>) {
        limit_before_offset(w, limit, offset, NO_LIMIT);
    }

    fn lock_clause(&self, w: &mut SqlWriter<'_>, lock: &RowLock) -> Result<()> {
        let plain = lock.of.is_empty() && lock.wait == LockWait::Wait;
        w.push(match lock.strength {
            Lock::Update => " FOR UPDATE",
            // `FOR SHARE` is MySQL 8 only, as are `OF`, `NOWAIT` and `SKIP LOCKED` after it;
            // this spelling works on MySQL 5.7+ and MariaDB (which takes the wait options
            // after it, from 10.6).
            Lock::Share if plain || self.flavor == Flavor::MariaDb => " LOCK IN SHARE MODE",
            Lock::Share => " FOR SHARE",
            Lock::KeyShare | Lock::NoKeyUpdate => {
                return Err(unsupported(w, format!("lock {:?}", lock.strength)))
            }
        });
        if self.flavor == Flavor::MariaDb && !lock.of.is_empty() {
            return Err(unsupported(w, "lock `of` (MariaDB locks every table read)"));
        }
        lock_of_and_wait(w, lock)
    }

    fn function_name(&self, function: Function) -> &'static str {
        match function {
            Function::Random => "RAND",
            other => common::standard_function_name(other),
        }
    }

    fn order_term(&self, w: &mut SqlWriter<'_>, term: &OrderBy) -> Result<()> {
        // No `NULLS FIRST|LAST` here: sort on `expr IS NULL` first (1 for NULL). The
        // expression is written twice, so it must bind nothing: a cached statement binds
        // each value once.
        if let Some(nulls) = term.nulls {
            let before = w.param_count();
            w.operand(&term.expr)?;
            if w.param_count() > before {
                return Err(unsupported(
                    w,
                    "nulls_first/nulls_last on an expression with bound values",
                ));
            }
            w.push(match nulls {
                Nulls::First => " IS NULL DESC, ",
                Nulls::Last => " IS NULL ASC, ",
            });
        }
        w.operand(&term.expr)?;
        w.push(direction(term.direction));
        Ok(())
    }

    fn regexp_concat(&self) -> Option<[&'static str; 3]> {
        // `||` is OR here unless `PIPES_AS_CONCAT` is set.
        Some(["CONCAT(", ", ", ")"])
    }

    fn default_values(&self, w: &mut SqlWriter<'_>) {
        w.push(" () VALUES ()");
    }

    fn on_conflict_clause(
        &self,
        w: &mut SqlWriter<'_>,
        conflict: &OnConflict,
        inserted: &[Ident],
    ) -> Result<()> {
        // Every unique key is the target here; "do nothing" sets a column to itself, which
        // keeps the row as it is.
        let kept = (conflict.target.first())
            .or_else(|| inserted.first())
            .ok_or_else(|| {
                Error::InvalidQuery("an upsert needs the unique columns that collide".into())
            })?;
        let columns = match &conflict.action {
            ConflictAction::Update(columns) if !columns.is_empty() => columns.as_slice(),
            _ => std::slice::from_ref(kept),
        };
        for (i, column) in columns.iter().enumerate() {
            w.push(if i == 0 {
                " ON DUPLICATE KEY UPDATE "
            } else {
                ", "
            });
            w.ident(column)?;
            if matches!(conflict.action, ConflictAction::DoNothing) {
                w.push(" = ");
                w.ident(column)?;
            } else {
                w.push(" = VALUES(");
                w.ident(column)?;
                w.push(")");
            }
        }
        Ok(())
    }
}
