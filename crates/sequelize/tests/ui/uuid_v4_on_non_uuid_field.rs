//! `default = uuid_v4` on a field that cannot hold a UUID.

use sequelize::prelude::*;

#[derive(Model, Clone, Debug)]
struct User {
    #[attr(primary_key, default = uuid_v4)]
    id: i64,
    token: Option<String>,
}

fn main() {}
