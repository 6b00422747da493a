//! The routes that serve the built app (see `shell.rs` for what is served): the service worker
//! and the app's files, with `index.html` for an app route.

use crate::app_state::AppState;
use crate::shell::{IMMUTABLE, REVALIDATE, is_hashed_asset};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sw.js", get(service_worker))
        .fallback(app_file)
}

async fn service_worker(State(state): State<AppState>) -> Response {
    match &state.shell.build {
        Some(build) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, REVALIDATE),
            ],
            build.service_worker.clone(),
        )
            .into_response(),
        None => app_not_built(),
    }
}

/// A file of the build, or `index.html` for an app route such as `/clients/…`.
async fn app_file(State(state): State<AppState>, request: Request) -> Response {
    if state.shell.build.is_none() {
        return app_not_built();
    }
    let path = request.uri().path().to_owned();
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    let result = if last_segment.contains('.') {
        ServeDir::new(&state.shell.dist)
            .oneshot(request)
            .await
            .map(IntoResponse::into_response)
    } else {
        ServeFile::new(state.shell.dist.join("index.html"))
            .oneshot(request)
            .await
            .map(IntoResponse::into_response)
    };
    let mut response = match result {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let cache = if !response.status().is_success() {
        "no-store"
    } else if is_hashed_asset(last_segment) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

fn app_not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CACHE_CONTROL, "no-store")],
        Body::from("The app has not been built. Run `cargo xtask serve`.\n"),
    )
        .into_response()
}
