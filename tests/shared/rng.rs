//! A small deterministic random source (xorshift64) for the seeded simulations
//! (`domain/tests/sync_simulation.rs`, `app/tests/sync_simulation.rs`, `server/tests/state.rs`),
//! so that a failing seed replays exactly. Each includes it with
//! `#[path = "../../tests/shared/rng.rs"] mod rng;`.
// Each test uses a part of what is here.
#![allow(dead_code)]

/// The state; never 0 (it would stay 0).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
