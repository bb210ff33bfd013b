//! Migrations with sequelize-cli's semantics: a [`Migrator`] that runs pending migrations in
//! name order and records each applied one as a row of `SequelizeMeta` (`name VARCHAR(255)`
//! primary key, the migration's file name), exactly as sequelize-cli's umzug storage does, so
//! both CLIs can share one database.
//!
//! A migration that fails leaves no `SequelizeMeta` row: on databases with transactional DDL
//! (PostgreSQL, SQLite) its steps and its row are one transaction; on MySQL/MariaDB, whose DDL
//! commits as it runs, the migration is noted in `SequelizeMetaUnfinished` before its first
//! step and forgotten with its `SequelizeMeta` row after its last, so a migration that failed
//! or was killed half way is reported, never run again or recorded, until
//! [`Migrator::resolve`] says what state it was left in.
//!
//! Migrators exclude one another ([`MigrationLock`]): before each migration one takes the
//! database's lock, reads `SequelizeMeta` again, and runs the migration only if it is still
//! pending, so concurrent `sequelize db:migrate` runs apply each migration once.

mod config;
mod diff;
mod json;
mod selection;
mod sql;
mod storage;

use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use config::{load_config, parse_config, CliConfig};
pub use diff::{diff_models, ModelDiff, Renames};
pub use json::JsonMigration;
pub use selection::{Down, Up};
pub use sql::SqlMigration;

use crate::connection::transaction::Transaction;
use crate::connection::{Executor, Sequelize};
use crate::dialect::{BoxFuture, MigrationLock};
use crate::error::{Error, Result};
use crate::query_interface::{Operation, QueryInterface};
use crate::sql::{Ident, Statement, TransactionOptions, TransactionType};
use crate::value::Value;
pub use storage::MigrationStorage;
use storage::Unfinished;

/// How long a MySQL migrator waits for another one's lock, in seconds.
const LOCK_WAIT_SECONDS: i64 = 600;

/// sequelize-cli's default storage table.
pub const DEFAULT_STORAGE_TABLE: &str = "SequelizeMeta";
/// sequelize-cli's default storage file, with `migrationStorage: "json"`.
pub const DEFAULT_STORAGE_FILE: &str = "sequelize-meta.json";
/// sequelize-cli's seeder storage table, with `seederStorage: "sequelize"`.
pub const SEEDER_STORAGE_TABLE: &str = "SequelizeData";
/// sequelize-cli's seeder storage file, with `seederStorage: "json"`.
pub const SEEDER_STORAGE_FILE: &str = "sequelize-data.json";

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
/// Migrator::new(&db).add_migration(CreateTags).up().await?;
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
    /// Whether it can run in this direction (`up`, or down), asked before anything is sent:
    /// a `.sql` migration without `down` statements cannot be undone, a JavaScript one
    /// cannot run at all.
    fn runnable(&self, _up: bool) -> Result<()> {
        Ok(())
    }
    /// Whether, in this direction, it adds, drops or changes a column or a constraint of an
    /// existing table (`addColumn`, `removeColumn`, `changeColumn`, `addConstraint`,
    /// `removeConstraint`), which SQLite may do by rebuilding the table. There its transaction then checks foreign keys at commit instead of per
    /// statement ([`TransactionOptions::defer_foreign_keys`]). False by default: a Rust
    /// migration that makes such changes says so here.
    fn alters_tables(&self, _up: bool) -> bool {
        false
    }
    /// Whether, in this direction, it has a statement no transaction may hold
    /// (PostgreSQL's `CREATE DATABASE` and `DROP DATABASE`): its steps then run on the pool,
    /// outside the transaction that holds the migration lock and records it. False by
    /// default.
    fn outside_transaction(&self, _up: bool) -> bool {
        false
    }
}

/// A migration file sequelize-rs cannot run (JavaScript or TypeScript, sequelize-cli's own
/// format): listed with the others, so that pending it stops the run with its name instead of
/// being skipped.
struct ScriptMigration {
    name: String,
}

