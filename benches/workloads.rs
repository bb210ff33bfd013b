//! diesel_bench's workloads (`reference/performance.md` §1.3), each by the ORM as a user
//! writes it and by the raw driver at its best (statement prepared once, columns by index),
//! on one current-thread Tokio runtime, on every dialect:
//!
//! - `trivial_query_N`: `SELECT id, name, hair_color FROM users` of N rows (1, 100, 10,000)
//!   into structs (`User::find_all()`);
//! - `medium_complex_query_N`: N users, half with black hair, no posts; the black-haired
//!   ones with their posts (`LEFT JOIN`, `include` of a `hasMany`);
//! - `insert_N`: N users in one multi-row `INSERT` per iteration (`bulk_create`), in
//!   autocommit, the table growing.
//!
//! ```text
//! scripts/test.sh --no-run            # once: starts the servers, creates sequelize_test
//! cargo bench --bench workloads --all-features
//! ```
//!
//! The last lines printed are a table of each case as the ORM's median over the raw
//! driver's, and their geometric mean per dialect; the same table replaces the one between
//! the `workloads` markers of docs/performance.md.

use criterion::{BenchmarkId, Criterion};
use sequelize::prelude::*;
use tokio::runtime::Runtime;

mod common;
use common::{connect, connect_fresh, median, run_dialects, urls};

const TRIVIAL: &str = "trivial_query";
const MEDIUM: &str = "medium_complex_query";
const INSERT: &str = "insert";
const QUERY_SIZES: [usize; 3] = [1, 100, 10_000];
const INSERT_SIZES: [usize; 2] = [1, 100];

#[derive(Model, Debug, Clone)]
#[model(table = "wl_users", underscored, timestamps = false)]
#[has_many(Post, alias = "posts", foreign_key = "user_id")]
struct User {
    #[attr(primary_key, auto_increment)]
    id: i32,
    name: String,
    hair_color: Option<String>,
}

#[derive(Model, Debug, Clone)]
#[model(table = "wl_posts", underscored, timestamps = false)]
struct Post {
    #[attr(primary_key, auto_increment)]
    id: i32,
    user_id: i32,
    title: String,
    #[attr(data_type = DataType::Text)]
    body: Option<String>,
}

/// What the raw drivers decode into.
#[derive(Debug)]
#[allow(dead_code)]
struct RawUser {
    id: i32,
    name: String,
    hair_color: Option<String>,
}

#[derive(Debug)]
#[allow(dead_code)]
struct RawPost {
    id: i32,
    user_id: i32,
    title: String,
    body: Option<String>,
}

const TRIVIAL_SQL: &str = "SELECT id, name, hair_color FROM wl_users";
const MEDIUM_SQL: &str = "SELECT u.id, u.name, u.hair_color, p.id, p.user_id, p.title, p.body \
     FROM wl_users AS u LEFT JOIN wl_posts AS p ON u.id = p.user_id WHERE u.hair_color = ?";

/// The users of a fixture: `User {i}`, hair black on even indexes (`medium`), else none.
fn users(size: usize, medium: bool) -> Vec<User> {
    (0..size)
        .map(|i| User {
            id: 0,
            name: format!("User {i}"),
            hair_color: medium.then(|| if i % 2 == 0 { "black" } else { "brown" }.to_owned()),
        })
        .collect()
}

/// The `INSERT` of the raw drivers for `size` users, with `?` placeholders.
fn insert_sql(size: usize) -> String {
    let rows = vec!["(?, ?)"; size].join(", ");
    format!("INSERT INTO wl_users (name, hair_color) VALUES {rows}")
}

/// Empties the tables and inserts the fixture, through the ORM (the raw driver reads the
/// same tables on the servers; on SQLite its own database gets the same rows).
async fn refill(db: &Sequelize, size: usize, medium: bool) {
    db.query("DELETE FROM wl_posts").exec().await.unwrap();
    db.query("DELETE FROM wl_users").exec().await.unwrap();
    if size > 0 {
        User::bulk_create(users(size, medium))
            .exec(db)
            .await
            .unwrap();
    }
}

/// Defines the models and makes their tables.
async fn create(db: &Sequelize) {
    define(db);
    common::recreate_tables(db).await;
}

fn define(db: &Sequelize) {
    if !db.is_defined("User") {
        db.define::<User>().register().unwrap();
        db.define::<Post>().register().unwrap();
    }
}

