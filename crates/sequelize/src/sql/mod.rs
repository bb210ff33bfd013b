//! A small SQL AST: the statements the ORM sends, as data.
//!
//! The model layer and the query interface build these nodes; only [`render`] turns them into
//! text, asking the [`Dialect`](crate::dialect::Dialect) for the points where databases differ
//! (quoting, placeholders, types, `LIMIT`, `RETURNING`). No SQL text is assembled anywhere
//! else, which is what makes "every value is bound, every identifier quoted" checkable in one
//! place.
//!
//! ```
//! use sequelize::sql::{Expr, Select, Statement, TableRef};
//! let select = Select::new(TableRef::new("users"))
//!     .filter(Expr::column("email").eq("a@example.com"));
//! let rendered = sequelize::sql::render(&Statement::Select(select), &*sequelize::dialect::by_name("sqlite").unwrap()).unwrap();
//! assert_eq!(rendered.sql, r#"SELECT * FROM "users" WHERE "email" = ?"#);
//! ```

mod ddl;
mod expr;
mod literal;
mod render;
pub mod scanner;
mod transaction;

pub use ddl::{ColumnDef, CreateIndex, CreateTable, DefaultValue, DropTable};
pub use expr::{BinaryOp, Direction, Expr, Ident, OrderBy};
pub(crate) use literal::push_literal;
pub(crate) use render::transaction_control;
pub use render::{render, Rendered};
pub(crate) use transaction::TransactionControl;
pub use transaction::{IsolationLevel, TransactionOptions, TransactionType};

/// A table in a `FROM` or a DML target, optionally aliased.
///
/// ```
/// let t = sequelize::sql::TableRef::new("users").alias("u");
/// assert_eq!(t.alias.unwrap().as_str(), "u");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TableRef {
    /// The table name.
    pub name: Ident,
    /// The alias it is known by in the statement.
    pub alias: Option<Ident>,
}

impl TableRef {
    /// A table by name.
    pub fn new(name: impl Into<Ident>) -> Self {
        TableRef {
            name: name.into(),
            alias: None,
        }
    }

    /// Gives the table an alias.
    pub fn alias(mut self, alias: impl Into<Ident>) -> Self {
        self.alias = Some(alias.into());
        self
    }
}

/// Row locks for `SELECT … FOR …` (Sequelize's `lock: t.LOCK.UPDATE`). SQLite has no row
/// locks: there the clause is left out and the transaction's database lock applies.
///
/// ```
/// use sequelize::{dialect::by_name, sql::{render, Select, Statement, TableRef}, Lock};
/// let select = Select { lock: Some(Lock::Update), ..Select::new(TableRef::new("accounts")) };
/// let sqlite = render(&Statement::Select(select), &*by_name("sqlite").unwrap()).unwrap();
/// assert_eq!(sqlite.sql, r#"SELECT * FROM "accounts""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// `FOR UPDATE`.
    Update,
    /// `FOR SHARE` (`LOCK IN SHARE MODE` on MySQL).
    Share,
}

/// A `SELECT`.
///
/// ```
/// use sequelize::sql::{Expr, Select, TableRef};
/// let s = Select { limit: Some(5), ..Select::new(TableRef::new("users")) }.filter(Expr::column("age").gt(18));
/// assert!(s.filter.is_some());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// The table read.
    pub from: TableRef,
    /// The expressions selected; empty means `*`.
    pub columns: Vec<Expr>,
    /// The `WHERE` condition.
    pub filter: Option<Expr>,
    /// `ORDER BY` terms.
    pub order: Vec<OrderBy>,
    /// `LIMIT`.
    pub limit: Option<u64>,
    /// `OFFSET`.
    pub offset: Option<u64>,
    /// `FOR UPDATE` / `FOR SHARE`.
    pub lock: Option<Lock>,
}

impl Select {
    /// `SELECT * FROM table`.
    pub fn new(from: TableRef) -> Self {
        Select {
            from,
            columns: Vec::new(),
            filter: None,
            order: Vec::new(),
            limit: None,
            offset: None,
            lock: None,
        }
    }

    /// Adds a condition, joined with `AND` to any earlier one.
    pub fn filter(mut self, condition: Expr) -> Self {
        self.filter = Some(match self.filter.take() {
            Some(existing) => existing.and(condition),
            None => condition,
        });
        self
    }
}

/// An `INSERT` of one or more rows.
///
/// ```
/// use sequelize::sql::{Expr, Insert, TableRef};
/// let insert = Insert {
///     table: TableRef::new("tags"),
///     columns: vec!["name".into()],
///     rows: vec![vec![Expr::value("rust")], vec![Expr::value("sql")]],
///     returning: vec!["id".into()],
/// };
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    /// The target table.
    pub table: TableRef,
    /// The columns given.
    pub columns: Vec<Ident>,
    /// One entry per row, each as long as `columns`.
    pub rows: Vec<Vec<Expr>>,
    /// Columns to return (`RETURNING`), where the dialect supports it.
    pub returning: Vec<Ident>,
}

/// An `UPDATE`.
///
/// ```
/// use sequelize::sql::{Expr, TableRef, Update};
/// let update = Update {
///     table: TableRef::new("users"),
///     set: vec![("status".into(), Expr::value("banned"))],
///     filter: Expr::column("id").eq(7),
/// };
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// The target table.
    pub table: TableRef,
    /// `SET column = value` pairs.
    pub set: Vec<(Ident, Expr)>,
    /// The `WHERE` condition; required (see [`render`]).
    pub filter: Expr,
}

/// A `DELETE`; see [`render`] for an example.
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// The target table.
    pub table: TableRef,
    /// The `WHERE` condition; required, so no path deletes every row by accident.
    pub filter: Expr,
}

/// Every statement the ORM can render; see the module example.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `SELECT`.
    Select(Select),
    /// `INSERT`.
    Insert(Insert),
    /// `UPDATE`.
    Update(Update),
    /// `DELETE`.
    Delete(Delete),
    /// `CREATE TABLE`.
    CreateTable(CreateTable),
    /// `DROP TABLE`.
    DropTable(DropTable),
    /// `ALTER TABLE … ADD COLUMN`.
    AddColumn {
        /// The table altered.
        table: Ident,
        /// The new column.
        column: ColumnDef,
    },
    /// `ALTER TABLE … DROP COLUMN`.
    RemoveColumn {
        /// The table altered.
        table: Ident,
        /// The column dropped.
        column: Ident,
    },
    /// `CREATE INDEX`.
    CreateIndex(CreateIndex),
}
