//! `sequelize`: sequelize-cli's commands for sequelize-rs.
//!
//! Reads `config/config.json` (environment from `--env` or `NODE_ENV`, default
//! `development`) or `--url`, runs the JSON migrations of `migrations/`, and records them in
//! `SequelizeMeta` exactly as sequelize-cli does, so both CLIs can share one database.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use sequelize::migrate::{load_config, MigrationEvent, Migrator, DEFAULT_STORAGE_TABLE};
use sequelize::{Logging, Options, Sequelize};

#[derive(Parser)]
#[command(name = "sequelize", version, about = "Sequelize CLI for sequelize-rs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run pending migrations.
    #[command(name = "db:migrate")]
    Migrate {
        #[command(flatten)]
        common: Common,
        /// Migrate up to and including this migration.
        #[arg(long)]
        to: Option<String>,
    },
    /// List the status of all migrations.
    #[command(name = "db:migrate:status")]
    Status {
        #[command(flatten)]
        common: Common,
    },
    /// Revert the most recent migration, or the one named.
    #[command(name = "db:migrate:undo")]
    Undo {
        #[command(flatten)]
        common: Common,
        /// Name of the migration to undo.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Args)]
struct Common {
    /// The environment to run the command in (default: NODE_ENV, then development).
    #[arg(long, env = "NODE_ENV", default_value = "development")]
    env: String,
    /// The path to the config file.
    #[arg(long, default_value = "config/config.json")]
    config: PathBuf,
    /// The path to the migrations folder.
    #[arg(long = "migrations-path", default_value = "migrations")]
    migrations_path: PathBuf,
    /// The database connection string to use instead of the config file.
    #[arg(long)]
    url: Option<String>,
}

/// Connection options and storage table from `--url` or the config file.
fn connect_options(common: &Common) -> Result<(Options, String), String> {
    if let Some(url) = &common.url {
        println!("Parsed url {}", redact(url));
        let options = Options {
            url: Some(url.clone()),
            logging: Logging::Off,
            ..Default::default()
        };
        return Ok((options, DEFAULT_STORAGE_TABLE.to_owned()));
    }
    let config = load_config(&common.config, &common.env).map_err(|e| e.to_string())?;
    println!("Loaded configuration file \"{}\".", common.config.display());
    println!("Using environment \"{}\".", common.env);
    let mut options = config.options;
    // SQL logging would interleave with the progress lines; sequelize-cli prints it, but
    // only when `logging` is set, which the config reader maps to standard output.
    if matches!(options.logging, Logging::Stdout) {
        options.logging = Logging::custom(|sql, _| println!("Executing (default): {sql}"));
    }
    Ok((options, config.migration_storage_table))
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

async fn run(command: Command) -> Result<(), String> {
    let common = match &command {
        Command::Migrate { common, .. }
        | Command::Status { common }
        | Command::Undo { common, .. } => common,
    };
    let (options, storage) = connect_options(common)?;
    let db = Sequelize::new(options).map_err(|e| e.to_string())?;
    let migrator = Migrator::new(&db)
        .storage_table(storage)
        .load_dir(&common.migrations_path)
        .map_err(|e| e.to_string())?
        .on_event(print_event);
    let result = match command {
        Command::Migrate { to, .. } => {
            let applied = migrator
                .up(to.as_deref())
                .await
                .map_err(|e| e.to_string())?;
            if applied.is_empty() {
                println!("No migrations were executed, database schema was already up to date.");
            }
            Ok(())
        }
        Command::Status { .. } => {
            for (name, applied) in migrator.status().await.map_err(|e| e.to_string())? {
                println!("{} {name}", if applied { "up" } else { "down" });
            }
            Ok(())
        }
        Command::Undo { name, .. } => {
            if migrator
                .undo(name.as_deref())
                .await
                .map_err(|e| e.to_string())?
                .is_none()
            {
                println!("No executed migrations found.");
            }
            Ok(())
        }
    };
    db.close().await.map_err(|e| e.to_string())?;
    result
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    println!(
        "\nSequelize CLI [sequelize-rs {}]\n",
        env!("CARGO_PKG_VERSION")
    );
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ERROR: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nERROR: {message}");
            ExitCode::FAILURE
        }
    }
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
