//! The `Tag` model of the `tags` table, written by `sequelize db:introspect`.

#![allow(clippy::duplicated_attributes)]

use sequelize::prelude::*;

use super::post_tag::PostTag;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "tags", underscored)]
#[has_many(
    PostTag,
    alias = "postTags",
    foreign_key = "tag_id",
    constraints = false
)]
pub struct Tag {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    #[attr(unique)]
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
