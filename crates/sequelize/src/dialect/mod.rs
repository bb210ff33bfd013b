//! Everything that differs per database lives under this module.
//!
//! A [`Dialect`] answers the renderer's questions (how to quote, which placeholder, which
//! column type, how to limit) and opens driver connections. Its [`Supports`] matrix says what
//! the database can do, so generic code asks `dialect.supports().returning` instead of testing
//! a dialect's name (the pattern of Sequelize v7's `supports`). Each dialect folder has the
//! same files: `mod.rs` (the dialect and its flags), `types.rs` (column types), `driver.rs`
//! (connecting, binding, decoding) and `errors.rs` (error-code mapping).
//!
//! [`by_name`] is the only place that maps a dialect's name to its implementation.

use std::borrow::Cow;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::row::{Collect, Completion, QueryResult, RowSink};
use crate::sql::scanner::{Backslashes, ScanRules};
use crate::sql::{ColumnDef, Ident, Statement, TransactionOptions, TransactionType};
use crate::value::Value;

mod catalog;
mod config;
mod literal;
#[cfg(feature = "mysql")]
pub(crate) mod mysql;
#[cfg(feature = "postgres")]
pub(crate) mod postgres;
mod render;
#[cfg(feature = "sqlite")]
pub(crate) mod sqlite;
mod stream;
mod time_zone;
#[cfg(feature = "tls")]
mod tls;

pub use catalog::ConstraintDescription;
pub use config::ConnectionConfig;
pub(crate) use literal::push_literal;
pub(crate) use render::transaction_control;
pub use render::{json_path_string, QueryGenerator, Rendered, SqlWriter};
/// Spellings PostgreSQL (the renderer's defaults) does not use.
#[cfg(any(feature = "sqlite", feature = "mysql"))]
pub(crate) use render::{limit_before_offset, unsupported};
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) use stream::batched;
pub use stream::RowStream;
#[cfg(feature = "sqlite")]
pub(crate) use stream::BATCH_ROWS;
pub use time_zone::TimeZone;

