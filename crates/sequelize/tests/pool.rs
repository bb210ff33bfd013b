//! The connection pool on every dialect: `max` holds under load, waiters are served when a
//! connection comes back, a cancelled or failed checkout gives its place back, `close` fails
//! the waiting checkouts, and `min` connections are opened and kept. (SQLite runs on a file:
//! an in-memory database has one connection.)

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{dialects, isolated_options};
use sequelize::prelude::*;
use sequelize::{ConnectionHooks, Error, PoolOptions};

/// A pool of `max` connections on an isolated database of `dialect`, with `hooks`.
async fn pool_of(
    dialect: &str,
    test: &str,
    pool: PoolOptions,
    hooks: ConnectionHooks,
) -> Sequelize {
    let options = sequelize::Options {
        pool,
        hooks,
        ..isolated_options(dialect, test, true).await
    };
    Sequelize::new(options).unwrap()
}

/// 24 tasks each hold a connection for a while over a pool of 3: every task is served, and
/// no more than 3 connections are ever open or lent at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_holds_under_load_and_every_waiter_is_served() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let pool = PoolOptions {
            max: 3,
            ..Default::default()
        };
        let db = pool_of(dialect, "pool_load", pool, ConnectionHooks::default()).await;
        let holding = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..24_i64 {
            let (db, holding, peak) = (db.clone(), holding.clone(), peak.clone());
            tasks.push(tokio::spawn(async move {
                let tx = db.begin().await?;
                let now = holding.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                assert!(db.pool_status().size <= 3, "{:?}", db.pool_status());
                let row = tx
                    .query("SELECT $1 AS n")
                    .bind(Bind::positional().push(i))
                    .plain()
                    .await?
                    .expect("one row");
                tokio::time::sleep(Duration::from_millis(5)).await;
                holding.fetch_sub(1, Ordering::SeqCst);
                tx.commit().await?;
                row.get::<i64>("n")
            }));
        }
        for (i, task) in tasks.into_iter().enumerate() {
            assert_eq!(task.await.unwrap().unwrap(), i as i64, "{dialect}");
        }
        assert_eq!(
            peak.load(Ordering::SeqCst),
            3,
            "{dialect}: peak of lent connections"
        );
        assert_eq!(db.pool_status().size, 3, "{dialect}");
        assert_eq!(db.pool_status().available, 3, "{dialect}");
        db.close().await.unwrap();
    }
}

/// A checkout cancelled while it waits for a connection, or while it opens one, leaves the
/// pool as it was: the places are there for the next checkouts, none is counted as open.
#[tokio::test]
async fn a_cancelled_checkout_gives_its_place_back() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let pool = PoolOptions {
            max: 2,
            acquire: Duration::from_secs(10),
            ..Default::default()
        };
        let db = pool_of(
            dialect,
            "pool_cancel",
            pool.clone(),
            ConnectionHooks::default(),
        )
        .await;
        let (first, second) = (db.begin().await.unwrap(), db.begin().await.unwrap());
        for _ in 0..5 {
            let waited = tokio::time::timeout(Duration::from_millis(20), db.begin()).await;
            assert!(
                waited.is_err(),
                "{dialect}: the pool is full, the checkout waits"
            );
        }
        first.commit().await.unwrap();
        second.commit().await.unwrap();
        let (first, second) = (db.begin().await.unwrap(), db.begin().await.unwrap());
        assert_eq!(db.pool_status().size, 2, "{dialect}");
        first.commit().await.unwrap();
        second.commit().await.unwrap();
        db.close().await.unwrap();

        // Cancelled mid-connect: a `beforeConnect` hook makes the connect slow.
        let slow = ConnectionHooks::default().before_connect("slow", |_| {
            Box::pin(async {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Ok(())
            })
        });
        let db = pool_of(dialect, "pool_cancel", pool, slow).await;
        let cut = tokio::time::timeout(Duration::from_millis(20), db.authenticate()).await;
        assert!(cut.is_err(), "{dialect}: the connect takes 200 ms");
        assert_eq!(
            db.pool_status().size,
            0,
            "{dialect}: the cut connect is not counted"
        );
        db.authenticate().await.unwrap();
        assert_eq!(db.pool_status().size, 1, "{dialect}");
        db.close().await.unwrap();
    }
}

