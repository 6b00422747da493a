//! The fingerprint of the instrument versions in use that the last pull page carried (issue
//! 22): `crate::instruments` asks the server for versions only when it differs from the one
//! installed. A leaf: it names nothing else of the app.

use std::sync::Mutex;

/// Empty from an older server; `None` before this tab's first pull.
static SEEN: Mutex<Option<String>> = Mutex::new(None);

/// Notes the fingerprint a pull page carried.
pub fn saw(fingerprint: &str) {
    *SEEN.lock().unwrap_or_else(|e| e.into_inner()) = Some(fingerprint.to_owned());
}

/// The fingerprint the last pull page carried.
pub fn seen() -> Option<String> {
    SEEN.lock().unwrap_or_else(|e| e.into_inner()).clone()
}
