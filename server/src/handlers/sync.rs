//! `POST /api/v1/sync/push` and `GET /api/v1/sync/pull`.

use super::JsonBody;
use crate::app_state::AppState;
use crate::auth::{AnyDevice, Principal};
use crate::db::Scope;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeSet;
use yorisoi_domain::audit::{Action, Event};
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::sync::protocol::{
    self, MAX_BATCH, PullResponse, PushRequest, PushResponse, WIRE_FORMAT,
};

/// Stores a device's changes; answers how far its outbox is now safe on the server. A retired
/// device may still push (it sends what it has unsent before it deletes); a change for a client
/// the person may not write is set aside, never dropped.
pub async fn push(
    State(state): State<AppState>,
    AnyDevice(who): AnyDevice,
    query: Result<Query<PushQuery>, axum::extract::rejection::QueryRejection>,
    JsonBody(request): JsonBody<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    let Query(query) = query?;
    // A device that synced with another database (this one was restored from a backup since)
    // must first send again what this one lacks: nothing of this push is stored.
    if query
        .instance
        .as_deref()
        .is_some_and(|known| known != state.db.instance_id())
    {
        return Err(ApiError::InstanceChanged);
    }
    let by = Scope {
        person: who.person,
        role: who.role,
        device: who.device,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    // The push runs to its end in a task of its own: if the device goes away mid-request (a tab
    // closed, a connection dropped), its transaction still commits or rolls back, and never
    // stays open holding the database's write lock. The device's retry is then harmless.
    let db = state.db.clone();
    let pushed = tokio::spawn(async move { db.push(&request, now, &by).await })
        .await
        .map_err(|e| ApiError::Internal(format!("the push task failed: {e}")))??;
    for refused in &pushed.refused {
        // The code only: a refusal's message may quote the value, and logs outlive an erase.
        tracing::info!(change = %refused.id, refusal = refused.refusal.code(), "change set aside");
    }
    Ok(Json(PushResponse {
        format: WIRE_FORMAT,
        acked_through: pushed.acked_through,
        refused: pushed.refused,
        instance: state.db.instance_id().to_owned(),
    }))
}

#[derive(Debug, Deserialize)]
pub struct PushQuery {
    /// The database instance the device last synced with, if it knows one.
    instance: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PullQuery {
    format: u32,
    #[serde(default)]
    since: u64,
    limit: Option<u32>,
    /// The last scope hand-over the device finished.
    #[serde(default)]
    scope: u64,
}

/// The changes after `since` of the clients the person may read, in the server's own order, a
/// page at a time, with any hand-over of clients entering or leaving the device's scope.
pub async fn pull(
    State(state): State<AppState>,
    who: Principal,
    query: Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    let Query(query) = query?;
    protocol::check_format(query.format)?;
    who.reads_clients()?;
    let limit = query
        .limit
        .unwrap_or(MAX_BATCH as u32)
        .clamp(1, MAX_BATCH as u32);
    let scope = Scope {
        person: who.person,
        role: who.role,
        device: who.device,
    };
    // In a task of its own, like a push: a coach's pull may record a hand-over in a write
    // transaction, which must end even if the device goes away mid-request.
    let db = state.db.clone();
    let page =
        tokio::spawn(async move { db.pull_for(&scope, query.since, limit, query.scope).await })
            .await
            .map_err(|e| ApiError::Internal(format!("the pull task failed: {e}")))??;
    let clients: BTreeSet<ClientId> = page.changes.iter().map(|p| p.change.client).collect();
    delivered(&state, &who, clients, "pull", None).await?;
    // The versions in use, as a fingerprint: a device asks for them only when it changed.
    let instruments = state.db.instruments_fingerprint().await?;
    Ok(Json(PullResponse {
        format: WIRE_FORMAT,
        changes: page.changes,
        cursor: page.cursor,
        more: page.more,
        head: page.head,
        scope: page.scope,
        instance: state.db.instance_id().to_owned(),
        instruments,
    }))
}

#[derive(Debug, Deserialize)]
pub struct BootstrapQuery {
    format: u32,
    after: Option<String>,
    limit: Option<u32>,
}

/// The most entities (clients and records, each with all its fields) one bootstrap page returns:
/// about 20,000 fields of MSFAS records.
pub const BOOTSTRAP_PAGE: u32 = 1_500;

/// `GET /api/v1/sync/bootstrap`: the current state of the fields the person may read, a page at a
/// time, for a device's first sync; the pull after the smallest page's `base` brings the rest.
/// The page is framed (`protocol::BootstrapHead`): each client's profile and records as the
/// gzipped text of the chunk the device stores, so the device stores it without parsing it.
pub async fn bootstrap(
    State(state): State<AppState>,
    who: Principal,
    query: Result<Query<BootstrapQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query?;
    protocol::check_bootstrap_format(query.format)?;
    who.reads_clients()?;
    let scope = Scope {
        person: who.person,
        role: who.role,
        device: who.device,
    };
    let limit = query
        .limit
        .unwrap_or(BOOTSTRAP_PAGE)
        .clamp(1, BOOTSTRAP_PAGE);
    // Like a push, the page is read to its end in a task of its own: a device that goes away
    // mid-request (a tab reloaded) must not leave its connection's transaction open.
    let db = state.db.clone();
    let started = std::time::Instant::now();
    let page =
        tokio::spawn(async move { db.bootstrap(&scope, query.after.as_deref(), limit).await })
            .await
            .map_err(|e| ApiError::Internal(format!("the bootstrap task failed: {e}")))??;
    let read = started.elapsed();
    let clients: BTreeSet<ClientId> = page.clients.iter().map(|c| c.client).collect();
    delivered(&state, &who, clients, "bootstrap", None).await?;
    let fields = page.field_count();
    let instance = state.db.instance_id().to_owned();
    let body = tokio::task::spawn_blocking(move || page.frame_with(&instance, pack))
        .await
        .map_err(|e| ApiError::Internal(format!("the bootstrap page could not be framed: {e}")))?;
    tracing::debug!(
        "bootstrap page: {fields} fields read in {read:?}, framed in {:?} ({} bytes)",
        started.elapsed() - read,
        body.len()
    );
    Ok((
        [
            (header::CONTENT_TYPE, protocol::BOOTSTRAP_MEDIA_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}

/// Chunks smaller than this go as they are: a client's profile is a few hundred bytes, and the
/// device would spend longer inflating it than it saves.
const GZIP_FROM: usize = 4096;

/// One chunk as it goes on the wire: gzipped (at flate2's default level) unless it is small.
/// The chunks are repetitive JSON, about 60 times smaller gzipped, and the device stores them as
/// they came.
fn pack(text: &[u8]) -> Vec<u8> {
    use std::io::Write;
    if text.len() < GZIP_FROM {
        return text.to_vec();
    }
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(text.len() / 32),
        flate2::Compression::default(),
    );
    encoder.write_all(text).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

#[derive(Debug, Deserialize)]
pub struct WritersQuery {
    format: u32,
}

/// `GET /api/v1/sync/writers`: the database's instance id and the last number it stored of each
/// writer of the asking device, for a device that saw a new instance id (a restore) and sends
/// again what the server lacks. A retired device may ask: it still sends what it holds.
pub async fn writers(
    State(state): State<AppState>,
    AnyDevice(who): AnyDevice,
    query: Result<Query<WritersQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<protocol::Writers>, ApiError> {
    let Query(query) = query?;
    protocol::check_format(query.format)?;
    let writers = state.db.writers_of(who.device).await?;
    Ok(Json(protocol::Writers {
        format: WIRE_FORMAT,
        instance: state.db.instance_id().to_owned(),
        writers,
    }))
}

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    format: u32,
    entity: String,
}

/// `GET /api/v1/sync/history`: every change of one client or record, for a person who may read
/// that client.
pub async fn history(
    State(state): State<AppState>,
    who: Principal,
    query: Result<Query<HistoryQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<protocol::HistoryResponse>, ApiError> {
    let Query(query) = query?;
    protocol::check_format(query.format)?;
    who.reads_clients()?;
    let entity = query.entity.parse().map_err(ApiError::BadRequest)?;
    let scope = Scope {
        person: who.person,
        role: who.role,
        device: who.device,
    };
    let changes = state.db.history(&scope, entity).await?;
    if let Some(first) = changes.first() {
        let client = BTreeSet::from([first.change.client]);
        delivered(&state, &who, client, "history", Some(entity.to_string())).await?;
    }
    Ok(Json(protocol::HistoryResponse {
        format: WIRE_FORMAT,
        changes,
    }))
}

/// Writes to the audit log that `clients`' data went to `who`'s device (by `how`: a pull, a
/// bootstrap page, a record's history), before it goes: nothing is delivered unrecorded.
async fn delivered(
    state: &AppState,
    who: &Principal,
    clients: BTreeSet<ClientId>,
    how: &str,
    entity: Option<String>,
) -> Result<(), ApiError> {
    let events = clients
        .into_iter()
        .map(|client| {
            let mut event = Event::new(Action::Delivered);
            event.person = Some(who.person);
            event.device = Some(who.device);
            event.client = Some(client);
            event.entity = entity.clone();
            event.detail = vec![how.to_owned()];
            event
        })
        .collect();
    state.db.record(events, crate::auth::now_ms()).await?;
    Ok(())
}
