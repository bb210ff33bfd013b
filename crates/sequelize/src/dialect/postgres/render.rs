//! What PostgreSQL writes differently from standard SQL.

use std::fmt::Write;

use super::{types, Postgres, TIMESTAMP_FORMAT};
use crate::dialect::{common, QueryGenerator, SqlWriter};
use crate::error::{Error, Result};
use crate::sql::{CastType, ColumnDef, Expr, Ident, JsonPathSegment, JsonRead};
use crate::value::Value;

impl QueryGenerator for Postgres {
    fn push_placeholder(&self, index: usize, out: &mut String) {
        write!(out, "${index}").expect("writing to a String");
    }

    fn push_string_literal(&self, s: &str, out: &mut String) -> Result<()> {
        if s.contains('\0') {
            return Err(Error::InvalidQuery(
                "PostgreSQL text cannot contain a NUL character".into(),
            ));
        }
        if s.contains('\\') {
            // `'…'` reads a backslash as an escape when a session turns
            // standard_conforming_strings off; an escape string reads the same in every mode.
            out.reserve(s.len() + 4);
            out.push_str("E'");
            for c in s.chars() {
                if c == '\'' || c == '\\' {
                    out.push(c);
                }
                out.push(c);
            }
            out.push('\'');
        } else {
            common::push_quoted_doubling(s, out);
        }
        Ok(())
    }

    fn push_bytes_literal(&self, bytes: &[u8], out: &mut String) {
        // bytea's hex input format (`\x…`), as an escape string so that it reads the same
        // whatever standard_conforming_strings says.
        out.push_str("E'\\\\x");
        common::push_hex(bytes, out);
        out.push_str("'::bytea");
    }

    fn timestamp_format(&self) -> &'static str {
        TIMESTAMP_FORMAT
    }

    fn push_column_type(
        &self,
        w: &mut SqlWriter<'_>,
        table: &Ident,
        column: &ColumnDef,
    ) -> Result<()> {
        // Auto-increment is a type here (`SERIAL`, `BIGSERIAL`), not a keyword.
        types::push_column_type(w, table, column)
    }

    fn push_rename_target(&self, w: &mut SqlWriter<'_>, to: &Ident) -> Result<()> {
        // A renamed table stays in its schema; the new name takes none.
        w.ident(&Ident::from(to.as_str().to_owned()))
    }

    fn canonical_type(&self, sql_type: &str) -> String {
        // The model's spelling, in the names `format_type` reports (which leaves the
        // collation out).
        let lower = sql_type.trim().replace('"', "").to_ascii_lowercase();
        let lower = match lower.split_once(" collate ") {
            Some((declared, _)) => declared.to_owned(),
            None => lower,
        };
        let (base, array) = match lower.strip_suffix("[]") {
            Some(base) => (base, "[]"),
            None => (lower.as_str(), ""),
        };
        let base = if let Some(rest) = base.strip_prefix("varchar") {
            format!("character varying{rest}")
        } else if let Some(rest) = base.strip_prefix("char(") {
            format!("character({rest}")
        } else if let Some(rest) = base.strip_prefix("decimal") {
            format!("numeric{rest}")
        } else {
            match base {
                "serial" => "integer".to_owned(),
                "bigserial" => "bigint".to_owned(),
                "time" => "time without time zone".to_owned(),
                other => other.to_owned(),
            }
        };
        format!("{base}{array}")
    }

    fn cast_type(&self, to: CastType) -> &'static str {
        match to {
            CastType::Decimal => "NUMERIC",
            CastType::DateTime => "TIMESTAMP WITH TIME ZONE",
            CastType::Json => "JSONB",
            CastType::Text => "TEXT",
            CastType::Integer => "INTEGER",
            CastType::BigInt => "BIGINT",
            CastType::Double => "DOUBLE PRECISION",
            CastType::Boolean => "BOOLEAN",
            CastType::Date => "DATE",
        }
    }

    fn case_insensitive_like(
        &self,
        w: &mut SqlWriter<'_>,
        expr: &Expr,
        pattern: &Expr,
        negated: bool,
    ) -> Result<()> {
        w.operand(expr)?;
        w.push(if negated { " NOT ILIKE " } else { " ILIKE " });
        w.operand(pattern)
    }

    fn json_contains(&self, w: &mut SqlWriter<'_>, doc: &Expr, candidate: &Expr) -> Result<()> {
        // `@>` exists on jsonb only; the cast is free on a jsonb column (and keeps its GIN
        // index usable), and makes a json column comparable.
        w.push("CAST(");
        w.expr(doc)?;
        w.push(" AS JSONB) @> CAST(");
        w.expr(candidate)?;
        w.push(" AS JSONB)");
        Ok(())
    }

    fn json_path(
        &self,
        w: &mut SqlWriter<'_>,
        expr: &Expr,
        path: &[JsonPathSegment],
        read: JsonRead,
    ) -> Result<()> {
        // `#>>` / `#>` take the path as a text array, each step bound (an index as its
        // digits); they work on json and jsonb alike. Scalars are cast from their text.
        let cast = match read {
            JsonRead::Json | JsonRead::Text => None,
            JsonRead::Number => Some(CastType::Decimal),
            JsonRead::Boolean => Some(CastType::Boolean),
        };
        if cast.is_some() {
            w.push("CAST(");
        }
        w.push("(");
        w.expr(expr)?;
        w.push(if read == JsonRead::Json {
            " #> "
        } else {
            " #>> "
        });
        w.push("CAST(ARRAY[");
        for (i, segment) in path.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            w.bind(&Value::Text(match segment {
                JsonPathSegment::Key(key) => key.clone(),
                JsonPathSegment::Index(index) => index.to_string(),
            }));
        }
        w.push("] AS TEXT[]))");
        if let Some(to) = cast {
            w.push(" AS ");
            w.push(self.cast_type(to));
            w.push(")");
        }
        Ok(())
    }
}
