//! `sequelize`: sequelize-cli's commands for sequelize-rs, as a library the `sequelize`
//! binary runs, and that a project's own binary runs with its models defined
//! ([`main_with`]), for `migration:generate --from-models`.
//!
//! Reads `config/config.json` (environment from `--env` or `NODE_ENV`, default
//! `development`) or `--url`, runs the JSON migrations of `migrations/` (`db:migrate` with
//! `--to`, `--from`, `--name`; `db:migrate:status`; `db:migrate:undo` with `--name`;
//! `db:migrate:undo:all` with `--to`; `db:migrate:resolve` for a migration MySQL left half
//! applied) and the seeders of `seeders/` (`db:seed`, `db:seed:all`, `db:seed:undo`,
//! `db:seed:undo:all`), and records them as sequelize-cli does (`SequelizeMeta`;
//! `migrationStorage`/`seederStorage` from the config), so both CLIs can share one database.

mod generate;
mod introspect;
#[cfg(feature = "js")]
mod js;
mod rc;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use sequelize::migrate::{
    diff_models, load_config, Down, MigrationEvent, MigrationStorage, Migrator, Renames,
    Resolution, Up, DEFAULT_STORAGE_TABLE,
};
use sequelize::query_interface::{self, DatabaseOptions};
use sequelize::{Logging, Options, Sequelize};

#[derive(Parser)]
#[command(name = "sequelize", version, about = "Sequelize CLI for sequelize-rs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Database(DatabaseCommand),
    #[command(flatten)]
    Server(ServerCommand),
    #[command(flatten)]
    Generate(GenerateCommand),
    #[command(flatten)]
    Schema(SchemaCommand),
}

/// The commands that read the database's schema and write code from it.
#[derive(Subcommand)]
enum SchemaCommand {
    /// Write a Rust model for each table of the database (with its associations, enums and
    /// indexes) into the models folder.
    #[command(name = "db:introspect")]
    Introspect {
        #[command(flatten)]
        common: CommonArgs,
        /// Only these tables (comma-separated); default: every table but the migration
        /// storage.
        #[arg(long, value_delimiter = ',')]
        tables: Vec<String>,
        /// Overwrite models that exist.
        #[arg(long)]
        force: bool,
    },
}

