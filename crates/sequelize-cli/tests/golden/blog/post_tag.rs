//! The `PostTag` model of the `PostTags` table, written by `sequelize db:introspect`.

#![allow(clippy::duplicated_attributes)]

use sequelize::prelude::*;

use super::post::Post;
use super::tag::Tag;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "PostTags", underscored)]
#[belongs_to(Post, alias = "post", foreign_key = "post_id", constraints = false)]
#[belongs_to(Tag, alias = "tag", foreign_key = "tag_id", constraints = false)]
pub struct PostTag {
    #[attr(
        primary_key,
        references(table = "posts", key = "id"),
        on_delete = "CASCADE",
        on_update = "CASCADE"
    )]
    pub post_id: Uuid,
    #[attr(
        primary_key,
        references(table = "tags", key = "id"),
        on_delete = "CASCADE",
        on_update = "CASCADE"
    )]
    pub tag_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