impl ScriptMigration {
    fn refusal(&self) -> Error {
        Error::Migration {
            name: self.name.clone(),
            message: "is a JavaScript or TypeScript migration, which this migrator does not \
                      run: the `sequelize` command runs JavaScript migrations (TypeScript \
                      ones compiled to JavaScript), or write it as a .json migration"
                .into(),
        }
    }
}

impl Migration for ScriptMigration {
    fn name(&self) -> &str {
        &self.name
    }
    fn up<'a>(&'a self, _: QueryInterface<'a>) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move { Err(self.refusal()) })
    }
    fn down<'a>(&'a self, _: QueryInterface<'a>) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move { Err(self.refusal()) })
    }
    fn runnable(&self, _up: bool) -> Result<()> {
        Err(self.refusal())
    }
}

/// Whether sequelize-cli would take this file for a migration script
/// (`.js`, `.cjs`, `.ts`, `.cts`, but not a `.d.ts`).
fn is_script(name: &str) -> bool {
    [".js", ".cjs", ".ts", ".cts"]
        .iter()
        .any(|e| name.ends_with(e))
        && !name.ends_with(".d.ts")
}

/// A JSON migration file.
struct FileMigration {
    name: String,
    steps: JsonMigration,
}

impl FileMigration {
    /// Whether a statement of the steps of this direction is one `test` picks.
    fn any_statement(&self, up: bool, test: impl Fn(&Statement) -> bool) -> bool {
        let steps = if up { &self.steps.up } else { &self.steps.down };
        (steps.iter()).any(|operation| matches!(operation, Operation::Statement(s) if test(s)))
    }

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
    fn alters_tables(&self, up: bool) -> bool {
        self.any_statement(up, |s| s.altered_table().is_some())
    }
    fn outside_transaction(&self, up: bool) -> bool {
        self.any_statement(up, |s| {
            matches!(
                s,
                Statement::CreateDatabase(_) | Statement::DropDatabase { .. }
            )
        })
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

/// What a migration left behind, said by hand after it stopped half way on a database whose
/// DDL is not transactional ([`Migrator::resolve`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Its changes are in the schema: record it as applied.
    Applied,
    /// Its changes are not: record it as not applied.
    Reverted,
}

type EventFn = Box<dyn Fn(&MigrationEvent) + Send + Sync>;

/// Runs migrations and keeps `SequelizeMeta` (sequelize-cli's `db:migrate` family), with
/// umzug's semantics: [`up`](Self::up) and [`up_with`](Self::up_with) apply pending
/// migrations in name order ([`Up`]: `to`, `from`, by name, `step`), [`undo`](Self::undo) and
/// [`down_with`](Self::down_with) revert applied ones newest first ([`Down`]).
///
/// ```
/// # async fn demo() -> sequelize::Result<()> {
/// use sequelize::{Sequelize, migrate::{Down, JsonMigration, Migrator, Up}};
/// let db = Sequelize::connect("sqlite::memory:").await?;
/// let create = |table: &str| JsonMigration::parse("doc.json", &format!(
///     r#"{{ "up": [ {{ "createTable": "{table}", "attributes": {{ "id": {{ "type": "INTEGER", "primaryKey": true }} }} }} ],
///          "down": [ {{ "dropTable": "{table}" }} ] }}"#));
/// let migrator = Migrator::new(&db)
///     .add_json("20240101000000-create-tags.json", create("tags")?)
///     .add_json("20240102000000-create-posts.json", create("posts")?);
/// assert_eq!(migrator.up_with(Up::all().step(1)).await?, ["20240101000000-create-tags.json"]);
/// assert_eq!(migrator.pending().await?, ["20240102000000-create-posts.json"]);
/// migrator.up().await?;
/// assert_eq!(migrator.undo().await?.as_deref(), Some("20240102000000-create-posts.json"));
/// assert_eq!(migrator.down_with(Down::all()).await?, ["20240101000000-create-tags.json"]);
/// assert!(migrator.executed().await?.is_empty());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub struct Migrator {
    db: Sequelize,
    migrations: Vec<Box<dyn Migration>>,
    storage: MigrationStorage,
    /// Whether the storage table has `createdAt` and `updatedAt` to fill, as last seen.
    timestamps: AtomicBool,
    on_event: Option<EventFn>,
    /// Turns the JavaScript files of a folder into migrations (the CLI's engine).
    scripts: Option<Arc<dyn ScriptRunner>>,
}

