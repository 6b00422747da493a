//! The changes set aside. The administrator lists them (never a value) and decides on each; the
//! value of one is shown only to someone who may read its client now (the office, or a coach
//! assigned to it), and every such view is written to the audit log before it is answered.

use super::admin::parse_id;
use super::audit;
use crate::app_state::AppState;
use crate::auth::{Principal, now_ms};
use crate::db::Unaccepted;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use yorisoi_domain::audit::Action;
use yorisoi_domain::sync::quarantine::{SetAside, SetAsidePage};

/// The most entries one page of the list holds, and how many when the request does not say.
pub const PAGE_LIMIT: u32 = 1_000;
pub const PAGE_DEFAULT: u32 = 200;

#[derive(Debug, Deserialize)]
pub struct ListParams {
    /// Entries older than this id (the last id of the page before).
    before: Option<i64>,
    limit: Option<u32>,
}

/// `GET /api/v1/quarantine?before=…&limit=…`: a page of the changes set aside, newest first:
/// whose, which field, who pushed it from which device, when and why. Never a value.
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SetAsidePage>, ApiError> {
    who.admin()?;
    let Query(params) = params?;
    let limit = params.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_LIMIT);
    Ok(Json(state.db.set_aside_page(params.before, limit).await?))
}

/// `GET /api/v1/quarantine/{id}`: one change set aside, whole, for someone who may read its
/// client now; recorded in the audit log as a view of that client's data.
pub async fn view(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Json<SetAside>, ApiError> {
    who.reads_clients()?;
    let id: i64 = parse_id("set-aside change", &id)?;
    let missing = || ApiError::Missing(format!("no change set aside with id {id}"));
    let set_aside = state.db.set_aside_change(id).await?.ok_or_else(missing)?;
    let client = set_aside.change.client;
    if !state.db.reads_client(who.role, who.person, client).await? {
        // The same answer as for no such change: nothing about another's client leaks.
        return Err(missing());
    }
    audit(
        &state,
        Action::SetAsideViewed,
        Some(who.person),
        Some(who.device),
        Some(client),
        vec![format!("set_aside:{id}")],
    )
    .await?;
    Ok(Json(set_aside))
}

/// `POST /api/v1/quarantine/{id}/accept` and `…/discard`. Accepting stores the change only if
/// it is valid and the person who pushed it may write its client now. Every decision is in the
/// audit log with its client.
pub async fn decide(
    State(state): State<AppState>,
    who: Principal,
    Path((id, action)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    who.admin()?;
    // Parsed here, not by `Path`: its rejection would be plain text, not the API's JSON error.
    let id: i64 = parse_id("set-aside change", &id)?;
    if !matches!(action.as_str(), "accept" | "discard") {
        return Err(ApiError::NotFound(format!(
            "/api/v1/quarantine/{id}/{action} (the actions are accept and discard)"
        )));
    }
    // Whose change it is, for the audit log.
    let client = state
        .db
        .set_aside_change(id)
        .await?
        .filter(|s| s.decision.is_none())
        .ok_or_else(|| ApiError::Missing(format!("no undecided change set aside with id {id}")))?
        .change
        .client;
    let decided = |how: &'static str| {
        let detail = vec![how.into(), format!("set_aside:{id}")];
        audit(
            &state,
            Action::QuarantineDecided,
            Some(who.person),
            Some(who.device),
            Some(client),
            detail,
        )
    };
    if action == "accept" {
        // Run to its end in a task of its own (its write transaction must end even if the
        // administrator's page goes away mid-request).
        let (db, person) = (state.db.clone(), who.person);
        let accepted = tokio::spawn(async move { db.accept(id, person, now_ms()).await })
            .await
            .map_err(|e| ApiError::Internal(format!("the decision task failed: {e}")))??;
        return match accepted {
            Ok(()) => {
                tracing::info!(by = %who.login, id, "set-aside change accepted");
                decided("accepted").await?;
                Ok(StatusCode::NO_CONTENT)
            }
            Err(Unaccepted::Invalid(refusal)) => Err(ApiError::Conflict(format!(
                "this change cannot be stored, whoever accepts it: {refusal}. Discard it instead"
            ))),
            Err(Unaccepted::Author(why)) => Err(ApiError::Conflict(format!(
                "this change cannot be accepted: {why}"
            ))),
        };
    }
    if !state.db.discard(id, who.person, now_ms()).await? {
        return Err(ApiError::Missing(format!(
            "no undecided change set aside with id {id}"
        )));
    }
    tracing::info!(by = %who.login, id, "set-aside change discarded");
    decided("discarded").await?;
    Ok(StatusCode::NO_CONTENT)
}
