//! The usage guide's blog as an HTTP API: axum handlers over the `Sequelize` handle in the
//! app state, the guide's models (examples/blog/models.rs) with its hooks and scopes
//! (examples/blog/setup.rs), and the library's errors mapped to HTTP statuses (error.rs).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let db = blog_api::connect("sqlite::memory:").await?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! blog_api::serve(listener, db).await?;
//! # Ok(()) }
//! ```

#[path = "../../blog/models.rs"]
pub mod models;
#[path = "../../blog/setup.rs"]
pub mod setup;

mod auth;
mod error;
mod posts;
mod query;
mod stats;
mod users;

use axum::routing::{get, post};
use axum::Router;
use sequelize::prelude::*;

pub use auth::Admin;
pub use error::ApiError;

/// What every handler is given: the one `Sequelize` handle, whose pool they share.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Sequelize,
}

/// Connects to `url`, defines the models and creates their tables where they do not exist
/// (`sequelize.sync()`).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let db = blog_api::connect("sqlite::memory:").await.unwrap();
/// assert!(db.query_interface().show_all_tables().await.unwrap().contains(&"posts".to_owned()));
/// # });
/// ```
pub async fn connect(url: &str) -> sequelize::Result<Sequelize> {
    let db = Sequelize::connect_with(Options {
        url: Some(url.to_owned()),
        // Each statement at the `debug` level of the `sequelize::sql` target, without its
        // values: `RUST_LOG=sequelize::sql=debug` shows them.
        logging: sequelize::Logging::Tracing,
        ..Default::default()
    })
    .await?;
    setup::define_models(&db)?;
    db.sync(SyncOptions::default()).await?;
    Ok(db)
}

/// The API's routes on `db`.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let db = blog_api::connect("sqlite::memory:").await.unwrap();
/// let app: axum::Router = blog_api::router(db);
/// # });
/// ```
pub fn router(db: Sequelize) -> Router {
    Router::new()
        .route("/users", post(users::sign_up))
        .route("/login", post(users::log_in))
        .route("/posts", get(posts::list).post(posts::create))
        .route("/posts/{id}", get(posts::one).delete(posts::soft_delete))
        .route("/posts/{id}/restore", post(posts::restore))
        .route("/admin/posts", get(posts::admin_search))
        .route("/stats/categories", get(stats::per_category))
        .with_state(AppState { db })
}

/// Serves the API on `listener` until the process is stopped.
pub async fn serve(listener: tokio::net::TcpListener, db: Sequelize) -> std::io::Result<()> {
    axum::serve(listener, router(db)).await
}
