//! The one-tap switch between Japanese and English. The choice is kept on the device.

use crate::i18n::{Key, tr, use_i18n};
use leptos::prelude::*;

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            class="lang-switch"
            data-testid="lang-switch"
            aria-label=tr(Key::SwitchLanguageLabel)
            lang=move || i18n.lang.get().other().tag()
            on:click=move |_| i18n.lang.update(|lang| *lang = lang.other())
        >
            {move || i18n.lang.get().other().endonym()}
        </button>
    }
}
