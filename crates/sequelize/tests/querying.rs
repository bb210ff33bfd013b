//! Querying beyond findAll on every dialect (issue 7, in progress): aggregates, findAndCountAll
//! and rejectOnEmpty.

mod common;

use common::{dialects, for_each_dialect, isolated_options};
use sequelize::prelude::*;
use sequelize::{AggregateFunction, Comparison, Error};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "players", underscored, paranoid)]
struct Player {
    id: i64,
    team: String,
    score: i32,
    rating: Option<Decimal>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
}

/// The ids of the players a finder returns, in its order.
async fn player_ids(
    db: &Sequelize,
    finder: sequelize::model::FindAll<Player>,
) -> Result<Vec<i64>, Error> {
    Ok(finder.exec(db).await?.iter().map(|p| p.id).collect())
}

async fn setup(db: &Sequelize) {
    db.define::<Player>().register().unwrap();
    db.sync(SyncOptions::default()).await.unwrap();
    let rows = [
        ("red", 3, Some("1.5")),
        ("red", 5, Some("2.25")),
        ("blue", 5, None),
        ("blue", 8, Some("4")),
        ("green", 1, Some("0.5")),
    ];
    for (team, score, rating) in rows {
        Player::create(Player {
            team: team.into(),
            score,
            rating: rating.map(|r| r.parse().unwrap()),
            ..Default::default()
        })
        .exec(db)
        .await
        .unwrap();
    }
    // A soft-deleted row, which no aggregate counts unless asked.
    Player::destroy()
        .filter(Player::TEAM.eq("green"))
        .exec(db)
        .await
        .unwrap();
}

#[tokio::test]
async fn count_max_min_sum() {
    for_each_dialect("querying_aggregates", |db| async move {
        setup(&db).await;
        assert_eq!(Player::count().exec(&db).await.unwrap(), 4);
        assert_eq!(Player::count().paranoid(false).exec(&db).await.unwrap(), 5);
        assert_eq!(
            Player::count()
                .filter(Player::TEAM.eq("red"))
                .exec(&db)
                .await
                .unwrap(),
            2
        );
        // COUNT(column) skips NULLs; DISTINCT counts values once.
        assert_eq!(
            Player::count()
                .column(Player::RATING)
                .exec(&db)
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            Player::count()
                .column(Player::TEAM)
                .distinct()
                .exec(&db)
                .await
                .unwrap(),
            2
        );
        assert_eq!(Player::max(Player::SCORE).exec(&db).await.unwrap(), Some(8));
        assert_eq!(
            Player::min(Player::SCORE)
                .filter(Player::TEAM.eq("blue"))
                .exec(&db)
                .await
                .unwrap(),
            Some(5)
        );
        assert_eq!(
            Player::min(Player::SCORE)
                .paranoid(false)
                .exec(&db)
                .await
                .unwrap(),
            Some(1)
        );
        assert_eq!(
            Player::sum(Player::SCORE).exec(&db).await.unwrap(),
            Some(21)
        );
        let total: Option<Decimal> = Player::sum(Player::RATING).exec(&db).await.unwrap();
        assert_eq!(total.map(|d| d.normalize()), Some("7.75".parse().unwrap()));
        assert_eq!(
            Player::max(Player::SCORE)
                .filter(Player::TEAM.eq("nobody"))
                .exec(&db)
                .await
                .unwrap(),
            None
        );
        // Order, limit and offset do not apply to an aggregate.
        assert_eq!(
            Player::count()
                .order(Player::SCORE.desc())
                .limit(1)
                .offset(3)
                .exec(&db)
                .await
                .unwrap(),
            4
        );
    })
    .await;
}

