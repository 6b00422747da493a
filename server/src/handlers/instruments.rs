//! `/api/v1/instruments…`: the administrator uploads a definition as a draft, reviews what
//! changed since the newest published version, publishes or retires it (each audited); and
//! `POST /api/v1/sync/instruments`, where a device says what it holds and gets the versions in
//! use it lacks.

use super::{JsonBody, audit};
use crate::app_state::AppState;
use crate::auth::{Principal, now_ms};
use crate::db::{DraftRefused, StatusRefused, instrument_lists};
use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use yorisoi_domain::audit::Action;
use yorisoi_domain::instrument::{Instrument, InstrumentRef};
use yorisoi_domain::versions::wire::{
    Review, VERSIONS_FORMAT, VersionList, VersionSummary, VersionsRequest, VersionsResponse,
};
use yorisoi_domain::versions::{Status, compat, definition, diff};

/// `GET /api/v1/instruments`: every version, and what each device last said it holds.
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<VersionList>, ApiError> {
    who.admin()?;
    Ok(Json(VersionList {
        versions: state.db.instrument_versions().await?,
        devices: state.db.device_holdings().await?,
    }))
}

/// `POST /api/v1/instruments`: the body is a definition, as the files in `domain/instruments/`
/// are written. It is stored as a draft of its version if it reads without a problem and could
/// follow the published versions; otherwise every problem is answered, in words.
pub async fn upload(
    State(state): State<AppState>,
    who: Principal,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<Review>), ApiError> {
    who.admin()?;
    let json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(ApiError::NotJson);
    }
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::BadRequest("send the definition as UTF-8 JSON text".into()))?;
    let new = definition::parse(text, instrument_lists()).map_err(ApiError::InvalidDefinition)?;
    let reference = new.reference();
    if let Some((existing, _)) = state.db.instrument_version(&reference).await?
        && existing.status != Status::Draft
    {
        return Err(already(&reference, existing.status));
    }
    let in_use = state.db.instruments_in_use().await?;
    let problems = compat::check(&in_use, &new, instrument_lists());
    if !problems.is_empty() {
        return Err(ApiError::IncompatibleVersion(problems));
    }
    let sha = match state
        .db
        .save_draft(&new, &who.person.to_string(), now_ms())
        .await?
    {
        Ok(sha) => sha,
        Err(DraftRefused::InUse(status)) => return Err(already(&reference, status)),
    };
    audit(
        &state,
        Action::InstrumentUploaded,
        Some(who.person),
        Some(who.device),
        None,
        detail(&reference, &sha),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(review_of(&state, &reference).await?),
    ))
}

/// `GET /api/v1/instruments/{id}/{edition}/{version}`: the version, its definition, and what
/// changed since the newest published version of the instrument.
pub async fn view(
    State(state): State<AppState>,
    who: Principal,
    Path((id, edition, version)): Path<(String, String, String)>,
) -> Result<Json<Review>, ApiError> {
    who.admin()?;
    Ok(Json(
        review_of(&state, &reference(id, edition, &version)?).await?,
    ))
}

