//! [`QueryInterface`]: Sequelize's low-level schema and bulk operations
//! (`createTable`, `addColumn`, `addIndex`, `bulkInsert`, …) as [`Operation`] values.
//!
//! Migrations are lists of operations; running one renders it for the dialect and sends it
//! on the executor given, so a migration can run inside a transaction.

mod database;
mod schema;

pub use database::{create_database, drop_database, DatabaseOptions};
pub use schema::TableSchema;

use crate::connection::{Executor, ExecutorRef, Target};
pub use crate::dialect::ConstraintDescription;
use crate::dialect::{RebuiltTable, TableRebuild};
use crate::error::{Error, Result};
use crate::sql::{
    enum_type_name, ColumnDef, ConflictAction, Constraint, ConstraintType, CreateIndex,
    CreateTable, DefaultValue, Delete, DropTable, Expr, Ident, Insert, OnConflict,
    ReferentialAction, Statement, TableRef, Update,
};
use crate::value::{FromValue, Value};

/// One QueryInterface call.
///
/// ```
/// use sequelize::{DataType, query_interface::Operation, sql::ColumnDef};
/// let op = Operation::create_table("users", vec![
///     ColumnDef::new("id", DataType::Integer).primary_key().auto_increment(),
///     ColumnDef::new("email", DataType::String(None)).not_null().unique(),
/// ]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// A statement of the SQL AST (boxed: a `SELECT` is far larger than the other variant).
    Statement(Box<Statement>),
    /// Developer-written SQL, run only on the listed dialects (all when empty).
    Sql {
        /// The SQL text.
        sql: String,
        /// Dialect names it applies to; empty means every dialect.
        dialects: Vec<String>,
    },
}

impl Operation {
    /// `createTable(name, attributes)`.
    pub fn create_table(table: impl Into<String>, columns: Vec<ColumnDef>) -> Self {
        Operation::Statement(Box::new(Statement::CreateTable(CreateTable {
            if_not_exists: false,
            ..CreateTable::new(Ident::from(table.into()), columns)
        })))
    }

    /// `dropTable(name)`.
    pub fn drop_table(table: impl Into<String>) -> Self {
        Operation::Statement(Box::new(Statement::DropTable(DropTable {
            name: Ident::from(table.into()),
            if_exists: false,
        })))
    }

    /// `addColumn(table, column, attribute)`.
    pub fn add_column(table: impl Into<String>, column: ColumnDef) -> Self {
        Operation::Statement(Box::new(Statement::AddColumn {
            table: Ident::from(table.into()),
            column,
        }))
    }

    /// `removeColumn(table, column)`.
    pub fn remove_column(table: impl Into<String>, column: impl Into<String>) -> Self {
        Operation::Statement(Box::new(Statement::RemoveColumn {
            table: Ident::from(table.into()),
            column: Ident::from(column.into()),
        }))
    }

    /// `addIndex(table, fields, { name, unique })`. Without a name, Sequelize's default
    /// `<table>_<field>_<field>` is used.
    pub fn add_index(
        table: impl Into<String>,
        fields: Vec<String>,
        name: Option<String>,
        unique: bool,
    ) -> Self {
        let table = table.into();
        let name = name.unwrap_or_else(|| format!("{table}_{}", fields.join("_")));
        Operation::Statement(Box::new(Statement::CreateIndex(CreateIndex {
            unique,
            ..CreateIndex::new(
                table,
                name,
                fields.into_iter().map(|f| Ident::from(f).into()).collect(),
            )
        })))
    }

    /// `bulkInsert(table, records)`: one multi-row `INSERT` of rows given as
    /// column → value pairs. Columns are those of the first record; every record must have
    /// exactly those.
    pub fn bulk_insert(
        table: impl Into<String>,
        records: Vec<Vec<(String, Value)>>,
    ) -> Result<Self> {
        let table = table.into();
        let Some(first) = records.first() else {
            return Err(Error::InvalidQuery(format!(
                "bulkInsert into {table} has no records"
            )));
        };
        let columns: Vec<String> = first.iter().map(|(c, _)| c.clone()).collect();
        let mut rows = Vec::with_capacity(records.len());
        for (n, record) in records.into_iter().enumerate() {
            if record.len() != columns.len()
                || record
                    .iter()
                    .zip(&columns)
                    .any(|((c, _), expected)| c != expected)
            {
                return Err(Error::InvalidQuery(format!(
                    "bulkInsert into {table}: record {n} does not have the columns of the first record ({})",
                    columns.join(", ")
                )));
            }
            rows.push(record.into_iter().map(|(_, v)| Expr::Value(v)).collect());
        }
        Ok(Operation::Statement(Box::new(Statement::Insert(Insert {
            table: TableRef::new(Ident::from(table)),
            columns: columns.into_iter().map(Ident::from).collect(),
            rows,
            returning: Vec::new(),
            on_conflict: None,
        }))))
    }