#[tokio::test]
async fn find_and_count_all_and_reject_on_empty() {
    for_each_dialect("querying_count_all", |db| async move {
        setup(&db).await;
        let page = Player::find_all()
            .filter(Player::SCORE.gte(3))
            .order(Player::SCORE.desc())
            .order(Player::ID.asc())
            .limit(2)
            .offset(1)
            .and_count()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(page.count, 4);
        let scores: Vec<i32> = page.rows.iter().map(|p| p.score).collect();
        assert_eq!(scores, [5, 5]);
        // `distinct: true` counts distinct keys (joins that repeat rows come with `include`).
        let distinct = Player::find_all()
            .filter(Player::SCORE.gte(3))
            .limit(1)
            .and_count()
            .distinct()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!((distinct.count, distinct.rows.len()), (4, 1));

        let found = Player::find_one()
            .filter(Player::TEAM.eq("blue"))
            .order(Player::SCORE.desc())
            .reject_on_empty()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(found.score, 8);
        let missing = Player::find_one()
            .filter(Player::TEAM.eq("nobody"))
            .reject_on_empty()
            .exec(&db)
            .await;
        assert!(matches!(missing, Err(Error::EmptyResult(m)) if m == "Player"));
        let deleted = Player::find_by_pk(5).reject_on_empty().exec(&db).await;
        assert!(
            matches!(deleted, Err(Error::EmptyResult(_))),
            "a soft-deleted row is not found"
        );
        assert_eq!(
            Player::find_by_pk(1)
                .reject_on_empty()
                .exec(&db)
                .await
                .unwrap()
                .team,
            "red"
        );
    })
    .await;
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "tags", underscored, timestamps = false)]
struct Tag {
    id: i64,
    #[attr(unique)]
    name: String,
}

/// findOrCreate under concurrency: 32 calls with one unique key create one row, and every
/// caller gets that row; inside a transaction a lost race leaves the transaction usable.
#[tokio::test]
async fn find_or_create_is_atomic() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        // A file database for SQLite, so the calls really run on several connections.
        let options = isolated_options(dialect, "find_or_create", true).await;
        let db = Sequelize::connect_with(options).await.unwrap();
        db.define::<Tag>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        let calls: Vec<_> = (0..32)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    let (tag, created) = Tag::find_or_create(
                        Tag::NAME.eq("rust"),
                        Tag {
                            name: "rust".into(),
                            ..Default::default()
                        },
                    )
                    .exec(&db)
                    .await
                    .unwrap();
                    (tag.id, created)
                })
            })
            .collect();
        let mut results = Vec::new();
        for call in calls {
            results.push(call.await.unwrap());
        }
        assert_eq!(Tag::count().exec(&db).await.unwrap(), 1, "one row");
        let id = results[0].0;
        assert!(results.iter().all(|(got, _)| *got == id), "{results:?}");
        assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);

        // Inside a transaction: found, then created, and the transaction goes on.
        let created = db
            .transaction(|tx| async move {
                let (found, created) = Tag::find_or_create(
                    Tag::NAME.eq("rust"),
                    Tag {
                        name: "rust".into(),
                        ..Default::default()
                    },
                )
                .exec(&tx)
                .await?;
                assert!(!created && found.id == id);
                let (sql, created) = Tag::find_or_create(
                    Tag::NAME.eq("sql"),
                    Tag {
                        name: "sql".into(),
                        ..Default::default()
                    },
                )
                .exec(&tx)
                .await?;
                assert!(created);
                Ok::<_, Error>(sql.id)
            })
            .await
            .unwrap();
        assert!(Tag::find_by_pk(created).exec(&db).await.unwrap().is_some());

        // findOrBuild builds without saving; findCreateFind finds what is there.
        let (mut built, was_built) = Tag::find_or_build(
            Tag::NAME.eq("go"),
            Tag {
                name: "go".into(),
                ..Default::default()
            },
        )
        .exec(&db)
        .await
        .unwrap();
        assert!(was_built && built.is_new_record());
        assert_eq!(Tag::count().exec(&db).await.unwrap(), 2, "not saved yet");
        built.save(&db).await.unwrap();
        let (found, created) = Tag::find_create_find(
            Tag::NAME.eq("go"),
            Tag {
                name: "go".into(),
                ..Default::default()
            },
        )
        .exec(&db)
        .await
        .unwrap();
        assert!(!created && found.id == built.id);
        db.close().await.unwrap();
    }
}

