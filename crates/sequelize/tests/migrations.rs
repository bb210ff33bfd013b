//! The Migrator on every dialect: JSON migrations applied in name order, SequelizeMeta kept
//! as sequelize-cli keeps it, undo, and no meta row for a migration that failed.

mod common;

use std::path::PathBuf;

use common::{for_each_dialect, q};
use sequelize::migrate::{Down, MigrationEvent, MigrationStorage, Migrator, Resolution, Up};
use sequelize::prelude::*;
use sequelize::{AssertSqlSafe, Error};

const CREATE_USERS: &str = r#"{
  "up": [
    { "createTable": "users", "attributes": {
        "id":         { "type": "INTEGER", "primaryKey": true, "autoIncrement": true, "allowNull": false },
        "email":      { "type": "STRING", "allowNull": false, "unique": true },
        "status":     { "type": "ENUM", "values": ["active", "inactive"], "defaultValue": "active" },
        "created_at": { "type": "DATE", "allowNull": false, "defaultValue": { "fn": "NOW" } } } },
    { "addIndex": "users", "fields": ["status"], "options": { "name": "users_status" } },
    { "bulkInsert": "users", "records": [ { "email": "a@example.com" }, { "email": "b@example.com" } ] }
  ],
  "down": [ { "dropTable": "users" } ]
}"#;

const ADD_NICKNAME: &str = r#"{
  "up": [ { "addColumn": "users", "column": "nickname", "attribute": { "type": "STRING(64)" } } ],
  "down": [ { "removeColumn": "users", "column": "nickname" } ]
}"#;

const BROKEN: &str = r#"{
  "up": [
    { "createTable": "half_done", "attributes": { "id": { "type": "INTEGER", "primaryKey": true } } },
    { "sql": "THIS IS NOT SQL" }
  ],
  "down": []
}"#;

/// A migrations folder with the given files.
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sequelize-migrations-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

async fn meta_rows(db: &Sequelize) -> Vec<String> {
    common::sorted_column(db, db, "SequelizeMeta", "name").await
}

async fn count_users(db: &Sequelize) -> i64 {
    common::count_rows(db, db, "users").await
}

#[tokio::test]
async fn migrate_status_and_undo() {
    let dir = folder(
        "ok",
        &[
            ("20240102000000-add-nickname.json", ADD_NICKNAME),
            ("20240101000000-create-users.json", CREATE_USERS),
            ("README.md", "not a migration"),
        ],
    );
    for_each_dialect("migrate", |db| {
        let dir = dir.clone();
        async move {
            let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let sink = events.clone();
            let migrator = Migrator::new(&db)
                .load_dir(&dir)
                .unwrap()
                .on_event(move |e| sink.lock().unwrap().push(e.clone()));
            assert_eq!(
                migrator.pending().await.unwrap(),
                ["20240101000000-create-users.json", "20240102000000-add-nickname.json"]
            );
            let applied = migrator.up().await.unwrap();
            assert_eq!(applied.len(), 2);
            assert!(matches!(&events.lock().unwrap()[0], MigrationEvent::Migrating(n) if n == "20240101000000-create-users.json"));
            assert_eq!(
                meta_rows(&db).await,
                ["20240101000000-create-users.json", "20240102000000-add-nickname.json"]
            );
            assert_eq!(count_users(&db).await, 2);
            let status: Vec<(String, bool)> = migrator.status().await.unwrap();
            assert!(status.iter().all(|(_, up)| *up));
            assert!(migrator.up().await.unwrap().is_empty());

            // The unique column and the enum's allowed values hold.
            let users = q(&db, "users");
            let email = q(&db, "email");
            let dup = db
                .query(AssertSqlSafe(format!("INSERT INTO {users} ({email}) VALUES ('a@example.com')")))
                .exec()
                .await;
            assert!(matches!(dup, Err(Error::UniqueConstraint { .. })), "{dup:?}");
            db.query(AssertSqlSafe(format!(
                "INSERT INTO {users} ({email}, {}) VALUES ('c@example.com', 'nick')",
                q(&db, "nickname")
            )))
            .exec()
            .await
            .unwrap();

            assert_eq!(
                migrator.undo().await.unwrap().as_deref(),
                Some("20240102000000-add-nickname.json")
            );
            assert_eq!(meta_rows(&db).await, ["20240101000000-create-users.json"]);
            let nickname = db
                .query(AssertSqlSafe(format!("SELECT {} FROM {users}", q(&db, "nickname"))))
                .exec()
                .await;
            assert!(nickname.is_err(), "the column was removed");
            migrator
                .down_with(Down::last().only("20240101000000-create-users.json"))
                .await
                .unwrap();
            assert!(meta_rows(&db).await.is_empty());
            assert!(migrator.undo().await.unwrap().is_none());
            // Up to a named migration only.
            let applied = migrator.up_with(Up::all().to("20240101000000-create-users.json")).await.unwrap();
            assert_eq!(applied, ["20240101000000-create-users.json"]);
        }
    })
    .await;
}

