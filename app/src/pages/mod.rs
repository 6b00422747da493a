//! One module per place in the app; the routes in `lib.rs` point here.

mod clients;
mod compare;
mod not_found;
mod print;
mod records;
mod settings;
mod sync;

pub use clients::{ClientList, ClientPage};
pub use compare::ComparePage;
pub use not_found::NotFound;
pub use print::PrintPage;
pub use records::{AssessmentPage, VisitNotePage};
pub use settings::SettingsPage;
pub use sync::SyncPage;

use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;

/// Keeps the document title (read first by screen readers, shown in the tab) in step with the
/// page and the language.
fn set_title(key: Key) {
    let i18n = use_i18n();
    Effect::new(move |_| {
        document().set_title(&format!("{} | {}", i18n.t(key), i18n.t(Key::AppName)));
    });
}