/// What a raw driver does for each workload.
trait RawDriver {
    /// Empties the tables and inserts the fixture (where the driver has its own database).
    fn refill(&mut self, rt: &Runtime, size: usize, medium: bool);
    fn trivial(&mut self, rt: &Runtime) -> Vec<RawUser>;
    fn medium(&mut self, rt: &Runtime) -> Vec<(RawUser, Option<RawPost>)>;
    fn insert(&mut self, rt: &Runtime, users: &[User]);
}

/// Every workload at every size, by the ORM and by `raw`, on `dialect`.
fn bench_all(
    c: &mut Criterion,
    rt: &Runtime,
    db: &Sequelize,
    raw: &mut dyn RawDriver,
    dialect: &str,
) {
    for size in QUERY_SIZES {
        rt.block_on(refill(db, size, false));
        raw.refill(rt, size, false);
        let mut group = c.benchmark_group(format!("{TRIVIAL}_{size}"));
        group.bench_function(BenchmarkId::new("sequelize", dialect), |b| {
            b.to_async(rt).iter(|| async {
                let users = User::find_all().exec(db).await.unwrap();
                assert_eq!(users.len(), size);
                users
            })
        });
        group.bench_function(BenchmarkId::new("raw", dialect), |b| {
            b.iter(|| {
                let users = raw.trivial(rt);
                assert_eq!(users.len(), size);
                users
            })
        });
        group.finish();
    }
    for size in QUERY_SIZES {
        rt.block_on(refill(db, size, true));
        raw.refill(rt, size, true);
        let black = size.div_ceil(2);
        let mut group = c.benchmark_group(format!("{MEDIUM}_{size}"));
        group.bench_function(BenchmarkId::new("sequelize", dialect), |b| {
            b.to_async(rt).iter(|| async {
                let users = User::find_all()
                    .filter(User::HAIR_COLOR.eq("black"))
                    .include(User::posts())
                    .exec(db)
                    .await
                    .unwrap();
                assert_eq!(users.len(), black);
                users
            })
        });
        group.bench_function(BenchmarkId::new("raw", dialect), |b| {
            b.iter(|| {
                let rows = raw.medium(rt);
                assert_eq!(rows.len(), black);
                rows
            })
        });
        group.finish();
    }
    for size in INSERT_SIZES {
        rt.block_on(refill(db, 0, false));
        raw.refill(rt, 0, false);
        let rows = users(size, true);
        let mut group = c.benchmark_group(format!("{INSERT}_{size}"));
        group.bench_function(BenchmarkId::new("sequelize", dialect), |b| {
            b.to_async(rt).iter(|| async {
                User::bulk_create(rows.clone()).exec(db).await.unwrap();
            })
        });
        group.bench_function(BenchmarkId::new("raw", dialect), |b| {
            b.iter(|| raw.insert(rt, &rows))
        });
        group.finish();
    }
}

/// rusqlite on an in-memory database of its own.
struct Sqlite(rusqlite::Connection);

impl RawDriver for Sqlite {
    fn refill(&mut self, _: &Runtime, size: usize, medium: bool) {
        self.0
            .execute_batch("DELETE FROM wl_posts; DELETE FROM wl_users")
            .unwrap();
        if size > 0 {
            self.insert_rows(&users(size, medium));
        }
    }

    fn trivial(&mut self, _: &Runtime) -> Vec<RawUser> {
        let mut statement = self.0.prepare_cached(TRIVIAL_SQL).unwrap();
        let rows = statement.query_map([], |r| {
            Ok(RawUser {
                id: r.get(0)?,
                name: r.get(1)?,
                hair_color: r.get(2)?,
            })
        });
        rows.unwrap().collect::<Result<_, _>>().unwrap()
    }

    fn medium(&mut self, _: &Runtime) -> Vec<(RawUser, Option<RawPost>)> {
        let mut statement = self.0.prepare_cached(MEDIUM_SQL).unwrap();
        let rows = statement.query_map(["black"], |r| {
            let post = match r.get::<_, Option<i32>>(3)? {
                Some(id) => Some(RawPost {
                    id,
                    user_id: r.get(4)?,
                    title: r.get(5)?,
                    body: r.get(6)?,
                }),
                None => None,
            };
            let user = RawUser {
                id: r.get(0)?,
                name: r.get(1)?,
                hair_color: r.get(2)?,
            };
            Ok((user, post))
        });
        rows.unwrap().collect::<Result<_, _>>().unwrap()
    }

