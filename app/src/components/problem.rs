//! What a failed call to the server says, in words a person can act on; and such a failure as
//! an error an `<ErrorBoundary>` holds, with the fallback that says it.

use crate::api::ApiError;
use crate::i18n::{Key, tr, trn};
use leptos::error::Errors;
use leptos::prelude::*;

/// What went wrong, in words; called in views (where the language is known), never in tasks.
pub fn problem_text(error: &ApiError) -> String {
    match error {
        ApiError::Offline | ApiError::Stalled => tr(Key::AdminOffline)().to_owned(),
        other => trn(Key::AdminFailed, other.message()),
    }
}

/// A failed call to the server, as an error a `<ErrorBoundary>` catches from a load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failed(pub ApiError);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.message())
    }
}

impl std::error::Error for Failed {}

/// The fallback of an `<ErrorBoundary>` around a load from the server: each failure in words
/// ([`problem_text`]), as an alert.
pub fn failed_view(errors: ArcRwSignal<Errors>) -> impl IntoView {
    move || {
        errors.with(|errors| {
            errors
                .iter()
                .map(|(_, error)| match error.downcast_ref::<Failed>() {
                    Some(Failed(error)) => problem_text(error),
                    None => trn(Key::AdminFailed, error),
                })
                .map(|text| view! { <p class="sync-error" role="alert">{text}</p> })
                .collect_view()
        })
    }
}
