//! Migrations with sequelize-cli's semantics: a [`Migrator`] that runs pending migrations in
//! name order and records each applied one as a row of `SequelizeMeta` (`name VARCHAR(255)`
//! primary key, the migration's file name), exactly as sequelize-cli's umzug storage does, so
//! both CLIs can share one database.
//!
//! A migration that fails leaves no `SequelizeMeta` row: on databases with transactional DDL
//! (PostgreSQL, SQLite) its steps and its row are one transaction; on MySQL/MariaDB, whose DDL
//! commits implicitly, the row is written only after every step succeeded.

mod config;
mod json;

use std::path::Path;
use std::time::{Duration, Instant};

pub use config::{load_config, CliConfig};
pub use json::JsonMigration;

use crate::connection::{Executor, Sequelize};
use crate::dialect::BoxFuture;
use crate::error::{Error, Result};
use crate::query_interface::QueryInterface;
use crate::sql::{
    ColumnDef, CreateTable, Delete, Expr, Ident, Insert, Select, Statement, TableRef,
};
use crate::types::DataType;
use crate::value::FromValue;

/// sequelize-cli's default storage table.
pub const DEFAULT_STORAGE_TABLE: &str = "SequelizeMeta";

/// One migration: a name (its file name) and its `up` and `down` steps. JSON files
/// implement it; a Rust migration implements it by hand.
///
/// ```
/// use sequelize::dialect::BoxFuture;
/// use sequelize::migrate::{Migration, Migrator};
/// use sequelize::query_interface::QueryInterface;
/// use sequelize::{sql::ColumnDef, DataType};
///
/// struct CreateTags;
/// impl Migration for CreateTags {
///     fn name(&self) -> &str { "20240101000000-create-tags" }
///     fn up<'a>(&'a self, qi: QueryInterface<'a>) -> BoxFuture<'a, sequelize::Result<()>> {
///         Box::pin(async move {
///             qi.create_table("tags", vec![ColumnDef::new("id", DataType::Integer).primary_key()]).await
///         })
///     }
///     fn down<'a>(&'a self, qi: QueryInterface<'a>) -> BoxFuture<'a, sequelize::Result<()>> {
///         Box::pin(async move { qi.drop_table("tags").await })
///     }
/// }
/// # async fn demo() -> sequelize::Result<()> {
/// let db = sequelize::Sequelize::connect("sqlite::memory:").await?;
/// Migrator::new(&db).add_migration(CreateTags).up(None).await?;
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub trait Migration: Send + Sync {
    /// The name recorded in `SequelizeMeta`.
    fn name(&self) -> &str;
    /// Applies the migration.
    fn up<'a>(&'a self, qi: QueryInterface<'a>) -> BoxFuture<'a, Result<()>>;
    /// Reverts the migration.
    fn down<'a>(&'a self, qi: QueryInterface<'a>) -> BoxFuture<'a, Result<()>>;
}

/// A JSON migration file.
struct FileMigration {
    name: String,
    steps: JsonMigration,
}

impl FileMigration {
    fn run<'a>(&'a self, qi: QueryInterface<'a>, up: bool) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let steps = if up { &self.steps.up } else { &self.steps.down };
            for (i, operation) in steps.iter().enumerate() {
                qi.run(operation).await.map_err(|e| Error::Migration {
                    name: self.name.clone(),
                    message: format!("{} step {}: {e}", if up { "up" } else { "down" }, i + 1),
                })?;
            }
            Ok(())
        })
    }
}

impl Migration for FileMigration {
    fn name(&self) -> &str {
        &self.name
    }
    fn up<'a>(&'a self, qi: QueryInterface<'a>) -> BoxFuture<'a, Result<()>> {
        self.run(qi, true)
    }
    fn down<'a>(&'a self, qi: QueryInterface<'a>) -> BoxFuture<'a, Result<()>> {
        self.run(qi, false)
    }
}

/// What the migrator is doing, for progress output.
///
/// ```
/// # let db = sequelize::Sequelize::new(sequelize::Options { url: Some("sqlite::memory:".into()), ..Default::default() }).unwrap();
/// use sequelize::migrate::{MigrationEvent, Migrator};
/// let migrator = Migrator::new(&db).on_event(|event| {
///     if let MigrationEvent::Migrated(name, took) = event {
///         println!("== {name}: migrated ({:.3}s)", took.as_secs_f64());
///     }
/// });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationEvent {
    /// About to apply a migration.
    Migrating(String),
    /// Applied, in this time.
    Migrated(String, Duration),
    /// About to revert a migration.
    Reverting(String),
    /// Reverted, in this time.
    Reverted(String, Duration),
}

