//! Data types (issue 8, item 1): every type of Sequelize's `DataTypes` round-trips through a
//! model on every dialect that can hold it, and a dialect without it refuses the column with
//! an error naming itself and the type, before any SQL. Narrow and unsigned integers keep
//! their range where the database stores them wider; PostgreSQL enums are types of their own,
//! created and dropped with the table.

mod common;

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use common::for_each_dialect;
use sequelize::prelude::*;
use sequelize::{AssertSqlSafe, Error, FromValue, Range};
use serde_json::json;

/// One column: its type, the value written, and the value read back.
struct Case {
    data_type: DataType,
    written: Value,
    read: Value,
}

fn case(data_type: DataType, value: impl Into<Value>) -> Case {
    let value = value.into();
    Case {
        data_type,
        written: value.clone(),
        read: value,
    }
}

fn unsigned(t: DataType) -> DataType {
    DataType::Unsigned(Box::new(t))
}

fn range(t: DataType) -> DataType {
    DataType::Range(Box::new(t))
}

/// The types every dialect holds.
fn portable_cases(dialect: &str) -> Vec<Case> {
    let instant = Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 58).unwrap()
        + chrono::Duration::microseconds(123_456);
    let millis = Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 58).unwrap()
        + chrono::Duration::milliseconds(123);
    vec![
        case(DataType::TinyInt, -128),
        case(unsigned(DataType::TinyInt), 255),
        case(DataType::SmallInt, i64::from(i16::MIN)),
        case(unsigned(DataType::SmallInt), 65_535),
        case(DataType::MediumInt, 8_388_607),
        case(unsigned(DataType::MediumInt), 16_777_215),
        case(DataType::Integer, i64::from(i32::MIN)),
        case(unsigned(DataType::Integer), 4_294_967_295_i64),
        case(DataType::BigInt, i64::MAX),
        case(DataType::Float, 1.5_f64),
        case(DataType::Double, 0.1_f64 + 0.2),
        case(
            DataType::Decimal(Some((12, 4))),
            "12345678.1234".parse::<Decimal>().unwrap(),
        ),
        case(DataType::Boolean, true),
        case(DataType::String(Some(10)), "héllo 🦀"),
        case(DataType::Char(Some(3)), "abc"),
        case(DataType::BinaryString(Some(20)), "MiXeD é"),
        // MySQL's TEXT holds 65,535 bytes; MEDIUMTEXT and LONGTEXT more.
        case(DataType::Text, "x".repeat(65_000)),
        case(DataType::TinyText, "tiny"),
        case(DataType::MediumText, "m".repeat(70_000)),
        case(DataType::LongText, "l".repeat(70_000)),
        Case {
            data_type: DataType::Date(None),
            written: instant.into(),
            // SQLite keeps milliseconds, in Sequelize's text format; the others microseconds.
            read: if dialect == "sqlite" { millis } else { instant }.into(),
        },
        Case {
            data_type: DataType::Date(Some(3)),
            written: millis.into(),
            read: millis.into(),
        },
        case(
            DataType::DateOnly,
            NaiveDate::from_ymd_opt(1999, 12, 31).unwrap(),
        ),
        case(DataType::Time, NaiveTime::from_hms_opt(13, 14, 15).unwrap()),
        case(
            DataType::Uuid,
            "67e55044-10b1-426f-9247-bb680e5fe0c8"
                .parse::<Uuid>()
                .unwrap(),
        ),
        case(
            DataType::Json,
            json!({"a": [1, "two", null], "b": {"c": true}}),
        ),
        case(DataType::Jsonb, json!({"k": "v"})),
        case(DataType::Blob, vec![0_u8, 1, 2, 255]),
        case(DataType::TinyBlob, vec![7_u8; 200]),
        case(DataType::MediumBlob, vec![9_u8; 70_000]),
        case(DataType::LongBlob, vec![0_u8; 3]),
        case(
            DataType::Enum(vec!["draft".into(), "it's published".into()]),
            "it's published",
        ),
    ]
}

