//! Every route of the server, in one place. Handler modules mirror the URL:
//! `/api/v1/…` → `handlers::…`.

use crate::{AppState, handlers};
use axum::Router;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    let api = Router::new().fallback(handlers::api_not_found);
    Router::new()
        .route("/healthz", get(handlers::health::healthz))
        .nest("/api", api)
        .merge(crate::shell::routes())
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}
