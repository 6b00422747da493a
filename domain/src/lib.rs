//! Yorisoi's pure core: the types every other crate agrees on.
//!
//! Architecture invariant: this crate does no I/O. It reads no clock and no random source of its
//! own; callers pass time and randomness in, so every function here is deterministic and can be
//! tested natively and built for `wasm32-unknown-unknown` alike.

pub mod ids;

/// The version of the app, the server and the wire format they share, as Cargo knows it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