/// A connect that fails while the pool already holds connections is reported to the caller
/// at once with its own error (not as a pool timeout), and its place is free again.
#[tokio::test]
async fn a_failed_connect_is_reported_and_frees_its_place() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let connects = Arc::new(AtomicUsize::new(0));
        let counted = connects.clone();
        let second_fails = ConnectionHooks::default().before_connect("second fails", move |_| {
            let n = counted.fetch_add(1, Ordering::SeqCst) + 1;
            Box::pin(async move {
                match n {
                    2 => Err(Error::Connection("the second connect is refused".into())),
                    _ => Ok(()),
                }
            })
        });
        let pool = PoolOptions {
            max: 2,
            acquire: Duration::from_secs(30),
            ..Default::default()
        };
        let db = pool_of(dialect, "pool_refused", pool, second_fails).await;
        let first = db.begin().await.unwrap();
        let refused = db.begin().await;
        assert!(
            matches!(&refused, Err(Error::Connection(m)) if m.contains("second connect")),
            "{dialect}: {refused:?}"
        );
        assert_eq!(db.pool_status().size, 1, "{dialect}");
        let second = db.begin().await.unwrap();
        assert_eq!(db.pool_status().size, 2, "{dialect}");
        assert_eq!(connects.load(Ordering::SeqCst), 3, "{dialect}");
        first.commit().await.unwrap();
        second.commit().await.unwrap();
        db.close().await.unwrap();
    }
}

/// `close()` fails the checkouts that wait for a connection with the closed error, and the
/// connection still lent out is closed when it comes back.
#[tokio::test]
async fn close_fails_the_waiting_checkouts() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let pool = PoolOptions {
            max: 1,
            acquire: Duration::from_secs(30),
            ..Default::default()
        };
        let closed = Arc::new(AtomicUsize::new(0));
        let counted = closed.clone();
        let hooks = ConnectionHooks::default().after_disconnect("count", move || {
            counted.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Ok(()) })
        });
        let db = pool_of(dialect, "pool_close", pool, hooks).await;
        let tx = db.begin().await.unwrap();
        let waiting = tokio::spawn({
            let db = db.clone();
            async move { db.authenticate().await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "{dialect}: the checkout waits");
        db.close().await.unwrap();
        let failed = waiting.await.unwrap();
        assert!(
            matches!(&failed, Err(Error::Connection(m)) if m.contains("closed")),
            "{dialect}: {failed:?}"
        );
        // The lent connection keeps working until it is given back.
        tx.query("SELECT 1 AS one").exec().await.unwrap();
        assert_eq!(closed.load(Ordering::SeqCst), 0, "{dialect}");
        tx.commit().await.unwrap();
        for _ in 0..100 {
            if closed.load(Ordering::SeqCst) == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(
            closed.load(Ordering::SeqCst),
            1,
            "{dialect}: closed on its return"
        );
    }
}

/// `min` connections are opened by the pool itself and kept when the others are closed for
/// idleness.
#[tokio::test]
async fn min_connections_are_opened_and_kept() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let pool = PoolOptions {
            max: 4,
            min: 2,
            idle: Duration::from_millis(60),
            evict: Duration::from_millis(20),
            ..Default::default()
        };
        let db = pool_of(dialect, "pool_min", pool, ConnectionHooks::default()).await;
        db.authenticate().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(db.pool_status().size, 2, "{dialect}: opened up to min");
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(db.begin().await.unwrap());
        }
        assert_eq!(db.pool_status().size, 4, "{dialect}");
        for tx in held {
            tx.commit().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(
            db.pool_status().size,
            2,
            "{dialect}: closed for idleness down to min"
        );
        assert_eq!(db.pool_status().available, 2, "{dialect}");
        db.close().await.unwrap();
    }
}