/// Operators beyond comparisons: BETWEEN, case-insensitive LIKE, startsWith/endsWith/substring
/// with `%` and `_` in the text matching themselves, and `eq(None)` as `IS NULL`.
#[tokio::test]
async fn text_and_range_operators() {
    for_each_dialect("querying_operators", |db| async move {
        setup(&db).await;
        for (team, score) in [("50%_off", 2), ("500 club", 4), ("Red Sox", 6)] {
            Player::create(Player {
                team: team.into(),
                score,
                ..Default::default()
            })
            .exec(&db)
            .await
            .unwrap();
        }
        let teams = |filter: sequelize::sql::Expr| {
            let db = db.clone();
            async move {
                let mut found: Vec<String> = Player::find_all()
                    .filter(filter)
                    .exec(&db)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|p| p.team.clone())
                    .collect();
                found.sort();
                found.dedup();
                found
            }
        };
        assert_eq!(
            teams(Player::SCORE.between(4, 5)).await,
            ["500 club", "blue", "red"]
        );
        assert_eq!(
            teams(Player::SCORE.not_between(2, 7)).await,
            ["blue"],
            "8 is outside; green's 1 is soft-deleted"
        );
        assert_eq!(teams(Player::TEAM.starts_with("50%")).await, ["50%_off"]);
        assert_eq!(teams(Player::TEAM.ends_with("_off")).await, ["50%_off"]);
        assert_eq!(teams(Player::TEAM.substring("0%_")).await, ["50%_off"]);
        assert_eq!(
            teams(Player::TEAM.starts_with("50")).await,
            ["50%_off", "500 club"]
        );
        assert_eq!(teams(Player::TEAM.ilike("red%")).await, ["Red Sox", "red"]);
        // Plain LIKE follows the database (SQLite ignores ASCII case, PostgreSQL does not,
        // MySQL follows the collation); ilike ignores case everywhere.
        assert_eq!(
            teams(Player::TEAM.not_ilike("%R%")).await,
            ["50%_off", "500 club", "blue"]
        );
        // `{ rating: null }`: a value-less comparison is IS NULL (typed columns say is_null()).
        assert_eq!(
            teams(col("rating").eq(Value::Null)).await,
            ["50%_off", "500 club", "Red Sox", "blue"]
        );
        assert_eq!(teams(col("rating").ne(Value::Null)).await, ["blue", "red"]);
        assert_eq!(
            teams(Player::RATING.is_null()).await,
            teams(col("rating").eq(Value::Null)).await
        );
    })
    .await;
}

/// Filters from JSON (what an HTTP handler receives) on every dialect: they select as the
/// typed filters do, and hostile shapes are errors before any SQL, with nothing changed
/// (security.md §1.4 W1–W7).
#[tokio::test]
async fn filters_from_json() {
    use sequelize::model::filter_from_json;
    use serde_json::json;
    for_each_dialect("querying_json_filters", |db| async move {
        setup(&db).await;
        let ids = |body: serde_json::Value| {
            let db = db.clone();
            async move {
                let filter = filter_from_json(&body)?;
                player_ids(
                    &db,
                    Player::find_all().filter(filter).order(Player::ID.asc()),
                )
                .await
            }
        };
        assert_eq!(ids(json!({ "team": "red" })).await.unwrap(), [1, 2]);
        assert_eq!(
            ids(json!({ "score": { "gte": 5 }, "team": { "ne": "red" } }))
                .await
                .unwrap(),
            [3, 4]
        );
        assert_eq!(
            ids(json!({ "or": [{ "team": ["red"] }, { "rating": null }] }))
                .await
                .unwrap(),
            [1, 2, 3]
        );
        assert_eq!(
            ids(json!({ "not": { "score": { "between": [3, 5] } } }))
                .await
                .unwrap(),
            [4]
        );
        // A number against a text attribute is compared as text (W2).
        assert_eq!(ids(json!({ "team": 0 })).await.unwrap(), Vec::<i64>::new());
        // An empty list matches nothing, NOT IN of it everything.
        assert_eq!(ids(json!({ "id": [] })).await.unwrap(), Vec::<i64>::new());
        assert_eq!(
            ids(json!({ "id": { "notIn": [] } })).await.unwrap(),
            [1, 2, 3, 4]
        );

        for (hostile, mentions) in [
            (json!({ "team": { "$ne": null } }), "filter.team.$ne"),
            (
                json!({ "team": { "malicious": "code" } }),
                "Player.team is STRING, not JSON, so the JSON path \"malicious\"",
            ),
            (json!({ "_connector": "OR 1=1 OR" }), "_connector"),
            (json!({ "score": "1 OR 1=1" }), "Player.score"),
            (json!({ "score": { "gt": { "x": 1 } } }), "an object"),
            (json!({}), "empty"),
        ] {
            let result = ids(hostile.clone()).await;
            assert!(
                matches!(&result, Err(Error::InvalidQuery(m)) if m.contains(mentions)),
                "{hostile}: {result:?}"
            );
        }
        // Update and destroy refuse an empty filter; nothing changed.
        let empty = filter_from_json(&json!({})).unwrap();
        assert!(Player::destroy()
            .filter(empty.clone())
            .exec(&db)
            .await
            .is_err());
        assert!(Player::update()
            .set(Player::SCORE, 0)
            .filter(empty)
            .exec(&db)
            .await
            .is_err());
        assert_eq!(Player::count().exec(&db).await.unwrap(), 4);
        assert_eq!(
            Player::sum(Player::SCORE).exec(&db).await.unwrap(),
            Some(21)
        );
    })
    .await;
}

