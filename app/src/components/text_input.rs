//! A labelled text input bound to a signal: the one every form uses.

use crate::i18n::{Key, tr};
use leptos::prelude::*;

/// A labelled text input bound to a signal.
#[component]
pub fn TextInput(
    label: Key,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{tr(label)}</span>
            <input
                class="input"
                type=kind
                autocomplete=autocomplete
                data-testid=testid
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}