/// The types only some dialects hold, with those dialects.
fn partial_cases() -> Vec<(&'static [&'static str], Case)> {
    const PG: &[&str] = &["postgres"];
    const MYSQL: &[&str] = &["mariadb", "mysql"];
    let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
    let at = |h| Utc.with_ymd_and_hms(2024, 1, 1, h, 0, 0).unwrap();
    vec![
        (&["sqlite", "postgres"], case(DataType::CiText, "MiXeD")),
        (MYSQL, case(unsigned(DataType::BigInt), 1_i64 << 62)),
        (
            PG,
            case(range(DataType::Integer), Range::<i32>::from(1..10)),
        ),
        (
            PG,
            case(
                range(DataType::BigInt),
                Range::<i64>::new(std::ops::Bound::Excluded(-5), std::ops::Bound::Unbounded),
            ),
        ),
        (
            PG,
            case(
                range(DataType::Decimal(None)),
                Range::from("1.5".parse::<Decimal>().unwrap().."2.25".parse::<Decimal>().unwrap()),
            ),
        ),
        (
            PG,
            case(range(DataType::Date(None)), Range::from(at(9)..at(17))),
        ),
        (
            PG,
            case(range(DataType::DateOnly), Range::from(day(1)..day(31))),
        ),
        (PG, case(range(DataType::Integer), Range::<i32>::Empty)),
        (
            PG,
            case(DataType::Inet, "192.168.1.7".parse::<IpAddr>().unwrap()),
        ),
        (PG, case(DataType::Inet, "10.0.0.1/8")),
        (PG, case(DataType::Inet, "::1".parse::<IpAddr>().unwrap())),
        (PG, case(DataType::Cidr, "10.0.0.0/8")),
        (PG, case(DataType::MacAddr, "08:00:2b:01:02:03")),
        (
            PG,
            case(DataType::TsVector, "'a':1A 'cat':3 'fat':2B 'it''s'"),
        ),
        (
            PG,
            case(
                DataType::Hstore,
                HashMap::from([
                    ("a".to_owned(), Some("1".to_owned())),
                    ("it's \"quoted\"".to_owned(), None),
                ]),
            ),
        ),
        (
            PG,
            case(
                DataType::Array(Box::new(DataType::Enum(vec!["x".into(), "y".into()]))),
                vec!["y".to_owned(), "x".to_owned()],
            ),
        ),
    ]
}

/// The text forms PostgreSQL normalizes: what is read back differs from what was written.
fn normalized(mut c: Case) -> Case {
    if let (DataType::Range(inner), Value::Text(t)) = (&c.data_type, &c.read) {
        // Discrete ranges come back in their canonical `[a,b)` form.
        if **inner == DataType::BigInt && t == "(-5,)" {
            c.read = Value::Text("[-4,)".into());
        }
    }
    c
}

#[tokio::test]
async fn every_type_round_trips_where_the_database_has_it() {
    for_each_dialect("data_types", |db| async move {
        let dialect = db.dialect().name();
        let mut cases = portable_cases(dialect);
        cases.extend(
            partial_cases()
                .into_iter()
                .filter(|(dialects, _)| dialects.contains(&dialect))
                .map(|(_, c)| normalized(c)),
        );
        let attributes = cases
            .iter()
            .enumerate()
            .map(|(i, c)| Attribute::new(format!("c{i}"), c.data_type.clone()));
        let options = ModelOptions {
            timestamps: false,
            ..ModelOptions::default()
        };
        let model = db
            .define_dynamic(
                "Everything",
                std::iter::once(Attribute::new("id", DataType::Integer)).chain(attributes),
                options,
            )
            .unwrap();
        model.sync(&db, SyncOptions::default()).await.unwrap();
        let values = cases
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("c{i}"), c.written.clone()));
        let created = model.create(values).exec(&db).await.unwrap();
        let id: i64 = created.get("id").unwrap();
        let read = model
            .find_by_pk(id)
            .unwrap()
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        for (i, c) in cases.iter().enumerate() {
            let got = read.value(&format!("c{i}")).unwrap();
            assert_eq!(got, &c.read, "{dialect}: {} read back", c.data_type);
        }
    })
    .await;
}

#[tokio::test]
async fn a_type_the_database_lacks_is_an_error_naming_both() {
    for_each_dialect("data_types_lacking", |db| async move {
        let dialect = db.dialect().name();
        for (dialects, c) in partial_cases() {
            if dialects.contains(&dialect) {
                continue;
            }
            // A model per type, so that each refused model is a definition of its own.
            let name: String = (c.data_type.to_string().chars())
                .filter(char::is_ascii_alphanumeric)
                .collect();
            let model = db
                .define_dynamic(
                    format!("Lacking{name}"),
                    [Attribute::new("c", c.data_type.clone())],
                    ModelOptions::default(),
                )
                .unwrap();
            let refused = model.sync(&db, SyncOptions::default()).await;
            let head = c.data_type.to_string();
            let head = head.split('(').next().unwrap();
            assert!(
                matches!(&refused, Err(Error::Unsupported { dialect: d, feature })
                    if *d == dialect && feature.contains(head)),
                "{dialect}, {}: {refused:?}",
                c.data_type
            );
        }
        let tables = db
            .query(AssertSqlSafe(tables_sql(dialect)))
            .all()
            .await
            .unwrap();
        assert!(
            tables.is_empty(),
            "{dialect}: no table was created: {tables:?}"
        );
    })
    .await;
}

