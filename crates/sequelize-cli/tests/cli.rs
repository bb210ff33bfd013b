//! The `sequelize` binary end to end, on every dialect: config/config.json (environment from
//! NODE_ENV or --env, `use_env_variable`) or --url, db:migrate, db:migrate:status,
//! db:migrate:undo, one line per migration, and a non-zero exit with a clear message on
//! failure.

mod binary;
#[path = "../../sequelize/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use binary::stdout;

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

/// Runs the binary in the test environment of `config/config.json`, on `url`.
fn sequelize(dir: &Path, url: &str, args: &[&str]) -> Output {
    binary::run(dir, args, &[("NODE_ENV", "test"), ("DATABASE_URL", url)])
}

/// Runs the binary, asserts it succeeded, and returns what it printed.
fn succeed(dir: &Path, url: &str, args: &[&str]) -> String {
    binary::succeed(dir, args, &[("NODE_ENV", "test"), ("DATABASE_URL", url)])
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
    let out = binary::run(&dir, &["db:migrate", "--env", "production"], &[]);
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

    let out = binary::run(
        &dir,
        &["db:migrate", "--url", "postgres://nobody@127.0.0.1:1/none"],
        &[],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("connection refused"));
}

/// A migration that adds one user, to count how often it ran.
fn add_user(email: &str) -> String {
    format!(
        r#"{{ "up": [ {{ "bulkInsert": "users", "records": [ {{ "email": "{email}" }} ] }} ],
             "down": [ {{ "sql": "DELETE FROM users" }} ] }}"#
    )
}

/// The same, taking a fifth of a second first, so that concurrent runs overlap.
fn add_user_slowly(email: &str) -> String {
    format!(
        r#"{{ "up": [
             {{ "sql": "SELECT pg_sleep(0.2)::text", "dialects": ["postgres"] }},
             {{ "sql": "SELECT SLEEP(0.2)", "dialects": ["mysql", "mariadb"] }},
             {{ "sql": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000) SELECT COUNT(*) FROM c", "dialects": ["sqlite"] }},
             {{ "bulkInsert": "users", "records": [ {{ "email": "{email}" }} ] }} ],
           "down": [ {{ "sql": "DELETE FROM users" }} ] }}"#
    )
}

