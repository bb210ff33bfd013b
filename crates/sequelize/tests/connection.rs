//! The Sequelize handle on every dialect: options, logging and benchmark, authenticate,
//! close, and file-backed SQLite.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{dialects, isolated_options};
use sequelize::prelude::*;
use sequelize::{Error, Logging};

/// One logged statement and its elapsed time.
type Logged = (String, Option<Duration>);

#[tokio::test]
async fn logging_shows_sql_and_timings_but_never_values() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let logged: Arc<Mutex<Vec<Logged>>> = Arc::default();
        let sink = logged.clone();
        let mut options = isolated_options(dialect, "logging", false).await;
        options.logging =
            Logging::custom(move |sql, took| sink.lock().unwrap().push((sql.to_owned(), took)));
        options.benchmark = true;
        let db = Sequelize::connect_with(options).await.unwrap();
        db.query("SELECT $1 AS secret")
            .bind(Bind::positional().push("top-secret-value"))
            .exec()
            .await
            .unwrap();
        let entries = logged.lock().unwrap().clone();
        let (sql, took) = entries.last().expect("the statement was logged");
        assert!(sql.starts_with("SELECT "), "{sql}");
        assert!(!sql.contains("top-secret-value"));
        assert!(took.is_some(), "benchmark passes the elapsed time");
        assert!(
            entries.iter().any(|(s, _)| s == "SELECT 1+1 AS result"),
            "authenticate"
        );
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn close_ends_the_instance() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let options = isolated_options(dialect, "close", false).await;
        let db = Sequelize::new(options).unwrap();
        assert!(!db.is_closed());
        db.authenticate().await.unwrap();
        db.close().await.unwrap();
        assert!(db.is_closed());
        let err = db.authenticate().await.unwrap_err();
        assert!(
            matches!(&err, Error::Connection(m) if m.contains("closed")),
            "{err}"
        );
    }
}