/// Runs sequelize-cli's JavaScript migrations (`.js`, `.cjs`): the `sequelize` command gives
/// the [`Migrator`] its embedded engine through [`Migrator::script_runner`], so this crate
/// needs no JavaScript of its own.
pub trait ScriptRunner: Send + Sync {
    /// The migration of the script at `path`, recorded as `name`.
    fn migration(&self, name: &str, path: &Path) -> Result<Box<dyn Migration>>;
}

impl Migrator {
    /// A migrator with no migrations, storing in `SequelizeMeta`.
    pub fn new(db: &Sequelize) -> Self {
        Migrator {
            db: db.clone(),
            migrations: Vec::new(),
            storage: MigrationStorage::Table(Ident::from(DEFAULT_STORAGE_TABLE)),
            timestamps: AtomicBool::new(false),
            on_event: None,
            scripts: None,
        }
    }

    /// Runs the JavaScript migrations [`load_dir`](Self::load_dir) finds with `runner`
    /// (set it first); without one they are listed, and one that is pending stops the run.
    pub fn script_runner(mut self, runner: Arc<dyn ScriptRunner>) -> Self {
        self.scripts = Some(runner);
        self
    }

    /// Stores applied names in another table (`migrationStorageTableName`).
    pub fn storage_table(self, table: impl Into<String>) -> Self {
        self.storage(MigrationStorage::Table(Ident::from(table.into())))
    }

    /// Stores applied names there (`migrationStorage`, `seederStorage`): a table, a JSON
    /// file, or nowhere (every file runs every time, as seeders do by default).
    pub fn storage(mut self, storage: MigrationStorage) -> Self {
        self.storage = storage;
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

    /// Adds every migration file of a folder: `*.json` migrations and `.sql` ones
    /// ([`SqlMigration`]), read first so that one bad file stops the run before anything is
    /// applied, and sequelize-cli's JavaScript and TypeScript migrations, listed so that one
    /// pending stops the run with its name.
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
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                return Err(Error::Config(format!(
                    "file name {} is not UTF-8",
                    path.display()
                )));
            };
            let name = name.to_owned();
            if path.is_dir() {
                let up = path.join("up.sql");
                if up.exists() {
                    let down = path.join("down.sql");
                    self.migrations
                        .push(Box::new(SqlMigration::from_files(&name, &up, &down)?));
                }
                continue;
            }
            if name.ends_with(".down.sql") {
                continue;
            }
            if let Some(stem) = name.strip_suffix(".up.sql") {
                let down = path.with_file_name(format!("{stem}.down.sql"));
                self.migrations
                    .push(Box::new(SqlMigration::from_files(&name, &path, &down)?));
                continue;
            }
            if name.ends_with(".sql") {
                let text = read_text(&path)?;
                self.migrations
                    .push(Box::new(SqlMigration::parse(&name, &text)?));
                continue;
            }
            if is_script(&name) {
                let javascript = name.ends_with(".js") || name.ends_with(".cjs");
                let migration = match &self.scripts {
                    Some(runner) if javascript => runner.migration(&name, &path)?,
                    _ => Box::new(ScriptMigration { name }),
                };
                self.migrations.push(migration);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let steps = JsonMigration::parse(&name, &read_text(&path)?)?;
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

    fn known(&self) -> Vec<String> {
        self.migrations
            .iter()
            .map(|m| m.name().to_owned())
            .collect()
    }

    /// Whether this database's DDL commits as it runs, so the `Unfinished` table is kept
    /// (with a table storage).
    fn needs_unfinished(&self) -> bool {
        !self.db.dialect().supports().transactional_ddl && self.storage.notes_unfinished()
    }

    /// Names of the applied migrations, in name order.
    pub async fn executed(&self) -> Result<Vec<String>> {
        let unfinished = self.needs_unfinished();
        let timestamps = self
            .exclusive(false, |tx| async move {
                self.storage.ensure(&tx, unfinished).await
            })
            .await?;
        self.timestamps.store(timestamps, Ordering::Relaxed);
        self.storage.executed(&self.db).await
    }

    /// Gives the storage table `createdAt` and `updatedAt` columns, filled for each
    /// migration recorded from then on (sequelize-cli's `db:migrate:schema:timestamps:add`):
    /// the table is kept as `<table>Backup` and made again with the names, stamped now.
    /// `false` when it has them already.
    ///
    /// ```
    /// # async fn demo() -> sequelize::Result<()> {
    /// use sequelize::migrate::Migrator;
    /// let db = sequelize::Sequelize::connect("sqlite::memory:").await?;
    /// let migrator = Migrator::new(&db);
    /// assert!(migrator.add_timestamps().await?);
    /// assert!(!migrator.add_timestamps().await?);
    /// let columns = db.query_interface().describe_columns("SequelizeMeta").await?;
    /// assert_eq!(columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["name", "createdAt", "updatedAt"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn add_timestamps(&self) -> Result<bool> {
        let added = self
            .exclusive(
                false,
                |tx| async move { self.storage.add_timestamps(&tx).await },
            )
            .await?;
        self.timestamps.store(true, Ordering::Relaxed);
        Ok(added)
    }

