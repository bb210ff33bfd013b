//! Posts: the list with filters from the query string, one post with its graph, a post
//! with tags created in one transaction, soft delete and restore, and the admin search
//! that takes Sequelize's where-object as JSON.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use sequelize::model::filter_from_json;
use sequelize::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value as Json_};

use crate::models::{Comment, Post, Tag};
use crate::query::{refuse_secret_attributes, ListParams};
use crate::{Admin, ApiError, AppState};

/// The author's attributes a post shows.
const AUTHOR: [&str; 4] = ["id", "email", "first_name", "last_name"];

/// `GET /posts?page=&per_page=&published=&q=`: `findAndCountAll` with `distinct` and the
/// author, category and tags included, the newest first.
pub async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<Json_>, ApiError> {
    let page = params.page()?;
    let mut find = Post::find_all()
        .include(Post::author().attributes(AUTHOR))
        .include(Post::category())
        .include(Post::tags().through_attributes(Vec::<String>::new()))
        .order(col("created_at").desc())
        .limit(page.limit)
        .offset(page.offset);
    if let Some(filter) = params.filter()? {
        find = find.filter(filter_from_json(&filter).map_err(ApiError::from_client_filter)?);
    }
    let found = find.and_count().distinct().exec(&state.db).await?;
    Ok(Json(json!({ "count": found.count, "rows": found.rows })))
}

/// `GET /posts/{id}`: the post with its author, category, tags and comments with their
/// authors; 404 when there is none.
pub async fn one(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Json_>, ApiError> {
    let post = Post::find_by_pk(id)
        .include(Post::author().attributes(AUTHOR))
        .include(Post::category())
        .include(Post::tags().through_attributes(Vec::<String>::new()))
        .include(Post::comments().include(Comment::author().attributes(AUTHOR)))
        .reject_on_empty()
        .exec(&state.db)
        .await?;
    Ok(Json(json!(post)))
}

/// A new post's body: its tags by name, made where they do not exist.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPost {
    pub title: String,
    pub content: Option<String>,
    pub author_id: Uuid,
    pub category_id: Option<Uuid>,
    #[serde(default)]
    pub published: bool,
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `POST /posts`: the post and its tags in one transaction, both or neither.
pub async fn create(
    State(state): State<AppState>,
    Json(body): Json<NewPost>,
) -> Result<(StatusCode, Json<Json_>), ApiError> {
    let id = state
        .db
        .transaction(|tx| async move {
            let post = Post::create(Post {
                title: body.title,
                content: body.content,
                author_id: body.author_id,
                category_id: body.category_id,
                published: body.published,
                ..Default::default()
            })
            .exec(&tx)
            .await?;
            // Each tag once, in one order: two requests making the same new tags then take
            // their unique keys' locks in the same order, and cannot deadlock.
            let mut names = body.tags;
            names.sort();
            names.dedup();
            let mut tags = Vec::new();
            for name in names {
                let tag = Tag {
                    name: name.clone(),
                    ..Default::default()
                };
                let (tag, _) = Tag::find_or_create(Tag::NAME.eq(name), tag)
                    .exec(&tx)
                    .await?;
                tags.push(tag);
            }
            Post::tags()
                .of(&post)
                .add(&tx, &tags.iter().collect::<Vec<_>>())
                .await?;
            Ok::<_, sequelize::Error>(post.id)
        })
        .await?;
    let Json(post) = one(State(state), Path(id)).await?;
    Ok((StatusCode::CREATED, Json(post)))
}

/// `DELETE /posts/{id}`: a soft delete (the model is paranoid); 404 when there is none.
pub async fn soft_delete(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let mut post = Post::find_by_pk(id)
        .reject_on_empty()
        .exec(&state.db)
        .await?;
    post.destroy(&state.db).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /posts/{id}/restore`: a soft-deleted post back; 404 when there is none.
pub async fn restore(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<Json_>, ApiError> {
    let mut post = Post::find_by_pk(id)
        .paranoid(false)
        .reject_on_empty()
        .exec(&state.db)
        .await?;
    post.restore(&state.db).await?;
    Ok(Json(json!(post)))
}

/// `GET /admin/posts?filter=<where-object JSON>`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminSearch {
    pub filter: String,
}

/// `GET /admin/posts?filter=`, for admins only ([`Admin`]): posts matching Sequelize's
/// where-object, checked by the library (known operators and attributes, plain values)
/// before any SQL; a filter it refuses, or one naming `password`, is 400. At most 100
/// posts, the newest first.
pub async fn admin_search(
    _: Admin,
    State(state): State<AppState>,
    Query(search): Query<AdminSearch>,
) -> Result<Json<Json_>, ApiError> {
    let filter: Json_ = serde_json::from_str(&search.filter)
        .map_err(|e| ApiError::BadRequest(format!("filter is not JSON: {e}")))?;
    refuse_secret_attributes(&filter)?;
    let filter = filter_from_json(&filter).map_err(ApiError::from_client_filter)?;
    let posts = Post::find_all()
        .filter(filter)
        .order(col("created_at").desc())
        .limit(100)
        .exec(&state.db)
        .await
        .map_err(ApiError::from_client_filter)?;
    Ok(Json(json!(posts)))
}
