//! The screen lock, for the whole device. When the app is left untouched, every tab of it locks;
//! a tab opened or reloaded meanwhile starts locked; and no tab hands the keys to another (see
//! [`crate::vault`], `tabs::Message::KeysPlease`) until the coach's PIN or password opened the
//! screen again, in any tab. Then every tab opens, and a tab without the keys asks for them
//! again; if no tab holds them any more, it asks for the password.
//!
//! The state is in localStorage, so every tab reads the same and hears each change through a
//! `storage` event. None of it says anything about a client:
//! - `yorisoi.screen_lock`: present while the screen is locked: whose, and the wrong PINs typed
//!   since, in any tab (the third needs the password, whichever tabs they were typed in).
//! - `yorisoi.touched`: when a person last touched any tab (device clock, ms; written at most
//!   once a second), so a tab left in the background does not lock the one in use.
//! - `yorisoi.password_at`: when the password was last typed on this device: the PIN opens the
//!   screen only within 12 hours of it (a tab that received the keys from another does not
//!   start a new 12 hours).

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use yorisoi_domain::ids::PersonId;

pub const LOCK_KEY: &str = "yorisoi.screen_lock";
const TOUCHED_KEY: &str = "yorisoi.touched";
pub const PASSWORD_AT_KEY: &str = "yorisoi.password_at";
/// A PIN re-opens a locked screen only this long after the password was typed.
const PIN_WINDOW_MS: i64 = 12 * 60 * 60 * 1000;
/// Wrong PINs before the password is needed.
pub const PIN_TRIES: u32 = 3;

/// The device's screen is locked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locked {
    /// Whose screen (a lock left by someone else is not this person's).
    pub person: PersonId,
    /// Wrong PINs since it locked, in any tab.
    #[serde(default)]
    pub pin_failures: u32,
}

thread_local! {
    /// When this tab last wrote [`TOUCHED_KEY`].
    static WRITTEN: Cell<i64> = const { Cell::new(0) };
}

fn read() -> Option<Locked> {
    LocalStorage::get::<Locked>(LOCK_KEY).ok()
}

/// Whether the device's screen is locked, for anyone: no tab shares the keys then.
pub fn is_locked() -> bool {
    LocalStorage::raw()
        .get_item(LOCK_KEY)
        .ok()
        .flatten()
        .is_some()
}

/// Whether the device's screen is locked for `person`.
pub fn locked_for(person: PersonId) -> bool {
    read().is_some_and(|l| l.person == person)
}

/// Locks the device's screen for `person` (every other tab hears it).
pub fn lock(person: PersonId) {
    if !locked_for(person) {
        let _ = LocalStorage::set(
            LOCK_KEY,
            Locked {
                person,
                pin_failures: 0,
            },
        );
    }
}

/// Opens the device's screen (every other tab hears it).
pub fn unlock() {
    touch(crate::clock::now_ms(), true);
    LocalStorage::delete(LOCK_KEY);
}

/// One more wrong PIN for `person`'s locked screen: how many now.
pub fn pin_failed(person: PersonId) -> u32 {
    let mut locked = read().filter(|l| l.person == person).unwrap_or(Locked {
        person,
        pin_failures: 0,
    });
    locked.pin_failures = locked.pin_failures.saturating_add(1);
    let _ = LocalStorage::set(LOCK_KEY, &locked);
    locked.pin_failures
}

/// Whether the PIN may still open `person`'s screen: fewer than three wrong ones, and within
/// 12 hours of the password by a clock that did not go back.
pub fn pin_may_open(person: PersonId) -> bool {
    read().is_none_or(|l| l.person != person || l.pin_failures < PIN_TRIES) && within_window()
}

/// Whether the password was typed on this device less than 12 hours ago.
pub fn within_window() -> bool {
    LocalStorage::get::<i64>(PASSWORD_AT_KEY)
        .is_ok_and(|at| (0..PIN_WINDOW_MS).contains(&(crate::clock::now_ms() - at)))
}

/// The password was typed: the 12 hours start again and the screen opens, in every tab.
pub fn password_typed() {
    let _ = LocalStorage::set(PASSWORD_AT_KEY, crate::clock::now_ms());
    unlock();
}

/// A person touched this tab at `now`; written for the other tabs at most once a second (or at
/// once when `force`d).
pub fn touch(now: i64, force: bool) {
    if force || now - WRITTEN.get() >= 1_000 {
        WRITTEN.set(now);
        let _ = LocalStorage::set(TOUCHED_KEY, now);
    }
}

/// When a person last touched any tab of the app.
pub fn last_touched() -> i64 {
    LocalStorage::get::<i64>(TOUCHED_KEY).unwrap_or(0)
}

/// Whether this tab may hand its keys to a tab that asks: not while the device's screen is
/// locked. Read from storage, not from this tab's signal: a `storage` event and a message of the
/// channel may arrive in either order.
pub fn may_share() -> bool {
    !is_locked()
}

/// Whether a lock entry (a `storage` event's new value) locks `person`'s screen.
pub fn locks(entry: Option<&str>, person: Option<PersonId>) -> bool {
    entry
        .and_then(|text| serde_json::from_str::<Locked>(text).ok())
        .is_some_and(|l| Some(l.person) == person)
}
