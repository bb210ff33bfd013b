//! The `Comment` model of the `comments` table, written by `sequelize db:introspect`.

#![allow(clippy::duplicated_attributes)]

use sequelize::prelude::*;

use super::post::Post;
use super::user::User;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "comments", underscored, paranoid)]
#[belongs_to(Post, alias = "post", foreign_key = "post_id", constraints = false)]
#[belongs_to(User, alias = "author", foreign_key = "author_id", constraints = false)]
pub struct Comment {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    #[attr(data_type = DataType::Text)]
    pub body: String,
    #[attr(
        references(table = "posts", key = "id"),
        on_delete = "CASCADE",
        on_update = "CASCADE"
    )]
    pub post_id: Uuid,
    #[attr(
        references(table = "users", key = "id"),
        on_delete = "CASCADE",
        on_update = "CASCADE"
    )]
    pub author_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}
