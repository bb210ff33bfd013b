//! diesel_bench's workloads (`reference/performance.md` §1.3), each by the ORM as a user
//! writes it and by the raw driver at its best (statement prepared once, columns by index),
//! on one Tokio runtime (current-thread; multi-thread with `BENCH_RUNTIME=multi_thread`), on
//! every dialect:
//!
//! - `trivial_query_N`: `SELECT id, name, hair_color FROM users` of N rows (1, 100, 10,000)
//!   into structs (`User::find_all()`);
//! - `medium_complex_query_N`: N users, half with black hair, no posts; the black-haired
//!   ones with their posts (`LEFT JOIN`, `include` of a `hasMany`);
//! - `point_lookup`: one of 10,000 users by its primary key (`find_by_pk`);
//! - `page_200`: 200 of them by a `WHERE`, newest first (`filter`, `order`, `limit`);
//! - `counted_page_20`: a page of 20 after 40 and the count of all the rows that match
//!   (`and_count`, Sequelize's `findAndCountAll`: two statements);
//! - `concurrent_16`: 16 point lookups at once over a pool of 8 connections (one on SQLite
//!   in memory; the raw drivers: rusqlite one after another, tokio-postgres on 8 clients,
//!   mysql_async's own pool of 8);
//! - `insert_N`: N users in one multi-row `INSERT` per iteration (`bulk_create`), in
//!   autocommit, the table growing;
//! - `users_posts_comments`: 100 users, their 1,000 posts and their 10,000 comments, with
//!   `separate` (three queries, against the raw driver running the same three) and with
//!   joins (one query, against the raw driver running the same join); see `nested`.
//!
//! ```text
//! scripts/test.sh --no-run            # once: starts the servers, creates sequelize_test
//! cargo bench --bench workloads --all-features
//! BENCH_RUNTIME=multi_thread cargo bench --bench workloads --all-features
//! BENCH_ROUNDS=3 cargo bench --bench workloads --all-features   # medians of 3 rounds
//! ```
//!
//! The last lines printed are a table of each case as the ORM's median over the raw
//! driver's, and their geometric mean per dialect, then the bytes each side allocates to
//! load 10,000 rows (a counting global allocator); the same tables replace the ones between
//! the `workloads` markers of docs/performance.md, unless the run was filtered to some cases
//! (or profiled), which prints its table only.

use std::sync::Mutex;

use criterion::{BatchSize, BenchmarkId, Criterion};
use sequelize::prelude::*;
use tokio::runtime::Runtime;

mod common;
mod nested;
use common::allocations::{bytes_allocated, Counting};
use common::{connect, connect_fresh, median, run_dialects, urls};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The bytes allocated by each side of a case: (case, dialect, ORM, raw driver).
static ALLOCATED: Mutex<Vec<(String, String, usize, usize)>> = Mutex::new(Vec::new());

/// Records the bytes the ORM's `orm` and the raw driver's `raw` allocate, run once each
/// after their benchmark (the caches warm), in the first round only: the counts do not
/// change from round to round.
fn count_allocations<A, B>(
    case: String,
    dialect: &str,
    orm: impl FnOnce() -> A,
    raw: impl FnOnce() -> B,
) {
    let counted = |(c, d, ..): &(String, String, usize, usize)| *c == case && d == dialect;
    if ALLOCATED.lock().unwrap().iter().any(counted) {
        return;
    }
    let (orm, raw) = (bytes_allocated(orm), bytes_allocated(raw));
    let mut allocated = ALLOCATED.lock().unwrap();
    allocated.push((case, dialect.to_owned(), orm, raw));
}

const TRIVIAL: &str = "trivial_query";
const MEDIUM: &str = "medium_complex_query";
const POINT: &str = "point_lookup";
const PAGE: &str = "page_200";
const COUNTED: &str = "counted_page_20";
const CONCURRENT: &str = "concurrent_16";
/// How many lookups `concurrent_16` runs at once.
const AT_ONCE: i32 = 16;
const INSERT: &str = "insert";
const QUERY_SIZES: [usize; 3] = [1, 100, 10_000];
/// The size whose allocations are counted.
const ROWS_COUNTED: usize = 10_000;
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

const BY_PK_SQL: &str = "SELECT id, name, hair_color FROM wl_users WHERE id = ?";
const PAGE_SQL: &str = "SELECT id, name, hair_color FROM wl_users WHERE hair_color = ? \
     ORDER BY id DESC LIMIT ? OFFSET ?";
