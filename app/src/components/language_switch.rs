//! The one-tap switch between Japanese and English. The choice is kept on the device.

use crate::i18n::{Key, tr, use_i18n};
use leptos::prelude::*;

/// The button shows the other language's own name, marked as that language so it is read in
/// the right voice. Its accessible name starts with that visible name (WCAG 2.5.3, label in
/// name: a speech user says what they see) and goes on, in the page's language and hidden, with
/// what the button does.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            class="lang-switch"
            data-testid="lang-switch"
            on:click=move |_| i18n.lang.update(|lang| *lang = lang.other())
        >
            <span lang=move || i18n.lang.get().other().tag()>
                {move || i18n.lang.get().other().endonym()}
            </span>
            <span class="visually-hidden">" " {tr(Key::SwitchLanguageLabel)}</span>
        </button>
    }
}
