//! The one error type of the API. Every failure becomes an HTTP status and a JSON body
//! `{"error": {"code": "...", "message": "..."}}`; internal details are logged, never sent.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use yorisoi_domain::sync::protocol::ProtocolError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no such API endpoint: {0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("the request body is larger than this server accepts; send fewer changes at a time")]
    TooLarge,
    #[error("send the request body as JSON (Content-Type: application/json)")]
    NotJson,
    #[error("{0}")]
    UpdateApp(String),
    #[error("sign in first (no session, or it has ended)")]
    SignedOut,
    #[error(
        "the login or the password is wrong, or the account is locked for 15 minutes after 5 failures, or disabled"
    )]
    SignInFailed,
    #[error("this device was revoked by an administrator; its data is being deleted")]
    DeviceRevoked,
    #[error(
        "this device was retired by an administrator: send what is unsent, then its data is deleted"
    )]
    DeviceRetired,
    #[error(
        "this device could not prove it is the device it names: reload the app to update it; if this is your tablet, ask the administrator"
    )]
    DeviceProof,
    #[error("{0}")]
    Forbidden(String),
    #[error("a request that changes data must come from this app's own pages")]
    CrossSite,
    #[error("too many sign-in attempts from this address; wait a minute and try again")]
    TooManyRequests,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Missing(String),
    #[error("internal error")]
    Internal(String),
}

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a str,
    message: String,
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            Self::NotJson => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_json"),
            Self::UpdateApp(_) => (StatusCode::UPGRADE_REQUIRED, "update_app"),
            Self::SignedOut => (StatusCode::UNAUTHORIZED, "signed_out"),
            Self::SignInFailed => (StatusCode::UNAUTHORIZED, "sign_in_failed"),
            Self::DeviceRevoked => (StatusCode::FORBIDDEN, "device_revoked"),
            Self::DeviceRetired => (StatusCode::FORBIDDEN, "device_retired"),
            Self::DeviceProof => (StatusCode::FORBIDDEN, "device_proof"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::CrossSite => (StatusCode::FORBIDDEN, "cross_site"),
            Self::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::Missing(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let Self::Internal(detail) = &self {
            tracing::error!(%detail, "internal error");
        }
        (
            status,
            Json(Body {
                error: Detail {
                    code,
                    message: self.to_string(),
                },
            }),
        )
            .into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::NotJson,
            JsonRejection::BytesRejection(_)
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Self::TooLarge
            }
            other => Self::BadRequest(other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

impl From<ProtocolError> for ApiError {
    fn from(error: ProtocolError) -> Self {
        match error {
            ProtocolError::UpdateApp(_) | ProtocolError::UpdateAppBootstrap(_) => {
                Self::UpdateApp(error.to_string())
            }
            other => Self::BadRequest(other.to_string()),
        }
    }
}

impl From<yorisoi_domain::accounts::AccountError> for ApiError {
    fn from(error: yorisoi_domain::accounts::AccountError) -> Self {
        Self::BadRequest(error.to_string())
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(error: crate::db::DbError) -> Self {
        match error {
            crate::db::DbError::Protocol(protocol) => protocol.into(),
            crate::db::DbError::NotFound(what) => Self::Missing(what),
            bad @ crate::db::DbError::BadCursor(_) => Self::BadRequest(bad.to_string()),
            not_yours @ crate::db::DbError::NotYours(_) => Self::Forbidden(not_yours.to_string()),
            not_in_scope @ crate::db::DbError::NotInScope => {
                Self::Forbidden(not_in_scope.to_string())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}