    /// `upsert(table, values)`: inserts the row, or where it collides on `conflict` (a
    /// unique key; MySQL finds the key itself) updates `update` (by default every column
    /// but the conflict's) to the inserted values.
    ///
    /// ```
    /// use sequelize::{query_interface::Operation, Value};
    /// let op = Operation::upsert("users", vec![("email".into(), Value::from("a@example.com")),
    ///     ("name".into(), Value::from("Ann"))], vec!["email".into()], None);
    /// assert!(op.is_ok());
    /// assert!(Operation::upsert("users", vec![], vec![], None).is_err());
    /// ```
    pub fn upsert(
        table: impl Into<String>,
        values: Vec<(String, Value)>,
        conflict: Vec<String>,
        update: Option<Vec<String>>,
    ) -> Result<Self> {
        let table = table.into();
        if values.is_empty() {
            return Err(Error::InvalidQuery(format!(
                "upsert into {table} has no values"
            )));
        }
        let update = update.unwrap_or_else(|| {
            (values.iter())
                .map(|(column, _)| column.clone())
                .filter(|column| !conflict.contains(column))
                .collect()
        });
        let action = match update.is_empty() {
            true => ConflictAction::DoNothing,
            false => ConflictAction::Update(update.into_iter().map(Ident::from).collect()),
        };
        let (columns, row): (Vec<Ident>, Vec<Expr>) = (values.into_iter())
            .map(|(column, value)| (Ident::from(column), Expr::Value(value)))
            .unzip();
        Ok(Operation::Statement(Box::new(Statement::Insert(Insert {
            table: TableRef::new(Ident::from(table)),
            columns,
            rows: vec![row],
            returning: Vec::new(),
            on_conflict: Some(OnConflict {
                target: conflict.into_iter().map(Ident::from).collect(),
                action,
            }),
        }))))
    }

    /// `createSchema(name)`.
    ///
    /// ```
    /// use sequelize::query_interface::Operation;
    /// assert_ne!(Operation::create_schema("analytics"), Operation::drop_schema("analytics"));
    /// ```
    pub fn create_schema(name: impl Into<String>) -> Self {
        Operation::Statement(Box::new(Statement::CreateSchema(Ident::from(name.into()))))
    }

    /// `dropSchema(name)`.
    pub fn drop_schema(name: impl Into<String>) -> Self {
        Operation::Statement(Box::new(Statement::DropSchema(Ident::from(name.into()))))
    }

    /// `renameTable(before, after)`.
    ///
    /// ```
    /// use sequelize::query_interface::Operation;
    /// let op = Operation::rename_table("tags", "labels");
    /// assert_ne!(op, Operation::rename_table("labels", "tags"));
    /// ```
    pub fn rename_table(before: impl Into<String>, after: impl Into<String>) -> Self {
        Operation::Statement(Box::new(Statement::RenameTable {
            from: Ident::from(before.into()),
            to: Ident::from(after.into()),
        }))
    }

    /// `renameColumn(table, before, after)`.
    ///
    /// ```
    /// use sequelize::query_interface::Operation;
    /// let op = Operation::rename_column("users", "nickname", "handle");
    /// assert!(matches!(op, Operation::Statement(_)));
    /// ```
    pub fn rename_column(
        table: impl Into<String>,
        before: impl Into<String>,
        after: impl Into<String>,
    ) -> Self {
        Operation::Statement(Box::new(Statement::RenameColumn {
            table: Ident::from(table.into()),
            from: Ident::from(before.into()),
            to: Ident::from(after.into()),
        }))
    }

    /// `removeIndex(table, name)`: the index of that name (see [`Operation::add_index`] for
    /// the name an index of fields gets).
    ///
    /// ```
    /// use sequelize::query_interface::Operation;
    /// let op = Operation::remove_index("users", "users_status");
    /// assert!(matches!(op, Operation::Statement(_)));
    /// ```
    pub fn remove_index(table: impl Into<Ident>, name: impl Into<Ident>) -> Self {
        Operation::Statement(Box::new(Statement::DropIndex {
            table: table.into(),
            name: name.into(),
        }))
    }

    /// `bulkDelete(table, where)`: the rows matching `filter`, or every row when there is
    /// none (Sequelize's `bulkDelete(table, null)`, which seeders' `down` uses).
    ///
    /// ```
    /// use sequelize::{query_interface::Operation, sql::Expr};
    /// let some = Operation::bulk_delete("users", Some(Expr::column("email").eq("a@example.com")));
    /// let all = Operation::bulk_delete("users", None);
    /// assert_ne!(some, all);
    /// ```
    pub fn bulk_delete(table: impl Into<String>, filter: Option<Expr>) -> Self {
        Operation::Statement(Box::new(Statement::Delete(Delete {
            table: TableRef::new(Ident::from(table.into())),
            filter: filter.unwrap_or_else(every_row),
        })))
    }

    /// `bulkUpdate(table, values, where)`: sets columns of the rows matching `filter`, or of
    /// every row when there is none.
    ///
    /// ```
    /// use sequelize::{query_interface::Operation, sql::Expr, Value};
    /// let op = Operation::bulk_update("users", vec![("status".into(), Value::from("inactive"))],
    ///     Some(Expr::column("email").eq("a@example.com")));
    /// assert!(matches!(op, Operation::Statement(_)));
    /// ```
    pub fn bulk_update(
        table: impl Into<String>,
        values: Vec<(String, Value)>,
        filter: Option<Expr>,
    ) -> Self {
        Operation::Statement(Box::new(Statement::Update(Update {
            table: TableRef::new(Ident::from(table.into())),
            set: values
                .into_iter()
                .map(|(column, value)| (Ident::from(column), Expr::Value(value)))
                .collect(),
            filter: filter.unwrap_or_else(every_row),
        })))
    }

    /// `changeColumn(table, column, attribute)`: the column's type, nullability and default
    /// become the definition's; with a `references`, that foreign key replaces the column's.
    /// SQLite rebuilds the table (see [`QueryInterface::run`]).
    ///
    /// ```
    /// use sequelize::{DataType, query_interface::Operation, sql::ColumnDef};
    /// let op = Operation::change_column("users", ColumnDef::new("bio", DataType::Text).not_null());
    /// assert!(matches!(op, Operation::Statement(_)));
    /// ```
    pub fn change_column(table: impl Into<String>, column: ColumnDef) -> Self {
        Operation::Statement(Box::new(Statement::ChangeColumn {
            table: Ident::from(table.into()),
            column,
        }))
    }

