//! What a failed call to the server says, in words a person can act on.

use crate::api::ApiError;
use crate::i18n::{Key, tr, trn};

/// What went wrong, in words; called in views (where the language is known), never in tasks.
pub fn problem_text(error: &ApiError) -> String {
    match error {
        ApiError::Offline | ApiError::Stalled => tr(Key::AdminOffline)().to_owned(),
        other => trn(Key::AdminFailed, other.message()),
    }
}
