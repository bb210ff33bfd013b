//! PostgreSQL arrays (issue 7, item 2: `Op.contains`, `Op.contained`, `Op.overlap`): array
//! attributes round-trip and filter on PostgreSQL; every other dialect refuses them with an
//! error naming itself, before any SQL.

mod common;

use common::for_each_dialect;
use sequelize::model::filter_from_json;
use sequelize::prelude::*;
use sequelize::sql::Expr;
use sequelize::{Comparison, Error};
use serde_json::json;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "articles", timestamps = false)]
struct Article {
    id: i64,
    tags: Vec<String>,
    scores: Option<Vec<i32>>,
    marks: Vec<Option<i64>>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn ids(db: &Sequelize, filter: Expr) -> Result<Vec<i64>, Error> {
    let found = Article::find_all()
        .filter(filter)
        .order(Article::ID.asc())
        .exec(db)
        .await?;
    Ok(found.iter().map(|a| a.id).collect())
}

#[tokio::test]
async fn arrays_round_trip_and_filter_on_postgres() {
    for_each_dialect("arrays", |db| async move {
        db.define::<Article>().register().unwrap();
        let dialect = db.dialect().name();
        if dialect != "postgres" {
            let refused = db.sync(SyncOptions::default()).await;
            assert!(
                matches!(&refused, Err(Error::Unsupported { dialect: d, feature })
                    if *d == dialect && feature.contains("ARRAY")),
                "{dialect}: {refused:?}"
            );
            return;
        }
        db.sync(SyncOptions::default()).await.unwrap();
        let rows = [
            (strings(&["rust", "orm"]), Some(vec![1, 2, 3]), vec![Some(1), None]),
            (strings(&["go"]), None, vec![]),
            (strings(&["rust", "sql", "it's \"quoted\""]), Some(vec![]), vec![None]),
        ];
        for (tags, scores, marks) in rows.clone() {
            Article::create(Article { id: 0, tags, scores, marks })
                .exec(&db)
                .await
                .unwrap();
        }
        // Round trip, NULL elements and empty arrays included.
        let all = Article::find_all().order(Article::ID.asc()).exec(&db).await.unwrap();
        for (article, (tags, scores, marks)) in all.iter().zip(rows) {
            assert_eq!((&article.tags, &article.scores, &article.marks), (&tags, &scores, &marks));
        }
        let cases: Vec<(Expr, Vec<i64>)> = vec![
            (Article::TAGS.contains(strings(&["rust"])), vec![1, 3]),
            (Article::TAGS.contains(strings(&["rust", "sql"])), vec![3]),
            (Article::TAGS.contains(vec![]), vec![1, 2, 3]),
            (Article::TAGS.contained(strings(&["go", "rust", "orm"])), vec![1, 2]),
            (Article::TAGS.overlap(strings(&["go", "sql"])), vec![2, 3]),
            (Article::TAGS.overlap(strings(&["it's \"quoted\""])), vec![3]),
            (Article::SCORES.contains(vec![2]), vec![1]),
            (Article::SCORES.overlap(vec![9]), vec![]),
            (Article::SCORES.is_null(), vec![2]),
            (col("tags").overlap(vec!["orm".to_string()]), vec![1]),
            // A whole array compared for equality.
            (Article::TAGS.eq(strings(&["go"])), vec![2]),
            // `Op.any` over values works on array attributes as on any other.
            (Article::ID.any(Comparison::Eq, [1, 3]), vec![1, 3]),
        ];
        for (filter, expected) in cases {
            let shown = format!("{filter:?}");
            assert_eq!(ids(&db, filter).await.unwrap(), expected, "{shown}");
        }
        // From data: the attribute's type makes `contains` the array operator, and the
        // JSON array's elements take the element type.
        for (filter, expected) in [
            (json!({ "tags": { "contains": ["rust"] } }), vec![1, 3]),
            (json!({ "tags": { "overlap": ["go", "orm"] } }), vec![1, 2]),
            (json!({ "scores": { "contained": [1, 2, 3, 4] } }), vec![1, 3]),
        ] {
            let shown = filter.to_string();
            let filter = filter_from_json(&filter).unwrap();
            assert_eq!(ids(&db, filter).await.unwrap(), expected, "{shown}");
        }
        // Wrong element types and non-array attributes are refused before any SQL.
        let wrong = filter_from_json(&json!({ "scores": { "overlap": ["x"] } })).unwrap();
        assert!(matches!(ids(&db, wrong).await, Err(Error::InvalidQuery(m)) if m.contains("Article.scores")));
        let not_array = ids(&db, col("id").overlap(vec![1])).await;
        assert!(matches!(not_array, Err(Error::InvalidQuery(m)) if m.contains("not an ARRAY")));
    })
    .await;
}
