//! 「前回から始める」: a new record started from the client's last one of the same instrument,
//! with the answers its definition carries over (`domain::carry`), the rest asked afresh. Shown
//! only when the instrument carries something and there is a last record.

use crate::db::{catalogue, use_db};
use crate::i18n::{Key, tr, use_i18n};
use crate::records;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use yorisoi_domain::carry::carried_keys;
use yorisoi_domain::ids::ClientId;

#[component]
pub fn StartFromLast(client: ClientId, instrument: &'static str) -> impl IntoView {
    let db = use_db();
    let i18n = use_i18n();
    let navigate = use_navigate();
    let (label, testid) = match instrument {
        "msfas" => (Key::StartFromLastAssessment, "start-from-last-assessment"),
        _ => (Key::StartFromLastVisitNote, "start-from-last-visit-note"),
    };
    let keys = catalogue()
        .latest(instrument)
        .map(carried_keys)
        .unwrap_or_default();
    let has_last = move || {
        db.records_of(client)
            .iter()
            .any(|r| r.instrument.id == instrument)
    };
    // What carries, in words: the prompts of the carried questions.
    let carried = move || {
        let definition = catalogue().latest(instrument)?;
        let prompts: Vec<String> = carried_keys(definition)
            .iter()
            .filter_map(|k| definition.question(k))
            .map(|q| super::timeline::pick(i18n, &q.prompt))
            .collect();
        Some(format!(
            "{}{}",
            i18n.t(Key::StartFromLastHelp),
            prompts.join("、")
        ))
    };
    let help_id = format!("{testid}-help");
    let start = move |_| {
        if let Some(path) = records::start_from_last(db, client, instrument) {
            navigate(&path, Default::default());
        }
    };
    view! {
        <Show when=move || !keys.is_empty() && has_last()>
            <span class="start-from-last">
                <button type="button" class="secondary" data-testid=testid aria-describedby=help_id.clone() on:click=start.clone()>
                    {tr(label)}
                </button>
                <small id=help_id.clone() class="hint" data-testid=format!("{testid}-help")>{carried}</small>
            </span>
        </Show>
    }
}