#[tokio::test]
async fn options_mirror_sequelize_names() {
    let path =
        std::env::temp_dir().join(format!("sequelize-options-{}.sqlite", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let acquire = Duration::from_millis(300);
    let db = Sequelize::connect_with(Options {
        dialect: Some("sqlite".into()),
        storage: Some(path.display().to_string()),
        pool: PoolOptions {
            max: 2,
            min: 1,
            idle: Duration::from_millis(200),
            acquire,
            evict: Duration::from_millis(50),
            validate: true,
        },
        logging: Logging::Off,
        ..Default::default()
    })
    .await
    .unwrap();
    db.query("CREATE TABLE t (x INTEGER)").exec().await.unwrap();

    // max: two connections at most; acquire: a third waits that long, then fails.
    let first = db.begin().await.unwrap();
    let second = db.begin().await.unwrap();
    assert_eq!(db.pool_status().size, 2);
    let started = std::time::Instant::now();
    let third = db.begin().await;
    assert!(
        matches!(third, Err(Error::PoolTimeout(t)) if t == acquire),
        "{third:?}"
    );
    assert!(started.elapsed() >= acquire);
    first.commit().await.unwrap();
    second.commit().await.unwrap();
    assert_eq!(db.pool_status().available, 2);

    // idle and evict: idle connections are closed after `idle`, checked every `evict`, down
    // to min.
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        db.pool_status().size,
        1,
        "idle connections above min are closed"
    );
    db.close().await.unwrap();
    assert_eq!(db.pool_status().size, 0);
    assert!(path.exists(), "storage names the SQLite file");

    let reopened = Sequelize::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    reopened.query("SELECT x FROM t").exec().await.unwrap();
    reopened.close().await.unwrap();

    let bad_pool = Sequelize::new(Options {
        dialect: Some("sqlite".into()),
        pool: PoolOptions {
            min: 3,
            max: 2,
            ..Default::default()
        },
        ..Default::default()
    });
    assert!(matches!(bad_pool, Err(Error::Config(m)) if m.contains("pool.min")));
    let no_dialect = Sequelize::new(Options::default());
    assert!(matches!(no_dialect, Err(Error::Config(m)) if m.contains("dialect")));
}

/// The embedded default must not lose data: an in-memory database lives in its one pooled
/// connection, which used to be closed after `idle` without queries (and at the pool's maximum
/// lifetime, or after a failed COMMIT), so the next query opened a new, empty database. It
/// now survives an idle period longer than `idle` and `evict`, and a failed COMMIT is rolled
/// back in place. The same holds for a named, shared-cache in-memory database. (SQLite only:
/// no server database lives in its connection.)
#[tokio::test]
async fn in_memory_databases_survive_idleness_and_failed_commits() {
    for url in [
        "sqlite::memory:",
        "sqlite:file:sequelize_kept?mode=memory&cache=shared",
    ] {
        println!("--- {url}");
        let db = Sequelize::connect_with(Options {
            url: Some(url.into()),
            pool: PoolOptions {
                idle: Duration::from_millis(50),
                evict: Duration::from_millis(20),
                ..Default::default()
            },
            logging: Logging::Off,
            ..Default::default()
        })
        .await
        .unwrap();
        db.query(
            "CREATE TABLE kept (id INTEGER PRIMARY KEY, parent INTEGER \
             REFERENCES kept (id) DEFERRABLE INITIALLY DEFERRED)",
        )
        .exec()
        .await
        .unwrap();
        db.query("INSERT INTO kept (id) VALUES (1)")
            .exec()
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(
            common::count_rows(&db, &db, "kept").await,
            1,
            "{url}: lost after an idle period"
        );

        // A deferred foreign key fails at COMMIT, which leaves SQLite inside the transaction.
        let tx = db.begin().await.unwrap();
        tx.query("INSERT INTO kept (id, parent) VALUES (2, 99)")
            .exec()
            .await
            .unwrap();
        let commit = tx.commit().await;
        assert!(
            matches!(commit, Err(Error::ForeignKeyConstraint { .. })),
            "{url}: {commit:?}"
        );
        assert_eq!(
            common::count_rows(&db, &db, "kept").await,
            1,
            "{url}: lost after a failed commit"
        );
        db.query("INSERT INTO kept (id) VALUES (3)")
            .exec()
            .await
            .unwrap();
        assert_eq!(common::count_rows(&db, &db, "kept").await, 2);

        // A transaction dropped without commit is rolled back, not the database replaced.
        let tx = db.begin().await.unwrap();
        tx.query("INSERT INTO kept (id) VALUES (4)")
            .exec()
            .await
            .unwrap();
        drop(tx);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            common::count_rows(&db, &db, "kept").await,
            2,
            "{url}: after a dropped transaction"
        );
        db.close().await.unwrap();
    }
}

/// `beforeConnect`, `afterConnect`, `beforePoolAcquire` and `afterPoolAcquire` (issue 8,
/// item 4: hooks of the Sequelize instance): a session setting made by `afterConnect` is
/// seen by the queries; an error of `beforeConnect` fails the connection; the connect hooks
/// run for every new connection, the acquire hooks for every checkout.
#[tokio::test]
async fn connection_hooks_run_for_each_new_connection() {
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let (set, read) = match dialect {
            "postgres" => (
                "SET application_name = 'hooked'",
                "SELECT current_setting('application_name') AS v",
            ),
            "sqlite" => ("PRAGMA application_id = 7", "PRAGMA application_id"),
            _ => ("SET @hooked = 'hooked'", "SELECT @hooked AS v"),
        };
        let connects = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let acquired = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let acquired_count = acquired.clone();
        let counted = connects.clone();
        let hooks = sequelize::ConnectionHooks::default()
            .before_connect("count", move |_| {
                counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Box::pin(async { Ok(()) })
            })
            .after_connect("session", move |conn, _| Box::pin(conn.execute_batch(set)))
            .before_pool_acquire("count", move || {
                acquired_count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Box::pin(async { Ok(()) })
            })
            .after_pool_acquire("ping", |conn| conn.ping());
        let options = sequelize::Options {
            hooks,
            ..common::isolated_options(dialect, "connection_hooks", false).await
        };
        let db = Sequelize::connect_with(options).await.unwrap();
        let row = db
            .query(sequelize::AssertSqlSafe(read))
            .plain()
            .await
            .unwrap()
            .unwrap();
        let value = row.values()[0].clone();
        let expected = if dialect == "sqlite" {
            Value::Int(7)
        } else {
            Value::from("hooked")
        };
        assert_eq!(value, expected, "{dialect}");
        assert!(
            connects.load(std::sync::atomic::Ordering::SeqCst) >= 1,
            "{dialect}"
        );
        db.close().await.unwrap();

        let refusing = sequelize::ConnectionHooks::default().before_connect("vault", |_| {
            Box::pin(async { Err(sequelize::Error::Connection("the vault is sealed".into())) })
        });
        let options = sequelize::Options {
            hooks: refusing,
            ..common::isolated_options(dialect, "connection_hooks", false).await
        };
        let db = Sequelize::new(options).unwrap();
        let refused = db.authenticate().await;
        assert!(
            matches!(&refused, Err(e) if e.to_string().contains("vault is sealed")),
            "{dialect}: {refused:?}"
        );
    }
}