/// The commands that connect to the database.
#[derive(Subcommand)]
enum DatabaseCommand {
    /// Run pending migrations.
    #[command(name = "db:migrate")]
    Migrate {
        #[command(flatten)]
        common: CommonArgs,
        /// Migrate up to and including this migration.
        #[arg(long)]
        to: Option<String>,
        /// Migrate the migrations after this one (not this one).
        #[arg(long)]
        from: Option<String>,
        /// Run only this migration.
        #[arg(long)]
        name: Option<String>,
    },
    /// List the status of all migrations.
    #[command(name = "db:migrate:status")]
    Status {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Revert the most recent migration, or the one named.
    #[command(name = "db:migrate:undo")]
    Undo {
        #[command(flatten)]
        common: CommonArgs,
        /// Name of the migration to undo.
        #[arg(long)]
        name: Option<String>,
    },
    /// Revert all migrations ran.
    #[command(name = "db:migrate:undo:all")]
    UndoAll {
        #[command(flatten)]
        common: CommonArgs,
        /// Revert down to and including this migration.
        #[arg(long)]
        to: Option<String>,
    },
    /// Run the given seeders.
    #[command(name = "db:seed")]
    Seed {
        #[command(flatten)]
        common: CommonArgs,
        /// The seeder files to run.
        #[arg(long, num_args = 1.., required = true)]
        seed: Vec<String>,
    },
    /// Run every seeder.
    #[command(name = "db:seed:all")]
    SeedAll {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Undo the given seeders, or the most recent one.
    #[command(name = "db:seed:undo")]
    SeedUndo {
        #[command(flatten)]
        common: CommonArgs,
        /// The seeder files to undo.
        #[arg(long, num_args = 1..)]
        seed: Vec<String>,
    },
    /// Undo every seeder.
    #[command(name = "db:seed:undo:all")]
    SeedUndoAll {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Update the migration table to have timestamps (createdAt, updatedAt).
    #[command(name = "db:migrate:schema:timestamps:add")]
    SchemaTimestampsAdd {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Record what a migration that stopped half way left behind (MySQL, MariaDB).
    #[command(name = "db:migrate:resolve")]
    Resolve {
        #[command(flatten)]
        common: CommonArgs,
        /// The unfinished migration.
        #[arg(long)]
        name: String,
        /// Its changes are in the schema: record it as applied.
        #[arg(
            long,
            conflicts_with = "reverted",
            required_unless_present = "reverted"
        )]
        applied: bool,
        /// Its changes are not in the schema: record it as not applied.
        #[arg(long)]
        reverted: bool,
    },
}

/// The commands that create or drop the database itself.
#[derive(Subcommand)]
enum ServerCommand {
    /// Create the database named by the config.
    #[command(name = "db:create")]
    Create {
        #[command(flatten)]
        common: CommonArgs,
        /// The database's character set (MySQL).
        #[arg(long)]
        charset: Option<String>,
        /// The database's collation (MySQL, PostgreSQL).
        #[arg(long)]
        collate: Option<String>,
        /// The database's encoding (PostgreSQL).
        #[arg(long)]
        encoding: Option<String>,
        /// The database's character classification (PostgreSQL).
        #[arg(long)]
        ctype: Option<String>,
        /// The template database to copy (PostgreSQL).
        #[arg(long)]
        template: Option<String>,
    },
    /// Drop the database named by the config.
    #[command(name = "db:drop")]
    Drop {
        #[command(flatten)]
        common: CommonArgs,
    },
}

/// The commands that write files.
#[derive(Subcommand)]
enum GenerateCommand {
    /// Initialize the project: config, models, migrations and seeders.
    #[command(name = "init")]
    Init {
        #[command(flatten)]
        common: CommonArgs,
        /// Overwrite what exists.
        #[arg(long)]
        force: bool,
    },
    /// Initialize the config file.
    #[command(name = "init:config")]
    InitConfig {
        #[command(flatten)]
        common: CommonArgs,
        /// Overwrite what exists.
        #[arg(long)]
        force: bool,
    },
    /// Initialize the migrations folder.
    #[command(name = "init:migrations")]
    InitMigrations {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Initialize the models folder.
    #[command(name = "init:models")]
    InitModels {
        #[command(flatten)]
        common: CommonArgs,
        /// Overwrite what exists.
        #[arg(long)]
        force: bool,
    },
    /// Initialize the seeders folder.
    #[command(name = "init:seeders")]
    InitSeeders {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Generate a new migration file.
    #[command(name = "migration:generate", alias = "migration:create")]
    MigrationGenerate {
        #[command(flatten)]
        common: CommonArgs,
        /// The name of the migration.
        #[arg(long)]
        name: String,
        /// Write the steps that take the database to the models (those the binary running
        /// this command defines: see `sequelize_cli::main_with`).
        #[arg(long = "from-models")]
        from_models: bool,
        /// A rename for --from-models to make instead of a drop and an add: `old=new` for a
        /// table, `table.old=new` for a column (repeatable).
        #[arg(long, requires = "from_models")]
        rename: Vec<String>,
    },
    /// Generate a new seed file.
    #[command(name = "seed:generate", alias = "seed:create")]
    SeedGenerate {
        #[command(flatten)]
        common: CommonArgs,
        /// The name of the seed.
        #[arg(long)]
        name: String,
    },
    /// Generate a model and its migration.
    #[command(name = "model:generate", alias = "model:create")]
    ModelGenerate {
        #[command(flatten)]
        common: CommonArgs,
        /// The name of the model.
        #[arg(long)]
        name: String,
        /// A list of attributes: `firstName:string,role:enum:{Admin,Guest},tags:array:string`.
        #[arg(long)]
        attributes: String,
        /// Overwrite the model if it exists.
        #[arg(long)]
        force: bool,
        /// Use snake case for the columns and timestamps.
        #[arg(long)]
        underscored: bool,
    },
}

/// The options every command takes; unset ones come from `.sequelizerc` (or the file
/// `--options-path` names), then sequelize-cli's defaults.
#[derive(Args, Clone)]
struct CommonArgs {
    /// The environment to run the command in (default: NODE_ENV, then development).
    #[arg(long, env = "NODE_ENV")]
    env: Option<String>,
    /// The path to the config file (default: config/config.json).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The path to a JSON or JavaScript file with these options (default: .sequelizerc).
    #[arg(long = "options-path")]
    options_path: Option<PathBuf>,
    /// The path to the migrations folder (default: migrations).
    #[arg(long = "migrations-path")]
    migrations_path: Option<PathBuf>,
    /// The path to the seeders folder (default: seeders).
    #[arg(long = "seeders-path")]
    seeders_path: Option<PathBuf>,
    /// The path to the models folder (default: models).
    #[arg(long = "models-path")]
    models_path: Option<PathBuf>,
    /// The database connection string to use instead of the config file.
    #[arg(long)]
    url: Option<String>,
    /// Print every SQL statement as it runs.
    #[arg(long)]
    debug: bool,
}

/// The options of a command, settled.
struct Common {
    env: String,
    config: PathBuf,
    migrations_path: PathBuf,
    seeders_path: PathBuf,
    models_path: PathBuf,
    url: Option<String>,
    debug: bool,
}

impl CommonArgs {
    /// The options given, then those of the rc file, then the defaults.
    fn resolve(&self) -> Result<Common, String> {
        let rc_path = self
            .options_path
            .clone()
            .unwrap_or_else(|| PathBuf::from(".sequelizerc"));
        let settings = match (rc_path.exists(), &self.options_path) {
            (true, _) => rc::read(&rc_path)?,
            (false, Some(path)) => {
                return Err(format!("cannot read {}: no such file", path.display()))
            }
            (false, None) => rc::Settings::new(),
        };
        let path = |given: &Option<PathBuf>, key: &str, default: &str| {
            given
                .clone()
                .or_else(|| settings.get(key).map(PathBuf::from))
                .unwrap_or_else(|| PathBuf::from(default))
        };
        Ok(Common {
            env: self
                .env
                .clone()
                .or_else(|| settings.get("env").cloned())
                .unwrap_or_else(|| "development".to_owned()),
            // As sequelize-cli: `config/config.js` when there is one, else the JSON file.
            config: path(&self.config, "config", default_config()),
            migrations_path: path(&self.migrations_path, "migrations-path", "migrations"),
            seeders_path: path(&self.seeders_path, "seeders-path", "seeders"),
            models_path: path(&self.models_path, "models-path", "models"),
            url: self.url.clone().or_else(|| settings.get("url").cloned()),
            debug: self.debug || settings.get("debug").is_some_and(|d| d == "true"),
        })
    }
}

/// The config file used when none is named: `config/config.js` if it exists (sequelize-cli
/// looks for it first), else `config/config.json`.
fn default_config() -> &'static str {
    match Path::new("config/config.js").is_file() {
        true => "config/config.js",
        false => "config/config.json",
    }
}

/// What a command connects with: the options, and where migrations and seeders are kept.
struct Setup {
    options: Options,
    migrations: MigrationStorage,
    seeders: MigrationStorage,
}

impl Setup {
    /// The tables the migrations and seeders are kept in, which are not the project's.
    fn storage_tables(&self) -> Vec<String> {
        (self.migrations.tables().into_iter())
            .chain(self.seeders.tables())
            .collect()
    }
}

/// The connection options and storages from `--url` or the config file.
fn setup(common: &Common) -> Result<Setup, String> {
    if let Some(url) = &common.url {
        println!("Parsed url {}", redact(url));
        let logging = match common.debug {
            true => Logging::custom(|sql, _| println!("Executing (default): {sql}")),
            false => Logging::Off,
        };
        return Ok(Setup {
            options: Options {
                url: Some(url.clone()),
                logging,
                ..Default::default()
            },
            migrations: MigrationStorage::Table(DEFAULT_STORAGE_TABLE.into()),
            seeders: MigrationStorage::None,
        });
    }
    let config = read_config(&common.config, &common.env)?;
    // Relative to the working directory, as sequelize-cli prints it (an rc file's
    // `path.resolve` gives an absolute path).
    let cwd = std::env::current_dir().unwrap_or_default();
    let shown = common.config.strip_prefix(&cwd).unwrap_or(&common.config);
    println!("Loaded configuration file \"{}\".", shown.display());
    println!("Using environment \"{}\".", common.env);
    let mut options = config.options;
    // SQL logging would interleave with the progress lines; sequelize-cli prints it, but
    // only when `logging` is set, which the config reader maps to standard output.
    if common.debug || matches!(options.logging, Logging::Stdout) {
        options.logging = Logging::custom(|sql, _| println!("Executing (default): {sql}"));
    }
    Ok(Setup {
        options,
        migrations: config.migration_storage,
        seeders: config.seeder_storage,
    })
}

/// The config file's `env` section: `config.json`, or a `config.js` run in the engine
/// (with `process.env`, `path` and `require` of relative files).
fn read_config(path: &Path, env: &str) -> Result<sequelize::migrate::CliConfig, String> {
    let javascript = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("js" | "cjs")
    );
    if javascript {
        #[cfg(feature = "js")]
        {
            let text = js::exported_json(path, js::time_limit()?)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            return sequelize::migrate::parse_config(&text, path, env).map_err(|e| e.to_string());
        }
        #[cfg(not(feature = "js"))]
        return Err(format!(
            "{}: a JavaScript config needs the `js` feature of sequelize-cli",
            path.display()
        ));
    }
    load_config(path, env).map_err(|e| e.to_string())
}

/// The URL with its password replaced, for printing.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:*****{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn print_event(event: &MigrationEvent) {
    match event {
        MigrationEvent::Migrating(name) => println!("== {}: migrating =======", stem(name)),
        MigrationEvent::Migrated(name, took) => {
            println!("== {}: migrated ({:.3}s)\n", stem(name), took.as_secs_f64());
        }
        MigrationEvent::Reverting(name) => println!("== {}: reverting =======", stem(name)),
        MigrationEvent::Reverted(name, took) => {
            println!("== {}: reverted ({:.3}s)\n", stem(name), took.as_secs_f64());
        }
    }
}

/// sequelize-cli prints migration names without their extension.
fn stem(name: &str) -> &str {
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

impl DatabaseCommand {
    fn common(&self) -> &CommonArgs {
        match self {
            DatabaseCommand::Migrate { common, .. }
            | DatabaseCommand::Status { common }
            | DatabaseCommand::Undo { common, .. }
            | DatabaseCommand::UndoAll { common, .. }
            | DatabaseCommand::Seed { common, .. }
            | DatabaseCommand::SeedAll { common }
            | DatabaseCommand::SeedUndo { common, .. }
            | DatabaseCommand::SeedUndoAll { common }
            | DatabaseCommand::SchemaTimestampsAdd { common }
            | DatabaseCommand::Resolve { common, .. } => common,
        }
    }

    fn is_seeding(&self) -> bool {
        matches!(
            self,
            DatabaseCommand::Seed { .. }
                | DatabaseCommand::SeedAll { .. }
                | DatabaseCommand::SeedUndo { .. }
                | DatabaseCommand::SeedUndoAll { .. }
        )
    }
}

impl GenerateCommand {
    fn common(&self) -> &CommonArgs {
        match self {
            GenerateCommand::Init { common, .. }
            | GenerateCommand::InitConfig { common, .. }
            | GenerateCommand::InitMigrations { common }
            | GenerateCommand::InitModels { common, .. }
            | GenerateCommand::InitSeeders { common }
            | GenerateCommand::MigrationGenerate { common, .. }
            | GenerateCommand::SeedGenerate { common, .. }
            | GenerateCommand::ModelGenerate { common, .. } => common,
        }
    }
}

/// Writes what a generator writes.
fn write_files(command: GenerateCommand) -> Result<(), String> {
    let common = command.common().resolve()?;
    let config = |force: bool| -> Result<(), String> {
        generate::write_new(&common.config, generate::CONFIG, force)?;
        println!("Created \"{}\"", common.config.display());
        Ok(())
    };
    let models = |force: bool| -> Result<(), String> {
        generate::write_new(
            &common.models_path.join("mod.rs"),
            generate::MODELS_MOD,
            force,
        )?;
        println!(
            "Successfully created models folder at \"{}\".",
            common.models_path.display()
        );
        Ok(())
    };
    let stamped = |folder: &PathBuf, name: &str| {
        folder.join(format!("{}-{name}.json", generate::timestamp()))
    };
    match command {
        GenerateCommand::Init { force, .. } => {
            config(force)?;
            models(force)?;
            generate::init_folder(&common.migrations_path, "migrations")?;
            generate::init_folder(&common.seeders_path, "seeders")?;
        }
        GenerateCommand::InitConfig { force, .. } => config(force)?,
        GenerateCommand::InitMigrations { .. } => {
            generate::init_folder(&common.migrations_path, "migrations")?;
        }
        GenerateCommand::InitModels { force, .. } => models(force)?,
        GenerateCommand::InitSeeders { .. } => {
            generate::init_folder(&common.seeders_path, "seeders")?
        }
        GenerateCommand::MigrationGenerate { name, .. } => {
            let path = stamped(&common.migrations_path, &name);
            generate::write_new(&path, generate::SKELETON, false)?;
            println!("New migration was created at {} .", path.display());
        }
        GenerateCommand::SeedGenerate { name, .. } => {
            let path = stamped(&common.seeders_path, &name);
            generate::write_new(&path, generate::SKELETON, false)?;
            println!("New seed was created at {} .", path.display());
        }
        GenerateCommand::ModelGenerate {
            name,
            attributes,
            force,
            underscored,
            ..
        } => {
            let attributes = generate::parse_attributes(&attributes)?;
            let module = sequelize::utils::snake_case(&name);
            let model = common.models_path.join(format!("{module}.rs"));
            generate::write_new(
                &model,
                &generate::model_source(&name, &attributes, underscored),
                force,
            )?;
            generate::register_model(&common.models_path, &module)?;
            println!("New model was created at {} .", model.display());
            let migration = stamped(
                &common.migrations_path,
                &format!("create-{}", generate::kebab(&name)),
            );
            generate::write_new(
                &migration,
                &generate::model_migration(&name, &attributes, underscored),
                false,
            )?;
            println!("New migration was created at {} .", migration.display());
        }
    }
    Ok(())
}

async fn run(command: Command, define: &DefineModels<'_>) -> Result<(), String> {
    let command = match command {
        Command::Generate(GenerateCommand::MigrationGenerate {
            common,
            name,
            from_models: true,
            rename,
        }) => return generate_from_models(&common, &name, &rename, define).await,
        Command::Generate(command) => return write_files(command),
        Command::Server(command) => return create_or_drop(command).await,
        Command::Schema(command) => return write_models(command).await,
        Command::Database(command) => command,
    };
    let common = command.common().resolve()?;
    let setup = setup(&common)?;
    let db = Sequelize::new(setup.options).map_err(|e| e.to_string())?;
    let (storage, folder) = match command.is_seeding() {
        true => (setup.seeders, &common.seeders_path),
        false => (setup.migrations, &common.migrations_path),
    };
    let migrator = Migrator::new(&db).storage(storage);
    #[cfg(feature = "js")]
    let migrator = migrator.script_runner(js::JavaScriptRunner::shared(js::time_limit()?));
    let migrator = migrator
        .load_dir(folder)
        .map_err(|e| e.to_string())?
        .on_event(print_event);
    let result = execute(command, &migrator).await;
    db.close().await.map_err(|e| e.to_string())?;
    result
}

/// What `--from-models` says when the binary running it defines no models.
const NO_MODELS: &str = "--from-models compares the database with the models, and this binary \
    defines none: run the command from a binary of your project that defines them, \
    `fn main() -> ExitCode { sequelize_cli::main_with(|db| { db.define::<User>().register()?; \
    Ok(()) }) }` (see the chapter \"Migrations and the CLI\")";

/// Defines a project's models on the instance a command connects (`migration:generate
/// --from-models` compares them with the database): what [`main_with`] takes, boxed.
///
/// ```
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct Tag { id: i64 }
/// let define: &sequelize_cli::DefineModels = &|db| db.define::<Tag>().register().map(drop);
/// let db = Sequelize::new(Options::from_url("sqlite::memory:").unwrap()).unwrap();
/// define(&db).unwrap();
/// assert_eq!(db.model_names(), ["Tag"]);
/// ```
pub type DefineModels<'a> = dyn Fn(&Sequelize) -> sequelize::Result<()> + 'a;

/// `migration:generate --from-models`: the JSON migration from the database to the models
/// `define` defines, written to the migrations folder; nothing when they already match.
async fn generate_from_models(
    common: &CommonArgs,
    name: &str,
    renames: &[String],
    define: &DefineModels<'_>,
) -> Result<(), String> {
    let failed = |e: sequelize::Error| e.to_string();
    let common = common.resolve()?;
    let setup = setup(&common)?;
    let renames = (renames.iter())
        .try_fold(Renames::default(), |all, spec| all.parsed(spec))
        .map_err(failed)?;
    let keep = setup.storage_tables();
    let keep: Vec<&str> = keep.iter().map(String::as_str).collect();
    let db = Sequelize::new(setup.options).map_err(failed)?;
    define(&db).map_err(failed)?;
    if db.model_names().is_empty() {
        return Err(NO_MODELS.to_owned());
    }
    let diff = diff_models(&db, &renames, &keep).await;
    db.close().await.map_err(failed)?;
    let diff = diff.map_err(failed)?;
    for note in &diff.notes {
        println!("Note: {note}");
    }
    if diff.is_empty() {
        println!("No changes: the database matches the models.");
        return Ok(());
    }
    let path = (common.migrations_path).join(format!("{}-{name}.json", generate::timestamp()));
    generate::write_new(&path, &diff.to_json(), false)?;
    println!("New migration was created at {} .", path.display());
    Ok(())
}

/// `db:introspect`: a model per table, written into the models folder and registered in
/// its `mod.rs`.
async fn write_models(command: SchemaCommand) -> Result<(), String> {
    let failed = |e: sequelize::Error| e.to_string();
    let SchemaCommand::Introspect {
        common,
        tables,
        force,
    } = command;
    let common = common.resolve()?;
    let setup = setup(&common)?;
    let storage = setup.storage_tables();
    let db = Sequelize::new(setup.options).map_err(failed)?;
    let read =
        async {
            let qi = db.query_interface();
            let names = match tables.is_empty() {
                true => qi.show_all_tables().await?,
                false => tables,
            };
            let mut schemas = Vec::new();
            for name in names.into_iter().filter(|n| !storage.contains(n)) {
                let schema = qi.table_schema(name.clone()).await?;
                schemas.push(schema.ok_or_else(|| {
                    sequelize::Error::Config(format!("there is no table {name:?}"))
                })?);
            }
            Ok::<_, sequelize::Error>(schemas)
        };
    let schemas = read.await;
    db.close().await.map_err(failed)?;
    let schemas = schemas.map_err(failed)?;
    let mod_rs = common.models_path.join("mod.rs");
    if !mod_rs.exists() {
        generate::write_new(&mod_rs, generate::MODELS_MOD, false)?;
    }
    for (module, source) in introspect::model_sources(&schemas) {
        let path = common.models_path.join(format!("{module}.rs"));
        generate::write_new(&path, &source, force)?;
        generate::register_model(&common.models_path, &module)?;
        println!("New model was created at {} .", path.display());
    }
    Ok(())
}

/// `db:create` and `db:drop`, through a connection to the server without the database.
async fn create_or_drop(command: ServerCommand) -> Result<(), String> {
    let failed = |e: sequelize::Error| e.to_string();
    match command {
        ServerCommand::Create {
            common,
            charset,
            collate,
            encoding,
            ctype,
            template,
        } => {
            let setup = setup(&common.resolve()?)?;
            let settings = DatabaseOptions {
                charset,
                collate,
                encoding,
                ctype,
                template,
            };
            let name = query_interface::create_database(setup.options, &settings)
                .await
                .map_err(failed)?;
            println!("Database {name} created.");
        }
        ServerCommand::Drop { common } => {
            let setup = setup(&common.resolve()?)?;
            let name = query_interface::drop_database(setup.options)
                .await
                .map_err(failed)?;
            println!("Database {name} dropped.");
        }
    }
    Ok(())
}

/// Runs one command with its migrator (of migrations, or of seeders).
async fn execute(command: DatabaseCommand, migrator: &Migrator) -> Result<(), String> {
    let failed = |e: sequelize::Error| e.to_string();
    match command {
        DatabaseCommand::Migrate { to, from, name, .. } => {
            let up = match name {
                Some(name) => Up::all().only(name),
                None => {
                    let up = to.map_or_else(Up::all, |to| Up::all().to(to));
                    from.map_or(up.clone(), |from| up.from(from))
                }
            };
            if migrator.up_with(up).await.map_err(failed)?.is_empty() {
                println!("No migrations were executed, database schema was already up to date.");
            }
        }
        DatabaseCommand::Status { .. } => {
            for (name, applied) in migrator.status().await.map_err(failed)? {
                println!("{} {name}", if applied { "up" } else { "down" });
            }
        }
        DatabaseCommand::Undo { name, .. } => {
            let down = name.map_or_else(Down::last, |name| Down::last().only(name));
            if migrator.down_with(down).await.map_err(failed)?.is_empty() {
                println!("No executed migrations found.");
            }
        }
        DatabaseCommand::UndoAll { to, .. } => {
            let down = to.map_or_else(Down::all, |to| Down::all().to(to));
            if migrator.down_with(down).await.map_err(failed)?.is_empty() {
                println!("No executed migrations found.");
            }
        }
        DatabaseCommand::Seed { seed, .. } => {
            let up = seed.into_iter().fold(Up::all(), Up::only);
            migrator.up_with(up).await.map_err(failed)?;
        }
        DatabaseCommand::SeedAll { .. } => {
            migrator.up().await.map_err(failed)?;
        }
        DatabaseCommand::SeedUndo { seed, .. } => {
            let down = seed.into_iter().fold(Down::last(), Down::only);
            if migrator.down_with(down).await.map_err(failed)?.is_empty() {
                println!("No seeders found.");
            }
        }
        DatabaseCommand::SeedUndoAll { .. } => {
            if migrator
                .down_with(Down::all())
                .await
                .map_err(failed)?
                .is_empty()
            {
                println!("No seeders found.");
            }
        }
        DatabaseCommand::SchemaTimestampsAdd { .. } => {
            match migrator.add_timestamps().await.map_err(failed)? {
                true => println!("Successfully added timestamps to MetaTable."),
                false => println!("MetaTable already has timestamps."),
            }
        }
        DatabaseCommand::Resolve { name, applied, .. } => {
            let resolution = match applied {
                true => Resolution::Applied,
                false => Resolution::Reverted,
            };
            migrator.resolve(&name, resolution).await.map_err(failed)?;
            println!(
                "== {}: resolved as {}",
                stem(&name),
                if applied { "applied" } else { "reverted" }
            );
        }
    }
    Ok(())
}

/// Runs the command of the process's arguments, with the models `define` defines: what a
/// project's own `sequelize` binary calls, so that `migration:generate --from-models` sees its
/// models (the `sequelize` binary itself defines none).
///
/// ```no_run
/// use sequelize::prelude::*;
/// #[derive(Model, Clone, Debug)]
/// struct User { id: i64, email: String }
/// fn main() -> std::process::ExitCode {
///     sequelize_cli::main_with(|db| {
///         db.define::<User>().register()?;
///         Ok(())
///     })
/// }
/// ```
pub fn main_with(define: impl Fn(&Sequelize) -> sequelize::Result<()>) -> ExitCode {
    run_with(std::env::args_os(), define)
}

/// [`main_with`] on the arguments given (the first is the program's name), as a test runs
/// the command.
///
/// ```
/// use std::process::ExitCode;
/// let dir = std::env::temp_dir().join(format!("sequelize-cli-doc-{}", std::process::id()));
/// let migrations = dir.join("migrations");
/// let args = ["sequelize", "migration:generate", "--name", "first", "--migrations-path", migrations.to_str().unwrap()];
/// assert_eq!(sequelize_cli::run_with(args, |_| Ok(())), ExitCode::SUCCESS);
/// assert_eq!(std::fs::read_dir(&migrations).unwrap().count(), 1);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn run_with<I, T>(args: I, define: impl Fn(&Sequelize) -> sequelize::Result<()>) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.use_stderr() {
                true => ExitCode::FAILURE,
                false => ExitCode::SUCCESS,
            };
        }
    };
    println!(
        "\nSequelize CLI [sequelize-rs {}]\n",
        env!("CARGO_PKG_VERSION")
    );
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(run(cli.command, &define)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

/// Prints an error as sequelize-cli does, in red on a terminal (unless `NO_COLOR` is set),
/// and gives the failing exit code.
fn fail(message: &str) -> ExitCode {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match colour {
        true => eprintln!("\n\x1b[31mERROR:\x1b[39m {message}"),
        false => eprintln!("\nERROR: {message}"),
    }
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact("postgres://bob:secret@db:5432/app"),
            "postgres://bob:*****@db:5432/app"
        );
        assert_eq!(redact("sqlite::memory:"), "sqlite::memory:");
    }

    #[test]
    fn names_print_without_extension() {
        assert_eq!(
            stem("20240101000000-create-users.json"),
            "20240101000000-create-users"
        );
    }
}