#[tokio::test]
async fn five_concurrent_migrators_apply_each_migration_once() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let url = isolated_options(dialect, "cli_concurrent", true)
            .await
            .url
            .expect("the harness gives a URL");
        let dir = project(&format!("concurrent-{dialect}"));
        for n in 3..=6 {
            std::fs::write(
                dir.join(format!("migrations/2024010{n}000000-add-user.json")),
                add_user_slowly(&format!("user{n}@example.com")),
            )
            .unwrap();
        }
        let runs: Vec<_> = (0..5)
            .map(|_| {
                Command::new(env!("CARGO_BIN_EXE_sequelize"))
                    .arg("db:migrate")
                    .current_dir(&dir)
                    .env("NODE_ENV", "test")
                    .env("DATABASE_URL", &url)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("start the sequelize binary")
            })
            .collect();
        let mut printed = String::new();
        for run in runs {
            let out = run.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{}{}",
                stdout(&out),
                String::from_utf8_lossy(&out.stderr)
            );
            printed.push_str(&stdout(&out));
        }
        // Six migrations, each migrated by exactly one of the five.
        for n in 1..=6 {
            let prefix = format!("== 2024010{n}000000-");
            let migrated = printed
                .lines()
                .filter(|l| l.starts_with(&prefix) && l.contains(": migrated ("))
                .count();
            assert_eq!(migrated, 1, "migration {n}:\n{printed}");
        }
        use sequelize::Executor;
        let db = sequelize::Sequelize::connect(&url).await.unwrap();
        let users = db
            .query("SELECT COUNT(*) AS n FROM users")
            .plain()
            .await
            .unwrap()
            .unwrap()
            .get::<i64>("n")
            .unwrap();
        assert_eq!(users, 4, "each add-user migration inserted once");
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn migrate_flags_undo_all_and_javascript_migrations() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let url = isolated_options(dialect, "cli_flags", true)
            .await
            .url
            .expect("the harness gives a URL");
        let dir = project(&format!("flags-{dialect}"));
        std::fs::write(
            dir.join("migrations/20240103000000-add-user.json"),
            add_user("c@example.com"),
        )
        .unwrap();
        let run = |args: &[&str]| succeed(&dir, &url, args);
        let text = run(&["db:migrate", "--name", "20240101000000-create-users.json"]);
        assert!(text.contains("create-users: migrated") && !text.contains("add-nickname"));
        let text = run(&["db:migrate", "--from", "20240102000000-add-nickname.json"]);
        assert!(
            text.contains("add-user: migrated") && !text.contains("add-nickname"),
            "{text}"
        );
        let text = run(&["db:migrate:status"]);
        assert!(
            text.contains("down 20240102000000-add-nickname.json"),
            "{text}"
        );
        run(&["db:migrate"]);
        let text = run(&[
            "db:migrate:undo:all",
            "--to",
            "20240102000000-add-nickname.json",
        ]);
        assert!(
            text.contains("add-user: reverted") && text.contains("add-nickname: reverted"),
            "{text}"
        );
        assert!(!text.contains("create-users: reverted"), "{text}");
        let text = run(&["db:migrate:undo:all"]);
        assert!(text.contains("create-users: reverted"), "{text}");
        let text = run(&["db:migrate:undo:all"]);
        assert!(text.contains("No executed migrations found."), "{text}");

        // A pending TypeScript migration stops the run, by name (JavaScript ones run:
        // tests/javascript.rs).
        std::fs::write(
            dir.join("migrations/20240104000000-legacy.ts"),
            "export async function up() {}\nexport async function down() {}\n",
        )
        .unwrap();
        let out = sequelize(&dir, &url, &["db:migrate"]);
        assert!(!out.status.success());
        let errors = String::from_utf8_lossy(&out.stderr);
        assert!(
            errors.contains("20240104000000-legacy.ts") && errors.contains("TypeScript"),
            "{errors}"
        );
        let text = run(&["db:migrate:status"]);
        assert!(text.contains("down 20240104000000-legacy.ts"), "{text}");
    }
}

/// A seeder adding one user and removing it again.
fn seed_user(email: &str) -> String {
    format!(
        r#"{{ "up": [ {{ "bulkInsert": "users", "records": [ {{ "email": "{email}" }} ] }} ],
             "down": [ {{ "bulkDelete": "users", "where": {{ "email": "{email}" }} }} ] }}"#
    )
}

async fn emails(url: &str) -> Vec<String> {
    use sequelize::Executor;
    let db = sequelize::Sequelize::connect(url).await.unwrap();
    let emails = db
        .query("SELECT email FROM users ORDER BY email")
        .all()
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String>("email").unwrap())
        .collect();
    db.close().await.unwrap();
    emails
}

