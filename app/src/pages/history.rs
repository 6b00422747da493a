//! A record's history: every change anyone made to it, oldest first, with the value it replaced,
//! which device made it, and when (the server's clock once the server has it).

use super::set_title;
use crate::components::{field_label, value_text};
use crate::db::use_db;
use crate::i18n::{Key, tr, trn, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;
use yorisoi_domain::ids::RecordId;
use yorisoi_domain::sync::Entity;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fetch {
    Fetching,
    Done,
    Failed,
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    set_title(Key::HistoryTitle);
    let db = use_db();
    let i18n = use_i18n();
    let record_id = super::route_id::<RecordId>("record");
    let back = move || {
        record_id()
            .and_then(|id| db.record(id))
            .map(|r| crate::records::path(&r))
    };
    // A device that started from a bootstrap holds the record's state, not its history: the
    // history comes from the server when the page opens, and is kept for offline use.
    let fetched = RwSignal::new(Fetch::Fetching);
    Effect::new(move |_| {
        if let Some(id) = record_id() {
            fetched.set(Fetch::Fetching);
            leptos::task::spawn_local(async move {
                let result = db.fetch_history(Entity::Record(id)).await;
                fetched.set(match result {
                    Ok(()) => Fetch::Done,
                    Err(crate::api::ApiError::Status { status: 404, .. }) => Fetch::Done,
                    Err(_) => Fetch::Failed,
                });
            });
        }
    });
    let note = move || {
        match fetched.get() {
        Fetch::Fetching => Some(view! {
            <p class="hint" role="status" data-testid="history-fetching">{tr(Key::HistoryFetching)}</p>
        }.into_any()),
        Fetch::Failed => Some(view! {
            <p class="hint" role="status" data-testid="history-offline">{tr(Key::HistoryOffline)}</p>
        }.into_any()),
        Fetch::Done => None,
    }
    };
    let rows = move || {
        let lang = i18n.lang.get();
        let Some(id) = record_id() else {
            return ().into_any();
        };
        let instrument = db.record_with_instrument(id).map(|(_, i)| i);
        let entries = db.history_of(Entity::Record(id));
        if entries.is_empty() {
            return view! { <p class="empty-state">{tr(Key::HistoryEmpty)}</p> }.into_any();
        }
        let rows = entries
            .into_iter()
            .map(|entry| {
                let field = &entry.change.field;
                let when = match (entry.unsent, entry.stamp.time()) {
                    (true, _) => tr(Key::HistoryUnsent)().to_owned(),
                    (false, Some(at)) => crate::clock::format_time(at),
                    (false, None) => String::new(),
                };
                let who = if entry.own {
                    tr(Key::HistoryThisDevice)().to_owned()
                } else {
                    let device = entry.change.id.device.to_string();
                    trn(Key::HistoryOtherDevice, &device[device.len() - 4..])
                };
                let before = entry
                    .replaced
                    .iter()
                    .map(|v| value_text(instrument, field, v, lang))
                    .collect::<Vec<_>>()
                    .join(" / ");
                let after = value_text(instrument, field, &entry.change.value, lang);
                view! {
                    <tr data-testid="history-row" data-field=field.clone()>
                        <td>{when}</td>
                        <td data-testid="history-who" data-own=entry.own.to_string()>{who}</td>
                        <th scope="row">{field_label(instrument, field, lang)}</th>
                        <td>{before}</td>
                        <td data-testid="history-after">{after}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="history" data-testid="history">
                    <thead><tr>
                        <th scope="col">{tr(Key::HistoryWhen)}</th>
                        <th scope="col">{tr(Key::HistoryWho)}</th>
                        <th scope="col">{tr(Key::HistoryItem)}</th>
                        <th scope="col">{tr(Key::HistoryBefore)}</th>
                        <th scope="col">{tr(Key::HistoryAfter)}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::HistoryTitle)}</h1>
            {move || back().map(|href| view! { <p><A href=href>{tr(Key::BackToRecord)}</A></p> })}
            {note}
            {rows}
        </section>
    }
}