/// A row lock outside a transaction would end with its statement: a typed error before any
/// SQL; inside one it runs (SQLite leaves the clause out: the transaction locks the database).
#[tokio::test]
async fn locks_need_a_transaction() {
    for_each_dialect("querying_locks", |db| async move {
        setup(&db).await;
        for lock in [Lock::Update, Lock::Share] {
            let outside = Player::find_all().lock(lock).exec(&db).await;
            assert!(
                matches!(&outside, Err(Error::InvalidQuery(m)) if m.contains("transaction")),
                "{outside:?}"
            );
            assert!(Player::find_by_pk(1).lock(lock).exec(&db).await.is_err());
            let tx = db.begin().await.unwrap();
            let locked = Player::find_by_pk(1).lock(lock).exec(&tx).await.unwrap();
            assert_eq!(locked.unwrap().id, 1);
            tx.commit().await.unwrap();
        }
    })
    .await;
}

/// Each lock option against a second transaction on the real server: a plain lock waits for
/// the holder, `skip_locked` reads past the locked row, `no_wait` fails at once with
/// `Error::Timeout`; PostgreSQL's key strengths let each other in. Where the database cannot
/// do an option, the error names the dialect before any SQL is sent.
#[tokio::test]
async fn lock_options_block_skip_or_fail() {
    for_each_dialect("querying_lock_options", |db| async move {
        setup(&db).await;
        let dialect = db.dialect().name();
        let holder = db.begin().await.unwrap();
        Player::find_by_pk(1)
            .lock(Lock::Update)
            .exec(&holder)
            .await
            .unwrap();
        if dialect == "sqlite" {
            // The whole database is the lock: there is nothing to skip, so asking is an error.
            for lock in [Lock::Update.skip_locked(), Lock::Update.no_wait()] {
                let refused = Player::find_all().lock(lock).exec(&holder).await;
                assert!(
                    matches!(
                        &refused,
                        Err(Error::Unsupported {
                            dialect: "sqlite",
                            ..
                        })
                    ),
                    "{refused:?}"
                );
            }
            holder.commit().await.unwrap();
            return;
        }
        let other = db.begin().await.unwrap();
        let skipped = Player::find_all()
            .order(Player::ID.asc())
            .lock(Lock::Update.skip_locked())
            .exec(&other)
            .await
            .unwrap();
        let ids: Vec<i64> = skipped.iter().map(|p| p.id).collect();
        assert_eq!(ids, [2, 3, 4], "{dialect}: the locked row is skipped");
        let failed = Player::find_by_pk(1)
            .lock(Lock::Update.no_wait())
            .exec(&other)
            .await;
        assert!(
            matches!(&failed, Err(Error::Timeout(_))),
            "{dialect}: {failed:?}"
        );
        other.rollback().await.unwrap();

        // A plain lock waits until the holder ends, then reads the row.
        let waiter = db.begin().await.unwrap();
        let waiting = tokio::spawn(async move {
            let row = Player::find_by_pk(1).lock(Lock::Update).exec(&waiter).await;
            waiter.rollback().await.unwrap();
            row
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!waiting.is_finished(), "{dialect}: the second lock waits");
        holder.commit().await.unwrap();
        let row = waiting.await.unwrap().unwrap();
        assert_eq!(row.map(|p| p.id), Some(1));

        if dialect == "postgres" {
            // FOR NO KEY UPDATE lets FOR KEY SHARE in, and keeps FOR SHARE out.
            let holder = db.begin().await.unwrap();
            Player::find_by_pk(1)
                .lock(Lock::NoKeyUpdate)
                .exec(&holder)
                .await
                .unwrap();
            let other = db.begin().await.unwrap();
            let key_share = Player::find_by_pk(1)
                .lock(Lock::KeyShare.no_wait())
                .exec(&other)
                .await;
            assert_eq!(key_share.unwrap().map(|p| p.id), Some(1));
            let share = Player::find_by_pk(1)
                .lock(Lock::Share.no_wait())
                .exec(&other)
                .await;
            assert!(matches!(&share, Err(Error::Timeout(_))), "{share:?}");
            other.rollback().await.unwrap();
            holder.commit().await.unwrap();
        } else {
            let tx = db.begin().await.unwrap();
            let refused = Player::find_all().lock(Lock::KeyShare).exec(&tx).await;
            assert!(
                matches!(&refused, Err(Error::Unsupported { dialect: d, .. }) if *d == dialect),
                "{refused:?}"
            );
            tx.rollback().await.unwrap();
        }
    })
    .await;
}

/// `count({ group })` and friends: one (group value, aggregate) pair per group, by group
/// value, with the filter and the paranoid rule applied; `aggregate(field, 'avg')` averages
/// integer columns to a fraction on every dialect.
#[tokio::test]
async fn grouped_and_generic_aggregates() {
    for_each_dialect("querying_grouped", |db| async move {
        setup(&db).await;
        let per_team = Player::count()
            .group_by(Player::TEAM)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(per_team, [("blue".to_string(), 2), ("red".to_string(), 2)]);
        let with_deleted = Player::count()
            .group_by(Player::TEAM)
            .paranoid(false)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(with_deleted.len(), 3, "{with_deleted:?}");
        let distinct_scores = Player::count()
            .column(Player::SCORE)
            .distinct()
            .group_by(Player::TEAM)
            .filter(Player::SCORE.gte(5))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            distinct_scores,
            [("blue".to_string(), 2), ("red".to_string(), 1)]
        );
        let totals = Player::sum(Player::SCORE)
            .group_by(Player::TEAM)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(
            totals,
            [("blue".to_string(), Some(13)), ("red".to_string(), Some(8))]
        );
        let mean: Option<f64> = Player::aggregate(Player::SCORE, AggregateFunction::Avg)
            .filter(Player::TEAM.eq("red"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(mean, Some(4.0));
        let means: Vec<(String, Option<f64>)> =
            Player::aggregate(Player::SCORE, AggregateFunction::Avg)
                .group_by(Player::TEAM)
                .exec(&db)
                .await
                .unwrap();
        assert_eq!(
            means,
            [
                ("blue".to_string(), Some(6.5)),
                ("red".to_string(), Some(4.0))
            ]
        );
        let none: Vec<(String, i64)> = Player::count()
            .group_by(Player::TEAM)
            .filter(Player::TEAM.eq("nobody"))
            .exec(&db)
            .await
            .unwrap();
        assert!(none.is_empty());
    })
    .await;
}

/// `{ a: { [Op.gt]: col('b') } }`: two columns of the row compared, attribute names mapped
/// to column names on both sides, an unknown one an error before any SQL.
#[tokio::test]
async fn columns_compare_with_columns() {
    for_each_dialect("querying_column_compare", |db| async move {
        setup(&db).await;
        let ids = |players: Vec<Instance<Player>>| players.iter().map(|p| p.id).collect::<Vec<_>>();
        let found = Player::find_all()
            .filter(
                Player::SCORE
                    .compare(Comparison::Gt, Player::ID)
                    .and(Player::ID.gte(3)),
            )
            .order(Player::ID.asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(ids(found), [3, 4]);
        // Both sides are underscored attributes: created_at/updated_at in the table.
        let touched = Player::find_all()
            .filter(Player::UPDATED_AT.compare(Comparison::Gte, Player::CREATED_AT))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(touched.len(), 4);
        let none = Player::find_all()
            .filter(col("score").compare(Comparison::Lte, col("id")))
            .exec(&db)
            .await
            .unwrap();
        assert!(none.is_empty());
        let unknown = Player::find_all()
            .filter(col("score").compare(Comparison::Eq, col("nope")))
            .exec(&db)
            .await;
        assert!(
            matches!(&unknown, Err(Error::InvalidQuery(m)) if m.contains("nope")),
            "{unknown:?}"
        );
    })
    .await;
}

/// `Op.regexp`, `notRegexp`, `iRegexp`, `notIRegexp` on every dialect (SQLite through the
/// function the driver registers): case follows the operator, not the column's collation
/// (MariaDB's default one ignores case); a bad pattern is the database's error, a hostile
/// one only a value.
#[tokio::test]
async fn regular_expressions() {
    for_each_dialect("querying_regexp", |db| async move {
        setup(&db).await;
        let ids = |filter: sequelize::sql::Expr| {
            let db = db.clone();
            async move {
                let finder = Player::find_all().filter(filter).order(Player::ID.asc());
                player_ids(&db, finder).await.unwrap()
            }
        };
        let dialect = db.dialect().name();
        assert_eq!(ids(Player::TEAM.regexp("^r.d$")).await, [1, 2], "{dialect}");
        assert!(
            ids(Player::TEAM.regexp("^R")).await.is_empty(),
            "{dialect}: case counts"
        );
        assert_eq!(ids(Player::TEAM.iregexp("^R")).await, [1, 2], "{dialect}");
        assert_eq!(
            ids(Player::TEAM.not_regexp("^b")).await,
            [1, 2],
            "{dialect}"
        );
        assert_eq!(
            ids(Player::TEAM.not_iregexp("^B")).await,
            [1, 2],
            "{dialect}"
        );
        assert!(ids(Player::TEAM.regexp("x' OR '1'='1")).await.is_empty());
        let from_json = sequelize::model::filter_from_json(&serde_json::json!({
            "team": { "iRegexp": "^BL" }
        }))
        .unwrap();
        assert_eq!(ids(from_json).await, [3, 4], "{dialect}");
        let bad = Player::find_all()
            .filter(Player::TEAM.regexp("(unclosed"))
            .exec(&db)
            .await;
        assert!(
            matches!(&bad, Err(Error::Database(_))),
            "{dialect}: {bad:?}"
        );
        assert_eq!(Player::count().exec(&db).await.unwrap(), 4);
    })
    .await;
}

#[derive(Model, Debug, Clone)]
#[model(table = "members", timestamps = false)]
struct Member {
    id: i64,
    email: String,
    #[attr(field = "pw_hash")]
    password: String,
}

/// `raw: true` with `attributes` and `attributes: { exclude }`: plain rows named by attribute
/// (a renamed column comes back under its attribute's name), readable typed and with serde;
/// an unknown name or excluding everything is an error before any SQL.
#[tokio::test]
async fn raw_rows_with_attributes_and_exclude() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Public {
        id: i64,
        email: String,
    }
    for_each_dialect("querying_raw_rows", |db| async move {
        db.define::<Member>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        for email in ["a@x.io", "b@x.io"] {
            let member = Member {
                id: 0,
                email: email.into(),
                password: "secret".into(),
            };
            Member::create(member).exec(&db).await.unwrap();
        }
        let rows = Member::find_all()
            .raw()
            .exclude(["password"])
            .order(Member::ID.asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].columns(), ["id", "email"]);
        assert_eq!(rows[1].get::<String>("email").unwrap(), "b@x.io");
        // plain: the first row only.
        let first = Member::find_all()
            .raw()
            .attributes(["email"])
            .order(Member::ID.desc())
            .plain(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.get::<String>("email").unwrap(), "b@x.io");
        let public: Vec<Public> = Member::find_all()
            .raw()
            .exclude(["password"])
            .filter(Member::EMAIL.eq("a@x.io"))
            .exec_as(&db)
            .await
            .unwrap();
        assert_eq!(
            public,
            [Public {
                id: 1,
                email: "a@x.io".into()
            }]
        );
        let renamed = Member::find_all()
            .raw()
            .attributes(["password", "id"])
            .limit(1)
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(renamed[0].columns(), ["password", "id"]);
        assert_eq!(renamed[0].get::<String>("password").unwrap(), "secret");
        let unknown = Member::find_all().raw().exclude(["passwd"]).exec(&db).await;
        assert!(
            matches!(&unknown, Err(Error::InvalidQuery(m)) if m.contains("passwd")),
            "{unknown:?}"
        );
        let nothing = Member::find_all()
            .raw()
            .attributes(["email"])
            .exclude(["email"])
            .exec(&db)
            .await;
        assert!(matches!(&nothing, Err(Error::InvalidQuery(m)) if m.contains("excluded")));
    })
    .await;
}

/// `order: [['rating', 'ASC NULLS LAST']]` in all four combinations on every dialect
/// (emulated on MySQL/MariaDB), and `order: sequelize.random()`.
#[tokio::test]
async fn order_nulls_first_last_and_random() {
    use sequelize::sql::{Expr, Function};
    for_each_dialect("querying_order_nulls", |db| async move {
        setup(&db).await;
        let dialect = db.dialect().name();
        let ids = |order: sequelize::sql::OrderBy| {
            let db = db.clone();
            async move { player_ids(&db, Player::find_all().order(order)).await }
        };
        let rating = || Player::RATING;
        assert_eq!(
            ids(rating().asc().nulls_first()).await.unwrap(),
            [3, 1, 2, 4],
            "{dialect}"
        );
        assert_eq!(
            ids(rating().asc().nulls_last()).await.unwrap(),
            [1, 2, 4, 3],
            "{dialect}"
        );
        assert_eq!(
            ids(rating().desc().nulls_first()).await.unwrap(),
            [3, 4, 2, 1],
            "{dialect}"
        );
        assert_eq!(
            ids(rating().desc().nulls_last()).await.unwrap(),
            [4, 2, 1, 3],
            "{dialect}"
        );
        // `order: [[fn('char_length', col('team')), 'DESC'], ['id', 'ASC']]`, and a literal.
        let by_length = Player::find_all()
            .order(Expr::function(Function::CharLength, [Expr::column("team")]).desc())
            .order(Player::ID.asc())
            .exec(&db)
            .await
            .unwrap();
        let teams: Vec<&str> = by_length.iter().map(|p| p.team.as_str()).collect();
        assert_eq!(teams, ["blue", "blue", "red", "red"], "{dialect}");
        let by_literal = Player::find_all()
            .order(sequelize::literal("score").desc())
            .order(Player::ID.asc())
            .exec(&db)
            .await
            .unwrap();
        let scores: Vec<i32> = by_literal.iter().map(|p| p.score).collect();
        assert_eq!(scores, [8, 5, 5, 3], "{dialect}");
        let mut shuffled = ids(Expr::random().asc()).await.unwrap();
        shuffled.sort_unstable();
        assert_eq!(shuffled, [1, 2, 3, 4]);
        // An expression with a bound value cannot be written twice on MySQL/MariaDB.
        let coalesced =
            Expr::function(Function::Coalesce, [Expr::column("rating"), Expr::value(0)]);
        let result = ids(coalesced.asc().nulls_last()).await;
        if dialect == "mysql" || dialect == "mariadb" {
            assert!(
                matches!(&result, Err(Error::Unsupported { .. })),
                "{result:?}"
            );
        } else {
            assert_eq!(result.unwrap(), [3, 1, 2, 4], "{dialect}");
        }
    })
    .await;
}

/// The usage guide's aggregation: `attributes` with `fn`/`col` under aliases, `where`,
/// `group` and `having: sequelize.where(fn('COUNT', …), { [Op.gt]: n })`, read typed and
/// with serde, on every dialect.
#[tokio::test]
async fn computed_attributes_group_and_having() {
    use sequelize::sql::{Expr, Function};
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct TeamStats {
        team: String,
        players: i64,
        #[serde(rename = "avgScore")]
        avg_score: f64,
    }
    for_each_dialect("querying_computed", |db| async move {
        setup(&db).await;
        let players = || Expr::function(Function::Count, [col("id").expr()]);
        let stats = || {
            Player::find_all()
                .raw()
                .attributes(["team"])
                .attribute(players(), "players")
                .attribute(
                    Expr::function(Function::Avg, [col("score").expr()]),
                    "avgScore",
                )
                .filter(Player::SCORE.gte(5))
                .group_by(Player::TEAM)
                .order(Player::TEAM.asc())
        };
        let rows = stats().exec(&db).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].columns(), ["team", "players", "avgScore"]);
        assert_eq!(rows[1].get::<i64>("players").unwrap(), 1);
        let typed: Vec<TeamStats> = stats().having(players().gt(1)).exec_as(&db).await.unwrap();
        assert_eq!(
            typed,
            [TeamStats {
                team: "blue".into(),
                players: 2,
                avg_score: 6.5
            }]
        );
        let unknown = Player::find_all()
            .raw()
            .attribute(Expr::function(Function::Max, [col("nope").expr()]), "m")
            .exec(&db)
            .await;
        assert!(matches!(&unknown, Err(Error::InvalidQuery(m)) if m.contains("nope")));
    })
    .await;
}

