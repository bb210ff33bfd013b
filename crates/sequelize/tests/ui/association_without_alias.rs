//! An association must be named (its name is the include handle's), and an option another
//! kind of association has is an error on its name.

use sequelize::prelude::*;

#[derive(Model, Clone, Debug)]
#[has_many(Post, foreign_key = "author_id")]
struct User {
    id: i64,
}

#[derive(Model, Clone, Debug)]
#[belongs_to(User, alias = "author", other_key = "x")]
struct Post {
    id: i64,
    author_id: i64,
}

fn main() {}
