//! Signing in and out, and changing one's own password: `/api/v1/session`, `/api/v1/password`.
//! The first administrator's set-up is in `setup.rs`, a device's enrolment in `enrol.rs`.

use super::{JsonBody, audit};
use crate::app_state::AppState;
use crate::auth::{
    self, Principal, decoy_hash, hash_password, new_token, now_ms, session_cookie, token_hash,
    verify_password,
};
use crate::db::{MAX_FAILURES, PersonRow};
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
use yorisoi_domain::accounts::{self, ChangePassword, DeviceState, MAX_PASSWORD_CHARS, Me, SignIn};
use yorisoi_domain::audit::Action;
use yorisoi_domain::ids::{DeviceId, PersonId};

/// The address a request came from, for the sign-in rate limit: the TCP peer, or with
/// `--trust-proxy` the last address the proxy appended to `X-Forwarded-For`.
pub fn peer(headers: &HeaderMap, parts_peer: Option<IpAddr>, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy
        && let Some(forwarded) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(forwarded);
    }
    parts_peer
}

/// The TCP peer's address, when the server was started with connection info.
pub struct Peer(pub Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// A person's session begins: the cookie, and who they are.
pub(super) async fn begin(
    state: &AppState,
    person: &PersonRow,
    device: DeviceId,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let now = now_ms();
    let token = new_token();
    let expires_at = now + state.sessions.absolute_ms;
    state
        .db
        .start_session(&token_hash(&token), person.id, device, now, expires_at)
        .await?;
    let me = Me {
        person: person.id,
        login: person.login.clone(),
        name: person.name.clone(),
        role: person.role,
        device,
        expires_at,
        server_time: now,
        device_name: state.db.device_name(device).await?,
    };
    let cookie = session_cookie(
        Some(&token),
        state.sessions.absolute_ms / 1000,
        state.https(),
    );
    Ok((
        status,
        [(
            header::SET_COOKIE,
            HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?,
        )],
        Json(me),
    )
        .into_response())
}

/// Hashes or checks a password on a blocking thread, within the server's bound on how many run
/// at once (`hashing.rs`): Argon2 takes tens of milliseconds of CPU and 19 MiB by design.
pub(super) async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    state.hashing.run(work).await
}

/// A device that was revoked or retired signs no one in again under its id.
pub(super) async fn device_may_sign_in(state: &AppState, device: DeviceId) -> Result<(), ApiError> {
    match state.db.device_state(device).await? {
        Some(DeviceState::Revoked) => Err(ApiError::DeviceRevoked),
        Some(DeviceState::Retired) => Err(ApiError::DeviceRetired),
        _ => Ok(()),
    }
}

/// The device proves it is itself (see [`auth::PROOF_HEADER`]): the secret the request carries
/// is registered now if the device has none yet, else it must be the registered one. A request
/// with no secret passes only for a device that never registered one (an app from before).
/// Called only once the person (or code) was checked, so nobody registers a secret unasked.
pub(super) async fn prove_device(
    state: &AppState,
    headers: &HeaderMap,
    device: DeviceId,
) -> Result<(), ApiError> {
    let proven = match auth::device_proof(headers) {
        Some(proof) => state.db.claim_proof(device, &token_hash(&proof)).await?,
        None => !state.db.proof_registered(device).await?,
    };
    if proven {
        Ok(())
    } else {
        tracing::warn!(%device, "a request named a device whose secret it does not hold");
        Err(ApiError::DeviceProof)
    }
}

/// Counts a wrong password against its account: `MAX_FAILURES` within `FAILURE_WINDOW_MS` lock it
/// for `LOCK_MS`. Whatever route checked the password (signing in, changing it). Both the
/// failure and a lock-out go to the audit log. Counted in the database in one statement, so
/// wrong passwords sent at once are each counted (see `db/lockout.rs`).
async fn note_failure(
    state: &AppState,
    person: &PersonRow,
    device: DeviceId,
    now: i64,
    what: &str,
) -> Result<(), ApiError> {
    audit(
        state,
        Action::SignInFailed,
        Some(person.id),
        Some(device),
        None,
        vec![what.to_owned()],
    )
    .await?;
    if state
        .db
        .count_failure(person.id, now)
        .await?
        .is_some_and(|f| f.locked_now)
    {
        tracing::warn!(person = %person.id, "account locked after {MAX_FAILURES} wrong passwords");
        audit(
            state,
            Action::LockedOut,
            Some(person.id),
            Some(device),
            None,
            Vec::new(),
        )
        .await?;
    }
    Ok(())
}

