//! A misspelt `#[attr(...)]` option is an error on its name.

use sequelize::prelude::*;

#[derive(Model, Clone, Debug)]
struct User {
    id: i64,
    #[attr(unique, primary_kye)]
    email: String,
}

fn main() {}
