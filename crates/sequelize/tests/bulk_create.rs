//! `bulkCreate` on every dialect (issue 8, item 5 in part): 100,000 rows in one call, split
//! at the dialect's parameter limit, with their generated keys; `validate`,
//! `individual_hooks`, `fields`, `ignore_duplicates` and `update_on_duplicate`.

mod common;

use common::{count_rows, for_each_dialect};
use sequelize::model::Hook;
use sequelize::prelude::*;
use sequelize::Error;

#[derive(Model, Debug, Clone)]
#[model(table = "labels", timestamps = false)]
struct Label {
    id: i64,
    #[attr(unique, validate(Validator::not_empty()))]
    name: String,
    score: i64,
    note: Option<String>,
}

async fn by_name(db: &Sequelize, name: &str) -> Label {
    let found = Label::find_one()
        .filter(Label::NAME.eq(name))
        .exec(db)
        .await;
    found.unwrap().unwrap().into_inner()
}

fn label(name: &str, score: i64) -> Label {
    Label {
        id: 0,
        name: name.into(),
        score,
        note: Some("given".into()),
    }
}

#[tokio::test]
async fn a_hundred_thousand_rows_in_one_call() {
    for_each_dialect("bulk_many", |db| async move {
        db.define::<Label>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        const ROWS: i64 = 100_000;
        let created = Label::bulk_create((0..ROWS).map(|i| label(&format!("label {i}"), i)))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(created.len() as i64, ROWS);
        // Every instance has its generated key, in order.
        let ids: Vec<i64> = created.iter().map(|l| l.id).collect();
        assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "consecutive keys");
        assert_eq!(created[0].name, "label 0");
        let last = Label::find_by_pk(ids[ids.len() - 1])
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((last.name.as_str(), last.score), ("label 99999", ROWS - 1));
        assert_eq!(count_rows(&db, &db, "labels").await, ROWS);
    })
    .await;
}