#[tokio::test]
async fn seeders_run_every_time_unless_a_storage_keeps_them() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let url = isolated_options(dialect, "cli_seed", true)
            .await
            .url
            .expect("the harness gives a URL");
        let dir = project(&format!("seed-{dialect}"));
        std::fs::write(
            dir.join("config/config.json"),
            r#"{ "test": { "use_env_variable": "DATABASE_URL", "logging": false },
                 "kept": { "use_env_variable": "DATABASE_URL", "logging": false,
                           "seederStorage": "sequelize" } }"#,
        )
        .unwrap();
        std::fs::create_dir_all(dir.join("seeders")).unwrap();
        std::fs::write(
            dir.join("seeders/20240201000000-a.json"),
            seed_user("a@example.com"),
        )
        .unwrap();
        std::fs::write(
            dir.join("seeders/20240202000000-b.json"),
            seed_user("b@example.com"),
        )
        .unwrap();
        let run = |args: &[&str]| succeed(&dir, &url, args);
        run(&["db:migrate", "--to", "20240101000000-create-users.json"]);
        let text = run(&["db:seed:all"]);
        assert!(
            text.contains("== 20240201000000-a: migrating")
                && text.contains("== 20240202000000-b: migrated"),
            "{text}"
        );
        assert_eq!(emails(&url).await, ["a@example.com", "b@example.com"]);
        run(&["db:seed:undo"]);
        assert_eq!(emails(&url).await, ["a@example.com"]);
        run(&["db:seed", "--seed", "20240202000000-b.json"]);
        assert_eq!(emails(&url).await, ["a@example.com", "b@example.com"]);
        run(&["db:seed:undo:all"]);
        assert!(emails(&url).await.is_empty());

        // `seederStorage: "sequelize"`: SequelizeData keeps them, so they seed once.
        run(&["db:seed:all", "--env", "kept"]);
        let text = run(&["db:seed:all", "--env", "kept"]);
        assert!(!text.contains("migrating"), "{text}");
        assert_eq!(emails(&url).await, ["a@example.com", "b@example.com"]);
        run(&[
            "db:seed:undo",
            "--env",
            "kept",
            "--seed",
            "20240201000000-a.json",
        ]);
        assert_eq!(emails(&url).await, ["b@example.com"]);
        let text = run(&["db:seed:undo:all", "--env", "kept"]);
        assert!(text.contains("20240202000000-b: reverted"), "{text}");
        let text = run(&["db:seed:undo:all", "--env", "kept"]);
        assert!(text.contains("No seeders found."), "{text}");
    }
}

/// The model `model:generate` writes for the attributes of the test below, compiled here
/// and used on every dialect (the generator's output must equal this file).
#[path = "golden/user.rs"]
mod generated_user;

const GENERATED_ATTRIBUTES: &str = "firstName:string,role:enum:{admin,guest},age:integer";