/// A connection the pool opens for `min` while `close()` runs is closed when its connect
/// ends, not kept idle in the closed pool (it used to stay open as long as anything held
/// the pool, here a transaction's connection).
#[tokio::test]
async fn close_while_the_pool_opens_min_connections() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let (connects, disconnects) =
            (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (connected, disconnected) = (connects.clone(), disconnects.clone());
        let hooks = ConnectionHooks::default()
            .before_connect("later ones are slow", move |_| {
                let n = connected.fetch_add(1, Ordering::SeqCst) + 1;
                Box::pin(async move {
                    if n > 1 {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    Ok(())
                })
            })
            .after_disconnect("count", move || {
                disconnected.fetch_add(1, Ordering::SeqCst);
                Box::pin(async { Ok(()) })
            });
        let pool = PoolOptions {
            max: 4,
            min: 2,
            ..Default::default()
        };
        let db = pool_of(dialect, "pool_close_min", pool, hooks).await;
        // The transaction's connection keeps the pool's shared state alive past `close`.
        let tx = db.begin().await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(
            connects.load(Ordering::SeqCst),
            2,
            "{dialect}: the second is opening"
        );
        db.close().await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            disconnects.load(Ordering::SeqCst),
            1,
            "{dialect}: the connection opened for min is closed"
        );
        tx.commit().await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(disconnects.load(Ordering::SeqCst), 2, "{dialect}");
    }
}

/// A connection the server closed while it sat idle (by its idle timeout: MariaDB's
/// `wait_timeout`, PostgreSQL's `idle_session_timeout`) is never lent: the pool pings a
/// connection that sat idle through a reaper pass, or knows it closed already, and opens a
/// new one, so the next query succeeds. Without `validate`, MariaDB's dead connection is
/// lent and the query fails; PostgreSQL's driver saw the server hang up, so it is replaced
/// either way. SQLite's connection stays the same one (its temporary table is still there).
#[tokio::test]
async fn a_connection_the_server_closed_while_idle_is_not_lent() {
    for dialect in dialects() {
        for validate in [true, false] {
            println!("--- dialect: {dialect}, validate: {validate}");
            let pool = PoolOptions {
                max: 1,
                evict: Duration::from_millis(100),
                validate,
                ..Default::default()
            };
            let db = pool_of(dialect, "pool_validate", pool, ConnectionHooks::default()).await;
            db.query("CREATE TEMPORARY TABLE session_marker (n INTEGER)")
                .exec()
                .await
                .unwrap();
            let idle_timeout = match dialect {
                "postgres" => Some("SET idle_session_timeout = 1000"),
                "mariadb" | "mysql" => Some("SET SESSION wait_timeout = 1"),
                _ => None,
            };
            if let Some(sql) = idle_timeout {
                db.query(sql).exec().await.unwrap();
            }
            tokio::time::sleep(Duration::from_millis(1_800)).await;
            let next = db.query("SELECT 1 AS one").plain().await;
            let marker = db
                .query("SELECT COUNT(*) AS n FROM session_marker")
                .plain()
                .await;
            match (dialect, validate) {
                ("sqlite", _) => {
                    assert!(next.is_ok(), "{dialect}: {next:?}");
                    assert!(marker.is_ok(), "{dialect}: the same connection: {marker:?}");
                }
                ("mariadb" | "mysql", false) => {
                    assert!(
                        matches!(next, Err(Error::Connection(_))),
                        "{dialect}: {next:?}"
                    );
                }
                _ => {
                    assert!(next.is_ok(), "{dialect}: {next:?}");
                    assert!(
                        marker.is_err(),
                        "{dialect}: a new session has no marker table"
                    );
                }
            }
            assert_eq!(db.pool_status().size, 1, "{dialect}");
            db.close().await.unwrap();
        }
    }
}
