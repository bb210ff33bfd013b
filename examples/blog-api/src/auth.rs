//! Who may use the admin endpoints: a user with the `admin` role, named by HTTP Basic
//! credentials (`Authorization: Basic base64(email:password)`, over TLS in production).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use sequelize::prelude::*;

use crate::models::{Role, User};
use crate::users::authenticate;
use crate::{ApiError, AppState};

/// The role the admin endpoints require.
pub const ADMIN: &str = "admin";

/// An extractor: the request's credentials are a user's (else 401) who has the `admin`
/// role (else 403). A handler that takes it runs only for admins.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use axum::routing::get;
/// use blog_api::{Admin, AppState};
///
/// async fn whoami(Admin(user): Admin) -> String {
///     user.email.clone()
/// }
/// let db = blog_api::connect("sqlite::memory:").await.unwrap();
/// let app = axum::Router::new().route("/whoami", get(whoami)).with_state(AppState { db });
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
/// let url = format!("http://{}/whoami", listener.local_addr().unwrap());
/// tokio::spawn(async move { axum::serve(listener, app).await });
/// let client = reqwest::Client::new();
/// assert_eq!(client.get(&url).send().await.unwrap().status(), 401);
/// let wrong = client.get(&url).basic_auth("nobody@example.com", Some("password123"));
/// assert_eq!(wrong.send().await.unwrap().status(), 401);
/// # });
/// ```
#[derive(Debug)]
pub struct Admin(pub Instance<User>);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (email, password) = basic_credentials(parts).ok_or(ApiError::Unauthorized)?;
        let user = authenticate(&state.db, &email, password).await?;
        // The guide's `User.belongsToMany(Role)`, through its mixin:
        // `user.getRoles({ where: { name: 'admin' } })`.
        let admin = (User::roles().of(&user).find(&state.db)?)
            .filter(Role::NAME.eq(ADMIN))
            .exec(&state.db)
            .await?;
        if admin.is_empty() {
            return Err(ApiError::Forbidden(format!("the {ADMIN} role is required")));
        }
        Ok(Admin(user))
    }
}

/// The email and password of an `Authorization: Basic` header, when there is a well-formed
/// one.
fn basic_credentials(parts: &Parts) -> Option<(String, String)> {
    let header = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let encoded = header.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (email, password) = decoded.split_once(':')?;
    Some((email.to_owned(), password.to_owned()))
}
