//! Per-category statistics: `fn`, `group` and `having`.

use axum::extract::State;
use axum::Json;
use sequelize::prelude::*;
use sequelize::sql::{CastType, Expr, Function};
use serde::{Deserialize, Serialize};

use crate::models::Post;
use crate::{ApiError, AppState};

/// One category's figures.
#[derive(Debug, Serialize, Deserialize)]
pub struct CategoryStats {
    pub category_id: Uuid,
    pub posts: i64,
    pub views: i64,
}

/// `GET /stats/categories`: the published posts and their views per category, for the
/// categories with at least one post, the most viewed first.
pub async fn per_category(
    State(state): State<AppState>,
) -> Result<Json<Vec<CategoryStats>>, ApiError> {
    let posts = || Expr::function(Function::Count, [col("id").expr()]);
    // A sum is a DECIMAL on MySQL and MariaDB: cast to an integer everywhere.
    let views = Expr::function(Function::Sum, [col("view_count").expr()]).cast(CastType::BigInt);
    let stats = Post::find_all()
        .raw()
        .attributes(["category_id"])
        .attribute(posts(), "posts")
        .attribute(views, "views")
        .filter(
            Post::PUBLISHED
                .eq(true)
                .and(Post::CATEGORY_ID.is_not_null()),
        )
        .group_by(Post::CATEGORY_ID)
        .having(posts().gte(1))
        .order(literal("views").desc())
        .exec_as(&state.db)
        .await?;
    Ok(Json(stats))
}
