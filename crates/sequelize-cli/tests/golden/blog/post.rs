//! The `Post` model of the `posts` table, written by `sequelize db:introspect`.

#![allow(clippy::duplicated_attributes)]

use sequelize::prelude::*;

use super::category::Category;
use super::comment::Comment;
use super::post_tag::PostTag;
use super::user::User;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "posts", underscored, paranoid)]
#[model(index(fields("author_id"), name = "posts_author_id"))]
#[model(index(fields("category_id"), name = "posts_category_id"))]
#[model(index(fields("published", "created_at"), name = "posts_published_created_at"))]
#[model(index(fields("slug"), unique, name = "posts_slug"))]
#[has_many(
    PostTag,
    alias = "postTags",
    foreign_key = "post_id",
    constraints = false
)]
#[has_many(
    Comment,
    alias = "comments",
    foreign_key = "post_id",
    constraints = false
)]
#[belongs_to(User, alias = "author", foreign_key = "author_id", constraints = false)]
#[belongs_to(
    Category,
    alias = "category",
    foreign_key = "category_id",
    constraints = false
)]
pub struct Post {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    #[attr(data_type = DataType::String(Some(500)))]
    pub title: String,
    #[attr(data_type = DataType::Text)]
    pub content: Option<String>,
    #[attr(unique, data_type = DataType::String(Some(500)))]
    pub slug: String,
    #[attr(default = false)]
    pub published: bool,
    #[attr(default = 0)]
    pub view_count: i32,
    #[attr(
        references(table = "users", key = "id"),
        on_delete = "CASCADE",
        on_update = "CASCADE"
    )]
    pub author_id: Uuid,
    #[attr(
        references(table = "categories", key = "id"),
        on_delete = "SET NULL",
        on_update = "CASCADE"
    )]
    pub category_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}
