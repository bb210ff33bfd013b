//! The `Category` model of the `categories` table, written by `sequelize db:introspect`.

#![allow(clippy::duplicated_attributes)]

use sequelize::prelude::*;

use super::post::Post;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "categories", underscored)]
#[has_many(
    Post,
    alias = "posts",
    foreign_key = "category_id",
    constraints = false
)]
pub struct Category {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
