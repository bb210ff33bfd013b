//! A table read back from the catalog as the AST that would create it: its columns with
//! their model types, keys, defaults and references, its composite keys, and its indexes.
//! What `sequelize db:introspect` writes models from, and what the model diff compares
//! the models with.

use super::{IndexDescription, QueryInterface};
use crate::dialect::{ConstraintDescription, Dialect};
use crate::error::{Error, Result};
use crate::sql::{
    ColumnDef, Constraint, ConstraintKind, ConstraintType, CreateTable, DefaultValue, Ident,
    References,
};
use crate::types::DataType;
use crate::value::Value;

/// A table as the catalog describes it: the `CREATE TABLE` that makes it (checks left
/// out), and its indexes beyond those behind its keys.
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::{DataType, Sequelize, sql::ColumnDef};
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// let qi = db.query_interface();
/// qi.create_table("tags", vec![
///     ColumnDef::new("id", DataType::Integer).primary_key().auto_increment(),
///     ColumnDef::new("name", DataType::String(Some(40))).not_null().unique(),
/// ]).await?;
/// let tags = qi.table_schema("tags").await?.unwrap();
/// assert_eq!(tags.create.columns[1], ColumnDef::new("name", DataType::String(Some(40))).not_null().unique());
/// assert!(tags.create.columns[0].auto_increment);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TableSchema {
    /// The statement that creates the table as it is.
    pub create: CreateTable,
    /// Its indexes made by `CREATE INDEX` (not those behind its primary key, unique
    /// constraints and, on MySQL, foreign keys).
    pub indexes: Vec<IndexDescription>,
    /// Its constraints as the catalog names them ([`QueryInterface::show_constraints`]).
    pub constraints: Vec<ConstraintDescription>,
}

impl QueryInterface<'_> {
    /// `table` read back from the catalog ([`TableSchema`]); `None` when there is no such
    /// table. A column of a type no model type stands for is an error naming it.
    pub async fn table_schema(&self, table: impl Into<Ident>) -> Result<Option<TableSchema>> {
        let table = table.into();
        let dialect = self.target.sequelize().dialect();
        let described = self.describe_columns(table.clone()).await?;
        if described.is_empty() {
            return Ok(None);
        }
        let mut constraints = self.show_constraints(table.clone()).await?;
        if dialect.supports().unique_indexes_are_constraints {
            // A column's own `UNIQUE` is named by the column; any other unique "constraint"
            // over one column is a unique index (`CREATE UNIQUE INDEX`).
            constraints.retain(|c| {
                c.constraint_type != ConstraintType::Unique
                    || c.columns.len() != 1
                    || c.columns[0] == c.name
            });
        }
        let enum_types = match dialect.supports().enum_types {
            true => self.pg_list_enums().await?,
            false => Vec::new(),
        };
        let single = |kind: ConstraintType, column: &str| {
            (constraints.iter()).find(|c| c.constraint_type == kind && c.columns == [column])
        };
        let mut columns = Vec::with_capacity(described.len());
        for d in &described {
            let values = enum_values(&d.data_type, &d.name, &enum_types, &constraints);
            let data_type =
                read_type(dialect, &table, &d.name, &d.data_type, values).ok_or_else(|| {
                    Error::Unsupported {
                        dialect: dialect.name(),
                        feature: format!(
                            "reading column {:?} of {:?}: no model type is {}",
                            d.name,
                            table.as_str(),
                            d.data_type
                        ),
                    }
                })?;
            let mut column = ColumnDef::new(d.name.clone(), data_type);
            column.allow_null = d.allow_null && !d.primary_key;
            column.primary_key = d.primary_key;
            column.auto_increment = d.auto_increment;
            column.comment = d.comment.clone();
            column.unique = single(ConstraintType::Unique, &d.name).is_some();
            if !d.auto_increment {
                column.default = d
                    .default_value
                    .as_deref()
                    .and_then(|text| read_default(text, &column.data_type));
            }
            column.references = single(ConstraintType::ForeignKey, &d.name).map(|key| {
                let mut references = References::new(
                    Ident::from(key.referenced_table.clone().unwrap_or_default()),
                    Ident::from(key.referenced_columns.first().cloned().unwrap_or_default()),
                );
                references.on_delete = key.on_delete;
                references.on_update = key.on_update;
                references
            });
            columns.push(column);
        }
        let mut create = CreateTable::new(table.clone(), columns);
        for c in constraints.iter().filter(|c| c.columns.len() > 1) {
            let names = || c.columns.iter().cloned().map(Ident::from).collect();
            let kind = match c.constraint_type {
                ConstraintType::Unique => ConstraintKind::Unique(names()),
                ConstraintType::ForeignKey => ConstraintKind::ForeignKey {
                    columns: names(),
                    table: Ident::from(c.referenced_table.clone().unwrap_or_default()),
                    keys: c
                        .referenced_columns
                        .iter()
                        .cloned()
                        .map(Ident::from)
                        .collect(),
                    on_delete: c.on_delete,
                    on_update: c.on_update,
                },
                // The primary key is its columns' `primary_key`; checks are left out.
                ConstraintType::PrimaryKey | ConstraintType::Check => continue,
            };
            create
                .constraints
                .push(Constraint::new(c.name.clone(), kind));
        }
        // MySQL makes an index for each foreign key, named by the key or by its column.
        let behind_foreign_key = |index: &IndexDescription| {
            (constraints.iter()).any(|c| {
                c.constraint_type == ConstraintType::ForeignKey
                    && c.columns == index.fields
                    && (c.name == index.name || c.columns.first() == Some(&index.name))
            })
        };
        let behind_keys = |index: &IndexDescription| {
            index.primary
                || index.name.starts_with("sqlite_autoindex_")
                || constraints.iter().any(|c| c.name == index.name)
                || behind_foreign_key(index)
        };
        let indexes = (self.show_index(table).await?.into_iter())
            .filter(|index| !behind_keys(index))
            .collect();
        Ok(Some(TableSchema {
            create,
            indexes,
            constraints,
        }))
    }
}

