//! A "new record" button for each form the agency published (issue 22), beside the built-in
//! MSFAS and visit note: each makes a record of the newest version not retired.

use crate::db::use_db;
use crate::i18n::{Key, Lang, trn, use_i18n};
use crate::records;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use yorisoi_domain::ids::ClientId;

#[component]
pub fn PublishedForms(client: ClientId) -> impl IntoView {
    let db = use_db();
    let lang = use_i18n().lang;
    let navigate = use_navigate();
    let runtime = crate::instruments::current();
    runtime
        .published_ids()
        .into_iter()
        .filter_map(|id| runtime.offered(&id).map(|i| (id, i.title.clone())))
        .map(|(id, title)| {
            let navigate = navigate.clone();
            let testid = format!("new-record-{id}");
            let start = move |_| {
                if let Some(path) = records::start(db, client, &id) {
                    navigate(&path, Default::default());
                }
            };
            view! {
                <button type="button" data-testid=testid on:click=start>
                    {move || match lang.get() {
                        Lang::Ja => trn(Key::NewPublishedForm, &title.ja),
                        Lang::En => trn(Key::NewPublishedForm, &title.en),
                    }}
                </button>
            }
        })
        .collect_view()
}
