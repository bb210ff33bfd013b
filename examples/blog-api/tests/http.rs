//! The blog API served on a free port and talked to over HTTP with reqwest, on every
//! dialect: the happy paths, each error's status, fifty concurrent posts with tags, and
//! hostile query strings and filters.

#[path = "../../../crates/sequelize/tests/common/mod.rs"]
mod common;

use blog_api::models::{Category, Post, Role, Tag, User};
use reqwest::StatusCode;
use sequelize::prelude::*;
use serde_json::{json, Value as Json};

/// The API on `dialect`'s isolated database, served on a free port.
struct Server {
    base: String,
    db: Sequelize,
    http: reqwest::Client,
}

impl Server {
    async fn start(dialect: &str) -> Server {
        // The errors the API logs instead of answering with them, in the test's output.
        let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        let options = common::isolated_options(dialect, "blog_api", true).await;
        let db = blog_api::connect(options.url.as_deref().unwrap())
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(blog_api::serve(listener, db.clone()));
        Server {
            base,
            db,
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, Json) {
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Json::String(text)),
        )
    }

    async fn get(&self, path: &str) -> (StatusCode, Json) {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    /// A GET with HTTP Basic credentials.
    async fn get_as(&self, path: &str, (email, password): (&str, &str)) -> (StatusCode, Json) {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request.basic_auth(email, Some(password))).await
    }

    async fn post(&self, path: &str, body: Json) -> (StatusCode, Json) {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    async fn delete(&self, path: &str) -> (StatusCode, Json) {
        self.send(self.http.delete(format!("{}{path}", self.base)))
            .await
    }
}

fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_answers_over_http_on_every_dialect() {
    for dialect in common::dialects() {
        println!("--- dialect: {dialect}");
        let server = Server::start(dialect).await;

        // Sign-up: the password is hashed and never returned.
        let (status, ann) = server
            .post("/users", json!({ "email": "ann@example.com", "password": "password123", "first_name": "Ann" }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{dialect}: {ann}");
        assert_eq!(ann["email"], "ann@example.com");
        assert!(ann.get("password").is_none(), "{dialect}: {ann}");
        assert_eq!(ann["roles"], json!(["author"]), "{dialect}: {ann}");
        // A taken email is 409 naming the field; an invalid user 422 with each failure.
        let (status, body) = server
            .post(
                "/users",
                json!({ "email": "ann@example.com", "password": "password456" }),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{dialect}: {body}");
        assert!(
            body["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "email"),
            "{dialect}: {body}"
        );
        let (status, body) = server
            .post(
                "/users",
                json!({ "email": "not-an-email", "password": "short" }),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{dialect}: {body}"
        );
        let paths: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["path"].as_str().unwrap())
            .collect();
        assert_eq!(paths, ["email", "password"], "{dialect}: {body}");

        // Log-in.
        let (status, body) = server
            .post(
                "/login",
                json!({ "email": "ann@example.com", "password": "password123" }),
            )
            .await;
        assert_eq!(
            (status, body["id"].clone()),
            (StatusCode::OK, ann["id"].clone()),
            "{dialect}: {body}"
        );
        let (status, _) = server
            .post(
                "/login",
                json!({ "email": "ann@example.com", "password": "wrong-password" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{dialect}");

        // A post with tags in one transaction, then read with its graph.
        let news = Category::create(Category {
            name: "News".into(),
            ..Default::default()
        })
        .exec(&server.db)
        .await
        .unwrap();
        let (status, post) = server
            .post(
                "/posts",
                json!({ "title": "Rust for Sequelize users", "content": "Models, hooks and includes.",
                        "author_id": ann["id"], "category_id": news.id, "published": true, "tags": ["rust", "orm", "rust"] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{dialect}: {post}");
        assert_eq!(post["slug"], "rust-for-sequelize-users");
        let mut tags: Vec<&str> = post["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        tags.sort();
        assert_eq!(tags, ["orm", "rust"], "{dialect}: {post}");
        assert_eq!(post["author"]["email"], "ann@example.com");
        assert!(post["author"].get("password").is_none());
        let id = post["id"].as_str().unwrap().to_owned();
        let (status, draft) = server
            .post(
                "/posts",
                json!({ "title": "Draft", "author_id": ann["id"], "tags": ["rust"] }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{dialect}: {draft}");
        // A post whose author does not exist writes nothing, tags included.
        let (status, body) = server
            .post("/posts", json!({ "title": "Orphan", "author_id": "00000000-0000-4000-8000-000000000000", "tags": ["lost"] }))
            .await;
        assert_eq!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{dialect}: {body}"
        );
        assert_eq!(
            body,
            json!({ "error": "internal error" }),
            "{dialect}: no SQL in the body"
        );
        assert_eq!(
            Tag::count()
                .filter(Tag::NAME.eq("lost"))
                .exec(&server.db)
                .await
                .unwrap(),
            0
        );

        // The list: filters from the query string, counted with distinct.
        let (status, page) = server
            .get("/posts?published=true&q=SEQUELIZE&per_page=10")
            .await;
        assert_eq!(status, StatusCode::OK, "{dialect}: {page}");
        assert_eq!(page["count"], 1, "{dialect}: {page}");
        assert_eq!(page["rows"][0]["tags"].as_array().unwrap().len(), 2);
        let (_, all) = server.get("/posts?per_page=1&page=2").await;
        assert_eq!(
            (all["count"].as_i64(), all["rows"].as_array().unwrap().len()),
            (Some(2), 1),
            "{dialect}: {all}"
        );

        // Soft delete and restore.
        let (status, _) = server.delete(&format!("/posts/{id}")).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, body) = server.get(&format!("/posts/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{dialect}: {body}");
        let (status, _) = server
            .post(&format!("/posts/{id}/restore"), json!({}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = server.get(&format!("/posts/{id}")).await;
        assert_eq!(status, StatusCode::OK);

        // Per-category statistics.
        let (status, stats) = server.get("/stats/categories").await;
        assert_eq!(status, StatusCode::OK, "{dialect}: {stats}");
        assert_eq!(
            stats,
            json!([{ "category_id": news.id, "posts": 1, "views": 0 }]),
            "{dialect}"
        );

        // The admin search is for users with the admin role, and takes Sequelize's
        // where-object.
        let filter = encoded(r#"{"or":[{"title":{"iLike":"%rust%"}},{"view_count":{"gt":100}}]}"#);
        let search = format!("/admin/posts?filter={filter}");
        let ann_login = ("ann@example.com", "password123");
        let (status, body) = server.get(&search).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{dialect}: {body}");
        let (status, body) = server
            .get_as(&search, ("ann@example.com", "wrong-password"))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{dialect}: {body}");
        let (status, body) = server.get_as(&search, ann_login).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{dialect}: {body}");
        let admin = Role::create(Role {
            name: "admin".into(),
            ..Default::default()
        })
        .exec(&server.db)
        .await
        .unwrap();
        let ann_user = User::find_by_email(&server.db, "ann@example.com")
            .await
            .unwrap()
            .unwrap();
        User::roles()
            .of(&ann_user)
            .add(&server.db, &[&admin])
            .await
            .unwrap();
        let (status, found) = server.get_as(&search, ann_login).await;
        assert_eq!(status, StatusCode::OK, "{dialect}: {found}");
        assert_eq!(found.as_array().unwrap().len(), 1, "{dialect}: {found}");
        let (_, body) = server
            .post(
                "/login",
                json!({ "email": ann_login.0, "password": ann_login.1 }),
            )
            .await;
        assert_eq!(
            body["roles"],
            json!(["admin", "author"]),
            "{dialect}: {body}"
        );

        hostile_inputs_are_refused(&server, dialect, ann_login).await;
        concurrent_posts_lose_nothing(&server, dialect, &ann["id"]).await;
        server.db.close().await.unwrap();
    }
}

/// Each hostile input is a 400 that says what is wrong, and none reaches the database.
async fn hostile_inputs_are_refused(server: &Server, dialect: &str, admin: (&str, &str)) {
    let filters = [
        (r#"{"title":{"$ne":null}}"#, "operator"),
        (r#"{"title":{"drop":"x"}}"#, "operator"),
        (r#"{"nothing":1}"#, "no attribute"),
        (r#"{"password":{"like":"a%"}}"#, "password"),
        (r#"{"title":{"eq":{"nested":"object"}}}"#, "filter.title"),
        (r#"["not","an","object"]"#, "object"),
        ("not json", "not JSON"),
    ];
    for (filter, says) in filters {
        let (status, body) = server
            .get_as(&format!("/admin/posts?filter={}", encoded(filter)), admin)
            .await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{dialect} {filter}: {body}"
        );
        assert!(
            body.to_string().contains(says),
            "{dialect} {filter}: {says:?} in {body}"
        );
    }
    for query in [
        "per_page=1000",
        "page=0",
        "page=abc",
        "published=maybe",
        "limit=5",
        "per_page=-1",
    ] {
        let (status, body) = server.get(&format!("/posts?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{dialect} {query}: {body}");
    }
    let long = "x".repeat(201);
    let (status, _) = server.get(&format!("/posts?q={long}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{dialect}: a long q");
    let (status, _) = server.get("/posts/not-a-uuid").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{dialect}: a malformed id");
    let (status, _) = server
        .get("/posts/00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{dialect}: no such post");
    let (status, _) = server
        .post(
            "/users",
            json!({ "email": ["a"], "password": "password123" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{dialect}: an array where a string goes"
    );
}

/// Fifty requests at once each create a post with two tags: every post and every link is
/// written, and the pool has every connection back afterwards.
async fn concurrent_posts_lose_nothing(server: &Server, dialect: &str, author: &Json) {
    let before = Post::count().exec(&server.db).await.unwrap();
    let links_before = common::count_rows(&server.db, &server.db, "PostTags").await;
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..50 {
        let request = server.http.post(format!("{}/posts", server.base)).json(&json!({
            "title": format!("Concurrent {i}"), "author_id": author, "tags": [format!("t{i}"), "shared"]
        }));
        requests.spawn(async move {
            let response = request.send().await.unwrap();
            (response.status(), response.text().await.unwrap())
        });
    }
    while let Some(answer) = requests.join_next().await {
        let (status, body) = answer.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{dialect}: {body}");
    }
    assert_eq!(
        Post::count().exec(&server.db).await.unwrap(),
        before + 50,
        "{dialect}"
    );
    let shared = Tag::count().filter(Tag::NAME.eq("shared"));
    assert_eq!(
        shared.exec(&server.db).await.unwrap(),
        1,
        "{dialect}: one tag"
    );
    let links = common::count_rows(&server.db, &server.db, "PostTags").await;
    assert_eq!(
        links,
        links_before + 100,
        "{dialect}: every post has both tags"
    );
    let pool = server.db.pool_status();
    assert_eq!(
        pool.available, pool.size,
        "{dialect}: every connection is back: {pool:?}"
    );
}
