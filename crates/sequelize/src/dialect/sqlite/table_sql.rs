//! A table's `CREATE TABLE` statement as SQLite keeps it (`sqlite_master.sql`), split into
//! its column and constraint definitions, for the two things SQLite's `ALTER TABLE` cannot
//! do: describe the constraints (SQLite keeps their names only in that text) and change a
//! column or a constraint (the table is rebuilt from the text, changed in that one place,
//! so that every other column keeps its exact type, default, collation and checks).

use crate::dialect::{ConstraintDescription, Dialect, RebuiltTable, SqlWriter};
use crate::error::{Error, Result};
use crate::sql::Ident;
use crate::sql::{ColumnDef, Constraint, ConstraintType, References, ReferentialAction, Statement};

/// A lexical token of SQLite's SQL, with where it is in the text.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    /// A keyword or an unquoted name, as written.
    Word(String),
    /// A quoted name (`"…"`, `` `…` ``, `[…]`), unquoted.
    Quoted(String),
    /// A string literal.
    Text,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `,`.
    Comma,
    /// Any other character (operators, numbers' signs, `.`).
    Other,
}

impl Token {
    fn is(&self, keyword: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(keyword))
    }

    /// The name a word or quoted name stands for.
    fn name(&self) -> Option<&str> {
        match self {
            Token::Word(w) | Token::Quoted(w) => Some(w),
            _ => None,
        }
    }
}

type Spanned = (Token, std::ops::Range<usize>);

/// Splits SQLite's SQL into tokens, dropping whitespace and comments.
fn tokens(sql: &str) -> Result<Vec<Spanned>> {
    let bad = |what: &str| Error::InvalidQuery(format!("unterminated {what} in {sql:?}"));
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let c = bytes[at];
        let closing = |open: u8| match open {
            b'[' => b']',
            other => other,
        };
        let token = match c {
            _ if c.is_ascii_whitespace() => {
                at += 1;
                continue;
            }
            b'-' if bytes.get(at + 1) == Some(&b'-') => {
                at = sql[at..].find('\n').map_or(bytes.len(), |n| at + n + 1);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = sql[at + 2..].find("*/").ok_or_else(|| bad("comment"))? + at + 4;
                continue;
            }
            b'\'' | b'"' | b'`' | b'[' => {
                let close = closing(c);
                let mut value = String::new();
                at += 1;
                loop {
                    let Some(n) = sql[at..].find(close as char) else {
                        return Err(bad("quote"));
                    };
                    value.push_str(&sql[at..at + n]);
                    at += n + 1;
                    // A doubled quote stands for itself (not in `[…]`).
                    if c != b'[' && bytes.get(at) == Some(&close) {
                        value.push(close as char);
                        at += 1;
                    } else {
                        break;
                    }
                }
                if c == b'\'' {
                    Token::Text
                } else {
                    Token::Quoted(value)
                }
            }
            b'(' => {
                at += 1;
                Token::Open
            }
            b')' => {
                at += 1;
                Token::Close
            }
            b',' => {
                at += 1;
                Token::Comma
            }
            _ if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80 => {
                while at < bytes.len()
                    && (bytes[at].is_ascii_alphanumeric()
                        || matches!(bytes[at], b'_' | b'$')
                        || bytes[at] >= 0x80)
                {
                    at += 1;
                }
                Token::Word(sql[start..at].to_owned())
            }
            _ => {
                at += sql[at..].chars().next().map_or(1, char::len_utf8);
                Token::Other
            }
        };
        out.push((token, start..at));
    }
    Ok(out)
}

/// One definition between the parentheses of `CREATE TABLE`.
#[derive(Debug)]
struct Item {
    /// Its text.
    text: String,
    /// Its tokens (spans relative to `text`).
    tokens: Vec<Spanned>,
}

impl Item {
    /// The column it defines; `None` for a table constraint.
    fn column(&self) -> Option<&str> {
        let first = &self.tokens.first()?.0;
        let constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];
        if constraint.iter().any(|k| first.is(k)) {
            None
        } else {
            first.name()
        }
    }
}

/// A `CREATE TABLE` statement: what comes before its definitions, the definitions, and what
/// comes after them (`WITHOUT ROWID`, `STRICT`).
#[derive(Debug)]
pub(super) struct TableSql {
    items: Vec<Item>,
    tail: String,
}

