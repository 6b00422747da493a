//! The administrator's routes: people, assignments and devices (the changes set aside are in
//! `quarantine.rs`).
//! Every handler here starts with `who.admin()?`.

use super::{JsonBody, audit};
use crate::app_state::AppState;
use crate::auth::{Principal, hash_password, now_ms};
use crate::db::PersonRow;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use yorisoi_domain::accounts::{
    self, Assignment, ClientEntry, Device, DeviceState, NewPerson, Person, PersonUpdate, Role,
};
use yorisoi_domain::audit::Action;
use yorisoi_domain::ids::{DeviceId, PersonId};

pub(super) fn parse_id<T: std::str::FromStr>(what: &str, raw: &str) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::BadRequest(format!("{raw:?} is not a valid {what} id")))
}

async fn hashed(state: &AppState, password: String) -> Result<String, ApiError> {
    super::account::blocking(state, move || hash_password(&password)).await
}

async fn person_out(state: &AppState, id: PersonId) -> Result<Person, ApiError> {
    state
        .db
        .people()
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or_else(|| ApiError::Missing(format!("no person with id {id}")))
}

/// `GET /api/v1/people`
pub async fn people(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<Vec<Person>>, ApiError> {
    who.admin()?;
    Ok(Json(state.db.people().await?))
}

/// `POST /api/v1/people`: a new person with a first password the admin hands over.
pub async fn add_person(
    State(state): State<AppState>,
    who: Principal,
    JsonBody(request): JsonBody<NewPerson>,
) -> Result<(StatusCode, Json<Person>), ApiError> {
    who.admin()?;
    let login = accounts::normalize_login(&request.login)?;
    let name = accounts::check_name(&request.name)?;
    accounts::check_password(&request.password)?;
    let person = PersonRow::new(
        login,
        name,
        request.role,
        hashed(&state, request.password).await?,
    );
    if !state.db.add_person(&person, now_ms()).await? {
        return Err(ApiError::Conflict(format!(
            "the login {:?} is taken; choose another",
            person.login
        )));
    }
    tracing::info!(by = %who.login, login = %person.login, role = person.role.as_str(), "person added");
    audit(
        &state,
        Action::PersonAdded,
        Some(who.person),
        Some(who.device),
        None,
        vec![format!("person:{}", person.id), person.role.as_str().into()],
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(person_out(&state, person.id).await?),
    ))
}

/// `PATCH /api/v1/people/{id}`: name, role, disabled, password reset. A new role, a disabling
/// or a password reset ends the person's sessions. The last active administrator cannot be
/// demoted or disabled: someone must be able to manage the agency.
pub async fn update_person(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    JsonBody(update): JsonBody<PersonUpdate>,
) -> Result<Json<Person>, ApiError> {
    who.admin()?;
    let id: PersonId = parse_id("person", &id)?;
    let mut person = state
        .db
        .person(id)
        .await?
        .ok_or_else(|| ApiError::Missing(format!("no person with id {id}")))?;
    let was_active_admin = person.role == Role::Admin && !person.disabled;
    let mut end_sessions = false;
    // What changed, as codes for the audit log.
    let mut changed: Vec<String> = Vec::new();
    let mut new_role = None;
    if let Some(name) = &update.name {
        let name = accounts::check_name(name)?;
        if name != person.name {
            changed.push("renamed".into());
        }
        person.name = name;
    }
    if let Some(role) = update.role
        && role != person.role
    {
        person.role = role;
        end_sessions = true;
        new_role = Some(role);
    }
    if let Some(disabled) = update.disabled
        && disabled != person.disabled
    {
        person.disabled = disabled;
        end_sessions |= disabled;
        changed.push(if disabled { "disabled" } else { "enabled" }.into());
    }
    if let Some(password) = update.password {
        changed.push("password_reset".into());
        accounts::check_password(&password)?;
        person.password_hash = hashed(&state, password).await?;
        person.failures = 0;
        person.failed_since = 0;
        person.locked_until = 0;
        end_sessions = true;
    }
    let still_active_admin = person.role == Role::Admin && !person.disabled;
    if was_active_admin && !still_active_admin {
        let others = state
            .db
            .people()
            .await?
            .into_iter()
            .filter(|p| p.role == Role::Admin && !p.disabled && p.id != person.id)
            .count();
        if others == 0 {
            return Err(ApiError::Conflict(
                "this is the last active administrator: make another person an administrator first"
                    .into(),
            ));
        }
    }
    state.db.save_person(&person).await?;
    if end_sessions {
        state.db.end_sessions_of(person.id).await?;
    }
    tracing::info!(by = %who.login, login = %person.login, "person updated");
    let target = format!("person:{}", person.id);
    if let Some(role) = new_role {
        let detail = vec![target.clone(), role.as_str().into()];
        audit(
            &state,
            Action::RoleChanged,
            Some(who.person),
            Some(who.device),
            None,
            detail,
        )
        .await?;
    }
    if !changed.is_empty() {
        changed.insert(0, target);
        audit(
            &state,
            Action::AccountChanged,
            Some(who.person),
            Some(who.device),
            None,
            changed,
        )
        .await?;
    }
    Ok(Json(person_out(&state, person.id).await?))
}