    /// `addConstraint(table, { type, name, fields, … })` of a check, unique, primary key or
    /// foreign key constraint.
    ///
    /// ```
    /// use sequelize::{query_interface::Operation, sql::{Constraint, ConstraintKind, Expr}};
    /// let adult = Constraint::new("users_age_ck", ConstraintKind::Check(Expr::column("age").gte(18)));
    /// let op = Operation::add_constraint("users", adult);
    /// assert!(matches!(op, Operation::Statement(_)));
    /// ```
    pub fn add_constraint(table: impl Into<String>, constraint: Constraint) -> Self {
        Operation::Statement(Box::new(Statement::AddConstraint {
            table: Ident::from(table.into()),
            constraint,
        }))
    }

    /// `addConstraint(table, { type: 'default', fields: [column], defaultValue })`: the
    /// column's default; `None` drops it.
    ///
    /// ```
    /// use sequelize::{query_interface::Operation, sql::DefaultValue};
    /// let op = Operation::set_default("users", "role", Some(DefaultValue::Value("member".into())));
    /// assert!(matches!(op, Operation::Statement(_)));
    /// ```
    pub fn set_default(
        table: impl Into<String>,
        column: impl Into<String>,
        default: Option<DefaultValue>,
    ) -> Self {
        Operation::Statement(Box::new(Statement::SetDefault {
            table: Ident::from(table.into()),
            column: Ident::from(column.into()),
            default,
        }))
    }

    /// `removeConstraint(table, name)`: the constraint of that name, whatever its type (the
    /// query interface looks it up where the database needs it, as MySQL does).
    ///
    /// ```
    /// use sequelize::query_interface::Operation;
    /// let op = Operation::remove_constraint("users", "users_age_ck");
    /// assert!(matches!(op, Operation::Statement(_)));
    /// ```
    pub fn remove_constraint(table: impl Into<String>, name: impl Into<String>) -> Self {
        Operation::Statement(Box::new(Statement::DropConstraint {
            table: Ident::from(table.into()),
            name: Ident::from(name.into()),
            kind: None,
        }))
    }
}

/// The condition every row meets, for a bulk operation asked to touch all rows.
fn every_row() -> Expr {
    Expr::literal_unchecked("1 = 1")
}

/// An index of a table, as the database describes it (Sequelize's `showIndex`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDescription {
    /// The index's name (the database's own for those behind keys).
    pub name: String,
    /// Whether it is unique.
    pub unique: bool,
    /// Whether it is the primary key's.
    pub primary: bool,
    /// Its columns, in order.
    pub fields: Vec<String>,
}

/// A foreign key of a table, as the database describes it (part of Sequelize's
/// `getForeignKeyReferencesForTable`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeyReference {
    /// The column holding the key.
    pub column: String,
    /// The table it references.
    pub referenced_table: String,
    /// That table's column.
    pub referenced_column: String,
}

/// One column of a table as the database describes it (part of Sequelize's
/// `describeTable`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribedColumn {
    /// The column's name.
    pub name: String,
    /// Its type, as the database reports it (`character varying(255)`, `int(11)`, …).
    pub data_type: String,
    /// Whether it allows `NULL`.
    pub allow_null: bool,
    /// Its default, as the database writes it (`'active'::character varying`,
    /// `nextval(…)`, `'active'`), if it has one.
    pub default_value: Option<String>,
    /// Whether it is part of the primary key.
    pub primary_key: bool,
    /// Whether the database numbers new rows in it (`autoIncrement`, `SERIAL`, SQLite's
    /// rowid).
    pub auto_increment: bool,
    /// Its comment (SQLite has none).
    pub comment: Option<String>,
}

/// Runs [`Operation`]s on an executor (`sequelize.getQueryInterface()`).
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::{DataType, Sequelize, sql::ColumnDef};
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// let qi = db.query_interface();
/// qi.create_table("tags", vec![ColumnDef::new("id", DataType::Integer).primary_key().auto_increment()]).await?;
/// qi.add_column("tags", ColumnDef::new("name", DataType::String(Some(64)))).await?;
/// qi.drop_table("tags").await?;
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone, Copy)]
pub struct QueryInterface<'a> {
    target: Target<'a>,
}

impl<'a> QueryInterface<'a> {
    /// The query interface of an executor (the Sequelize handle or a transaction).
    pub fn new(exec: &'a impl Executor) -> Self {
        QueryInterface {
            target: exec.target(),
        }
    }

