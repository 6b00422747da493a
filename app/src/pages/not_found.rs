//! Shown for an address the app does not know.

use super::set_title;
use crate::i18n::{Key, tr};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    set_title(Key::NotFoundTitle);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::NotFoundTitle)}</h1>
            <p><A href="/clients">{tr(Key::BackToClients)}</A></p>
        </section>
    }
}