/// `GET /api/v1/clients`: every client's id, name and coaches, for assigning them. Nothing else
/// of a client reaches an administrator.
pub async fn clients(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<Vec<ClientEntry>>, ApiError> {
    who.admin()?;
    Ok(Json(state.db.client_directory().await?))
}

async fn check_assignment(state: &AppState, assignment: &Assignment) -> Result<(), ApiError> {
    let person = state
        .db
        .person(assignment.person)
        .await?
        .ok_or_else(|| ApiError::Missing(format!("no person with id {}", assignment.person)))?;
    if person.role != Role::Coach {
        return Err(ApiError::BadRequest(format!(
            "{} is not a coach: only coaches are assigned clients (the office reads every client)",
            person.name
        )));
    }
    if !state.db.client_known(assignment.client).await? {
        return Err(ApiError::Missing(format!(
            "no client with id {} has reached the server",
            assignment.client
        )));
    }
    Ok(())
}

/// `POST /api/v1/assignments`: a coach now serves a client. Their devices receive the client's
/// whole history on their next sync.
pub async fn assign(
    State(state): State<AppState>,
    who: Principal,
    JsonBody(assignment): JsonBody<Assignment>,
) -> Result<StatusCode, ApiError> {
    who.admin()?;
    check_assignment(&state, &assignment).await?;
    state
        .db
        .assign(assignment.person, assignment.client, now_ms())
        .await?;
    tracing::info!(by = %who.login, person = %assignment.person, client = %assignment.client, "assigned");
    assignment_changed(&state, &who, &assignment, "assigned").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/assignments`: a coach no longer serves a client. Their devices send what
/// they have unsent for it, then delete it.
pub async fn unassign(
    State(state): State<AppState>,
    who: Principal,
    JsonBody(assignment): JsonBody<Assignment>,
) -> Result<StatusCode, ApiError> {
    who.admin()?;
    if !state
        .db
        .unassign(assignment.person, assignment.client)
        .await?
    {
        return Err(ApiError::Missing("no such assignment".into()));
    }
    tracing::info!(by = %who.login, person = %assignment.person, client = %assignment.client, "unassigned");
    assignment_changed(&state, &who, &assignment, "unassigned").await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn assignment_changed(
    state: &AppState,
    who: &Principal,
    assignment: &Assignment,
    how: &str,
) -> Result<(), ApiError> {
    audit(
        state,
        Action::AssignmentChanged,
        Some(who.person),
        Some(who.device),
        Some(assignment.client),
        vec![how.into(), format!("person:{}", assignment.person)],
    )
    .await
}

/// `GET /api/v1/devices`
pub async fn devices(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<Vec<Device>>, ApiError> {
    who.admin()?;
    Ok(Json(state.db.devices().await?))
}

/// `POST /api/v1/devices/{id}/revoke` and `…/retire`: a lost tablet is refused at once and
/// deletes its data on its next contact; a handed-back one sends what it has unsent first.
pub async fn set_device_state(
    State(state): State<AppState>,
    who: Principal,
    Path((id, action)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    who.admin()?;
    let device: DeviceId = parse_id("device", &id)?;
    let target = match action.as_str() {
        "revoke" => DeviceState::Revoked,
        "retire" => DeviceState::Retired,
        other => {
            return Err(ApiError::NotFound(format!(
                "/api/v1/devices/{id}/{other} (the actions are revoke and retire)"
            )));
        }
    };
    if !state.db.set_device_state(device, target).await? {
        return Err(ApiError::Missing(format!("no device with id {device}")));
    }
    tracing::warn!(by = %who.login, %device, state = target.as_str(), "device state changed");
    let action = match target {
        DeviceState::Revoked => Action::DeviceRevoked,
        _ => Action::DeviceRetired,
    };
    let detail = vec![format!("device:{device}")];
    audit(
        &state,
        action,
        Some(who.person),
        Some(who.device),
        None,
        detail,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How long an enrolment code works.
const ENROLMENT_MS: i64 = 15 * 60 * 1000;

/// `POST /api/v1/enrolments`: a one-time code for a tablet, as a link and a QR code of it.
pub async fn new_enrolment(
    State(state): State<AppState>,
    who: Principal,
    headers: axum::http::HeaderMap,
    JsonBody(request): JsonBody<yorisoi_domain::accounts::NewEnrolment>,
) -> Result<(StatusCode, Json<yorisoi_domain::accounts::Enrolment>), ApiError> {
    who.admin()?;
    let name = accounts::check_name(&request.name)?;
    let code = crate::auth::new_token();
    let now = now_ms();
    let expires_at = now + ENROLMENT_MS;
    state
        .db
        .new_code(
            crate::db::Purpose::Enroll,
            &crate::auth::token_hash(&code),
            Some(who.person),
            now,
            Some(expires_at),
            Some(&name),
        )
        .await?;
    let base = state.public_url.clone().unwrap_or_else(|| {
        let host = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        format!("http://{host}")
    });
    let link = format!("{base}/enrol?code={code}");
    let qr_svg = qrcode::QrCode::new(link.as_bytes())
        .map_err(|e| ApiError::Internal(format!("cannot make the QR code: {e}")))?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .build();
    tracing::info!(by = %who.login, "enrolment code made");
    Ok((
        StatusCode::CREATED,
        Json(yorisoi_domain::accounts::Enrolment {
            link,
            qr_svg,
            expires_at,
        }),
    ))
}
