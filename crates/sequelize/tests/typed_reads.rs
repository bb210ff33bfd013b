//! Typed finders read each field straight from the driver's row (`RowReader`), not through
//! a `Value`: on every dialect, and on MySQL with both protocols (a query without parameters
//! goes as text, one with parameters is prepared and answered in binary), the fields read
//! the same as the `Value` path reads them (the stream's path), and a value that does not
//! fit stops the read with an error naming the model and the field, leaving the connection
//! usable.

mod common;

use common::for_each_dialect;
use sequelize::prelude::*;
use sequelize::Error;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "readings", timestamps = false)]
struct Reading {
    id: i64,
    small: i16,
    count: i32,
    label: String,
    note: Option<String>,
    score: Option<i64>,
    day: Option<NaiveDate>,
}

/// The same table, read with a field too narrow for one of its rows.
#[derive(Model, Debug, Clone)]
#[model(table = "readings", timestamps = false)]
struct NarrowReading {
    id: i64,
    small: i16,
    count: i16,
}

/// The same table, read with a field that cannot hold `NULL`.
#[derive(Model, Debug, Clone)]
#[model(table = "readings", timestamps = false)]
struct StrictReading {
    id: i64,
    note: String,
}

fn readings() -> Vec<Reading> {
    vec![
        Reading {
            id: 1,
            small: i16::MIN,
            count: 12,
            label: "Zoë ✓".into(),
            note: None,
            score: Some(-9_007_199_254_740_993),
            day: NaiveDate::from_ymd_opt(2026, 12, 6),
        },
        Reading {
            id: 2,
            small: 7,
            count: 70_000,
            label: String::new(),
            note: Some("a note".into()),
            score: None,
            day: None,
        },
        Reading {
            id: 3,
            small: i16::MAX,
            count: i32::MIN,
            label: "plain".into(),
            note: Some(String::new()),
            score: Some(0),
            day: None,
        },
    ]
}

async fn setup(db: &Sequelize) {
    db.define::<Reading>().register().unwrap();
    db.define::<NarrowReading>().register().unwrap();
    db.define::<StrictReading>().register().unwrap();
    db.sync(SyncOptions::default()).await.unwrap();
    Reading::bulk_create(readings()).exec(db).await.unwrap();
}

fn data(found: Vec<Instance<Reading>>) -> Vec<Reading> {
    found.into_iter().map(Instance::into_inner).collect()
}

#[tokio::test]
async fn fields_read_from_the_driver_row_as_values_read_them() {
    for_each_dialect("typed_reads_same", |db| async move {
        let dialect = db.dialect().name();
        setup(&db).await;
        if matches!(dialect, "mysql" | "mariadb") {
            // MySQL's zero date stands for a missing date: it reads as `None`, as NULL does.
            let zero = "UPDATE `readings` SET `day` = '0000-00-00' WHERE `id` = 2";
            db.query(sequelize::AssertSqlSafe(zero))
                .exec()
                .await
                .unwrap();
        }
        // No parameters: MySQL's text protocol, every column sent as text.
        let text = data(
            Reading::find_all()
                .order(Reading::ID.asc())
                .exec(&db)
                .await
                .unwrap(),
        );
        assert_eq!(text, readings(), "{dialect}: without parameters");
        // With parameters: a prepared statement, answered in binary.
        let binary = Reading::find_all()
            .filter(Reading::ID.gte(0))
            .order(Reading::ID.asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(data(binary), readings(), "{dialect}: with parameters");
        // The stream reads through values: the same structs.
        let streamed: Vec<Instance<Reading>> = Reading::find_all()
            .order(Reading::ID.asc())
            .stream(&db)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(data(streamed), readings(), "{dialect}: streamed");
        let one = Reading::find_by_pk(2).exec(&db).await.unwrap().unwrap();
        assert_eq!(one.into_inner(), readings()[1], "{dialect}: by key");
    })
    .await;
}

#[tokio::test]
async fn a_value_that_does_not_fit_names_its_field_and_leaves_the_connection_usable() {
    for_each_dialect("typed_reads_misfit", |db| async move {
        let dialect = db.dialect().name();
        setup(&db).await;
        // One connection for every statement: the failed read must leave it in step.
        let tx = db.begin().await.unwrap();
        for filtered in [false, true] {
            let mut narrow = NarrowReading::find_all().order(NarrowReading::ID.asc());
            if filtered {
                narrow = narrow.filter(NarrowReading::ID.gte(0));
            }
            // The second of three rows holds 70,000 in `count`.
            let refused = narrow.exec(&tx).await;
            assert!(
                matches!(&refused, Err(Error::Decode(m))
                    if m.contains("NarrowReading.count") && m.contains("70000 does not fit in i16")),
                "{dialect} (filtered: {filtered}): {refused:?}"
            );
            let null = StrictReading::find_all()
                .order(StrictReading::ID.asc())
                .exec(&tx)
                .await;
            assert!(
                matches!(&null, Err(Error::Decode(m)) if m.contains("StrictReading.note")),
                "{dialect} (filtered: {filtered}): {null:?}"
            );
            let all = Reading::find_all().order(Reading::ID.asc()).exec(&tx).await;
            assert_eq!(data(all.unwrap()), readings(), "{dialect}: after the failures");
        }
        tx.commit().await.unwrap();
    })
    .await;
}
