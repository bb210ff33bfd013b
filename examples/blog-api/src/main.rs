//! The blog API's server: `cargo run -p blog-api` serves it on 127.0.0.1:3000 (`PORT` to
//! change), on an embedded SQLite file by default, or on `DATABASE_URL`
//! (`postgres://…`, `mariadb://…`, `mysql://…`).

use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite://blog.sqlite".into());
    let db = blog_api::connect(&url).await?;
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    tracing::info!(dialect = db.dialect().name(), address = %listener.local_addr()?, "blog API listening");
    blog_api::serve(listener, db).await?;
    Ok(())
}
