//! The shape of a statement: its structure without its values, as a compact key, and its
//! values in the order every renderer binds them. Two statements with the same shape render
//! to the same SQL text, so the text can be rendered once and reused
//! (`model::statement_cache`).

use super::expr::{Expr, Ident, OrderBy};
use super::query::{Insert, Join, Select, SelectItem, Source};
use super::{ConflictAction, Delete, JoinKind, Statement, Update};
use crate::value::Value;

/// A statement's shape key and its values, in binding order.
///
/// ```
/// use sequelize::sql::{Expr, Select, Shape, TableRef};
/// let a = Select::new(TableRef::new("users")).filter(Expr::column("id").eq(1));
/// let b = Select::new(TableRef::new("users")).filter(Expr::column("id").eq(2));
/// let (sa, sb) = (Shape::of(&a.into()).unwrap(), Shape::of(&b.into()).unwrap());
/// assert_eq!(sa.key, sb.key);
/// assert_eq!(sb.values, vec![sequelize::Value::Int(2)]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The structure: every identifier, operator, keyword choice and list length.
    pub key: Vec<u8>,
    /// The values, in the order the renderer binds them.
    pub values: Vec<Value>,
    /// `IN` lists of values of one type are bound as one array.
    arrays: bool,
    /// Walking to put `values` back into the statement they were taken from (kept in
    /// reverse, so each is popped in binding order) instead of taking them out.
    restoring: bool,
}

impl Shape {
    /// The shape of a query (`SELECT`, `INSERT`, `UPDATE`, `DELETE`). `None` for DDL, and
    /// for statements whose parameters differ per dialect (a JSON path is bound as one path
    /// string on some databases and step by step on others).
    pub fn of(statement: &Statement) -> Option<Shape> {
        Shape::take(&mut statement.clone(), false)
    }

    /// The shape of a query, its values moved out of `statement` (which keeps `NULL` in
    /// their place) rather than copied: a statement is run once, so on the cached path its
    /// values go to the driver without a copy. [`restore`](Self::restore) puts them back,
    /// for a statement that must be rendered after all. `arrays`: the database binds `IN`
    /// lists of values of one type as one array (PostgreSQL's `= ANY($1)`; see
    /// [`Expr::one_typed_values`]), so such a list is one value, whatever its length.
    ///
    /// ```
    /// use sequelize::sql::{Expr, Select, Shape, Statement, TableRef};
    /// use sequelize::Value;
    /// let by_name = |name: &str| Statement::from(Select::new(TableRef::new("users")).filter(Expr::column("name").eq(name)));
    /// let mut statement = by_name("Ann");
    /// let shape = Shape::take(&mut statement, false).unwrap();
    /// assert_eq!(shape.values, [Value::from("Ann")]);
    /// shape.restore(&mut statement);
    /// assert_eq!(statement, by_name("Ann"));
    /// ```
    pub fn take(statement: &mut Statement, arrays: bool) -> Option<Shape> {
        let mut shape = Shape {
            key: Vec::with_capacity(256),
            values: Vec::new(),
            arrays,
            restoring: false,
        };
        shape.walk(statement)?;
        Some(shape)
    }

    /// Puts the values [`take`](Self::take) moved out of `statement` back in their places.
    pub fn restore(mut self, statement: &mut Statement) {
        self.values.reverse();
        self.restoring = true;
        self.key.clear();
        self.walk(statement)
            .expect("a statement that had a shape has it still");
        debug_assert!(self.values.is_empty(), "every value went back");
    }

    fn walk(&mut self, statement: &mut Statement) -> Option<()> {
        match statement {
            Statement::Select(s) => self.select(s),
            Statement::Insert(i) => self.insert(i),
            Statement::Update(u) => self.update(u),
            Statement::Delete(d) => self.delete(d),
            _ => None,
        }
    }

    /// One bound value: taken out of the statement, or put back.
    fn value(&mut self, value: &mut Value) {
        if self.restoring {
            *value = self.values.pop().expect("as many values as were taken");
        } else {
            // NULL is told apart: a comparison with it is an error, never cached SQL.
            self.tag(if value.is_null() { b'n' } else { b'v' });
            self.values.push(std::mem::take(value));
        }
    }

    fn tag(&mut self, tag: u8) {
        self.key.push(tag);
    }

    fn number(&mut self, n: u64) {
        self.key.extend_from_slice(&n.to_le_bytes());
    }

