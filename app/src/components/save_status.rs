//! "保存しました": the quiet sign that what was typed is safe, and a plain-words warning when it
//! is not.

use crate::db::{FailKind, SaveState, use_db};
use crate::i18n::{Key, tr};
use leptos::prelude::*;

#[component]
pub fn SaveStatus() -> impl IntoView {
    let db = use_db();
    view! {
        <p class="save-status" role="status" aria-live="polite" data-testid="save-status"
            data-state=move || match db.save_state.get() {
                SaveState::Idle => "idle",
                SaveState::Saved => "saved",
                SaveState::Failed(_) => "failed",
            }>
            {move || match db.save_state.get() {
                SaveState::Idle => tr(Key::SaveIdle)(),
                SaveState::Saved => tr(Key::Saved)(),
                SaveState::Failed(FailKind::Quota) => tr(Key::SaveFailedQuota)(),
                SaveState::Failed(FailKind::Unavailable) => tr(Key::SaveFailedOther)(),
            }}
        </p>
    }
}