/// A boxed future, as returned by the object-safe driver traits.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a database can do. Generic code branches on these flags, never on a dialect's name.
///
/// Each dialect starts from [`Supports::BASE`] and overrides only where its database differs
/// (Sequelize v7's `supports` matrix).
///
/// ```
/// let sqlite = sequelize::dialect::by_name("sqlite").unwrap();
/// assert!(sqlite.supports().returning);
/// assert!(!sequelize::dialect::Supports::BASE.returning);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Supports {
    /// `INSERT … RETURNING` gives back generated keys and defaults.
    pub returning: bool,
    /// `SAVEPOINT` for nested transactions.
    pub savepoints: bool,
    /// SQLite's `BEGIN DEFERRED | IMMEDIATE | EXCLUSIVE`.
    pub transaction_types: bool,
    /// DDL runs inside a transaction and rolls back with it.
    pub transactional_ddl: bool,
    /// `CREATE INDEX IF NOT EXISTS`.
    pub create_index_if_not_exists: bool,
    /// The most bind parameters one statement may carry.
    pub max_bind_parameters: usize,
    /// The longest identifier the database keeps without truncating it.
    pub max_identifier_length: usize,
    /// A native `ENUM(…)` column type (MySQL); elsewhere enums are a string column with a
    /// `CHECK`, or a type of their own where [`enum_types`](Self::enum_types) says so.
    pub native_enums: bool,
    /// Enums are types of their own (PostgreSQL's `CREATE TYPE … AS ENUM`): an `ENUM`
    /// column's type is `enum_<table>_<column>`, created before its table and dropped after.
    pub enum_types: bool,
    /// `TINYINT`, `MEDIUMINT` and `UNSIGNED` integer types (MySQL); elsewhere such a column
    /// is the next wider integer with a `CHECK` of its range, and `BIGINT.UNSIGNED` is refused.
    pub narrow_and_unsigned_integers: bool,
    /// The database refuses to drop a column a foreign key holds (MySQL's InnoDB): the query
    /// interface drops the column's foreign keys first, as Sequelize does. Elsewhere they go
    /// with the column.
    pub foreign_keys_block_drop_column: bool,
    /// A unique index is a unique constraint, listed with the constraints (MySQL): the
    /// catalog cannot tell `CREATE UNIQUE INDEX` from `UNIQUE`.
    pub unique_indexes_are_constraints: bool,
    /// A column declared both unique and the primary key gets a unique key of its own beside
    /// the primary key (MySQL, where Sequelize writes `UNIQUE` and `PRIMARY KEY (…)`);
    /// elsewhere the primary key is its only key.
    pub unique_beside_primary_key: bool,
    /// A case-insensitive text type (`CITEXT`).
    pub case_insensitive_text: bool,
    /// PostgreSQL's own types: `RANGE`, `INET`, `CIDR`, `MACADDR`, `TSVECTOR`, `HSTORE`.
    pub postgres_types: bool,
    /// Comments are statements of their own (`COMMENT ON`), run after `CREATE TABLE`;
    /// elsewhere they are part of it.
    pub comment_statements: bool,
    /// A `REFERENCES` clause in a column's definition is a foreign key (MySQL's InnoDB
    /// ignores it there: a column added later takes `ADD FOREIGN KEY`).
    pub inline_references: bool,
    /// Partial indexes (`CREATE INDEX … WHERE`).
    pub partial_indexes: bool,
    /// MySQL's `FULLTEXT` and `SPATIAL` indexes.
    pub full_text_indexes: bool,
    /// MySQL's index prefix lengths (`col(10)`); elsewhere the whole value is indexed.
    pub index_prefix_lengths: bool,
    /// `USING method` stands before `ON table` (MySQL); elsewhere after it.
    pub index_method_before_table: bool,
    /// PostgreSQL's `CREATE INDEX CONCURRENTLY`.
    pub concurrent_indexes: bool,
    /// PostgreSQL's operator classes on index columns.
    pub index_operator_classes: bool,
    /// Tables in other schemas (PostgreSQL's schemas, MySQL's databases):
    /// `"schema"."table"`; elsewhere the one name `"schema.table"`.
    pub schemas: bool,
    /// The significant digits a `DECIMAL` column keeps, when the database stores decimals as
    /// binary floating point (SQLite: 15); `None` where `DECIMAL` is exact. A value with more
    /// digits is refused rather than rounded.
    pub decimal_significant_digits: Option<u32>,
    /// Array columns and values (`ARRAY(type)`, PostgreSQL's `type[]`) with the array
    /// operators `@>`, `<@` and `&&`.
    pub arrays: bool,
    /// Read replicas (Sequelize's `replication`): servers that copy a primary. Not SQLite,
    /// whose database is a file.
    pub replication: bool,
}

impl Supports {
    /// What standard SQL databases offer, before a dialect says otherwise.
    pub const BASE: Supports = Supports {
        returning: false,
        savepoints: true,
        transaction_types: false,
        transactional_ddl: false,
        create_index_if_not_exists: true,
        max_bind_parameters: 65_535,
        max_identifier_length: 63,
        native_enums: false,
        enum_types: false,
        narrow_and_unsigned_integers: false,
        foreign_keys_block_drop_column: false,
        unique_indexes_are_constraints: false,
        unique_beside_primary_key: false,
        case_insensitive_text: false,
        postgres_types: false,
        comment_statements: false,
        inline_references: true,
        partial_indexes: false,
        full_text_indexes: false,
        index_prefix_lengths: false,
        index_method_before_table: false,
        concurrent_indexes: false,
        index_operator_classes: false,
        schemas: false,
        decimal_significant_digits: None,
        arrays: false,
        replication: true,
    };
}

/// What a dialect requires of the pool for one configuration.
///
/// ```
/// let sqlite = sequelize::dialect::by_name("sqlite").unwrap();
/// let config = sequelize::ConnectionConfig { storage: Some(":memory:".into()), ..Default::default() };
/// let constraints = sqlite.pool_constraints(&config);
/// assert_eq!(constraints.max_connections, Some(1));
/// assert!(constraints.keep_alive);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolConstraints {
    /// The most connections that may be open at once (an in-memory database is one
    /// connection: a second would see another, empty database).
    pub max_connections: Option<u32>,
    /// The data lives in the connections themselves: they are never closed for idleness or
    /// age, and one left inside a transaction is reset in place instead of replaced.
    pub keep_alive: bool,
}

