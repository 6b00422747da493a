//! Always on screen: how many changes wait to be sent, when the device last synced, and why the
//! last sync failed, in plain words; with the 今すぐ同期 button.

use crate::db::use_db;
use crate::i18n::{Key, tr, trn};
use crate::sync::{SyncError, use_sync};
use leptos::prelude::*;

/// The last error in words a person can act on.
pub fn error_text(error: &SyncError) -> String {
    match error {
        SyncError::Offline => tr(Key::SyncErrOffline)().to_owned(),
        SyncError::Stalled => tr(Key::SyncErrStalled)().to_owned(),
        SyncError::UpdateApp => tr(Key::SyncErrUpdate)().to_owned(),
        SyncError::Refused(message) => trn(Key::SyncErrRefused, message),
        SyncError::Server(message) => trn(Key::SyncErrServer, message),
        SyncError::Storage(_) => tr(Key::SyncErrStorage)().to_owned(),
        SyncError::SignedOut => tr(Key::SyncErrSignedOut)().to_owned(),
        SyncError::Retired => tr(Key::SyncErrRetired)().to_owned(),
        SyncError::SetAsideFull => tr(Key::SyncErrSetAsideFull)().to_owned(),
    }
}

#[component]
pub fn SyncStatusBar() -> impl IntoView {
    let db = use_db();
    let sync = use_sync();
    let unsent = move || match db.unsent.get() {
        0 => tr(Key::SyncAllSent)().to_owned(),
        n => trn(Key::SyncUnsent, n),
    };
    let last = move || {
        let status = sync.status.get();
        if status.running {
            return tr(Key::SyncRunning)().to_owned();
        }
        match status.last_synced {
            Some(at) => trn(Key::SyncLast, crate::clock::format_time(at)),
            None => tr(Key::SyncNever)().to_owned(),
        }
    };
    // Changes the server set aside: never hidden, one tap from the list that says why.
    let refused = move || {
        let count = db.refused.with(|r| r.len());
        (count > 0).then(|| {
            view! {
                <span class="sync-sep" aria-hidden="true">" · "</span>
                <a href="/sync" class="sync-refused" data-testid="sync-refused"
                    data-count=count.to_string()>{trn(Key::SyncRefused, count)}</a>
            }
        })
    };
    let error = move || {
        sync.status.get().error.map(|e| {
            view! { <p class="sync-error" role="alert" data-testid="sync-error">{error_text(&e)}</p> }
        })
    };
    view! {
        <section class="sync-bar" aria-label=tr(Key::SyncStatusLabel) data-testid="sync-bar">
            <p class="sync-facts" role="status" aria-live="polite">
                <span data-testid="sync-unsent" data-count=move || db.unsent.get().to_string()>{unsent}</span>
                {refused}
                <span class="sync-sep" aria-hidden="true">" · "</span>
                <span data-testid="sync-last"
                    data-synced-at=move || sync.status.with(|s| s.last_synced.unwrap_or(0).to_string())
                    data-state=move || if sync.status.with(|s| s.running) { "running" } else { "idle" }>
                    {last}
                </span>
            </p>
            <button type="button" class="secondary sync-now" data-testid="sync-now"
                on:click=move |_| sync.now()>
                {tr(Key::SyncNow)}
            </button>
            {error}
        </section>
    }
}
