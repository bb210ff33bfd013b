//! What the hand-written `GET /posts` endpoints share: the page they read from
//! `?page=&per_page=`, as the API reads it (20 per page by default, at most 100), and how
//! they are served (on `PORT`, 3001 by default).

use axum::Router;
use serde::Deserialize;

/// `?page=&per_page=`.
#[derive(Deserialize)]
pub struct Params {
    page: Option<u32>,
    per_page: Option<u32>,
}

impl Params {
    /// The `LIMIT` and `OFFSET` of the page.
    pub fn limit_offset(&self) -> (u32, i64) {
        let per_page = self.per_page.unwrap_or(20).clamp(1, 100);
        let offset = i64::from(self.page.unwrap_or(1).max(1) - 1) * i64::from(per_page);
        (per_page, offset)
    }
}

/// Serves `app` on 127.0.0.1 and the port `PORT` names (3001 by default).
pub async fn serve(app: Router) -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "3001".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    axum::serve(listener, app).await
}
