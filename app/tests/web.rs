//! Browser-side tests, run by wasm-bindgen-test in headless Chromium (`cargo xtask test`).
#![cfg(target_arch = "wasm32")]

use gloo_storage::{LocalStorage, Storage};
use wasm_bindgen_test::*;
use yorisoi_app::i18n::Lang;
use yorisoi_app::settings::{self, KEY, Settings};

wasm_bindgen_test_configure!(run_in_browser);

fn raw_entry() -> Option<String> {
    LocalStorage::raw().get_item(KEY).unwrap()
}

#[wasm_bindgen_test]
fn settings_round_trip_through_local_storage_in_their_versioned_shape() {
    LocalStorage::clear();
    assert_eq!(settings::load(), Settings::default());
    settings::update(|s| s.lang = Lang::En);
    assert_eq!(settings::load().lang, Lang::En);
    // The stored shape is frozen: a later version must still read this.
    assert_eq!(
        raw_entry().as_deref(),
        Some(r#"{"version":2,"lang":"en","furigana":false}"#)
    );
}

#[wasm_bindgen_test]
fn settings_of_the_first_release_are_migrated_keeping_the_language() {
    LocalStorage::clear();
    LocalStorage::raw()
        .set_item(KEY, r#"{"version":1,"lang":"en"}"#)
        .unwrap();
    let settings = settings::load();
    assert_eq!(
        (settings.version, settings.lang, settings.furigana),
        (2, Lang::En, false)
    );
    settings::update(|s| s.furigana = true);
    assert_eq!(
        raw_entry().as_deref(),
        Some(r#"{"version":2,"lang":"en","furigana":true}"#)
    );
}

#[wasm_bindgen_test]
fn an_unreadable_settings_entry_gives_the_defaults_and_is_kept_until_a_change() {
    LocalStorage::clear();
    LocalStorage::raw().set_item(KEY, "{not json").unwrap();
    assert_eq!(settings::load(), Settings::default());
    assert_eq!(
        raw_entry().as_deref(),
        Some("{not json"),
        "reading does not destroy the entry"
    );
}