impl TableSql {
    /// Splits `sql`; anything but a `CREATE TABLE … (…)` is an error.
    pub(super) fn parse(sql: &str) -> Result<TableSql> {
        let all = tokens(sql)?;
        let bad = || Error::InvalidQuery(format!("not a CREATE TABLE statement: {sql:?}"));
        let open = all
            .iter()
            .position(|(t, _)| *t == Token::Open)
            .ok_or_else(bad)?;
        let mut items = Vec::new();
        let mut depth = 0;
        let mut item_start = all[open].1.end;
        let mut item_tokens = Vec::new();
        for (token, span) in &all[open + 1..] {
            match token {
                Token::Open => depth += 1,
                Token::Close if depth == 0 => {
                    items.push(Self::item(sql, item_start..span.start, item_tokens));
                    return Ok(TableSql {
                        items,
                        tail: sql[span.end..].to_owned(),
                    });
                }
                Token::Close => depth -= 1,
                Token::Comma if depth == 0 => {
                    items.push(Self::item(sql, item_start..span.start, item_tokens));
                    item_tokens = Vec::new();
                    item_start = span.end;
                    continue;
                }
                _ => {}
            }
            item_tokens.push((token.clone(), span.clone()));
        }
        Err(bad())
    }

    fn item(sql: &str, range: std::ops::Range<usize>, tokens: Vec<Spanned>) -> Item {
        let text = &sql[range.clone()];
        let leading = text.len() - text.trim_start().len();
        let start = range.start + leading;
        Item {
            text: text.trim().to_owned(),
            tokens: (tokens.into_iter())
                .map(|(t, span)| (t, span.start - start..span.end - start))
                .collect(),
        }
    }

    /// The columns, in order.
    pub(super) fn columns(&self) -> Vec<Ident> {
        (self.items.iter())
            .filter_map(|item| item.column().map(|c| Ident::from(c.to_owned())))
            .collect()
    }

    /// The constraints, in order: those written with a column first, then the table's.
    pub(super) fn constraints(&self, table: &str) -> Vec<ConstraintDescription> {
        (self.located(table).into_iter())
            .map(|l| l.description)
            .collect()
    }

