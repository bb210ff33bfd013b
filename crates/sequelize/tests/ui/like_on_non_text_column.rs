//! `LIKE` is for text columns only.

use sequelize::prelude::*;

#[derive(Model, Clone, Debug)]
struct User {
    id: i64,
    age: Option<i32>,
}

fn main() {
    let _ = User::AGE.like("1%");
}
