//! Two fields stored in the same column: the error is on the `field = "..."` that clashes.

use sequelize::prelude::*;

/// Two explicit columns of one name.
#[derive(Model, Clone, Debug)]
struct Renamed {
    id: i64,
    #[attr(field = "mail")]
    email: String,
    #[attr(field = "mail")]
    backup_email: String,
}

/// An explicit column named as another field, which comes later.
#[derive(Model, Clone, Debug)]
struct Shadowed {
    id: i64,
    #[attr(field = "email")]
    contact: String,
    email: String,
}

/// Underscored: `first_name` is stored in `first_name`.
#[derive(Model, Clone, Debug)]
#[model(underscored)]
struct Underscored {
    id: i64,
    first_name: String,
    #[attr(field = "first_name")]
    given_name: String,
}

fn main() {}
