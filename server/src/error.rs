//! The one error type of the API. Every failure becomes an HTTP status and a JSON body
//! `{"error": {"code": "...", "message": "..."}}`; internal details are logged, never sent.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use yorisoi_domain::errors::ErrorCode;
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
    #[error("the server is busy checking other passwords; try again in a few seconds")]
    Busy,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Missing(String),
    /// The device has as many changes set aside, undecided, as the server keeps for one device.
    #[error("{0}")]
    SetAsideFull(String),
    #[error(
        "the server's database was restored from a backup since this device last synced: the device sends its changes again"
    )]
    InstanceChanged,
    #[error("internal error")]
    Internal(String),
    /// An uploaded definition has problems: each names its line and what to change.
    #[error("the definition has {} problem(s): {}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidDefinition(Vec<yorisoi_domain::versions::definition::DefinitionError>),
    /// A version would change what answers already given mean.
    #[error("this version cannot follow the published ones: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    IncompatibleVersion(Vec<yorisoi_domain::versions::compat::Incompatibility>),
}

#[derive(Serialize)]
struct Body<'a> {
    error: Detail<'a>,
}

#[derive(Serialize)]
struct Detail<'a> {
    code: &'a ErrorCode,
    message: String,
    /// Each problem apart (an uploaded definition's, a version's incompatibilities), for a page
    /// to list; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    problems: Vec<serde_json::Value>,
}

impl ApiError {
    /// The one place a failure gets its HTTP status and its wire code.
    fn status_and_code(&self) -> (StatusCode, ErrorCode) {
        match self {
            Self::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, ErrorCode::BadRequest),
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge),
            Self::NotJson => (StatusCode::UNSUPPORTED_MEDIA_TYPE, ErrorCode::NotJson),
            Self::UpdateApp(_) => (StatusCode::UPGRADE_REQUIRED, ErrorCode::UpdateApp),
            Self::SignedOut => (StatusCode::UNAUTHORIZED, ErrorCode::SignedOut),
            Self::SignInFailed => (StatusCode::UNAUTHORIZED, ErrorCode::SignInFailed),
            Self::DeviceRevoked => (StatusCode::FORBIDDEN, ErrorCode::DeviceRevoked),
            Self::DeviceRetired => (StatusCode::FORBIDDEN, ErrorCode::DeviceRetired),
            Self::DeviceProof => (StatusCode::FORBIDDEN, ErrorCode::DeviceProof),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            Self::CrossSite => (StatusCode::FORBIDDEN, ErrorCode::CrossSite),
            Self::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, ErrorCode::TooManyRequests),
            Self::Busy => (StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Busy),
            Self::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            Self::Missing(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            Self::SetAsideFull(_) => (StatusCode::CONFLICT, ErrorCode::SetAsideFull),
            Self::InstanceChanged => (StatusCode::CONFLICT, ErrorCode::InstanceChanged),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal),
            Self::InvalidDefinition(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidDefinition,
            ),
            Self::IncompatibleVersion(_) => (StatusCode::CONFLICT, ErrorCode::IncompatibleVersion),
        }
    }
}

