//! `/enrol`: a tablet registers itself from the link an administrator made.

use super::super::set_title;
use super::sign_in_problem;
use crate::api;
use crate::components::local_action;
use crate::db::use_db;
use crate::i18n::{Key, tr, trn};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use yorisoi_domain::accounts::Enrol;
use yorisoi_domain::errors::ErrorCode;

/// `/enrol?code=…`: a tablet opened the link (or QR code) an administrator made: it registers
/// itself under the name given there, then someone signs in.
#[component]
pub fn EnrolPage() -> impl IntoView {
    set_title(Key::EnrolTitle);
    let db = use_db();
    let query = use_query_map();
    // The link's code is used once, as soon as this device's id is known.
    let enrol = local_action(|request: &Enrol| {
        let request = request.clone();
        async move { api::enrol(&request).await.map(|e| e.name) }
    });
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let Some(device) = db.device() else {
            return false;
        };
        let code = query.read_untracked().get("code").unwrap_or_default();
        enrol.dispatch_local(Enrol { code, device });
        true
    });
    let outcome = enrol.value();
    view! {
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::EnrolTitle)}</h1>
            <div aria-live="polite" data-testid="enrol-outcome">
                {move || match outcome.get() {
                    None => view! { <p>{tr(Key::SignInBusy)}</p> }.into_any(),
                    Some(Ok(name)) => view! {
                        <p class="notice">{trn(Key::EnrolDone, name)}</p>
                        <p><a href="/" class="button" data-testid="enrol-continue">{tr(Key::SignInButton)}</a></p>
                    }.into_any(),
                    Some(Err(error)) => view! {
                        <p class="sync-error" role="alert">{match error.code() {
                            Some(ErrorCode::Forbidden) => tr(Key::EnrolInvalid)().to_owned(),
                            _ => sign_in_problem(&error),
                        }}</p>
                    }.into_any(),
                }}
            </div>
        </section>
    }
}
