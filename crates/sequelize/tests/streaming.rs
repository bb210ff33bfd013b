//! Streaming finders on every dialect (issue 7, item 8): rows arrive in order and complete,
//! memory stays bounded however many rows there are, and a stream dropped early gives its
//! connection back.
//!
//! The memory test streams 200,000 rows (`SEQUELIZE_STREAM_ROWS` sets another count; the
//! command that runs 10,000,000 is in docs/querying.md). The tests of this file take turns
//! (`SERIAL`), so no other test's allocations land in the measurement.

mod common;

use common::{dialects, for_each_dialect, fresh_db};
use sequelize::prelude::*;
use sequelize::sql::{Expr, Insert, TableRef};
use sequelize::Error;

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "events", timestamps = false)]
struct Event {
    id: i64,
    seq: i64,
    payload: String,
}

/// A payload of about 100 bytes, different per row, so 200,000 rows held at once would take
/// far more than the memory the streaming test allows.
fn payload(seq: i64) -> String {
    format!("{seq:>12}:{}", "streamed-row-payload-".repeat(4))
}

/// Creates `events` with `count` rows numbered 1..=count, inserted in chunks inside one
/// transaction.
async fn setup(db: &Sequelize, count: i64) {
    db.define::<Event>().register().unwrap();
    db.sync(SyncOptions::default()).await.unwrap();
    const CHUNK: i64 = 2_000;
    let tx = db.begin().await.unwrap();
    let mut start = 1;
    while start <= count {
        let end = (start + CHUNK - 1).min(count);
        let insert = Insert {
            table: TableRef::new("events"),
            columns: vec!["seq".into(), "payload".into()],
            rows: (start..=end)
                .map(|seq| vec![Expr::Value(seq.into()), Expr::Value(payload(seq).into())])
                .collect(),
            returning: Vec::new(),
            on_conflict: None,
        };
        tx.execute(&insert.into()).await.unwrap();
        start = end + 1;
    }
    tx.commit().await.unwrap();
}

/// The process's resident memory now, in bytes (Linux).
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let kb: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status");
    kb * 1024
}

#[tokio::test]
async fn streams_rows_in_bounded_memory() {
    let _turn = SERIAL.lock().await;
    let count: i64 = std::env::var("SEQUELIZE_STREAM_ROWS")
        .ok()
        .map_or(200_000, |n| {
            n.parse().expect("SEQUELIZE_STREAM_ROWS is a row count")
        });
    const LIMIT: u64 = 20 * 1024 * 1024;
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let db = fresh_db(dialect, "streaming_memory").await;
        setup(&db, count).await;
        let baseline = resident_bytes();
        let mut peak = baseline;
        let mut expected = 1;
        let mut events = Event::find_all().order(Event::SEQ.asc()).stream(&db);
        while let Some(event) = events.try_next().await.unwrap() {
            assert_eq!(event.seq, expected, "{dialect}: rows arrive in order");
            assert_eq!(event.payload, payload(expected));
            if expected % 1_000 == 0 {
                peak = peak.max(resident_bytes());
            }
            expected += 1;
        }
        drop(events);
        assert_eq!(expected - 1, count, "{dialect}: every row arrived");
        let growth = peak.saturating_sub(baseline);
        println!("{dialect}: {count} rows streamed, resident memory grew by {growth} bytes");
        assert!(
            growth < LIMIT,
            "{dialect}: streaming {count} rows grew resident memory by {growth} bytes"
        );
        db.close().await.unwrap();
    }
}

