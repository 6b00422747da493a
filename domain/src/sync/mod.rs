//! Sync, as pure functions over values: changes numbered by the device that made them, a
//! per-field register that keeps concurrent values side by side instead of choosing one, a
//! replica that applies changes in any order, and the versioned wire format.
//!
//! Why this shape (see `../shared/domain/SYNC_LESSONS.md`): no timestamp ever decides which edit
//! wins, so a device clock that is days off changes nothing; applying a change twice or late
//! changes nothing either, so a retried or reordered delivery is harmless; and a value is only
//! ever replaced by a change that saw it, so two people's offline edits of one answer both stay
//! until a person resolves them.

pub mod bootstrap;
pub mod change;
pub mod check;
pub mod fields;
pub mod formats;
pub mod local;
pub mod outbox;
pub mod protocol;
pub mod quarantine;
mod refusal_read;
pub mod refused;
pub mod register;
pub mod replica;
pub mod resend;
pub mod state;

pub use change::{Change, ChangeId, Entity};
pub use outbox::Outbox;
pub use register::Register;
pub use replica::Replica;