    fn insert(&mut self, _: &Runtime, users: &[User]) {
        self.insert_rows(users);
    }
}

impl Sqlite {
    fn insert_rows(&self, users: &[User]) {
        let mut statement = self.0.prepare_cached(&insert_sql(users.len())).unwrap();
        let params = users
            .iter()
            .flat_map(|u| [&u.name as &dyn rusqlite::ToSql, &u.hair_color]);
        statement
            .execute(rusqlite::params_from_iter(params))
            .unwrap();
    }
}

fn bench_sqlite(c: &mut Criterion, rt: &Runtime, url: &str) {
    let db = rt.block_on(connect(url));
    rt.block_on(create(&db));
    let conn = common::rusqlite_memory();
    conn.execute_batch(
        "CREATE TABLE wl_users (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
             name VARCHAR NOT NULL, hair_color VARCHAR); \
         CREATE TABLE wl_posts (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
             user_id INTEGER NOT NULL, title VARCHAR NOT NULL, body TEXT);",
    )
    .unwrap();
    bench_all(c, rt, &db, &mut Sqlite(conn), "sqlite");
}

/// tokio-postgres, its statements prepared once (the inserts' once per size).
struct Postgres {
    client: tokio_postgres::Client,
    trivial: tokio_postgres::Statement,
    medium: tokio_postgres::Statement,
    inserts: std::collections::HashMap<usize, tokio_postgres::Statement>,
}

fn postgres_placeholders(sql: &str) -> String {
    let mut n = 0;
    sql.split('?')
        .enumerate()
        .map(|(i, part)| match i {
            0 => part.to_owned(),
            _ => {
                n += 1;
                format!("${n}{part}")
            }
        })
        .collect()
}

impl RawDriver for Postgres {
    fn refill(&mut self, _: &Runtime, _: usize, _: bool) {}

    fn trivial(&mut self, rt: &Runtime) -> Vec<RawUser> {
        let rows = rt.block_on(self.client.query(&self.trivial, &[])).unwrap();
        rows.iter()
            .map(|r| RawUser {
                id: r.get(0),
                name: r.get(1),
                hair_color: r.get(2),
            })
            .collect()
    }

    fn medium(&mut self, rt: &Runtime) -> Vec<(RawUser, Option<RawPost>)> {
        let rows = rt
            .block_on(self.client.query(&self.medium, &[&"black"]))
            .unwrap();
        rows.iter()
            .map(|r| {
                let post = r.get::<_, Option<i32>>(3).map(|id| RawPost {
                    id,
                    user_id: r.get(4),
                    title: r.get(5),
                    body: r.get(6),
                });
                let user = RawUser {
                    id: r.get(0),
                    name: r.get(1),
                    hair_color: r.get(2),
                };
                (user, post)
            })
            .collect()
    }

    fn insert(&mut self, rt: &Runtime, users: &[User]) {
        let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = Vec::new();
        for user in users {
            params.push(&user.name);
            params.push(&user.hair_color);
        }
        rt.block_on(async {
            let statement = match self.inserts.get(&users.len()) {
                Some(statement) => statement.clone(),
                None => {
                    let sql = postgres_placeholders(&insert_sql(users.len()));
                    let statement = self.client.prepare(&sql).await.unwrap();
                    self.inserts.insert(users.len(), statement.clone());
                    statement
                }
            };
            self.client.execute(&statement, &params).await.unwrap();
        });
    }
}

fn bench_postgres(c: &mut Criterion, rt: &Runtime, url: &str) {
    let db = rt.block_on(connect_fresh(url, create));
    define(&db);
    let mut raw = rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect tokio-postgres");
        tokio::spawn(connection);
        let trivial = client.prepare(TRIVIAL_SQL).await.unwrap();
        let medium = client
            .prepare(&postgres_placeholders(MEDIUM_SQL))
            .await
            .unwrap();
        Postgres {
            client,
            trivial,
            medium,
            inserts: Default::default(),
        }
    });
    bench_all(c, rt, &db, &mut raw, "postgres");
}

/// mysql_async over TCP, its statements prepared once (the connection's statement cache).
struct MariaDb(mysql_async::Conn);

impl RawDriver for MariaDb {
    fn refill(&mut self, _: &Runtime, _: usize, _: bool) {}

