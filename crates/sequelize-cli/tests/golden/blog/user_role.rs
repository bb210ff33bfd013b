//! The `UserRole` model of the `UserRoles` table, written by `sequelize db:introspect`.

#![allow(clippy::duplicated_attributes)]

use sequelize::prelude::*;

use super::role::Role;
use super::user::User;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "UserRoles", underscored)]
#[belongs_to(User, alias = "user", foreign_key = "user_id", constraints = false)]
#[belongs_to(Role, alias = "role", foreign_key = "role_id", constraints = false)]
pub struct UserRole {
    #[attr(
        primary_key,
        references(table = "users", key = "id"),
        on_delete = "CASCADE",
        on_update = "CASCADE"
    )]
    pub user_id: Uuid,
    #[attr(
        primary_key,
        references(table = "roles", key = "id"),
        on_delete = "CASCADE",
        on_update = "CASCADE"
    )]
    pub role_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
