//! Request handlers, one module per part of the URL space.

pub mod account;
pub mod admin;
pub mod app;
pub mod enrol;
pub mod health;
pub mod instruments;
pub mod privacy;
pub mod quarantine;
pub mod setup;
pub mod sync;

use crate::app_state::AppState;
use crate::error::ApiError;
use axum::extract::{FromRequest, OriginalUri, Request};
use serde::de::DeserializeOwned;
use yorisoi_domain::audit::{Action, Event};
use yorisoi_domain::ids::{ClientId, DeviceId, PersonId};

/// Any `/api/…` path that no route claims: a JSON 404, never the app's HTML.
pub async fn api_not_found(OriginalUri(uri): OriginalUri) -> ApiError {
    ApiError::NotFound(uri.path().to_owned())
}

/// A JSON body whose every rejection (not JSON, too large, wrong shape) is an [`ApiError`].
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(request, state).await?;
        Ok(Self(value))
    }
}

/// Writes one entry to the audit log now: who (`person`, on `device`) did what, to whose data,
/// with ids and codes as `detail` (never a value).
pub(crate) async fn audit(
    state: &AppState,
    action: Action,
    person: Option<PersonId>,
    device: Option<DeviceId>,
    client: Option<ClientId>,
    detail: Vec<String>,
) -> Result<(), ApiError> {
    let mut event = Event::new(action);
    event.person = person;
    event.device = device;
    event.client = client;
    event.detail = detail;
    state.db.record_one(event, crate::auth::now_ms()).await?;
    Ok(())
}