    fn trivial(&mut self, rt: &Runtime) -> Vec<RawUser> {
        use mysql_async::prelude::Queryable;
        rt.block_on(
            self.0
                .exec_map(TRIVIAL_SQL, (), |(id, name, hair_color)| RawUser {
                    id,
                    name,
                    hair_color,
                }),
        )
        .unwrap()
    }

    fn medium(&mut self, rt: &Runtime) -> Vec<(RawUser, Option<RawPost>)> {
        use mysql_async::prelude::Queryable;
        type Row = (
            i32,
            String,
            Option<String>,
            Option<i32>,
            Option<i32>,
            Option<String>,
            Option<String>,
        );
        rt.block_on(self.0.exec_map(MEDIUM_SQL, ("black",), |row: Row| {
            let (id, name, hair_color, post_id, user_id, title, body) = row;
            let post = match (post_id, user_id, title) {
                (Some(id), Some(user_id), Some(title)) => Some(RawPost {
                    id,
                    user_id,
                    title,
                    body,
                }),
                _ => None,
            };
            (
                RawUser {
                    id,
                    name,
                    hair_color,
                },
                post,
            )
        }))
        .unwrap()
    }

    fn insert(&mut self, rt: &Runtime, users: &[User]) {
        use mysql_async::prelude::Queryable;
        let params: Vec<mysql_async::Value> = users
            .iter()
            .flat_map(|u| [u.name.clone().into(), u.hair_color.clone().into()])
            .collect();
        rt.block_on(self.0.exec_drop(insert_sql(users.len()), params))
            .unwrap();
    }
}

fn bench_mysql(c: &mut Criterion, rt: &Runtime, url: &str) {
    let db = rt.block_on(connect_fresh(url, create));
    define(&db);
    let conn = rt.block_on(common::mysql_raw(url));
    bench_all(c, rt, &db, &mut MariaDb(conn), "mariadb");
}

/// The cases of the report, in its order.
fn cases() -> Vec<String> {
    let queries = [TRIVIAL, MEDIUM]
        .into_iter()
        .flat_map(|w| QUERY_SIZES.map(|size| format!("{w}_{size}")));
    let inserts = INSERT_SIZES.map(|size| format!("{INSERT}_{size}"));
    queries.chain(inserts).collect()
}

/// The table of ratios (ORM median / raw median) per case and dialect, with the geometric
/// mean per dialect, as Markdown.
fn report() -> String {
    let dialects: Vec<&str> = urls().into_iter().map(|(d, _)| d).collect();
    let mut out = format!("| case | {} |\n|---|", dialects.join(" | "));
    out.push_str(&"---:|".repeat(dialects.len()));
    out.push('\n');
    let mut logs = vec![Vec::new(); dialects.len()];
    for case in cases() {
        out.push_str(&format!("| `{case}` |"));
        for (i, dialect) in dialects.iter().enumerate() {
            match (
                median(&case, "sequelize", dialect),
                median(&case, "raw", dialect),
            ) {
                (Some(orm), Some(raw)) => {
                    logs[i].push((orm / raw).ln());
                    out.push_str(&format!(" {:.2}× |", orm / raw));
                }
                _ => out.push_str(" — |"),
            }
        }
        out.push('\n');
    }
    out.push_str("| **geometric mean** |");
    for logs in &logs {
        match logs.is_empty() {
            true => out.push_str(" — |"),
            false => {
                let mean = (logs.iter().sum::<f64>() / logs.len() as f64).exp();
                out.push_str(&format!(" **{mean:.2}** |"));
            }
        }
    }
    out.push('\n');
    out
}

/// Replaces the table between the `workloads` markers of docs/performance.md.
fn write_report(table: &str) {
    const BEGIN: &str = "<!-- workloads:begin -->";
    const END: &str = "<!-- workloads:end -->";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/performance.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        return;
    };
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let stamp = format!(
        "Measured {} on {} cores, {rustc}, criterion medians of this run:\n\n",
        Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let updated = format!("{}{BEGIN}\n{stamp}{table}{}", &text[..begin], &text[end..]);
    std::fs::write(&path, updated).expect("write docs/performance.md");
}

fn main() {
    run_dialects(bench_sqlite, bench_postgres, bench_mysql);
    // `cargo bench` passes `--bench`; without it (`cargo test --benches`) criterion runs each
    // case once and measures nothing, so the table is left as it is.
    if !std::env::args().any(|arg| arg == "--bench") {
        return;
    }
    let table = report();
    println!("\nORM median / raw driver median:\n\n{table}");
    write_report(&table);
}
