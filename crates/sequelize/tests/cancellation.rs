//! Statements abandoned mid-flight (a `tokio::time::timeout` around a slow query, a dropped
//! transaction) on every dialect. MySQL's protocol matches replies to requests only by order,
//! so a connection whose statement was abandoned used to go back to the pool one reply behind:
//! the next `SELECT 2001` answered 2000, and a transaction reported as failed could have
//! committed. Every answer must now be the query's own, and every reported outcome must match
//! the table.

mod common;

use std::time::Duration;

use common::{dialects, isolated_options, q};
use rand::Rng;
use sequelize::prelude::*;
use sequelize::AssertSqlSafe;

/// A statement that answers `n` after a few milliseconds of server time (SQLite has no sleep
/// and runs statements to completion inline, so there it is only a query).
fn slow_query(db: &Sequelize) -> &'static str {
    match db.dialect().name() {
        "postgres" => "SELECT CAST(:n AS BIGINT) AS n FROM pg_sleep(0.004)",
        "mysql" | "mariadb" => "SELECT :n AS n FROM (SELECT SLEEP(0.004) AS s) AS slept",
        _ => "SELECT :n AS n",
    }
}

/// Runs `SELECT :n` and returns the answer.
async fn answer(exec: &impl Executor, sql: &'static str, n: i64) -> sequelize::Result<i64> {
    exec.query(sql)
        .replacements(Replacements::named().set("n", n))
        .plain()
        .await?
        .expect("one row")
        .get("n")
}

async fn stored_keys(db: &Sequelize) -> Vec<i64> {
    common::sorted_column(db, db, "outcomes", "k").await
}

#[tokio::test]
async fn cancelled_statements_never_leave_a_connection_out_of_step() {
    const ABANDONED: i64 = 120;
    const CHECKS: i64 = 300;
    const TRANSACTIONS: i64 = 80;
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let mut options = isolated_options(dialect, "out_of_step", true).await;
        options.pool.max = 3;
        let db = Sequelize::connect_with(options).await.unwrap();
        let slow = slow_query(&db);
        db.query_interface()
            .create_table(
                "outcomes",
                vec![sequelize::sql::ColumnDef::new("k", DataType::Integer)],
            )
            .await
            .unwrap();
        let mut rng = rand::rng();

        // Statements abandoned at random points: alone, and inside transactions that are
        // dropped with them.
        for i in 0..ABANDONED {
            let deadline = Duration::from_micros(rng.random_range(0..6000));
            let in_transaction = i % 2 == 0;
            let handle = db.clone();
            let _ = tokio::time::timeout(deadline, async move {
                if in_transaction {
                    let tx = handle.begin().await?;
                    answer(&tx, slow, 1_000_000 + i).await?;
                    tx.commit().await
                } else {
                    answer(&handle, slow, 1_000_000 + i).await.map(drop)
                }
            })
            .await;
        }

        // Every later query gets its own answer.
        for n in 0..CHECKS {
            let sql = if n % 3 == 0 { slow } else { "SELECT :n AS n" };
            assert_eq!(answer(&db, sql, 2000 + n).await.unwrap(), 2000 + n);
        }

        // Transactions with a statement abandoned inside them, then an insert and a commit:
        // what each reports must be what the table holds.
        let mut reported_committed = Vec::new();
        let mut reported_failed = Vec::new();
        for key in 0..TRANSACTIONS {
            let deadline = Duration::from_micros(rng.random_range(0..6000));
            let tx = db.begin().await.unwrap();
            let _ = tokio::time::timeout(deadline, answer(&tx, slow, 3000 + key)).await;
            let outcome = async {
                tx.query(AssertSqlSafe(format!(
                    "INSERT INTO {} ({}) VALUES (:k)",
                    q(&db, "outcomes"),
                    q(&db, "k")
                )))
                .replacements(Replacements::named().set("k", key))
                .exec()
                .await?;
                tx.commit().await
            }
            .await;
            match outcome {
                Ok(()) => reported_committed.push(key),
                Err(_) => {
                    tx.rollback().await.unwrap();
                    reported_failed.push(key);
                }
            }
            assert_eq!(
                answer(&db, "SELECT :n AS n", 4000 + key).await.unwrap(),
                4000 + key
            );
        }
        let stored = stored_keys(&db).await;
        assert_eq!(stored, reported_committed, "{dialect}: committed rows");
        println!(
            "{dialect}: {} transactions committed, {} failed after a cancelled statement",
            reported_committed.len(),
            reported_failed.len()
        );
        db.close().await.unwrap();
    }
}
