//! The server's error codes: the `code` of every error body it sends
//! (`{"error": {"code": "...", "message": "..."}}`). The server picks one for each failure and the
//! app matches on it by type; on the wire each is the same snake_case string it always was. A
//! code this build does not know (an older or newer peer's) still decodes, as
//! [`ErrorCode::Unknown`], so it is answered like any other error of its status.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Every error code the server sends, and the fallback for one it does not.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No such endpoint, or no such thing (404).
    NotFound,
    /// The endpoint does not take this method; the `Allow` header lists what it takes (405).
    MethodNotAllowed,
    /// The request cannot be read or is not allowed as written (400).
    BadRequest,
    /// The request body is larger than the server accepts (413).
    TooLarge,
    /// The body is not sent as JSON (415).
    NotJson,
    /// The app is older than the server accepts (426).
    UpdateApp,
    /// No session, or it has ended (401).
    SignedOut,
    /// The login or the password is wrong, or the account is locked or disabled (401).
    SignInFailed,
    /// The device was revoked: it deletes everything (403).
    DeviceRevoked,
    /// The device was retired: it sends what is unsent, then deletes (403).
    DeviceRetired,
    /// The request could not prove it comes from the device it names (403).
    DeviceProof,
    /// Not allowed for this person, or a one-time link that is not valid (403).
    Forbidden,
    /// A request that changes data came from another site (403).
    CrossSite,
    /// Too many sign-in attempts from one address (429).
    TooManyRequests,
    /// The server is busy checking other passwords (503, with `Retry-After`).
    Busy,
    /// The request conflicts with what is stored (409).
    Conflict,
    /// The device has as many changes set aside as the server keeps for one device (409).
    SetAsideFull,
    /// The server was restored from a backup since the device last synced (409).
    InstanceChanged,
    /// Something went wrong inside the server (500).
    Internal,
    /// An uploaded instrument definition has problems; the body's `problems` say where (422).
    InvalidDefinition,
    /// A new instrument version would change what answers already given mean; the body's
    /// `problems` say what to change (409).
    IncompatibleVersion,
    /// A code this build does not know, as it was sent (an empty one if none was).
    Unknown(String),
}

impl ErrorCode {
    /// Every code this build knows, for tables and tests.
    pub const KNOWN: &'static [ErrorCode] = &[
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::BadRequest,
        ErrorCode::TooLarge,
        ErrorCode::NotJson,
        ErrorCode::UpdateApp,
        ErrorCode::SignedOut,
        ErrorCode::SignInFailed,
        ErrorCode::DeviceRevoked,
        ErrorCode::DeviceRetired,
        ErrorCode::DeviceProof,
        ErrorCode::Forbidden,
        ErrorCode::CrossSite,
        ErrorCode::TooManyRequests,
        ErrorCode::Busy,
        ErrorCode::Conflict,
        ErrorCode::SetAsideFull,
        ErrorCode::InstanceChanged,
        ErrorCode::Internal,
        ErrorCode::InvalidDefinition,
        ErrorCode::IncompatibleVersion,
    ];

    /// The code as it is written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::BadRequest => "bad_request",
            Self::TooLarge => "too_large",
            Self::NotJson => "not_json",
            Self::UpdateApp => "update_app",
            Self::SignedOut => "signed_out",
            Self::SignInFailed => "sign_in_failed",
            Self::DeviceRevoked => "device_revoked",
            Self::DeviceRetired => "device_retired",
            Self::DeviceProof => "device_proof",
            Self::Forbidden => "forbidden",
            Self::CrossSite => "cross_site",
            Self::TooManyRequests => "too_many_requests",
            Self::Busy => "busy",
            Self::Conflict => "conflict",
            Self::SetAsideFull => "set_aside_full",
            Self::InstanceChanged => crate::sync::protocol::INSTANCE_CHANGED,
            Self::Internal => "internal",
            Self::InvalidDefinition => "invalid_definition",
            Self::IncompatibleVersion => "incompatible_version",
            Self::Unknown(code) => code,
        }
    }

    /// The code a wire string names; one this build does not know is kept as it was.
    pub fn parse(code: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|known| known.as_str() == code)
            .cloned()
            .unwrap_or_else(|| Self::Unknown(code.to_owned()))
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Ok(Self::parse(&code))
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    /// Frozen: the wire string of every code. A code's string never changes (older apps and
    /// servers match on it); a new code is added here and to `KNOWN`.
    const WIRE: &[(ErrorCode, &str)] = &[
        (ErrorCode::NotFound, "not_found"),
        (ErrorCode::MethodNotAllowed, "method_not_allowed"),
        (ErrorCode::BadRequest, "bad_request"),
        (ErrorCode::TooLarge, "too_large"),
        (ErrorCode::NotJson, "not_json"),
        (ErrorCode::UpdateApp, "update_app"),
        (ErrorCode::SignedOut, "signed_out"),
        (ErrorCode::SignInFailed, "sign_in_failed"),
        (ErrorCode::DeviceRevoked, "device_revoked"),
        (ErrorCode::DeviceRetired, "device_retired"),
        (ErrorCode::DeviceProof, "device_proof"),
        (ErrorCode::Forbidden, "forbidden"),
        (ErrorCode::CrossSite, "cross_site"),
        (ErrorCode::TooManyRequests, "too_many_requests"),
        (ErrorCode::Busy, "busy"),
        (ErrorCode::Conflict, "conflict"),
        (ErrorCode::SetAsideFull, "set_aside_full"),
        (ErrorCode::InstanceChanged, "instance_changed"),
        (ErrorCode::Internal, "internal"),
        (ErrorCode::InvalidDefinition, "invalid_definition"),
        (ErrorCode::IncompatibleVersion, "incompatible_version"),
    ];

    #[test]
    fn every_code_has_its_frozen_wire_string_and_round_trips() {
        assert_eq!(
            WIRE.iter().map(|(code, _)| code).collect::<Vec<_>>(),
            ErrorCode::KNOWN.iter().collect::<Vec<_>>(),
            "every known code is in the frozen table, in order"
        );
        for (code, wire) in WIRE {
            assert_eq!(code.as_str(), *wire);
            assert_eq!(code.to_string(), *wire);
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{wire}\""));
            assert_eq!(&serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
            assert_eq!(&ErrorCode::parse(wire), code);
        }
    }

    #[test]
    fn a_code_this_build_does_not_know_decodes_and_is_sent_back_unchanged() {
        for wire in [
            "",
            "new_in_a_later_release",
            "Busy",
            "busy ",
            "device-retired",
        ] {
            let code: ErrorCode = serde_json::from_str(&serde_json::to_string(wire).unwrap())
                .expect("an unknown code still decodes");
            assert_eq!(code, ErrorCode::Unknown(wire.to_owned()), "{wire:?}");
            assert_eq!(serde_json::to_value(&code).unwrap(), wire, "{wire:?}");
        }
    }

    #[test]
    fn the_restore_code_is_the_protocol_constant() {
        assert_eq!(
            ErrorCode::InstanceChanged.as_str(),
            crate::sync::protocol::INSTANCE_CHANGED
        );
    }

    #[test]
    fn a_code_that_is_not_a_string_does_not_decode() {
        for json in ["1", "null", "{}", "[]"] {
            assert!(serde_json::from_str::<ErrorCode>(json).is_err(), "{json}");
        }
    }
}
