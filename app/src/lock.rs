//! Client mode's lock. A coach hands the tablet to a client for the MSFAS one question at a
//! time; until the coach enters their PIN, the app shows that one record in client mode and
//! nothing else: no menu, no other client, no other page (a reload stays locked).
//!
//! The PIN is the coach's own, 4 to 8 digits, kept on this device only as an Argon2id hash
//! (RustCrypto's `argon2`, salted from the browser's cryptographic random source) under
//! `yorisoi.pin.<person>`. Wrong PINs make the next try wait longer (5 free, then 30 s
//! doubling). It guards the screen against the person holding the tablet for a while; what is
//! stored on the device is protected at rest separately.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use yorisoi_domain::ids::{ClientId, PersonId};

const LOCK_KEY: &str = "yorisoi.client_lock";
const PIN_PREFIX: &str = "yorisoi.pin.";
/// Wrong PINs allowed before the waits start.
const FREE_TRIES: u32 = 5;

/// The record the tablet is locked to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// The client-mode page's path and query.
    pub path: String,
    pub client: ClientId,
    /// Whose PIN opens it.
    pub person: PersonId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinError {
    /// Not 4 to 8 digits.
    Malformed,
    /// The two entries differ.
    Mismatch,
    Wrong,
    /// Too many wrong tries: wait this many seconds.
    Wait(u32),
    /// The browser gives no cryptographic randomness (a PIN cannot be made safely).
    NoRandom,
}

#[derive(Clone, Copy, Debug)]
pub struct ClientLock {
    pub lock: RwSignal<Option<Lock>>,
    failures: StoredValue<u32>,
    /// No try is taken before this time (device clock, ms).
    wait_until: StoredValue<i64>,
}

fn pin_key(person: PersonId) -> String {
    format!("{PIN_PREFIX}{person}")
}

fn well_formed(pin: &str) -> bool {
    (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

impl ClientLock {
    pub fn provide() -> Self {
        let lock = Self {
            lock: RwSignal::new(LocalStorage::get::<Lock>(LOCK_KEY).ok()),
            failures: StoredValue::new(0),
            wait_until: StoredValue::new(0),
        };
        provide_context(lock);
        lock
    }

    pub fn has_pin(person: PersonId) -> bool {
        LocalStorage::raw()
            .get_item(&pin_key(person))
            .ok()
            .flatten()
            .is_some()
    }

    /// Sets the person's PIN (typed twice).
    pub fn set_pin(person: PersonId, pin: &str, again: &str) -> Result<(), PinError> {
        if !well_formed(pin) {
            return Err(PinError::Malformed);
        }
        if pin != again {
            return Err(PinError::Mismatch);
        }
        let salt = crate::clock::secure_random::<16>().ok_or(PinError::NoRandom)?;
        let salt = SaltString::encode_b64(&salt).map_err(|_| PinError::NoRandom)?;
        let hash = argon2::Argon2::default()
            .hash_password(pin.as_bytes(), &salt)
            .map_err(|_| PinError::Malformed)?
            .to_string();
        LocalStorage::raw()
            .set_item(&pin_key(person), &hash)
            .map_err(|_| PinError::NoRandom)
    }

    /// Locks the tablet to one record's client mode.
    pub fn enter(self, lock: Lock) {
        let _ = LocalStorage::set(LOCK_KEY, &lock);
        self.lock.set(Some(lock));
    }

    /// Unlocks with the PIN of the person who locked.
    pub fn leave(self, pin: &str) -> Result<(), PinError> {
        let Some(lock) = self.lock.get_untracked() else {
            return Ok(());
        };
        let now = crate::clock::now_ms();
        let wait = self.wait_until.get_value();
        if now < wait {
            return Err(PinError::Wait(((wait - now) / 1000).max(1) as u32));
        }
        if !check_pin(lock.person, pin) {
            self.failures.update_value(|f| *f += 1);
            let failures = self.failures.get_value();
            if failures >= FREE_TRIES {
                let seconds = 30u32.saturating_mul(1 << (failures - FREE_TRIES).min(8));
                self.wait_until.set_value(now + i64::from(seconds) * 1000);
            }
            return Err(PinError::Wrong);
        }
        self.failures.set_value(0);
        LocalStorage::delete(LOCK_KEY);
        self.lock.set(None);
        Ok(())
    }
}

/// Whether `pin` is the person's PIN on this device.
pub fn check_pin(person: PersonId, pin: &str) -> bool {
    let stored = LocalStorage::raw()
        .get_item(&pin_key(person))
        .ok()
        .flatten()
        .unwrap_or_default();
    PasswordHash::new(&stored).is_ok_and(|hash| {
        argon2::Argon2::default()
            .verify_password(pin.as_bytes(), &hash)
            .is_ok()
    })
}

pub fn use_lock() -> ClientLock {
    expect_context::<ClientLock>()
}