    /// Where it runs, for raw queries and finders (`queryInterface.sequelize.query` inside
    /// a migration runs on the migration's connection).
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// use sequelize::Executor;
    /// let db = sequelize::Sequelize::connect("sqlite::memory:").await?;
    /// let row = db.query_interface().executor().query("SELECT 2 AS n").plain().await?;
    /// assert_eq!(row.unwrap().get::<i64>("n")?, 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn executor(&self) -> ExecutorRef<'a> {
        ExecutorRef::from_target(self.target)
    }

    /// The dialect it runs on.
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// let db = sequelize::Sequelize::connect("sqlite::memory:").await?;
    /// assert_eq!(db.query_interface().dialect().name(), "sqlite");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn dialect(&self) -> &'a dyn crate::dialect::Dialect {
        self.target.sequelize().dialect()
    }

    /// Runs developer-written SQL holding any number of statements, as it is (a `.sql`
    /// migration): no placeholders, no bound values.
    pub async fn run_script(&self, sql: &str) -> Result<()> {
        self.target.execute_script(sql).await
    }

    /// Runs one operation. On PostgreSQL, a table or column of an `ENUM` type gets its enum
    /// type `enum_<table>_<column>` first, as Sequelize creates it: created when missing,
    /// given the values it lacks when it exists.
    pub async fn run(&self, operation: &Operation) -> Result<()> {
        let dialect = self.target.sequelize().dialect();
        match operation {
            Operation::Statement(statement) => {
                match &**statement {
                    Statement::CreateTable(create) => {
                        self.create_enum_types(&create.name, &create.columns)
                            .await?;
                    }
                    Statement::AddColumn { table, column }
                    | Statement::ChangeColumn { table, column } => {
                        self.create_enum_types(table, std::slice::from_ref(column))
                            .await?;
                    }
                    Statement::DropConstraint {
                        table,
                        name,
                        kind: None,
                    } if dialect.table_rebuild().is_none() => {
                        let kind = self.constraint_type(table, name).await?;
                        let statement = Statement::DropConstraint {
                            table: table.clone(),
                            name: name.clone(),
                            kind: Some(kind),
                        };
                        return self.target.run_statement(&statement).await.map(drop);
                    }
                    Statement::RemoveColumn { table, column }
                        if dialect.supports().foreign_keys_block_drop_column =>
                    {
                        self.drop_foreign_keys_of(table, column).await?;
                    }
                    _ => {}
                }
                let rebuilt = match (dialect.table_rebuild(), &**statement) {
                    (Some(rebuild), Statement::AddColumn { table, column }) => {
                        (!(rebuild.adds_column_in_place)(column)).then_some((rebuild, table))
                    }
                    (Some(rebuild), Statement::RemoveColumn { table, column }) => {
                        let constrained = self.column_is_constrained(table, column).await?;
                        constrained.then_some((rebuild, table))
                    }
                    (rebuild, other) => rebuild.zip(other.altered_table()),
                };
                if let Some((rebuild, table)) = rebuilt {
                    return (self.rebuild_with(table, std::slice::from_ref(statement), rebuild))
                        .await;
                }
                self.target.run_statement(statement).await?;
                if let Statement::CreateTable(create) = &**statement {
                    self.comment_statements(create).await?;
                }
            }
            Operation::Sql { sql, dialects } => {
                if dialects.is_empty() || dialects.iter().any(|d| d == dialect.name()) {
                    self.target.run(sql, &[]).await?;
                }
            }
        }
        Ok(())
    }

    /// Creates the enum types of the `ENUM` columns of `table` that do not exist yet, and
    /// adds the values an existing one lacks; nothing where enums are not types of their
    /// own.
    async fn create_enum_types(&self, table: &Ident, columns: &[ColumnDef]) -> Result<()> {
        let Some(query) = self.target.sequelize().dialect().enum_values_query() else {
            return Ok(());
        };
        for column in columns {
            let Some(values) = column.enum_values() else {
                continue;
            };
            if values.is_empty() {
                return Err(Error::InvalidQuery(format!(
                    "ENUM column {:?} has no values",
                    column.name.as_str()
                )));
            }
            let name = enum_type_name(table, &column.name);
            let existing = (self.target).run(query, &Self::table_params(&name)).await?;
            let existing: Vec<String> = existing.rows.column(0)?;
            let statements = if existing.is_empty() {
                vec![Statement::CreateEnumType {
                    name,
                    values: values.to_vec(),
                }]
            } else {
                (values.iter())
                    .filter(|value| !existing.contains(value))
                    .map(|value| Statement::AddEnumValue {
                        name: name.clone(),
                        value: value.clone(),
                    })
                    .collect()
            };
            for statement in &statements {
                self.target.run_statement(statement).await?;
            }
        }
        Ok(())
    }

    /// A table's name and schema, as the catalog queries take them.
    fn table_params(table: &Ident) -> [Value; 2] {
        [
            Value::Text(table.as_str().to_owned()),
            Value::from(table.schema().map(str::to_owned)),
        ]
    }

    /// The comments of a new table, where comments are statements of their own
    /// (PostgreSQL's `COMMENT ON`); elsewhere they were part of `CREATE TABLE`.
    async fn comment_statements(&self, create: &CreateTable) -> Result<()> {
        if !self
            .target
            .sequelize()
            .dialect()
            .supports()
            .comment_statements
        {
            return Ok(());
        }
        let table_comment = (create.options.comment.as_ref()).map(|text| (None, text));
        let column_comments = (create.columns.iter())
            .filter_map(|c| c.comment.as_ref().map(|text| (Some(c.name.clone()), text)));
        for (column, text) in table_comment.into_iter().chain(column_comments) {
            let comment = Statement::Comment {
                table: create.name.clone(),
                column,
                text: text.clone(),
            };
            self.target.run_statement(&comment).await?;
        }
        Ok(())
    }

    /// The columns of `table`, in order (empty when there is no such table): Sequelize's
    /// `describeTable` (type, allowNull, defaultValue, primaryKey, autoIncrement, comment).
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// use sequelize::{DataType, Sequelize, sql::ColumnDef};
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// let qi = db.query_interface();
    /// qi.create_table("tags", vec![ColumnDef::new("name", DataType::String(Some(64))).not_null()]).await?;
    /// let columns = qi.describe_columns("tags").await?;
    /// assert_eq!((columns[0].name.as_str(), columns[0].allow_null), ("name", false));
    /// assert!(qi.describe_columns("nothing").await?.is_empty());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn describe_columns(&self, table: impl Into<Ident>) -> Result<Vec<DescribedColumn>> {
        let query = self.target.sequelize().dialect().describe_columns_query();
        let rows = (self.target)
            .run(query, &Self::table_params(&table.into()))
            .await?;
        rows.rows
            .iter()
            .map(|row| {
                Ok(DescribedColumn {
                    name: String::from_value(row[0].clone())?,
                    data_type: String::from_value(row[1].clone())?,
                    allow_null: bool::from_value(row[2].clone())?,
                    default_value: Option::<String>::from_value(row[3].clone())?,
                    primary_key: bool::from_value(row[4].clone())?,
                    auto_increment: bool::from_value(row[5].clone())?,
                    comment: Option::<String>::from_value(row[6].clone())?,
                })
            })
            .collect()
    }

    /// The tables of the connection's schema, in name order (`showAllTables`).
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// use sequelize::{DataType, sql::ColumnDef};
    /// let db = sequelize::Sequelize::connect("sqlite::memory:").await?;
    /// let qi = db.query_interface();
    /// qi.create_table("tags", vec![ColumnDef::new("id", DataType::Integer).primary_key()]).await?;
    /// assert_eq!(qi.show_all_tables().await?, ["tags"]);
    /// qi.drop_all_tables(&[]).await?;
    /// assert!(qi.show_all_tables().await?.is_empty());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn show_all_tables(&self) -> Result<Vec<String>> {
        let dialect = self.target.sequelize().dialect();
        let result = self
            .target
            .run(dialect.table_names_query(), &[Value::Null])
            .await?;
        result.rows.column(0)
    }

    /// `createSchema(name)`, if it does not exist: a PostgreSQL schema, a MySQL database.
    /// SQLite has none: an error naming it.
    pub async fn create_schema(&self, name: &str) -> Result<()> {
        self.run(&Operation::create_schema(name)).await
    }

    /// `dropSchema(name)`, if it exists, with everything in it.
    pub async fn drop_schema(&self, name: &str) -> Result<()> {
        self.run(&Operation::drop_schema(name)).await
    }

    /// `showAllSchemas()`: the schemas (MySQL: the databases) in name order, not the
    /// database's own.
    pub async fn show_all_schemas(&self) -> Result<Vec<String>> {
        let dialect = self.target.sequelize().dialect();
        let query = dialect
            .schema_names_query()
            .ok_or_else(|| Error::Unsupported {
                dialect: dialect.name(),
                feature: "schemas (an SQLite database is one file)".into(),
            })?;
        let result = self.target.run(query, &[]).await?;
        result.rows.column(0)
    }

    /// The indexes of a table, in name order, with their columns (`showIndex`): those made
    /// by `CREATE INDEX` and those behind its keys (SQLite's `INTEGER PRIMARY KEY` is the
    /// rowid, with no index).
    pub async fn show_index(&self, table: impl Into<Ident>) -> Result<Vec<IndexDescription>> {
        let dialect = self.target.sequelize().dialect();
        let params = Self::table_params(&table.into());
        let result = self
            .target
            .run(dialect.index_columns_query(), &params)
            .await?;
        let mut indexes: Vec<IndexDescription> = Vec::new();
        for row in result.rows.iter() {
            let name = String::from_value(row[0].clone())?;
            let field = String::from_value(row[3].clone())?;
            match indexes.last_mut() {
                Some(index) if index.name == name => index.fields.push(field),
                _ => indexes.push(IndexDescription {
                    name,
                    unique: bool::from_value(row[1].clone())?,
                    primary: bool::from_value(row[2].clone())?,
                    fields: vec![field],
                }),
            }
        }
        Ok(indexes)
    }

    /// The enum types of the connection's schema with their values in order
    /// (`pgListEnums`). Only PostgreSQL has enum types: elsewhere an error naming the
    /// dialect.
    pub async fn pg_list_enums(&self) -> Result<Vec<(String, Vec<String>)>> {
        let dialect = self.target.sequelize().dialect();
        let query = dialect
            .enum_types_query()
            .ok_or_else(|| Error::Unsupported {
                dialect: dialect.name(),
                feature: "enum types (ENUM is a column type here)".into(),
            })?;
        let result = self.target.run(query, &[Value::Null]).await?;
        let mut enums: Vec<(String, Vec<String>)> = Vec::new();
        for row in result.rows.iter() {
            let name = String::from_value(row[0].clone())?;
            let value = String::from_value(row[1].clone())?;
            match enums.last_mut() {
                Some((last, values)) if *last == name => values.push(value),
                _ => enums.push((name, vec![value])),
            }
        }
        Ok(enums)
    }

    /// Drops an enum type if it exists (`dropEnum`); PostgreSQL only.
    pub async fn drop_enum(&self, name: &str) -> Result<()> {
        let statement = Statement::DropEnumType {
            name: Ident::from(name.to_owned()),
            if_exists: true,
        };
        self.target.run_statement(&statement).await.map(drop)
    }

    /// Drops every enum type of the connection's schema (`dropAllEnums`); PostgreSQL only.
    pub async fn drop_all_enums(&self) -> Result<()> {
        for (name, _) in self.pg_list_enums().await? {
            self.drop_enum(&name).await?;
        }
        Ok(())
    }

    /// Drops the foreign keys that hold `column` of `table`, before the column is dropped
    /// where the database refuses to drop a column a key uses (MySQL's InnoDB), as
    /// Sequelize's `removeColumn` does there.
    async fn drop_foreign_keys_of(&self, table: &Ident, column: &Ident) -> Result<()> {
        for key in self.show_constraints(table.clone()).await? {
            let holds = key.columns.iter().any(|c| c == column.as_str());
            if key.constraint_type == ConstraintType::ForeignKey && holds {
                let drop = Statement::DropConstraint {
                    table: table.clone(),
                    name: Ident::from(key.name),
                    kind: Some(ConstraintType::ForeignKey),
                };
                self.target.run_statement(&drop).await?;
            }
        }
        Ok(())
    }

    /// The single-column foreign keys of a table (`getForeignKeyReferencesForTable`).
    pub async fn foreign_key_references(
        &self,
        table: impl Into<Ident>,
    ) -> Result<Vec<ForeignKeyReference>> {
        let dialect = self.target.sequelize().dialect();
        let params = Self::table_params(&table.into());
        let result = self
            .target
            .run(dialect.foreign_keys_query(), &params)
            .await?;
        result
            .rows
            .iter()
            .map(|row| {
                Ok(ForeignKeyReference {
                    column: String::from_value(row[0].clone())?,
                    referenced_table: String::from_value(row[1].clone())?,
                    referenced_column: String::from_value(row[2].clone())?,
                })
            })
            .collect()
    }

    /// The constraints of a table (`showConstraint`): checks, unique keys, the primary key
    /// and foreign keys (composite ones too), with their columns in order; empty when there
    /// is no such table. See [`ConstraintDescription`].
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// use sequelize::{DataType, Sequelize, sql::{ColumnDef, ConstraintType}};
    /// let db = Sequelize::connect("sqlite::memory:").await?;
    /// let qi = db.query_interface();
    /// qi.create_table("pairs", vec![
    ///     ColumnDef::new("a", DataType::Integer).primary_key(),
    ///     ColumnDef::new("b", DataType::Integer).primary_key(),
    /// ]).await?;
    /// let key = &qi.show_constraints("pairs").await?[0];
    /// assert_eq!((key.constraint_type, key.columns.as_slice()), (ConstraintType::PrimaryKey, &["a".to_owned(), "b".to_owned()][..]));
    /// assert!(qi.show_constraints("nothing").await?.is_empty());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn show_constraints(
        &self,
        table: impl Into<Ident>,
    ) -> Result<Vec<ConstraintDescription>> {
        let dialect = self.target.sequelize().dialect();
        let table = table.into();
        if let Some(rebuild) = dialect.table_rebuild() {
            return match self.table_definition(&table, &rebuild).await? {
                Some(definition) => (rebuild.constraints)(&table, &definition),
                None => Ok(Vec::new()),
            };
        }
        let query = dialect
            .constraints_query()
            .ok_or_else(|| Error::Unsupported {
                dialect: dialect.name(),
                feature: "showConstraint".to_owned(),
            })?;
        let result = self.target.run(query, &Self::table_params(&table)).await?;
        let mut described: Vec<ConstraintDescription> = Vec::new();
        for row in result.rows.iter() {
            let text = |i: usize| Option::<String>::from_value(row[i].clone());
            let action = |i: usize| -> Result<Option<ReferentialAction>> {
                text(i)?.map(|a| ReferentialAction::parse(&a)).transpose()
            };
            let name = String::from_value(row[0].clone())?;
            if described.last().is_none_or(|last| last.name != name) {
                let kind = String::from_value(row[1].clone())?;
                let kind = ConstraintType::parse(&kind).ok_or_else(|| {
                    Error::InvalidQuery(format!("unknown constraint type {kind:?} of {name:?}"))
                })?;
                let mut constraint = ConstraintDescription::new(name, kind, Vec::new());
                constraint.referenced_table = text(3)?;
                constraint.on_delete = action(5)?;
                constraint.on_update = action(6)?;
                constraint.definition = text(7)?;
                described.push(constraint);
            }
            let constraint = described.last_mut().expect("pushed above");
            constraint.columns.extend(text(2)?);
            constraint.referenced_columns.extend(text(4)?);
        }
        Ok(described)
    }

    /// Whether a constraint or an index of `table` covers `column` (SQLite drops such a
    /// column only by rebuilding the table).
    async fn column_is_constrained(&self, table: &Ident, column: &Ident) -> Result<bool> {
        let name = column.as_str();
        let constraints = self.show_constraints(table.clone()).await?;
        let indexes = self.show_index(table.clone()).await?;
        Ok(constraints
            .iter()
            .any(|c| c.columns.iter().any(|c| c == name))
            || indexes.iter().any(|i| i.fields.iter().any(|f| f == name)))
    }

    /// The type of `table`'s constraint `name`, or an error naming both when there is none.
    async fn constraint_type(&self, table: &Ident, name: &Ident) -> Result<ConstraintType> {
        (self.show_constraints(table.clone()).await?.into_iter())
            .find(|c| c.name == name.as_str())
            .map(|c| c.constraint_type)
            .ok_or_else(|| {
                Error::InvalidQuery(format!(
                    "table {:?} has no constraint {:?}",
                    table.as_str(),
                    name.as_str()
                ))
            })
    }

    /// `table`'s statement as the database keeps it, for a rebuild; `None`: no such table.
    async fn table_definition(
        &self,
        table: &Ident,
        rebuild: &TableRebuild,
    ) -> Result<Option<String>> {
        let result = (self.target)
            .run(rebuild.definition_query, &Self::table_params(table))
            .await?;
        Ok(result.rows.column::<String>(0)?.into_iter().next())
    }

    /// Makes one change SQLite's `ALTER TABLE` cannot (`changeColumn`, `addConstraint`,
    /// `removeConstraint`, a new default) by rebuilding the table from its own statement with
    /// that change: every other column, constraint, index and trigger stays as it was, and
    /// so do the rows. A row the change refuses (a new check it fails) undoes all of it.
    async fn rebuild_with(
        &self,
        table: &Ident,
        changes: &[Statement],
        rebuild: TableRebuild,
    ) -> Result<()> {
        let dialect = self.target.sequelize().dialect();
        self.refuse_rebuild_in_transaction(table, &rebuild).await?;
        let definition = (self.table_definition(table, &rebuild).await?).ok_or_else(|| {
            Error::InvalidQuery(format!("there is no table {:?} to alter", table.as_str()))
        })?;
        let rebuilt = Self::rebuild_name(table);
        let dependents = (self.target)
            .run(rebuild.dependents_query, &Self::table_params(table))
            .await?;
        let dependents: Vec<String> = dependents.rows.column(0)?;
        let new_table = (rebuild.rewrite)(dialect, &definition, changes, &rebuilt, &dependents)?;
        self.run_rebuild(table, new_table, rebuild).await
    }

    /// An error naming `table` when a rebuild would run inside a transaction that enforces
    /// foreign keys: dropping the old table would run the `ON DELETE` actions of the rows
    /// referring to it, and a transaction cannot turn them off (one begun with
    /// [`defer_foreign_keys`](crate::TransactionOptions::defer_foreign_keys) has them off,
    /// as a migration that alters tables has).
    async fn refuse_rebuild_in_transaction(
        &self,
        table: &Ident,
        rebuild: &TableRebuild,
    ) -> Result<()> {
        if !self.target.in_transaction() {
            return Ok(());
        }
        let enforced = self.target.run(rebuild.foreign_keys_query, &[]).await?;
        if enforced.rows.column::<i64>(0)?.first() == Some(&0) {
            return Ok(());
        }
        Err(Error::Unsupported {
            dialect: self.target.sequelize().dialect().name(),
            feature: format!(
                "changing a column or a constraint of {:?} inside a transaction that enforces \
                 foreign keys (the table is rebuilt; begin the transaction with \
                 `defer_foreign_keys`, or run the change outside it)",
                table.as_str()
            ),
        })
    }

    /// The name a table is rebuilt under before it takes the old one's.
    fn rebuild_name(table: &Ident) -> Ident {
        Ident::from(format!("{}__sequelize_rebuild", table.as_str()))
            .in_schema(table.schema().map(str::to_owned))
    }

    /// Runs a rebuild: the new table (under [`Self::rebuild_name`]), the rows of its columns
    /// copied, the old table dropped, the new one renamed, then its dependents (the
    /// statements of the indexes and triggers that went with the old table), on one
    /// connection: between the dialect's `before` and `after` statements, or as part of the
    /// transaction it runs in.
    async fn run_rebuild(
        &self,
        table: &Ident,
        new_table: RebuiltTable,
        rebuild: TableRebuild,
    ) -> Result<()> {
        let dialect = self.target.sequelize().dialect();
        let rebuilt = Self::rebuild_name(table);
        let steps = [
            Statement::CopyRows {
                from: table.clone(),
                to: rebuilt.clone(),
                columns: new_table.columns,
            },
            Statement::DropTable(DropTable {
                name: table.clone(),
                if_exists: false,
            }),
            Statement::RenameTable {
                from: rebuilt,
                to: table.clone(),
            },
        ];
        // Inside a transaction (foreign keys off, checked at its commit) its own statements
        // alone; the transaction undoes them if one fails.
        let alone = self.target.in_transaction();
        let around = |statements: &'static [&'static str]| match alone {
            true => Vec::new(),
            false => statements.iter().map(|s| (*s).to_owned()).collect(),
        };
        let mut sql = around(rebuild.before);
        sql.push(new_table.create);
        for step in &steps {
            sql.push(dialect.render(step)?.sql);
        }
        sql.extend(new_table.dependents);
        sql.extend(around(rebuild.after));
        let on_failure = if alone { &[][..] } else { rebuild.on_failure };
        self.target.run_sequence(&sql, on_failure).await
    }

    /// Drops every table of the connection's schema but those in `skip` (`dropAllTables`),
    /// a table only after the tables whose foreign keys reference it. Tables that reference
    /// one another in a cycle are an error naming them, before any is dropped.
    pub async fn drop_all_tables(&self, skip: &[&str]) -> Result<()> {
        let mut remaining: Vec<(String, Vec<String>)> = Vec::new();
        for table in self.show_all_tables().await? {
            if skip.contains(&table.as_str()) {
                continue;
            }
            let references = self.foreign_key_references(table.clone()).await?;
            let parents = references
                .into_iter()
                .map(|r| r.referenced_table)
                .filter(|parent| *parent != table)
                .collect();
            remaining.push((table, parents));
        }
        let mut order = Vec::with_capacity(remaining.len());
        while !remaining.is_empty() {
            let referenced = |name: &str, all: &[(String, Vec<String>)]| {
                all.iter()
                    .any(|(_, parents)| parents.iter().any(|p| p == name))
            };
            let Some(at) = (0..remaining.len()).find(|&i| !referenced(&remaining[i].0, &remaining))
            else {
                let names: Vec<&str> = remaining.iter().map(|(t, _)| t.as_str()).collect();
                return Err(Error::InvalidQuery(format!(
                    "dropAllTables: the tables {} reference one another in a cycle; drop their \
                     foreign keys first",
                    names.join(", ")
                )));
            };
            order.push(remaining.remove(at).0);
        }
        for table in order {
            self.run(&Operation::Statement(Box::new(Statement::DropTable(
                DropTable {
                    name: Ident::from(table),
                    if_exists: true,
                },
            ))))
            .await?;
        }
        Ok(())
    }

    /// Brings `create.name` to `create`'s columns (`sync({ alter: true })`): creates the
    /// table when it does not exist, adds the columns it lacks, changes those whose type or
    /// nullability differs (keys are left alone), and drops those `create` does not have.
    /// Where the database cannot alter a column (SQLite), the table is rebuilt with its rows
    /// instead, from its own statement with every change made at once (see
    /// [`QueryInterface::run`]). A table that already matches gets no statement.
    pub async fn alter_table(&self, create: &CreateTable) -> Result<()> {
        let dialect = self.target.sequelize().dialect();
        let described = self.describe_columns(create.name.clone()).await?;
        if described.is_empty() {
            let create = CreateTable {
                if_not_exists: true,
                ..create.clone()
            };
            return self
                .run(&Operation::Statement(Box::new(create.into())))
                .await;
        }
        self.create_enum_types(&create.name, &create.columns)
            .await?;
        let find = |name: &Ident| described.iter().find(|d| d.name == name.as_str());
        let mut added = Vec::new();
        let mut changed = Vec::new();
        for column in &create.columns {
            let Some(now) = find(&column.name) else {
                added.push(column);
                continue;
            };
            let wanted = dialect.column_type_sql(&create.name, column)?;
            let differs = now.allow_null != column.allow_null
                || dialect.canonical_type(&now.data_type) != dialect.canonical_type(&wanted);
            if differs && !column.primary_key {
                changed.push(column);
            }
        }
        let dropped: Vec<&DescribedColumn> = (described.iter())
            .filter(|d| !create.columns.iter().any(|c| c.name.as_str() == d.name))
            .collect();
        let changed_or_dropped = !changed.is_empty() || !dropped.is_empty();
        let table = &create.name;
        let statements: Vec<Statement> = (added.into_iter())
            .map(|column| Statement::AddColumn {
                table: table.clone(),
                column: column.clone(),
            })
            .chain(changed.into_iter().map(|column| Statement::ChangeColumn {
                table: table.clone(),
                column: column.clone(),
            }))
            .chain(dropped.into_iter().map(|d| Statement::RemoveColumn {
                table: table.clone(),
                column: Ident::from(d.name.clone()),
            }))
            .collect();
        let rebuild = dialect.table_rebuild();
        if let (Some(rebuild), true) = (rebuild, changed_or_dropped) {
            // All at once, from the table's own statement: its other columns, indexes and
            // triggers stay as they are.
            return self.rebuild_with(table, &statements, rebuild).await;
        }
        for statement in statements {
            self.run(&Operation::Statement(Box::new(statement))).await?;
        }
        Ok(())
    }

    /// `removeIndex(table, name)`.
    pub async fn drop_index(&self, table: impl Into<Ident>, name: &str) -> Result<()> {
        self.run(&Operation::remove_index(table, name.to_owned()))
            .await
    }

    /// The names of `table`'s indexes (Sequelize's `showIndex`, names only).
    pub async fn index_names(&self, table: impl Into<Ident>) -> Result<Vec<String>> {
        let query = self.target.sequelize().dialect().index_names_query();
        let rows = (self.target)
            .run(query, &Self::table_params(&table.into()))
            .await?;
        rows.rows.column(0)
    }

    /// Drops the enum types of the `ENUM` columns of `table` (after the table, as
    /// `Model.drop()` does on PostgreSQL); nothing where enums are not types of their own.
    pub async fn drop_enum_types(&self, table: &Ident, columns: &[&ColumnDef]) -> Result<()> {
        if !self.target.sequelize().dialect().supports().enum_types {
            return Ok(());
        }
        for column in columns.iter().filter(|c| c.enum_values().is_some()) {
            let drop = Statement::DropEnumType {
                name: enum_type_name(table, &column.name),
                if_exists: true,
            };
            self.target.run_statement(&drop).await?;
        }
        Ok(())
    }

    /// `createTable`.
    pub async fn create_table(&self, table: &str, columns: Vec<ColumnDef>) -> Result<()> {
        self.run(&Operation::create_table(table, columns)).await
    }

    /// `dropTable`.
    pub async fn drop_table(&self, table: &str) -> Result<()> {
        self.run(&Operation::drop_table(table)).await
    }

    /// `addColumn`.
    pub async fn add_column(&self, table: &str, column: ColumnDef) -> Result<()> {
        self.run(&Operation::add_column(table, column)).await
    }

    /// `removeColumn`.
    pub async fn remove_column(&self, table: &str, column: &str) -> Result<()> {
        self.run(&Operation::remove_column(table, column)).await
    }

    /// `addIndex`.
    pub async fn add_index(&self, table: &str, fields: Vec<String>, unique: bool) -> Result<()> {
        self.run(&Operation::add_index(table, fields, None, unique))
            .await
    }
}

impl crate::Sequelize {
    /// The query interface on the pool (`sequelize.getQueryInterface()`).
    pub fn query_interface(&self) -> QueryInterface<'_> {
        QueryInterface::new(self)
    }
}
