//! Where the migrator keeps what it applied ([`MigrationStorage`], sequelize-cli's
//! `migrationStorage` and `seederStorage`): a table of the database (`SequelizeMeta`, one
//! `name` row per applied migration, its file name), a JSON file, or nothing. With a table, on
//! databases whose DDL commits on its own (MySQL, MariaDB), `<table>Unfinished` holds one row
//! per migration that started and did not finish, so a half-applied migration is reported
//! instead of being run again or recorded.

use std::path::PathBuf;

use crate::connection::Executor;
use crate::error::{Error, Result};
use crate::query_interface::QueryInterface;
use crate::sql::{
    ColumnDef, CreateTable, Delete, Expr, Ident, Insert, Select, Statement, TableRef, Update,
};
use crate::types::DataType;
use crate::value::{FromValue, Value};

/// The timestamp columns of a storage table that has them, as Sequelize names them.
const TIMESTAMPS: [&str; 2] = ["createdAt", "updatedAt"];

/// Where a migrator keeps the names of the migrations (or seeders) it applied.
///
/// ```
/// use sequelize::migrate::MigrationStorage;
/// assert_eq!(MigrationStorage::parse("sequelize", "SequelizeMeta", None, "sequelize-meta.json").unwrap(),
///            MigrationStorage::Table("SequelizeMeta".into()));
/// assert_eq!(MigrationStorage::parse("none", "SequelizeData", None, "sequelize-data.json").unwrap(),
///            MigrationStorage::None);
/// assert!(MigrationStorage::parse("mongodb", "x", None, "y").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationStorage {
    /// A table of the database, one `name` row per applied migration (`"sequelize"`:
    /// `SequelizeMeta` for migrations, `SequelizeData` for seeders), in the connection's
    /// schema or the one the name carries (`migrationStorageTableSchema`). A table with
    /// `createdAt` and `updatedAt` columns (`db:migrate:schema:timestamps:add`) gets them
    /// filled for each migration recorded.
    Table(Ident),
    /// A JSON file holding the array of applied names, as umzug's JSON storage writes it
    /// (`"json"`). It lives on the machine running the CLI, not in the database.
    Json(PathBuf),
    /// Nothing (`"none"`, seeders' default): every file is pending every time.
    None,
}

impl MigrationStorage {
    /// The storage a config names (`"sequelize"`, `"json"` or `"none"`), with its table
    /// (and the table's schema) and file names.
    pub fn parse(kind: &str, table: &str, schema: Option<&str>, path: &str) -> Result<Self> {
        match kind {
            "sequelize" => Ok(MigrationStorage::Table(
                Ident::from(table.to_owned()).in_schema(schema.map(str::to_owned)),
            )),
            "json" => Ok(MigrationStorage::Json(PathBuf::from(path))),
            "none" => Ok(MigrationStorage::None),
            other => Err(Error::Config(format!(
                "unknown storage `{other}` (expected sequelize, json or none)"
            ))),
        }
    }
}

/// A migration that started and did not finish, as its `Unfinished` row tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unfinished {
    /// The migration's name.
    pub(crate) name: String,
    /// `up` or `down`.
    pub(crate) direction: String,
    /// Why it stopped, when it failed (a crash leaves none).
    pub(crate) error: Option<String>,
}

/// What a migrator does with its storage.
impl MigrationStorage {
    fn table(&self) -> Option<&Ident> {
        match self {
            MigrationStorage::Table(table) => Some(table),
            _ => None,
        }
    }

    fn meta(table: &Ident) -> TableRef {
        TableRef::new(table.clone())
    }

    /// The table beside `table` named by it and `suffix` (`SequelizeMetaUnfinished`).
    fn beside(table: &Ident, suffix: &str) -> Ident {
        Ident::from(format!("{}{suffix}", table.as_str()))
            .in_schema(table.schema().map(str::to_owned))
    }

    fn unfinished_table(table: &Ident) -> Ident {
        Self::beside(table, "Unfinished")
    }

    /// The tables it keeps its records in (the table and its `Unfinished` companion), which
    /// the model diff leaves alone.
    ///
    /// ```
    /// use sequelize::migrate::MigrationStorage;
    /// let meta = MigrationStorage::Table("SequelizeMeta".into());
    /// assert_eq!(meta.tables(), ["SequelizeMeta", "SequelizeMetaUnfinished"]);
    /// assert!(MigrationStorage::None.tables().is_empty());
    /// ```
    pub fn tables(&self) -> Vec<String> {
        match self {
            MigrationStorage::Table(table) => {
                vec![
                    table.as_str().to_owned(),
                    Self::unfinished_table(table).as_str().to_owned(),
                ]
            }
            MigrationStorage::Json(_) | MigrationStorage::None => Vec::new(),
        }
    }

