//! Eager loading next to the raw driver doing the same work by hand (issue 9, item 7): "100
//! users, their posts, their comments" (100 × 10 × 10 rows), loaded by the ORM with
//! `separate` (three queries, one per level) and with joins (one query), on the runtime
//! the benchmark runs on. Each form is measured against the raw driver doing what the form
//! does:
//!
//! - `raw`: the same three queries (`WHERE author_id IN (…)`, `= ANY($1)` on PostgreSQL),
//!   the rows nested with hash maps, against `separate`;
//! - `raw_joins`: the same joined query (`LEFT JOIN` posts, `LEFT JOIN` comments), every
//!   column of every row read and the rows folded with hash maps, against `joins`.
//!
//! The `includes` benchmark runs these alone; the `workloads` one runs them with the others
//! and puts them in its table.

use std::collections::HashMap;

use criterion::{BenchmarkId, Criterion};
use sequelize::prelude::*;
use tokio::runtime::Runtime;

use crate::common::{self, connect, connect_fresh};

/// The benchmark group of every case here.
pub const GROUP: &str = "users_posts_comments";
const USERS: i32 = 100;
const PER_PARENT: i32 = 10;

#[derive(Model, Debug, Clone)]
#[model(table = "inc_users", underscored, timestamps = false)]
#[has_many(Post, alias = "posts", foreign_key = "author_id")]
struct User {
    id: i32,
    name: String,
}

#[derive(Model, Debug, Clone)]
#[model(table = "inc_posts", underscored, timestamps = false)]
#[has_many(Comment, alias = "comments", foreign_key = "post_id")]
struct Post {
    id: i32,
    author_id: i32,
    title: String,
}

#[derive(Model, Debug, Clone)]
#[model(table = "inc_comments", underscored, timestamps = false)]
struct Comment {
    id: i32,
    post_id: i32,
    body: String,
}

/// What the raw drivers build: the same nesting, in plain structs.
#[derive(Debug)]
#[allow(dead_code)]
struct RawUser {
    id: i32,
    name: String,
    posts: Vec<RawPost>,
}

#[derive(Debug)]
#[allow(dead_code)]
struct RawPost {
    id: i32,
    author_id: i32,
    title: String,
    comments: Vec<RawComment>,
}

#[derive(Debug)]
#[allow(dead_code)]
struct RawComment {
    id: i32,
    post_id: i32,
    body: String,
}

const USERS_SQL: &str = "SELECT id, name FROM inc_users";

/// The ORM's joined query, as a hand-written loader writes it.
const JOINED_SQL: &str =
    "SELECT u.id, u.name, p.id, p.author_id, p.title, c.id, c.post_id, c.body \
     FROM inc_users u LEFT JOIN inc_posts p ON p.author_id = u.id \
     LEFT JOIN inc_comments c ON c.post_id = p.id";

/// One row of [`JOINED_SQL`]: a user, and one of its posts and comments if it has any.
type JoinedRow = (
    i32,
    String,
    Option<i32>,
    Option<i32>,
    Option<String>,
    Option<i32>,
    Option<i32>,
    Option<String>,
);

/// Folds joined rows into users holding their posts holding their comments, as a
/// hand-written loader does: each user and post made once, found again by its key.
fn fold(rows: impl IntoIterator<Item = JoinedRow>) -> Vec<RawUser> {
    let mut users: Vec<RawUser> = Vec::new();
    let mut user_at: HashMap<i32, usize> = HashMap::new();
    let mut post_at: HashMap<i32, usize> = HashMap::new();
    for (user_id, name, post_id, author_id, title, comment_id, comment_post, body) in rows {
        let user = *user_at.entry(user_id).or_insert_with(|| {
            users.push(RawUser {
                id: user_id,
                name,
                posts: Vec::new(),
            });
            users.len() - 1
        });
        let (Some(post_id), Some(author_id), Some(title)) = (post_id, author_id, title) else {
            continue;
        };
        let posts = &mut users[user].posts;
        let post = *post_at.entry(post_id).or_insert_with(|| {
            posts.push(RawPost {
                id: post_id,
                author_id,
                title,
                comments: Vec::new(),
            });
            posts.len() - 1
        });
        if let (Some(id), Some(post_id), Some(body)) = (comment_id, comment_post, body) {
            posts[post].comments.push(RawComment { id, post_id, body });
        }
    }
    users
}

/// Nests posts into users and comments into posts, as a hand-written loader does.
fn nest(users: Vec<(i32, String)>, posts: Vec<RawPost>, comments: Vec<RawComment>) -> Vec<RawUser> {
    let mut by_post: HashMap<i32, Vec<RawComment>> = HashMap::new();
    for comment in comments {
        by_post.entry(comment.post_id).or_default().push(comment);
    }
    let mut by_user: HashMap<i32, Vec<RawPost>> = HashMap::new();
    for mut post in posts {
        post.comments = by_post.remove(&post.id).unwrap_or_default();
        by_user.entry(post.author_id).or_default().push(post);
    }
    users
        .into_iter()
        .map(|(id, name)| RawUser {
            id,
            name,
            posts: by_user.remove(&id).unwrap_or_default(),
        })
        .collect()
}

