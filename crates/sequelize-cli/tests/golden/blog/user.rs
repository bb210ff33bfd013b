//! The `User` model of the `users` table, written by `sequelize db:introspect`.

#![allow(clippy::duplicated_attributes)]

use sequelize::prelude::*;

use super::comment::Comment;
use super::post::Post;
use super::user_role::UserRole;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "users", underscored, paranoid)]
#[model(index(fields("created_at"), name = "users_created_at"))]
#[model(index(fields("email"), name = "users_email"))]
#[model(index(fields("status"), name = "users_status"))]
#[has_many(
    UserRole,
    alias = "userRoles",
    foreign_key = "user_id",
    constraints = false
)]
#[has_many(
    Comment,
    alias = "comments",
    foreign_key = "author_id",
    constraints = false
)]
#[has_many(Post, alias = "posts", foreign_key = "author_id", constraints = false)]
pub struct User {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    #[attr(unique)]
    pub email: String,
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub avatar: Option<String>,
    #[attr(default = false)]
    pub email_verified: bool,
    #[attr(values("active", "inactive", "banned"), default = "active")]
    pub status: String,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}