impl ApiError {
    fn problems(&self) -> Vec<serde_json::Value> {
        let each = |v: serde_json::Result<serde_json::Value>| v.expect("problems serialize");
        match self {
            Self::InvalidDefinition(problems) => problems
                .iter()
                .map(|p| each(serde_json::to_value(p)))
                .collect(),
            Self::IncompatibleVersion(problems) => problems
                .iter()
                .map(|p| each(serde_json::to_value(p)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let Self::Internal(detail) = &self {
            let detail = unquoted(detail);
            tracing::error!(%detail, "internal error");
        }
        let mut response = (
            status,
            Json(Body {
                error: Detail {
                    code: &code,
                    message: self.to_string(),
                    problems: self.problems(),
                },
            }),
        )
            .into_response();
        if let Self::Busy = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("5"),
            );
        }
        response
    }
}

/// `detail` with every double-quoted part replaced by `"…"`: parsers and databases quote the
/// value they could not read (`invalid type: string "…"`), and a client's value must not reach
/// the log (it outlives an erase).
fn unquoted(detail: &str) -> String {
    let mut out = String::with_capacity(detail.len());
    for (i, part) in detail.split('"').enumerate() {
        if i > 0 {
            out.push('"');
        }
        out.push_str(if i % 2 == 1 { "…" } else { part });
    }
    out
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
            full @ crate::db::DbError::SetAsideFull(_) => Self::SetAsideFull(full.to_string()),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// Makes every error answer under `/api` JSON: the rejections axum makes itself (a path segment
/// that is not UTF-8, a query or body it cannot read, a method a route does not take, which
/// keeps its `Allow` header) come as plain text or with no body at all. Their status stays; the
/// body becomes `{"error": {"code", "message"}}` like every [`ApiError`]'s.
pub async fn json_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::http::header;
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let code = match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::TooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::NotJson,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    };
    let message = if status == StatusCode::METHOD_NOT_ALLOWED {
        format!("this endpoint does not take {method}; the Allow header lists what it takes")
    } else if text.is_empty() || status.is_server_error() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        text
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let body = Json(Body {
        error: Detail {
            code: &code,
            message,
            problems: Vec::new(),
        },
    });
    (parts, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::ApiError;
    use axum::response::IntoResponse;

    /// Frozen: every failure's status and the body it sends, byte for byte as the app reads it.
    #[tokio::test]
    async fn every_failure_sends_its_status_and_its_code_on_the_wire() {
        let s = || "x".to_owned();
        let cases = [
            (ApiError::NotFound(s()), 404, "not_found"),
            (ApiError::BadRequest(s()), 400, "bad_request"),
            (ApiError::TooLarge, 413, "too_large"),
            (ApiError::NotJson, 415, "not_json"),
            (ApiError::UpdateApp(s()), 426, "update_app"),
            (ApiError::SignedOut, 401, "signed_out"),
            (ApiError::SignInFailed, 401, "sign_in_failed"),
            (ApiError::DeviceRevoked, 403, "device_revoked"),
            (ApiError::DeviceRetired, 403, "device_retired"),
            (ApiError::DeviceProof, 403, "device_proof"),
            (ApiError::Forbidden(s()), 403, "forbidden"),
            (ApiError::CrossSite, 403, "cross_site"),
            (ApiError::TooManyRequests, 429, "too_many_requests"),
            (ApiError::Busy, 503, "busy"),
            (ApiError::Conflict(s()), 409, "conflict"),
            (ApiError::Missing(s()), 404, "not_found"),
            (ApiError::SetAsideFull(s()), 409, "set_aside_full"),
            (ApiError::InstanceChanged, 409, "instance_changed"),
            (ApiError::Internal(s()), 500, "internal"),
        ];
        for (error, status, code) in cases {
            let message = match &error {
                ApiError::Internal(_) => "internal error".to_owned(),
                other => other.to_string(),
            };
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status, "{code}");
            let body = axum::body::to_bytes(response.into_body(), 4096)
                .await
                .unwrap();
            let expected = format!(
                r#"{{"error":{{"code":"{code}","message":{}}}}}"#,
                serde_json::to_string(&message).unwrap()
            );
            assert_eq!(String::from_utf8(body.to_vec()).unwrap(), expected);
            let known = yorisoi_domain::errors::ErrorCode::parse(code);
            assert!(
                !matches!(known, yorisoi_domain::errors::ErrorCode::Unknown(_)),
                "{code} is a code the app knows"
            );
        }
    }

    #[test]
    fn a_logged_internal_detail_quotes_no_value() {
        assert_eq!(
            super::unquoted(
                r#"a stored change cannot be read: a name change: invalid type: string "山田 花子", expected a map"#
            ),
            r#"a stored change cannot be read: a name change: invalid type: string "…", expected a map"#
        );
        assert_eq!(super::unquoted("no quotes"), "no quotes");
        assert_eq!(super::unquoted(r#"open "quote"#), r#"open "…"#);
    }
}