    /// Whether recorded rows get timestamps.
    fn stamped(&self) -> bool {
        self.timestamps.load(Ordering::Relaxed)
    }

    /// Names of the known migrations not applied yet, in the order they would run.
    pub async fn pending(&self) -> Result<Vec<String>> {
        let executed = self.executed().await?;
        Ok(selection::pending(&self.known(), &executed))
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

    /// Applies every pending migration in name order (`db:migrate`). Returns the names
    /// applied. Stops at the first failure.
    pub async fn up(&self) -> Result<Vec<String>> {
        self.up_with(Up::all()).await
    }

    /// Applies the pending migrations `up` selects, in order (`db:migrate --to/--from/--name`).
    /// Returns the names this migrator applied (not those a concurrent one applied first).
    pub async fn up_with(&self, up: Up) -> Result<Vec<String>> {
        let executed = self.executed().await?;
        let chosen = up.select(&self.known(), &executed)?;
        let mut applied = Vec::new();
        for name in chosen {
            if self.apply(&name, true).await? {
                applied.push(name);
            }
        }
        Ok(applied)
    }

    /// Reverts the last applied migration (`db:migrate:undo`). Returns its name, `None` when
    /// nothing was applied.
    pub async fn undo(&self) -> Result<Option<String>> {
        Ok(self.down_with(Down::last()).await?.into_iter().next())
    }

    /// Reverts the applied migrations `down` selects, newest first
    /// (`db:migrate:undo --name`, `db:migrate:undo:all --to`). Returns the names reverted.
    pub async fn down_with(&self, down: Down) -> Result<Vec<String>> {
        // With no storage every file counts as applied, as sequelize-cli undoes seeders.
        let revertible = match self.storage.keeps() {
            true => self.executed().await?,
            false => self.known(),
        };
        let chosen = down.select(&revertible)?;
        let mut reverted = Vec::new();
        for name in chosen {
            if self.apply(&name, false).await? {
                reverted.push(name);
            }
        }
        Ok(reverted)
    }

    /// Says what a migration that stopped half way left behind, on a database whose DDL is
    /// not transactional (`sequelize db:migrate:resolve`): records it as applied or not, and
    /// forgets that it was unfinished, so that migrating can go on.
    pub async fn resolve(&self, name: &str, resolution: Resolution) -> Result<()> {
        let executed = self.executed().await?;
        if !self.needs_unfinished() {
            return Err(Error::Config(format!(
                "{} runs each migration in a transaction, so none is left half applied \
                 (and only a table storage notes unfinished migrations)",
                self.db.dialect().name()
            )));
        }
        let unfinished = self.storage.unfinished(&self.db).await?;
        if !unfinished.iter().any(|u| u.name == name) {
            return Err(Error::Config(format!("migration {name} is not unfinished")));
        }
        let applied = executed.iter().any(|e| e == name);
        let record = match resolution {
            Resolution::Applied => {
                (!applied).then(|| self.storage.record(name, true, self.stamped()))
            }
            Resolution::Reverted => {
                applied.then(|| self.storage.record(name, false, self.stamped()))
            }
        };
        let statements: Vec<Statement> = record
            .flatten()
            .into_iter()
            .chain(self.storage.finished(name))
            .collect();
        run_all(&self.db, statements).await
    }

    fn find(&self, name: &str) -> Result<&dyn Migration> {
        self.migrations
            .iter()
            .find(|m| m.name() == name)
            .map(|m| &**m)
            .ok_or_else(|| Error::Config(format!("migration file {name} was not found")))
    }

    /// Runs `f` holding the migration lock, in a transaction of its own (which `f` may run
    /// its statements in).
    async fn exclusive<T, F, Fut>(&self, alters_tables: bool, f: F) -> Result<T>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let lock = self.db.dialect().migration_lock();
        let write_transaction = lock == MigrationLock::WriteTransaction;
        let options = TransactionOptions {
            transaction_type: write_transaction.then_some(TransactionType::Immediate),
            defer_foreign_keys: write_transaction && alters_tables,
            ..TransactionOptions::default()
        };
        let lock_name = self.storage.lock_name();
        let name = Value::from(format!("sequelize:{lock_name}"));
        self.db
            .transaction_with(options, |tx| async move {
                match lock {
                    MigrationLock::WriteTransaction => f(tx).await,
                    MigrationLock::TransactionLock(take) => {
                        let key = Value::Int(lock_key(&lock_name));
                        tx.target().run(take, &[key]).await?;
                        f(tx).await
                    }
                    MigrationLock::SessionLock { take, release } => {
                        if self.db.pool_max() < 2 {
                            return Err(Error::Config(format!(
                                "migrating on {} takes two connections (one holds the lock, \
                                 the other runs the migrations): set pool.max to 2 or more",
                                self.db.dialect().name()
                            )));
                        }
                        let got = tx
                            .target()
                            .run(take, &[name.clone(), Value::Int(LOCK_WAIT_SECONDS)])
                            .await?;
                        if got.rows.iter().next().map(|r| &r[0]) != Some(&Value::Int(1)) {
                            return Err(Error::Config(format!(
                                "another migrator held the migration lock for {LOCK_WAIT_SECONDS} s"
                            )));
                        }
                        let result = f(tx.clone()).await;
                        let released = tx.target().run(release, &[name]).await;
                        let value = result?;
                        released?;
                        Ok(value)
                    }
                }
            })
            .await
    }

