//! `GET /posts?page=&per_page=` of the blog API written by hand on rusqlite, for the load
//! comparison of docs/web-service.md: the same count, page, authors, categories and tags,
//! in the same JSON, from the same SQLite file, without the library. Four connections, each
//! query run on the request's task (as the library runs SQLite queries).
//!
//! `DATABASE_FILE=blog.sqlite PORT=3001 cargo run --release -p blog-api --bin raw-posts`

#[path = "shared/endpoint.rs"]
mod endpoint;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use endpoint::Params;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde_json::{json, Map, Value as Json_};

/// The connections, taken in turn; a request holds one while its queries run.
#[derive(Clone)]
struct Pool(Arc<(Vec<Mutex<Connection>>, AtomicUsize)>);

impl Pool {
    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let (connections, next) = &*self.0;
        let turn = next.fetch_add(1, Ordering::Relaxed) % connections.len();
        let connection = connections[turn].lock().unwrap();
        f(&connection)
    }
}

/// A column's value as JSON (the library writes UUIDs and instants as text on SQLite).
fn value(v: ValueRef<'_>) -> Json_ {
    match v {
        ValueRef::Null => Json_::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(f) => f.into(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Blob(b) => b
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
            .into(),
    }
}

/// A row as a JSON object of its columns, `published` as a boolean.
fn object(row: &rusqlite::Row<'_>, names: &[&str]) -> rusqlite::Result<Map<String, Json_>> {
    let mut out = Map::new();
    for (i, name) in names.iter().enumerate() {
        let v = value(row.get_ref(i)?);
        let v = match (*name, v) {
            ("published", Json_::Number(n)) => Json_::Bool(n.as_i64() == Some(1)),
            (_, v) => v,
        };
        out.insert((*name).to_owned(), v);
    }
    Ok(out)
}

const POST: &[&str] = &[
    "id",
    "title",
    "content",
    "slug",
    "published",
    "view_count",
    "author_id",
    "category_id",
    "created_at",
    "updated_at",
    "deleted_at",
];

fn list(connection: &Connection, limit: u32, offset: i64) -> rusqlite::Result<Json_> {
    let count: i64 = connection
        .prepare_cached("SELECT COUNT(*) FROM posts WHERE deleted_at IS NULL")?
        .query_row([], |r| r.get(0))?;
    let mut statement = connection.prepare_cached(
        "SELECT p.id, p.title, p.content, p.slug, p.published, p.view_count, p.author_id, \
         p.category_id, p.created_at, p.updated_at, p.deleted_at, \
         u.id, u.email, u.first_name, u.last_name, c.id, c.name \
         FROM posts p JOIN users u ON u.id = p.author_id AND u.deleted_at IS NULL \
         LEFT JOIN categories c ON c.id = p.category_id \
         WHERE p.deleted_at IS NULL ORDER BY p.created_at DESC LIMIT ? OFFSET ?",
    )?;
    let mut rows = Vec::new();
    let mut ids = Vec::new();
    let mut query = statement.query(rusqlite::params![limit, offset])?;
    while let Some(row) = query.next()? {
        let mut post = object(row, POST)?;
        let author: Vec<Json_> = (11..15)
            .map(|i| row.get_ref(i).map(value))
            .collect::<Result<_, _>>()?;
        post.insert(
            "author".into(),
            json!({ "id": author[0], "email": author[1], "first_name": author[2], "last_name": author[3] }),
        );
        let category = match row.get_ref(15)? {
            ValueRef::Null => Json_::Null,
            id => json!({ "id": value(id), "name": value(row.get_ref(16)?) }),
        };
        post.insert("category".into(), category);
        post.insert("tags".into(), Json_::Array(Vec::new()));
        ids.push(post["id"].clone());
        rows.push(post);
    }
    if !ids.is_empty() {
        let marks = vec!["?"; ids.len()].join(", ");
        let sql = format!(
            "SELECT pt.post_id, t.id, t.name FROM PostTags pt JOIN tags t ON t.id = pt.tag_id \
             WHERE pt.post_id IN ({marks}) ORDER BY t.name"
        );
        let mut statement = connection.prepare_cached(&sql)?;
        let keys: Vec<String> = ids
            .iter()
            .map(|id| id.as_str().unwrap_or_default().to_owned())
            .collect();
        let mut tags: HashMap<String, Vec<Json_>> = HashMap::new();
        let mut query = statement.query(rusqlite::params_from_iter(keys.iter()))?;
        while let Some(row) = query.next()? {
            let post: String = row.get(0)?;
            tags.entry(post)
                .or_default()
                .push(json!({ "id": value(row.get_ref(1)?), "name": value(row.get_ref(2)?) }));
        }
        for post in &mut rows {
            if let Some(found) = tags.remove(post["id"].as_str().unwrap_or_default()) {
                post.insert("tags".into(), Json_::Array(found));
            }
        }
    }
    Ok(json!({ "count": count, "rows": rows }))
}

async fn posts(
    State(pool): State<Pool>,
    Query(params): Query<Params>,
) -> Result<Json<Json_>, StatusCode> {
    let (limit, offset) = params.limit_offset();
    pool.with(|c| list(c, limit, offset))
        .map(Json)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let file = std::env::var("DATABASE_FILE").unwrap_or_else(|_| "blog.sqlite".into());
    let connections = (0..4)
        .map(|_| Connection::open(&file).map(Mutex::new))
        .collect::<Result<Vec<_>, _>>()?;
    let app = Router::new()
        .route("/posts", get(posts))
        .with_state(Pool(Arc::new((connections, AtomicUsize::new(0)))));
    endpoint::serve(app).await?;
    Ok(())
}
