//! The Migrator on every dialect: JSON migrations applied in name order, SequelizeMeta kept
//! as sequelize-cli keeps it, undo, and no meta row for a migration that failed.

mod common;

use std::path::PathBuf;

use common::{for_each_dialect, q};
use sequelize::migrate::{MigrationEvent, Migrator};
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
            let applied = migrator.up(None).await.unwrap();
            assert_eq!(applied.len(), 2);
            assert!(matches!(&events.lock().unwrap()[0], MigrationEvent::Migrating(n) if n == "20240101000000-create-users.json"));
            assert_eq!(
                meta_rows(&db).await,
                ["20240101000000-create-users.json", "20240102000000-add-nickname.json"]
            );
            assert_eq!(count_users(&db).await, 2);
            let status: Vec<(String, bool)> = migrator.status().await.unwrap();
            assert!(status.iter().all(|(_, up)| *up));
            assert!(migrator.up(None).await.unwrap().is_empty());

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
                migrator.undo(None).await.unwrap().as_deref(),
                Some("20240102000000-add-nickname.json")
            );
            assert_eq!(meta_rows(&db).await, ["20240101000000-create-users.json"]);
            let nickname = db
                .query(AssertSqlSafe(format!("SELECT {} FROM {users}", q(&db, "nickname"))))
                .exec()
                .await;
            assert!(nickname.is_err(), "the column was removed");
            migrator
                .undo(Some("20240101000000-create-users.json"))
                .await
                .unwrap();
            assert!(meta_rows(&db).await.is_empty());
            assert!(migrator.undo(None).await.unwrap().is_none());
            // Up to a named migration only.
            let applied = migrator.up(Some("20240101000000-create-users.json")).await.unwrap();
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
            let err = migrator.up(None).await.unwrap_err();
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
