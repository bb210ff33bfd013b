//! Sequelize's `replication` option against real replicas (issue 12, item 2): a PostgreSQL
//! hot standby streaming from the test server and a MariaDB replica of the test server, both
//! made and started by scripts/test.sh (ports 5433 and 3307).
//!
//! Where a read ran is seen on the server side: the `Probes` relation holds one row on the
//! primary and three on the replica (on PostgreSQL a view over `pg_is_in_recovery()`, on
//! MariaDB rows written on each server alone), each saying whether it was read on the
//! replica. Writes are checked on the primary directly.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{dialects, isolated_options, q};
use sequelize::prelude::*;
use sequelize::{AssertSqlSafe, Error, Options, PoolOptions, Replication, ServerOptions};
use tracing_subscriber::util::SubscriberInitExt as _;

/// The replicas' ports, as scripts/test.sh starts them.
const POSTGRES_REPLICA_PORT: u16 = 5433;
const MARIADB_REPLICA_PORT: u16 = 3307;
/// A port nothing listens on: a replica that is down.
const DOWN_PORT: u16 = 9;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(timestamps = false)]
struct Probe {
    id: i64,
    on_replica: bool,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(timestamps = false)]
struct Note {
    id: i64,
    text: String,
}

/// The dialects with servers (SQLite has no replicas).
fn server_dialects() -> Vec<&'static str> {
    dialects().into_iter().filter(|d| *d != "sqlite").collect()
}

fn replica_port(dialect: &str) -> u16 {
    match dialect {
        "postgres" => POSTGRES_REPLICA_PORT,
        _ => MARIADB_REPLICA_PORT,
    }
}

/// The isolated database's URL on the replica.
fn on_replica(dialect: &str, options: &Options) -> String {
    let url = options.url.as_deref().unwrap();
    let primary = match dialect {
        "postgres" => ":5432/",
        _ => ":3306/",
    };
    url.replacen(primary, &format!(":{}/", replica_port(dialect)), 1)
}

fn reading_from(servers: Vec<ServerOptions>, options: &Options) -> Options {
    Options {
        replication: Some(Replication {
            read: servers,
            write: ServerOptions::default(),
        }),
        ..options.clone()
    }
}

fn server(port: u16) -> ServerOptions {
    ServerOptions {
        port: Some(port),
        ..Default::default()
    }
}

