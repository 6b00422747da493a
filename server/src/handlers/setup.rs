//! The first administrator's set-up: `/api/v1/setup`, with the link the server prints at its
//! first start.

use super::account::{begin, blocking, device_may_sign_in, prove_device};
use super::{JsonBody, audit};
use crate::app_state::AppState;
use crate::auth::{hash_password, new_token, now_ms, token_hash};
use crate::db::{PersonRow, Purpose};
use crate::error::ApiError;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use yorisoi_domain::accounts::{self, Role, Setup};
use yorisoi_domain::audit::Action;

/// `POST /api/v1/setup`: the first administrator, with the link the server printed at its first
/// start. Works once, and only while nobody has an account.
pub async fn set_up(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<Setup>,
) -> Result<Response, ApiError> {
    let login = accounts::normalize_login(&request.login)?;
    let name = accounts::check_name(&request.name)?;
    accounts::check_password(&request.password)?;
    device_may_sign_in(&state, request.device).await?;
    let password = request.password.clone();
    let person = PersonRow::new(
        login,
        name,
        Role::Admin,
        blocking(&state, move || hash_password(&password)).await?,
    );
    // In a task of its own, like every write transaction a dropped request must not leave open.
    let (db, code, row) = (
        state.db.clone(),
        token_hash(request.code.trim()),
        person.clone(),
    );
    let made = tokio::spawn(async move { db.set_up(&code, &row, now_ms()).await })
        .await
        .map_err(|e| ApiError::Internal(format!("the set-up task failed: {e}")))??;
    if !made {
        return Err(ApiError::Forbidden(
            "this set-up link is not valid: it was used already, or the server was restarted and printed a new one"
                .into(),
        ));
    }
    tracing::info!(login = %person.login, "first administrator set up");
    audit(
        &state,
        Action::PersonAdded,
        Some(person.id),
        Some(request.device),
        None,
        vec![
            format!("person:{}", person.id),
            "admin".into(),
            "setup".into(),
        ],
    )
    .await?;
    // Made either way; signed in here only on a device that proves itself.
    prove_device(&state, &headers, request.device).await?;
    audit(
        &state,
        Action::SignIn,
        Some(person.id),
        Some(request.device),
        None,
        Vec::new(),
    )
    .await?;
    begin(&state, &person, request.device, StatusCode::CREATED).await
}

/// Prints a new set-up link if nobody has an account yet; returns it.
pub async fn offer_set_up(state: &AppState, base: &str) -> Result<Option<String>, ApiError> {
    if state.db.people_count().await? > 0 {
        return Ok(None);
    }
    let code = new_token();
    state
        .db
        .new_code(
            Purpose::Setup,
            &token_hash(&code),
            None,
            now_ms(),
            None,
            None,
        )
        .await?;
    Ok(Some(format!(
        "{}/setup?code={code}",
        base.trim_end_matches('/')
    )))
}
