//! Why a call to the server did not succeed, as a value the device and the pages match on by
//! type (the server's [`ErrorCode`]s, decoded once in `crate::api`).

use yorisoi_domain::errors::ErrorCode;

/// Why a call did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The server could not be reached (no network, or the server is down).
    Offline,
    /// The server stopped answering part-way.
    Stalled,
    /// The server answered with an error: its status, its code and its message.
    Status {
        status: u16,
        code: ErrorCode,
        message: String,
    },
    /// The answer was not what this app understands.
    Garbled(String),
}

impl ApiError {
    /// The server's error code, if it answered with one.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            ApiError::Status { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the server answered with this code.
    pub fn is(&self, code: &ErrorCode) -> bool {
        self.code() == Some(code)
    }

    /// The server's message, or a plain description.
    pub fn message(&self) -> String {
        match self {
            ApiError::Status { message, .. } => message.clone(),
            ApiError::Garbled(detail) => detail.clone(),
            ApiError::Offline => "offline".into(),
            ApiError::Stalled => "stalled".into(),
        }
    }
}
