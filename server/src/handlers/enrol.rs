//! A device's enrolment: `/api/v1/enrol`, with a code an administrator made.

use super::account::prove_device;
use super::{JsonBody, audit};
use crate::app_state::AppState;
use crate::auth::{now_ms, token_hash};
use crate::db::Purpose;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use yorisoi_domain::audit::Action;

/// `POST /api/v1/enrol`: a tablet opened an enrolment link; it is registered under the name the
/// administrator gave. Anyone may call it, but only with a valid code (15 minutes, one use).
pub async fn enrol(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<yorisoi_domain::accounts::Enrol>,
) -> Result<Json<yorisoi_domain::accounts::Enrolled>, ApiError> {
    let now = now_ms();
    let Some(name) = state
        .db
        .use_code(Purpose::Enroll, &token_hash(request.code.trim()), now)
        .await?
    else {
        return Err(ApiError::Forbidden(
            "this enrolment code is not valid: it was used already or is older than 15 minutes; ask for a new one"
                .into(),
        ));
    };
    if let Err(refused) = prove_device(&state, &headers, request.device).await {
        audit(
            &state,
            Action::SignInFailed,
            None,
            Some(request.device),
            None,
            vec!["enrol_device_proof".to_owned()],
        )
        .await?;
        return Err(refused);
    }
    if !state
        .db
        .enrol_device(request.device, &name, None, now)
        .await?
    {
        return Err(ApiError::DeviceRevoked);
    }
    tracing::info!(device = %request.device, "device enrolled");
    audit(
        &state,
        Action::Enrolled,
        None,
        Some(request.device),
        None,
        vec![format!("device:{}", request.device)],
    )
    .await?;
    Ok(Json(yorisoi_domain::accounts::Enrolled { name }))
}