/// Waits until `sql` succeeds on `db` and gives `expected` rows: the replica has caught up.
async fn caught_up(db: &Sequelize, sql: &str, expected: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match db.query(AssertSqlSafe(sql.to_owned())).all().await {
            Ok(rows) if rows.len() == expected => return,
            other if Instant::now() > deadline => {
                panic!("the replica did not catch up ({sql}): {other:?}; scripts/test.sh starts it")
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// A fresh isolated database with `Probes` (one row on the primary, three on the replica)
/// and `Notes`, the replica caught up; its options, and a connection to its replica.
async fn setup(dialect: &str, test: &str) -> (Options, Sequelize) {
    let options = isolated_options(dialect, test, true).await;
    let primary = Sequelize::connect_with(Options {
        pool: PoolOptions {
            max: 1,
            ..Default::default()
        },
        ..options.clone()
    })
    .await
    .unwrap();
    let replica_url = on_replica(dialect, &options);
    // The isolated database was just made on the primary: the replica may not have it yet.
    let deadline = Instant::now() + Duration::from_secs(20);
    let replica = loop {
        match Sequelize::connect(&replica_url).await {
            Ok(replica) => break replica,
            Err(e) if Instant::now() > deadline => {
                panic!("{dialect}: no replica at {replica_url}: {e}; scripts/test.sh starts it")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    let (probes, id, flag) = (
        q(&primary, "Probes"),
        q(&primary, "id"),
        q(&primary, "onReplica"),
    );
    let notes = format!(
        "CREATE TABLE {} ({} BIGINT PRIMARY KEY, {} VARCHAR(100) NOT NULL)",
        q(&primary, "Notes"),
        q(&primary, "id"),
        q(&primary, "text")
    );
    let run = |db: &Sequelize, sql: String| {
        let db = db.clone();
        async move { db.query(AssertSqlSafe(sql)).exec().await.unwrap() }
    };
    run(&primary, notes).await;
    match dialect {
        "postgres" => {
            run(
                &primary,
                format!(
                    "CREATE VIEW {probes} AS SELECT CAST(n AS BIGINT) AS {id}, \
                     pg_is_in_recovery() AS {flag} FROM generate_series(1, \
                     CASE WHEN pg_is_in_recovery() THEN 3 ELSE 1 END) AS n"
                ),
            )
            .await;
        }
        _ => {
            run(
                &primary,
                format!("CREATE TABLE {probes} ({id} BIGINT PRIMARY KEY, {flag} BOOLEAN)"),
            )
            .await;
            caught_up(&replica, &format!("SELECT * FROM {probes}"), 0).await;
            run(
                &replica,
                format!("INSERT INTO {probes} VALUES (1, TRUE), (2, TRUE), (3, TRUE)"),
            )
            .await;
            // On the primary alone: the one connection of its pool stops logging first.
            run(&primary, "SET sql_log_bin = 0".into()).await;
            run(&primary, format!("INSERT INTO {probes} VALUES (1, FALSE)")).await;
        }
    }
    caught_up(&replica, &format!("SELECT * FROM {probes}"), 3).await;
    caught_up(
        &replica,
        &format!("SELECT * FROM {}", q(&replica, "Notes")),
        0,
    )
    .await;
    primary.close().await.unwrap();
    (options, replica)
}

async fn connect(options: Options) -> Sequelize {
    let db = Sequelize::connect_with(options).await.unwrap();
    db.define::<Probe>().register().unwrap();
    db.define::<Note>().register().unwrap();
    db
}

/// Where each probe row was read: `true` for the replica.
fn places(probes: &[Instance<Probe>]) -> Vec<bool> {
    probes.iter().map(|p| p.on_replica).collect()
}

/// Whether a raw query ran on the replica, as the server says.
fn raw_on_replica_sql(dialect: &str) -> &'static str {
    match dialect {
        "postgres" => "SELECT pg_is_in_recovery() AS r",
        _ => "SELECT @@server_id = 2 AS r",
    }
}

/// Finders, counts and raw `SELECT`s outside transactions read from the replica; with
/// `use_master(true)`, inside a transaction, and for raw queries not typed as reads, from
/// the primary. Writes go to the primary.
#[tokio::test]
async fn reads_go_to_the_replica_and_writes_to_the_primary() {
    for dialect in server_dialects() {
        println!("--- dialect: {dialect}");
        let (options, replica) = setup(dialect, "repl_routing").await;
        let db = connect(reading_from(vec![server(replica_port(dialect))], &options)).await;

        let all = Probe::find_all()
            .order(Probe::ID.asc())
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(places(&all), [true, true, true], "{dialect}: find_all");
        let one = Probe::find_by_pk(2).exec(&db).await.unwrap().unwrap();
        assert!(one.on_replica, "{dialect}: find_by_pk");
        assert_eq!(
            Probe::count().exec(&db).await.unwrap(),
            3,
            "{dialect}: count"
        );
        let page = Probe::find_all()
            .limit(1)
            .and_count()
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(page.count, 3, "{dialect}: find_and_count_all");

        let master = Probe::find_all().use_master(true).exec(&db).await.unwrap();
        assert_eq!(places(&master), [false], "{dialect}: use_master");
        let one = Probe::find_by_pk(1)
            .use_master(true)
            .exec(&db)
            .await
            .unwrap();
        assert!(!one.unwrap().on_replica, "{dialect}: find_by_pk use_master");
        assert_eq!(
            Probe::count().use_master(true).exec(&db).await.unwrap(),
            1,
            "{dialect}: count use_master"
        );
        let in_tx = db
            .transaction(|tx| async move { Probe::find_all().exec(&tx).await })
            .await
            .unwrap();
        assert_eq!(places(&in_tx), [false], "{dialect}: in a transaction");

        let sql = raw_on_replica_sql(dialect);
        let raw = db.query(sql).plain().await.unwrap().unwrap();
        assert!(raw.get::<bool>("r").unwrap(), "{dialect}: raw SELECT");
        let raw = db
            .query(sql)
            .use_master(true)
            .plain()
            .await
            .unwrap()
            .unwrap();
        assert!(
            !raw.get::<bool>("r").unwrap(),
            "{dialect}: raw SELECT use_master"
        );
        let untyped = db.query(sql).exec().await.unwrap();
        let sequelize::QueryOutput::Raw { rows, .. } = untyped else {
            panic!("{dialect}: a raw query gives raw output");
        };
        assert!(
            !rows[0].get::<bool>("r").unwrap(),
            "{dialect}: raw query, no type"
        );

        let note = Note::create(Note {
            id: 1,
            text: "written".into(),
        })
        .exec(&db)
        .await
        .unwrap();
        assert_eq!(note.id, 1);
        Note::update()
            .set(Note::TEXT, "rewritten")
            .filter(Note::ID.eq(1))
            .exec(&db)
            .await
            .unwrap();
        let direct = Sequelize::connect_with(options.clone()).await.unwrap();
        let texts = direct
            .query(AssertSqlSafe(format!(
                "SELECT {} AS t FROM {}",
                q(&direct, "text"),
                q(&direct, "Notes")
            )))
            .all()
            .await
            .unwrap();
        assert_eq!(texts.len(), 1, "{dialect}: the write is on the primary");
        assert_eq!(
            texts[0].get::<String>("t").unwrap(),
            "rewritten",
            "{dialect}"
        );
        // It reaches the replica by replication, and a read there sees it.
        caught_up(
            &replica,
            &format!(
                "SELECT * FROM {} WHERE {} = 'rewritten'",
                q(&replica, "Notes"),
                q(&replica, "text")
            ),
            1,
        )
        .await;
        direct.close().await.unwrap();
        replica.close().await.unwrap();
        db.close().await.unwrap();
    }
}

/// Reads take the read servers in turn, each with a pool of its own options.
#[tokio::test]
async fn reads_take_the_replicas_in_turn_each_with_its_own_pool() {
    for dialect in server_dialects() {
        println!("--- dialect: {dialect}");
        let (options, replica) = setup(dialect, "repl_turns").await;
        let small = ServerOptions {
            pool: Some(PoolOptions {
                max: 1,
                ..Default::default()
            }),
            ..server(replica_port(dialect))
        };
        let db = connect(reading_from(
            vec![small, server(replica_port(dialect))],
            &options,
        ))
        .await;
        let mut reads = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let db = db.clone();
            reads.spawn(async move { Probe::find_all().exec(&db).await.map(|p| places(&p)) });
        }
        while let Some(read) = reads.join_next().await {
            assert_eq!(read.unwrap().unwrap(), [true, true, true], "{dialect}");
        }
        let pools = db.replica_pool_status();
        assert_eq!(pools.len(), 2, "{dialect}");
        assert_eq!(
            pools[0].size, 1,
            "{dialect}: the first replica's pool of one"
        );
        assert!(
            pools[1].size >= 1,
            "{dialect}: the second replica was read too"
        );
        replica.close().await.unwrap();
        db.close().await.unwrap();
    }
}

/// Log lines, captured from `tracing` while a test runs on this thread.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A replica that is down is skipped with a warning and the reads go to the next one; with
/// none up, they go to the primary, with a warning too.
#[tokio::test]
async fn a_replica_that_is_down_is_skipped_with_a_warning() {
    let log = Captured::default();
    let writer = log.clone();
    let _guard = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .with_ansi(false)
        .finish()
        .set_default();
    for dialect in server_dialects() {
        println!("--- dialect: {dialect}");
        let (options, replica) = setup(dialect, "repl_down").await;
        let db = connect(reading_from(
            vec![server(DOWN_PORT), server(replica_port(dialect))],
            &options,
        ))
        .await;
        for _ in 0..3 {
            let probes = Probe::find_all().exec(&db).await.unwrap();
            assert_eq!(places(&probes), [true, true, true], "{dialect}");
        }
        let warned = log.text();
        assert!(
            warned.contains("read replica unreachable")
                && warned.contains(&format!(":{DOWN_PORT}")),
            "{dialect}: {warned}"
        );
        db.close().await.unwrap();

        let db = connect(reading_from(vec![server(DOWN_PORT)], &options)).await;
        let probes = Probe::find_all().exec(&db).await.unwrap();
        assert_eq!(places(&probes), [false], "{dialect}: every replica down");
        assert!(
            log.text().contains("no read replica reachable"),
            "{dialect}: {}",
            log.text()
        );
        db.close().await.unwrap();
        replica.close().await.unwrap();
    }
}

/// SQLite has no replicas: the option is refused, naming the dialect.
#[tokio::test]
async fn sqlite_refuses_replication() {
    let options = Options {
        replication: Some(Replication {
            read: vec![ServerOptions::default()],
            write: ServerOptions::default(),
        }),
        ..Options::from_url("sqlite::memory:").unwrap()
    };
    let err = Sequelize::new(options).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unsupported {
                dialect: "sqlite",
                ..
            }
        ),
        "{err}"
    );
}