/// `instance.increment(field, { by })` / `decrement`: atomic in the database (concurrent
/// increments through separate copies of one instance all count), the new value and
/// `updatedAt` read back as saved values, other unsaved changes kept; a vanished row is
/// `Error::EmptyResult`.
#[tokio::test]
async fn instance_increment_and_decrement() {
    for_each_dialect("querying_instance_increment", |db| async move {
        setup(&db).await;
        let mut player = Player::find_by_pk(1).exec(&db).await.unwrap().unwrap();
        let before = player.updated_at;
        player.team = "purple".into();
        let copies: Vec<_> = (0..8).map(|_| player.clone()).collect();
        let tasks = copies.into_iter().map(|mut copy| {
            let db = db.clone();
            tokio::spawn(async move { copy.increment(Player::SCORE, 2, &db).await })
        });
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        player.decrement(Player::SCORE, 1, &db).await.unwrap();
        assert_eq!(player.score, 3 + 16 - 1);
        assert!(player.updated_at >= before);
        assert_eq!(player.changed(), ["team"], "the unsaved change is kept");
        let stored = Player::find_by_pk(1).exec(&db).await.unwrap().unwrap();
        assert_eq!((stored.score, stored.team.as_str()), (18, "red"));
        Player::destroy()
            .filter(Player::ID.eq(1))
            .force()
            .exec(&db)
            .await
            .unwrap();
        let gone = player.increment(Player::SCORE, 1, &db).await;
        assert!(matches!(&gone, Err(Error::EmptyResult(_))), "{gone:?}");
    })
    .await;
}

