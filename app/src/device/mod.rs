//! The device engine: everything this device keeps and how it syncs, with no Leptos in it.
//! Its operations take and return values (the changes an edit made, what an acknowledgement
//! leaves to store, what a pulled page touched, `Result<_, StorageError>`) and never call up
//! into the reactive layer (`crate::db`, `crate::sync`, `crate::account`, `crate::context`)
//! or the views. `app/tests/layers.rs` holds this.
//!
//! The pure part needs no browser and is tested natively, with case tables:
//! [`state`] (the replica), [`outbox`] (numbering, amending, sealing, push order, the
//! acknowledgement split), [`inbox`] (other tabs' events, the early buffer), [`view`] (what
//! pages read, as values), [`session`] (the session rules), [`sync::status`] (status, backoff,
//! error classification, the hand-over split), [`keys`] (every stored name), [`cipher`] (the
//! sealing cryptography), [`errors`] and [`api_error`]. `app/tests/sync_simulation.rs` drives
//! several devices' real [`state::DeviceState`] against the domain's server rules.
//!
//! The browser-facing part keeps the bytes: `crate::storage` (localStorage entries),
//! `crate::store` (IndexedDB chunks), `crate::vault` (keys in memory), `crate::tabs` (other
//! tabs), `crate::api` (the server). [`engine::Device`] sequences them: each of its operations
//! does its storage steps in order and returns what it touched; [`sync::round::run_once`] is
//! one sync round. The handles above only call them and show what they return.

pub mod account;
pub mod api_error;
pub mod cipher;
pub mod engine;
pub mod errors;
pub mod inbox;
pub mod keys;
pub mod outbox;
pub mod prefetch;
pub mod screen;
pub mod session;
pub mod state;
pub mod sync;
pub mod view;

#[cfg(test)]
mod test_support;
