//! The `retry` option on every dialect: a connect or a statement outside a transaction that
//! fails with an error the options match runs again, up to `max` tries; an error they do not
//! match, and a statement inside a transaction, fail at once; and a managed transaction that
//! lost a real deadlock runs again as a whole with `RetryOptions::run`.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{dialects, isolated_options, q};
use sequelize::prelude::*;
use sequelize::{AssertSqlSafe, ConnectionHooks, DatabaseError, Error, RetryMatch, RetryOptions};

/// Retry options for tests: `matching`, `max` tries, a wait of a millisecond.
fn retry(max: u32, matching: Vec<RetryMatch>) -> RetryOptions {
    RetryOptions {
        max,
        matching,
        backoff_base: Duration::from_millis(1),
        ..RetryOptions::default()
    }
}

/// An isolated database of `dialect` with `retry` and `hooks`, not connected yet.
async fn db_with(
    dialect: &str,
    test: &str,
    retry: RetryOptions,
    hooks: ConnectionHooks,
) -> Sequelize {
    let options = sequelize::Options {
        retry,
        hooks,
        ..isolated_options(dialect, test, true).await
    };
    Sequelize::new(options).unwrap()
}

/// A hook that refuses the first `failing` connects, and the count of connects tried.
fn refusing_connects(failing: usize) -> (ConnectionHooks, Arc<AtomicUsize>) {
    let connects = Arc::new(AtomicUsize::new(0));
    let counted = connects.clone();
    let hooks = ConnectionHooks::default().before_connect("refuse", move |_| {
        let n = counted.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move {
            match n <= failing {
                true => Err(Error::Connection(format!("connect {n} refused"))),
                false => Ok(()),
            }
        })
    });
    (hooks, connects)
}

/// A failed connect is retried when `Connection` is matched, until one succeeds; without a
/// match (the default) the first failure is the query's error.
#[tokio::test]
async fn failed_connects_are_retried_when_connection_errors_are_matched() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let (hooks, connects) = refusing_connects(2);
        let db = db_with(
            dialect,
            "retry_connect",
            retry(5, vec![RetryMatch::Connection]),
            hooks,
        )
        .await;
        let row = db.query("SELECT 2 AS two").plain().await.unwrap().unwrap();
        assert_eq!(row.get::<i64>("two").unwrap(), 2, "{dialect}");
        assert_eq!(
            connects.load(Ordering::SeqCst),
            3,
            "{dialect}: two refused, the third served"
        );
        db.close().await.unwrap();

        let (hooks, connects) = refusing_connects(2);
        let db = db_with(dialect, "retry_connect", RetryOptions::default(), hooks).await;
        let refused = db.query("SELECT 2 AS two").plain().await;
        assert!(
            matches!(&refused, Err(Error::Connection(m)) if m == "connect 1 refused"),
            "{dialect}: {refused:?}"
        );
        assert_eq!(
            connects.load(Ordering::SeqCst),
            1,
            "{dialect}: not retried by default"
        );
        db.close().await.unwrap();

        // `max` counts every try: three refusals exhaust three tries.
        let (hooks, connects) = refusing_connects(10);
        let db = db_with(
            dialect,
            "retry_connect",
            retry(3, vec![RetryMatch::Connection]),
            hooks,
        )
        .await;
        let refused = db.query("SELECT 2 AS two").plain().await;
        assert!(
            matches!(&refused, Err(Error::Connection(m)) if m == "connect 3 refused"),
            "{dialect}: {refused:?}"
        );
        assert_eq!(connects.load(Ordering::SeqCst), 3, "{dialect}");
        db.close().await.unwrap();
    }
}

/// A `beforeQuery` hook that fails the statements containing `marker` with `error` the
/// first `failing` times, and counts how often such a statement was tried.
fn failing_statements(
    marker: &'static str,
    failing: usize,
    error: fn() -> Error,
) -> (ConnectionHooks, Arc<AtomicUsize>) {
    let tries = Arc::new(AtomicUsize::new(0));
    let counted = tries.clone();
    let hooks = ConnectionHooks::default().before_query("fail", move |event| {
        let fails = event.sql.contains(marker) && {
            let n = counted.fetch_add(1, Ordering::SeqCst) + 1;
            n <= failing
        };
        Box::pin(async move {
            match fails {
                true => Err(error()),
                false => Ok(()),
            }
        })
    });
    (hooks, tries)
}

fn deadlock() -> Error {
    Error::Deadlock(DatabaseError::new("deadlock detected"))
}

