//! Settings: the display language, and whether this device's storage is safe from the browser's
//! own clean-ups (the failure that loses offline work without a word).

use super::set_title;
use crate::i18n::{Key, Lang, tr, use_i18n};
use crate::pwa::{StorageStatus, format_bytes, storage_status};
use leptos::prelude::*;

#[component]
pub fn SettingsPage() -> impl IntoView {
    set_title(Key::SettingsTitle);
    let i18n = use_i18n();
    // A plain signal filled by one task: lighter in the download than an async resource.
    let (status, set_status) = signal(None);
    leptos::task::spawn_local(async move { set_status.set(Some(storage_status().await)) });
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::SettingsTitle)}</h1>

            <super::AccountCard />

            <section class="card" aria-labelledby="lang-heading">
                <h2 id="lang-heading">{tr(Key::LanguageHeading)}</h2>
                <div class="choice-row" role="group" aria-labelledby="lang-heading">
                    <LangChoice lang=Lang::Ja />
                    <LangChoice lang=Lang::En />
                </div>
                <p class="hint" data-testid="lang-current">{move || i18n.t(Key::LanguageCurrent)}</p>
            </section>

            <section class="card" aria-labelledby="storage-heading">
                <h2 id="storage-heading">{tr(Key::StorageHeading)}</h2>
                <div data-testid="storage-status">
                    {move || match status.get() {
                        None => view! { <p>{tr(Key::StorageChecking)}</p> }.into_any(),
                        Some(Ok(s)) => view! { <StorageFacts status=s /> }.into_any(),
                        Some(Err(_)) => view! { <p>{tr(Key::StorageUnknown)}</p> }.into_any(),
                    }}
                </div>
            </section>

            <p class="hint">{tr(Key::VersionLabel)} " " {yorisoi_domain::VERSION}</p>
        </section>
    }
}

#[component]
fn LangChoice(lang: Lang) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            class="choice"
            lang=lang.tag()
            aria-pressed=move || (i18n.lang.get() == lang).to_string()
            on:click=move |_| i18n.lang.set(lang)
        >
            {lang.endonym()}
        </button>
    }
}

#[component]
fn StorageFacts(status: StorageStatus) -> impl IntoView {
    let persisted = if status.persisted {
        Key::StoragePersisted
    } else {
        Key::StorageNotPersisted
    };
    let usage = status.usage.zip(status.quota).map(|(usage, quota)| {
        view! {
            <p data-testid="storage-usage">
                {tr(Key::StorageUsage)} " " {format_bytes(usage)} " " {tr(Key::StorageOf)} " "
                {format_bytes(quota)}
            </p>
        }
    });
    view! {
        <p data-testid="storage-persisted" data-persisted=status.persisted.to_string()>{tr(persisted)}</p>
        {usage}
    }
}