const COUNT_SQL: &str = "SELECT COUNT(*) FROM wl_users WHERE hair_color = ?";
const FIRST_ID_SQL: &str = "SELECT MIN(id) FROM wl_users";
/// Which user `point_lookup` reads: the one this far after the first.
const LOOKED_UP: i32 = 4242;

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
    /// The smallest user id.
    fn first_id(&mut self, rt: &Runtime) -> i32;
    fn by_pk(&mut self, rt: &Runtime, id: i32) -> Option<RawUser>;
    /// The black-haired users, newest first: `limit` of them after `offset`.
    fn page(&mut self, rt: &Runtime, limit: i64, offset: i64) -> Vec<RawUser>;
    /// How many users have black hair.
    fn count(&mut self, rt: &Runtime) -> i64;
    /// The users of `ids`, looked up at once over the driver's connections.
    fn concurrent(&mut self, rt: &Runtime, ids: &[i32]) -> Vec<RawUser>;
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
        if size == ROWS_COUNTED {
            count_allocations(
                format!("{TRIVIAL}_{size}"),
                dialect,
                || rt.block_on(User::find_all().exec(db)).unwrap(),
                || raw.trivial(rt),
            );
        }
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
        if size == ROWS_COUNTED {
            let black = User::find_all().filter(User::HAIR_COLOR.eq("black"));
            count_allocations(
                format!("{MEDIUM}_{size}"),
                dialect,
                || rt.block_on(black.include(User::posts()).exec(db)).unwrap(),
                || raw.medium(rt),
            );
        }
    }
    // The medium fixture of 10,000 users is in place.
    bench_lookups(c, rt, db, raw, dialect);
    for size in INSERT_SIZES {
        rt.block_on(refill(db, 0, false));
        raw.refill(rt, 0, false);
        let rows = users(size, true);
        let mut group = c.benchmark_group(format!("{INSERT}_{size}"));
        group.bench_function(BenchmarkId::new("sequelize", dialect), |b| {
            // The rows are cloned outside the timing: `bulk_create` takes them by value,
            // the raw driver borrows them.
            b.to_async(rt).iter_batched(
                || rows.clone(),
                |rows| async move { User::bulk_create(rows).exec(db).await.unwrap() },
                BatchSize::SmallInput,
            )
        });
        group.bench_function(BenchmarkId::new("raw", dialect), |b| {
            b.iter(|| raw.insert(rt, &rows))
        });
        group.finish();
    }
}

/// Reads of a few rows out of 10,000 (half of them black-haired), where the ORM's own work
/// per call weighs most.
fn bench_lookups(
    c: &mut Criterion,
    rt: &Runtime,
    db: &Sequelize,
    raw: &mut dyn RawDriver,
    dialect: &str,
) {
    let first = rt.block_on(User::find_one().order(User::ID.asc()).exec(db));
    let orm_id = first.unwrap().expect("the fixture's users").id + LOOKED_UP;
    let raw_id = raw.first_id(rt) + LOOKED_UP;
    let mut group = c.benchmark_group(POINT);
    group.bench_function(BenchmarkId::new("sequelize", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let user = User::find_by_pk(orm_id).exec(db).await.unwrap();
            user.expect("the user looked up")
        })
    });
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
        b.iter(|| raw.by_pk(rt, raw_id).expect("the user looked up"))
    });
    group.finish();
    let black = || User::find_all().filter(User::HAIR_COLOR.eq("black"));
    let mut group = c.benchmark_group(PAGE);
    group.bench_function(BenchmarkId::new("sequelize", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let users = black().order(User::ID.desc()).limit(200).exec(db).await;
            let users = users.unwrap();
            assert_eq!(users.len(), 200);
            users
        })
    });
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
        b.iter(|| {
            let users = raw.page(rt, 200, 0);
            assert_eq!(users.len(), 200);
            users
        })
    });
    group.finish();
    let mut group = c.benchmark_group(COUNTED);
    group.bench_function(BenchmarkId::new("sequelize", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let page = black().order(User::ID.desc()).limit(20).offset(40);
            let counted = page.and_count().exec(db).await.unwrap();
            assert_eq!((counted.count, counted.rows.len()), (5_000, 20));
            counted
        })
    });
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
        b.iter(|| {
            let (count, rows) = (raw.count(rt), raw.page(rt, 20, 40));
            assert_eq!((count, rows.len()), (5_000, 20));
            rows
        })
    });
    group.finish();
    let orm_ids: Vec<i32> = (0..AT_ONCE).map(|i| orm_id + i).collect();
    let raw_ids: Vec<i32> = (0..AT_ONCE).map(|i| raw_id + i).collect();
    let mut group = c.benchmark_group(CONCURRENT);
    group.bench_function(BenchmarkId::new("sequelize", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let lookups = orm_ids.iter().map(|&id| User::find_by_pk(id).exec(db));
            let users = futures_util::future::try_join_all(lookups).await.unwrap();
            assert!(users.iter().all(Option::is_some));
            users
        })
    });
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
        b.iter(|| {
            let users = raw.concurrent(rt, &raw_ids);
            assert_eq!(users.len(), raw_ids.len());
            users
        })
    });
    group.finish();
}

