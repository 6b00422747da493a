//! Accountability for 要配慮個人情報, the administrator's routes: the audit log, 利用停止,
//! erase and disclosure (開示). Every handler starts with `who.admin()?`, and every one that
//! reaches a client's data writes its own audit entry before it answers.

use super::JsonBody;
use crate::app_state::AppState;
use crate::auth::{Principal, now_ms};
use crate::db::{AuditQuery, EraseError};
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use yorisoi_domain::audit::{Action, AuditCheckReport, Entry, Event};
use yorisoi_domain::ids::{ClientId, PersonId};
use yorisoi_domain::privacy::{Disclosure, Erase, Erased, Stopped};

/// The most entries one audit query returns: a page of the admin's table.
pub const AUDIT_LIMIT: u32 = 5_000;

#[derive(Debug, Deserialize)]
pub struct AuditParams {
    client: Option<String>,
    person: Option<String>,
    /// From this time (ms, the server's clock), included.
    from: Option<i64>,
    /// Until this time, excluded.
    to: Option<i64>,
    limit: Option<u32>,
}

fn parse_id<T: std::str::FromStr>(what: &str, raw: &str) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::BadRequest(format!("{raw:?} is not a valid {what} id")))
}

/// An event by the administrator on this request's device.
fn by(who: &Principal, action: Action) -> Event {
    let mut event = Event::new(action);
    event.person = Some(who.person);
    event.device = Some(who.device);
    event
}

/// `GET /api/v1/audit?client=…|person=…&from=…&to=…`: who accessed a client, or what a person
/// accessed, newest first.
pub async fn audit(
    State(state): State<AppState>,
    who: Principal,
    params: Result<Query<AuditParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<Entry>>, ApiError> {
    who.admin()?;
    let Query(params) = params?;
    let query = AuditQuery {
        client: params
            .client
            .as_deref()
            .map(|c| parse_id::<ClientId>("client", c))
            .transpose()?,
        person: params
            .person
            .as_deref()
            .map(|p| parse_id::<PersonId>("person", p))
            .transpose()?,
        from: params.from,
        to: params.to,
        limit: params.limit.unwrap_or(AUDIT_LIMIT).clamp(1, AUDIT_LIMIT),
    };
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from >= to
    {
        return Err(ApiError::BadRequest(
            "the period is empty: its start must be before its end".into(),
        ));
    }
    Ok(Json(state.db.audit_entries(&query).await?))
}

/// `GET /api/v1/audit/check`: reads the whole log and says whether its chain is whole.
pub async fn check(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<AuditCheckReport>, ApiError> {
    who.admin()?;
    let check = state.db.check_audit().await?;
    Ok(Json(AuditCheckReport {
        entries: check.entries,
        head: check.head,
        broken: check.broken.map(|b| b.to_string()),
    }))
}

/// `GET /api/v1/stopped`: every client whose use is stopped, and which are erased.
pub async fn stopped(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<Vec<Stopped>>, ApiError> {
    who.admin()?;
    Ok(Json(state.db.stopped().await?))
}

/// A client the server has data of, or a 404 that says so.
async fn known_client(state: &AppState, raw: &str) -> Result<ClientId, ApiError> {
    let client: ClientId = parse_id("client", raw)?;
    if !state.db.client_known(client).await? && state.db.stopped_client(client).await?.is_none() {
        return Err(ApiError::Missing(format!(
            "no client with id {client} has reached the server"
        )));
    }
    Ok(client)
}

/// `POST /api/v1/clients/{id}/stop`: 利用停止. The client leaves every device (each sends what it
/// has unsent first), nobody's device is served it again, and its data is kept for the
/// retention period.
pub async fn stop(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Json<Stopped>, ApiError> {
    who.admin()?;
    let client = known_client(&state, &id).await?;
    let now = now_ms();
    let retain_until = now + i64::from(state.retention_years) * 365 * 24 * 60 * 60 * 1000;
    if state
        .db
        .stop_use(client, who.person, now, retain_until)
        .await?
    {
        let mut event = by(&who, Action::UseStopped);
        event.client = Some(client);
        event.detail = vec![format!("retain_until:{retain_until}")];
        state.db.record_one(event, now).await?;
        tracing::warn!(by = %who.login, %client, "use of a client stopped (利用停止)");
    }
    state
        .db
        .stopped_client(client)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::Internal("a stop just written cannot be read".into()))
}

/// `POST /api/v1/clients/{id}/erase` with the client's name typed again: deletes every change of
/// a stopped client from the database. The audit log keeps its ids.
pub async fn erase(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<Erase>,
) -> Result<Json<Erased>, ApiError> {
    who.admin()?;
    let client = known_client(&state, &id).await?;
    if state
        .db
        .stopped_client(client)
        .await?
        .is_some_and(|s| s.erased_at.is_some())
    {
        return Err(ApiError::Conflict("this client was erased already".into()));
    }
    let name = state
        .db
        .client_directory()
        .await?
        .into_iter()
        .find(|c| c.id == client)
        .map(|c| c.name)
        .filter(|name| !name.trim().is_empty());
    // The second confirmation: the client's name typed (spaces aside) as the directory shows it;
    // for a client with no name, its id.
    let expected = name.unwrap_or_else(|| client.to_string());
    let typed: String = request.name.split_whitespace().collect();
    if typed != expected.split_whitespace().collect::<String>() {
        return Err(ApiError::BadRequest(
            "the name typed is not this client's name (for a client with no name, its id): nothing was erased"
                .into(),
        ));
    }
    let now = now_ms();
    let erasure = state
        .db
        .erase(client, who.person, now)
        .await
        .map_err(|e| match e {
            EraseError::NotStopped | EraseError::AlreadyErased => ApiError::Conflict(e.to_string()),
            EraseError::Db(e) => e.into(),
        })?;
    let mut event = by(&who, Action::Erased);
    event.client = Some(client);
    event.detail = vec![
        format!("changes:{}", erasure.changes),
        format!("records:{}", erasure.entities.saturating_sub(1)),
        format!("set_aside:{}", erasure.set_aside),
    ];
    state.db.record_one(event, now).await?;
    tracing::warn!(by = %who.login, %client, changes = erasure.changes, "client erased");
    Ok(Json(Erased {
        client,
        changes: erasure.changes,
        entities: erasure.entities,
        set_aside: erasure.set_aside,
    }))
}

/// `GET /api/v1/clients/{id}/disclosure`: everything held about one client (開示): profile,
/// records, every change, what was set aside, consent, coaches, the stop, and the audit of who
/// accessed it. Recorded in the audit as an export.
pub async fn disclosure(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<Disclosure>), ApiError> {
    who.admin()?;
    let client = known_client(&state, &id).await?;
    let now = now_ms();
    // Its own export is in the audit it returns.
    let mut event = by(&who, Action::Exported);
    event.client = Some(client);
    event.detail = vec!["disclosure".into()];
    state.db.record_one(event, now).await?;
    let disclosure = state.db.disclosure(client, now).await?;
    tracing::info!(by = %who.login, %client, "disclosure made (開示)");
    Ok((StatusCode::OK, Json(disclosure)))
}
