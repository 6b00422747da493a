//! Every route of the server, in one place. Handler modules mirror the URL:
//! `/api/v1/…` → `handlers::…`.

use crate::{AppState, handlers};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

/// The largest request body accepted: a full push batch of long answers fits with room to spare.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/v1/sync/push", post(handlers::sync::push))
        .route("/v1/sync/pull", get(handlers::sync::pull))
        .fallback(handlers::api_not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    Router::new()
        .route("/healthz", get(handlers::health::healthz))
        .nest("/api", api)
        .merge(crate::shell::routes())
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        // A bug must never take the server down or leak a backtrace: a panic is a JSON 500.
        .layer(CatchPanicLayer::custom(|_| {
            crate::error::ApiError::Internal("a handler panicked".into()).into_response()
        }))
}
