//! Pieces of the app shell used on every page.

mod language_switch;
mod save_status;
mod set_aside;
mod transfer;
mod update_banner;

pub use language_switch::LanguageSwitch;
pub use save_status::SaveStatus;
pub use set_aside::SetAsideNotice;
pub use transfer::{ExportButtons, ImportButton};
pub use update_banner::UpdateBanner;