    /// Whether it keeps anything: with none, every migration is pending every time.
    pub(crate) fn keeps(&self) -> bool {
        *self != MigrationStorage::None
    }

    /// Whether it can note unfinished migrations (a table can).
    pub(crate) fn notes_unfinished(&self) -> bool {
        self.table().is_some()
    }

    /// What names the migration lock of this storage.
    pub(crate) fn lock_name(&self) -> String {
        match self {
            MigrationStorage::Table(table) => match table.schema() {
                Some(schema) => format!("{schema}.{}", table.as_str()),
                None => table.as_str().to_owned(),
            },
            MigrationStorage::Json(path) => path.display().to_string(),
            MigrationStorage::None => "none".to_owned(),
        }
    }

    /// The `name` key of the storage tables. `SequelizeMeta`'s is unique as well, as
    /// sequelize-cli declares it.
    fn name_column() -> ColumnDef {
        ColumnDef::new("name", DataType::String(Some(255))).primary_key()
    }

    /// Creates the tables that do not exist yet: `SequelizeMeta` as sequelize-cli creates
    /// it, and the `Unfinished` table where `unfinished` (DDL that is not transactional).
    /// Returns whether the table has timestamps (`createdAt`, `updatedAt`) to fill.
    pub(crate) async fn ensure(&self, exec: &impl Executor, unfinished: bool) -> Result<bool> {
        let Some(table) = self.table() else {
            return Ok(false);
        };
        let mut tables = vec![(table.clone(), vec![Self::name_column().unique()])];
        if unfinished {
            tables.push((
                Self::unfinished_table(table),
                vec![
                    Self::name_column(),
                    ColumnDef::new("direction", DataType::String(Some(4))).not_null(),
                    ColumnDef::new("error", DataType::Text),
                ],
            ));
        }
        for (table, columns) in tables {
            let create = Statement::CreateTable(CreateTable {
                if_not_exists: true,
                ..CreateTable::new(table, columns)
            });
            exec.target().run_statement(&create).await?;
        }
        let columns = QueryInterface::new(exec)
            .describe_columns(table.clone())
            .await?;
        Ok(TIMESTAMPS
            .iter()
            .all(|t| columns.iter().any(|c| c.name == *t)))
    }

    /// Gives the table timestamps, as sequelize-cli's `db:migrate:schema:timestamps:add`
    /// does: the table is renamed `<table>Backup` (and kept), a new one made with `name`,
    /// `createdAt` and `updatedAt`, and the names copied, stamped now. `false` when the
    /// table has them already.
    pub(crate) async fn add_timestamps(&self, exec: &impl Executor) -> Result<bool> {
        let Some(table) = self.table() else {
            return Err(Error::Config(
                "timestamps are for a storage table (`migrationStorage: \"sequelize\"`)".into(),
            ));
        };
        if self.ensure(exec, false).await? {
            return Ok(false);
        }
        let names = self.executed(exec).await?;
        let stamp = |name: &'static str| ColumnDef::new(name, DataType::Date(None)).not_null();
        let columns = vec![
            Self::name_column().unique(),
            stamp(TIMESTAMPS[0]),
            stamp(TIMESTAMPS[1]),
        ];
        let now = Expr::Value(Value::from(crate::model::current_time()));
        let mut statements = vec![
            Statement::RenameTable {
                from: table.clone(),
                to: Self::beside(table, "Backup"),
            },
            Statement::CreateTable(CreateTable::new(table.clone(), columns)),
        ];
        if !names.is_empty() {
            statements.push(Statement::Insert(Insert {
                table: Self::meta(table),
                columns: ["name", TIMESTAMPS[0], TIMESTAMPS[1]]
                    .map(Ident::from)
                    .to_vec(),
                rows: (names.iter())
                    .map(|name| vec![Expr::value(name.as_str()), now.clone(), now.clone()])
                    .collect(),
                returning: Vec::new(),
                on_conflict: None,
            }));
        }
        for statement in &statements {
            exec.target().run_statement(statement).await?;
        }
        Ok(true)
    }

    /// The names of the applied migrations, in name order.
    pub(crate) async fn executed(&self, exec: &impl Executor) -> Result<Vec<String>> {
        let table = match self {
            MigrationStorage::Table(table) => table,
            MigrationStorage::Json(path) => return read_json(path),
            MigrationStorage::None => return Ok(Vec::new()),
        };
        select_by_name(exec, Self::meta(table), &["name"])
            .await?
            .column(0)
    }