#[tokio::test]
async fn bulk_options() {
    for_each_dialect("bulk_options", |db| async move {
        db.define::<Label>()
            .hook(Hook::BeforeCreate, "shout", |label, _| {
                Box::pin(async move {
                    label.note = Some(label.name.to_uppercase());
                    Ok(())
                })
            })
            .register()
            .unwrap();
        db.sync(SyncOptions::default()).await.unwrap();

        // validate(true): every failing record, by position; nothing written.
        let refused =
            Label::bulk_create([label("a", 1), label("", 2), label("c", 3), label("", 4)])
                .validate(true)
                .exec(&db)
                .await;
        match refused {
            Err(Error::Validation(items)) => {
                let paths: Vec<&str> = items.iter().map(|i| i.path.as_str()).collect();
                assert_eq!(paths, ["[1].name", "[3].name"]);
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        assert_eq!(count_rows(&db, &db, "labels").await, 0);

        // Without individual_hooks the instance hooks do not run; with them they do.
        let plain = Label::bulk_create([label("a", 1)]).exec(&db).await.unwrap();
        assert_eq!(plain[0].note.as_deref(), Some("given"));
        let hooked = Label::bulk_create([label("b", 2), label("c", 3)])
            .individual_hooks(true)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(hooked[1].note.as_deref(), Some("C"));

        // fields: only these attributes are written.
        Label::bulk_create([label("d", 4)])
            .fields(["name", "score"])
            .exec(&db)
            .await
            .unwrap();
        let d = by_name(&db, "d").await;
        assert_eq!(d.note, None);

        // ignore_duplicates keeps the existing row; update_on_duplicate overwrites it.
        Label::bulk_create([label("a", 100), label("e", 5)])
            .ignore_duplicates()
            .exec(&db)
            .await
            .unwrap();
        let a = by_name(&db, "a").await;
        assert_eq!(a.score, 1);
        assert_eq!(count_rows(&db, &db, "labels").await, 5);
        Label::bulk_create([label("a", 200), label("f", 6)])
            .update_on_duplicate(["score"])
            .conflict_attributes(["name"])
            .exec(&db)
            .await
            .unwrap();
        let a = by_name(&db, "a").await;
        assert_eq!((a.score, a.note.as_deref()), (200, Some("given")));
        assert_eq!(count_rows(&db, &db, "labels").await, 6);
        // Without ignore_duplicates a duplicate is the database's unique violation.
        let duplicate = Label::bulk_create([label("a", 1)]).exec(&db).await;
        assert!(
            matches!(duplicate, Err(Error::UniqueConstraint { .. })),
            "{duplicate:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn upsert_inserts_then_updates() {
    for_each_dialect("bulk_upsert", |db| async move {
        db.define::<Label>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        // Only MySQL reports it (its affected rows); the others return the row instead.
        let mysql = db.dialect().name() == "mysql";
        let (first, created) = Label::upsert(label("a", 1))
            .conflict_attributes(["name"])
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(created, mysql.then_some(true));
        let (second, created) = Label::upsert(label("a", 2))
            .conflict_attributes(["name"])
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(created, mysql.then_some(false));
        assert_eq!((second.id, second.score), (first.id, 2));
        assert_eq!(count_rows(&db, &db, "labels").await, 1);
        // By primary key, and only the fields named.
        let mut by_key = label("renamed", 3);
        by_key.id = first.id;
        let (third, _) = Label::upsert(by_key)
            .fields(["score"])
            .exec(&db)
            .await
            .unwrap();
        assert_eq!((third.name.as_str(), third.score), ("a", 3));
        // Validation runs first.
        let invalid = Label::upsert(label("", 1)).exec(&db).await;
        assert!(matches!(invalid, Err(Error::Validation(_))));
    })
    .await;
}

#[tokio::test]
async fn truncate_sync_and_drop() {
    for_each_dialect("bulk_truncate", |db| async move {
        db.define::<Label>().register().unwrap();
        let notes = db
            .define_dynamic(
                "Memo",
                [
                    Attribute::new("id", DataType::BigInt),
                    Attribute::new("text", DataType::String(None)),
                    Attribute::new("deleted_at", DataType::Date(None)),
                ],
                ModelOptions {
                    paranoid: true,
                    ..Default::default()
                },
            )
            .unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        Label::bulk_create([label("a", 1), label("b", 2)])
            .exec(&db)
            .await
            .unwrap();
        Label::truncate().exec(&db).await.unwrap();
        assert_eq!(count_rows(&db, &db, "labels").await, 0);
        for text in ["x", "y"] {
            notes
                .create([("text", Value::from(text))])
                .exec(&db)
                .await
                .unwrap();
        }
        // Paranoid: every row soft-deleted, still in the table; forced: gone.
        notes.truncate().exec(&db).await.unwrap();
        assert!(notes.find_all().exec(&db).await.unwrap().is_empty());
        assert_eq!(count_rows(&db, &db, "Memos").await, 2);
        notes.truncate().force().exec(&db).await.unwrap();
        assert_eq!(count_rows(&db, &db, "Memos").await, 0);

        // Model.drop(), Model.sync({ force }), sequelize.drop().
        notes.drop_table(&db).await.unwrap();
        assert!(notes.find_all().exec(&db).await.is_err());
        notes
            .sync(
                &db,
                SyncOptions {
                    force: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(notes.find_all().exec(&db).await.unwrap().is_empty());
        db.drop().await.unwrap();
        assert!(Label::count().exec(&db).await.is_err());
        assert!(notes.find_all().exec(&db).await.is_err());
    })
    .await;
}

#[derive(Model, Debug, Clone)]
#[model(table = "stamps", timestamps = false)]
struct Stamp {
    id: i64,
    name: String,
    #[attr(default = literal("7"))]
    level: Option<i64>,
}

/// The instances get back what the database made (the keys, the defaults it applies) and
/// keep what they wrote: the `INSERT` returns only the columns it did not write.
#[tokio::test]
async fn created_rows_get_the_keys_and_defaults_the_database_made() {
    for_each_dialect("bulk_returning", |db| async move {
        db.define::<Stamp>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let rows = ["a", "b"].map(|name| Stamp {
            id: 0,
            name: name.into(),
            level: None,
        });
        let created = Stamp::bulk_create(rows).exec(&db).await.unwrap();
        let read: Vec<(i64, &str)> = created.iter().map(|s| (s.id, s.name.as_str())).collect();
        assert!(read[0].0 > 0 && read[1].0 == read[0].0 + 1, "{read:?}");
        assert_eq!((read[0].1, read[1].1), ("a", "b"));
        // MySQL returns no rows: its defaults are the database's to read back.
        if db.dialect().supports().returning {
            assert_eq!(created[0].level, Some(7));
        }
        let stored = Stamp::find_by_pk(read[1].0)
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.level, Some(7));
    })
    .await;
}
