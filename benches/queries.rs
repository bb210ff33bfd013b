//! Queries on each dialect, next to the raw driver doing the same work, on one
//! current-thread Tokio runtime (so no implementation pays for cross-thread wake-ups the
//! others do not, `reference/performance.md` §2.3):
//!
//! - `find_all_10000`: diesel_bench's "trivial query", `SELECT id, name, hair_color FROM
//!   users` of 10,000 rows decoded into a struct, collected and (`stream`) streamed;
//! - `find_by_pk`: one row by its key, where the ORM's own work (planning, SQL text,
//!   decoding) weighs most;
//! - `statement_text`: what the statement cache saves per query: rendering a `SELECT`
//!   against computing its shape key (what a cached run does instead).
//!
//! ```text
//! scripts/test.sh --no-run            # once: starts the servers, creates sequelize_test
//! cargo bench --bench queries --all-features
//! ```
//!
//! The last lines printed are the ratios (ORM median / raw-driver median) per dialect.
//! `BENCH_POSTGRES_URL` and `BENCH_MYSQL_URL` override the servers.

use criterion::{BenchmarkId, Criterion};
use sequelize::prelude::*;
use sequelize::AssertSqlSafe;
use tokio::runtime::Runtime;

mod common;
use common::{connect, connect_fresh, print_ratios, run_dialects};

const ROWS: usize = 10_000;
const GROUP: &str = "find_all_10000";
const BY_PK_GROUP: &str = "find_by_pk";
const TEXT_GROUP: &str = "statement_text";
/// The key looked up by `find_by_pk`.
const KEY: i32 = 4242;

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
const BY_PK: &str = "SELECT id, name, hair_color FROM bench_users WHERE id = ?";

/// The ORM's `find_all` of every row, collected (`sequelize`) and streamed (`stream`, each
/// instance taken as it arrives), benchmarked the same way on every dialect.
fn bench_orm_find_all(c: &mut Criterion, rt: &Runtime, db: &Sequelize, dialect: &str) {
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BenchmarkId::new("sequelize", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let users = User::find_all().exec(db).await.unwrap();
            assert_eq!(users.len(), ROWS);
            users
        })
    });
    group.bench_function(BenchmarkId::new("stream", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let mut users = User::find_all().stream(db);
            let mut count = 0;
            while let Some(user) = users.try_next().await.unwrap() {
                count += usize::from(!user.name.is_empty());
            }
            assert_eq!(count, ROWS);
        })
    });
    group.finish();
}

/// The ORM's `find_by_pk`, benchmarked the same way on every dialect.
fn bench_orm_by_pk(c: &mut Criterion, rt: &Runtime, db: &Sequelize, dialect: &str) {
    let mut group = c.benchmark_group(BY_PK_GROUP);
    group.bench_function(BenchmarkId::new("sequelize", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let user = User::find_by_pk(KEY).exec(db).await.unwrap().unwrap();
            assert_eq!(user.id, KEY);
            user
        })
    });
    group.finish();
}

/// Defines the model on `db`.
fn define(db: &Sequelize) {
    db.define::<User>().register().unwrap();
}

/// Creates and fills the table through the ORM (one multi-row insert per 1,000 rows).
async fn fill(db: &Sequelize) {
    define(db);
    common::recreate_tables(db).await;
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

fn bench_sqlite(c: &mut Criterion, rt: &Runtime, dialect: &str, url: &str) {
    let db = rt.block_on(connect(url));
    rt.block_on(fill(&db));
    bench_orm_find_all(c, rt, &db, dialect);
    bench_orm_by_pk(c, rt, &db, dialect);
    // Rendering does not depend on where the database is: measured once.
    if dialect == "sqlite" {
        bench_statement_text(c, &db);
    }

    // The raw driver: the same database contents, one rusqlite connection.
    let conn = common::rusqlite_for(url);
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
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
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
    let mut group = c.benchmark_group(BY_PK_GROUP);
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
        b.iter(|| {
            let mut stmt = conn.prepare_cached(BY_PK).unwrap();
            let user = stmt
                .query_row([KEY], |row| {
                    Ok(RawUser {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        hair_color: row.get(2)?,
                    })
                })
                .unwrap();
            assert_eq!(user.id, KEY);
            user
        })
    });
    group.finish();
}

/// Rendering a `SELECT` against computing its shape (what the statement cache does for a
/// shape it has rendered before).
fn bench_statement_text(c: &mut Criterion, db: &Sequelize) {
    use sequelize::sql::{Expr, Select, Shape, Statement, TableRef};
    let statement = Statement::from(Select {
        columns: ["id", "name", "hair_color"]
            .into_iter()
            .map(|c| Expr::column(c).into())
            .collect(),
        ..Select::new(TableRef::new("bench_users")).filter(Expr::column("id").eq(KEY))
    });
    let dialect = db.dialect();
    let mut group = c.benchmark_group(TEXT_GROUP);
    group.bench_function(BenchmarkId::new("render", "sqlite"), |b| {
        b.iter(|| dialect.render(&statement).unwrap())
    });
    group.bench_function(BenchmarkId::new("shape", "sqlite"), |b| {
        b.iter(|| Shape::of(&statement).unwrap())
    });
    group.finish();
}

fn bench_postgres(c: &mut Criterion, rt: &Runtime, dialect: &str, url: &str) {
    let db = rt.block_on(connect_fresh(url, fill));
    define(&db);
    let (client, statement) = rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect tokio-postgres");
        tokio::spawn(connection);
        let statement = client.prepare(SELECT).await.unwrap();
        (client, statement)
    });
    let by_pk = rt
        .block_on(client.prepare(&BY_PK.replace('?', "$1")))
        .unwrap();
    bench_orm_find_all(c, rt, &db, dialect);
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
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
    bench_orm_by_pk(c, rt, &db, dialect);
    let mut group = c.benchmark_group(BY_PK_GROUP);
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let row = client.query_one(&by_pk, &[&KEY]).await.unwrap();
            let user = RawUser {
                id: row.get(0),
                name: row.get(1),
                hair_color: row.get(2),
            };
            assert_eq!(user.id, KEY);
            user
        })
    });
    group.finish();
}

fn bench_mysql(c: &mut Criterion, rt: &Runtime, dialect: &str, url: &str) {
    use mysql_async::prelude::Queryable;
    let db = rt.block_on(connect_fresh(url, fill));
    define(&db);
    let mut conn = rt.block_on(common::mysql_raw(url));
    bench_orm_find_all(c, rt, &db, dialect);
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
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
    bench_orm_by_pk(c, rt, &db, dialect);
    let mut group = c.benchmark_group(BY_PK_GROUP);
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
        b.iter(|| {
            rt.block_on(async {
                let (id, name, hair_color): (i32, String, Option<String>) =
                    conn.exec_first(BY_PK, (KEY,)).await.unwrap().unwrap();
                let user = RawUser {
                    id,
                    name,
                    hair_color,
                };
                assert_eq!(user.id, KEY);
                user
            })
        })
    });
    group.finish();
}

fn main() {
    run_dialects(bench_sqlite, bench_postgres, bench_mysql);
    print_ratios(GROUP, ("sequelize", "raw"), ("ms", 1e6));
    print_ratios(GROUP, ("stream", "raw"), ("ms", 1e6));
    print_ratios(BY_PK_GROUP, ("sequelize", "raw"), ("µs", 1e3));
    print_ratios(TEXT_GROUP, ("shape", "render"), ("µs", 1e3));
}