/// A user row as the raw SQLite driver reads it (`id, name, hair_color`).
fn sqlite_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawUser> {
    Ok(RawUser {
        id: r.get(0)?,
        name: r.get(1)?,
        hair_color: r.get(2)?,
    })
}

/// rusqlite on a database of its own (in memory, or a WAL file).
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
        let rows = statement.query_map([], sqlite_user);
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

    fn first_id(&mut self, _: &Runtime) -> i32 {
        self.0.query_row(FIRST_ID_SQL, [], |r| r.get(0)).unwrap()
    }

    fn by_pk(&mut self, _: &Runtime, id: i32) -> Option<RawUser> {
        use rusqlite::OptionalExtension;
        let mut statement = self.0.prepare_cached(BY_PK_SQL).unwrap();
        statement.query_row([id], sqlite_user).optional().unwrap()
    }

    fn page(&mut self, _: &Runtime, limit: i64, offset: i64) -> Vec<RawUser> {
        let mut statement = self.0.prepare_cached(PAGE_SQL).unwrap();
        let rows = statement.query_map(rusqlite::params!["black", limit, offset], sqlite_user);
        rows.unwrap().collect::<Result<_, _>>().unwrap()
    }

    fn count(&mut self, _: &Runtime) -> i64 {
        let mut statement = self.0.prepare_cached(COUNT_SQL).unwrap();
        statement.query_row(["black"], |r| r.get(0)).unwrap()
    }

    /// One after another: one thread gains nothing from more connections in-process.
    fn concurrent(&mut self, rt: &Runtime, ids: &[i32]) -> Vec<RawUser> {
        (ids.iter())
            .map(|&id| self.by_pk(rt, id).expect("the user looked up"))
            .collect()
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

fn bench_sqlite(c: &mut Criterion, rt: &Runtime, dialect: &str, url: &str) {
    let db = rt.block_on(connect(url));
    rt.block_on(create(&db));
    let conn = common::rusqlite_for(url);
    conn.execute_batch(
        "CREATE TABLE wl_users (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
             name VARCHAR NOT NULL, hair_color VARCHAR); \
         CREATE TABLE wl_posts (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, \
             user_id INTEGER NOT NULL, title VARCHAR NOT NULL, body TEXT);",
    )
    .unwrap();
    bench_all(c, rt, &db, &mut Sqlite(conn), dialect);
    nested::bench_sqlite(c, rt, dialect, url);
}

/// tokio-postgres, its statements prepared once (the inserts' once per size).
struct Postgres {
    client: tokio_postgres::Client,
    trivial: tokio_postgres::Statement,
    medium: tokio_postgres::Statement,
    by_pk: tokio_postgres::Statement,
    page: tokio_postgres::Statement,
    count: tokio_postgres::Statement,
    /// Clients of their own for `concurrent`, each with its lookup prepared.
    pool: Vec<(tokio_postgres::Client, tokio_postgres::Statement)>,
    inserts: std::collections::HashMap<usize, tokio_postgres::Statement>,
}