/// The statements around a table rebuild (a new table created, the rows copied, the old one
/// dropped and the new one renamed), all on one connection outside any transaction.
#[derive(Debug, Clone, Copy)]
pub struct TableRebuild {
    /// Before the rebuild (SQLite: foreign keys off, so that dropping the old table deletes
    /// nothing that refers to it; then `BEGIN`).
    pub before: &'static [&'static str],
    /// After it succeeded (`COMMIT`, foreign keys on).
    pub after: &'static [&'static str],
    /// After a step failed (`ROLLBACK`, foreign keys on).
    pub on_failure: &'static [&'static str],
    /// The query that reads whether the connection enforces foreign keys (1 or 0): a rebuild
    /// inside a transaction needs them off ([`TransactionOptions::defer_foreign_keys`]).
    pub foreign_keys_query: &'static str,
    /// The query that reads a table's `CREATE TABLE` statement as the database keeps it, the
    /// table's name bound first and its schema (or `NULL`) second.
    pub definition_query: &'static str,
    /// The query that reads the statements that made a table's indexes and triggers (bound
    /// as `definition_query`), which go with the old table and are made again after it.
    pub dependents_query: &'static str,
    /// A table's statement (as `definition_query` reads it) under a new name with changes
    /// made (`AddColumn`, `RemoveColumn`, `ChangeColumn`, `AddConstraint`, `DropConstraint`,
    /// `SetDefault`), given the statements of its indexes and triggers (`dependents_query`).
    pub rewrite: TableRewrite,
    /// The constraints written in a table's statement (`showConstraint`).
    pub constraints: fn(&Ident, &str) -> Result<Vec<ConstraintDescription>>,
    /// Whether `ALTER TABLE … ADD COLUMN` can add this column; when not, the table is
    /// rebuilt with it (`rewrite` of an `AddColumn`).
    pub adds_column_in_place: fn(&ColumnDef) -> bool,
}

/// Writes a table's statement anew for a rebuild: the dialect, the table's statement, the
/// changes, the name the new table takes until it replaces the old one, and the statements of
/// the old table's indexes and triggers.
pub type TableRewrite =
    fn(&dyn Dialect, &str, &[Statement], &Ident, &[String]) -> Result<RebuiltTable>;

/// A table's new statement for a rebuild ([`TableRebuild::rewrite`]).
///
/// ```
/// use sequelize::sql::{Ident, Statement};
/// let sqlite = sequelize::dialect::by_name("sqlite").unwrap();
/// let rebuild = sqlite.table_rebuild().unwrap();
/// let change = Statement::SetDefault { table: "t".into(), column: "a".into(), default: None };
/// let rebuilt = (rebuild.rewrite)(&*sqlite, r#"CREATE TABLE "t" ("a" INTEGER DEFAULT 1)"#, &[change], &Ident::from("t2"), &[]).unwrap();
/// assert_eq!(rebuilt.create, r#"CREATE TABLE `t2` ("a" INTEGER)"#);
/// assert_eq!(rebuilt.columns, [Ident::from("a")]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RebuiltTable {
    /// `CREATE TABLE` of the new table.
    pub create: String,
    /// The columns whose rows are copied into it.
    pub columns: Vec<Ident>,
    /// The statements of the old table's indexes and triggers to make again on it.
    pub dependents: Vec<String>,
}

/// The statements that turn a connection's foreign-key enforcement off and on, and the
/// query that lists the rows referring to nothing (SQLite's pragmas), for
/// [`TransactionOptions::defer_foreign_keys`].
///
/// ```
/// let sqlite = sequelize::dialect::by_name("sqlite").unwrap();
/// assert_eq!(sqlite.foreign_key_switch().unwrap().check, "PRAGMA foreign_key_check");
/// assert!(sequelize::dialect::by_name("postgres").unwrap().foreign_key_switch().is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ForeignKeySwitch {
    /// Turns enforcement off (outside a transaction).
    pub off: &'static str,
    /// Lists the rows whose keys refer to nothing: the table first, one row each.
    pub check: &'static str,
    /// Turns it on again.
    pub on: &'static str,
}