fn tables_sql(dialect: &str) -> String {
    match dialect {
        "sqlite" => "SELECT name FROM sqlite_master WHERE type = 'table'".into(),
        "postgres" => "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()".into(),
        _ => "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
            .into(),
    }
}

#[tokio::test]
async fn narrow_integers_keep_their_range_everywhere() {
    for_each_dialect("narrow_integers", |db| async move {
        let dialect = db.dialect().name();
        let model = db
            .define_dynamic(
                "Counter",
                [
                    Attribute::new("tiny", DataType::TinyInt),
                    Attribute::new("small", unsigned(DataType::SmallInt)),
                ],
                ModelOptions::default(),
            )
            .unwrap();
        model.sync(&db, SyncOptions::default()).await.unwrap();
        for (attribute, value) in [
            ("tiny", 128),
            ("tiny", -129),
            ("small", -1),
            ("small", 65_536),
        ] {
            let refused = model
                .create([(attribute, Value::Int(value))])
                .exec(&db)
                .await;
            // Refused before any SQL, naming the attribute.
            assert!(
                matches!(&refused, Err(Error::Validation(items))
                    if items[0].path == attribute && items[0].validator_key == "range"),
                "{dialect}: {attribute} = {value}: {refused:?}"
            );
        }
        // The database's own check, for SQL that does not go through the model.
        let table = common::q(&db, "Counters");
        let column = common::q(&db, "tiny");
        let raw = db
            .query(AssertSqlSafe(format!(
                "INSERT INTO {table} ({column}) VALUES (200)"
            )))
            .exec()
            .await;
        assert!(
            raw.is_err(),
            "{dialect}: the database stored 200 in a TINYINT"
        );
        assert_eq!(
            model.find_all().exec(&db).await.unwrap().len(),
            0,
            "{dialect}"
        );
    })
    .await;
}

#[tokio::test]
async fn case_insensitive_text_compares_without_case() {
    for_each_dialect("citext", |db| async move {
        let dialect = db.dialect().name();
        let model = db
            .define_dynamic(
                "Handle",
                [Attribute::new("name", DataType::CiText).unique()],
                ModelOptions::default(),
            )
            .unwrap();
        let synced = model.sync(&db, SyncOptions::default()).await;
        if matches!(dialect, "mariadb" | "mysql") {
            assert!(
                matches!(synced, Err(Error::Unsupported { .. })),
                "{dialect}"
            );
            return;
        }
        synced.unwrap();
        model
            .create([("name", Value::from("Alice"))])
            .exec(&db)
            .await
            .unwrap();
        let found = model
            .find_all()
            .filter(sequelize::sql::Expr::column("name").eq("ALICE"))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{dialect}");
        let duplicate = model
            .create([("name", Value::from("alice"))])
            .exec(&db)
            .await;
        assert!(
            matches!(duplicate, Err(Error::UniqueConstraint { .. })),
            "{dialect}: {duplicate:?}"
        );
    })
    .await;
}