type EventFn = Box<dyn Fn(&MigrationEvent) + Send + Sync>;

/// Runs migrations and keeps `SequelizeMeta` (sequelize-cli's `db:migrate` family).
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::{Sequelize, migrate::{JsonMigration, Migrator}};
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// let migration = JsonMigration::parse("20240101000000-create-tags.json",
///     r#"{ "up": [ { "createTable": "tags", "attributes": { "id": { "type": "INTEGER", "primaryKey": true } } } ],
///          "down": [ { "dropTable": "tags" } ] }"#)?;
/// let migrator = Migrator::new(&db).add_json("20240101000000-create-tags.json", migration);
/// assert_eq!(migrator.up(None).await?, vec!["20240101000000-create-tags.json"]);
/// assert_eq!(migrator.executed().await?, vec!["20240101000000-create-tags.json"]);
/// migrator.undo(None).await?;
/// assert!(migrator.executed().await?.is_empty());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub struct Migrator {
    db: Sequelize,
    migrations: Vec<Box<dyn Migration>>,
    table: String,
    on_event: Option<EventFn>,
}

impl Migrator {
    /// A migrator with no migrations, storing in `SequelizeMeta`.
    pub fn new(db: &Sequelize) -> Self {
        Migrator {
            db: db.clone(),
            migrations: Vec::new(),
            table: DEFAULT_STORAGE_TABLE.to_owned(),
            on_event: None,
        }
    }

    /// Stores applied names in another table (`migrationStorageTableName`).
    pub fn storage_table(mut self, table: impl Into<String>) -> Self {
        self.table = table.into();
        self
    }

    /// Adds a migration written in Rust.
    pub fn add_migration(mut self, migration: impl Migration + 'static) -> Self {
        self.migrations.push(Box::new(migration));
        self.sort();
        self
    }

    /// Adds a parsed JSON migration under a name.
    pub fn add_json(self, name: impl Into<String>, steps: JsonMigration) -> Self {
        self.add_migration(FileMigration {
            name: name.into(),
            steps,
        })
    }