/// How concurrent migrators (five `sequelize db:migrate` started at once) exclude one
/// another, so that each migration is applied once: each takes the lock before a migration,
/// reads the storage table again, and runs the migration only if it is still pending.
///
/// ```
/// use sequelize::dialect::{by_name, MigrationLock};
/// assert_eq!(by_name("sqlite").unwrap().migration_lock(), MigrationLock::WriteTransaction);
/// assert!(matches!(by_name("mysql").unwrap().migration_lock(), MigrationLock::SessionLock { .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationLock {
    /// The migration's own transaction, begun `IMMEDIATE`, holds the database's write lock
    /// (SQLite).
    WriteTransaction,
    /// A lock on a 64-bit key, taken inside the migration's transaction and released when it
    /// ends: the statement, the key bound as its parameter (PostgreSQL's
    /// `pg_advisory_xact_lock`).
    TransactionLock(&'static str),
    /// A named lock of the session, which outlives the commits that DDL makes on its own
    /// (MySQL's `GET_LOCK`): the statement that takes it (the name and a timeout in seconds
    /// bound; it reads 1 when it got the lock) and the one that releases it (the name bound).
    SessionLock {
        /// Takes the lock.
        take: &'static str,
        /// Releases it.
        release: &'static str,
    },
}

/// A database dialect: the rendering rules ([`QueryGenerator`]) and the driver of one
/// database.
///
/// Implemented by the dialects this crate ships (`sqlite`, `postgres`, `mysql`, `mariadb`,
/// each behind its cargo feature); obtain one with [`by_name`].
pub trait Dialect: QueryGenerator + Send + Sync + Debug + 'static {
    /// The dialect's name as Sequelize spells it (`sqlite`, `postgres`, `mysql`, `mariadb`).
    fn name(&self) -> &'static str;

    /// What this database can do.
    fn supports(&self) -> &Supports;

    /// The session zone (Sequelize's `timezone`), which literals of instants are written in.
    ///
    /// ```
    /// assert!(sequelize::dialect::by_name("sqlite").unwrap().time_zone().is_utc());
    /// ```
    fn time_zone(&self) -> TimeZone;

    /// How raw SQL lexes here, for the replacements scanner.
    fn scan_rules(&self) -> ScanRules;

    /// The statements that open a transaction with these options, in order. The options
    /// were checked against [`Supports::transaction_types`] first.
    fn begin_statements(&self, options: &TransactionOptions) -> Result<Vec<Cow<'static, str>>>;

    /// What the pool must respect for this configuration (an in-memory SQLite database lives
    /// in its one connection, which must never be closed while the handle lives).
    fn pool_constraints(&self, _config: &ConnectionConfig) -> PoolConstraints {
        PoolConstraints::default()
    }

    /// The connection settings a URL of this dialect names: by default a server URL,
    /// `scheme://[user[:password]@]host[:port]/database[?options]`.
    ///
    /// ```
    /// let postgres = sequelize::dialect::by_name("postgres").unwrap();
    /// let config = postgres.config_from_url("postgres://bob:s%40cret@db.local:6543/app").unwrap();
    /// assert_eq!(config.password.as_deref(), Some("s@cret"));
    /// ```
    fn config_from_url(&self, url: &str) -> Result<ConnectionConfig> {
        config::server_url(url)
    }

    /// How this database changes or drops a column when it cannot `ALTER` one (SQLite): by
    /// rebuilding the table between these statements; `None` where `ALTER COLUMN` and
    /// `DROP COLUMN` do.
    fn table_rebuild(&self) -> Option<TableRebuild> {
        None
    }

    /// The query that describes a table's columns in order, the table's name bound as its
    /// first parameter and its schema (or `NULL` for the connection's own) as its second:
    /// per column its name, its type as the database reports it, whether it allows `NULL`,
    /// its default as the database writes it (or `NULL`), whether it is part of the primary
    /// key, whether the database numbers it, and its comment (or `NULL`); the booleans as
    /// booleans or 0/1. No rows: no such table.
    fn describe_columns_query(&self) -> &'static str;

    /// The query that lists the names of the indexes of a table made by `CREATE INDEX` (not
    /// those behind its primary key and constraints, where the database tells them apart:
    /// MySQL lists every index but the primary key), one column, the table's name bound as
    /// its first parameter and its schema (or `NULL` for the connection's own) as its second.
    fn index_names_query(&self) -> &'static str;

    /// The query that lists the tables of a schema in name order, one column, the schema's
    /// name (or `NULL` for the connection's own) bound as its parameter (`showAllTables`).
    fn table_names_query(&self) -> &'static str;

    /// The query that describes a table's indexes, one row per indexed column in index-name
    /// then column order: the index's name, whether it is unique, whether it is the primary
    /// key's, and the column; the table's name bound first, its schema (or `NULL`) second
    /// (`showIndex`).
    fn index_columns_query(&self) -> &'static str;

    /// How foreign-key enforcement is turned off for a transaction and checked at its end
    /// ([`TransactionOptions::defer_foreign_keys`]); `None` where it cannot be (the
    /// default).
    fn foreign_key_switch(&self) -> Option<ForeignKeySwitch> {
        None
    }

    /// The query that describes a table's constraints (`showConstraint`), one row per
    /// constraint and column in name then column order: the constraint's name, its type
    /// (`CHECK`, `UNIQUE`, `PRIMARY KEY`, `FOREIGN KEY`), the column (or `NULL`), the table
    /// and column it refers to, its `ON DELETE` and `ON UPDATE` actions, and a check's
    /// condition; the table's name bound first, its schema (or `NULL`) second. `None` where
    /// the constraints are read from the table's statement instead
    /// ([`TableRebuild::constraints`]).
    fn constraints_query(&self) -> Option<&'static str> {
        None
    }

    /// The query that lists the enum types of a schema (its name bound, or `NULL`), one row per
    /// value: the type's name and the value, in type-name then value order; `None` where
    /// enums are not types of their own ([`Supports::enum_types`]).
    fn enum_types_query(&self) -> Option<&'static str> {
        None
    }

    /// The query that lists the schemas in name order, one column, none of the database's
    /// own (`showAllSchemas`; MySQL's databases); `None` where there are none (SQLite).
    fn schema_names_query(&self) -> Option<&'static str> {
        None
    }

    /// The query that lists a table's single-column foreign keys: per key its column, the
    /// table it references and that table's column, the table's name bound first and its
    /// schema (or `NULL`) second (`getForeignKeyReferencesForTable`).
    fn foreign_keys_query(&self) -> &'static str;

    /// The query that lists the values of an enum type in their order, the type's name bound
    /// as its first parameter and its schema (or `NULL`) as its second; `None` where enums are not types of their own
    /// ([`Supports::enum_types`]).
    fn enum_values_query(&self) -> Option<&'static str> {
        None
    }

    /// The database a connection to this server uses to create or drop others
    /// (`db:create`): PostgreSQL's `postgres`, none on MySQL. SQLite, whose database is its
    /// file, has no server: an error naming it.
    fn server_database(&self) -> Result<Option<&'static str>> {
        Err(Error::Unsupported {
            dialect: self.name(),
            feature: "creating and dropping databases (an SQLite database is its file)".into(),
        })
    }

    /// How concurrent migrators exclude one another here.
    fn migration_lock(&self) -> MigrationLock {
        MigrationLock::WriteTransaction
    }

    /// Opens one driver connection.
    fn connect<'a>(
        &'a self,
        config: &'a ConnectionConfig,
    ) -> BoxFuture<'a, Result<Box<dyn DriverConnection>>>;
}

