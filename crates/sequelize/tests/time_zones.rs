//! Sequelize's `timezone` option on every dialect (issue 12, item 4): the session's clock
//! answers in the zone, `DATE` values are written as the zone's wall clock where the column
//! keeps no zone (MySQL `DATETIME`, SQLite text with the offset, as Sequelize writes them),
//! every instant reads back as itself, filters and replacements compare in the same form,
//! and a named zone follows daylight saving time. The test servers' own zone is UTC, so each
//! session here runs in a zone its server does not.

mod common;

use chrono::{DateTime, TimeZone as _, Utc};
use common::{dialects, isolated_options, q};
use sequelize::prelude::*;
use sequelize::{AssertSqlSafe, Error, Options, Replacements, TimeZone};

#[derive(Model, Debug, Clone, PartialEq)]
struct Event {
    id: i64,
    name: String,
    at: DateTime<Utc>,
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

/// Options of an isolated database of `dialect` for `test`, made empty.
async fn options_for(dialect: &str, test: &str) -> Options {
    isolated_options(dialect, test, true).await
}

/// A connection to the database of `options` whose sessions run in `zone`, with the
/// `Events` table.
async fn db_in(options: &Options, zone: &str) -> Sequelize {
    let options = Options {
        timezone: zone.parse().unwrap(),
        ..options.clone()
    };
    let db = Sequelize::connect_with(options).await.unwrap();
    db.define::<Event>().register().unwrap();
    db.sync(SyncOptions::default()).await.unwrap();
    db
}

async fn create(db: &Sequelize, id: i64, at: DateTime<Utc>) {
    let name = format!("event {id}");
    Event::create(Event { id, name, at })
        .exec(db)
        .await
        .unwrap();
}

async fn read(db: &Sequelize, id: i64) -> DateTime<Utc> {
    Event::find_by_pk(id)
        .exec(db)
        .await
        .unwrap()
        .unwrap()
        .into_inner()
        .at
}

/// The stored form of the `at` column of event `id`, as text: what another client reads.
async fn stored(db: &Sequelize, id: i64) -> String {
    let (table, at, key) = (q(db, "Events"), q(db, "at"), q(db, "id"));
    let column = match db.dialect().name() {
        "postgres" => format!("{at}::text"),
        "sqlite" => at,
        _ => format!("CAST({at} AS CHAR)"),
    };
    let sql = format!("SELECT {column} AS v FROM {table} WHERE {key} = {id}");
    let row = db.query(AssertSqlSafe(sql)).plain().await.unwrap().unwrap();
    row.get::<String>("v").unwrap()
}

/// Asserts that the stored form of event `id` begins with the dialect's of `expected`
/// (SQLite's, PostgreSQL's, then MySQL's and MariaDB's).
async fn assert_stored(db: &Sequelize, id: i64, expected: [&str; 3]) {
    let dialect = db.dialect().name();
    let expected = match dialect {
        "sqlite" => expected[0],
        "postgres" => expected[1],
        _ => expected[2],
    };
    let text = stored(db, id).await;
    assert!(text.starts_with(expected), "{dialect}: {text}");
}

/// The session clock's offset from UTC in seconds, as the server reports it; `None` on
/// SQLite, which has no session zone.
async fn session_offset(db: &Sequelize) -> Option<i64> {
    let sql = match db.dialect().name() {
        "postgres" => "SELECT CAST(EXTRACT(TIMEZONE FROM now()) AS INTEGER) AS v",
        "sqlite" => return None,
        _ => "SELECT TIME_TO_SEC(TIMEDIFF(NOW(), UTC_TIMESTAMP())) AS v",
    };
    let row = db.query(AssertSqlSafe(sql)).plain().await.unwrap().unwrap();
    Some(row.get::<i64>("v").unwrap())
}

/// The ids of the events at `at`, found by a bound filter and by a raw query with `at` as
/// a replacement (inlined as a literal).
async fn found_at(db: &Sequelize, at: DateTime<Utc>) -> (Vec<i64>, Vec<i64>) {
    let by_filter = Event::find_all()
        .filter(Event::AT.eq(at))
        .exec(db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.into_inner().id)
        .collect();
    let sql = format!(
        "SELECT {} AS id FROM {} WHERE {} = :at",
        q(db, "id"),
        q(db, "Events"),
        q(db, "at")
    );
    let rows = db
        .query(AssertSqlSafe(sql))
        .replacements(Replacements::named().set("at", at))
        .all()
        .await
        .unwrap();
    let by_replacement = rows.iter().map(|r| r.get::<i64>("id").unwrap()).collect();
    (by_filter, by_replacement)
}

/// By default sessions run in UTC, and instants are stored as UTC wall clocks.
#[tokio::test]
async fn the_default_zone_is_utc() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let db = db_in(&options_for(dialect, "tz_default").await, "+00:00").await;
        let noon = utc(2024, 1, 15, 12, 0);
        create(&db, 1, noon).await;
        assert_eq!(read(&db, 1).await, noon, "{dialect}");
        let utc_forms = [
            "2024-01-15 12:00:00.000 +00:00",
            "2024-01-15 12:00:00+00",
            "2024-01-15 12:00:00",
        ];
        assert_stored(&db, 1, utc_forms).await;
        assert_eq!(session_offset(&db).await.unwrap_or(0), 0, "{dialect}");
        assert_eq!(found_at(&db, noon).await, (vec![1], vec![1]), "{dialect}");
        db.close().await.unwrap();
    }
}

