//! The account's steps on the device, for the account handle (`crate::context::account`) and the
//! tabs' router: the session's entries (who is signed in and until when, the last person to sign
//! in here, how long untouched locks the screen), the server's session calls, and the person's
//! keys in memory (`crate::vault`). No Leptos: each step does its storage, HTTP or key work and
//! returns what the handle shows; the rules (when a session is live, who counts as another
//! person) are in [`super::session`].

use crate::api;
use crate::device::api_error::ApiError;
use crate::device::screen;
use crate::device::session::{self, IDLE_KEY, LAST_PERSON_KEY, SESSION_KEY, Session};
use crate::tabs::{self, Message};
use crate::vault;
use gloo_storage::{LocalStorage, Storage};
use yorisoi_domain::accounts::{Me, Role, SignIn};
use yorisoi_domain::ids::PersonId;

pub use crate::vault::VaultError;

/// Who was signed in on this device and until when, as last stored (live or not).
pub fn stored_session() -> Option<Session> {
    LocalStorage::get::<Session>(SESSION_KEY).ok()
}

/// The last person (and role) to sign in on this device.
pub fn last_person() -> Option<(PersonId, Role)> {
    LocalStorage::get::<(PersonId, Role)>(LAST_PERSON_KEY).ok()
}

/// Notes `me` as the last person to sign in here.
pub fn note_last_person(me: &Me) {
    let _ = LocalStorage::set(LAST_PERSON_KEY, (me.person, me.role));
}

/// A session began or was confirmed: it is kept (the device works offline until it runs out),
/// and `me` is the last person here.
pub fn remember(me: &Me) {
    let _ = LocalStorage::set(SESSION_KEY, Session::of(me.clone(), crate::clock::now_ms()));
    note_last_person(me);
}

/// The session ended (signed out, or the server said so): the device asks for a sign-in. Nothing
/// else is deleted.
pub fn end_session() {
    LocalStorage::delete(SESSION_KEY);
}

/// Asks the server who this device's session is for.
pub async fn check_session() -> Result<Me, ApiError> {
    api::me().await
}

/// Signs in with the server, naming this device.
pub async fn sign_in(login: String, password: String) -> Result<Me, ApiError> {
    api::sign_in(&SignIn {
        login,
        password,
        device: crate::storage::device_id(),
    })
    .await
}

/// Ends the session on the server, when it can be reached, and here.
pub async fn sign_out() {
    let _ = api::sign_out().await;
    end_session();
}

/// How long untouched locks the screen, in seconds, as set on this device.
pub fn idle_seconds() -> u32 {
    session::idle_seconds(LocalStorage::get::<u32>(IDLE_KEY).ok())
}

pub fn set_idle_seconds(seconds: u32) {
    let _ = LocalStorage::set(IDLE_KEY, session::clamp_idle(seconds));
}

/// Opens `person`'s key on this device with their password (`create`: made if they have none
/// here yet).
pub fn open_keys(person: PersonId, password: &str, create: bool) -> Result<(), VaultError> {
    vault::unlock(person, password, create)
}

/// Checks the password of the locked screen: against the key this tab holds, or by opening it
/// when it holds none.
pub fn check_password(person: PersonId, password: &str) -> Result<(), VaultError> {
    if vault::unlocked().is_some() {
        vault::check(person, password)
    } else {
        vault::unlock(person, password, false)
    }
}

/// Wraps the open key again under the new password.
pub fn rewrap_keys(new_password: &str) -> Result<(), VaultError> {
    vault::rewrap(new_password)
}

/// The person's old password is lost: what is sealed for them on this device and their key go.
pub fn forget_keys_of(person: PersonId) {
    crate::storage::remove_sealed_by(person);
    vault::forget(person);
}

/// Takes the keys another tab shared, if this tab holds none yet: whether it took them.
pub fn adopt_keys(person: PersonId, key: &str) -> bool {
    vault::unlocked().is_none() && vault::adopt(person, key)
}

/// Drops this tab's keys and tells the other tabs to drop theirs.
pub fn lock_everywhere() {
    vault::lock();
    tabs::post(&Message::Lock);
}

/// Another tab said to lock: whether this tab held keys (and dropped them).
pub fn lock_here() -> bool {
    if vault::unlocked().is_some() {
        vault::lock();
        true
    } else {
        false
    }
}

/// Another tab asked for the keys: they are shared unless the screen is locked (a locked screen
/// hands nothing over: the tab asking waits for the PIN or password).
pub fn share_keys() {
    if screen::may_share()
        && let Some((person, key)) = vault::share()
    {
        tabs::post(&Message::Keys { person, key });
    }
}
