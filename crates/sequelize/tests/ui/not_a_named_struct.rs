//! A model is a non-generic struct with named fields.

use sequelize::prelude::*;

#[derive(Model)]
enum Status {
    Active,
}

#[derive(Model)]
struct Pair(i64, String);

#[derive(Model)]
struct Marker;

#[derive(Model)]
struct Wrapper<T> {
    id: i64,
    inner: T,
}

fn main() {}
