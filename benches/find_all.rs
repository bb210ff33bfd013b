//! `find_all` of 10,000 rows on each dialect, next to the raw driver doing the same work
//! (diesel_bench's "trivial query": `SELECT id, name, hair_color FROM users` decoded into a
//! struct). All async code runs on one current-thread Tokio runtime, so no implementation
//! pays for cross-thread wake-ups the others do not (`reference/performance.md` §2.3).
//!
//! ```text
//! scripts/test.sh --no-run            # once: starts the servers, creates sequelize_test
//! cargo bench --bench find_all --all-features
//! ```
//!
//! The last lines printed are the ratios (ORM median / raw-driver median) per dialect.
//! `BENCH_POSTGRES_URL` and `BENCH_MYSQL_URL` override the servers.

use std::path::Path;

use criterion::{BenchmarkId, Criterion};
use sequelize::prelude::*;
use sequelize::{AssertSqlSafe, Logging};
use tokio::runtime::Runtime;

const ROWS: usize = 10_000;
const GROUP: &str = "find_all_10000";

#[derive(Model, Debug, Clone)]
#[model(table = "bench_users", underscored, timestamps = false)]
struct User {
    id: i32,
    name: String,
    hair_color: Option<String>,
}

/// The raw drivers decode into the same shape.
#[derive(Debug)]
#[allow(dead_code)]
struct RawUser {
    id: i32,
    name: String,
    hair_color: Option<String>,
}

const SELECT: &str = "SELECT id, name, hair_color FROM bench_users";

fn urls() -> Vec<(&'static str, String)> {
    vec![
        ("sqlite", "sqlite::memory:".to_owned()),
        (
            "postgres",
            std::env::var("BENCH_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/sequelize_test".into()),
        ),
        (
            "mariadb",
            std::env::var("BENCH_MYSQL_URL")
                .unwrap_or_else(|_| "mariadb://root@127.0.0.1:3306/sequelize_test".into()),
        ),
    ]
}

/// Creates and fills the table through the ORM (one multi-row insert per 1,000 rows).
async fn fill(db: &Sequelize) {
    db.define::<User>().register().unwrap();
    db.sync(SyncOptions { force: true }).await.unwrap();
    for chunk in 0..ROWS / 1000 {
        let values: Vec<String> = (0..1000)
            .map(|i| format!("('User {}', NULL)", chunk * 1000 + i))
            .collect();
        db.query(AssertSqlSafe(format!(
            "INSERT INTO bench_users (name, hair_color) VALUES {}",
            values.join(", ")
        )))
        .exec()
        .await
        .unwrap();
    }
}

fn bench_sqlite(c: &mut Criterion, rt: &Runtime, url: &str) {
    let db = rt.block_on(connect(url));
    rt.block_on(fill(&db));
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BenchmarkId::new("sequelize", "sqlite"), |b| {
        b.to_async(rt).iter(|| async {
            let users = User::find_all().exec(&db).await.unwrap();
            assert_eq!(users.len(), ROWS);
            users
        })
    });
    group.finish();

    // The raw driver: the same in-memory database contents, one rusqlite connection.
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE bench_users (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(255) NOT NULL, hair_color VARCHAR(255))",
    )
    .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..ROWS {
        tx.execute(
            "INSERT INTO bench_users (name) VALUES (?1)",
            [format!("User {i}")],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BenchmarkId::new("raw", "sqlite"), |b| {
        b.iter(|| {
            let mut stmt = conn.prepare_cached(SELECT).unwrap();
            let users: Vec<RawUser> = stmt
                .query_map([], |row| {
                    Ok(RawUser {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        hair_color: row.get(2)?,
                    })
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(users.len(), ROWS);
            users
        })
    });
    group.finish();
}

fn bench_postgres(c: &mut Criterion, rt: &Runtime, url: &str) {
    let db = rt.block_on(connect(url));
    rt.block_on(fill(&db));
    let (client, statement) = rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect tokio-postgres");
        tokio::spawn(connection);
        let statement = client.prepare(SELECT).await.unwrap();
        (client, statement)
    });
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BenchmarkId::new("sequelize", "postgres"), |b| {
        b.to_async(rt).iter(|| async {
            let users = User::find_all().exec(&db).await.unwrap();
            assert_eq!(users.len(), ROWS);
            users
        })
    });
    group.bench_function(BenchmarkId::new("raw", "postgres"), |b| {
        b.to_async(rt).iter(|| async {
            let users: Vec<RawUser> = client
                .query(&statement, &[])
                .await
                .unwrap()
                .iter()
                .map(|row| RawUser {
                    id: row.get(0),
                    name: row.get(1),
                    hair_color: row.get(2),
                })
                .collect();
            assert_eq!(users.len(), ROWS);
            users
        })
    });
    group.finish();
}

fn bench_mysql(c: &mut Criterion, rt: &Runtime, url: &str) {
    use mysql_async::prelude::Queryable;
    let db = rt.block_on(connect(url));
    rt.block_on(fill(&db));
    let raw_url = url.replacen("mariadb://", "mysql://", 1);
    let mut conn = rt.block_on(async {
        mysql_async::Conn::new(mysql_async::Opts::from_url(&raw_url).unwrap())
            .await
            .expect("connect mysql_async")
    });
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BenchmarkId::new("sequelize", "mariadb"), |b| {
        b.to_async(rt).iter(|| async {
            let users = User::find_all().exec(&db).await.unwrap();
            assert_eq!(users.len(), ROWS);
            users
        })
    });
    group.bench_function(BenchmarkId::new("raw", "mariadb"), |b| {
        b.iter(|| {
            rt.block_on(async {
                let users: Vec<RawUser> = conn
                    .query_map(SELECT, |(id, name, hair_color)| RawUser {
                        id,
                        name,
                        hair_color,
                    })
                    .await
                    .unwrap();
                assert_eq!(users.len(), ROWS);
                users
            })
        })
    });
    group.finish();
}

async fn connect(url: &str) -> Sequelize {
    Sequelize::connect_with(Options {
        url: Some(url.to_owned()),
        logging: Logging::Off,
        ..Default::default()
    })
    .await
    .unwrap_or_else(|e| panic!("{url}: {e}; start the servers with scripts/test.sh --no-run"))
}

/// Reads criterion's median estimate for one benchmark, in nanoseconds.
fn median(id: &str, dialect: &str) -> Option<f64> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/criterion")
        .join(GROUP)
        .join(id)
        .join(dialect)
        .join("new/estimates.json");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut criterion = Criterion::default().configure_from_args();
    for (dialect, url) in urls() {
        match dialect {
            "sqlite" => bench_sqlite(&mut criterion, &rt, &url),
            "postgres" => bench_postgres(&mut criterion, &rt, &url),
            _ => bench_mysql(&mut criterion, &rt, &url),
        }
    }
    criterion.final_summary();
    println!("\n{GROUP}: sequelize median / raw driver median");
    for (dialect, _) in urls() {
        if let (Some(orm), Some(raw)) = (median("sequelize", dialect), median("raw", dialect)) {
            println!(
                "  {dialect:<9} {:>8.3} ms / {:>8.3} ms = {:.2}x",
                orm / 1e6,
                raw / 1e6,
                orm / raw
            );
        }
    }
}