/// In `+05:30` the server's `NOW()` is 5½ hours ahead of UTC, instants are written as that
/// zone's wall clock, and each reads back as the same instant, also through a filter and a
/// replacement. A session in UTC reads the same instant on PostgreSQL and SQLite, whose
/// stored forms carry their offset; MySQL's `DATETIME` does not, so there the zone is part
/// of what the column means (as it is for Sequelize).
#[tokio::test]
async fn an_offset_zone_writes_its_wall_clock_and_reads_the_same_instant() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let options = options_for(dialect, "tz_offset").await;
        let db = db_in(&options, "+05:30").await;
        let noon = utc(2024, 1, 15, 12, 0);
        create(&db, 1, noon).await;
        create(&db, 2, utc(2024, 1, 15, 13, 0)).await;
        assert_eq!(read(&db, 1).await, noon, "{dialect}");
        let india = [
            "2024-01-15 17:30:00.000 +05:30",
            "2024-01-15 17:30:00+05:30",
            "2024-01-15 17:30:00",
        ];
        assert_stored(&db, 1, india).await;
        if let Some(offset) = session_offset(&db).await {
            assert_eq!(offset, 5 * 3600 + 30 * 60, "{dialect}");
        }
        assert_eq!(found_at(&db, noon).await, (vec![1], vec![1]), "{dialect}");
        let later: Vec<i64> = Event::find_all()
            .filter(Event::AT.gt(noon))
            .exec(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.into_inner().id)
            .collect();
        assert_eq!(later, [2], "{dialect}");

        let in_utc = db_in(&options, "+00:00").await;
        let seen = read(&in_utc, 1).await;
        match dialect {
            "sqlite" | "postgres" => assert_eq!(seen, noon, "{dialect}"),
            _ => assert_eq!(seen, utc(2024, 1, 15, 17, 30), "{dialect}"),
        }
        in_utc.close().await.unwrap();
        db.close().await.unwrap();
    }
}

/// A named zone follows daylight saving time: New York is 5 hours behind UTC in January and
/// 4 in July, in the stored wall clocks and offsets, and the session runs in the zone by
/// name (scripts/test.sh loads MariaDB's time zone tables).
#[tokio::test]
async fn a_named_zone_follows_daylight_saving_time() {
    for dialect in dialects() {
        println!("--- dialect: {dialect}");
        let db = db_in(&options_for(dialect, "tz_named").await, "America/New_York").await;
        let (winter, summer) = (utc(2024, 1, 15, 12, 0), utc(2024, 7, 15, 12, 0));
        create(&db, 1, winter).await;
        create(&db, 2, summer).await;
        assert_eq!(read(&db, 1).await, winter, "{dialect}");
        assert_eq!(read(&db, 2).await, summer, "{dialect}");
        let winter_forms = [
            "2024-01-15 07:00:00.000 -05:00",
            "2024-01-15 07:00:00-05",
            "2024-01-15 07:00:00",
        ];
        let summer_forms = [
            "2024-07-15 08:00:00.000 -04:00",
            "2024-07-15 08:00:00-04",
            "2024-07-15 08:00:00",
        ];
        assert_stored(&db, 1, winter_forms).await;
        assert_stored(&db, 2, summer_forms).await;
        assert_eq!(found_at(&db, summer).await, (vec![2], vec![2]), "{dialect}");
        let zone = match dialect {
            "sqlite" => None,
            "postgres" => Some("SELECT current_setting('TimeZone') AS v"),
            _ => Some("SELECT @@session.time_zone AS v"),
        };
        if let Some(sql) = zone {
            let row = db.query(AssertSqlSafe(sql)).plain().await.unwrap().unwrap();
            assert_eq!(
                row.get::<String>("v").unwrap(),
                "America/New_York",
                "{dialect}"
            );
        }
        db.close().await.unwrap();
    }
}

/// A zone that is neither an offset nor a known name is refused before any connection,
/// naming the option.
#[test]
fn an_unknown_zone_is_a_config_error() {
    let err = "Mars/Olympus_Mons".parse::<TimeZone>().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
    assert!(err.to_string().contains("timezone"), "{err}");
    assert!("+25:00".parse::<TimeZone>().is_err());
}
