//! Sign-up and log-in: the password is hashed by the model's hook and never returned.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use sequelize::prelude::*;
use serde::{Deserialize, Serialize};

use crate::models::User;
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

/// A user as the API shows one: `attributes: { exclude: ['password'] }`.
#[derive(Debug, Serialize, Deserialize)]
pub struct PublicUser {
    pub id: Uuid,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: String,
}

impl PublicUser {
    /// The user `id`, read without its password.
    async fn find(db: &Sequelize, id: Uuid) -> Result<PublicUser, ApiError> {
        let mut found: Vec<PublicUser> = User::find_all()
            .raw()
            .exclude(["password"])
            .filter(User::ID.eq(id))
            .exec_as(db)
            .await?;
        found
            .pop()
            .ok_or_else(|| sequelize::Error::EmptyResult("User".into()).into())
    }
}

/// `POST /users`: validation errors are 422, a taken email 409.
pub async fn sign_up(
    State(state): State<AppState>,
    Json(body): Json<SignUp>,
) -> Result<(StatusCode, Json<PublicUser>), ApiError> {
    let user = User::create(User {
        email: body.email,
        password: body.password,
        first_name: body.first_name,
        last_name: body.last_name,
        ..Default::default()
    })
    .exec(&state.db)
    .await?;
    let shown = PublicUser::find(&state.db, user.id).await?;
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
    let user = User::find_by_email(&state.db, &body.email).await?;
    let user = user.ok_or(ApiError::Unauthorized)?;
    // The guide's `validatePassword`, on a blocking thread (bcrypt is slow on purpose).
    let model = User::clone(&user);
    let matches = tokio::task::spawn_blocking(move || model.validate_password(&body.password))
        .await
        .map_err(|e| sequelize::Error::Config(format!("hashing thread: {e}")))?;
    if !matches {
        return Err(ApiError::Unauthorized);
    }
    Ok(Json(PublicUser::find(&state.db, user.id).await?))
}
