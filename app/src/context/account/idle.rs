//! The device's screen lock as the account sees it: it locks after a while untouched, opens
//! with the PIN or the password, and follows what the other tabs do to it (see
//! [`crate::device::screen`] for what is stored).

use super::{Account, UnlockError};
use crate::device::account as device;
use crate::device::screen::{self, LOCK_KEY, PASSWORD_AT_KEY};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

impl Account {
    /// How long untouched locks the screen, in seconds (5 s to an hour; the settings page offers
    /// whole minutes).
    pub fn idle_seconds() -> u32 {
        device::idle_seconds()
    }

    pub fn set_idle_seconds(seconds: u32) {
        device::set_idle_seconds(seconds);
    }

    /// Locks the screen once nobody touched the app for [`Self::idle_seconds`]. Past 12 hours
    /// since the password, the keys go too (the password is needed; a reload drops everything
    /// read from storage).
    pub(super) fn watch_idle(self) {
        let last = std::rc::Rc::new(std::cell::Cell::new(crate::clock::now_ms()));
        // A tab opened is a tab used: the others count from now too.
        screen::touch(last.get(), true);
        let touched = last.clone();
        for event in ["pointerdown", "keydown", "touchstart"] {
            let touched = touched.clone();
            let listener = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
                let now = crate::clock::now_ms();
                touched.set(now);
                screen::touch(now, false);
            });
            if let Some(window) = web_sys::window() {
                let _ = window
                    .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
            }
            listener.forget();
        }
        let tick = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            if !self.unlocked.get_untracked() || self.idle.get_untracked() {
                return;
            }
            // Untouched in every tab: one in use keeps the others open.
            let now = crate::clock::now_ms();
            let touched = last.get().max(screen::last_touched());
            if now - touched >= i64::from(Self::idle_seconds()) * 1000 {
                self.idle_lock();
            }
        });
        if let Some(window) = web_sys::window() {
            let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                1_000,
            );
        }
        tick.forget();
    }

    /// Locks the device's screen now, in every tab (the keys stay in memory, unless 12 hours
    /// have passed since the password, or the clock went back).
    pub fn idle_lock(self) {
        let Some(person) = self.me.with_untracked(|me| me.as_ref().map(|m| m.person)) else {
            return;
        };
        if !screen::within_window() {
            self.lock_keys();
            return;
        }
        screen::lock(person);
        self.set.idle.set(true);
    }

    /// Whether the locked screen may be opened with the PIN: the person has one, fewer than three
    /// wrong ones were typed, within 12 hours of the password.
    pub fn pin_opens(self) -> bool {
        self.me
            .with_untracked(|me| me.as_ref().map(|m| m.person))
            .is_some_and(|p| crate::lock::ClientLock::has_pin(p) && screen::pin_may_open(p))
    }

    /// Opens the device's screen with the person's PIN, in every tab; the third wrong one (in
    /// any tabs) drops the keys everywhere. A tab without keys asks the others for them.
    pub fn unlock_pin(self, pin: &str) -> Result<(), UnlockError> {
        let Some(me) = self.me.get_untracked() else {
            return Err(UnlockError::Other("nobody is signed in".into()));
        };
        if !self.pin_opens() {
            self.lock_keys();
            return Err(UnlockError::WrongPassword);
        }
        if crate::lock::check_pin(me.person, pin) {
            screen::unlock();
            self.set.idle.set(false);
            self.ask_for_keys();
            return Ok(());
        }
        if screen::pin_failed(me.person) >= screen::PIN_TRIES {
            self.lock_keys();
        }
        Err(UnlockError::WrongPassword)
    }

    /// Opens the locked screen with the password (in a tab without the keys, the password opens
    /// them, as on the unlock page).
    pub fn unlock_idle_password(self, password: &str) -> Result<(), UnlockError> {
        let Some(me) = self.me.get_untracked() else {
            return Err(UnlockError::Other("nobody is signed in".into()));
        };
        match device::check_password(me.person, password) {
            Ok(()) => {
                self.opened();
                Ok(())
            }
            Err(_) => Err(UnlockError::WrongPassword),
        }
    }

    /// A `storage` event of the screen lock from another tab: locked there, locked here;
    /// opened there (by the PIN or the password), opened here, and the keys asked for again if
    /// this tab has none.
    pub fn screen_event(self, key: &str, new: Option<&str>) {
        let mine = self.me.with_untracked(|me| me.as_ref().map(|m| m.person));
        match key {
            LOCK_KEY => {
                let locked = screen::locks(new, mine);
                if locked != self.idle.get_untracked() {
                    self.set.idle.set(locked);
                }
                if !locked {
                    self.ask_for_keys();
                }
            }
            // The password was typed in another tab: it holds the keys now.
            PASSWORD_AT_KEY => self.ask_for_keys(),
            _ => {}
        }
    }

    /// Asks the other tabs for the keys, a few times: the tab that holds them may learn that
    /// the screen opened a moment after the question reaches it.
    pub fn ask_for_keys(self) {
        leptos::task::spawn_local(async move {
            for wait in [0, 300, 1_000, 2_000] {
                gloo_timers::future::TimeoutFuture::new(wait).await;
                if self.me.with_untracked(Option::is_none)
                    || self.unlocked.get_untracked()
                    || screen::is_locked()
                {
                    return;
                }
                crate::tabs::post(&crate::tabs::Message::KeysPlease);
            }
        });
    }
}
