//! Who is asking, and the secrets that say so.
//!
//! - Passwords are stored as Argon2id hashes (RustCrypto's `argon2`, OWASP's parameters:
//!   19 MiB, 2 passes, 1 lane) with a fresh random salt each.
//! - A session is an opaque 256-bit random token in an HttpOnly, SameSite=Strict cookie
//!   (`__Host-` and `Secure` when the server's public URL is HTTPS). The database keeps only its
//!   SHA-256, so any server instance on the same database honours it, and a copy of the database
//!   signs no one in.
//! - One-time codes (the first administrator's set-up link, device enrolment) are made and kept
//!   the same way as tokens.
//!
//! - A device proves it is itself: it makes a 256-bit secret, registers it at its first sign-in
//!   (the database keeps its SHA-256), and sends it in [`PROOF_HEADER`] with every request. A
//!   sign-in naming a device must present it, and so must every request of the device's sessions
//!   (checked against the hash loaded with the session: one hash per request, no query).
//!
//! [`Principal`] is the extractor every data route takes: it answers 401 without a live session,
//! 403 for a device that was revoked or retired, and 403 `device_proof` for a request that does
//! not prove its device.

use crate::app_state::AppState;
pub use crate::db::{Principal, SessionPolicy, hashes_match};
use crate::error::ApiError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use yorisoi_domain::accounts::{DeviceState, Role};

/// The session cookie's name over plain HTTP (loopback, tests).
pub const COOKIE: &str = "yorisoi_session";
/// Its name over HTTPS: `__Host-` makes the browser refuse it unless `Secure`, for this host
/// only, for the whole path.
pub const COOKIE_HTTPS: &str = "__Host-yorisoi_session";

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// `bytes` random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    bytes
}

/// A new secret for a session or a one-time code: 32 random bytes, hex.
pub fn new_token() -> String {
    hex(&random_bytes::<32>())
}

/// What the database keeps of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An Argon2id PHC string for `password`, salted afresh.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes make a valid salt");
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 hashes any password within the length limit")
        .to_string()
}

/// Whether `password` matches `stored`. An unreadable stored hash matches nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| hasher().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A hash of a password nobody has, to check against when a login is unknown: the answer then
/// takes as long as for a known login with a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&new_token()))
}

/// The session token a request carries, if any: over HTTPS (`https`) only in the
/// `__Host-` cookie, which no other host can set (not a sibling subdomain, not a plain-HTTP
/// page); over plain HTTP only in the unprefixed one. A cookie of the other name is never read,
/// so a planted `yorisoi_session` cannot fix the session of an HTTPS server.
pub fn session_token(headers: &HeaderMap, https: bool) -> Option<String> {
    let wanted = if https { COOKIE_HTTPS } else { COOKIE };
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

/// The `Set-Cookie` value that gives a browser its session (`max_age_s` seconds), or, with
/// `None`, that removes it.
pub fn session_cookie(token: Option<&str>, max_age_s: i64, https: bool) -> String {
    let (name, secure) = if https {
        (COOKIE_HTTPS, "; Secure")
    } else {
        (COOKIE, "")
    };
    match token {
        Some(token) => format!(
            "{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"
        ),
        None => format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}"),
    }
}

/// The header every request of the app carries: the device's secret (see the module's notes).
pub const PROOF_HEADER: &str = yorisoi_domain::accounts::DEVICE_PROOF_HEADER;

/// The device proof a request carries, if any: a non-empty value of at most 256 visible ASCII
/// characters (the app sends 64 hex digits).
pub fn device_proof(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(PROOF_HEADER)?.to_str().ok()?.trim();
    (!value.is_empty() && value.len() <= 256).then(|| value.to_owned())
}

/// Whether `proof` is the one whose hash is `stored`, compared in constant time.
pub fn proof_matches(stored: &str, proof: &str) -> bool {
    hashes_match(stored, &token_hash(proof))
}

