//! The `sequelize` binary end to end, on every dialect: config/config.json (environment from
//! NODE_ENV or --env, `use_env_variable`) or --url, db:migrate, db:migrate:status,
//! db:migrate:undo, one line per migration, and a non-zero exit with a clear message on
//! failure.

#[path = "../../sequelize/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{dialects, isolated_options};

const CREATE: &str = r#"{ "up": [ { "createTable": "users", "attributes": {
    "id": { "type": "INTEGER", "primaryKey": true, "autoIncrement": true },
    "email": { "type": "STRING", "allowNull": false } } } ],
  "down": [ { "dropTable": "users" } ] }"#;
const ADD: &str = r#"{ "up": [ { "addColumn": "users", "column": "nickname", "attribute": { "type": "STRING(64)" } } ],
  "down": [ { "removeColumn": "users", "column": "nickname" } ] }"#;
const BROKEN: &str = r#"{ "up": [ { "sql": "THIS IS NOT SQL" } ], "down": [] }"#;

/// A project folder: config/config.json reading its URL from DATABASE_URL, and migrations.
fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sequelize-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("config")).unwrap();
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::write(
        dir.join("config/config.json"),
        r#"{ "development": { "dialect": "sqlite", "storage": ":memory:" },
             "test": { "use_env_variable": "DATABASE_URL", "logging": false } }"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("migrations/20240101000000-create-users.json"),
        CREATE,
    )
    .unwrap();
    std::fs::write(dir.join("migrations/20240102000000-add-nickname.json"), ADD).unwrap();
    dir
}

fn sequelize(dir: &Path, url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sequelize"))
        .args(args)
        .current_dir(dir)
        .env("NODE_ENV", "test")
        .env("DATABASE_URL", url)
        .output()
        .expect("run the sequelize binary")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn migrate_status_undo_on_every_dialect() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let url = isolated_options(dialect, "cli", true)
            .await
            .url
            .expect("the harness gives a URL");
        let dir = project(dialect);

        let out = sequelize(&dir, &url, &["db:migrate"]);
        let text = stdout(&out);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("Using environment \"test\"."), "{text}");
        assert!(
            text.contains("== 20240101000000-create-users: migrating ======="),
            "{text}"
        );
        assert!(
            text.contains("== 20240101000000-create-users: migrated ("),
            "{text}"
        );
        assert!(
            text.contains("== 20240102000000-add-nickname: migrated ("),
            "{text}"
        );

        let out = sequelize(&dir, &url, &["db:migrate"]);
        assert!(stdout(&out).contains("No migrations were executed"));

        let out = sequelize(&dir, &url, &["db:migrate:status"]);
        let text = stdout(&out);
        assert!(
            text.contains("up 20240101000000-create-users.json"),
            "{text}"
        );
        assert!(
            text.contains("up 20240102000000-add-nickname.json"),
            "{text}"
        );

        let out = sequelize(&dir, &url, &["db:migrate:undo"]);
        assert!(out.status.success());
        assert!(stdout(&out).contains("== 20240102000000-add-nickname: reverted ("));
        let out = sequelize(&dir, &url, &["db:migrate:status"]);
        assert!(stdout(&out).contains("down 20240102000000-add-nickname.json"));

        let out = sequelize(
            &dir,
            &url,
            &[
                "db:migrate:undo",
                "--name",
                "20240101000000-create-users.json",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        // --url instead of the config file, and --to.
        let out = sequelize(
            &dir,
            "unused",
            &[
                "db:migrate",
                "--url",
                &url,
                "--to",
                "20240101000000-create-users.json",
            ],
        );
        let text = stdout(&out);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("create-users: migrated") && !text.contains("add-nickname"));

        // A failing migration: non-zero exit, a message naming the file, no meta row.
        std::fs::write(dir.join("migrations/20240103000000-broken.json"), BROKEN).unwrap();
        let out = sequelize(&dir, &url, &["db:migrate"]);
        assert!(!out.status.success());
        let errors = String::from_utf8_lossy(&out.stderr);
        assert!(
            errors.contains("ERROR: migration 20240103000000-broken.json: up step 1"),
            "{errors}"
        );
        let out = sequelize(&dir, &url, &["db:migrate:status"]);
        assert!(stdout(&out).contains("down 20240103000000-broken.json"));
    }
}

#[test]
fn configuration_errors_exit_non_zero_with_a_message() {
    let dir = project("config-errors");
    let out = Command::new(env!("CARGO_BIN_EXE_sequelize"))
        .args(["db:migrate", "--env", "production"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(errors.contains("no environment \"production\""), "{errors}");

    let out = Command::new(env!("CARGO_BIN_EXE_sequelize"))
        .args(["db:migrate", "--env", "test"])
        .current_dir(&dir)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"));

    let out = Command::new(env!("CARGO_BIN_EXE_sequelize"))
        .args(["db:migrate", "--url", "postgres://nobody@127.0.0.1:1/none"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("connection refused"));
}
