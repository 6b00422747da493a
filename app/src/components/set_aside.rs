//! Tells the person, on every page, that some stored entries could not be read and are kept
//! untouched: silent loss is the failure offline apps are remembered for.

use crate::db::use_db;
use crate::i18n::{Key, tr};
use leptos::prelude::*;

#[component]
pub fn SetAsideNotice() -> impl IntoView {
    let db = use_db();
    view! {
        <Show when=move || !db.set_aside.with(Vec::is_empty)>
            <div class="notice" role="alert" data-testid="set-aside-notice">
                <p>{tr(Key::SetAsideNotice)}</p>
                <ul>
                    {move || db.set_aside.get().into_iter().map(|entry| view! { <li><code>{entry.key}</code>" — "{entry.reason}</li> }).collect_view()}
                </ul>
            </div>
        </Show>
    }
}
