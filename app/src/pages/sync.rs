//! The sync page: what waits to be sent, when the device last synced and why it failed, the
//! progress of a long first sync, and the records that need a person's review.

use super::set_title;
use crate::db::use_db;
use crate::i18n::{Key, tr, trn};
use crate::sync::use_sync;
use leptos::prelude::*;
use leptos_router::components::A;
use yorisoi_domain::sync::Entity;

#[component]
pub fn SyncPage() -> impl IntoView {
    set_title(Key::SyncTitle);
    let db = use_db();
    let sync = use_sync();
    let progress = move || {
        sync.status.get().progress.map(|(done, total)| {
            // A total not known yet (a bootstrap's first page is on its way): no bar to fill.
            let (bar, count) = if total == 0 {
                (
                    view! { <progress aria-label=tr(Key::SyncProgressLabel)></progress> }
                        .into_any(),
                    String::new(),
                )
            } else {
                (
                    view! {
                        <progress max=total.to_string() value=done.to_string()
                            aria-label=tr(Key::SyncProgressLabel)></progress>
                    }
                    .into_any(),
                    format!("{done} / {total}"),
                )
            };
            view! {
                <div class="sync-progress" data-testid="sync-progress">
                    {bar}
                    <p>{trn(Key::SyncProgress, count)}</p>
                </div>
            }
        })
    };
    let review = move || {
        let entities = db.needs_review();
        let items: Vec<_> = entities
            .into_iter()
            .filter_map(|entity| match entity {
                Entity::Record(id) => db.record(id).map(|record| {
                    let client = db.client(record.client).map(|c| c.name).unwrap_or_default();
                    let title = match record.kind {
                        yorisoi_domain::instrument::RecordKind::Assessment => Key::AssessmentTitle,
                        yorisoi_domain::instrument::RecordKind::VisitNote => Key::VisitNoteTitle,
                    };
                    let href = crate::records::path(&record);
                    view! {
                        <li data-testid="review-item"><A href=href>{client}" — "{tr(title)}</A></li>
                    }
                    .into_any()
                }),
                Entity::Client(id) => db.client(id).map(|client| {
                    let href = format!("/clients/{id}");
                    view! { <li data-testid="review-item"><A href=href>{client.name}</A></li> }
                        .into_any()
                }),
            })
            .collect();
        if items.is_empty() {
            view! { <p class="empty-state">{tr(Key::SyncReviewNone)}</p> }.into_any()
        } else {
            view! { <ul class="review-list">{items}</ul> }.into_any()
        }
    };
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::SyncTitle)}</h1>
            <p>{tr(Key::SyncIntro)}</p>
            <p>
                <button type="button" class="primary" data-testid="sync-page-now"
                    disabled=move || sync.status.with(|s| s.running)
                    on:click=move |_| sync.now()>
                    {tr(Key::SyncNow)}
                </button>
            </p>
            {progress}
            <super::sync_refused::RefusedList />
            <h2>{tr(Key::SyncReviewTitle)}</h2>
            {review}
        </section>
    }
}