/// `POST /api/v1/session`: signs a person in on a device. A wrong password, an unknown login, a
/// locked and a disabled account get the same answer, after the same work.
pub async fn sign_in(
    State(state): State<AppState>,
    Peer(tcp_peer): Peer,
    headers: HeaderMap,
    JsonBody(request): JsonBody<SignIn>,
) -> Result<Response, ApiError> {
    if let Some(address) = peer(&headers, tcp_peer, state.trust_proxy)
        && !state
            .sign_in_limit
            .allow(address, std::time::Instant::now())
    {
        tracing::warn!(%address, "sign-in attempts limited");
        return Err(ApiError::TooManyRequests);
    }
    if request.password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(ApiError::SignInFailed);
    }
    let now = now_ms();
    let person = match accounts::normalize_login(&request.login) {
        Ok(login) => state.db.person_by_login(&login).await?,
        Err(_) => None,
    };
    let stored = person.as_ref().map(|p| p.password_hash.clone());
    let password = request.password.clone();
    let matches = blocking(&state, move || {
        verify_password(&password, stored.as_deref().unwrap_or(decoy_hash()))
    })
    .await?;
    let device = request.device;
    let failed = |person: Option<PersonId>, why: &str| {
        audit(
            &state,
            Action::SignInFailed,
            person,
            Some(device),
            None,
            vec![why.to_owned()],
        )
    };
    // The login typed is not kept: it may be a password typed in the wrong box.
    let Some(person) = person else {
        failed(None, "unknown_login").await?;
        return Err(ApiError::SignInFailed);
    };
    if person.disabled || person.locked_until > now {
        let why = if person.disabled {
            "disabled"
        } else {
            "locked"
        };
        failed(Some(person.id), why).await?;
        return Err(ApiError::SignInFailed);
    }
    if !matches {
        note_failure(&state, &person, device, now, "wrong_password").await?;
        return Err(ApiError::SignInFailed);
    }
    if let Err(refused) = device_may_sign_in(&state, device).await {
        failed(Some(person.id), "device_not_active").await?;
        return Err(refused);
    }
    // Checked again after the slow hash, in the statement that clears the failures: a lock set
    // meanwhile by wrong passwords sent at the same time holds against this right one. Only
    // then may the device's secret be proven (or registered).
    if !state.db.clear_failures(person.id, now_ms()).await? {
        failed(Some(person.id), "locked").await?;
        return Err(ApiError::SignInFailed);
    }
    if let Err(refused) = prove_device(&state, &headers, device).await {
        failed(Some(person.id), "device_proof").await?;
        return Err(refused);
    }
    audit(
        &state,
        Action::SignIn,
        Some(person.id),
        Some(device),
        None,
        Vec::new(),
    )
    .await?;
    begin(&state, &person, device, StatusCode::OK).await
}

/// `GET /api/v1/session`: who is signed in on this device.
pub async fn me(who: Principal) -> Json<Me> {
    Json(Me {
        person: who.person,
        login: who.login,
        name: who.name,
        role: who.role,
        device: who.device,
        expires_at: who.expires_at,
        server_time: now_ms(),
        device_name: who.device_name,
    })
}

/// `DELETE /api/v1/session`: signs out; the session ends on the server, the cookie is removed.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = auth::session_token(&headers, state.https()) {
        let hash = token_hash(&token);
        if let Some(who) = state.db.session(&hash, now_ms(), &state.sessions).await? {
            audit(
                &state,
                Action::SignOut,
                Some(who.person),
                Some(who.device),
                None,
                Vec::new(),
            )
            .await?;
        }
        state.db.end_session(&hash).await?;
    }
    let cookie = session_cookie(None, 0, state.https());
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?,
        )],
    )
        .into_response())
}

/// `POST /api/v1/password`: changes one's own password, given the current one. Every other
/// session of the person ends; this device gets a new one.
pub async fn change_password(
    State(state): State<AppState>,
    who: Principal,
    JsonBody(request): JsonBody<ChangePassword>,
) -> Result<Response, ApiError> {
    accounts::check_password(&request.new)?;
    let mut person = state
        .db
        .person(who.person)
        .await?
        .ok_or(ApiError::SignedOut)?;
    // A live session is no licence to guess: wrong tries count towards the lock as sign-ins do,
    // and a locked account is answered as a wrong password is.
    let wrong = || {
        ApiError::Forbidden(
            "the current password is wrong (after 5 wrong tries, the account is locked for 15 minutes)"
                .into(),
        )
    };
    let now = now_ms();
    if person.locked_until > now {
        return Err(wrong());
    }
    let (current, stored) = (request.current.clone(), person.password_hash.clone());
    if !blocking(&state, move || verify_password(&current, &stored)).await? {
        note_failure(&state, &person, who.device, now, "password_change").await?;
        return Err(wrong());
    }
    if !state.db.clear_failures(person.id, now_ms()).await? {
        return Err(wrong());
    }
    let new = request.new.clone();
    person.password_hash = blocking(&state, move || hash_password(&new)).await?;
    person.failures = 0;
    person.failed_since = 0;
    person.locked_until = 0;
    state.db.save_person(&person).await?;
    state.db.end_sessions_of(person.id).await?;
    audit(
        &state,
        Action::AccountChanged,
        Some(person.id),
        Some(who.device),
        None,
        vec![format!("person:{}", person.id), "password_changed".into()],
    )
    .await?;
    begin(&state, &person, who.device, StatusCode::OK).await
}
