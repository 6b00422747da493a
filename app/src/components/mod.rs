//! Pieces of the app shell used on every page.

mod language_switch;
mod update_banner;

pub use language_switch::LanguageSwitch;
pub use update_banner::UpdateBanner;
