//! A typed column takes only values of its attribute's type.

use sequelize::prelude::*;

#[derive(Model, Clone, Debug)]
struct User {
    id: i64,
    email: String,
    age: i32,
}

fn main() {
    let _ = User::AGE.eq("x");
    let _ = User::EMAIL.gt(18);
}
