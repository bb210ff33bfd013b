//! The `User` model, written by `sequelize model:generate`; its table is created by
//! the `create-user` migration written with it.

use sequelize::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
pub struct User {
    pub id: i32,
    pub first_name: Option<String>,
    #[attr(values("admin", "guest"))]
    pub role: Option<String>,
    pub age: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
