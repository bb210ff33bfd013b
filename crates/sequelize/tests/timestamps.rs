//! Timestamps Sequelize adds without the model declaring them (issue 8, item 6): a typed
//! model whose struct has no `created_at`/`updated_at`/`deleted_at` field still gets the
//! columns, maintained by every write, read back through the instance (`get`) and in its
//! JSON; paranoid models soft-delete through the implicit `deletedAt`; each timestamp can be
//! renamed or disabled. On every dialect.

mod common;

use common::{for_each_dialect, q};
use sequelize::prelude::*;
use sequelize::AssertSqlSafe;

#[derive(Model, Debug, Clone, PartialEq, serde::Serialize)]
struct Note {
    id: i64,
    text: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(paranoid)]
struct Draft {
    id: i64,
    text: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(updated_at = false, created_at = "written_at")]
struct Entry {
    id: i64,
    text: String,
}

async fn columns(db: &Sequelize, table: &str) -> Vec<String> {
    let mut names: Vec<String> = db
        .query_interface()
        .describe_columns(table.to_owned())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn undeclared_timestamps_are_maintained_and_read_through_the_instance() {
    for_each_dialect("implicit_timestamps", |db| async move {
        let dialect = db.dialect().name();
        db.define::<Note>().register().unwrap();
        db.define::<Draft>().register().unwrap();
        db.define::<Entry>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        assert_eq!(
            columns(&db, "Notes").await,
            ["createdAt", "id", "text", "updatedAt"]
        );
        assert_eq!(
            columns(&db, "Entries").await,
            ["id", "text", "writtenAt"],
            "{dialect}"
        );

        let before = Utc::now() - chrono::Duration::seconds(5);
        let mut note = Note::create(Note {
            id: 0,
            text: "a".into(),
        })
        .exec(&db)
        .await
        .unwrap();
        let created: DateTime<Utc> = note.get("created_at").unwrap();
        let updated: DateTime<Utc> = note.get("updated_at").unwrap();
        assert!(created > before && created == updated, "{dialect}");
        let json = serde_json::to_value(&note).unwrap();
        assert!(
            json.get("created_at").is_some() && json["text"] == "a",
            "{dialect}: {json}"
        );

        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        note.text = "b".into();
        note.save(&db).await.unwrap();
        let read = Note::find_by_pk(note.id).exec(&db).await.unwrap().unwrap();
        // Read back as the attribute's type on every dialect (SQLite stores text).
        let json = serde_json::to_value(&read).unwrap();
        let stamp = json["created_at"].as_str().unwrap_or_default().to_owned();
        assert!(
            DateTime::parse_from_rfc3339(&stamp).is_ok(),
            "{dialect}: {stamp}"
        );
        let (created_again, updated_again): (DateTime<Utc>, DateTime<Utc>) = (
            read.get("created_at").unwrap(),
            read.get("updated_at").unwrap(),
        );
        assert_eq!(created_again, created, "{dialect}: createdAt kept");
        assert!(updated_again > updated, "{dialect}: updatedAt advanced");

        let many = Note::bulk_create([
            Note {
                id: 0,
                text: "c".into(),
            },
            Note {
                id: 0,
                text: "d".into(),
            },
        ])
        .exec(&db)
        .await
        .unwrap();
        assert!(many
            .iter()
            .all(|n| n.get::<DateTime<Utc>>("created_at").unwrap() > before));
        let table = q(&db, "Notes");
        let stored = db
            .query(AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table} WHERE {} IS NOT NULL AND {} IS NOT NULL",
                q(&db, "createdAt"),
                q(&db, "updatedAt")
            )))
            .plain()
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.get_index::<i64>(0).unwrap(), 3, "{dialect}");

        let entry = Entry::create(Entry {
            id: 0,
            text: "e".into(),
        })
        .exec(&db)
        .await
        .unwrap();
        assert!(
            entry.get::<DateTime<Utc>>("written_at").unwrap() > before,
            "{dialect}"
        );
        assert!(
            entry.get::<Value>("updated_at").is_err(),
            "{dialect}: no updatedAt"
        );
    })
    .await;
}

#[tokio::test]
async fn paranoid_models_need_no_deleted_at_field() {
    for_each_dialect("implicit_deleted_at", |db| async move {
        let dialect = db.dialect().name();
        db.define::<Draft>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let mut draft = Draft::create(Draft {
            id: 0,
            text: "x".into(),
        })
        .exec(&db)
        .await
        .unwrap();
        assert!(draft
            .get::<Option<DateTime<Utc>>>("deleted_at")
            .unwrap()
            .is_none());
        draft.destroy(&db).await.unwrap();
        assert!(
            draft
                .get::<Option<DateTime<Utc>>>("deleted_at")
                .unwrap()
                .is_some(),
            "{dialect}"
        );
        assert!(
            Draft::find_by_pk(draft.id)
                .exec(&db)
                .await
                .unwrap()
                .is_none(),
            "{dialect}"
        );
        let hidden = Draft::find_by_pk(draft.id)
            .paranoid(false)
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(hidden
            .get::<Option<DateTime<Utc>>>("deleted_at")
            .unwrap()
            .is_some());
        draft.restore(&db).await.unwrap();
        assert!(
            Draft::find_by_pk(draft.id)
                .exec(&db)
                .await
                .unwrap()
                .is_some(),
            "{dialect}"
        );
        Draft::destroy()
            .filter(Draft::ID.eq(draft.id))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(Draft::count().exec(&db).await.unwrap(), 0, "{dialect}");
        assert_eq!(
            Draft::count().paranoid(false).exec(&db).await.unwrap(),
            1,
            "{dialect}"
        );
    })
    .await;
}

/// A struct without a key gets Sequelize's `id`, kept by the instance like the timestamps.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(timestamps = false)]
struct Visit {
    page: String,
}

#[tokio::test]
async fn a_keyless_struct_gets_an_implicit_id() {
    for_each_dialect("implicit_id", |db| async move {
        let dialect = db.dialect().name();
        db.define::<Visit>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let first = Visit::create(Visit { page: "/".into() })
            .exec(&db)
            .await
            .unwrap();
        let second = Visit::create(Visit { page: "/a".into() })
            .exec(&db)
            .await
            .unwrap();
        let (a, b): (i64, i64) = (first.get("id").unwrap(), second.get("id").unwrap());
        assert!(b > a, "{dialect}: generated keys {a}, {b}");
        let found = Visit::find_by_pk(b).exec(&db).await.unwrap().unwrap();
        assert_eq!(found.page, "/a", "{dialect}");
        let mut found = found;
        found.page = "/b".into();
        found.save(&db).await.unwrap();
        let again = Visit::find_by_pk(b).exec(&db).await.unwrap().unwrap();
        assert_eq!(again.page, "/b", "{dialect}: saved by its implicit key");
    })
    .await;
}