impl dyn Dialect {
    /// The type this dialect writes for a column of `table`, as SQL text.
    pub(crate) fn column_type_sql(&self, table: &Ident, column: &ColumnDef) -> Result<String> {
        let mut writer = SqlWriter::new(self);
        self.push_column_type(&mut writer, table, column)?;
        Ok(writer.sql_mut().clone())
    }

    /// Renders a statement: SQL text with this dialect's placeholders, and the values to bind.
    ///
    /// Fails, before anything is sent, on identifiers the database cannot hold (empty,
    /// containing NUL, longer than it keeps), on comparisons with `NULL` (use `is_null()`),
    /// on empty `AND`/`OR`, and on statements with more parameters than the database accepts.
    ///
    /// ```
    /// use sequelize::sql::{Expr, Select, TableRef};
    /// let postgres = sequelize::dialect::by_name("postgres").unwrap();
    /// let select = Select::new(TableRef::new("users")).filter(Expr::column("id").eq(7));
    /// let rendered = postgres.render(&select.into()).unwrap();
    /// assert_eq!(rendered.sql, r#"SELECT * FROM "users" WHERE "id" = $1"#);
    /// ```
    pub fn render(&self, statement: &Statement) -> Result<Rendered> {
        let mut writer = SqlWriter::new(self);
        writer.statement(statement)?;
        writer.finish()
    }