#[tokio::test]
async fn generators_write_what_sequelize_cli_writes() {
    let dir = std::env::temp_dir().join(format!("sequelize-cli-generate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sequelize"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let out = run(&["init"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("Created \"config/config.json\""), "{text}");
    assert!(
        text.contains("Successfully created migrations folder at \"migrations\"."),
        "{text}"
    );
    assert!(dir.join("seeders").is_dir() && dir.join("models/mod.rs").is_file());
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config/config.json")).unwrap())
            .unwrap();
    assert_eq!(config["development"]["database"], "database_development");

    // Nothing is overwritten without --force.
    let out = run(&["init:config"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "The file config/config.json already exists. Run command with --force to overwrite it."
    ));
    assert!(run(&["init:config", "--force"]).status.success());
    assert!(stdout(&run(&["init:migrations"]))
        .contains("migrations folder at \"migrations\" already exists."));

    let out = run(&["migration:generate", "--name", "add-nickname"]);
    let text = stdout(&out);
    let created = |folder: &str, suffix: &str| -> Vec<String> {
        std::fs::read_dir(dir.join(folder))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(suffix))
            .collect()
    };
    let migrations = created("migrations", "-add-nickname.json");
    assert_eq!(migrations.len(), 1, "{text}");
    assert!(
        migrations[0].len() == "20240101000000-add-nickname.json".len()
            && migrations[0][..14].bytes().all(|b| b.is_ascii_digit())
    );
    assert!(
        text.contains(&format!(
            "New migration was created at migrations/{} .",
            migrations[0]
        )),
        "{text}"
    );
    let skeleton = std::fs::read_to_string(dir.join("migrations").join(&migrations[0])).unwrap();
    let parsed = sequelize::migrate::JsonMigration::parse("skeleton.json", &skeleton).unwrap();
    assert!(parsed.up.is_empty() && parsed.down.is_empty());
    let out = run(&["seed:generate", "--name", "demo-users"]);
    assert!(stdout(&out).contains("New seed was created at seeders/"));
    assert_eq!(created("seeders", "-demo-users.json").len(), 1);

    let out = run(&[
        "model:generate",
        "--name",
        "User",
        "--attributes",
        GENERATED_ATTRIBUTES,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).contains("New model was created at models/user.rs ."));
    assert_eq!(
        std::fs::read_to_string(dir.join("models/user.rs")).unwrap(),
        include_str!("golden/user.rs")
    );
    assert!(std::fs::read_to_string(dir.join("models/mod.rs"))
        .unwrap()
        .contains("pub mod user;"));
    let create = created("migrations", "-create-user.json");
    assert_eq!(
        std::fs::read_to_string(dir.join("migrations").join(&create[0])).unwrap(),
        include_str!("golden/create-user.json")
    );
    let out = run(&[
        "model:generate",
        "--name",
        "User",
        "--attributes",
        "age:integer",
    ]);
    assert!(!out.status.success(), "the model exists");
    let out = run(&[
        "model:generate",
        "--name",
        "Pet",
        "--attributes",
        "age:numbr",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Unknown type 'numbr'"));

    // The generated migration and model work together on every dialect.
    std::fs::remove_file(dir.join("migrations").join(&migrations[0])).unwrap();
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let url = isolated_options(dialect, "cli_generated", true)
            .await
            .url
            .expect("the harness gives a URL");
        let out = run(&["db:migrate", "--url", &url]);
        assert!(
            out.status.success(),
            "{}{}",
            stdout(&out),
            String::from_utf8_lossy(&out.stderr)
        );
        use generated_user::User;
        use sequelize::Model as _;
        let db = sequelize::Sequelize::connect(&url).await.unwrap();
        db.define::<User>().register().unwrap();
        let ann = User::create(User {
            first_name: Some("Ann".into()),
            role: Some("guest".into()),
            age: Some(31),
            ..Default::default()
        })
        .exec(&db)
        .await
        .unwrap();
        assert!(ann.id > 0);
        let found = User::find_all().exec(&db).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].first_name.as_deref(), Some("Ann"));
        assert_eq!(found[0].role.as_deref(), Some("guest"));
        let refused = User::create(User {
            role: Some("owner".into()),
            ..Default::default()
        })
        .exec(&db)
        .await;
        assert!(refused.is_err(), "the enum's values are checked");
        db.close().await.unwrap();
        let out = run(&["db:migrate:undo", "--url", &url]);
        assert!(out.status.success());
    }
}

#[tokio::test]
async fn sequelizerc_paths_are_read() {
    let url = isolated_options("sqlite", "cli_rc", true)
        .await
        .url
        .expect("the harness gives a URL");
    let dir = project("rc");
    std::fs::create_dir_all(dir.join("db")).unwrap();
    std::fs::rename(dir.join("migrations"), dir.join("db/migrate")).unwrap();
    std::fs::rename(dir.join("config/config.json"), dir.join("db/database.json")).unwrap();
    std::fs::write(
        dir.join(".sequelizerc"),
        r#"const path = require('path');
module.exports = {
  'config': path.resolve('db', 'database.json'),
  'migrations-path': path.resolve(__dirname, 'db', 'migrate'),
};
"#,
    )
    .unwrap();
    let out = sequelize(&dir, &url, &["db:migrate", "--debug"]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Loaded configuration file \"db/database.json\"."),
        "{text}"
    );
    assert!(text.contains("create-users: migrated"), "{text}");
    assert!(
        text.contains("Executing (default): CREATE TABLE"),
        "--debug prints SQL: {text}"
    );
    // A flag wins over the rc file; an rc file that fails is an error saying why.
    let out = sequelize(
        &dir,
        &url,
        &["db:migrate:status", "--migrations-path", "nowhere"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere"));
    std::fs::write(
        dir.join(".sequelizerc"),
        "module.exports = { config: require('./x') };",
    )
    .unwrap();
    let out = sequelize(&dir, &url, &["db:migrate:status"]);
    assert!(!out.status.success());
    let errors = String::from_utf8_lossy(&out.stderr);
    assert!(
        errors.contains(".sequelizerc") && errors.contains("require('./x')"),
        "{errors}"
    );
}

// Multi-threaded: the connections' tasks must run while the test waits for the binary.
#[tokio::test(flavor = "multi_thread")]
async fn databases_are_created_and_dropped() {
    use sequelize::Executor;
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let dir = project(&format!("create-{dialect}"));
        let name = format!("sequelize_cli_created_{dialect}_{}", std::process::id());
        let url = match dialect {
            "sqlite" => {
                let out = sequelize(&dir, "sqlite://created.sqlite", &["db:create"]);
                assert!(!out.status.success());
                let errors = String::from_utf8_lossy(&out.stderr);
                assert!(
                    errors.contains("sqlite") && errors.contains("file"),
                    "{errors}"
                );
                continue;
            }
            "postgres" => common::postgres_base(),
            _ => common::mysql_base().replacen("mysql://", &format!("{dialect}://"), 1),
        };
        let url = format!("{}/{name}", url.rsplit_once('/').unwrap().0);
        let run = |args: &[&str]| sequelize(&dir, &url, args);
        assert!(run(&["db:drop"]).status.success());
        let out = run(&["db:create"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout(&out).contains(&format!("Database {name} created.")));
        let db = sequelize::Sequelize::connect(&url).await.unwrap();
        db.query("SELECT 1").exec().await.unwrap();
        db.close().await.unwrap();
        let again = run(&["db:create"]);
        if dialect == "postgres" {
            assert!(
                !again.status.success(),
                "PostgreSQL refuses an existing database"
            );
            let out = run(&["db:drop"]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let out = run(&["db:create", "--charset", "utf8"]);
            assert!(String::from_utf8_lossy(&out.stderr).contains("`charset`"));
            let out = run(&["db:create", "--template", "template0", "--encoding", "UTF8"]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        } else {
            assert!(
                again.status.success(),
                "MySQL creates it only if it does not exist"
            );
            assert!(run(&["db:drop"]).status.success());
            let out = run(&[
                "db:create",
                "--charset",
                "utf8mb4",
                "--collate",
                "utf8mb4_bin",
            ]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let admin = sequelize::Sequelize::connect(&common::mysql_base())
                .await
                .unwrap();
            let row = admin
                .query(sequelize::AssertSqlSafe(format!(
                    "SELECT DEFAULT_COLLATION_NAME AS c FROM information_schema.SCHEMATA \
                     WHERE SCHEMA_NAME = '{name}'"
                )))
                .plain()
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.get::<String>("c").unwrap(), "utf8mb4_bin");
            admin.close().await.unwrap();
            let out = run(&["db:create", "--template", "template0"]);
            assert!(String::from_utf8_lossy(&out.stderr).contains("`template`"));
        }
        let out = run(&["db:drop"]);
        assert!(out.status.success());
        assert!(stdout(&out).contains(&format!("Database {name} dropped.")));
        assert!(
            sequelize::Sequelize::connect(&url).await.is_err(),
            "the database is gone"
        );
    }
}

/// `db:migrate:schema:timestamps:add`: `SequelizeMeta` gets `createdAt` and `updatedAt` (the
/// old table kept as `SequelizeMetaBackup`), and each migration recorded afterwards is
/// stamped; `migrationStorageTableSchema` puts the table in another schema.
#[tokio::test]
async fn the_migration_table_takes_timestamps_and_a_schema() {
    use sequelize::Executor;
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let url = isolated_options(dialect, "cli_meta", true)
            .await
            .url
            .expect("the harness gives a URL");
        let dir = project(&format!("meta-{dialect}"));
        let run = |args: &[&str]| succeed(&dir, &url, args);
        run(&["db:migrate", "--to", "20240101000000-create-users.json"]);
        let text = run(&["db:migrate:schema:timestamps:add"]);
        assert!(
            text.contains("Successfully added timestamps to MetaTable."),
            "{text}"
        );
        let text = run(&["db:migrate:schema:timestamps:add"]);
        assert!(text.contains("MetaTable already has timestamps."), "{text}");
        run(&["db:migrate"]);
        let db = sequelize::Sequelize::connect(&url).await.unwrap();
        let rows = db
            .query(r#"SELECT name FROM "SequelizeMeta" WHERE "createdAt" IS NOT NULL AND "updatedAt" IS NOT NULL ORDER BY name"#)
            .all()
            .await;
        let rows = match rows {
            Ok(rows) => rows,
            // MySQL quotes with backquotes.
            Err(_) => db
                .query("SELECT name FROM `SequelizeMeta` WHERE `createdAt` IS NOT NULL AND `updatedAt` IS NOT NULL ORDER BY name")
                .all()
                .await
                .unwrap(),
        };
        let names: Vec<String> = rows.iter().map(|r| r.get("name").unwrap()).collect();
        assert_eq!(
            names,
            [
                "20240101000000-create-users.json",
                "20240102000000-add-nickname.json"
            ]
        );
        let tables = db.query_interface().show_all_tables().await.unwrap();
        assert!(
            tables.iter().any(|t| t == "SequelizeMetaBackup"),
            "{tables:?}"
        );
        let text = run(&["db:migrate:undo"]);
        assert!(
            text.contains("20240102000000-add-nickname: reverted"),
            "{text}"
        );
        let text = run(&["db:migrate:status"]);
        assert!(
            text.contains("down 20240102000000-add-nickname.json"),
            "{text}"
        );

        // The table in a schema of its own (on SQLite, a prefix of its name).
        let schema = match dialect {
            "sqlite" => "main".to_owned(),
            _ => format!("t_meta_schema_{dialect}"),
        };
        if dialect != "sqlite" {
            db.query_interface().drop_schema(&schema).await.unwrap();
            db.query_interface().create_schema(&schema).await.unwrap();
        }
        db.close().await.unwrap();
        let elsewhere = project(&format!("meta-schema-{dialect}"));
        std::fs::write(
            elsewhere.join("config/config.json"),
            format!(
                r#"{{ "test": {{ "use_env_variable": "DATABASE_URL", "logging": false,
                     "migrationStorageTableName": "history", "migrationStorageTableSchema": "{schema}" }} }}"#
            ),
        )
        .unwrap();
        std::fs::remove_file(elsewhere.join("migrations/20240101000000-create-users.json"))
            .unwrap();
        std::fs::remove_file(elsewhere.join("migrations/20240102000000-add-nickname.json"))
            .unwrap();
        std::fs::write(elsewhere.join("migrations/20240301000000-tags.json"), r#"{ "up": [ { "createTable": "tags", "attributes": { "id": "INTEGER" } } ], "down": [ { "dropTable": "tags" } ] }"#).unwrap();
        let text = succeed(&elsewhere, &url, &["db:migrate"]);
        assert!(text.contains("20240301000000-tags: migrated"), "{text}");
        let db = sequelize::Sequelize::connect(&url).await.unwrap();
        let sql = match dialect {
            "postgres" => format!("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = '{schema}'"),
            // SQLite has no schemas: as in Sequelize, the schema prefixes the table's name.
            "sqlite" => "SELECT replace(name, 'main.', '') AS t FROM sqlite_master WHERE name = 'main.history'".to_owned(),
            _ => format!("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = '{schema}'"),
        };
        let found: Vec<String> = db
            .query(sequelize::AssertSqlSafe(sql))
            .all()
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("t").unwrap())
            .collect();
        assert!(found.iter().any(|t| t == "history"), "{found:?}");
        let text = succeed(&elsewhere, &url, &["db:migrate:status"]);
        assert!(text.contains("up 20240301000000-tags.json"), "{text}");
        if dialect != "sqlite" {
            db.query_interface().drop_schema(&schema).await.unwrap();
        }
        db.close().await.unwrap();
    }
}