#[tokio::test]
async fn a_failed_migration_leaves_no_meta_row() {
    let dir = folder(
        "broken",
        &[
            ("20240101000000-create-users.json", CREATE_USERS),
            ("20240103000000-broken.json", BROKEN),
        ],
    );
    for_each_dialect("migrate_broken", |db| {
        let dir = dir.clone();
        async move {
            let migrator = Migrator::new(&db).load_dir(&dir).unwrap();
            let err = migrator.up().await.unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("20240103000000-broken.json") && text.contains("up step 2"),
                "{text}"
            );
            assert_eq!(meta_rows(&db).await, ["20240101000000-create-users.json"]);
            let half_done = db
                .query(AssertSqlSafe(format!(
                    "SELECT * FROM {}",
                    q(&db, "half_done")
                )))
                .exec()
                .await;
            if db.dialect().supports().transactional_ddl {
                assert!(
                    half_done.is_err(),
                    "the failed migration's table was rolled back"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_bad_migration_file_stops_the_run_before_anything_applies() {
    let dir = folder(
        "invalid",
        &[
            ("20240101000000-create-users.json", CREATE_USERS),
            (
                "20240104000000-typo.json",
                r#"{ "up": [ { "creatTable": "x" } ], "down": [] }"#,
            ),
        ],
    );
    let db = Sequelize::connect("sqlite::memory:").await.unwrap();
    let err = Migrator::new(&db)
        .load_dir(&dir)
        .err()
        .expect("a parse error");
    let text = err.to_string();
    assert!(
        text.contains("20240104000000-typo.json") && text.contains("creatTable"),
        "{text}"
    );
}

const CREATE_TAGS: &str = r#"{
  "up": [ { "createTable": "tags", "attributes": { "id": { "type": "INTEGER", "primaryKey": true } } } ],
  "down": [ { "dropTable": "tags" } ]
}"#;

#[tokio::test]
async fn up_and_down_select_as_umzug_does() {
    let dir = folder(
        "select",
        &[
            ("20240101000000-create-users.json", CREATE_USERS),
            ("20240102000000-add-nickname.json", ADD_NICKNAME),
            ("20240103000000-create-tags.json", CREATE_TAGS),
        ],
    );
    for_each_dialect("migrate_select", |db| {
        let dir = dir.clone();
        async move {
            let migrator = Migrator::new(&db).load_dir(&dir).unwrap();
            let users = "20240101000000-create-users.json";
            let nickname = "20240102000000-add-nickname.json";
            let tags = "20240103000000-create-tags.json";
            assert_eq!(migrator.up_with(Up::all().step(1)).await.unwrap(), [users]);
            assert_eq!(
                migrator
                    .up_with(Up::all().from(users).to(nickname))
                    .await
                    .unwrap(),
                [nickname]
            );
            let not_pending = migrator.up_with(Up::all().only(users)).await.unwrap_err();
            assert!(
                not_pending.to_string().contains("is not pending"),
                "{not_pending}"
            );
            assert_eq!(
                migrator.up_with(Up::all().only(tags)).await.unwrap(),
                [tags]
            );
            assert!(migrator.pending().await.unwrap().is_empty());
            assert_eq!(meta_rows(&db).await, [users, nickname, tags]);

            assert_eq!(
                migrator.down_with(Down::all().to(nickname)).await.unwrap(),
                [tags, nickname]
            );
            assert_eq!(meta_rows(&db).await, [users]);
            assert_eq!(migrator.down_with(Down::all()).await.unwrap(), [users]);
            assert!(meta_rows(&db).await.is_empty());
            assert!(migrator.down_with(Down::all()).await.unwrap().is_empty());
        }
    })
    .await;
}

#[tokio::test]
async fn a_half_applied_migration_is_reported_until_resolved() {
    let dir = folder(
        "half",
        &[
            ("20240101000000-create-users.json", CREATE_USERS),
            ("20240103000000-broken.json", BROKEN),
        ],
    );
    for_each_dialect("migrate_half", |db| {
        let dir = dir.clone();
        async move {
            let broken = "20240103000000-broken.json";
            let migrator = Migrator::new(&db).load_dir(&dir).unwrap();
            let first = migrator.up().await.unwrap_err().to_string();
            assert!(first.contains("up step 2"), "{first}");
            if db.dialect().supports().transactional_ddl {
                // Nothing of it stayed, so nothing is left to resolve.
                let refused = migrator
                    .resolve(broken, Resolution::Applied)
                    .await
                    .unwrap_err();
                assert!(
                    refused.to_string().contains("in a transaction"),
                    "{refused}"
                );
                assert_eq!(migrator.pending().await.unwrap(), [broken]);
                return;
            }
            assert!(first.contains("db:migrate:resolve --name"), "{first}");
            // Found again on the next run, which refuses to go on.
            let again = migrator.up().await.unwrap_err().to_string();
            assert!(
                again.contains(broken)
                    && again.contains("did not finish migrating up")
                    && again.contains("up step 2"),
                "{again}"
            );
            assert_eq!(meta_rows(&db).await, ["20240101000000-create-users.json"]);
            // Its first step is in the schema: say so, and migrating goes on.
            migrator.resolve(broken, Resolution::Applied).await.unwrap();
            assert_eq!(
                meta_rows(&db).await,
                ["20240101000000-create-users.json", broken]
            );
            assert!(migrator.up().await.unwrap().is_empty());
            let unknown = migrator
                .resolve(broken, Resolution::Reverted)
                .await
                .unwrap_err();
            assert!(
                unknown.to_string().contains("is not unfinished"),
                "{unknown}"
            );
        }
    })
    .await;
}

const CREATE_NOTES: &str = r#"{
  "up": [ { "createTable": "notes", "attributes": {
      "id": { "type": "INTEGER", "primaryKey": true, "autoIncrement": true },
      "body": { "type": "STRING", "allowNull": false } } } ],
  "down": [ { "dropTable": "notes" } ]
}"#;

const SEED_NOTES: &str = r#"{
  "up": [ { "bulkInsert": "notes", "records": [ { "body": "first" }, { "body": "second" } ] },
          { "bulkUpdate": "notes", "values": { "body": "edited" }, "where": { "body": ["second"] } } ],
  "down": [ { "bulkDelete": "notes", "where": null } ]
}"#;

async fn note_bodies(db: &Sequelize) -> Vec<String> {
    common::sorted_column(db, db, "notes", "body").await
}

#[tokio::test]
async fn json_storage_no_storage_and_seeders() {
    let migrations = folder(
        "storage-m",
        &[("20240101000000-create-notes.json", CREATE_NOTES)],
    );
    let seeders = folder("storage-s", &[("20240201000000-notes.json", SEED_NOTES)]);
    for_each_dialect("migrate_storage", |db| {
        let (migrations, seeders) = (migrations.clone(), seeders.clone());
        async move {
            let file = std::env::temp_dir().join(format!(
                "sequelize-meta-{}-{}.json",
                db.dialect().name(),
                std::process::id()
            ));
            let _ = std::fs::remove_file(&file);
            let migrator = Migrator::new(&db)
                .storage(MigrationStorage::Json(file.clone()))
                .load_dir(&migrations)
                .unwrap();
            migrator.up().await.unwrap();
            let kept: Vec<String> =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            assert_eq!(kept, ["20240101000000-create-notes.json"]);
            assert!(migrator.pending().await.unwrap().is_empty());

            // Seeders keep nothing by default: each run seeds again, undo empties.
            let seeder = Migrator::new(&db)
                .storage(MigrationStorage::None)
                .load_dir(&seeders)
                .unwrap();
            assert_eq!(seeder.up().await.unwrap(), ["20240201000000-notes.json"]);
            assert_eq!(seeder.up().await.unwrap(), ["20240201000000-notes.json"]);
            assert_eq!(
                note_bodies(&db).await,
                ["edited", "edited", "first", "first"]
            );
            assert_eq!(
                seeder.undo().await.unwrap().as_deref(),
                Some("20240201000000-notes.json")
            );
            assert!(note_bodies(&db).await.is_empty());

            // Kept in a table (`seederStorage: "sequelize"`): seeded once.
            let seeder = Migrator::new(&db)
                .storage(MigrationStorage::Table("SequelizeData".into()))
                .load_dir(&seeders)
                .unwrap();
            seeder.up().await.unwrap();
            assert!(seeder.up().await.unwrap().is_empty());
            assert_eq!(note_bodies(&db).await, ["edited", "first"]);
            let seeded: Vec<String> =
                common::sorted_column(&db, &db, "SequelizeData", "name").await;
            assert_eq!(seeded, ["20240201000000-notes.json"]);

            assert_eq!(
                migrator.undo().await.unwrap().as_deref(),
                Some("20240101000000-create-notes.json")
            );
            let kept: Vec<String> =
                serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
            assert!(kept.is_empty());
        }
    })
    .await;
}

#[tokio::test]
async fn sql_migrations_in_their_three_forms() {
    let dir = folder(
        "sql",
        &[
            (
                "20240101000000-create-tags.sql",
                "-- up\nCREATE TABLE tags (id INTEGER PRIMARY KEY, name VARCHAR(50));\n\
                 INSERT INTO tags (id, name) VALUES (1, 'rust');\n-- down\nDROP TABLE tags;\n",
            ),
            (
                "20240102000000-add-colors.up.sql",
                "CREATE TABLE colors (id INTEGER PRIMARY KEY);\n",
            ),
            ("20240102000000-add-colors.down.sql", "DROP TABLE colors;\n"),
            (
                "20240104000000-more-tags.sql",
                "INSERT INTO tags (id, name) VALUES (2, 'sql');\n",
            ),
        ],
    );
    std::fs::create_dir_all(dir.join("20240103000000-sizes")).unwrap();
    std::fs::write(
        dir.join("20240103000000-sizes/up.sql"),
        "CREATE TABLE sizes (id INTEGER PRIMARY KEY);\nINSERT INTO sizes (id) VALUES (1);\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("20240103000000-sizes/down.sql"),
        "DROP TABLE sizes;\n",
    )
    .unwrap();
    for_each_dialect("migrate_sql", |db| {
        let dir = dir.clone();
        async move {
            let migrator = Migrator::new(&db).load_dir(&dir).unwrap();
            assert_eq!(
                migrator.up().await.unwrap(),
                [
                    "20240101000000-create-tags.sql",
                    "20240102000000-add-colors.up.sql",
                    "20240103000000-sizes",
                    "20240104000000-more-tags.sql",
                ]
            );
            assert_eq!(common::count_rows(&db, &db, "tags").await, 2);
            assert_eq!(common::count_rows(&db, &db, "sizes").await, 1);
            let one_way = migrator.undo().await.unwrap_err().to_string();
            assert!(
                one_way.contains("20240104000000-more-tags.sql") && one_way.contains("no `down`"),
                "{one_way}"
            );
            assert_eq!(meta_rows(&db).await.len(), 4);
            let reverted = migrator
                .down_with(
                    Down::last()
                        .only("20240103000000-sizes")
                        .only("20240102000000-add-colors.up.sql"),
                )
                .await
                .unwrap();
            assert_eq!(reverted.len(), 2);
            let gone = db
                .query(AssertSqlSafe(format!("SELECT * FROM {}", q(&db, "sizes"))))
                .exec()
                .await;
            assert!(gone.is_err(), "down.sql dropped the table");
        }
    })
    .await;
}

/// Columns (name, type, nullability) and index names of each table, as the database
/// describes them.
async fn schema_of(db: &Sequelize, tables: &[&'static str]) -> Vec<String> {
    let qi = db.query_interface();
    let mut schema = Vec::new();
    for table in tables {
        for column in qi.describe_columns(*table).await.unwrap() {
            schema.push(format!(
                "{table}.{} {} {} default {:?}",
                column.name, column.data_type, column.allow_null, column.default_value
            ));
        }
        let mut indexes = qi.index_names(*table).await.unwrap();
        indexes.sort();
        schema.extend(indexes.into_iter().map(|i| format!("{table} index {i}")));
        let mut constraints: Vec<String> = (qi.show_constraints(*table).await.unwrap().iter())
            .map(|c| format!("{table} {} {:?} {:?}", c.name, c.constraint_type, c.columns))
            .collect();
        constraints.sort();
        schema.extend(constraints);
    }
    schema
}

#[tokio::test]
async fn undo_and_redo_leave_the_same_schema() {
    let dir = folder(
        "redo",
        &[
            ("20240101000000-create-users.json", CREATE_USERS),
            ("20240102000000-add-nickname.json", ADD_NICKNAME),
            (
                "20240103000000-rename-nickname.json",
                r#"{ "up": [ { "renameColumn": "users", "before": "nickname", "after": "handle" } ],
                     "down": [ { "renameColumn": "users", "before": "handle", "after": "nickname" } ] }"#,
            ),
            ("20240104000000-create-tags.json", CREATE_TAGS),
            (
                "20240105000000-rename-tags.json",
                r#"{ "up": [ { "renameTable": "tags", "after": "labels" } ],
                     "down": [ { "renameTable": "labels", "after": "tags" } ] }"#,
            ),
            (
                "20240106000000-drop-status-index.json",
                r#"{ "up": [ { "removeIndex": "users", "index": ["status"] } ],
                     "down": [ { "addIndex": "users", "fields": ["status"], "options": { "name": "users_status" } } ] }"#,
            ),
            (
                "20240107000000-change-email.json",
                r#"{ "up": [ { "changeColumn": "users", "column": "email", "attribute": { "type": "STRING(100)", "allowNull": true } } ],
                     "down": [ { "changeColumn": "users", "column": "email", "attribute": { "type": "STRING", "allowNull": false } } ] }"#,
            ),
            (
                "20240108000000-constraints.json",
                r#"{ "up": [
                       { "addConstraint": "users", "type": "check", "fields": ["email"], "where": { "email": { "like": "%@%" } } },
                       { "addConstraint": "users", "type": "unique", "fields": ["handle"], "name": "one_handle" },
                       { "addConstraint": "users", "type": "default", "fields": ["handle"], "defaultValue": "anon" } ],
                     "down": [
                       { "changeColumn": "users", "column": "handle", "attribute": "STRING(64)" },
                       { "removeConstraint": "users", "name": "one_handle" },
                       { "removeConstraint": "users", "name": "users_email_ck" } ] }"#,
            ),
        ],
    );
    for_each_dialect("migrate_redo", |db| {
        let dir = dir.clone();
        async move {
            let migrator = Migrator::new(&db).load_dir(&dir).unwrap();
            migrator.up().await.unwrap();
            let after_up = schema_of(&db, &["users", "labels"]).await;
            assert!(
                after_up.iter().any(|c| c.starts_with("users.handle "))
                    && !after_up.iter().any(|c| c == "users index users_status"),
                "{after_up:?}"
            );
            assert!(
                after_up.iter().any(|c| c.starts_with("labels.id ")),
                "{after_up:?}"
            );
            for expected in ["users users_email_ck Check", "users one_handle Unique"] {
                assert!(
                    after_up.iter().any(|c| c.starts_with(expected)),
                    "{expected}: {after_up:?}"
                );
            }
            assert!(
                after_up
                    .iter()
                    .any(|c| c.starts_with("users.handle ") && c.contains("anon")),
                "{after_up:?}"
            );
            // The check holds; the rows of the first migration are still there.
            let refused = db
                .query("INSERT INTO users (email, created_at) VALUES ('no-at', '2024-01-01')")
                .exec()
                .await;
            assert!(refused.is_err(), "the check let a row through");
            assert_eq!(count_users(&db).await, 2);
            // Undo the last three, then everything; redo: the same schema each time.
            migrator.down_with(Down::last().step(3)).await.unwrap();
            let middle = schema_of(&db, &["users", "tags"]).await;
            assert!(
                middle.iter().any(|c| c.starts_with("users.handle ")),
                "{middle:?}"
            );
            assert!(
                middle.iter().any(|c| c == "users index users_status"),
                "{middle:?}"
            );
            migrator.up().await.unwrap();
            assert_eq!(schema_of(&db, &["users", "labels"]).await, after_up);
            migrator.down_with(Down::all()).await.unwrap();
            assert!(schema_of(&db, &["users", "labels"]).await.is_empty());
            migrator.up().await.unwrap();
            assert_eq!(schema_of(&db, &["users", "labels"]).await, after_up);
        }
    })
    .await;
}

