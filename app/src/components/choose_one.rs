//! A labelled choice of one among many (a client, a coach, a person).

use crate::i18n::{Key, tr};
use leptos::prelude::*;

/// A labelled choice of one of `choices` (id, name), nothing chosen at first; the chosen id,
/// parsed, goes to `chosen`.
#[component]
pub fn ChooseOne<T, C>(
    label: Key,
    testid: &'static str,
    choices: C,
    chosen: RwSignal<Option<T>>,
) -> impl IntoView
where
    T: std::str::FromStr + Send + Sync + 'static,
    C: Fn() -> Vec<(String, String)> + Send + Sync + 'static,
{
    view! {
        <label class="field">
            <span class="field-label">{tr(label)}</span>
            <select class="input" data-testid=testid
                on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                <option value="">"—"</option>
                {move || choices().into_iter().map(|(id, name)| view! {
                    <option value=id>{name}</option>
                }).collect_view()}
            </select>
        </label>
    }
}