    /// Adds every `*.json` migration file of a folder. Every file is parsed first, so one
    /// bad file stops the run before anything is applied.
    pub fn load_dir(mut self, dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let entries = std::fs::read_dir(dir).map_err(|e| {
            Error::Config(format!(
                "cannot read migrations folder {}: {e}",
                dir.display()
            ))
        })?;
        for entry in entries {
            let path = entry
                .map_err(|e| Error::Config(format!("cannot read {}: {e}", dir.display())))?
                .path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| Error::Config(format!("file name {} is not UTF-8", path.display())))?
                .to_owned();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
            let steps = JsonMigration::parse(&name, &text)?;
            self.migrations
                .push(Box::new(FileMigration { name, steps }));
        }
        self.sort();
        Ok(self)
    }

    /// Receives an event per migration as it runs (the CLI prints them).
    pub fn on_event(mut self, f: impl Fn(&MigrationEvent) + Send + Sync + 'static) -> Self {
        self.on_event = Some(Box::new(f));
        self
    }

    fn sort(&mut self) {
        self.migrations.sort_by(|a, b| a.name().cmp(b.name()));
    }

    fn emit(&self, event: MigrationEvent) {
        if let Some(f) = &self.on_event {
            f(&event);
        }
    }

    fn storage(&self) -> TableRef {
        TableRef::new(Ident::from(self.table.clone()))
    }

    async fn ensure_storage(&self) -> Result<()> {
        let create = Statement::CreateTable(CreateTable {
            if_not_exists: true,
            ..CreateTable::new(
                Ident::from(self.table.clone()),
                vec![ColumnDef::new("name", DataType::String(Some(255))).primary_key()],
            )
        });
        self.db.target().run_statement(&create).await.map(drop)
    }

    /// Names of the applied migrations, in name order.
    pub async fn executed(&self) -> Result<Vec<String>> {
        self.ensure_storage().await?;
        let mut select = Select::new(self.storage());
        select.columns = vec![Expr::column("name").into()];
        select.order = vec![Expr::column("name").asc()];
        let result = self
            .db
            .target()
            .run_statement(&Statement::Select(select))
            .await?;
        result
            .rows
            .iter()
            .map(|row| String::from_value(row[0].clone()))
            .collect()
    }

    /// Names of the known migrations not applied yet, in the order they would run.
    pub async fn pending(&self) -> Result<Vec<String>> {
        let executed = self.executed().await?;
        Ok(self
            .migrations
            .iter()
            .map(|m| m.name().to_owned())
            .filter(|n| !executed.contains(n))
            .collect())
    }

    /// Every known or applied migration with whether it is applied (`db:migrate:status`).
    pub async fn status(&self) -> Result<Vec<(String, bool)>> {
        let executed = self.executed().await?;
        let mut all: Vec<(String, bool)> = self
            .migrations
            .iter()
            .map(|m| (m.name().to_owned(), executed.iter().any(|e| e == m.name())))
            .collect();
        for name in &executed {
            if !all.iter().any(|(n, _)| n == name) {
                all.push((name.clone(), true));
            }
        }
        all.sort();
        Ok(all)
    }

    /// Applies pending migrations in name order, up to and including `to` when given
    /// (`db:migrate --to`). Returns the names applied. Stops at the first failure.
    pub async fn up(&self, to: Option<&str>) -> Result<Vec<String>> {
        let pending = self.pending().await?;
        if let Some(to) = to {
            if !pending.iter().any(|p| p == to) {
                return Err(Error::Config(format!("migration {to} is not pending")));
            }
        }
        let mut applied = Vec::new();
        for name in pending {
            let migration = self.find(&name)?;
            self.emit(MigrationEvent::Migrating(name.clone()));
            let started = Instant::now();
            self.apply(migration, true).await?;
            self.emit(MigrationEvent::Migrated(name.clone(), started.elapsed()));
            let last = to == Some(name.as_str());
            applied.push(name);
            if last {
                break;
            }
        }
        Ok(applied)
    }

    /// Reverts the last applied migration, or the one named (`db:migrate:undo --name`).
    /// Returns the name reverted, `None` when nothing was applied.
    pub async fn undo(&self, name: Option<&str>) -> Result<Option<String>> {
        let executed = self.executed().await?;
        let target = match name {
            Some(n) if executed.iter().any(|e| e == n) => n.to_owned(),
            Some(n) => return Err(Error::Config(format!("migration {n} is not applied"))),
            None => match executed.last() {
                Some(last) => last.clone(),
                None => return Ok(None),
            },
        };
        let migration = self.find(&target)?;
        self.emit(MigrationEvent::Reverting(target.clone()));
        let started = Instant::now();
        self.apply(migration, false).await?;
        self.emit(MigrationEvent::Reverted(target.clone(), started.elapsed()));
        Ok(Some(target))
    }

    fn find(&self, name: &str) -> Result<&dyn Migration> {
        self.migrations
            .iter()
            .find(|m| m.name() == name)
            .map(|m| &**m)
            .ok_or_else(|| Error::Config(format!("migration file {name} was not found")))
    }

    /// The statement that records (up) or forgets (down) a migration in the storage table.
    fn record(&self, name: &str, up: bool) -> Statement {
        if up {
            Statement::Insert(Insert {
                table: self.storage(),
                columns: vec![Ident::from("name")],
                rows: vec![vec![Expr::value(name)]],
                returning: Vec::new(),
                on_conflict: None,
            })
        } else {
            Statement::Delete(Delete {
                table: self.storage(),
                filter: Expr::column("name").eq(name),
            })
        }
    }

    /// Runs one migration and records it, atomically where the database allows.
    async fn apply(&self, migration: &dyn Migration, up: bool) -> Result<()> {
        let record = self.record(migration.name(), up);
        if self.db.dialect().supports().transactional_ddl {
            self.db
                .transaction(|tx| async move {
                    run_steps(migration, QueryInterface::new(&tx), up).await?;
                    tx.target().run_statement(&record).await.map(drop)
                })
                .await
        } else {
            run_steps(migration, QueryInterface::new(&self.db), up).await?;
            self.db.target().run_statement(&record).await.map(drop)
        }
    }
}

fn run_steps<'a>(
    migration: &'a dyn Migration,
    qi: QueryInterface<'a>,
    up: bool,
) -> BoxFuture<'a, Result<()>> {
    if up {
        migration.up(qi)
    } else {
        migration.down(qi)
    }
}