    /// This table under the name `rebuilt`, with changes (`addColumn`, `removeColumn`,
    /// `changeColumn`, `addConstraint`, `removeConstraint`, a new default) made in order: its
    /// statement, the columns the rows are copied through, and of `dependents` (the
    /// statements of its indexes and triggers) those that still apply.
    pub(super) fn rewrite(
        mut self,
        dialect: &dyn Dialect,
        table: &Ident,
        changes: &[Statement],
        rebuilt: &Ident,
        dependents: &[String],
    ) -> Result<RebuiltTable> {
        let before = self.columns();
        let mut dependents = dependents.to_vec();
        let column_item = |items: &[Item], name: &Ident| {
            (items.iter())
                .position(|item| item.column() == Some(name.as_str()))
                .ok_or_else(|| {
                    Error::InvalidQuery(format!(
                        "table {:?} has no column {:?}",
                        table.as_str(),
                        name.as_str()
                    ))
                })
        };
        for change in changes {
            match change {
                Statement::ChangeColumn { column, .. } => {
                    let at = column_item(&self.items, &column.name)?;
                    // The new type, nullability, default and comment; the column's key, unique
                    // constraint, collation and (unless a new one is given) reference stay.
                    let kept = ["PRIMARY", "UNIQUE", "COLLATE", "REFERENCES"];
                    let old = &self.items[at];
                    let kept: Vec<(String, &str)> = (column_clauses(old).into_iter())
                        .filter(|c| kept.contains(&c.keyword.as_str()))
                        .filter(|c| c.keyword != "REFERENCES" || column.references.is_none())
                        .map(|c| (c.keyword, old.text[c.span].trim()))
                        .collect();
                    let mut w = SqlWriter::new(dialect);
                    let unique = column.unique && !kept.iter().any(|(k, _)| k == "UNIQUE");
                    w.column_def(
                        table,
                        &ColumnDef {
                            primary_key: false,
                            unique,
                            references: None,
                            ..column.clone()
                        },
                        false,
                    )?;
                    for (_, clause) in &kept {
                        w.push(" ");
                        w.push(clause);
                    }
                    self.items[at] = Self::rendered(w.sql_mut())?;
                    if let Some(references) = &column.references {
                        // The new reference replaces the column's foreign keys.
                        let mut old: Vec<usize> = (self.located(table.as_str()).into_iter())
                            .filter(|l| l.description.constraint_type == ConstraintType::ForeignKey)
                            .filter(|l| l.description.columns == [column.name.as_str()])
                            .filter(|l| l.item != at)
                            .map(|l| l.item)
                            .collect();
                        old.sort_unstable_by(|a, b| b.cmp(a));
                        old.dedup();
                        for item in old {
                            self.items.remove(item);
                        }
                        self.items
                            .push(Self::foreign_key(dialect, column, references)?);
                    }
                }
                Statement::AddColumn { column, .. } => {
                    if column_item(&self.items, &column.name).is_ok() {
                        return Err(Error::InvalidQuery(format!(
                            "table {:?} already has a column {:?}",
                            table.as_str(),
                            column.name.as_str()
                        )));
                    }
                    let at = (self.items.iter())
                        .rposition(|i| i.column().is_some())
                        .map_or(0, |i| i + 1);
                    let mut w = SqlWriter::new(dialect);
                    w.column_def(table, column, true)?;
                    self.items.insert(at, Self::rendered(w.sql_mut())?);
                    if let Some(references) = &column.references {
                        self.items
                            .push(Self::foreign_key(dialect, column, references)?);
                    }
                }
                Statement::RemoveColumn { column, .. } => {
                    let at = column_item(&self.items, column)?;
                    self.items.remove(at);
                    // The table constraints over it go with it, as its indexes do.
                    let over_it = |item: &Item| {
                        item.column().is_none()
                            && item
                                .tokens
                                .iter()
                                .any(|(t, _)| t.name() == Some(column.as_str()))
                    };
                    self.items.retain(|item| !over_it(item));
                    dependents.retain(|sql| {
                        !tokens(sql).is_ok_and(|all| {
                            all.iter().any(|(t, _)| t.name() == Some(column.as_str()))
                        })
                    });
                }
                Statement::AddConstraint { constraint, .. } => {
                    self.refuse_taken_name(table, constraint)?;
                    let mut w = SqlWriter::new(dialect);
                    w.constraint(constraint)?;
                    self.items.push(Self::rendered(w.sql_mut())?);
                }
                Statement::DropConstraint { name, .. } => {
                    let located = self.located(table.as_str());
                    let found = (located.iter())
                        .find(|l| l.description.name == name.as_str())
                        .ok_or_else(|| {
                            Error::InvalidQuery(format!(
                                "table {:?} has no constraint {:?}",
                                table.as_str(),
                                name.as_str()
                            ))
                        })?;
                    let item = &self.items[found.item];
                    if item.column().is_some() {
                        let mut text = item.text.clone();
                        text.replace_range(found.span.clone(), "");
                        self.items[found.item] = Self::rendered(&text)?;
                    } else {
                        self.items.remove(found.item);
                    }
                }
                Statement::SetDefault {
                    column, default, ..
                } => {
                    let at = column_item(&self.items, column)?;
                    let item = &self.items[at];
                    let mut text = item.text.clone();
                    if let Some(span) = default_span(item) {
                        text.replace_range(span, "");
                    }
                    let mut w = SqlWriter::new(dialect);
                    if let Some(default) = default {
                        w.default_clause(&ColumnDef {
                            default: Some(default.clone()),
                            ..ColumnDef::new(column.clone(), crate::types::DataType::Date(None))
                        })?;
                    }
                    text.push_str(w.sql_mut());
                    self.items[at] = Self::rendered(&text)?;
                }
                other => {
                    return Err(Error::InvalidQuery(format!(
                        "a table rebuild makes no {other:?}"
                    )))
                }
            }
        }
        let mut w = SqlWriter::new(dialect);
        w.push("CREATE TABLE ");
        w.ident(rebuilt)?;
        w.push(" (");
        let definitions: Vec<&str> = self.items.iter().map(|i| i.text.as_str()).collect();
        w.push(&definitions.join(", "));
        w.push(")");
        w.push(&self.tail);
        let after = self.columns();
        Ok(RebuiltTable {
            create: std::mem::take(w.sql_mut()),
            columns: before.into_iter().filter(|c| after.contains(c)).collect(),
            dependents,
        })
    }

    /// An error when `constraint`'s name is another constraint's already.
    fn refuse_taken_name(&self, table: &Ident, constraint: &Constraint) -> Result<()> {
        let taken =
            (self.constraints(table.as_str()).iter()).any(|c| c.name == constraint.name.as_str());
        if taken {
            return Err(Error::InvalidQuery(format!(
                "table {:?} already has a constraint {:?}",
                table.as_str(),
                constraint.name.as_str()
            )));
        }
        Ok(())
    }

