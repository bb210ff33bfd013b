//! The renderer: walks a [`Statement`] into SQL text and its bound parameters, asking the
//! dialect only at the points where databases differ.

use super::ddl::{ColumnDef, CreateIndex, CreateTable, DefaultValue, DropTable};
use super::expr::{Direction, Expr, Ident, OrderBy};
use super::literal::push_literal;
use super::{Delete, Insert, Select, Statement, TableRef, TransactionControl, Update};
use crate::dialect::Dialect;
use crate::error::{Error, Result};
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

/// Renders a statement for a dialect.
///
/// Fails, before anything is sent, on identifiers the database cannot hold (empty, containing
/// NUL, longer than it keeps), on comparisons with `NULL` (use `is_null()`), and on statements
/// with more parameters than the database accepts.
///
/// ```
/// use sequelize::sql::{render, Delete, Expr, Statement, TableRef};
/// let dialect = sequelize::dialect::by_name("sqlite").unwrap();
/// let delete = Delete { table: TableRef::new("users"), filter: Expr::column("id").eq(7) };
/// let r = render(&Statement::Delete(delete), &*dialect).unwrap();
/// assert_eq!(r.sql, r#"DELETE FROM "users" WHERE "id" = ?"#);
/// assert_eq!(r.params, vec![sequelize::Value::Int(7)]);
/// ```
pub fn render(statement: &Statement, dialect: &dyn Dialect) -> Result<Rendered> {
    let mut r = Renderer {
        dialect,
        sql: String::with_capacity(128),
        params: Vec::new(),
    };
    match statement {
        Statement::Select(s) => r.select(s)?,
        Statement::Insert(i) => r.insert(i)?,
        Statement::Update(u) => r.update(u)?,
        Statement::Delete(d) => r.delete(d)?,
        Statement::CreateTable(c) => r.create_table(c)?,
        Statement::DropTable(d) => r.drop_table(d)?,
        Statement::AddColumn { table, column } => {
            r.sql.push_str("ALTER TABLE ");
            r.ident(table)?;
            r.sql.push_str(" ADD COLUMN ");
            r.column_def(column, true)?;
        }
        Statement::RemoveColumn { table, column } => {
            r.sql.push_str("ALTER TABLE ");
            r.ident(table)?;
            r.sql.push_str(" DROP COLUMN ");
            r.ident(column)?;
        }
        Statement::CreateIndex(i) => r.create_index(i)?,
    }
    let max = dialect.supports().max_bind_parameters;
    if r.params.len() > max {
        return Err(Error::InvalidQuery(format!(
            "statement has {} bound parameters; {} accepts at most {max}",
            r.params.len(),
            dialect.name()
        )));
    }
    Ok(Rendered {
        sql: r.sql,
        params: r.params,
    })
}

struct Renderer<'d> {
    dialect: &'d dyn Dialect,
    sql: String,
    params: Vec<Value>,
}

