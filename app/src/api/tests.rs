//! `api`'s native tests: error answers decoded once, into their status, code and message.

use super::{ApiError, ErrorCode};

fn status(status: u16, code: ErrorCode, message: &str) -> ApiError {
    ApiError::Status {
        status,
        code,
        message: message.into(),
    }
}

/// The server's error body decodes once, here, into its typed code; what is not such a body
/// still gives an error of its status.
#[test]
fn an_error_answer_decodes_into_its_status_code_and_message() {
    let cases: &[(u16, &str, ApiError)] = &[
        (
            403,
            r#"{"error":{"code":"device_retired","message":"retired"}}"#,
            status(403, ErrorCode::DeviceRetired, "retired"),
        ),
        (
            409,
            r#"{"error":{"code":"instance_changed","message":"restored"}}"#,
            status(409, ErrorCode::InstanceChanged, "restored"),
        ),
        (
            401,
            r#"{"error":{"message":"m","code":"signed_out"}}"#,
            status(401, ErrorCode::SignedOut, "m"),
        ),
        (
            409,
            r#"{"error":{"code":"a_later_code","message":"new"}}"#,
            status(409, ErrorCode::Unknown("a_later_code".into()), "new"),
        ),
        (
            502,
            "<html>Bad Gateway</html>",
            status(502, ErrorCode::Unknown(String::new()), "502 Bad Gateway"),
        ),
        (
            500,
            "",
            status(
                500,
                ErrorCode::Unknown(String::new()),
                "500 Internal Server Error",
            ),
        ),
        (
            400,
            r#"{"error":{"code":7}}"#,
            status(400, ErrorCode::Unknown(String::new()), "400 Bad Request"),
        ),
    ];
    for (code, body, expected) in cases {
        assert_eq!(
            &ApiError::from_answer(*code, body.as_bytes()),
            expected,
            "{body}"
        );
    }
}

#[test]
fn only_a_server_answer_has_a_code() {
    let retired = status(403, ErrorCode::DeviceRetired, "");
    assert!(retired.is(&ErrorCode::DeviceRetired));
    assert!(!retired.is(&ErrorCode::DeviceRevoked));
    for error in [
        ApiError::Offline,
        ApiError::Stalled,
        ApiError::Garbled("x".into()),
    ] {
        assert_eq!(error.code(), None);
        assert!(!error.is(&ErrorCode::Unknown(String::new())));
    }
}