#[derive(Model, Debug, Clone)]
#[model(table = "flags", timestamps = false)]
struct Flag {
    id: i64,
    verified: Option<bool>,
}

/// `Op.is` / `Op.not` with `null`, `true`, `false` (typed and from JSON): `IS [NOT]
/// TRUE|FALSE|NULL`, where a `NULL` is neither true nor false, on every dialect.
#[tokio::test]
async fn is_and_is_not_with_booleans_and_null() {
    for_each_dialect("querying_is_not", |db| async move {
        db.define::<Flag>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        for verified in [Some(true), Some(false), None] {
            Flag::create(Flag { id: 0, verified })
                .exec(&db)
                .await
                .unwrap();
        }
        let ids = |filter: sequelize::sql::Expr| {
            let db = db.clone();
            async move {
                let found = Flag::find_all()
                    .filter(filter)
                    .order(Flag::ID.asc())
                    .exec(&db)
                    .await
                    .unwrap();
                found.iter().map(|f| f.id).collect::<Vec<_>>()
            }
        };
        let dialect = db.dialect().name();
        assert_eq!(ids(col("verified").is(Some(true))).await, [1], "{dialect}");
        assert_eq!(ids(col("verified").is(Some(false))).await, [2], "{dialect}");
        assert_eq!(ids(col("verified").is(None)).await, [3], "{dialect}");
        assert_eq!(
            ids(col("verified").is_not(Some(true))).await,
            [2, 3],
            "{dialect}"
        );
        assert_eq!(
            ids(col("verified").is_not(Some(false))).await,
            [1, 3],
            "{dialect}"
        );
        assert_eq!(ids(col("verified").is_not(None)).await, [1, 2], "{dialect}");
        let from_json = sequelize::model::filter_from_json(&serde_json::json!({
            "verified": { "not": true }
        }))
        .unwrap();
        assert_eq!(ids(from_json).await, [2, 3], "{dialect}");
        let bad = sequelize::model::filter_from_json(&serde_json::json!({
            "verified": { "is": "yes" }
        }));
        assert!(bad.unwrap_err().to_string().contains("verified.is"));
    })
    .await;
}
