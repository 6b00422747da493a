//! `POST /api/v1/sync/push` and `GET /api/v1/sync/pull`.

use crate::AppState;
use crate::auth::Principal;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Query, State};
use axum_extra_json::JsonBody;
use serde::Deserialize;
use yorisoi_domain::sync::protocol::{
    self, MAX_BATCH, PullResponse, PushRequest, PushResponse, WIRE_FORMAT,
};

/// Stores a device's changes; answers how far its outbox is now safe on the server.
pub async fn push(
    State(state): State<AppState>,
    _who: Principal,
    JsonBody(request): JsonBody<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    // The push runs to its end in a task of its own: if the device goes away mid-request (a tab
    // closed, a connection dropped), its transaction still commits or rolls back, and never
    // stays open holding the database's write lock. The device's retry is then harmless.
    let db = state.db.clone();
    let pushed = tokio::spawn(async move { db.push(&request, now).await })
        .await
        .map_err(|e| ApiError::Internal(format!("the push task failed: {e}")))??;
    for refused in &pushed.refused {
        tracing::info!(change = %refused.id, refusal = %refused.refusal, "change set aside");
    }
    Ok(Json(PushResponse {
        format: WIRE_FORMAT,
        acked_through: pushed.acked_through,
        refused: pushed.refused,
    }))
}

#[derive(Debug, Deserialize)]
pub struct PullQuery {
    format: u32,
    #[serde(default)]
    since: u64,
    limit: Option<u32>,
}

/// The changes after `since`, in the server's own order, a page at a time.
pub async fn pull(
    State(state): State<AppState>,
    _who: Principal,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(query) = query?;
    protocol::check_format(query.format)?;
    let limit = query
        .limit
        .unwrap_or(MAX_BATCH as u32)
        .clamp(1, MAX_BATCH as u32);
    let page = state.db.pull(query.since, limit).await?;
    Ok(Json(PullResponse {
        format: WIRE_FORMAT,
        changes: page.changes,
        cursor: page.cursor,
        more: page.more,
        head: page.head,
    }))
}

/// A JSON body whose every rejection (not JSON, too large, wrong shape) is an [`ApiError`].
mod axum_extra_json {
    use crate::error::ApiError;
    use axum::extract::{FromRequest, Request};
    use serde::de::DeserializeOwned;

    pub struct JsonBody<T>(pub T);

    impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
        type Rejection = ApiError;

        async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
            let axum::Json(value) = axum::Json::<T>::from_request(request, state).await?;
            Ok(Self(value))
        }
    }
}
