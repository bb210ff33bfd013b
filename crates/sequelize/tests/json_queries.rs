//! Filters inside JSON attributes on every dialect (issue 7, item 4): nested paths typed and
//! from data, values read as numbers or booleans when compared with them, hostile keys bound
//! as data, and containment where the database has it.

mod common;

use common::for_each_dialect;
use sequelize::model::filter_from_json;
use sequelize::prelude::*;
use sequelize::sql::Expr;
use sequelize::Error;
use serde_json::json;

#[derive(Model, Debug, Clone)]
#[model(table = "documents", timestamps = false)]
struct Document {
    id: i64,
    title: String,
    meta: serde_json::Value,
    #[attr(data_type = DataType::Jsonb)]
    extra: Option<serde_json::Value>,
}

/// A key that tried to break out of Sequelize's JSON path quoting (CVE-2019-10748).
const HOSTILE_KEY: &str = "id')) AS DECIMAL) = 1 DELETE YOLO INJECTIONS; -- ";

async fn setup(db: &Sequelize) {
    db.define::<Document>().register().unwrap();
    db.sync(SyncOptions::default()).await.unwrap();
    let docs = [
        json!({ "author": { "name": "Ann", "age": 31 }, "stars": 12, "tags": ["rust", "orm"],
                "draft": false, "note": null }),
        json!({ "author": { "name": "Bob", "age": 45 }, "stars": 3, "tags": ["go"],
                "draft": true, "note": "x" }),
        json!({ "author": { "name": "O'Hara \"q\" \\", "age": 7 }, "stars": 12.5, "tags": [],
                "draft": false, "a.b": 1, HOSTILE_KEY: 5 }),
    ];
    for (i, meta) in docs.into_iter().enumerate() {
        Document::create(Document {
            id: 0,
            title: format!("doc {i}"),
            extra: Some(json!({ "rank": i, "labels": [format!("l{i}")] })),
            meta,
        })
        .exec(db)
        .await
        .unwrap();
    }
}

async fn ids(db: &Sequelize, filter: Expr) -> Result<Vec<i64>, Error> {
    let found = Document::find_all()
        .filter(filter)
        .order(Document::ID.asc())
        .exec(db)
        .await?;
    Ok(found.iter().map(|d| d.id).collect())
}

#[tokio::test]
async fn json_paths_compare_as_the_values_they_meet() {
    for_each_dialect("json_paths", |db| async move {
        setup(&db).await;
        let dialect = db.dialect().name();
        let m = || Document::META;
        let cases: Vec<(Expr, Vec<i64>)> = vec![
            (m().path(["author", "name"]).eq("Ann"), vec![1]),
            (m().path(["author", "name"]).ne("Ann"), vec![2, 3]),
            // Numbers compare as numbers (12 < 12.5, 3 < 12), not as text.
            (m().path(["stars"]).gt(10), vec![1, 3]),
            (m().path(["stars"]).gt(12), vec![3]),
            (m().path(["stars"]).between(3, 12), vec![1, 2]),
            (
                m().path(["author", "age"])
                    .is_in([Value::Int(31), Value::Int(7)]),
                vec![1, 3],
            ),
            (m().path(["author", "age"]).lt(10), vec![3]),
            // Booleans as booleans.
            (m().path(["draft"]).eq(true), vec![2]),
            (m().path(["draft"]).eq(false), vec![1, 3]),
            // Array elements, text operators, quotes and backslashes in values.
            (m().path(["tags"]).index(0).eq("rust"), vec![1]),
            (m().path(["tags"]).index(1).is_null(), vec![2, 3]),
            (m().path(["author", "name"]).like("B%"), vec![2]),
            (m().path(["author", "name"]).eq("O'Hara \"q\" \\"), vec![3]),
            // A JSON null reads as NULL, as a missing key does.
            (m().path(["note"]).is_null(), vec![1, 3]),
            (m().path(["note"]).is_not_null(), vec![2]),
            // Keys are data: a dot and an injection attempt are looked up literally.
            (m().path(["a.b"]).eq(1), vec![3]),
            (m().path([HOSTILE_KEY]).eq(5), vec![3]),
            // Sequelize's dotted attribute names.
            (col("meta.author.name").eq("Bob"), vec![2]),
            (col("meta.stars").gte(12), vec![1, 3]),
            // The JSONB attribute.
            (Document::EXTRA.path(["rank"]).gte(1), vec![2, 3]),
        ];
        for (filter, expected) in cases {
            let shown = format!("{filter:?}");
            assert_eq!(
                ids(&db, filter).await.unwrap(),
                expected,
                "{dialect}: {shown}"
            );
        }
        // Nothing was executed from the hostile key.
        assert_eq!(Document::count().exec(&db).await.unwrap(), 3);
    })
    .await;
}

#[tokio::test]
async fn json_paths_from_data() {
    for_each_dialect("json_paths_from_data", |db| async move {
        setup(&db).await;
        let dialect = db.dialect().name();
        for (filter, expected) in [
            (json!({ "meta": { "author": { "name": "Ann" } } }), vec![1]),
            (json!({ "meta": { "stars": { "gte": 12 } } }), vec![1, 3]),
            (json!({ "meta.author.age": { "lt": 40 } }), vec![1, 3]),
            (json!({ "meta": { "draft": true, "stars": { "lt": 5 } } }), vec![2]),
            (json!({ "or": [{ "meta.stars": 3 }, { "meta": { "author": { "age": 7 } } }] }), vec![2, 3]),
        ] {
            let shown = filter.to_string();
            let filter = filter_from_json(&filter).unwrap();
            assert_eq!(ids(&db, filter).await.unwrap(), expected, "{dialect}: {shown}");
        }
        // A path into an attribute that is not JSON is refused before any SQL (W1).
        for filter in [
            filter_from_json(&json!({ "title": { "malicious": "code" } })).unwrap(),
            col("title.length").eq(1),
        ] {
            let err = ids(&db, filter).await.unwrap_err();
            assert!(
                matches!(&err, Error::InvalidQuery(m) if m.contains("Document.title") && m.contains("not JSON")),
                "{dialect}: {err}"
            );
        }
        let unknown = ids(&db, col("nope.a").eq(1)).await.unwrap_err();
        assert!(unknown.to_string().contains("no attribute"), "{unknown}");
    })
    .await;
}

#[tokio::test]
async fn json_containment() {
    for_each_dialect("json_containment", |db| async move {
        setup(&db).await;
        let dialect = db.dialect().name();
        let cases = [
            (
                Document::META.contains(json!({ "tags": ["rust"] })),
                vec![1],
            ),
            (
                Document::META.contains(json!({ "author": { "name": "Bob" } })),
                vec![2],
            ),
            (
                Document::META.contains(json!({ "draft": false })),
                vec![1, 3],
            ),
            (
                Document::EXTRA.contains(json!({ "labels": ["l2"] })),
                vec![3],
            ),
            (
                filter_from_json(&json!({ "meta": { "contains": { "stars": 3 } } })).unwrap(),
                vec![2],
            ),
        ];
        for (filter, expected) in cases {
            let found = ids(&db, filter).await;
            if dialect == "sqlite" {
                assert!(
                    matches!(
                        found,
                        Err(Error::Unsupported {
                            dialect: "sqlite",
                            ..
                        })
                    ),
                    "{found:?}"
                );
            } else {
                assert_eq!(found.unwrap(), expected, "{dialect}");
            }
        }
        let not_json = ids(&db, col("title").contains(json!({ "a": 1 }))).await;
        assert!(matches!(not_json, Err(Error::InvalidQuery(m)) if m.contains("not JSON")));
    })
    .await;
}