/// A statement that fails with a matched error runs again (a write once: the failed tries
/// wrote nothing), through finders, writes and raw queries alike; inside a transaction the
/// same failure is returned at once; an error the options do not match is not retried.
#[tokio::test]
async fn statements_outside_a_transaction_are_retried_on_a_matched_error() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let (hooks, tries) = failing_statements("retried", 2, deadlock);
        let db = db_with(
            dialect,
            "retry_statement",
            retry(5, vec![RetryMatch::Deadlock]),
            hooks,
        )
        .await;
        let table = q(&db, "retried");
        db.query(AssertSqlSafe(format!("CREATE TABLE {table} (n INTEGER)")))
            .exec()
            .await
            .unwrap();
        tries.store(0, Ordering::SeqCst);
        db.query(AssertSqlSafe(format!("INSERT INTO {table} (n) VALUES (1)")))
            .exec()
            .await
            .unwrap();
        assert_eq!(
            tries.load(Ordering::SeqCst),
            3,
            "{dialect}: two deadlocks, then the insert"
        );
        tries.store(0, Ordering::SeqCst);
        let row = db
            .query(AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {table}")))
            .plain()
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.get::<i64>("n").unwrap(), 1, "{dialect}: written once");
        assert_eq!(
            tries.load(Ordering::SeqCst),
            3,
            "{dialect}: the read was retried too"
        );

        // Inside a transaction: not retried, the statement's error is the deadlock.
        tries.store(0, Ordering::SeqCst);
        let tx = db.begin().await.unwrap();
        let failed = tx
            .query(AssertSqlSafe(format!("INSERT INTO {table} (n) VALUES (2)")))
            .exec()
            .await;
        assert!(
            matches!(failed, Err(Error::Deadlock(_))),
            "{dialect}: {failed:?}"
        );
        assert_eq!(
            tries.load(Ordering::SeqCst),
            1,
            "{dialect}: one try in a transaction"
        );
        tx.rollback().await.unwrap();
        db.close().await.unwrap();

        // An error the options do not match fails at once.
        let (hooks, tries) = failing_statements("retried", 2, || {
            Error::Database(DatabaseError::new("syntax error"))
        });
        let db = db_with(
            dialect,
            "retry_statement",
            retry(5, vec![RetryMatch::Deadlock]),
            hooks,
        )
        .await;
        let failed = db.query("SELECT 1 AS retried").plain().await;
        assert!(
            matches!(failed, Err(Error::Database(_))),
            "{dialect}: {failed:?}"
        );
        assert_eq!(
            tries.load(Ordering::SeqCst),
            1,
            "{dialect}: not matched, not retried"
        );
        db.close().await.unwrap();
    }
}

/// Two transactions take two row locks in opposite orders, so the server picks one as a
/// deadlock's victim and rolls it back; `RetryOptions::run` runs that transaction again as
/// a whole, and both increments of each row are there once. SQLite has no deadlocks (one
/// writer at a time, the others wait for its lock); the hook-made failures above cover it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadlocked_transaction_runs_again_as_a_whole() {
    for dialect in dialects() {
        if dialect == "sqlite" {
            println!("--- dialect: sqlite has no deadlocks; covered by the hook-made failures");
            continue;
        }
        println!("--- dialect: {dialect}");
        let db = db_with(
            dialect,
            "retry_deadlock",
            RetryOptions::default(),
            ConnectionHooks::default(),
        )
        .await;
        let table = q(&db, "accounts");
        db.query(AssertSqlSafe(format!(
            "CREATE TABLE {table} (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"
        )))
        .exec()
        .await
        .unwrap();
        db.query(AssertSqlSafe(format!(
            "INSERT INTO {table} (id, n) VALUES (1, 0), (2, 0)"
        )))
        .exec()
        .await
        .unwrap();
        let barrier = Arc::new(tokio::sync::Barrier::new(2));
        let tries = Arc::new(AtomicUsize::new(0));
        let deadlocks = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for (first, second) in [(1, 2), (2, 1)] {
            let (db, table, barrier, tries, deadlocks) = (
                db.clone(),
                table.clone(),
                barrier.clone(),
                tries.clone(),
                deadlocks.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let retry = retry(
                    5,
                    vec![RetryMatch::Deadlock, RetryMatch::SerializationFailure],
                );
                let mut attempt = 0;
                retry
                    .run(|| {
                        attempt += 1;
                        tries.fetch_add(1, Ordering::SeqCst);
                        let (db, table, barrier, deadlocks) = (
                            db.clone(),
                            table.clone(),
                            barrier.clone(),
                            deadlocks.clone(),
                        );
                        let meet = attempt == 1;
                        async move {
                            let result = db
                                .transaction(|tx| async move {
                                    let bump = |id: i64| {
                                        AssertSqlSafe(format!(
                                            "UPDATE {table} SET n = n + 1 WHERE id = {id}"
                                        ))
                                    };
                                    tx.query(bump(first)).exec().await?;
                                    if meet {
                                        barrier.wait().await;
                                    }
                                    tx.query(bump(second)).exec().await?;
                                    Ok::<_, Error>(())
                                })
                                .await;
                            if matches!(result, Err(Error::Deadlock(_))) {
                                deadlocks.fetch_add(1, Ordering::SeqCst);
                            }
                            result
                        }
                    })
                    .await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(deadlocks.load(Ordering::SeqCst), 1, "{dialect}: one victim");
        assert_eq!(
            tries.load(Ordering::SeqCst),
            3,
            "{dialect}: the victim ran twice"
        );
        for id in [1, 2] {
            let row = db
                .query(AssertSqlSafe(format!(
                    "SELECT n FROM {table} WHERE id = {id}"
                )))
                .plain()
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.get::<i64>("n").unwrap(), 2, "{dialect}: row {id}");
        }
        db.close().await.unwrap();
    }
}
