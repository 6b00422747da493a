//! The sync page: what this device holds and what has reached the server.

use super::set_title;
use crate::i18n::{Key, tr};
use leptos::prelude::*;

#[component]
pub fn SyncPage() -> impl IntoView {
    set_title(Key::SyncTitle);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::SyncTitle)}</h1>
            <p>{tr(Key::SyncIntro)}</p>
        </section>
    }
}
