//! Offers the new version when one was deployed. Never reloads by itself: the person may be in
//! the middle of an answer.

use crate::i18n::{Key, tr};
use crate::pwa::use_update_offer;
use leptos::prelude::*;

#[component]
pub fn UpdateBanner() -> impl IntoView {
    let offer = use_update_offer();
    view! {
        <div class="update-banner-region" role="status" aria-live="polite">
            <Show when=move || offer.ready.get()>
                <div class="update-banner" data-testid="update-banner">
                    <p>{tr(Key::UpdateAvailable)}</p>
                    <button type="button" data-testid="update-reload" on:click=move |_| offer.apply()>
                        {tr(Key::UpdateReload)}
                    </button>
                </div>
            </Show>
        </div>
    }
}
