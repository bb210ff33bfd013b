//! The library's errors as HTTP responses: a validation failure is 422 with its items, a
//! unique violation 409 naming the fields, a missing row 404, a bad query string or filter
//! 400 with the reason; anything else is 500 with no SQL or values in the body, logged with
//! `tracing` instead.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error a handler returns.
#[derive(Debug)]
pub enum ApiError {
    /// The request is malformed (400), with what is wrong with it.
    BadRequest(String),
    /// The credentials are missing or do not match (401).
    Unauthorized,
    /// The user may not do this (403), with why.
    Forbidden(String),
    /// An error of the library.
    Sequelize(sequelize::Error),
}

impl From<sequelize::Error> for ApiError {
    fn from(e: sequelize::Error) -> Self {
        ApiError::Sequelize(e)
    }
}

impl ApiError {
    /// An error of a query built from the client's filter: the library refuses a filter
    /// naming no attribute or no operator before any SQL (`InvalidQuery`), and that is the
    /// client's mistake, a 400. Other errors stay as they are.
    pub fn from_client_filter(e: sequelize::Error) -> Self {
        match e {
            sequelize::Error::InvalidQuery(why) => ApiError::BadRequest(why),
            other => ApiError::Sequelize(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        use sequelize::Error;
        let (status, body) = match self {
            ApiError::BadRequest(message) => (StatusCode::BAD_REQUEST, json!({ "error": message })),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                json!({ "error": "wrong or missing email and password" }),
            ),
            ApiError::Forbidden(why) => (StatusCode::FORBIDDEN, json!({ "error": why })),
            ApiError::Sequelize(Error::Validation(items)) => {
                let errors: Vec<_> = items
                    .iter()
                    .map(|i| json!({ "path": i.path, "validator": i.validator_key, "message": i.message }))
                    .collect();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    json!({ "error": "validation failed", "errors": errors }),
                )
            }
            ApiError::Sequelize(Error::UniqueConstraint { fields, .. }) => (
                StatusCode::CONFLICT,
                json!({ "error": format!("already taken: {}", fields.join(", ")), "fields": fields }),
            ),
            ApiError::Sequelize(Error::EmptyResult(what)) => (
                StatusCode::NOT_FOUND,
                json!({ "error": format!("no {what} found") }),
            ),
            ApiError::Sequelize(other) => {
                tracing::error!(error = %other, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({ "error": "internal error" }),
                )
            }
        };
        (status, Json(body)).into_response()
    }
}
