//! The client list and one client's page.

use super::set_title;
use crate::i18n::{Key, tr};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ClientList() -> impl IntoView {
    set_title(Key::ClientsTitle);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::ClientsTitle)}</h1>
            <p class="empty-state" data-testid="clients-empty">{tr(Key::ClientsEmpty)}</p>
        </section>
    }
}

#[component]
pub fn ClientPage() -> impl IntoView {
    set_title(Key::ClientTitle);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::ClientTitle)}</h1>
            <p class="empty-state">{tr(Key::RecordNotFound)}</p>
            <p><A href="/clients">{tr(Key::BackToClients)}</A></p>
        </section>
    }
}