fn check(users: &[RawUser]) {
    assert_eq!(users.len(), USERS as usize);
    assert_eq!(users[0].posts.len(), PER_PARENT as usize);
    assert_eq!(users[0].posts[0].comments.len(), PER_PARENT as usize);
}

/// `?, ?, …` for `n` values.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn posts_sql(n: usize) -> String {
    format!(
        "SELECT id, author_id, title FROM inc_posts WHERE author_id IN ({})",
        placeholders(n)
    )
}

fn comments_sql(n: usize) -> String {
    format!(
        "SELECT id, post_id, body FROM inc_comments WHERE post_id IN ({})",
        placeholders(n)
    )
}

/// The ORM, with `separate` and with joins.
fn bench_orm(c: &mut Criterion, rt: &Runtime, db: &Sequelize, dialect: &str) {
    let count = |users: &[Instance<User>]| {
        assert_eq!(users.len(), USERS as usize);
        let posts = users[0].included(User::posts()).unwrap();
        assert_eq!(posts.len(), PER_PARENT as usize);
        assert_eq!(
            posts[0].included(Post::comments()).unwrap().len(),
            PER_PARENT as usize
        );
    };
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BenchmarkId::new("separate", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let users = User::find_all()
                .include(
                    User::posts()
                        .separate(true)
                        .include(Post::comments().separate(true)),
                )
                .exec(db)
                .await
                .unwrap();
            count(&users);
            users
        })
    });
    group.bench_function(BenchmarkId::new("joins", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let users = User::find_all()
                .include(User::posts().include(Post::comments()))
                .exec(db)
                .await
                .unwrap();
            count(&users);
            users
        })
    });
    group.finish();
}

/// Defines the three models on `db`.
fn define(db: &Sequelize) {
    db.define::<User>().register().unwrap();
    db.define::<Post>().register().unwrap();
    db.define::<Comment>().register().unwrap();
}

/// Creates and fills the tables through the ORM.
async fn fill(db: &Sequelize) {
    define(db);
    common::recreate_tables(db).await;
    let users = (1..=USERS).map(|i| User {
        id: i,
        name: format!("user {i}"),
    });
    User::bulk_create(users).exec(db).await.unwrap();
    let posts = (1..=USERS * PER_PARENT).map(|i| Post {
        id: i,
        author_id: (i - 1) / PER_PARENT + 1,
        title: format!("post {i}"),
    });
    Post::bulk_create(posts).exec(db).await.unwrap();
    let comments = (1..=USERS * PER_PARENT * PER_PARENT).map(|i| Comment {
        id: i,
        post_id: (i - 1) / PER_PARENT + 1,
        body: format!("comment {i}"),
    });
    Comment::bulk_create(comments).exec(db).await.unwrap();
}

pub fn bench_sqlite(c: &mut Criterion, rt: &Runtime, dialect: &str, url: &str) {
    let db = rt.block_on(connect(url));
    rt.block_on(fill(&db));
    bench_orm(c, rt, &db, dialect);
    // The raw driver: a copy of the same rows in a database of its own.
    let conn = common::rusqlite_for(url);
    conn.execute_batch(
        "CREATE TABLE inc_users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE inc_posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, title TEXT NOT NULL);
         CREATE TABLE inc_comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, body TEXT NOT NULL);",
    )
    .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 1..=USERS {
        tx.execute(
            "INSERT INTO inc_users VALUES (?1, ?2)",
            (i, format!("user {i}")),
        )
        .unwrap();
    }
    for i in 1..=USERS * PER_PARENT {
        let author = (i - 1) / PER_PARENT + 1;
        tx.execute(
            "INSERT INTO inc_posts VALUES (?1, ?2, ?3)",
            (i, author, format!("post {i}")),
        )
        .unwrap();
    }
    for i in 1..=USERS * PER_PARENT * PER_PARENT {
        let post = (i - 1) / PER_PARENT + 1;
        tx.execute(
            "INSERT INTO inc_comments VALUES (?1, ?2, ?3)",
            (i, post, format!("comment {i}")),
        )
        .unwrap();
    }
    tx.commit().unwrap();
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
        b.iter(|| {
            let users: Vec<(i32, String)> = conn
                .prepare_cached(USERS_SQL)
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let ids: Vec<i32> = users.iter().map(|u| u.0).collect();
            let posts: Vec<RawPost> = conn
                .prepare_cached(&posts_sql(ids.len()))
                .unwrap()
                .query_map(rusqlite::params_from_iter(&ids), |r| {
                    Ok(RawPost {
                        id: r.get(0)?,
                        author_id: r.get(1)?,
                        title: r.get(2)?,
                        comments: Vec::new(),
                    })
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
            let comments: Vec<RawComment> = conn
                .prepare_cached(&comments_sql(ids.len()))
                .unwrap()
                .query_map(rusqlite::params_from_iter(&ids), |r| {
                    Ok(RawComment {
                        id: r.get(0)?,
                        post_id: r.get(1)?,
                        body: r.get(2)?,
                    })
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let users = nest(users, posts, comments);
            check(&users);
            users
        })
    });
    group.bench_function(BenchmarkId::new("raw_joins", dialect), |b| {
        b.iter(|| {
            let mut stmt = conn.prepare_cached(JOINED_SQL).unwrap();
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                    ))
                })
                .unwrap();
            let users = fold(rows.map(Result::unwrap));
            check(&users);
            users
        })
    });
    group.finish();
}