/// The values of a column that is an enum: spelled in its type (MySQL's `enum('a','b')`),
/// an enum type of its own (PostgreSQL), or a check that it is one of them (SQLite's
/// `"status" IN ('a', 'b')`, as an `ENUM` column is made there).
fn enum_values(
    reported: &str,
    column: &str,
    enum_types: &[(String, Vec<String>)],
    constraints: &[ConstraintDescription],
) -> Option<Vec<String>> {
    let lower = reported.trim().to_ascii_lowercase();
    if lower.starts_with("enum(") {
        return Some(quoted_strings(&reported[5..]));
    }
    let type_name = reported.trim().trim_matches('"');
    if let Some((_, values)) = enum_types.iter().find(|(name, _)| name == type_name) {
        return Some(values.clone());
    }
    constraints
        .iter()
        .filter(|c| c.constraint_type == ConstraintType::Check && c.columns == [column])
        .filter_map(|c| c.definition.as_deref())
        .find_map(|definition| {
            let (left, list) = definition.split_once(" IN (")?;
            let named = left.trim().trim_matches(|q| q == '"' || q == '`') == column;
            named.then(|| quoted_strings(list))
        })
}

/// The `'…'` strings of a list, unescaped (`''` is one quote).
fn quoted_strings(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = list.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            continue;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\'' if chars.peek() == Some(&'\'') => {
                    value.push('\'');
                    chars.next();
                }
                '\'' => break,
                other => value.push(other),
            }
        }
        out.push(value);
    }
    out
}

/// The model type whose column type, as `dialect` writes it, is the one the database
/// reports: the candidates are rendered and compared in the dialect's canonical spelling, so
/// the mapping is the renderer's own, read backwards.
pub(crate) fn read_type(
    dialect: &dyn Dialect,
    table: &Ident,
    column: &str,
    reported: &str,
    enum_values: Option<Vec<String>>,
) -> Option<DataType> {
    let wanted = dialect.canonical_type(reported);
    let renders_as_reported = |candidate: &DataType| {
        let def = ColumnDef::new(column.to_owned(), candidate.clone());
        dialect
            .column_type_sql(table, &def)
            .is_ok_and(|sql| dialect.canonical_type(&sql) == wanted)
    };
    if let Some(values) = enum_values {
        let candidate = DataType::Enum(values);
        if renders_as_reported(&candidate) {
            return Some(candidate);
        }
    }
    let numbers = type_arguments(reported);
    let scalars = candidates(&numbers);
    let wrapped = scalars.iter().flat_map(|inner| {
        let boxed = || Box::new(inner.clone());
        [DataType::Array(boxed()), DataType::Range(boxed())]
    });
    let all: Vec<DataType> = scalars.iter().cloned().chain(wrapped).collect();
    all.into_iter()
        .find(|candidate| renders_as_reported(candidate))
}

/// The numbers in a reported type's first parentheses (`varchar(255)`, `numeric(10,2)`).
fn type_arguments(reported: &str) -> Vec<u32> {
    let Some((_, rest)) = reported.split_once('(') else {
        return Vec::new();
    };
    let inside = rest.split(')').next().unwrap_or_default();
    inside
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect()
}