impl Principal {
    /// Only an administrator may go on.
    pub fn admin(&self) -> Result<(), ApiError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "only an administrator (管理者) may do this".into(),
            ))
        }
    }

    /// Only a role that reads client data may go on.
    pub fn reads_clients(&self) -> Result<(), ApiError> {
        if self.role.reads_clients() {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "an administrator's account reads no client data; sign in as a coach or the office"
                    .into(),
            ))
        }
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A live session on a device that may still be used, whatever its state: for the routes a
/// retired device still needs (pushing what it has unsent, signing out).
#[derive(Clone, Debug)]
pub struct AnyDevice(pub Principal);

impl FromRequestParts<AppState> for AnyDevice {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(&parts.headers, state.https()).ok_or(ApiError::SignedOut)?;
        let principal = state
            .db
            .session(&token_hash(&token), now_ms(), &state.sessions)
            .await?
            .ok_or(ApiError::SignedOut)?;
        if principal.device_state == DeviceState::Revoked {
            return Err(ApiError::DeviceRevoked);
        }
        match (&principal.proof_hash, device_proof(&parts.headers)) {
            (Some(stored), Some(proof)) if proof_matches(stored, &proof) => {}
            // A device from before device proofs, signed in then: its first request that
            // carries a proof registers it, once (see ARCHITECTURE.md, "Known limits").
            (None, Some(proof)) => {
                if !state
                    .db
                    .claim_proof(principal.device, &token_hash(&proof))
                    .await?
                {
                    return Err(ApiError::DeviceProof);
                }
            }
            (None, None) => {}
            (Some(_), _) => {
                tracing::warn!(device = %principal.device, "a request of a session did not prove its device");
                return Err(ApiError::DeviceProof);
            }
        }
        Ok(Self(principal))
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let AnyDevice(principal) = AnyDevice::from_request_parts(parts, state).await?;
        if principal.device_state == DeviceState::Retired {
            return Err(ApiError::DeviceRetired);
        }
        Ok(principal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("正しいパスワードです");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("正しいパスワードです", &hash));
        assert!(!verify_password("正しいパスワードでず", &hash));
        assert!(!verify_password("正しいパスワードです", "not a hash"));
        assert_ne!(hash, hash_password("正しいパスワードです"), "salted afresh");
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[test]
    fn a_device_proof_matches_only_its_own_hash_and_is_read_from_its_header() {
        let (proof, other) = (new_token(), new_token());
        let stored = token_hash(&proof);
        assert!(proof_matches(&stored, &proof));
        assert!(!proof_matches(&stored, &other));
        assert!(!proof_matches(&stored, ""));
        assert!(
            !proof_matches(&stored, &stored),
            "the hash is not the secret"
        );
        let mut headers = HeaderMap::new();
        assert_eq!(device_proof(&headers), None);
        headers.insert(PROOF_HEADER, format!(" {proof} ").parse().unwrap());
        assert_eq!(device_proof(&headers).as_deref(), Some(proof.as_str()));
        headers.insert(PROOF_HEADER, "x".repeat(257).parse().unwrap());
        assert_eq!(device_proof(&headers), None, "too long to be one");
    }

    /// What checking a request's device proof costs (BENCHMARKS.md): one SHA-256 of 64 bytes and
    /// a constant-time compare. Run in release:
    /// `cargo test -p yorisoi-server --release --lib -- --ignored proof_check_cost --nocapture`.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn proof_check_cost() {
        let proof = new_token();
        let stored = token_hash(&proof);
        let rounds = 200_000u32;
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            assert!(proof_matches(&stored, std::hint::black_box(&proof)));
        }
        let each = started.elapsed() / rounds;
        println!("one device proof check: {each:?}");
    }

    #[test]
    fn the_cookie_is_secure_and_host_only_over_https() {
        let cookie = session_cookie(Some("t"), 60, true);
        assert!(cookie.starts_with("__Host-yorisoi_session=t; Path=/; HttpOnly; SameSite=Strict"));
        assert!(cookie.ends_with("; Secure"));
        assert!(!session_cookie(Some("t"), 60, false).contains("Secure"));
        let mut headers = HeaderMap::new();
        headers.insert("cookie", "a=b; __Host-yorisoi_session=tok".parse().unwrap());
        assert_eq!(session_token(&headers, true).as_deref(), Some("tok"));
        assert_eq!(session_token(&headers, false), None);
    }
}
