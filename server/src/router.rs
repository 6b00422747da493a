//! Every route of the server, in one place. Handler modules mirror the URL:
//! `/api/v1/…` → `handlers::…`.

use crate::app_state::AppState;
use crate::handlers;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::trace::TraceLayer;

/// The largest request body accepted: a full push batch of long answers fits with room to spare.
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    use handlers::{account, admin, enrol, instruments, privacy, quarantine, setup, sync};
    let api = Router::new()
        .route("/v1/sync/push", post(sync::push))
        .route("/v1/sync/pull", get(sync::pull))
        .route("/v1/sync/bootstrap", get(sync::bootstrap))
        .route("/v1/sync/history", get(sync::history))
        .route("/v1/sync/writers", get(sync::writers))
        .route("/v1/sync/instruments", post(instruments::sync))
        .route(
            "/v1/session",
            get(account::me)
                .post(account::sign_in)
                .delete(account::sign_out),
        )
        .route("/v1/setup", post(setup::set_up))
        .route("/v1/password", post(account::change_password))
        .route("/v1/people", get(admin::people).post(admin::add_person))
        .route(
            "/v1/people/{id}",
            axum::routing::patch(admin::update_person),
        )
        .route("/v1/clients", get(admin::clients))
        .route(
            "/v1/assignments",
            post(admin::assign).delete(admin::unassign),
        )
        .route("/v1/devices", get(admin::devices))
        .route("/v1/enrolments", post(admin::new_enrolment))
        .route("/v1/enrol", post(enrol::enrol))
        .route("/v1/devices/{id}/{action}", post(admin::set_device_state))
        .route("/v1/quarantine", get(quarantine::list))
        .route("/v1/quarantine/{id}", get(quarantine::view))
        .route("/v1/quarantine/{id}/{action}", post(quarantine::decide))
        .route("/v1/audit", get(privacy::audit))
        .route("/v1/audit/check", get(privacy::check))
        .route("/v1/stopped", get(privacy::stopped))
        .route("/v1/clients/{id}/stop", post(privacy::stop))
        .route("/v1/clients/{id}/erase", post(privacy::erase))
        .route("/v1/clients/{id}/disclosure", get(privacy::disclosure))
        .route(
            "/v1/instruments",
            get(instruments::list).post(instruments::upload),
        )
        .route(
            "/v1/instruments/{id}/{edition}/{version}",
            get(instruments::view),
        )
        .route(
            "/v1/instruments/{id}/{edition}/{version}/{action}",
            post(instruments::act),
        )
        .fallback(handlers::api_not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            same_site_only,
        ))
        .layer(middleware::from_fn(crate::error::json_errors));
    Router::new()
        .route("/healthz", get(handlers::health::healthz))
        .nest("/api", api)
        // The nested router does not see its own root with a slash: it is the API's too.
        .route("/api/", axum::routing::any(handlers::api_not_found))
        .merge(handlers::app::routes())
        .with_state(state.clone())
        // A bootstrap page's chunks are gzipped already (the device stores them as they are).
        .layer(
            CompressionLayer::new().compress_when(DefaultPredicate::new().and(
                NotForContentType::const_new(yorisoi_domain::sync::protocol::BOOTSTRAP_MEDIA_TYPE),
            )),
        )
        .layer(TraceLayer::new_for_http())
        // A bug must never take the server down or leak a backtrace: a panic is a JSON 500.
        .layer(CatchPanicLayer::custom(|_| {
            crate::error::ApiError::Internal("a handler panicked".into()).into_response()
        }))
        // Outermost: every answer carries them, a caught panic's too.
        .layer(middleware::map_response_with_state(
            state,
            crate::security::headers,
        ))
}

/// No request that changes data is accepted cross-site. The session cookie is SameSite=Strict
/// already; on top, a browser's request that says it comes from another site (`Sec-Fetch-Site`)
/// or names another origin (`Origin`) is refused. Requests without either header come from no
/// browser page (a script, a test) and carry no ambient cookie of a victim's.
async fn same_site_only(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) && !same_site(&state, request.headers())
    {
        tracing::warn!(path = %request.uri().path(), "cross-site request refused");
        return crate::error::ApiError::CrossSite.into_response();
    }
    next.run(request).await
}

fn same_site(state: &AppState, headers: &axum::http::HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else {
        return true;
    };
    if let Some(public) = &state.public_url
        && origin == public
    {
        return true;
    }
    // Without a configured public URL: the origin must name the host the request was sent to.
    let host = text(header::HOST.as_str()).unwrap_or_default();
    state.public_url.is_none()
        && (origin == format!("http://{host}") || origin == format!("https://{host}"))
}