/// `beforeQuery` and `afterQuery` (issue 8, item 4): both see every statement, raw or
/// built, with its SQL, its bound values and whether it runs in a transaction; `afterQuery`
/// also sees the failed ones; an error of `beforeQuery` keeps the statement from being sent,
/// and an error of `afterQuery` is returned in place of the result.
#[tokio::test]
async fn query_hooks_see_every_statement() {
    use std::sync::{Arc, Mutex};
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let before = Arc::new(Mutex::new(Vec::<(String, usize, bool)>::new()));
        let after = Arc::new(Mutex::new(Vec::<(String, bool)>::new()));
        let (seen_before, seen_after) = (before.clone(), after.clone());
        let hooks = sequelize::ConnectionHooks::default()
            .before_query("record", move |query| {
                let sql = query.sql.to_owned();
                seen_before.lock().unwrap().push((
                    sql.clone(),
                    query.params.len(),
                    query.in_transaction,
                ));
                Box::pin(async move {
                    if sql.starts_with("CREATE TABLE refused") {
                        return Err(sequelize::Error::Config(format!("refused: {sql}")));
                    }
                    Ok(())
                })
            })
            .after_query("record", move |query, outcome| {
                let failed = outcome.error.is_some();
                seen_after
                    .lock()
                    .unwrap()
                    .push((query.sql.to_owned(), failed));
                let sql = query.sql.to_owned();
                Box::pin(async move {
                    if sql.contains("audit_fails") {
                        return Err(sequelize::Error::Config("audit log unreachable".into()));
                    }
                    Ok(())
                })
            });
        let options = sequelize::Options {
            hooks,
            ..common::isolated_options(dialect, "query_hooks", false).await
        };
        let db = Sequelize::connect_with(options).await.unwrap();
        let refused = db.query("CREATE TABLE refused (id INTEGER)").exec().await;
        assert!(
            matches!(&refused, Err(Error::Config(m)) if m.contains("refused")),
            "{dialect}: {refused:?}"
        );
        let missing = db.query("SELECT COUNT(*) AS n FROM refused").exec().await;
        assert!(
            matches!(&missing, Err(Error::Database(_))),
            "{dialect}: a refused statement is not sent: {missing:?}"
        );
        before.lock().unwrap().clear();
        after.lock().unwrap().clear();

        db.query("SELECT $1 AS n")
            .bind(sequelize::Bind::Positional(vec![Value::Int(1)]))
            .exec()
            .await
            .unwrap();
        db.query("SELECT nothing FROM no_such_table")
            .exec()
            .await
            .expect_err("no such table");
        let tx = db.begin().await.unwrap();
        tx.query("SELECT 2 AS n").exec().await.unwrap();
        tx.rollback().await.unwrap();
        let audited = db.query("SELECT 1 AS audit_fails").exec().await;
        assert!(
            matches!(&audited, Err(e) if e.to_string().contains("audit log unreachable")),
            "{dialect}: {audited:?}"
        );

        let before = before.lock().unwrap().clone();
        let after = after.lock().unwrap().clone();
        let selects: Vec<_> = before
            .iter()
            .filter(|(sql, ..)| sql.starts_with("SELECT"))
            .collect();
        assert_eq!(selects.len(), 4, "{dialect}: {before:?}");
        assert_eq!(
            selects[0].1, 1,
            "{dialect}: the replacement is a bound value"
        );
        assert!(!selects[0].2 && selects[2].2, "{dialect}: in_transaction");
        let failed: Vec<_> = after.iter().filter(|(_, failed)| *failed).collect();
        assert_eq!(failed.len(), 1, "{dialect}: {after:?}");
        assert!(failed[0].0.contains("no_such_table"), "{dialect}");
        let sent: Vec<_> = before.iter().map(|(sql, ..)| sql.clone()).collect();
        let finished: Vec<_> = after.iter().map(|(sql, _)| sql.clone()).collect();
        assert_eq!(
            sent, finished,
            "{dialect}: afterQuery follows each beforeQuery"
        );
        db.close().await.unwrap();
    }
}