/// `POST /api/v1/instruments/{id}/{edition}/{version}/{action}`: `publish` (checked again,
/// against the versions in use now), `retire`, or `discard` (a draft only).
pub async fn act(
    State(state): State<AppState>,
    who: Principal,
    Path((id, edition, version, action)): Path<(String, String, String, String)>,
) -> Result<Response, ApiError> {
    who.admin()?;
    let reference = reference(id, edition, &version)?;
    let (to, event) = match action.as_str() {
        "publish" => (Status::Published, Action::InstrumentPublished),
        "retire" => (Status::Retired, Action::InstrumentRetired),
        "discard" => {
            if !state.db.discard_draft(&reference).await? {
                return Err(ApiError::Conflict(format!(
                    "{} is not a draft (a published version is never deleted; retire it instead)",
                    name(&reference)
                )));
            }
            audit(
                &state,
                Action::InstrumentDiscarded,
                Some(who.person),
                Some(who.device),
                None,
                detail(&reference, ""),
            )
            .await?;
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        _ => {
            return Err(ApiError::NotFound(format!(
                "/api/v1/instruments/…/{action} (the actions are publish, retire and discard)"
            )));
        }
    };
    let sha = match state
        .db
        .set_instrument_status(&reference, to, &who.person.to_string(), now_ms())
        .await?
    {
        Ok(sha) => sha,
        Err(StatusRefused::NotFound) => return Err(missing(&reference)),
        Err(StatusRefused::Step(why)) => {
            return Err(ApiError::Conflict(format!("{}: {why}", name(&reference))));
        }
        Err(StatusRefused::Incompatible(problems)) => {
            return Err(ApiError::IncompatibleVersion(problems));
        }
    };
    audit(
        &state,
        event,
        Some(who.person),
        Some(who.device),
        None,
        detail(&reference, &sha),
    )
    .await?;
    Ok(Json(review_of(&state, &reference).await?).into_response())
}

/// `POST /api/v1/sync/instruments`: the device says which versions it holds (the administrator
/// sees it), and gets every version in use, with the definitions it lacks.
pub async fn sync(
    State(state): State<AppState>,
    who: Principal,
    JsonBody(request): JsonBody<VersionsRequest>,
) -> Result<Json<VersionsResponse>, ApiError> {
    if request.format != VERSIONS_FORMAT {
        return Err(ApiError::UpdateApp(format!(
            "this server speaks instrument format {VERSIONS_FORMAT}, the app sent {}: reload the app",
            request.format
        )));
    }
    if request.held.len() > 10_000 {
        return Err(ApiError::BadRequest("too many versions listed".into()));
    }
    let versions = state
        .db
        .versions_for_device(who.device, &request.held, now_ms())
        .await?;
    Ok(Json(VersionsResponse {
        format: VERSIONS_FORMAT,
        versions,
    }))
}

async fn review_of(state: &AppState, reference: &InstrumentRef) -> Result<Review, ApiError> {
    let (version, definition) = state
        .db
        .instrument_version(reference)
        .await?
        .ok_or_else(|| missing(reference))?;
    let in_use = state.db.instruments_in_use().await?;
    Ok(review(version, definition, &in_use))
}

/// What the administrator confirms: the differences from the newest version in use before this
/// one, and (for a draft) what stops it from being published.
fn review(version: VersionSummary, definition: Instrument, in_use: &[Instrument]) -> Review {
    let lists = instrument_lists();
    let earlier: Vec<Instrument> = in_use
        .iter()
        .filter(|i| {
            i.id == definition.id
                && i.edition == definition.edition
                && i.version < definition.version
        })
        .cloned()
        .collect();
    let against = earlier.iter().max_by_key(|i| i.version);
    Review {
        differences: against
            .map(|old| diff::diff(old, &definition, lists))
            .unwrap_or_default(),
        problems: if version.status == Status::Draft {
            compat::check(in_use, &definition, lists)
        } else {
            Vec::new()
        },
        against: against.map(Instrument::reference),
        version,
        definition,
    }
}

fn reference(id: String, edition: String, version: &str) -> Result<InstrumentRef, ApiError> {
    let version = version
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("{version:?} is not a version number")))?;
    Ok(InstrumentRef {
        id,
        edition,
        version,
    })
}

fn name(r: &InstrumentRef) -> String {
    format!("{} {} version {}", r.id, r.edition, r.version)
}

fn missing(r: &InstrumentRef) -> ApiError {
    ApiError::Missing(format!("no instrument version {}", name(r)))
}

fn already(r: &InstrumentRef, status: Status) -> ApiError {
    ApiError::Conflict(format!(
        "{} is {} already and never changes: upload the changes as version {}",
        name(r),
        status.as_str(),
        r.version + 1
    ))
}

fn detail(r: &InstrumentRef, sha: &str) -> Vec<String> {
    let mut detail = vec![r.id.clone(), r.edition.clone(), r.version.to_string()];
    if !sha.is_empty() {
        detail.push(sha.to_owned());
    }
    detail
}
