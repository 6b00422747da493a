//! Yorisoi's pure core: the types every other crate agrees on — ids, dates, instruments as
//! data, answers and their validation, clients and records, and their stored format.
//!
//! Architecture invariant: this crate does no I/O. It reads no clock and no random source of its
//! own; callers pass time and randomness in, so every function here is deterministic and can be
//! tested natively and built for `wasm32-unknown-unknown` alike. (Instrument definitions are
//! read at build time by `build.rs` and compiled in.)

pub mod accounts;
pub mod answer;
mod answer_read;
pub mod audit;
pub mod carry;
pub mod catalogue;
pub mod consent;
pub mod date;
pub mod due;
pub mod errors;
pub mod export;
pub mod ids;
pub mod instrument;
pub mod order;
pub mod plan;
pub mod privacy;
pub mod record;
pub mod report;
pub mod stored;
pub mod sync;
pub mod tagged;
pub mod text;
pub mod timeline;
pub mod versions;

/// The version of the app, the server and the wire format they share, as Cargo knows it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
