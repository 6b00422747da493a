//! `GET /healthz`: is the server up, which version is it, does its database answer.

use crate::app_state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    pub database: DatabaseHealth,
    pub app_build: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DatabaseHealth {
    pub status: &'static str,
    pub backend: &'static str,
    pub instance_id: String,
}

/// 200 when the database answers, 503 when it does not; the body says which in either case.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let db_ok = match state.db.ping().await {
        Ok(()) => true,
        Err(e) => {
            tracing::error!("health check: database does not answer: {e}");
            false
        }
    };
    let status = if db_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let health = Health {
        status: if db_ok { "ok" } else { "degraded" },
        version: yorisoi_domain::VERSION,
        database: DatabaseHealth {
            status: if db_ok { "ok" } else { "unavailable" },
            backend: state.db.backend_name(),
            instance_id: state.db.instance_id().to_owned(),
        },
        app_build: state.shell.build_id().map(str::to_owned),
    };
    (status, Json(health))
}
