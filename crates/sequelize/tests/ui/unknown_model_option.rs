//! A misspelt `#[model(...)]` option is an error on its name.

use sequelize::prelude::*;

#[derive(Model, Clone, Debug)]
#[model(table = "users", underscore)]
struct User {
    id: i64,
    email: String,
}

fn main() {}
