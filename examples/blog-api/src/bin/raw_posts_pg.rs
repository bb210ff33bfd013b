//! `GET /posts?page=&per_page=` of the blog API written by hand on tokio-postgres, for the
//! PostgreSQL load comparison of docs/web-service.md: the same count, page, authors,
//! categories and tags, in the same JSON, from the same database, without the library. Five
//! connections (the library pool's default `max`) taken in turn, each with its statements prepared
//! once.
//!
//! `DATABASE_URL=postgres://postgres@127.0.0.1:5432/blog PORT=3001 cargo run --release -p blog-api --bin raw-posts-pg`

#[path = "shared/endpoint.rs"]
mod endpoint;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use endpoint::Params;
use sequelize::prelude::{DateTime, Utc, Uuid};
use serde_json::{json, Value as Json_};
use tokio_postgres::{Client, NoTls, Statement};

/// One connection and its prepared statements.
struct Connection {
    client: Client,
    count: Statement,
    page: Statement,
    tags: Statement,
}

/// The connections, taken in turn.
#[derive(Clone)]
struct Pool(Arc<(Vec<Connection>, AtomicUsize)>);

impl Pool {
    fn next(&self) -> &Connection {
        let (connections, next) = &*self.0;
        &connections[next.fetch_add(1, Ordering::Relaxed) % connections.len()]
    }
}

const COUNT: &str = "SELECT COUNT(*) FROM posts WHERE deleted_at IS NULL";
const PAGE: &str = "SELECT p.id, p.title, p.content, p.slug, p.published, p.view_count, \
    p.author_id, p.category_id, p.created_at, p.updated_at, p.deleted_at, \
    u.id, u.email, u.first_name, u.last_name, c.id, c.name \
    FROM posts p JOIN users u ON u.id = p.author_id AND u.deleted_at IS NULL \
    LEFT JOIN categories c ON c.id = p.category_id \
    WHERE p.deleted_at IS NULL ORDER BY p.created_at DESC LIMIT $1 OFFSET $2";
const TAGS: &str = "SELECT pt.post_id, t.id, t.name FROM \"PostTags\" pt \
    JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = ANY($1) ORDER BY t.name";

async fn connect(url: &str) -> Result<Connection, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(connection);
    Ok(Connection {
        count: client.prepare(COUNT).await?,
        page: client.prepare(PAGE).await?,
        tags: client.prepare(TAGS).await?,
        client,
    })
}

async fn list(c: &Connection, limit: i64, offset: i64) -> Result<Json_, tokio_postgres::Error> {
    let count: i64 = c.client.query_one(&c.count, &[]).await?.get(0);
    let page = c.client.query(&c.page, &[&limit, &offset]).await?;
    let mut ids = Vec::with_capacity(page.len());
    let mut rows = Vec::with_capacity(page.len());
    for row in &page {
        let id: Uuid = row.get(0);
        let category_id: Option<Uuid> = row.get(15);
        let category = match category_id {
            Some(id) => json!({ "id": id, "name": row.get::<_, String>(16) }),
            None => Json_::Null,
        };
        rows.push(json!({
            "id": id,
            "title": row.get::<_, String>(1),
            "content": row.get::<_, Option<String>>(2),
            "slug": row.get::<_, String>(3),
            "published": row.get::<_, bool>(4),
            "view_count": row.get::<_, i32>(5),
            "author_id": row.get::<_, Uuid>(6),
            "category_id": row.get::<_, Option<Uuid>>(7),
            "created_at": row.get::<_, DateTime<Utc>>(8),
            "updated_at": row.get::<_, DateTime<Utc>>(9),
            "deleted_at": row.get::<_, Option<DateTime<Utc>>>(10),
            "author": {
                "id": row.get::<_, Uuid>(11),
                "email": row.get::<_, String>(12),
                "first_name": row.get::<_, Option<String>>(13),
                "last_name": row.get::<_, Option<String>>(14),
            },
            "category": category,
            "tags": [],
        }));
        ids.push(id);
    }
    if !ids.is_empty() {
        let mut tags: HashMap<Uuid, Vec<Json_>> = HashMap::new();
        for row in c.client.query(&c.tags, &[&ids]).await? {
            let post: Uuid = row.get(0);
            let tag = json!({ "id": row.get::<_, Uuid>(1), "name": row.get::<_, String>(2) });
            tags.entry(post).or_default().push(tag);
        }
        for (post, id) in rows.iter_mut().zip(&ids) {
            if let Some(found) = tags.remove(id) {
                post["tags"] = Json_::Array(found);
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
    list(pool.next(), i64::from(limit), offset)
        .await
        .map(Json)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL")?;
    let mut connections = Vec::new();
    for _ in 0..5 {
        connections.push(connect(&url).await?);
    }
    let app = Router::new()
        .route("/posts", get(posts))
        .with_state(Pool(Arc::new((connections, AtomicUsize::new(0)))));
    endpoint::serve(app).await?;
    Ok(())
}