impl Renderer<'_> {
    /// Quotes an identifier with the dialect's quote character, doubled inside the name.
    fn ident(&mut self, ident: &Ident) -> Result<()> {
        let name = ident.as_str();
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
        let q = self.dialect.identifier_quote();
        self.sql.push(q);
        for c in name.chars() {
            if c == q {
                self.sql.push(q);
            }
            self.sql.push(c);
        }
        self.sql.push(q);
        Ok(())
    }

    fn ident_list(&mut self, idents: &[Ident]) -> Result<()> {
        for (i, ident) in idents.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.ident(ident)?;
        }
        Ok(())
    }

    fn table(&mut self, table: &TableRef) -> Result<()> {
        self.ident(&table.name)?;
        if let Some(alias) = &table.alias {
            self.sql.push_str(" AS ");
            self.ident(alias)?;
        }
        Ok(())
    }

    fn bind(&mut self, value: &Value) {
        self.params.push(value.clone());
        self.dialect
            .push_placeholder(self.params.len(), &mut self.sql);
    }

    /// An expression that appears as an operand: compound ones get parentheses.
    fn operand(&mut self, e: &Expr) -> Result<()> {
        let compound = matches!(
            e,
            Expr::And(_) | Expr::Or(_) | Expr::Binary { .. } | Expr::Not(_)
        );
        if compound {
            self.sql.push('(');
        }
        self.expr(e)?;
        if compound {
            self.sql.push(')');
        }
        Ok(())
    }

    fn connective(&mut self, items: &[Expr], joiner: &str, empty: &str) -> Result<()> {
        if items.is_empty() {
            self.sql.push_str(empty);
            return Ok(());
        }
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(joiner);
            }
            match item {
                Expr::And(_) | Expr::Or(_) => self.operand(item)?,
                _ => self.expr(item)?,
            }
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expr) -> Result<()> {
        match e {
            Expr::Column { table, name } => {
                if let Some(t) = table {
                    self.ident(t)?;
                    self.sql.push('.');
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
                self.sql.push_str(op.sql());
                self.operand(right)?;
            }
            Expr::And(items) => self.connective(items, " AND ", "1 = 1")?,
            Expr::Or(items) => self.connective(items, " OR ", "1 = 0")?,
            Expr::Not(inner) => {
                self.sql.push_str("NOT (");
                self.expr(inner)?;
                self.sql.push(')');
            }
            Expr::IsNull { expr, negated } => {
                self.operand(expr)?;
                self.sql
                    .push_str(if *negated { " IS NOT NULL" } else { " IS NULL" });
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                // `IN ()` is a syntax error; an empty list matches nothing, and `NOT IN` of an
                // empty list matches everything (not `NOT IN (NULL)`, Sequelize #4859).
                if list.is_empty() {
                    self.sql.push_str(if *negated { "1 = 1" } else { "1 = 0" });
                    return Ok(());
                }
                self.operand(expr)?;
                self.sql
                    .push_str(if *negated { " NOT IN (" } else { " IN (" });
                for (i, item) in list.iter().enumerate() {
                    if i > 0 {
                        self.sql.push_str(", ");
                    }
                    self.expr(item)?;
                }
                self.sql.push(')');
            }
            Expr::Literal(sql) => self.sql.push_str(sql),
        }
        Ok(())
    }

    fn order(&mut self, order: &[OrderBy]) -> Result<()> {
        for (i, term) in order.iter().enumerate() {
            self.sql.push_str(if i == 0 { " ORDER BY " } else { ", " });
            self.operand(&term.expr)?;
            self.sql.push_str(match term.direction {
                Direction::Asc => " ASC",
                Direction::Desc => " DESC",
            });
        }
        Ok(())
    }

    fn select(&mut self, s: &Select) -> Result<()> {
        self.sql.push_str("SELECT ");
        if s.columns.is_empty() {
            self.sql.push('*');
        }
        for (i, column) in s.columns.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.expr(column)?;
        }
        self.sql.push_str(" FROM ");
        self.table(&s.from)?;
        if let Some(filter) = &s.filter {
            self.sql.push_str(" WHERE ");
            self.expr(filter)?;
        }
        self.order(&s.order)?;
        self.limit_offset(s.limit, s.offset);
        if let Some(lock) = s.lock {
            self.dialect.push_lock(lock, &mut self.sql)?;
        }
        Ok(())
    }

    fn limit_offset(&mut self, limit: Option<u64>, offset: Option<u64>) {
        use std::fmt::Write;
        match (limit, self.dialect.unlimited()) {
            (Some(l), _) => write!(self.sql, " LIMIT {l}").expect("writing to a String"),
            (None, Some(none)) if offset.is_some() => {
                self.sql.push_str(" LIMIT ");
                self.sql.push_str(none);
            }
            _ => {}
        }
        if let Some(o) = offset {
            write!(self.sql, " OFFSET {o}").expect("writing to a String");
        }
    }

    fn insert(&mut self, i: &Insert) -> Result<()> {
        self.sql.push_str("INSERT INTO ");
        self.table(&i.table)?;
        if i.columns.is_empty() {
            self.sql.push_str(self.dialect.insert_default_values());
        } else {
            self.sql.push_str(" (");
            self.ident_list(&i.columns)?;
            self.sql.push_str(") VALUES ");
            for (n, row) in i.rows.iter().enumerate() {
                if row.len() != i.columns.len() {
                    return Err(Error::InvalidQuery(format!(
                        "insert row {n} has {} values for {} columns",
                        row.len(),
                        i.columns.len()
                    )));
                }
                self.sql.push_str(if n == 0 { "(" } else { ", (" });
                for (k, value) in row.iter().enumerate() {
                    if k > 0 {
                        self.sql.push_str(", ");
                    }
                    self.expr(value)?;
                }
                self.sql.push(')');
            }
        }
        if !i.returning.is_empty() && self.dialect.supports().returning {
            self.sql.push_str(" RETURNING ");
            self.ident_list(&i.returning)?;
        }
        Ok(())
    }

    fn update(&mut self, u: &Update) -> Result<()> {
        if u.set.is_empty() {
            return Err(Error::InvalidQuery("update sets no column".into()));
        }
        self.sql.push_str("UPDATE ");
        self.table(&u.table)?;
        for (i, (column, value)) in u.set.iter().enumerate() {
            self.sql.push_str(if i == 0 { " SET " } else { ", " });
            self.ident(column)?;
            self.sql.push_str(" = ");
            self.expr(value)?;
        }
        self.sql.push_str(" WHERE ");
        self.expr(&u.filter)
    }

    fn delete(&mut self, d: &Delete) -> Result<()> {
        self.sql.push_str("DELETE FROM ");
        self.table(&d.table)?;
        self.sql.push_str(" WHERE ");
        self.expr(&d.filter)
    }

    fn column_def(&mut self, c: &ColumnDef, inline_primary_key: bool) -> Result<()> {
        self.ident(&c.name)?;
        self.sql.push(' ');
        self.dialect.push_column_type(c, &mut self.sql)?;
        if !c.allow_null {
            self.sql.push_str(" NOT NULL");
        }
        match &c.default {
            Some(DefaultValue::Value(v)) => {
                self.sql.push_str(" DEFAULT ");
                push_literal(v, self.dialect, &mut self.sql)?;
            }
            Some(DefaultValue::Now) => {
                self.sql.push_str(" DEFAULT ");
                self.sql.push_str(self.dialect.now_default());
            }
            Some(DefaultValue::UuidV4) | None => {}
        }
        if c.unique && !c.primary_key {
            self.sql.push_str(" UNIQUE");
        }
        if c.primary_key && inline_primary_key {
            self.sql.push_str(" PRIMARY KEY");
            if c.auto_increment {
                if let Some(keyword) = self.dialect.auto_increment_keyword() {
                    self.sql.push(' ');
                    self.sql.push_str(keyword);
                }
            }
        }
        if let DataType::Enum(values) = &c.data_type {
            if !self.dialect.supports().native_enums {
                self.sql.push_str(" CHECK (");
                self.ident(&c.name)?;
                self.sql.push_str(" IN (");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.sql.push_str(", ");
                    }
                    self.dialect.push_string_literal(v, &mut self.sql)?;
                }
                self.sql.push_str("))");
            }
        }
        Ok(())
    }

    fn create_table(&mut self, c: &CreateTable) -> Result<()> {
        if c.columns.is_empty() {
            return Err(Error::InvalidQuery(format!(
                "table {:?} has no columns",
                c.name.as_str()
            )));
        }
        self.sql.push_str(if c.if_not_exists {
            "CREATE TABLE IF NOT EXISTS "
        } else {
            "CREATE TABLE "
        });
        self.ident(&c.name)?;
        self.sql.push_str(" (");
        let keys: Vec<&Ident> = c
            .columns
            .iter()
            .filter(|col| col.primary_key)
            .map(|col| &col.name)
            .collect();
        let composite = keys.len() > 1;
        for (i, column) in c.columns.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            self.column_def(column, !composite)?;
        }
        if composite {
            self.sql.push_str(", PRIMARY KEY (");
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    self.sql.push_str(", ");
                }
                self.ident(key)?;
            }
            self.sql.push(')');
        }
        self.sql.push(')');
        Ok(())
    }

    fn drop_table(&mut self, d: &DropTable) -> Result<()> {
        self.sql.push_str(if d.if_exists {
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
        self.sql.push_str(if i.unique {
            "CREATE UNIQUE INDEX "
        } else {
            "CREATE INDEX "
        });
        self.ident(&i.name)?;
        self.sql.push_str(" ON ");
        self.ident(&i.table)?;
        self.sql.push_str(" (");
        self.ident_list(&i.columns)?;
        self.sql.push(')');
        Ok(())
    }
}

/// Renders a transaction-control statement; the savepoint name is quoted like any identifier.
pub(crate) fn transaction_control(
    control: TransactionControl,
    savepoint: Option<&str>,
    dialect: &dyn Dialect,
) -> Result<String> {
    let mut r = Renderer {
        dialect,
        sql: String::new(),
        params: Vec::new(),
    };
    let Some(name) = savepoint else {
        return match control {
            TransactionControl::Commit => Ok("COMMIT".into()),
            TransactionControl::Rollback => Ok("ROLLBACK".into()),
            TransactionControl::Savepoint => {
                Err(Error::InvalidQuery("a savepoint needs a name".into()))
            }
        };
    };
    r.sql.push_str(match control {
        TransactionControl::Commit => "RELEASE SAVEPOINT ",
        TransactionControl::Rollback => "ROLLBACK TO SAVEPOINT ",
        TransactionControl::Savepoint => "SAVEPOINT ",
    });
    r.ident(&Ident::from(name.to_owned()))?;
    Ok(r.sql)
}
