//! SQLite lock waits must not block the async runtime (SQLite only: the servers wait for
//! locks on their side of the socket).
//!
//! SQLite's busy handler used to sleep inside the statement, on the Tokio worker running it.
//! With as many waiting tasks as workers, the task holding the write lock could not reach its
//! `COMMIT`, no `tokio::time::timeout` could fire, and everything stalled for the 5 s busy
//! timeout and then failed with "database is locked".

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::isolated_options;
use sequelize::prelude::*;
use sequelize::{TransactionOptions, TransactionType};

const TASKS: u64 = 16;
const ROUNDS: u64 = 10;
const COUNTERS: i64 = 4;
const DEADLINE: Duration = Duration::from_millis(150);
const TOLERANCE: Duration = Duration::from_millis(50);

/// One write transaction: every counter goes up by one, and the write lock is held for
/// `hold` before `COMMIT`.
async fn bump_all(
    db: &Sequelize,
    transaction_type: TransactionType,
    hold: Duration,
) -> sequelize::Result<()> {
    let tx = db
        .begin_with(TransactionOptions {
            transaction_type: Some(transaction_type),
            ..Default::default()
        })
        .await?;
    for id in 1..=COUNTERS {
        tx.query("UPDATE counters SET n = n + 1 WHERE id = :id")
            .replacements(Replacements::named().set("id", id))
            .exec()
            .await?;
    }
    tokio::time::sleep(hold).await;
    tx.commit().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lock_waits_yield_to_the_runtime() {
    let mut options = isolated_options("sqlite", "locking", true).await;
    options.pool.max = TASKS as u32 + 2;
    let db = Sequelize::connect_with(options).await.unwrap();
    db.query("CREATE TABLE counters (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        .exec()
        .await
        .unwrap();
    for id in 1..=COUNTERS {
        db.query("INSERT INTO counters (id, n) VALUES (:id, 0)")
            .replacements(Replacements::named().set("id", id))
            .exec()
            .await
            .unwrap();
    }
    // The write lock is held while every task starts, so the first timed transactions wait
    // past their deadline whatever the scheduling.
    let blocker = db
        .begin_with(TransactionOptions {
            transaction_type: Some(TransactionType::Immediate),
            ..Default::default()
        })
        .await
        .unwrap();
    blocker
        .query("UPDATE counters SET n = n + 1")
        .exec()
        .await
        .unwrap();
    let committed = Arc::new(AtomicU64::new(0));
    let timed_out = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let (db, committed, timed_out) = (db.clone(), committed.clone(), timed_out.clone());
        tasks.push(tokio::spawn(async move {
            // One task holds the write lock for long stretches, so waiting is certain.
            let hog = task == 0;
            let timed = task % 4 == 1;
            for round in 0..ROUNDS {
                let transaction_type = if round % 2 == 0 {
                    TransactionType::Immediate
                } else {
                    TransactionType::Deferred
                };
                let hold = Duration::from_millis(if hog && round < 4 { 250 } else { 1 });
                let work = bump_all(&db, transaction_type, hold);
                if timed {
                    let started = Instant::now();
                    match tokio::time::timeout(DEADLINE, work).await {
                        Ok(outcome) => outcome.unwrap(),
                        Err(_) => {
                            let late = started.elapsed().saturating_sub(DEADLINE);
                            assert!(
                                late < TOLERANCE,
                                "a timeout fired {late:?} after its deadline"
                            );
                            timed_out.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                    }
                } else {
                    work.await
                        .unwrap_or_else(|e| panic!("task {task} round {round}: {e}"));
                }
                committed.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(250)).await;
    blocker.commit().await.unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    // The blocker's commit counts too.
    let committed = committed.load(Ordering::Relaxed) + 1;
    let timed_out = timed_out.load(Ordering::Relaxed);
    println!("{committed} transactions committed, {timed_out} timed out while waiting");
    assert!(
        timed_out > 0,
        "the long-held lock should make some 150 ms timeouts fire"
    );
    assert_eq!(committed - 1 + timed_out, TASKS * ROUNDS);
    let rows = db
        .query("SELECT n FROM counters ORDER BY id")
        .all()
        .await
        .unwrap();
    for row in rows {
        assert_eq!(
            row.get::<u64>("n").unwrap(),
            committed,
            "an update was lost"
        );
    }
    db.close().await.unwrap();
}

/// SQLite statements run inline, and one that gets its lock at once never waits: a task
/// running them back to back would keep its worker for as long as it liked. They take
/// their share of Tokio's cooperative budget instead, so such a task yields every so many
/// statements and the tasks beside it run (here: a ticker on the same single-threaded
/// runtime, which got no turn at all before).
#[tokio::test(flavor = "current_thread")]
async fn statements_back_to_back_yield_to_other_tasks() {
    let db = Sequelize::connect_with(isolated_options("sqlite", "sqlite_budget", true).await)
        .await
        .unwrap();
    let ticks = Arc::new(AtomicU64::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            loop {
                ticks.fetch_add(1, Ordering::SeqCst);
                tokio::task::yield_now().await;
            }
        })
    };
    // Let the ticker start, then run 2,000 statements without awaiting anything else.
    tokio::task::yield_now().await;
    let before = ticks.load(Ordering::SeqCst);
    for _ in 0..2_000 {
        db.query("SELECT 1 AS one").plain().await.unwrap();
    }
    let during = ticks.load(Ordering::SeqCst) - before;
    ticker.abort();
    assert!(
        during >= 10,
        "the ticker ran {during} times during 2,000 statements"
    );
    db.close().await.unwrap();
}
