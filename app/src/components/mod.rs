//! Pieces of the app shell used on every page.

mod conflicts;
mod language_switch;
mod move_version;
mod published_forms;
mod save_status;
mod set_aside;
mod sync_status;
mod transfer;
mod update_banner;

pub use conflicts::{ConflictReview, field_label, value_text};
pub use language_switch::LanguageSwitch;
pub use move_version::MoveVersion;
pub use published_forms::PublishedForms;
pub use save_status::SaveStatus;
pub use set_aside::SetAsideNotice;
pub use sync_status::SyncStatusBar;
pub use transfer::{ExportButtons, ImportButton, download};
pub use update_banner::UpdateBanner;