/// A user row as tokio-postgres reads it (`id, name, hair_color`).
fn postgres_user(r: &tokio_postgres::Row) -> RawUser {
    RawUser {
        id: r.get(0),
        name: r.get(1),
        hair_color: r.get(2),
    }
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
        rows.iter().map(postgres_user).collect()
    }

    fn first_id(&mut self, rt: &Runtime) -> i32 {
        let row = rt.block_on(self.client.query_one(FIRST_ID_SQL, &[]));
        row.unwrap().get(0)
    }

    fn by_pk(&mut self, rt: &Runtime, id: i32) -> Option<RawUser> {
        let row = rt.block_on(self.client.query_opt(&self.by_pk, &[&id]));
        row.unwrap().as_ref().map(postgres_user)
    }

    fn page(&mut self, rt: &Runtime, limit: i64, offset: i64) -> Vec<RawUser> {
        let rows = rt.block_on(self.client.query(&self.page, &[&"black", &limit, &offset]));
        rows.unwrap().iter().map(postgres_user).collect()
    }

    fn count(&mut self, rt: &Runtime) -> i64 {
        let row = rt.block_on(self.client.query_one(&self.count, &[&"black"]));
        row.unwrap().get(0)
    }

    /// Spread over the clients, each pipelining its share.
    fn concurrent(&mut self, rt: &Runtime, ids: &[i32]) -> Vec<RawUser> {
        let lookups =
            ids.iter()
                .zip(self.pool.iter().cycle())
                .map(|(id, (client, statement))| async move {
                    postgres_user(&client.query_one(statement, &[id]).await.unwrap())
                });
        rt.block_on(futures_util::future::join_all(lookups))
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

fn bench_postgres(c: &mut Criterion, rt: &Runtime, dialect: &str, url: &str) {
    let db = rt.block_on(connect_fresh(url, create));
    define(&db);
    let mut raw = rt.block_on(async {
        let connect = async || {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .expect("connect tokio-postgres");
            tokio::spawn(connection);
            client
        };
        let client = connect().await;
        let mut pool = Vec::new();
        for _ in 0..common::POOL_SIZE {
            let client = connect().await;
            let by_pk = client.prepare(&postgres_placeholders(BY_PK_SQL)).await;
            let by_pk = by_pk.unwrap();
            pool.push((client, by_pk));
        }
        let trivial = client.prepare(TRIVIAL_SQL).await.unwrap();
        let prepare = async |sql| client.prepare(&postgres_placeholders(sql)).await.unwrap();
        let medium = prepare(MEDIUM_SQL).await;
        let by_pk = prepare(BY_PK_SQL).await;
        let page = prepare(PAGE_SQL).await;
        let count = prepare(COUNT_SQL).await;
        Postgres {
            client,
            trivial,
            medium,
            by_pk,
            page,
            count,
            pool,
            inserts: Default::default(),
        }
    });
    bench_all(c, rt, &db, &mut raw, dialect);
    nested::bench_postgres(c, rt, dialect, url);
}

/// A user row as mysql_async reads it (`id, name, hair_color`).
fn mysql_user((id, name, hair_color): (i32, String, Option<String>)) -> RawUser {
    RawUser {
        id,
        name,
        hair_color,
    }
}

/// mysql_async over TCP, its statements prepared once (the connection's statement cache),
/// and its own pool for `concurrent`.
struct MariaDb(mysql_async::Conn, mysql_async::Pool);

impl RawDriver for MariaDb {
    fn refill(&mut self, _: &Runtime, _: usize, _: bool) {}

    fn trivial(&mut self, rt: &Runtime) -> Vec<RawUser> {
        use mysql_async::prelude::Queryable;
        rt.block_on(self.0.exec_map(TRIVIAL_SQL, (), mysql_user))
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

    fn first_id(&mut self, rt: &Runtime) -> i32 {
        use mysql_async::prelude::Queryable;
        let id = rt.block_on(self.0.query_first(FIRST_ID_SQL)).unwrap();
        id.expect("the fixture's users")
    }

    fn by_pk(&mut self, rt: &Runtime, id: i32) -> Option<RawUser> {
        use mysql_async::prelude::Queryable;
        let row = rt.block_on(self.0.exec_first(BY_PK_SQL, (id,))).unwrap();
        row.map(mysql_user)
    }

    fn page(&mut self, rt: &Runtime, limit: i64, offset: i64) -> Vec<RawUser> {
        use mysql_async::prelude::Queryable;
        let params = ("black", limit, offset);
        rt.block_on(self.0.exec_map(PAGE_SQL, params, mysql_user))
            .unwrap()
    }

    fn count(&mut self, rt: &Runtime) -> i64 {
        use mysql_async::prelude::Queryable;
        let count = rt
            .block_on(self.0.exec_first(COUNT_SQL, ("black",)))
            .unwrap();
        count.expect("a count")
    }

    fn concurrent(&mut self, rt: &Runtime, ids: &[i32]) -> Vec<RawUser> {
        use mysql_async::prelude::Queryable;
        let pool = &self.1;
        let lookups = ids.iter().map(|&id| async move {
            let mut conn = pool.get_conn().await.unwrap();
            let row = conn.exec_first(BY_PK_SQL, (id,)).await.unwrap();
            mysql_user(row.expect("the user looked up"))
        });
        rt.block_on(futures_util::future::join_all(lookups))
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

fn bench_mysql(c: &mut Criterion, rt: &Runtime, dialect: &str, url: &str) {
    let db = rt.block_on(connect_fresh(url, create));
    define(&db);
    let conn = rt.block_on(common::mysql_raw(url));
    let mut raw = MariaDb(conn, common::mysql_pool(url));
    bench_all(c, rt, &db, &mut raw, dialect);
    nested::bench_mysql(c, rt, dialect, url);
}

/// A row of the report: its name, the benchmark group, and the ids of the ORM's and the
/// raw driver's benchmarks in it.
struct Case {
    name: String,
    group: String,
    orm: &'static str,
    raw: &'static str,
}

/// The cases of the report, in its order.
fn cases() -> Vec<Case> {
    let queries = [TRIVIAL, MEDIUM]
        .into_iter()
        .flat_map(|w| QUERY_SIZES.map(|size| format!("{w}_{size}")));
    let lookups = [POINT, PAGE, COUNTED, CONCURRENT].map(str::to_owned);
    let inserts = INSERT_SIZES.map(|size| format!("{INSERT}_{size}"));
    let simple = queries.chain(lookups).chain(inserts).map(|group| Case {
        name: group.clone(),
        group,
        orm: "sequelize",
        raw: "raw",
    });
    let nested = [("separate", "raw"), ("joins", "raw_joins")].map(|(orm, raw)| Case {
        name: format!("{} ({orm})", nested::GROUP),
        group: nested::GROUP.to_owned(),
        orm,
        raw,
    });
    simple.chain(nested).collect()
}

/// Each case's ratio of criterion's medians (ORM / raw driver) per dialect, as the last
/// round left them: `[case][dialect]`, in the order of [`cases`] and [`urls`].
fn ratios() -> Vec<Vec<Option<f64>>> {
    let dialects = dialects();
    (cases().iter())
        .map(|case| {
            (dialects.iter())
                .map(|dialect| {
                    let orm = median(&case.group, case.orm, dialect)?;
                    Some(orm / median(&case.group, case.raw, dialect)?)
                })
                .collect()
        })
        .collect()
}

/// The names of the dialects, in the order of [`urls`]: the columns of the report.
fn dialects() -> Vec<String> {
    urls().into_iter().map(|(dialect, _)| dialect).collect()
}

/// The head of a Markdown table whose first column is `first` and whose others are the
/// dialects, numbers aligned right.
fn table_head(first: &str, dialects: &[String]) -> String {
    let mut head = format!("| {first} | {} |\n|---|", dialects.join(" | "));
    head.push_str(&"---:|".repeat(dialects.len()));
    head.push('\n');
    head
}

/// The median of some ratios; `None` for none.
fn median_of(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    match values.len() {
        0 => None,
        n if n % 2 == 1 => Some(values[middle]),
        _ => Some((values[middle - 1] + values[middle]) / 2.0),
    }
}

/// The table of ratios per case and dialect, each the median over the `rounds`' ratios,
/// with the geometric mean per dialect, as Markdown.
fn report(rounds: &[Vec<Vec<Option<f64>>>]) -> String {
    let dialects = dialects();
    let mut out = table_head("case", &dialects);
    let mut logs = vec![Vec::new(); dialects.len()];
    for (c, case) in cases().iter().enumerate() {
        out.push_str(&format!("| `{}` |", case.name));
        for (d, logs) in logs.iter_mut().enumerate() {
            match median_of(rounds.iter().filter_map(|round| round[c][d]).collect()) {
                Some(ratio) => {
                    logs.push(ratio.ln());
                    out.push_str(&format!(" {ratio:.2}× |"));
                }
                None => out.push_str(" — |"),
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

/// The bytes the ORM allocates to load 10,000 rows as a ratio to the raw driver's, with
/// both figures, as Markdown.
fn allocations_report() -> String {
    let dialects = dialects();
    let mut out = table_head("bytes allocated", &dialects);
    let allocated = ALLOCATED.lock().unwrap();
    let mut cases: Vec<&str> = Vec::new();
    for (case, ..) in allocated.iter() {
        if !cases.contains(&case.as_str()) {
            cases.push(case);
        }
    }
    let mb = |bytes: usize| bytes as f64 / 1e6;
    for case in cases {
        out.push_str(&format!("| `{case}` |"));
        for dialect in &dialects {
            let found = allocated
                .iter()
                .find(|(c, d, ..)| c == case && d == dialect);
            match found {
                Some(&(_, _, orm, raw)) => out.push_str(&format!(
                    " {:.2}× ({:.2} / {:.2} MB) |",
                    orm as f64 / raw as f64,
                    mb(orm),
                    mb(raw)
                )),
                None => out.push_str(" — |"),
            }
        }
        out.push('\n');
    }
    out
}

/// Replaces the tables between the `workloads` markers of docs/performance.md (those of
/// `workloads-multi-thread` for a run on a multi-thread runtime).
fn write_report(table: &str, rounds: usize) {
    let name = match common::multi_thread() {
        true => "workloads-multi-thread",
        false => "workloads",
    };
    let (begin_marker, end_marker) = (
        format!("<!-- {name}:begin -->"),
        format!("<!-- {name}:end -->"),
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/performance.md");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let (Some(begin), Some(end)) = (text.find(&begin_marker), text.find(&end_marker)) else {
        return;
    };
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = (cpuinfo.lines())
        .find_map(|line| line.strip_prefix("model name"))
        .map_or("", |name| name.trim_start_matches([' ', '\t', ':']));
    let stamp = format!(
        "Measured {} on {} cores ({cpu}), {rustc}, SQLite {}, a {} Tokio runtime; each ratio \
         is of criterion's medians, the median over {rounds} round(s):\n\n",
        Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        rusqlite::version(),
        if common::multi_thread() {
            "multi-thread"
        } else {
            "current-thread"
        },
    );
    let updated = format!(
        "{}{begin_marker}\n{stamp}{table}{}",
        &text[..begin],
        &text[end..]
    );
    std::fs::write(&path, updated).expect("write docs/performance.md");
}

/// How many rounds to run (`BENCH_ROUNDS`, default 1): each round runs every case once, so
/// the rounds interleave; the report gives each cell's median over them.
fn rounds() -> usize {
    std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(1)
}

/// Whether the command line names which cases to run (criterion's filter) or asks for a
/// profile instead of measurements: such a run prints its table and leaves
/// docs/performance.md alone, whose table is of every case measured together.
fn partial_run() -> bool {
    /// Criterion's options that take a value as the next argument.
    const TAKES_VALUE: [&str; 15] = [
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--nresamples",
        "--color",
        "--output-format",
        "--plotting-backend",
        "--format",
    ];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg.starts_with("--profile-time") || !arg.starts_with('-') {
            return true;
        }
        if TAKES_VALUE.contains(&arg.as_str()) || ["-c", "-s", "-b"].contains(&arg.as_str()) {
            args.next();
        }
    }
    false
}

fn main() {
    // `cargo bench` passes `--bench`; without it (`cargo test --benches`) criterion runs each
    // case once and measures nothing, so one round runs and the tables are left as they are.
    let measuring = std::env::args().any(|arg| arg == "--bench");
    let rounds = if measuring { rounds() } else { 1 };
    let mut ratios_by_round = Vec::new();
    for _ in 0..rounds {
        run_dialects(bench_sqlite, bench_postgres, bench_mysql);
        ratios_by_round.push(ratios());
    }
    if !measuring {
        return;
    }
    let table = report(&ratios_by_round);
    println!("\nORM median / raw driver median, median of {rounds} round(s):\n\n{table}");
    let allocations = allocations_report();
    println!("\nBytes allocated to load 10,000 rows, ORM / raw driver:\n\n{allocations}");
    if partial_run() {
        println!("(some cases only: docs/performance.md is left as it is)");
        return;
    }
    write_report(&format!("{table}\n{allocations}"), rounds);
}