/// `beforeDisconnect` and `afterDisconnect` (issue 8, item 4): they run for every connection
/// the pool closes, at `close()` (which waits for them) as when a broken connection is
/// dropped, one pair per connection opened; an error of either is reported by `close()`.
#[tokio::test]
async fn disconnect_hooks_run_for_each_closed_connection() {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let connects = Arc::new(AtomicUsize::new(0));
        let before = Arc::new(AtomicUsize::new(0));
        let after = Arc::new(AtomicUsize::new(0));
        let (c, b, a) = (connects.clone(), before.clone(), after.clone());
        let hooks = sequelize::ConnectionHooks::default()
            .after_connect("count", move |_, _| {
                c.fetch_add(1, SeqCst);
                Box::pin(async { Ok(()) })
            })
            .before_disconnect("ping", move |conn| {
                b.fetch_add(1, SeqCst);
                // The connection is still open here.
                conn.ping()
            })
            .after_disconnect("count", move || {
                a.fetch_add(1, SeqCst);
                Box::pin(async { Ok(()) })
            });
        let options = sequelize::Options {
            hooks: hooks.clone(),
            pool: sequelize::PoolOptions {
                max: 3,
                ..Default::default()
            },
            ..common::isolated_options(dialect, "disconnect_hooks", true).await
        };
        let db = Sequelize::connect_with(options.clone()).await.unwrap();
        // Three transactions at once hold three connections (one on in-memory SQLite).
        let (t1, t2, t3) = tokio::join!(db.begin(), db.begin(), db.begin());
        for tx in [t1, t2, t3] {
            tx.unwrap().commit().await.unwrap();
        }
        // A transaction dropped mid-flight on a server breaks its connection: the pool
        // closes it then, not at `close()`.
        let tx = db.begin().await.unwrap();
        drop(tx);
        tokio::time::sleep(Duration::from_millis(200)).await;
        db.close().await.unwrap();
        let opened = connects.load(SeqCst);
        assert!(opened >= 1, "{dialect}");
        assert_eq!(before.load(SeqCst), opened, "{dialect}: beforeDisconnect");
        assert_eq!(after.load(SeqCst), opened, "{dialect}: afterDisconnect");

        let failing = hooks.after_disconnect("fails", || {
            Box::pin(async { Err(sequelize::Error::Connection("goodbye failed".into())) })
        });
        let db = Sequelize::connect_with(sequelize::Options {
            hooks: failing,
            ..options
        })
        .await
        .unwrap();
        let closed = db.close().await;
        assert!(
            matches!(&closed, Err(e) if e.to_string().contains("goodbye failed")),
            "{dialect}: {closed:?}"
        );
    }
}