    /// The statements that open a transaction, after checking the options against what the
    /// database supports.
    pub(crate) fn begin(&self, options: &TransactionOptions) -> Result<Vec<Cow<'static, str>>> {
        let typed = matches!(
            options.transaction_type,
            Some(TransactionType::Immediate | TransactionType::Exclusive)
        );
        if typed && !self.supports().transaction_types {
            return Err(Error::Config(format!(
                "IMMEDIATE and EXCLUSIVE are SQLite transaction types; {} has none \
                 (leave `transaction_type` unset, or use an isolation level)",
                self.name()
            )));
        }
        let mut statements = self.begin_statements(options)?;
        if options.defer_foreign_keys {
            let switch = self.foreign_key_switch().ok_or_else(|| {
                Error::Config(format!(
                    "`defer_foreign_keys` is SQLite's; {} checks foreign keys per statement \
                     (declare the constraints DEFERRABLE instead)",
                    self.name()
                ))
            })?;
            statements.insert(0, Cow::Borrowed(switch.off));
        }
        Ok(statements)
    }
}

/// One open connection of a driver: the only place bytes meet the wire.
pub trait DriverConnection: Send + 'static {
    /// Runs one statement with bound parameters, handing each row to `sink` as it is
    /// decoded, and returns the affected row count and the generated key. A sink's error
    /// stops the reading (the rest of the result is discarded) and is returned.
    fn run_into<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
        sink: &'a mut dyn RowSink,
    ) -> BoxFuture<'a, Result<Completion>>;

    /// Runs one statement with bound parameters, returning its rows (if any), the affected
    /// row count and the generated key.
    fn run<'a>(
        &'a mut self,
        sql: &'a str,
        params: &'a [Value],
    ) -> BoxFuture<'a, Result<QueryResult>> {
        Box::pin(async move {
            let mut rows = Collect::default();
            let completion = self.run_into(sql, params, &mut rows).await?;
            Ok(rows.finish(completion))
        })
    }

    /// Runs one query with bound parameters and hands its rows over while they arrive, in
    /// batches of at most 256 rows, never holding the whole result. Dropping the
    /// stream early abandons the rest of the result as dropping [`run`](Self::run)'s future
    /// would: see [`survives_cancellation`](Self::survives_cancellation).
    fn stream<'a>(&'a mut self, sql: &'a str, params: &'a [Value]) -> RowStream<'a>;

    /// Runs statements without parameters through the simple/text protocol (transaction
    /// control, session settings, multi-statement scripts).
    fn execute_batch<'a>(&'a mut self, sql: &'a str) -> BoxFuture<'a, Result<()>>;

    /// Checks that the connection still works.
    fn ping(&mut self) -> BoxFuture<'_, Result<()>>;

    /// Whether the driver knows the connection is dead.
    fn is_closed(&self) -> bool;

    /// Closes the connection, saying goodbye to the server where the protocol has one (the
    /// pool awaits it between the `beforeDisconnect` and `afterDisconnect` hooks). A failed
    /// goodbye leaves the connection closed all the same, so nothing is returned. Dropping
    /// the connection, the default, closes it too.
    fn close(self: Box<Self>) -> BoxFuture<'static, ()> {
        drop(self);
        Box::pin(async {})
    }

    /// How this session reads a backslash in `'…'` string literals, when the driver knows it
    /// without asking the server ([`Backslashes::Unknown`] otherwise). Replacements are
    /// inlined by this reading, so it must never be a guess.
    fn backslashes(&self) -> Backslashes;

    /// How this session reads a backslash in `'…'` string literals now, asking the server if
    /// the driver must (PostgreSQL reports a change of `standard_conforming_strings` in the
    /// replies that follow it, so a round trip makes sure every earlier report was read).
    fn session_backslashes(&mut self) -> BoxFuture<'_, Result<Backslashes>> {
        let known = self.backslashes();
        Box::pin(async move { Ok(known) })
    }

    /// Whether the connection stays usable after a statement's future was dropped before
    /// its reply was read: true where replies are matched to requests (tokio-postgres) or
    /// statements run to completion in one call (SQLite); false where the next reply read
    /// would be the abandoned statement's (MySQL), so the connection must be closed.
    fn survives_cancellation(&self) -> bool;

    /// Brings a connection that may be inside a transaction back to a clean, idle state
    /// without waiting (SQLite rolls back in place). `false` when the driver cannot, and the
    /// pool then closes the connection.
    fn reset_now(&mut self) -> bool {
        false
    }
}

