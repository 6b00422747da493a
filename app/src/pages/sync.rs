//! The sync page: what waits to be sent, when the device last synced and why it failed, the
//! progress of a long first sync, and the records that need a person's review.

use super::set_title;
use crate::components::{field_label, value_text};
use crate::db::{Db, catalogue, use_db};
use crate::i18n::{Key, Lang, tr, trn, use_i18n};
use crate::sync::use_sync;
use leptos::prelude::*;
use leptos_router::components::A;
use yorisoi_domain::sync::Entity;
use yorisoi_domain::sync::check::Refusal;
use yorisoi_domain::sync::local::RefusedChange;

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
    let i18n = use_i18n();
    let refused = move || {
        let lang = i18n.lang.get();
        let mut all: Vec<RefusedChange> = db.refused.with(|r| r.values().cloned().collect());
        if all.is_empty() {
            return None;
        }
        all.sort_by_key(|r| (r.made_at, r.change.id));
        let items: Vec<_> = all
            .into_iter()
            .map(|refused| {
                let (place, label, value) = describe(db, &refused, lang);
                let field = refused.change.field.clone();
                view! {
                    <li data-testid="refused-item" data-field=field>
                        <p class="refused-what">{place}" — "{label}"："{value}</p>
                        <p class="refused-why" data-testid="refused-why">{reason(&refused.refusal)}</p>
                    </li>
                }
            })
            .collect();
        Some(view! {
            <h2>{tr(Key::SyncRefusedTitle)}</h2>
            <p>{tr(Key::SyncRefusedIntro)}</p>
            <ul class="refused-list" data-testid="refused-list">{items}</ul>
        })
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
            {refused}
            <h2>{tr(Key::SyncReviewTitle)}</h2>
            {review}
        </section>
    }
}

/// Where a refused change belongs, which item, and its value, as a person reads them.
fn describe(db: Db, refused: &RefusedChange, lang: Lang) -> (String, String, String) {
    let change = &refused.change;
    let client = db.client(change.client).map(|c| c.name).unwrap_or_default();
    let instrument = match change.entity {
        Entity::Record(id) => db
            .record(id)
            .and_then(|record| catalogue().get(&record.instrument)),
        Entity::Client(_) => None,
    };
    let place = match instrument {
        Some(instrument) => {
            let title = match lang {
                Lang::Ja => &instrument.title.ja,
                Lang::En => &instrument.title.en,
            };
            format!("{client} {title}")
        }
        None => client,
    };
    (
        place,
        field_label(instrument, &change.field, lang),
        value_text(instrument, &change.field, &change.value, lang),
    )
}

/// Why the server set a change aside, in words a person can act on.
fn reason(refusal: &Refusal) -> String {
    match refusal {
        Refusal::WrongClient => tr(Key::RefusedWrongClient)().to_owned(),
        Refusal::UnknownField { .. } => tr(Key::RefusedUnknownField)().to_owned(),
        Refusal::BadValue { reason, .. } => trn(Key::RefusedBadValue, reason),
        Refusal::UnknownInstrument { .. } => tr(Key::RefusedUnknownInstrument)().to_owned(),
        Refusal::NoInstrument => tr(Key::RefusedNoInstrument)().to_owned(),
        Refusal::InstrumentChanged => tr(Key::RefusedInstrumentChanged)().to_owned(),
        Refusal::NotInScope => tr(Key::RefusedNotInScope)().to_owned(),
        Refusal::UseStopped => tr(Key::RefusedUseStopped)().to_owned(),
        Refusal::Erased => tr(Key::RefusedErased)().to_owned(),
    }
}
