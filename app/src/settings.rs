//! Settings of this device (display language, furigana), kept in browser storage through
//! gloo-storage as a versioned shape. Older shapes are migrated on load. The display language
//! is defined here; `i18n` reads it (one way: settings knows nothing of the texts).

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The display language: Japanese unless a person chose English on this device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    /// The BCP 47 tag for `<html lang>`, so screen readers pick the right voice.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// The language's name in itself, shown in that language whatever the current one is, so a
    /// person who cannot read the current language still finds theirs.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::Ja => "日本語",
            Lang::En => "English",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Ja => Lang::En,
            Lang::En => Lang::Ja,
        }
    }
}

pub const KEY: &str = "yorisoi.settings";
pub const FORMAT_VERSION: u32 = 2;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub version: u32,
    pub lang: Lang,
    /// Readings over kanji in forms (`<ruby>`), for people who read kana more easily.
    pub furigana: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: FORMAT_VERSION,
            lang: Lang::Ja,
            furigana: false,
        }
    }
}

/// Brings a stored settings value of any earlier version up to the current one.
///
/// - version 1 (`{"version":1,"lang":…}`, the first release): no furigana setting; off.
pub fn migrate(mut value: Value) -> Option<Settings> {
    let version = value.get("version")?.as_u64()?;
    if version == 1 {
        value["furigana"] = Value::Bool(false);
        value["version"] = Value::from(2);
    } else if version != u64::from(FORMAT_VERSION) {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// The stored settings, or the defaults when none are stored or the entry cannot be read. An
/// unreadable entry is left where it is until the person changes a setting.
pub fn load() -> Settings {
    LocalStorage::get::<Value>(KEY)
        .ok()
        .and_then(migrate)
        .unwrap_or_default()
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