    /// The statement that records (`up`) or forgets (down) an applied migration in the
    /// table, where the storage is one; with the time in its `createdAt` and `updatedAt`
    /// when `timestamps` (the table has them).
    pub(crate) fn record(&self, name: &str, up: bool, timestamps: bool) -> Option<Statement> {
        let table = Self::meta(self.table()?);
        let mut columns = vec![Ident::from("name")];
        let mut row = vec![Expr::value(name)];
        if timestamps {
            let now = Expr::Value(Value::from(crate::model::current_time()));
            columns.extend(TIMESTAMPS.map(Ident::from));
            row.extend([now.clone(), now]);
        }
        Some(if up {
            Statement::Insert(Insert {
                table,
                columns,
                rows: vec![row],
                returning: Vec::new(),
                on_conflict: None,
            })
        } else {
            Statement::Delete(Delete {
                table,
                filter: Expr::column("name").eq(name),
            })
        })
    }

    /// Records (`up`) or forgets an applied migration in the JSON file, where the storage is
    /// one: after the migration's transaction committed.
    pub(crate) fn record_in_file(&self, name: &str, up: bool) -> Result<()> {
        let MigrationStorage::Json(path) = self else {
            return Ok(());
        };
        let mut names = read_json(path)?;
        names.retain(|n| n != name);
        if up {
            names.push(name.to_owned());
        }
        let text = serde_json::to_string_pretty(&names)
            .map_err(|e| Error::Config(format!("cannot write {}: {e}", path.display())))?;
        std::fs::write(path, text)
            .map_err(|e| Error::Config(format!("cannot write {}: {e}", path.display())))
    }

    /// The migrations that started and did not finish, in name order.
    pub(crate) async fn unfinished(&self, exec: &impl Executor) -> Result<Vec<Unfinished>> {
        let Some(table) = self.table() else {
            return Ok(Vec::new());
        };
        let table = TableRef::new(Self::unfinished_table(table));
        let rows = select_by_name(exec, table, &["name", "direction", "error"]).await?;
        rows.iter()
            .map(|row| {
                Ok(Unfinished {
                    name: String::from_value(row[0].clone())?,
                    direction: String::from_value(row[1].clone())?,
                    error: Option::<String>::from_value(row[2].clone())?,
                })
            })
            .collect()
    }

    /// Notes that a migration starts in this direction.
    pub(crate) fn started(&self, name: &str, up: bool) -> Option<Statement> {
        Some(Statement::Insert(Insert {
            table: TableRef::new(Self::unfinished_table(self.table()?)),
            columns: vec![Ident::from("name"), Ident::from("direction")],
            rows: vec![vec![
                Expr::value(name),
                Expr::value(if up { "up" } else { "down" }),
            ]],
            returning: Vec::new(),
            on_conflict: None,
        }))
    }

    /// Notes why a started migration stopped.
    pub(crate) fn failed(&self, name: &str, error: &str) -> Option<Statement> {
        Some(Statement::Update(Update {
            table: TableRef::new(Self::unfinished_table(self.table()?)),
            set: vec![(Ident::from("error"), Expr::Value(Value::from(error)))],
            filter: Expr::column("name").eq(name),
        }))
    }

    /// Forgets that a migration started (it finished, or was resolved by hand).
    pub(crate) fn finished(&self, name: &str) -> Option<Statement> {
        Some(Statement::Delete(Delete {
            table: TableRef::new(Self::unfinished_table(self.table()?)),
            filter: Expr::column("name").eq(name),
        }))
    }
}

/// The rows of a storage table, these columns of each, in name order.
async fn select_by_name(
    exec: &impl Executor,
    table: TableRef,
    columns: &[&'static str],
) -> Result<crate::row::Rows> {
    let mut select = Select::new(table);
    select.columns = columns.iter().map(|c| Expr::column(*c).into()).collect();
    select.order = vec![Expr::column("name").asc()];
    let result = exec
        .target()
        .run_statement(&Statement::Select(select))
        .await?;
    Ok(result.rows)
}

/// The names a JSON storage file holds; none when it does not exist yet.
fn read_json(path: &std::path::Path) -> Result<Vec<String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(Error::Config(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    let mut names: Vec<String> = serde_json::from_str(&text).map_err(|e| {
        Error::Config(format!(
            "{} must hold a JSON array of migration names: {e}",
            path.display()
        ))
    })?;
    names.sort();
    Ok(names)
}
