//! Request handlers, one module per part of the URL space.

pub mod health;
pub mod sync;

use crate::error::ApiError;
use axum::extract::OriginalUri;

/// Any `/api/…` path that no route claims: a JSON 404, never the app's HTML.
pub async fn api_not_found(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::NotFound(uri.path().to_owned())
}
