//! A small SQL AST: the statements the ORM sends, as data.
//!
//! The model layer and the query interface build these nodes; only the dialects turn them
//! into text (`dyn Dialect::render`), each overriding the
//! clauses where its database differs. No SQL text is assembled anywhere else, which is what
//! makes "every value is bound, every identifier quoted" checkable in one place. This layer
//! holds plain data and knows no dialect.
//!
//! ```
//! use sequelize::sql::{Expr, Select, TableRef};
//! let select = Select::new(TableRef::new("users"))
//!     .filter(Expr::column("email").eq("a@example.com"));
//! let sqlite = sequelize::dialect::by_name("sqlite").unwrap();
//! let rendered = sqlite.render(&select.into()).unwrap();
//! assert_eq!(rendered.sql, "SELECT * FROM `users` WHERE `email` = ?");
//! ```

mod ddl;
mod expr;
mod query;
pub mod scanner;
mod shape;
mod transaction;

pub use ddl::{
    enum_type_name, ColumnDef, Constraint, ConstraintKind, ConstraintType, CreateDatabase,
    CreateIndex, CreateTable, DefaultValue, DropTable, IndexColumn, IndexKind, IndexMethod,
    References, ReferentialAction, TableOptions,
};
pub use expr::{
    ArrayOperator, BinaryOp, CastType, Direction, Expr, Function, Ident, JsonPathSegment, JsonRead,
    Nulls, OrderBy, WindowFunction,
};
pub use query::{
    ConflictAction, Delete, Insert, Join, JoinKind, Lock, LockWait, OnConflict, RowLock, Select,
    SelectItem, Source, TableRef, Update,
};
pub use shape::Shape;
pub(crate) use transaction::TransactionControl;
pub use transaction::{IsolationLevel, TransactionOptions, TransactionType};

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
    /// `TRUNCATE TABLE`: every row at once (SQLite, which has no `TRUNCATE`: `DELETE FROM`).
    Truncate(Ident),
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
    /// `ALTER TABLE … RENAME TO …`.
    RenameTable {
        /// The table renamed.
        from: Ident,
        /// Its new name.
        to: Ident,
    },
    /// `INSERT INTO to (columns) SELECT columns FROM from`: copies every row's columns from one
    /// table to another (a table rebuild).
    CopyRows {
        /// The table read.
        from: Ident,
        /// The table written.
        to: Ident,
        /// The columns copied, the same names in both.
        columns: Vec<Ident>,
    },
    /// `ALTER TABLE … RENAME COLUMN … TO …`.
    RenameColumn {
        /// The table altered.
        table: Ident,
        /// The column's name.
        from: Ident,
        /// Its new name.
        to: Ident,
    },
    /// `DROP INDEX` of a table's index.
    DropIndex {
        /// The table indexed (MySQL names it; the others find the index by name).
        table: Ident,
        /// The index.
        name: Ident,
    },
    /// Changes a column's type, nullability and default to those of a definition
    /// (Sequelize's `changeColumn`): `ALTER COLUMN … TYPE`, `SET`/`DROP NOT NULL`,
    /// `SET`/`DROP DEFAULT` on PostgreSQL, `MODIFY COLUMN` on MySQL. SQLite has no such statement; the query interface rebuilds
    /// the table instead.
    ChangeColumn {
        /// The table altered.
        table: Ident,
        /// The column as it is to be.
        column: ColumnDef,
    },
    /// `CREATE TYPE … AS ENUM (…)`: an enum type of its own (PostgreSQL).
    CreateEnumType {
        /// The type, `enum_<table>_<column>` for a column's enum ([`enum_type_name`]).
        name: Ident,
        /// Its values, in order.
        values: Vec<String>,
    },
    /// `ALTER TYPE … ADD VALUE IF NOT EXISTS …`: one more value of an enum type.
    AddEnumValue {
        /// The type.
        name: Ident,
        /// The new value, added after the last one.
        value: String,
    },
    /// A comment on a table or a column, where comments are statements of their own
    /// (PostgreSQL's `COMMENT ON`).
    Comment {
        /// The table.
        table: Ident,
        /// The column, or `None` for the table itself.
        column: Option<Ident>,
        /// The comment.
        text: String,
    },
    /// `DROP TYPE [IF EXISTS]` of an enum type.
    DropEnumType {
        /// The type.
        name: Ident,
        /// `IF EXISTS`.
        if_exists: bool,
    },
    /// `CREATE SCHEMA IF NOT EXISTS` (a database on MySQL, where the two are one).
    CreateSchema(Ident),
    /// `DROP SCHEMA IF EXISTS`, with what it holds (`CASCADE` on PostgreSQL).
    DropSchema(Ident),
    /// `CREATE DATABASE`.
    CreateDatabase(CreateDatabase),
    /// `ALTER TABLE … ADD CONSTRAINT` (`addConstraint`). SQLite has no such statement; the
    /// query interface rebuilds the table instead.
    AddConstraint {
        /// The table altered.
        table: Ident,
        /// The new constraint.
        constraint: Constraint,
    },
    /// Drops a table's constraint (`removeConstraint`): `DROP CONSTRAINT`, or on MySQL the
    /// statement of its type (`DROP FOREIGN KEY`, `DROP INDEX`, `DROP PRIMARY KEY`).
    DropConstraint {
        /// The table altered.
        table: Ident,
        /// The constraint.
        name: Ident,
        /// Its type, which MySQL needs; `None` lets the query interface look it up.
        kind: Option<ConstraintType>,
    },
    /// `ALTER TABLE … ALTER COLUMN … SET DEFAULT` (`addConstraint` of type `default`), or
    /// `DROP DEFAULT` for `None`.
    SetDefault {
        /// The table altered.
        table: Ident,
        /// The column.
        column: Ident,
        /// Its new default.
        default: Option<DefaultValue>,
    },
    /// `DROP DATABASE`.
    DropDatabase {
        /// The database.
        name: Ident,
        /// `IF EXISTS`.
        if_exists: bool,
    },
}

impl Statement {
    /// The table an `ALTER TABLE` of a column or a constraint changes (`AddColumn`,
    /// `RemoveColumn`, `ChangeColumn`, `AddConstraint`, `DropConstraint`, `SetDefault`): the
    /// statements SQLite may make by rebuilding the table. `None` for other statements.
    ///
    /// ```
    /// use sequelize::sql::{Ident, Statement};
    /// let drop = Statement::SetDefault { table: "users".into(), column: "role".into(), default: None };
    /// assert_eq!(drop.altered_table(), Some(&Ident::from("users")));
    /// ```
    pub fn altered_table(&self) -> Option<&Ident> {
        match self {
            Statement::AddColumn { table, .. }
            | Statement::RemoveColumn { table, .. }
            | Statement::ChangeColumn { table, .. }
            | Statement::AddConstraint { table, .. }
            | Statement::DropConstraint { table, .. }
            | Statement::SetDefault { table, .. } => Some(table),
            _ => None,
        }
    }
}

macro_rules! statement_from {
    ($($node:ident),*) => {$(
        impl From<$node> for Statement {
            fn from(node: $node) -> Self {
                Statement::$node(node)
            }
        }
    )*};
}
statement_from!(
    Select,
    Insert,
    Update,
    Delete,
    CreateTable,
    DropTable,
    CreateIndex,
    CreateDatabase
);
