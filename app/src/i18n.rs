//! Every word the app shows, in Japanese (the default) and English, behind one lookup.
//!
//! Views never hold user-visible string literals: they name a [`Key`] and read it through
//! [`tr`], which follows the current language reactively. Adding a key without both languages
//! does not compile.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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

macro_rules! messages {
    ($($key:ident => $ja:literal, $en:literal;)*) => {
        /// A user-visible text.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($key),* }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key),*];
        }

        /// The text of `key` in `lang`.
        pub fn text(lang: Lang, key: Key) -> &'static str {
            match (key, lang) {
                $((Key::$key, Lang::Ja) => $ja, (Key::$key, Lang::En) => $en,)*
            }
        }
    };
}

messages! {
    AppName => "寄り添い", "Yorisoi";
    SkipToContent => "本文へ移動", "Skip to main content";
    NavLabel => "メインメニュー", "Main menu";
    NavClients => "利用者", "Clients";
    NavSync => "同期", "Sync";
    NavSettings => "設定", "Settings";
    SwitchLanguageLabel => "表示言語を英語に切り替える（Switch to English）", "Switch the display language to Japanese (日本語に切り替える)";
    ClientsTitle => "利用者一覧", "Clients";
    ClientsEmpty => "まだ利用者が登録されていません。", "No clients yet.";
    ClientTitle => "利用者の記録", "Client records";
    AssessmentTitle => "M-ストレス・疲労アセスメントシート（MSFAS）", "MSFAS stress and fatigue self-assessment";
    VisitNoteTitle => "訪問記録", "Visit note";
    RecordNotFound => "この記録はこの端末にありません。", "This record is not on this device.";
    BackToClients => "利用者一覧へ戻る", "Back to the client list";
    SyncTitle => "同期", "Sync";
    SyncIntro => "記録はまずこの端末に保存されます。ネットワークがなくても、入力したものは消えません。", "Records are saved on this device first. Nothing you enter is lost without a network.";
    SettingsTitle => "設定", "Settings";
    LanguageHeading => "表示言語", "Language";
    LanguageCurrent => "現在の表示言語：日本語", "Current language: English";
    StorageHeading => "この端末の保存領域", "Storage on this device";
    StoragePersisted => "保護されています。ブラウザが自動で消すことはありません。", "Protected: the browser will not clear it on its own.";
    StorageNotPersisted => "保護されていません。空き容量が足りなくなると、ブラウザが消すことがあります。ホーム画面に追加すると保護されやすくなります。", "Not protected: the browser may clear it when space runs low. Adding the app to the home screen helps.";
    StorageUsage => "使用量", "Used";
    StorageOf => "／ 上限", "of";
    StorageUnknown => "このブラウザでは確認できません。", "This browser cannot tell.";
    StorageChecking => "確認しています…", "Checking…";
    VersionLabel => "バージョン", "Version";
    UpdateAvailable => "新しいバージョンがあります。", "A new version is available.";
    UpdateReload => "再読み込みして更新", "Reload to update";
    NotFoundTitle => "ページが見つかりません", "Page not found";
}

/// The current language, shared through context. `Copy`, so closures can hold it freely.
#[derive(Clone, Copy, Debug)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    pub fn t(self, key: Key) -> &'static str {
        text(self.lang.get(), key)
    }
}

/// Puts the language (as last chosen on this device) in context and keeps `<html lang>` and the
/// stored setting in step with it.
pub fn provide() -> I18n {
    let lang = RwSignal::new(crate::settings::load().lang);
    Effect::new(move |_| {
        let lang = lang.get();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang.tag());
        }
        crate::settings::update(|s| s.lang = lang);
    });
    let i18n = I18n { lang };
    provide_context(i18n);
    i18n
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A reactive text for views: `{tr(Key::NavClients)}`.
pub fn tr(key: Key) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let i18n = use_i18n();
    move || i18n.t(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_non_empty_text_in_both_languages() {
        for &key in Key::ALL {
            for lang in [Lang::Ja, Lang::En] {
                assert!(
                    !text(lang, key).trim().is_empty(),
                    "{key:?} is empty in {lang:?}"
                );
            }
        }
    }

    #[test]
    fn japanese_and_english_texts_differ_where_they_should() {
        assert_ne!(
            text(Lang::Ja, Key::NavClients),
            text(Lang::En, Key::NavClients)
        );
        assert_eq!(Lang::Ja.other(), Lang::En);
        assert_eq!(Lang::En.other().tag(), "ja");
    }
}