/// The scalar model types, the usual ones first (a type several render alike is read as
/// the first of them: `TEXT` as `Text`, not `TinyText`, where the database has only one).
fn candidates(numbers: &[u32]) -> Vec<DataType> {
    let first = numbers.first().copied();
    let pair = match numbers {
        [p, s] => Some((*p, *s)),
        _ => None,
    };
    let integers = [
        DataType::Integer,
        DataType::BigInt,
        DataType::SmallInt,
        DataType::TinyInt,
        DataType::MediumInt,
    ];
    let mut all = vec![
        DataType::String(None),
        DataType::String(first),
        DataType::Text,
        DataType::Boolean,
    ];
    all.extend(integers.iter().cloned());
    all.extend([
        DataType::Date(None),
        DataType::Date(first),
        DataType::DateOnly,
        DataType::Time,
        DataType::Uuid,
        DataType::Double,
        DataType::Float,
        DataType::Decimal(None),
        DataType::Decimal(pair),
        DataType::Char(None),
        DataType::Char(first),
        DataType::CiText,
        DataType::Blob,
        DataType::LongText,
        DataType::MediumText,
        DataType::TinyText,
        DataType::Json,
        DataType::Jsonb,
        DataType::LongBlob,
        DataType::MediumBlob,
        DataType::TinyBlob,
        DataType::Inet,
        DataType::Cidr,
        DataType::MacAddr,
        DataType::TsVector,
        DataType::Hstore,
        DataType::BinaryString(None),
        DataType::BinaryString(first),
    ]);
    all.extend(
        integers
            .into_iter()
            .map(|i| DataType::Unsigned(Box::new(i))),
    );
    all
}

/// A column's default as the database writes it, read as the model's: a quoted string, a
/// number, a boolean, the current time; other expressions as developer-written SQL.
/// `NULL` and a sequence's `nextval(…)` are no default.
fn read_default(text: &str, data_type: &DataType) -> Option<DefaultValue> {
    let text = text.trim();
    // PostgreSQL casts its literals: `'active'::character varying`.
    let literal = match text.starts_with('\'') {
        true => text.rfind('\'').map_or(text, |end| &text[..=end]),
        false => text.split("::").next().unwrap_or(text),
    };
    let lower = literal.to_ascii_lowercase();
    if lower == "null" || lower.starts_with("nextval(") {
        return None;
    }
    if lower.starts_with("current_timestamp") || lower == "now()" {
        return Some(DefaultValue::Now);
    }
    let value = if literal.starts_with('\'') && literal.len() >= 2 {
        Value::Text(literal[1..literal.len() - 1].replace("''", "'"))
    } else if let Ok(i) = literal.parse::<i64>() {
        match data_type {
            DataType::Boolean => Value::Bool(i != 0),
            _ => Value::Int(i),
        }
    } else if let Ok(f) = literal.parse::<f64>() {
        Value::Float(f)
    } else if lower == "true" || lower == "false" {
        Value::Bool(lower == "true")
    } else {
        return Some(DefaultValue::Literal(
            literal.trim_matches(['(', ')']).to_owned().into(),
        ));
    };
    Some(DefaultValue::Value(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_read_as_the_models_write_them() {
        let text = DataType::String(None);
        assert_eq!(
            read_default("'it''s'::character varying", &text),
            Some(DefaultValue::Value(Value::Text("it's".into())))
        );
        assert_eq!(
            read_default("1", &DataType::Boolean),
            Some(DefaultValue::Value(Value::Bool(true)))
        );
        assert_eq!(
            read_default("current_timestamp(3)", &text),
            Some(DefaultValue::Now)
        );
        assert_eq!(
            read_default("nextval('users_id_seq'::regclass)", &text),
            None
        );
        assert_eq!(read_default("NULL", &text), None);
        assert_eq!(
            read_default("(CURRENT_DATE)", &DataType::DateOnly),
            Some(DefaultValue::Literal("CURRENT_DATE".into()))
        );
    }

    #[test]
    fn types_are_read_back_through_the_renderer() {
        let cases: &[(&str, &str, DataType)] = &[
            ("postgres", "character varying(255)", DataType::String(None)),
            (
                "postgres",
                "character varying(40)",
                DataType::String(Some(40)),
            ),
            ("postgres", "timestamp with time zone", DataType::Date(None)),
            (
                "postgres",
                "integer[]",
                DataType::Array(Box::new(DataType::Integer)),
            ),
            (
                "postgres",
                "numeric(10,2)",
                DataType::Decimal(Some((10, 2))),
            ),
            ("mysql", "tinyint(1)", DataType::Boolean),
            ("mysql", "int(11)", DataType::Integer),
            ("mysql", "datetime(6)", DataType::Date(None)),
            ("mysql", "datetime(3)", DataType::Date(Some(3))),
            (
                "mysql",
                "int(10) unsigned",
                DataType::Unsigned(Box::new(DataType::Integer)),
            ),
            ("sqlite", "VARCHAR(255)", DataType::String(None)),
            ("sqlite", "DATETIME", DataType::Date(None)),
            ("sqlite", "TINYINT(1)", DataType::Boolean),
        ];
        for (dialect, reported, expected) in cases {
            let dialect = crate::dialect::by_name(dialect).unwrap();
            let read = read_type(&*dialect, &Ident::from("t"), "c", reported, None);
            assert_eq!(
                read.as_ref(),
                Some(expected),
                "{} {reported}",
                dialect.name()
            );
        }
        let mysql = crate::dialect::by_name("mysql").unwrap();
        let values = enum_values("enum('a','it''s')", "c", &[], &[]);
        assert_eq!(
            read_type(&*mysql, &Ident::from("t"), "c", "enum('a','it''s')", values),
            Some(DataType::Enum(vec!["a".into(), "it's".into()]))
        );
    }
}