    /// Applies (`up`) or reverts one migration holding the lock, unless a concurrent
    /// migrator did it first. Returns whether this one did.
    async fn apply(&self, name: &str, up: bool) -> Result<bool> {
        let migration = self.find(name)?;
        migration.runnable(up)?;
        let transactional = self.db.dialect().supports().transactional_ddl;
        let applied = self
            .exclusive(migration.alters_tables(up), |tx| async move {
                // Where DDL commits on its own, the work runs on the pool: the lock's
                // connection only holds the lock.
                if self.needs_unfinished() {
                    if let Some(stopped) = self.storage.unfinished(&self.db).await?.first() {
                        return Err(self.interrupted(stopped));
                    }
                }
                let done = match self.storage.keeps() {
                    true => self.storage.executed(&tx).await?.iter().any(|e| e == name),
                    false => !up,
                };
                if done == up {
                    return Ok(false);
                }
                self.emit(match up {
                    true => MigrationEvent::Migrating(name.to_owned()),
                    false => MigrationEvent::Reverting(name.to_owned()),
                });
                let started = Instant::now();
                if transactional {
                    let qi = match migration.outside_transaction(up) {
                        true => QueryInterface::new(&self.db),
                        false => QueryInterface::new(&tx),
                    };
                    run_steps(migration, qi, up).await?;
                    run_all(&tx, self.storage.record(name, up, self.stamped())).await?;
                } else if self.needs_unfinished() {
                    self.apply_unguarded(migration, up).await?;
                } else {
                    run_steps(migration, QueryInterface::new(&self.db), up).await?;
                }
                let took = started.elapsed();
                self.emit(match up {
                    true => MigrationEvent::Migrated(name.to_owned(), took),
                    false => MigrationEvent::Reverted(name.to_owned(), took),
                });
                Ok(true)
            })
            .await?;
        if applied {
            self.storage.record_in_file(name, up)?;
        }
        Ok(applied)
    }

