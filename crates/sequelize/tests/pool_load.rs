//! The pool under load on every dialect at once: 64 tasks over a pool of 8 for 30 seconds
//! (`SEQUELIZE_LOAD_SECONDS` changes the time), each task reading, writing in transactions
//! and holding connections: no statement fails, never more than 8 connections are open, every
//! connection is back in the pool at the end (none leaked), and every row a committed
//! transaction wrote is there. A checkout that waits past `acquire` fails with
//! `PoolTimeout` instead of hanging.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{dialects, isolated_options, q};
use sequelize::prelude::*;
use sequelize::{AssertSqlSafe, Error, PoolOptions};

const TASKS: i64 = 64;
const MAX: u32 = 8;

/// The load on one dialect: returns the transactions committed.
async fn load(dialect: &'static str, seconds: u64) -> u64 {
    let options = sequelize::Options {
        pool: PoolOptions {
            max: MAX,
            acquire: Duration::from_secs(30),
            ..Default::default()
        },
        ..isolated_options(dialect, "pool_load_30s", true).await
    };
    let db = Sequelize::connect_with(options).await.unwrap();
    let table = q(&db, "ledger");
    db.query(AssertSqlSafe(format!(
        "CREATE TABLE {table} (task INTEGER NOT NULL, n INTEGER NOT NULL)"
    )))
    .exec()
    .await
    .unwrap();
    let committed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let (db, table, committed) = (db.clone(), table.clone(), committed.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0_i64;
            while Instant::now() < deadline {
                n += 1;
                let open = db.pool_status().size;
                assert!(open <= MAX, "{dialect}: {open} connections open");
                db.transaction(|tx| {
                    let table = table.clone();
                    async move {
                        tx.query(AssertSqlSafe(format!(
                            "INSERT INTO {table} (task, n) VALUES ($1, $2)"
                        )))
                        .bind(Bind::positional().push(task).push(n))
                        .exec()
                        .await?;
                        Ok::<_, Error>(())
                    }
                })
                .await
                .unwrap_or_else(|e| panic!("{dialect}: task {task}, transaction {n}: {e}"));
                committed.fetch_add(1, Ordering::SeqCst);
                let row = db
                    .query(AssertSqlSafe(format!(
                        "SELECT COUNT(*) AS c FROM {table} WHERE task = $1"
                    )))
                    .bind(Bind::positional().push(task))
                    .plain()
                    .await
                    .unwrap_or_else(|e| panic!("{dialect}: task {task}, read {n}: {e}"))
                    .unwrap();
                assert_eq!(row.get::<i64>("c").unwrap(), n, "{dialect}: task {task}");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let status = db.pool_status();
    assert!(status.size <= MAX, "{dialect}: {status:?}");
    assert_eq!(
        status.available, status.size,
        "{dialect}: every connection came back"
    );
    let row = db
        .query(AssertSqlSafe(format!("SELECT COUNT(*) AS c FROM {table}")))
        .plain()
        .await
        .unwrap()
        .unwrap();
    let committed = committed.load(Ordering::SeqCst);
    assert_eq!(
        row.get::<i64>("c").unwrap() as u64,
        committed,
        "{dialect}: every committed row"
    );
    db.close().await.unwrap();
    committed
}

/// Each dialect on a runtime of its own (as a service has), all at once to keep the time
/// down: SQLite's statements run on their runtime's workers, and would otherwise take turns
/// with the servers' tasks.
#[test]
fn sixty_four_tasks_over_a_pool_of_eight() {
    let seconds = std::env::var("SEQUELIZE_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let runs: Vec<_> = dialects()
        .into_iter()
        .map(|dialect| {
            std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap();
                (dialect, runtime.block_on(load(dialect, seconds)))
            })
        })
        .collect();
    for run in runs {
        let (dialect, committed) = run.join().unwrap();
        println!("{dialect}: {committed} transactions committed in {seconds} s by {TASKS} tasks over {MAX} connections");
        assert!(
            committed >= TASKS as u64,
            "{dialect}: every task committed at least once"
        );
    }
}

/// A checkout that cannot get a connection within `acquire` fails with `PoolTimeout` at
/// that time, on every dialect, while the pool is held by a transaction.
#[tokio::test]
async fn a_checkout_past_acquire_is_a_pool_timeout_not_a_hang() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let acquire = Duration::from_millis(200);
        let options = sequelize::Options {
            pool: PoolOptions {
                max: 1,
                acquire,
                ..Default::default()
            },
            ..isolated_options(dialect, "pool_load_timeout", true).await
        };
        let db = Sequelize::connect_with(options).await.unwrap();
        let tx = db.begin().await.unwrap();
        let started = Instant::now();
        let waited = tokio::time::timeout(Duration::from_secs(5), db.authenticate()).await;
        let elapsed = started.elapsed();
        assert!(
            matches!(waited, Ok(Err(Error::PoolTimeout(t))) if t == acquire),
            "{dialect}: {waited:?}"
        );
        assert!(
            elapsed >= acquire,
            "{dialect}: failed after {elapsed:?}, before acquire"
        );
        tx.rollback().await.unwrap();
        db.authenticate().await.unwrap();
        db.close().await.unwrap();
    }
}