const OWNERS_AND_PETS: &str = r#"{ "up": [
  { "createTable": "owners", "attributes": { "id": { "type": "INTEGER", "primaryKey": true } },
    "options": { "comment": "who owns pets", "engine": "InnoDB", "charset": "utf8mb4", "collate": "utf8mb4_bin" } },
  { "createTable": "pets", "attributes": {
      "id": { "type": "INTEGER", "primaryKey": true },
      "owner_id": { "type": "INTEGER", "references": { "model": "owners", "key": "id" },
                    "onDelete": "CASCADE", "comment": "the owner" },
      "name": { "type": "STRING", "allowNull": false },
      "kind": { "type": "STRING", "allowNull": false } },
    "options": { "uniqueKeys": { "pets_name_kind": { "fields": ["name", "kind"] } } } } ],
  "down": [ { "dropTable": "pets" }, { "dropTable": "owners" } ] }"#;

#[tokio::test]
async fn json_tables_take_references_unique_keys_and_options() {
    let dir = folder(
        "pets",
        &[("20240101000000-owners-and-pets.json", OWNERS_AND_PETS)],
    );
    for_each_dialect("migrate_pets", |db| {
        let dir = dir.clone();
        async move {
            Migrator::new(&db)
                .load_dir(&dir)
                .unwrap()
                .up()
                .await
                .unwrap();
            let keys = db
                .query_interface()
                .foreign_key_references("pets")
                .await
                .unwrap();
            assert_eq!(keys.len(), 1);
            assert_eq!(
                (keys[0].column.as_str(), keys[0].referenced_table.as_str()),
                ("owner_id", "owners")
            );
            for sql in [
                "INSERT INTO owners (id) VALUES (1)",
                "INSERT INTO pets (id, owner_id, name, kind) VALUES (1, 1, 'rex', 'dog')",
            ] {
                db.query(sql).exec().await.unwrap();
            }
            let twice = db
                .query("INSERT INTO pets (id, owner_id, name, kind) VALUES (2, 1, 'rex', 'dog')")
                .exec()
                .await;
            assert!(
                matches!(twice, Err(Error::UniqueConstraint { .. })),
                "{twice:?}"
            );
            db.query("DELETE FROM owners WHERE id = 1")
                .exec()
                .await
                .unwrap();
            assert_eq!(
                common::count_rows(&db, &db, "pets").await,
                0,
                "onDelete CASCADE"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_migrator_that_needs_two_connections_says_so() {
    let dir = folder(
        "one-connection",
        &[("20240101000000-create-tags.json", CREATE_TAGS)],
    );
    for dialect in common::dialects() {
        let mut options = common::isolated_options(dialect, "migrate_pool", false).await;
        options.pool.max = 1;
        let db = Sequelize::connect_with(options).await.unwrap();
        let migrator = Migrator::new(&db).load_dir(&dir).unwrap();
        let result = migrator.up().await;
        if db.dialect().supports().transactional_ddl {
            assert_eq!(
                result.unwrap(),
                ["20240101000000-create-tags.json"],
                "{dialect}"
            );
        } else {
            let err = result.unwrap_err().to_string();
            assert!(err.contains("pool.max to 2"), "{dialect}: {err}");
        }
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn upsert_steps_insert_then_update() {
    let dir = folder(
        "upsert",
        &[
            ("20240101000000-create-users.json", CREATE_USERS),
            (
                "20240102000000-upsert.json",
                r#"{ "up": [
                     { "upsert": "users", "values": { "email": "c@example.com", "status": "active" }, "conflictFields": ["email"] },
                     { "upsert": "users", "values": { "email": "c@example.com", "status": "inactive" }, "conflictFields": ["email"] },
                     { "upsert": "users", "values": { "email": "a@example.com", "status": "inactive" }, "conflictFields": ["email"], "updateFields": [] } ],
                   "down": [ { "bulkDelete": "users", "where": { "email": "c@example.com" } } ] }"#,
            ),
        ],
    );
    for_each_dialect("migrate_upsert", |db| {
        let dir = dir.clone();
        async move {
            Migrator::new(&db)
                .load_dir(&dir)
                .unwrap()
                .up()
                .await
                .unwrap();
            let statuses = db
                .query(AssertSqlSafe(format!(
                    "SELECT email, status FROM {} ORDER BY email",
                    q(&db, "users")
                )))
                .all()
                .await
                .unwrap();
            let pairs: Vec<(String, String)> = statuses
                .iter()
                .map(|r| (r.get("email").unwrap(), r.get("status").unwrap()))
                .collect();
            assert_eq!(
                pairs,
                [
                    ("a@example.com".into(), "active".into()),
                    ("b@example.com".into(), "active".into()),
                    ("c@example.com".into(), "inactive".into()),
                ],
                "inserted, then updated; with no fields to update, kept"
            );
        }
    })
    .await;
}

/// Changing a column or a constraint of a table other tables refer to keeps their rows: on
/// SQLite the table is rebuilt, and dropping the old one must not run the `ON DELETE
/// CASCADE` of the rows referring to it (the data loss of Sequelize's own SQLite
/// `changeColumn`).
#[tokio::test]
async fn changing_a_referenced_table_keeps_the_rows_that_refer_to_it() {
    let dir = folder(
        "referenced",
        &[
            (
                "20240101000000-shelves.json",
                r#"{ "up": [
                    { "createTable": "shelves", "attributes": {
                        "id": { "type": "INTEGER", "primaryKey": true },
                        "label": { "type": "STRING(10)" } } },
                    { "createTable": "books", "attributes": {
                        "id": { "type": "INTEGER", "primaryKey": true },
                        "shelf_id": { "type": "INTEGER", "references": { "model": "shelves", "key": "id" }, "onDelete": "CASCADE" } } },
                    { "bulkInsert": "shelves", "records": [ { "id": 1, "label": "a" }, { "id": 2, "label": "b" } ] },
                    { "bulkInsert": "books", "records": [ { "id": 1, "shelf_id": 1 }, { "id": 2, "shelf_id": 2 } ] } ],
                  "down": [ { "dropTable": "books" }, { "dropTable": "shelves" } ] }"#,
            ),
            (
                "20240102000000-wider-labels.json",
                r#"{ "up": [
                    { "changeColumn": "shelves", "column": "label", "attribute": { "type": "STRING(100)", "allowNull": false } },
                    { "addConstraint": "shelves", "type": "unique", "fields": ["label"] } ],
                  "down": [
                    { "removeConstraint": "shelves", "name": "shelves_label_uk" },
                    { "changeColumn": "shelves", "column": "label", "attribute": "STRING(10)" } ] }"#,
            ),
        ],
    );
    for_each_dialect("migrate_referenced", |db| {
        let dir = dir.clone();
        async move {
            let migrator = Migrator::new(&db).load_dir(&dir).unwrap();
            migrator.up().await.unwrap();
            assert_eq!(common::count_rows(&db, &db, "books").await, 2);
            migrator.down_with(Down::last()).await.unwrap();
            assert_eq!(common::count_rows(&db, &db, "books").await, 2);
            // The key still cascades.
            db.query("DELETE FROM shelves WHERE id = 1")
                .exec()
                .await
                .unwrap();
            assert_eq!(common::count_rows(&db, &db, "books").await, 1);
        }
    })
    .await;
}

/// A constraint step with a mistake stops the load, naming the file, the step and the key.
#[tokio::test]
async fn constraint_steps_name_the_file_step_and_key() {
    let db = Sequelize::connect("sqlite::memory:").await.unwrap();
    for (step, expected) in [
        (
            r#"{ "addConstraint": "users", "type": "exclude", "fields": ["a"] }"#,
            "unknown constraint type `exclude`",
        ),
        (
            r#"{ "addConstraint": "users", "type": "unique", "fields": ["a"], "where": { "a": 1 } }"#,
            "`where` is not an option of a unique constraint",
        ),
        (
            r#"{ "addConstraint": "users", "type": "check", "fields": ["a"], "where": { "a": { "gt": 1, "near": 2 } } }"#,
            "unknown operator `where.a.near`",
        ),
        (
            r#"{ "addConstraint": "users", "type": "foreign key", "fields": ["a"] }"#,
            "a foreign key needs `references",
        ),
        (
            r#"{ "addConstraint": "users", "type": "unique" }"#,
            "needs `fields`",
        ),
        (
            r#"{ "removeConstraint": "users" }"#,
            "`removeConstraint` needs `name`",
        ),
        (
            r#"{ "changeColumn": "users", "column": "a", "attribute": { "type": "STRNG" } }"#,
            "unknown data type `STRNG`",
        ),
        (
            r#"{ "createDatabase": "shop", "options": { "owner": "me" } }"#,
            "unknown database option `owner`",
        ),
    ] {
        let dir = folder(
            "bad-constraint",
            &[(
                "20240101000000-bad.json",
                &format!(
                    r#"{{ "up": [ {{ "createTable": "t", "attributes": {{ "a": "INTEGER" }} }}, {step} ], "down": [] }}"#
                ),
            )],
        );
        let text = Migrator::new(&db)
            .load_dir(&dir)
            .err()
            .expect("a parse error")
            .to_string();
        assert!(
            text.contains("20240101000000-bad.json")
                && text.contains("up step 2")
                && text.contains(expected),
            "{step}: {text}"
        );
    }
}

/// `createDatabase` and `dropDatabase` are steps too: on PostgreSQL, which cannot create a
/// database inside a transaction, the migration's steps run outside the one that records it;
/// SQLite has no databases to create (an error naming it).
#[tokio::test]
async fn databases_are_created_and_dropped_by_steps() {
    let dir = folder(
        "database-steps",
        &[(
            "20240101000000-archive-database.json",
            r#"{ "up": [ { "createDatabase": "sequelize_step_archive" } ],
                 "down": [ { "dropDatabase": "sequelize_step_archive" } ] }"#,
        )],
    );
    for_each_dialect("migrate_database_steps", |db| {
        let dir = dir.clone();
        async move {
            let exists = || async {
                let sql = match db.dialect().name() {
                    "postgres" => "SELECT datname FROM pg_database WHERE datname = 'sequelize_step_archive'",
                    _ => "SELECT schema_name FROM information_schema.schemata WHERE schema_name = 'sequelize_step_archive'",
                };
                !db.query(sql).all().await.unwrap().is_empty()
            };
            let migrator = Migrator::new(&db).load_dir(&dir).unwrap();
            if db.dialect().name() == "sqlite" {
                let refused = migrator.up().await.unwrap_err().to_string();
                assert!(refused.contains("sqlite") && refused.contains("up step 1"), "{refused}");
                assert!(meta_rows(&db).await.is_empty());
                return;
            }
            // A database left by an interrupted run of this test would make CREATE fail.
            db.query_interface().drop_database("sequelize_step_archive").await.unwrap();
            migrator.up().await.unwrap();
            assert!(exists().await);
            assert_eq!(meta_rows(&db).await, ["20240101000000-archive-database.json"]);
            migrator.down_with(Down::last()).await.unwrap();
            assert!(!exists().await);
            assert!(meta_rows(&db).await.is_empty());
        }
    })
    .await;
}