    /// The constraints with where they are written.
    fn located(&self, table: &str) -> Vec<Located> {
        let mut out = Vec::new();
        for (index, item) in self.items.iter().enumerate() {
            clauses(table, index, item, &mut out);
        }
        out
    }

    /// The table constraint `FOREIGN KEY (column) REFERENCES …` of a column's reference.
    fn foreign_key(
        dialect: &dyn Dialect,
        column: &ColumnDef,
        references: &References,
    ) -> Result<Item> {
        let mut w = SqlWriter::new(dialect);
        w.push("FOREIGN KEY (");
        w.ident(&column.name)?;
        w.push(") ");
        w.column_references(references)?;
        Self::rendered(w.sql_mut())
    }

    fn rendered(text: &str) -> Result<Item> {
        let text = text.trim();
        Ok(Item {
            text: text.to_owned(),
            tokens: tokens(text)?,
        })
    }
}

/// A constraint, and where in the definitions it is written.
struct Located {
    description: ConstraintDescription,
    /// The definition holding it.
    item: usize,
    /// Its text within that definition (from `CONSTRAINT name`, when it has one).
    span: std::ops::Range<usize>,
}

/// The tokens from `at` to the end of the parenthesized group that starts there (the
/// group's tokens, without the parentheses), and the index after it.
fn group(tokens: &[Spanned], at: usize) -> Option<(&[Spanned], usize)> {
    if tokens.get(at)?.0 != Token::Open {
        return None;
    }
    let mut depth = 0;
    for (i, (token, _)) in tokens.iter().enumerate().skip(at) {
        match token {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if depth == 0 {
                    return Some((&tokens[at + 1..i], i + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// The names in a parenthesized list of columns.
fn names(tokens: &[Spanned]) -> Vec<String> {
    (tokens.iter())
        .filter_map(|(t, _)| t.name().map(str::to_owned))
        .collect()
}

/// Words that begin a clause of a column definition.
const COLUMN_CLAUSES: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

/// Where the clause starting at token `at` ends (the index of the next clause's first token,
/// or the end).
fn clause_end(tokens: &[Spanned], at: usize) -> usize {
    let mut i = at + 1;
    while i < tokens.len() {
        if tokens[i].0 == Token::Open {
            i = group(tokens, i).map_or(tokens.len(), |(_, next)| next);
            continue;
        }
        if COLUMN_CLAUSES.iter().any(|k| tokens[i].0.is(k)) {
            // `NOT NULL` starts a clause; the `NULL` of it and `ON DELETE SET NULL` do not.
            let after_not_or_set =
                tokens[i].0.is("NULL") && (tokens[i - 1].0.is("NOT") || tokens[i - 1].0.is("SET"));
            let deferrable =
                tokens[i].0.is("NOT") && tokens.get(i + 1).is_some_and(|t| t.0.is("DEFERRABLE"));
            if !after_not_or_set && !deferrable {
                return i;
            }
        }
        i += 1;
    }
    tokens.len()
}

/// One clause of a column definition after its name and type (`NOT NULL`, `DEFAULT …`,
/// `PRIMARY KEY …`, `REFERENCES …`, …).
struct Clause {
    /// Its first word (after `CONSTRAINT name`), upper case.
    keyword: String,
    /// Its text in the definition, from `CONSTRAINT` when it has a name.
    span: std::ops::Range<usize>,
}

/// The clauses of a column definition, in order.
fn column_clauses(item: &Item) -> Vec<Clause> {
    let tokens = &item.tokens;
    let starts = |i: usize| COLUMN_CLAUSES.iter().any(|k| tokens[i].0.is(k));
    let mut i = 1;
    while i < tokens.len() && !starts(i) {
        i = match tokens[i].0 {
            Token::Open => group(tokens, i).map_or(tokens.len(), |(_, next)| next),
            _ => i + 1,
        };
    }
    let mut out = Vec::new();
    while i < tokens.len() {
        let keyword_at = if tokens[i].0.is("CONSTRAINT") {
            i + 2
        } else {
            i
        };
        let Some((Token::Word(keyword), _)) = tokens.get(keyword_at) else {
            break;
        };
        let end = clause_end(tokens, keyword_at);
        let stop = tokens
            .get(end)
            .map_or(item.text.len(), |(_, span)| span.start);
        out.push(Clause {
            keyword: keyword.to_ascii_uppercase(),
            span: tokens[i].1.start..stop,
        });
        i = end;
    }
    out
}

/// The span of a column definition's `DEFAULT …` clause.
fn default_span(item: &Item) -> Option<std::ops::Range<usize>> {
    (column_clauses(item).into_iter())
        .find(|c| c.keyword == "DEFAULT")
        .map(|c| c.span)
}

/// A foreign key's `REFERENCES table (keys) [ON DELETE …] [ON UPDATE …]` from token `at`
/// (the `REFERENCES`), into `description`.
fn references(tokens: &[Spanned], at: usize, description: &mut ConstraintDescription) {
    description.referenced_table = tokens
        .get(at + 1)
        .and_then(|(t, _)| t.name().map(str::to_owned));
    if let Some((keys, _)) = group(tokens, at + 2) {
        description.referenced_columns = names(keys);
    }
    description.on_delete = Some(ReferentialAction::NoAction);
    description.on_update = Some(ReferentialAction::NoAction);
    let words: Vec<String> = (tokens[at..].iter())
        .filter_map(|(t, _)| match t {
            Token::Word(w) => Some(w.to_ascii_uppercase()),
            _ => None,
        })
        .collect();
    for (i, word) in words.iter().enumerate() {
        if word != "ON" {
            continue;
        }
        let action = match (words.get(i + 2).map(String::as_str), words.get(i + 3)) {
            (Some("SET" | "NO"), Some(second)) => format!("{} {second}", words[i + 2]),
            (Some(first), _) => first.to_owned(),
            _ => continue,
        };
        let Ok(action) = ReferentialAction::parse(&action) else {
            continue;
        };
        match words.get(i + 1).map(String::as_str) {
            Some("DELETE") => description.on_delete = Some(action),
            Some("UPDATE") => description.on_update = Some(action),
            _ => {}
        }
    }
}

/// Sequelize's `addConstraint` name for a constraint declared without one.
fn default_name(table: &str, description: &ConstraintDescription) -> String {
    let columns = description.columns.join("_");
    match description.constraint_type {
        ConstraintType::PrimaryKey => format!("{table}_{columns}_pk"),
        ConstraintType::Unique => format!("{table}_{columns}_uk"),
        ConstraintType::Check => format!("{table}_{columns}_ck"),
        ConstraintType::ForeignKey => format!(
            "{table}_{columns}_{}_fk",
            description.referenced_table.as_deref().unwrap_or_default()
        ),
    }
}

/// The constraints of one definition: a column's own (`PRIMARY KEY`, `UNIQUE`, `CHECK`,
/// `REFERENCES`), or a table constraint.
fn clauses(table: &str, index: usize, item: &Item, out: &mut Vec<Located>) {
    let tokens = &item.tokens;
    let column = item.column().map(str::to_owned);
    let spans: Vec<(String, std::ops::Range<usize>)> = match &column {
        Some(_) => (column_clauses(item).into_iter())
            .map(|c| (c.keyword, c.span))
            .collect(),
        None => {
            let keyword_at = if tokens[0].0.is("CONSTRAINT") { 2 } else { 0 };
            let keyword = tokens.get(keyword_at).and_then(|(t, _)| t.name());
            keyword
                .map(|k| (k.to_ascii_uppercase(), 0..item.text.len()))
                .into_iter()
                .collect()
        }
    };
    for (keyword, span) in spans {
        let kind = match keyword.as_str() {
            "PRIMARY" => ConstraintType::PrimaryKey,
            "UNIQUE" => ConstraintType::Unique,
            "CHECK" => ConstraintType::Check,
            "FOREIGN" | "REFERENCES" => ConstraintType::ForeignKey,
            _ => continue,
        };
        let own: Vec<Spanned> = (tokens.iter())
            .filter(|(_, s)| s.start >= span.start && s.end <= span.end)
            .cloned()
            .collect();
        let name = match own.first() {
            Some((first, _)) if first.is("CONSTRAINT") => {
                own.get(1).and_then(|(t, _)| t.name().map(str::to_owned))
            }
            _ => None,
        };
        let mut description = ConstraintDescription::new(String::new(), kind, Vec::new());
        let list = (own.iter().position(|(t, _)| *t == Token::Open)).and_then(|p| group(&own, p));
        match (kind, &column) {
            (ConstraintType::Check, _) => {
                if let Some((inner, _)) = list {
                    let from = inner.first().map_or(0, |(_, s)| s.start);
                    let to = inner.last().map_or(0, |(_, s)| s.end);
                    description.definition = Some(item.text[from..to].to_owned());
                }
                description.columns = column.iter().cloned().collect();
            }
            (_, Some(column)) => description.columns = vec![column.clone()],
            (_, None) => {
                description.columns = list.map(|(inner, _)| names(inner)).unwrap_or_default()
            }
        }
        if kind == ConstraintType::ForeignKey {
            if let Some(at) = own.iter().position(|(t, _)| t.is("REFERENCES")) {
                references(&own, at, &mut description);
            }
        }
        description.name = match name {
            Some(name) => name,
            None => default_name(table, &description),
        };
        out.push(Located {
            description,
            item: index,
            span,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::DefaultValue;

    const SQL: &str = r#"CREATE TABLE "posts" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "title" VARCHAR(255) NOT NULL DEFAULT 'a, b' UNIQUE, "author_id" INTEGER REFERENCES "users" ("id") ON DELETE SET NULL, [body] TEXT CHECK (length(body) > 0), CONSTRAINT "pair" UNIQUE ("title", "author_id"), FOREIGN KEY ("author_id") REFERENCES users(id) ON UPDATE CASCADE) STRICT"#;

    #[test]
    fn definitions_are_split_at_their_own_commas() {
        let table = TableSql::parse(SQL).unwrap();
        let columns: Vec<String> = table
            .columns()
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        assert_eq!(columns, ["id", "title", "author_id", "body"]);
        assert_eq!(table.tail, " STRICT");
        let title = &table.items[1];
        let default = default_span(title).map(|span| title.text[span].trim().to_owned());
        assert_eq!(default.as_deref(), Some("DEFAULT 'a, b'"));
    }

    #[test]
    fn constraints_are_read_with_their_names_columns_and_actions() {
        let described = TableSql::parse(SQL).unwrap().constraints("posts");
        let summary: Vec<(String, ConstraintType, Vec<String>)> = (described.iter())
            .map(|c| (c.name.clone(), c.constraint_type, c.columns.clone()))
            .collect();
        let s = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            summary,
            [
                ("posts_id_pk".into(), ConstraintType::PrimaryKey, s(&["id"])),
                (
                    "posts_title_uk".into(),
                    ConstraintType::Unique,
                    s(&["title"])
                ),
                (
                    "posts_author_id_users_fk".into(),
                    ConstraintType::ForeignKey,
                    s(&["author_id"])
                ),
                ("posts_body_ck".into(), ConstraintType::Check, s(&["body"])),
                (
                    "pair".into(),
                    ConstraintType::Unique,
                    s(&["title", "author_id"])
                ),
                (
                    "posts_author_id_users_fk".into(),
                    ConstraintType::ForeignKey,
                    s(&["author_id"])
                ),
            ]
        );
        assert_eq!(described[2].on_delete, Some(ReferentialAction::SetNull));
        assert_eq!(described[2].referenced_columns, ["id"]);
        assert_eq!(described[5].on_update, Some(ReferentialAction::Cascade));
        assert_eq!(described[5].on_delete, Some(ReferentialAction::NoAction));
        assert_eq!(described[3].definition.as_deref(), Some("length(body) > 0"));
    }

    #[test]
    fn a_dropped_column_constraint_leaves_the_rest_of_its_column() {
        let dialect = crate::dialect::by_name("sqlite").unwrap();
        let drop = Statement::DropConstraint {
            table: "posts".into(),
            name: "posts_title_uk".into(),
            kind: Some(ConstraintType::Unique),
        };
        let sql = TableSql::parse(SQL)
            .unwrap()
            .rewrite(
                &*dialect,
                &"posts".into(),
                &[drop],
                &"posts_new".into(),
                &[],
            )
            .unwrap()
            .create;
        assert!(sql.starts_with(r#"CREATE TABLE `posts_new` ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "title" VARCHAR(255) NOT NULL DEFAULT 'a, b', "author_id""#), "{sql}");
        let default = Statement::SetDefault {
            table: "posts".into(),
            column: "title".into(),
            default: Some(DefaultValue::Value("c".into())),
        };
        let sql = TableSql::parse(SQL)
            .unwrap()
            .rewrite(
                &*dialect,
                &"posts".into(),
                &[default],
                &"posts_new".into(),
                &[],
            )
            .unwrap()
            .create;
        assert!(
            sql.contains(r#""title" VARCHAR(255) NOT NULL UNIQUE DEFAULT 'c', "#),
            "{sql}"
        );
    }
}