    /// Runs a migration on a database whose DDL commits as it runs: noted as unfinished
    /// first, recorded and forgotten together after its last step, the error noted when a
    /// step fails.
    async fn apply_unguarded(&self, migration: &dyn Migration, up: bool) -> Result<()> {
        let name = migration.name();
        run_all(&self.db, self.storage.started(name, up)).await?;
        if let Err(e) = run_steps(migration, QueryInterface::new(&self.db), up).await {
            let cause = match e {
                Error::Migration { message, .. } => message,
                other => other.to_string(),
            };
            run_all(&self.db, self.storage.failed(name, &cause)).await?;
            return Err(Error::Migration {
                name: name.to_owned(),
                message: format!("{cause}; {}", self.repair_note(name)),
            });
        }
        let statements: Vec<Statement> = self
            .storage
            .record(name, up, self.stamped())
            .into_iter()
            .chain(self.storage.finished(name))
            .collect();
        run_all(&self.db, statements).await
    }

    /// The error for a migration found unfinished where DDL is not transactional.
    fn interrupted(&self, stopped: &Unfinished) -> Error {
        let why = stopped
            .error
            .as_deref()
            .unwrap_or("the run stopped before it finished");
        Error::Migration {
            name: stopped.name.clone(),
            message: format!(
                "did not finish migrating {} ({why}); {}",
                stopped.direction,
                self.repair_note(&stopped.name)
            ),
        }
    }

    /// What to do about a migration that stopped half way.
    fn repair_note(&self, name: &str) -> String {
        format!(
            "{} commits each DDL statement as it runs, so the steps before the failure may be \
             applied: repair the schema, then run `sequelize db:migrate:resolve --name {name} \
             --applied` (or `--reverted`)",
            self.db.dialect().name()
        )
    }
}

/// A migration file's text.
fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))
}

/// The advisory-lock key of a storage table: FNV-1a of its name, the same in every process.
fn lock_key(table: &str) -> i64 {
    let hash = format!("sequelize-rs migrations {table}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// Runs statements in order, in one transaction when there are several and `exec` is the
/// pool.
async fn run_all(
    exec: &impl Executor,
    statements: impl IntoIterator<Item = Statement>,
) -> Result<()> {
    let statements: Vec<Statement> = statements.into_iter().collect();
    let target = exec.target();
    if statements.len() > 1 && !target.in_transaction() {
        return target
            .sequelize()
            .transaction(|tx| async move {
                for statement in &statements {
                    tx.target().run_statement(statement).await?;
                }
                Ok(())
            })
            .await;
    }
    for statement in &statements {
        target.run_statement(statement).await?;
    }
    Ok(())
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