pub fn bench_postgres(c: &mut Criterion, rt: &Runtime, dialect: &str, url: &str) {
    let db = rt.block_on(connect_fresh(url, fill));
    define(&db);
    bench_orm(c, rt, &db, dialect);
    let (client, statements) = rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .expect("connect tokio-postgres");
        tokio::spawn(connection);
        let users = client.prepare(USERS_SQL).await.unwrap();
        let posts = client
            .prepare("SELECT id, author_id, title FROM inc_posts WHERE author_id = ANY($1)")
            .await
            .unwrap();
        let comments = client
            .prepare("SELECT id, post_id, body FROM inc_comments WHERE post_id = ANY($1)")
            .await
            .unwrap();
        let joined = client.prepare(JOINED_SQL).await.unwrap();
        (client, [users, posts, comments, joined])
    });
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let [users_sql, posts_sql, comments_sql, _] = &statements;
            let users: Vec<(i32, String)> = (client.query(users_sql, &[]).await.unwrap().iter())
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            let ids: Vec<i32> = users.iter().map(|u| u.0).collect();
            let posts: Vec<RawPost> = (client.query(posts_sql, &[&ids]).await.unwrap().iter())
                .map(|r| RawPost {
                    id: r.get(0),
                    author_id: r.get(1),
                    title: r.get(2),
                    comments: Vec::new(),
                })
                .collect();
            let ids: Vec<i32> = posts.iter().map(|p| p.id).collect();
            let comments: Vec<RawComment> =
                (client.query(comments_sql, &[&ids]).await.unwrap().iter())
                    .map(|r| RawComment {
                        id: r.get(0),
                        post_id: r.get(1),
                        body: r.get(2),
                    })
                    .collect();
            let users = nest(users, posts, comments);
            check(&users);
            users
        })
    });
    group.bench_function(BenchmarkId::new("raw_joins", dialect), |b| {
        b.to_async(rt).iter(|| async {
            let rows = client.query(&statements[3], &[]).await.unwrap();
            let users = fold(rows.iter().map(|r| {
                (
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get(3),
                    r.get(4),
                    r.get(5),
                    r.get(6),
                    r.get(7),
                )
            }));
            check(&users);
            users
        })
    });
    group.finish();
}

pub fn bench_mysql(c: &mut Criterion, rt: &Runtime, dialect: &str, url: &str) {
    use mysql_async::prelude::Queryable;
    let db = rt.block_on(connect_fresh(url, fill));
    define(&db);
    bench_orm(c, rt, &db, dialect);
    let mut conn = rt.block_on(common::mysql_raw(url));
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(BenchmarkId::new("raw", dialect), |b| {
        b.iter(|| {
            rt.block_on(async {
                let users: Vec<(i32, String)> = conn.exec(USERS_SQL, ()).await.unwrap();
                let ids: Vec<mysql_async::Value> = users.iter().map(|u| u.0.into()).collect();
                let posts: Vec<RawPost> = conn
                    .exec_map(posts_sql(ids.len()), ids, |(id, author_id, title)| {
                        RawPost {
                            id,
                            author_id,
                            title,
                            comments: Vec::new(),
                        }
                    })
                    .await
                    .unwrap();
                let ids: Vec<mysql_async::Value> = posts.iter().map(|p| p.id.into()).collect();
                let comments: Vec<RawComment> = conn
                    .exec_map(comments_sql(ids.len()), ids, |(id, post_id, body)| {
                        RawComment { id, post_id, body }
                    })
                    .await
                    .unwrap();
                let users = nest(users, posts, comments);
                check(&users);
                users
            })
        })
    });
    group.bench_function(BenchmarkId::new("raw_joins", dialect), |b| {
        b.iter(|| {
            rt.block_on(async {
                let rows: Vec<JoinedRow> = conn.exec(JOINED_SQL, ()).await.unwrap();
                let users = fold(rows);
                check(&users);
                users
            })
        })
    });
    group.finish();
}
