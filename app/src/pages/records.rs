//! A client's records: an MSFAS self-assessment and a job coach's visit note.

use super::set_title;
use crate::i18n::{Key, tr};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn AssessmentPage() -> impl IntoView {
    record_page(Key::AssessmentTitle)
}

#[component]
pub fn VisitNotePage() -> impl IntoView {
    record_page(Key::VisitNoteTitle)
}

fn record_page(title: Key) -> impl IntoView {
    set_title(title);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(title)}</h1>
            <p class="empty-state">{tr(Key::RecordNotFound)}</p>
            <p><A href="/clients">{tr(Key::BackToClients)}</A></p>
        </section>
    }
}
