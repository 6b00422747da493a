//! One module per place in the app; the routes in `lib.rs` point here.

mod account;
mod activity;
mod admin;
mod clients;
mod compare;
mod consent;
mod due;
mod follow_up;
mod history;
mod instruments;
mod not_found;
mod plan;
mod print;
mod records;
mod report;
mod settings;
mod sync;
mod sync_refused;
mod timeline;

pub use account::{AccountCard, EnrolPage, IdleLockPage, SetupPage, SignInPage, UnlockPage};
pub use activity::ActivityPage;
pub use admin::{AdminPage, DisclosurePage};
pub use clients::{ClientList, ClientPage};
pub use compare::ComparePage;
pub use history::HistoryPage;
pub use instruments::PublishingPage;
pub use not_found::NotFound;
pub use print::PrintPage;
pub use records::{AssessmentPage, VisitNotePage};
pub use report::ReportPage;
pub use settings::SettingsPage;
pub use sync::SyncPage;
pub use timeline::TimelinePage;

use crate::i18n::{Key, use_i18n};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use std::str::FromStr;

/// Keeps the document title (read first by screen readers, shown in the tab) in step with the
/// page and the language.
fn set_title(key: Key) {
    let i18n = use_i18n();
    Effect::new(move |_| {
        document().set_title(&format!("{} | {}", i18n.t(key), i18n.t(Key::AppName)));
    });
}

/// The id in the route's `:name` segment, parsed; `None` for a malformed or missing one.
fn route_id<T: FromStr>(name: &'static str) -> impl Fn() -> Option<T> + Copy {
    let params = use_params_map();
    move || params.read().get(name).and_then(|s| s.parse::<T>().ok())
}