#[tokio::test]
async fn streams_match_find_all_across_batches() {
    let _turn = SERIAL.lock().await;
    for_each_dialect("streaming_matches", |db| async move {
        // More rows than one batch (256), and a filter and order the stream must keep.
        setup(&db, 1_000).await;
        let finder = || {
            Event::find_all()
                .filter(Event::SEQ.gt(100).and(Event::SEQ.lte(900)))
                .order(Event::SEQ.desc())
        };
        let all = finder().exec(&db).await.unwrap();
        let streamed: Vec<_> = finder().stream(&db).try_collect().await.unwrap();
        assert_eq!(streamed.len(), 800);
        let seqs = |events: &[Instance<Event>]| events.iter().map(|e| e.seq).collect::<Vec<_>>();
        assert_eq!(seqs(&streamed), seqs(&all));
        assert_eq!(streamed[0].payload, payload(900));

        // Raw rows and dynamic models stream the same rows.
        let raw: Vec<_> = finder()
            .raw()
            .attributes(["seq"])
            .stream(&db)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(raw.len(), 800);
        assert_eq!(raw[0].get::<i64>("seq").unwrap(), 900);
        assert_eq!(raw[0].columns(), ["seq"]);
        let dynamic = db.model("Event").unwrap();
        let total = dynamic
            .find_all()
            .stream(&db)
            .try_fold(0_i64, |sum, event| async move {
                Ok(sum + event.get::<i64>("seq")?)
            });
        assert_eq!(total.await.unwrap(), 1_000 * 1_001 / 2);

        // An empty result is an empty stream.
        let none = Event::find_all().filter(Event::SEQ.gt(5_000)).stream(&db);
        assert_eq!(none.try_collect::<Vec<_>>().await.unwrap().len(), 0);

        // A stream on a transaction sees the transaction's rows, and the transaction goes on.
        let tx = db.begin().await.unwrap();
        Event::destroy()
            .filter(Event::SEQ.gt(10))
            .exec(&tx)
            .await
            .unwrap();
        let inside: Vec<_> = Event::find_all().stream(&tx).try_collect().await.unwrap();
        assert_eq!(inside.len(), 10);
        assert_eq!(Event::count().exec(&tx).await.unwrap(), 10);
        tx.rollback().await.unwrap();
        assert_eq!(Event::count().exec(&db).await.unwrap(), 1_000);
    })
    .await;
}

#[tokio::test]
async fn errors_come_through_the_stream() {
    let _turn = SERIAL.lock().await;
    for_each_dialect("streaming_errors", |db| async move {
        setup(&db, 10).await;
        // A lock outside a transaction is refused before any SQL, as the other finders do.
        let mut locked = Event::find_all().lock(Lock::Update).stream(&db);
        assert!(matches!(
            locked.try_next().await,
            Err(Error::InvalidQuery(_))
        ));
        // A model that was never defined on this instance.
        #[derive(Model, Debug, Clone)]
        struct Missing {
            id: i64,
        }
        let mut missing = Missing::find_all().stream(&db);
        assert!(matches!(
            missing.try_next().await,
            Err(Error::NotDefined(_))
        ));
        // A value that does not decode ends the stream with the error, and the pool still
        // works afterwards.
        #[derive(Model, Debug, Clone)]
        #[model(table = "events", timestamps = false)]
        struct Numbered {
            id: i64,
            payload: i64,
        }
        db.define::<Numbered>().register().unwrap();
        let results: Vec<_> = Numbered::find_all().stream(&db).collect().await;
        assert_eq!(results.len(), 1, "the error, then nothing");
        assert!(
            matches!(results[0], Err(Error::Decode(_))),
            "{:?}",
            results[0]
        );
        assert_eq!(Event::count().exec(&db).await.unwrap(), 10);
    })
    .await;
}

#[tokio::test]
async fn a_stream_dropped_early_gives_its_connection_back() {
    let _turn = SERIAL.lock().await;
    for_each_dialect("streaming_dropped", |db| async move {
        setup(&db, 5_000).await;
        // Through the pool: every connection comes back usable, many times over (SQLite in
        // memory has one connection, so a lost one would hang the next query).
        for _ in 0..20 {
            let first: Vec<_> = Event::find_all()
                .order(Event::SEQ.asc())
                .stream(&db)
                .take(300)
                .try_collect()
                .await
                .unwrap();
            assert_eq!(first.len(), 300);
            assert_eq!(Event::count().exec(&db).await.unwrap(), 5_000);
        }
        // On a transaction: where the driver can abandon a result (PostgreSQL, SQLite) the
        // transaction goes on; MySQL's protocol would have to read the rest first, so the
        // connection is closed and the transaction's next statement fails, never reading a
        // stale reply.
        let tx = db.begin().await.unwrap();
        Event::destroy()
            .filter(Event::SEQ.eq(1))
            .exec(&tx)
            .await
            .unwrap();
        let some: Vec<_> = Event::find_all()
            .stream(&tx)
            .take(3)
            .try_collect()
            .await
            .unwrap();
        assert_eq!(some.len(), 3);
        let after = Event::count().exec(&tx).await;
        match db.dialect().name() {
            "mysql" | "mariadb" => {
                assert!(matches!(after, Err(Error::Connection(_))), "{after:?}");
                drop(tx);
            }
            _ => {
                assert_eq!(after.unwrap(), 4_999);
                tx.commit().await.unwrap();
            }
        }
        let expected = match db.dialect().name() {
            "mysql" | "mariadb" => 5_000,
            _ => 4_999,
        };
        assert_eq!(Event::count().exec(&db).await.unwrap(), expected);
    })
    .await;
}