/// The dialect named as in Sequelize's `dialect` option or a URL scheme.
///
/// ```
/// let d = sequelize::dialect::by_name("sqlite").unwrap();
/// assert_eq!(d.name(), "sqlite");
/// assert!(sequelize::dialect::by_name("oracle").is_err());
/// ```
pub fn by_name(name: &str) -> Result<Arc<dyn Dialect>> {
    for_session(name, TimeZone::UTC)
}

/// The dialect of `name` for sessions in `zone` (Sequelize's `timezone`), which literals of
/// dates and times are written in.
pub(crate) fn for_session(name: &str, zone: TimeZone) -> Result<Arc<dyn Dialect>> {
    let unknown = || Error::UnknownDialect(name.to_owned());
    let _ = zone; // (unused when no dialect feature is on)
    match name {
        #[cfg(feature = "sqlite")]
        "sqlite" => Ok(Arc::new(sqlite::Sqlite::new(zone))),
        #[cfg(feature = "postgres")]
        "postgres" | "postgresql" => Ok(Arc::new(postgres::Postgres::new(zone))),
        #[cfg(feature = "mysql")]
        "mysql" => Ok(Arc::new(mysql::MySql::new(mysql::Flavor::MySql, zone))),
        #[cfg(feature = "mysql")]
        "mariadb" => Ok(Arc::new(mysql::MySql::new(mysql::Flavor::MariaDb, zone))),
        _ => Err(unknown()),
    }
}

/// Shared text forms used by several dialects' literal renderers.
pub(crate) mod common {
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    use crate::error::Error;
    use crate::sql::Function;
    use crate::types::DataType;
    /// Appends `'…'` with every `'` doubled: the standard SQL escape, correct for SQLite and
    /// for PostgreSQL with `standard_conforming_strings = on` (which the driver forces).
    pub(crate) fn push_quoted_doubling(s: &str, out: &mut String) {
        out.reserve(s.len() + 2);
        out.push('\'');
        for c in s.chars() {
            if c == '\'' {
                out.push('\'');
            }
            out.push(c);
        }
        out.push('\'');
    }

