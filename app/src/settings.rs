//! Settings of this device (the display language for now), kept in browser storage through
//! gloo-storage as a versioned shape.

use crate::i18n::Lang;
use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

pub const KEY: &str = "yorisoi.settings";
pub const FORMAT_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub version: u32,
    pub lang: Lang,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: FORMAT_VERSION,
            lang: Lang::Ja,
        }
    }
}

/// The stored settings, or the defaults when none are stored or the entry cannot be read. An
/// unreadable entry is left where it is until the person changes a setting.
pub fn load() -> Settings {
    LocalStorage::get::<Settings>(KEY).unwrap_or_default()
}

/// Changes the stored settings. A write that fails (storage full or blocked) leaves the setting
/// in effect for this session and is logged; settings are not worth an error dialog.
pub fn update(change: impl FnOnce(&mut Settings)) {
    let mut settings = load();
    let before = settings.clone();
    change(&mut settings);
    if settings != before
        && let Err(e) = LocalStorage::set(KEY, &settings)
    {
        leptos::logging::warn!("settings not saved: {e}");
    }
}
