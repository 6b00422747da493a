//! Pieces of the app shell used on every page, and the widgets pages share (a text input, a
//! choice of one, a problem in words).

mod action;
mod choose_one;
mod conflicts;
mod language_switch;
mod move_version;
mod problem;
mod published_forms;
mod save_status;
mod set_aside;
mod sync_status;
mod text_input;
mod transfer;
mod update_banner;

pub use action::{local_action, local_resource};
pub use choose_one::ChooseOne;
pub use conflicts::{ConflictReview, field_label, value_text};
pub use language_switch::LanguageSwitch;
pub use move_version::MoveVersion;
pub use problem::{Failed, failed_view, problem_text};
pub use published_forms::PublishedForms;
pub use save_status::SaveStatus;
pub use set_aside::SetAsideNotice;
pub use sync_status::SyncStatusBar;
pub use text_input::TextInput;
pub use transfer::{ExportButtons, ImportButton, download};
pub use update_banner::UpdateBanner;