    /// The standard SQL name of a function.
    pub(crate) fn standard_function_name(function: Function) -> &'static str {
        match function {
            Function::Count => "COUNT",
            Function::Sum => "SUM",
            Function::Avg => "AVG",
            Function::Min => "MIN",
            Function::Max => "MAX",
            Function::Lower => "LOWER",
            Function::Upper => "UPPER",
            Function::CharLength => "CHAR_LENGTH",
            Function::Coalesce => "COALESCE",
            Function::Abs => "ABS",
            Function::Random => "RANDOM",
        }
    }

    /// Appends bytes as lowercase hex digits.
    pub(crate) fn push_hex(bytes: &[u8], out: &mut String) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        out.reserve(bytes.len() * 2);
        for b in bytes {
            out.push(char::from(DIGITS[usize::from(b >> 4)]));
            out.push(char::from(DIGITS[usize::from(b & 0xf)]));
        }
    }

    /// The string types' lengths: Sequelize's `STRING` is `VARCHAR(255)` by default.
    pub(crate) const DEFAULT_STRING_LENGTH: u32 = 255;

    /// Appends the standard SQL spelling of a type, the one every dialect uses unless its
    /// `types.rs` says otherwise. An `ENUM` here is its storage column (`VARCHAR(255)`); the
    /// renderer adds the `CHECK` where the dialect has no enum type. Integer types the
    /// standard lacks are the next wider one (the renderer adds the `CHECK` of the range);
    /// PostgreSQL's own types have their PostgreSQL names (the renderer refuses them
    /// elsewhere).
    pub(crate) fn push_standard_type(data_type: &DataType, out: &mut String) {
        use std::fmt::Write;
        let name = match data_type {
            DataType::String(n) | DataType::BinaryString(n) => {
                // A dialect's `types.rs` adds the binary comparison to `BinaryString`.
                let length = n.unwrap_or(DEFAULT_STRING_LENGTH);
                return write!(out, "VARCHAR({length})").expect("writing to a String");
            }
            DataType::Char(n) => {
                let length = n.unwrap_or(DEFAULT_STRING_LENGTH);
                return write!(out, "CHAR({length})").expect("writing to a String");
            }
            DataType::Enum(_) => {
                return write!(out, "VARCHAR({DEFAULT_STRING_LENGTH})")
                    .expect("writing to a String");
            }
            DataType::Decimal(Some((p, s))) => {
                return write!(out, "DECIMAL({p},{s})").expect("writing to a String");
            }
            DataType::Date(Some(p)) => {
                return write!(out, "TIMESTAMP({p}) WITH TIME ZONE").expect("writing to a String");
            }
            DataType::Array(inner) => {
                push_standard_type(inner, out);
                return out.push_str("[]");
            }
            DataType::Text | DataType::TinyText | DataType::MediumText | DataType::LongText => {
                "TEXT"
            }
            DataType::CiText => "CITEXT",
            DataType::TinyInt | DataType::SmallInt => "SMALLINT",
            DataType::MediumInt | DataType::Integer => "INTEGER",
            DataType::BigInt => "BIGINT",
            DataType::Unsigned(inner) => match **inner {
                DataType::TinyInt => "SMALLINT",
                DataType::SmallInt | DataType::MediumInt => "INTEGER",
                _ => "BIGINT",
            },
            DataType::Float => "FLOAT",
            DataType::Double => "DOUBLE PRECISION",
            DataType::Decimal(None) => "DECIMAL",
            DataType::Boolean => "BOOLEAN",
            DataType::Date(None) => "TIMESTAMP WITH TIME ZONE",
            DataType::DateOnly => "DATE",
            DataType::Time => "TIME",
            DataType::Uuid => "UUID",
            DataType::Json => "JSON",
            DataType::Jsonb => "JSONB",
            DataType::Blob | DataType::TinyBlob | DataType::MediumBlob | DataType::LongBlob => {
                "BLOB"
            }
            DataType::Range(inner) => match **inner {
                DataType::Integer => "INT4RANGE",
                DataType::BigInt => "INT8RANGE",
                DataType::Date(_) => "TSTZRANGE",
                DataType::DateOnly => "DATERANGE",
                _ => "NUMRANGE",
            },
            DataType::Inet => "INET",
            DataType::Cidr => "CIDR",
            DataType::MacAddr => "MACADDR",
            DataType::TsVector => "TSVECTOR",
            DataType::Hstore => "HSTORE",
        };
        out.push_str(name);
    }

    /// Maps a failed connection attempt: `refused` is the I/O error's message when nothing
    /// listened at `target`; otherwise the driver's own mapping, where a plain database error
    /// means the connection could not be made (no such database, bad handshake).
    #[cfg(any(feature = "postgres", feature = "mysql"))]
    pub(crate) fn connect_error(refused: Option<String>, target: &str, mapped: Error) -> Error {
        if let Some(message) = refused {
            return Error::ConnectionRefused {
                target: target.to_owned(),
                message,
            };
        }
        match mapped {
            Error::Database(db) => Error::Connection(db.to_string()),
            other => other,
        }
    }
}