/// On PostgreSQL an `ENUM` attribute is the type `enum_<table>_<column>`: created by sync,
/// given new values by a later sync, and dropped with the table.
#[tokio::test]
async fn postgres_enums_are_types_created_and_dropped_with_their_table() {
    for_each_dialect("enum_types", |db| async move {
        let dialect = db.dialect().name();
        let status = |values: &[&str]| {
            Attribute::new(
                "status",
                DataType::Enum(values.iter().map(|v| v.to_string()).collect()),
            )
        };
        let first = db
            .define_dynamic(
                "Ticket",
                [status(&["open", "closed"])],
                ModelOptions::default(),
            )
            .unwrap();
        first.sync(&db, SyncOptions::default()).await.unwrap();
        first
            .create([("status", Value::from("open"))])
            .exec(&db)
            .await
            .unwrap();
        let refused = first
            .create([("status", Value::from("lost"))])
            .exec(&db)
            .await;
        assert!(
            matches!(&refused, Err(Error::Validation(items)) if items[0].validator_key == "is_in"),
            "{dialect}: {refused:?}"
        );
        if dialect != "postgres" {
            return;
        }
        let labels = || async {
            db.query(AssertSqlSafe(
                "SELECT e.enumlabel FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid \
                 WHERE t.typname = 'enum_Tickets_status' ORDER BY e.enumsortorder",
            ))
            .all()
            .await
            .unwrap()
            .iter()
            .map(|row| row.get_index::<String>(0).unwrap())
            .collect::<Vec<_>>()
        };
        assert_eq!(labels().await, ["open", "closed"]);
        // A second definition with one more value: sync adds it to the existing type.
        let second = db
            .define_dynamic(
                "TicketV2",
                [status(&["open", "closed", "reopened"])],
                ModelOptions {
                    table_name: Some("Tickets".into()),
                    ..ModelOptions::default()
                },
            )
            .unwrap();
        second.sync(&db, SyncOptions::default()).await.unwrap();
        assert_eq!(labels().await, ["open", "closed", "reopened"]);
        second
            .create([("status", Value::from("reopened"))])
            .exec(&db)
            .await
            .unwrap();
        second.drop_table(&db).await.unwrap();
        assert!(
            labels().await.is_empty(),
            "the enum type was dropped with its table"
        );
        // `force` drops and recreates both.
        first
            .sync(
                &db,
                SyncOptions {
                    force: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        first
            .sync(
                &db,
                SyncOptions {
                    force: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(labels().await, ["open", "closed"]);
    })
    .await;
}

// `Default` because the derived model has one (`Article { ..Default::default() }`).
#[derive(SqlEnum, Debug, Clone, Copy, PartialEq, Default)]
#[sql_enum(rename_all = "snake_case")]
enum Status {
    #[default]
    Draft,
    InReview,
    #[sql_enum(rename = "live")]
    Published,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(timestamps = false)]
struct Article {
    id: i64,
    status: Status,
    previous: Option<Status>,
}

/// A Rust enum is an `ENUM` attribute with `#[derive(SqlEnum)]`: stored as its values'
/// names, filtered on with its variants, and refused when the stored text is no variant.
#[tokio::test]
async fn rust_enums_are_enum_attributes() {
    assert_eq!(
        <Status as sequelize::SqlType>::data_type(),
        DataType::Enum(vec!["draft".into(), "in_review".into(), "live".into()])
    );
    for_each_dialect("sql_enum", |db| async move {
        let dialect = db.dialect().name();
        db.define::<Article>().register().unwrap();
        db.sync(SyncOptions::default()).await.unwrap();
        for (status, previous) in [
            (Status::InReview, Some(Status::Draft)),
            (Status::Published, None),
        ] {
            Article::create(Article {
                id: 0,
                status,
                previous,
            })
            .exec(&db)
            .await
            .unwrap();
        }
        let live = Article::find_all()
            .filter(Article::STATUS.eq(Status::Published))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(live.len(), 1, "{dialect}");
        assert_eq!(
            (live[0].status, live[0].previous),
            (Status::Published, None)
        );
        let raw = db
            .query(AssertSqlSafe(format!(
                "SELECT {} FROM {} ORDER BY {}",
                common::q(&db, "status"),
                common::q(&db, "Articles"),
                common::q(&db, "id")
            )))
            .all()
            .await
            .unwrap();
        let stored: Vec<String> = raw.iter().map(|r| r.get_index(0).unwrap()).collect();
        assert_eq!(stored, ["in_review", "live"], "{dialect}");
        let unknown = Status::from_value(Value::from("archived")).unwrap_err();
        assert!(
            unknown.to_string().contains("draft, in_review, live"),
            "{unknown}"
        );
    })
    .await;
}

// `no_default`: an `IpAddr` has no default.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(timestamps = false, no_default)]
struct Booking {
    id: i64,
    seats: Range<i32>,
    client: IpAddr,
    tags: HashMap<String, Option<String>>,
}

/// Ranges, addresses and hstore maps as typed attributes (PostgreSQL).
#[tokio::test]
async fn postgres_types_as_typed_attributes() {
    for_each_dialect("typed_postgres_types", |db| async move {
        let dialect = db.dialect().name();
        db.define::<Booking>().register().unwrap();
        let synced = db.sync(SyncOptions::default()).await;
        if dialect != "postgres" {
            assert!(
                matches!(synced, Err(Error::Unsupported { .. })),
                "{dialect}"
            );
            return;
        }
        synced.unwrap();
        let booking = Booking {
            id: 0,
            seats: (3..=7).into(),
            client: "2001:db8::1".parse().unwrap(),
            tags: HashMap::from([("vip".to_owned(), Some("yes".to_owned()))]),
        };
        let created = Booking::create(booking.clone()).exec(&db).await.unwrap();
        let read = Booking::find_by_pk(created.id)
            .exec(&db)
            .await
            .unwrap()
            .unwrap();
        // An inclusive upper bound of a discrete range comes back exclusive, one further.
        assert_eq!(read.seats, Range::from(3..8));
        assert_eq!((read.client, &read.tags), (booking.client, &booking.tags));
        let json = serde_json::to_value(&read.seats).unwrap();
        assert_eq!(
            json,
            json!([{"value": 3, "inclusive": true}, {"value": 8, "inclusive": false}])
        );
    })
    .await;
}
