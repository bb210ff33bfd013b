//! The `Role` model of the `roles` table, written by `sequelize db:introspect`.

#![allow(clippy::duplicated_attributes)]

use sequelize::prelude::*;

use super::user_role::UserRole;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "roles", underscored)]
#[has_many(
    UserRole,
    alias = "userRoles",
    foreign_key = "role_id",
    constraints = false
)]
pub struct Role {
    #[attr(primary_key, default = uuid_v4)]
    pub id: Uuid,
    #[attr(unique)]
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