    fn text(&mut self, text: &str) {
        self.number(text.len() as u64);
        self.key.extend_from_slice(text.as_bytes());
    }

    fn ident(&mut self, ident: &Ident) {
        self.text(ident.as_str());
    }

    fn optional_ident(&mut self, ident: Option<&Ident>) {
        match ident {
            Some(ident) => {
                self.tag(1);
                self.ident(ident);
            }
            None => self.tag(0),
        }
    }

    fn idents(&mut self, idents: &[Ident]) {
        self.number(idents.len() as u64);
        for ident in idents {
            self.ident(ident);
        }
    }

    fn exprs(&mut self, exprs: &mut [Expr]) -> Option<()> {
        self.number(exprs.len() as u64);
        exprs.iter_mut().try_for_each(|e| self.expr(e))
    }

    fn expr(&mut self, e: &mut Expr) -> Option<()> {
        match e {
            Expr::Column { table, name } => {
                self.tag(b'c');
                self.optional_ident(table.as_ref());
                self.ident(name);
            }
            Expr::Value(v) => self.value(v),
            Expr::Binary { op, left, right } => {
                self.tag(b'b');
                self.text(op.sql());
                self.expr(left)?;
                self.expr(right)?;
            }
            Expr::And(items) => {
                self.tag(b'&');
                self.exprs(items)?;
            }
            Expr::Or(items) => {
                self.tag(b'|');
                self.exprs(items)?;
            }
            Expr::Not(inner) => {
                self.tag(b'!');
                self.expr(inner)?;
            }
            Expr::IsNull { expr, negated } => {
                self.tag(if *negated { b'N' } else { b'0' });
                self.expr(expr)?;
            }
            Expr::IsBool {
                expr,
                value,
                negated,
            } => {
                self.tag(b'B');
                self.tag(u8::from(*value) | u8::from(*negated) << 1);
                self.expr(expr)?;
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => match Expr::one_typed_values(list).filter(|_| self.arrays) {
                // The list keeps its values (the array is made of copies), so a restoring
                // walk sees the same list and takes the same branch.
                Some(values) => {
                    self.tag(if *negated { b'Y' } else { b'y' });
                    self.expr(expr)?;
                    let mut array = Value::Array(values);
                    self.value(&mut array);
                }
                None => {
                    self.tag(if *negated { b'I' } else { b'i' });
                    self.expr(expr)?;
                    self.exprs(list)?;
                }
            },
            Expr::Literal(sql) => {
                self.tag(b'l');
                self.text(sql);
            }
            Expr::Function {
                function,
                args,
                distinct,
            } => {
                self.tag(if *distinct { b'F' } else { b'f' });
                self.tag(*function as u8);
                self.exprs(args)?;
            }
            Expr::Cast { expr, to } => {
                self.tag(b'C');
                self.tag(*to as u8);
                self.expr(expr)?;
            }
            Expr::JsonPath { .. } => return None,
            Expr::ArrayCompare { left, op, right } => {
                self.tag(b'a');
                self.text(op.sql());
                self.expr(left)?;
                self.expr(right)?;
            }
            Expr::JsonContains { doc, candidate } => {
                self.tag(b'j');
                self.expr(doc)?;
                self.expr(candidate)?;
            }
            Expr::Between {
                expr,
                low,
                high,
                negated,
            } => {
                self.tag(if *negated { b'W' } else { b'w' });
                self.expr(expr)?;
                self.expr(low)?;
                self.expr(high)?;
            }
            Expr::Like {
                expr,
                pattern,
                negated,
                case_insensitive,
                escaped,
            } => {
                self.tag(b'k');
                self.tag(
                    u8::from(*negated) | u8::from(*case_insensitive) << 1 | u8::from(*escaped) << 2,
                );
                self.expr(expr)?;
                self.expr(pattern)?;
            }
            Expr::Regexp {
                expr,
                pattern,
                negated,
                case_insensitive,
            } => {
                self.tag(b'r');
                self.tag(u8::from(*negated) | u8::from(*case_insensitive) << 1);
                self.expr(expr)?;
                self.expr(pattern)?;
            }
            Expr::Window {
                function,
                partition_by,
                order,
            } => {
                self.tag(b'w');
                self.tag(*function as u8);
                self.exprs(partition_by)?;
                self.order(order)?;
            }
            Expr::Exists { select, negated } => {
                self.tag(if *negated { b'E' } else { b'e' });
                self.select(select)?;
            }
            Expr::InSubquery {
                expr,
                select,
                negated,
            } => {
                self.tag(if *negated { b'S' } else { b's' });
                self.expr(expr)?;
                self.select(select)?;
            }
        }
        Some(())
    }

    fn source(&mut self, source: &mut Source) -> Option<()> {
        match source {
            Source::Table(table) => {
                self.tag(b't');
                self.ident(&table.name);
                self.optional_ident(table.alias.as_ref());
            }
            Source::Subquery { select, alias } => {
                self.tag(b'q');
                self.select(select)?;
                self.ident(alias);
            }
            Source::Nested { source, joins } => {
                self.tag(b'n');
                self.source(source)?;
                self.joins(joins)?;
            }
        }
        Some(())
    }

    fn joins(&mut self, joins: &mut [Join]) -> Option<()> {
        self.number(joins.len() as u64);
        for join in joins {
            self.tag(match join.kind {
                JoinKind::Inner => b'J',
                JoinKind::Left => b'L',
                JoinKind::Right => b'R',
            });
            self.source(&mut join.source)?;
            self.expr(&mut join.on)?;
        }
        Some(())
    }

    fn item(&mut self, item: &mut SelectItem) -> Option<()> {
        self.expr(&mut item.expr)?;
        self.optional_ident(item.alias.as_ref());
        Some(())
    }

    fn order(&mut self, order: &mut [OrderBy]) -> Option<()> {
        self.number(order.len() as u64);
        for term in order {
            self.expr(&mut term.expr)?;
            self.tag(term.direction as u8);
            self.tag(term.nulls.map_or(0, |nulls| nulls as u8 + 1));
        }
        Some(())
    }

    fn optional_number(&mut self, n: Option<u64>) {
        match n {
            Some(n) => {
                self.tag(1);
                self.number(n);
            }
            None => self.tag(0),
        }
    }

    /// In the renderer's order: list, sources and joins, WHERE, GROUP BY, HAVING, ORDER BY,
    /// LIMIT/OFFSET, lock.
    fn select(&mut self, s: &mut Select) -> Option<()> {
        self.tag(if s.distinct { b'D' } else { b'd' });
        self.number(s.columns.len() as u64);
        s.columns.iter_mut().try_for_each(|item| self.item(item))?;
        self.source(&mut s.from)?;
        self.joins(&mut s.joins)?;
        self.optional_expr(s.filter.as_mut())?;
        self.exprs(&mut s.group_by)?;
        self.optional_expr(s.having.as_mut())?;
        self.order(&mut s.order)?;
        self.optional_number(s.limit);
        self.optional_number(s.offset);
        match &s.lock {
            Some(lock) => {
                self.tag(lock.strength as u8 + 1);
                self.tag(lock.wait as u8);
                self.idents(&lock.of);
            }
            None => self.tag(0),
        }
        Some(())
    }

    fn optional_expr(&mut self, e: Option<&mut Expr>) -> Option<()> {
        match e {
            Some(e) => {
                self.tag(1);
                self.expr(e)
            }
            None => {
                self.tag(0);
                Some(())
            }
        }
    }

    fn insert(&mut self, i: &mut Insert) -> Option<()> {
        self.tag(b'I');
        self.ident(&i.table.name);
        self.optional_ident(i.table.alias.as_ref());
        self.idents(&i.columns);
        self.number(i.rows.len() as u64);
        i.rows.iter_mut().try_for_each(|row| self.exprs(row))?;
        match &i.on_conflict {
            None => self.tag(0),
            Some(conflict) => {
                self.tag(1);
                self.idents(&conflict.target);
                match &conflict.action {
                    ConflictAction::DoNothing => self.tag(b'-'),
                    ConflictAction::Update(columns) => {
                        self.tag(b'=');
                        self.idents(columns);
                    }
                }
            }
        }
        self.idents(&i.returning);
        Some(())
    }

    fn update(&mut self, u: &mut Update) -> Option<()> {
        self.tag(b'U');
        self.ident(&u.table.name);
        self.optional_ident(u.table.alias.as_ref());
        self.number(u.set.len() as u64);
        for (column, value) in &mut u.set {
            self.ident(column);
            self.expr(value)?;
        }
        self.expr(&mut u.filter)
    }

    fn delete(&mut self, d: &mut Delete) -> Option<()> {
        self.tag(b'X');
        self.ident(&d.table.name);
        self.optional_ident(d.table.alias.as_ref());
        self.expr(&mut d.filter)
    }
}
