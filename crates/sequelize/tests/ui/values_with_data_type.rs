//! `values(...)` already makes the column an ENUM; a `data_type` beside it is an error on
//! whichever of the two comes second.

use sequelize::prelude::*;

#[derive(Model, Clone, Debug)]
struct User {
    id: i64,
    #[attr(values("active", "banned"), data_type = DataType::Text)]
    status: String,
}

#[derive(Model, Clone, Debug)]
struct Account {
    id: i64,
    #[attr(data_type = DataType::Text)]
    #[attr(values("open", "closed"))]
    state: String,
}

fn main() {}
