//! Sign-up and log-in: the password is hashed by the model's hook and never returned, and
//! every new user is an `author` (the guide's `User.belongsToMany(Role)`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use sequelize::prelude::*;
use serde::{Deserialize, Serialize};

use crate::models::{Role, User};
use crate::{ApiError, AppState};

/// A sign-up's body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignUp {
    pub email: String,
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// A user as the API shows one: `attributes: { exclude: ['password'] }`, with the names of
/// their roles.
#[derive(Debug, Serialize, Deserialize)]
pub struct PublicUser {
    #[serde(flatten)]
    pub user: UserRow,
    pub roles: Vec<String>,
}

/// A user's row without the password.
#[derive(Debug, Serialize, Deserialize)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: String,
}

/// The role every new user is given.
pub const AUTHOR: &str = "author";

impl PublicUser {
    /// The user `id` with their roles, read without the password.
    async fn find(db: &Sequelize, id: Uuid) -> Result<PublicUser, ApiError> {
        let mut found: Vec<UserRow> = User::find_all()
            .raw()
            .exclude(["password"])
            .filter(User::ID.eq(id))
            .exec_as(db)
            .await?;
        let user = found
            .pop()
            .ok_or_else(|| sequelize::Error::EmptyResult("User".into()))?;
        // The roles whose users include this one: `Role.findAll({ include: [{ model: User,
        // as: 'users', where: { id }, attributes: [] }] })`.
        let roles = Role::find_all()
            .include(
                Role::users()
                    .filter(User::ID.eq(id))
                    .attributes(["id"])
                    .through_attributes(Vec::<String>::new()),
            )
            .order(Role::NAME.asc())
            .exec(db)
            .await?;
        Ok(PublicUser {
            user,
            roles: roles.iter().map(|role| role.name.clone()).collect(),
        })
    }
}

/// `POST /users`: the user and their `author` role in one transaction; validation errors
/// are 422, a taken email 409.
pub async fn sign_up(
    State(state): State<AppState>,
    Json(body): Json<SignUp>,
) -> Result<(StatusCode, Json<PublicUser>), ApiError> {
    let id = state
        .db
        .transaction(|tx| async move {
            let user = User::create(User {
                email: body.email,
                password: body.password,
                first_name: body.first_name,
                last_name: body.last_name,
                ..Default::default()
            })
            .exec(&tx)
            .await?;
            let author = Role {
                name: AUTHOR.into(),
                ..Default::default()
            };
            let (author, _) = Role::find_or_create(Role::NAME.eq(AUTHOR), author)
                .exec(&tx)
                .await?;
            User::roles().of(&user).add(&tx, &[&author]).await?;
            Ok::<_, sequelize::Error>(user.id)
        })
        .await?;
    let shown = PublicUser::find(&state.db, id).await?;
    Ok((StatusCode::CREATED, Json(shown)))
}

/// A log-in's body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogIn {
    pub email: String,
    pub password: String,
}

/// `POST /login`: the user (without the password) when the password matches, else 401.
pub async fn log_in(
    State(state): State<AppState>,
    Json(body): Json<LogIn>,
) -> Result<Json<PublicUser>, ApiError> {
    let user = authenticate(&state.db, &body.email, body.password).await?;
    Ok(Json(PublicUser::find(&state.db, user.id).await?))
}

/// The user whose email and password these are, else [`ApiError::Unauthorized`] (the same
/// for an unknown email as for a wrong password).
pub(crate) async fn authenticate(
    db: &Sequelize,
    email: &str,
    password: String,
) -> Result<Instance<User>, ApiError> {
    let user = User::find_by_email(db, email).await?;
    let user = user.ok_or(ApiError::Unauthorized)?;
    // The guide's `validatePassword`, on a blocking thread (bcrypt is slow on purpose).
    let model = User::clone(&user);
    let matches = tokio::task::spawn_blocking(move || model.validate_password(&password))
        .await
        .map_err(|e| sequelize::Error::Config(format!("hashing thread: {e}")))?;
    if !matches {
        return Err(ApiError::Unauthorized);
    }
    Ok(user)
}
