//! Export a client's records as JSON (to import elsewhere) or CSV (for Excel), and import a
//! JSON export back. Nothing is sent anywhere: the browser saves or reads a file.

use crate::db::{catalogue, use_db};
use crate::i18n::{Key, tr, use_i18n};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yorisoi_domain::audit::Action;
use yorisoi_domain::export;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::sync::Entity;

#[component]
pub fn ExportButtons(client: ClientId) -> impl IntoView {
    let db = use_db();
    let i18n = use_i18n();
    let export_json = move |_| {
        if let Some(c) = db.client(client) {
            let text = export::to_json(&c, &db.records_of(client));
            db.note(Entity::Client(client), client, Action::Exported, &["json"]);
            download(&format!("yorisoi-{client}.json"), "application/json", &text);
        }
    };
    let export_csv = move |_| {
        if let Some(c) = db.client(client) {
            let lang = export::Lang::from(i18n.lang.get_untracked());
            let text = export::to_csv(&c, &db.records_of(client), catalogue(), lang);
            db.note(Entity::Client(client), client, Action::Exported, &["csv"]);
            download(
                &format!("yorisoi-{client}.csv"),
                "text/csv;charset=utf-8",
                &text,
            );
        }
    };
    view! {
        <div class="toolbar export">
            <button type="button" class="secondary" data-testid="export-json" on:click=export_json>{tr(Key::ExportJson)}</button>
            <button type="button" class="secondary" data-testid="export-csv" on:click=export_csv>{tr(Key::ExportCsv)}</button>
        </div>
    }
}

/// Hands `text` to the browser as a file download.
pub fn download(name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(element) = document().create_element("a")
        && let Ok(anchor) = element.dyn_into::<web_sys::HtmlAnchorElement>()
    {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

#[component]
pub fn ImportButton() -> impl IntoView {
    let db = use_db();
    let (message, set_message) = signal(None::<Result<(), String>>);
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            let result = export::from_json(&text, catalogue()).map(|bundle| {
                db.put_client(bundle.client);
                for record in bundle.records {
                    db.put_record(record);
                }
            });
            set_message.set(Some(result.map_err(|e| e.to_string())));
        });
    };
    view! {
        <label class="button secondary file-button">
            <span>{tr(Key::ImportJson)}</span>
            <input type="file" accept="application/json,.json" class="visually-hidden" data-testid="import-json" on:change=on_file />
        </label>
        <p role="status" class="import-message" data-testid="import-message">
            {move || match message.get() {
                None => None,
                Some(Ok(())) => Some(tr(Key::ImportDone)().to_owned()),
                Some(Err(e)) => Some(format!("{} {e}", tr(Key::ImportFailed)())),
            }}
        </p>
    }
}
