//! Who is signed in on this device.
//!
//! The session itself is an HttpOnly cookie the page never sees. What the app keeps is who it is
//! for and until when (`yorisoi.session`): the app works offline until then, and asks for a
//! sign-in online after, deleting nothing. When the server says the session ended (signed out
//! elsewhere, password reset, disabled), the app asks for a sign-in and keeps everything. When it
//! says the device was revoked, the app deletes every client's data at once.
//!
//! When a different person signs in than the last one on this device, what came from the server
//! is deleted first (their unsent changes stay, to be sent): the new person then receives only
//! the clients they may see.

use crate::api::{self, ApiError};
use crate::db::Db;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use yorisoi_domain::accounts::{Me, Role, SignIn};
use yorisoi_domain::ids::PersonId;

const SESSION_KEY: &str = "yorisoi.session";

/// Who is signed in, and how far this device's clock was from the server's at the last contact.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Stored {
    me: Me,
    /// Device clock minus server clock, in ms.
    offset: i64,
}

impl Stored {
    /// Whether the session still runs, by the server's clock as this device reckons it.
    fn live(&self, device_now: i64) -> bool {
        device_now - self.offset < self.me.expires_at
    }
}
/// Who last signed in on this device, and in what role: the device's data is theirs.
const LAST_PERSON_KEY: &str = "yorisoi.last_person";

/// Why the app asks for a sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// Nobody has signed in on this device yet, or they signed out.
    SignedOut,
    /// The time this device may work offline ran out.
    Expired,
    /// The server ended the session (signed out elsewhere, new password, disabled).
    Ended,
}

#[derive(Clone, Copy, Debug)]
pub struct Account {
    pub me: RwSignal<Option<Me>>,
    pub why: RwSignal<Why>,
}

impl Account {
    /// Reads who was signed in, puts the account in context, and checks the session with the
    /// server in the background.
    pub fn provide(db: Db) -> Self {
        let stored = LocalStorage::get::<Stored>(SESSION_KEY).ok();
        let now = crate::clock::now_ms();
        let live = stored.as_ref().is_some_and(|s| s.live(now));
        let account = Self {
            me: RwSignal::new(stored.clone().filter(|_| live).map(|s| s.me)),
            why: RwSignal::new(if stored.is_some() && !live {
                Why::Expired
            } else {
                Why::SignedOut
            }),
        };
        provide_context(account);
        ACCOUNT.with(|a| a.set(Some(account)));
        // The server has the last word: a session this device thinks ran out may not have (its
        // clock jumped), and one it thinks runs may have been ended.
        if stored.is_some() {
            leptos::task::spawn_local(async move {
                match api::me().await {
                    Ok(me) => {
                        let was_out = account.me.get_untracked().is_none();
                        let role_changed = account
                            .me
                            .get_untracked()
                            .is_some_and(|old| old.role != me.role);
                        if role_changed {
                            account.signed_in(db, me).await;
                        } else {
                            account.remember(&me);
                            if was_out {
                                crate::sync::after_sign_in();
                            }
                        }
                    }
                    Err(error) => account.refused(db, &error).await,
                }
            });
        }
        account
    }

    /// Whether someone who reads client data is signed in: sync runs only then.
    pub fn reads_clients(self) -> bool {
        self.me
            .with_untracked(|me| me.as_ref().is_some_and(|m| m.role.reads_clients()))
    }

    pub fn role(self) -> Option<Role> {
        self.me.with(|me| me.as_ref().map(|m| m.role))
    }

    fn remember(self, me: &Me) {
        let offset = if me.server_time > 0 {
            crate::clock::now_ms() - me.server_time
        } else {
            0
        };
        let _ = LocalStorage::set(
            SESSION_KEY,
            Stored {
                me: me.clone(),
                offset,
            },
        );
        let _ = LocalStorage::set(LAST_PERSON_KEY, (me.person, me.role));
        self.me.set(Some(me.clone()));
    }

    /// Signs in on this device. Another person than the last one starts from a clean slate.
    pub async fn sign_in(self, db: Db, login: String, password: String) -> Result<(), ApiError> {
        let device = db
            .device()
            .ok_or_else(|| ApiError::Garbled("this device's storage is not loaded".into()))?;
        let me = api::sign_in(&SignIn {
            login,
            password,
            device,
        })
        .await?;
        self.signed_in(db, me).await;
        Ok(())
    }

    /// A session began (sign-in, set-up, new password). The background check of a stored
    /// session ([`Self::provide`]) also lands here when the role changed meanwhile.
    pub async fn signed_in(self, db: Db, me: Me) {
        let last = LocalStorage::get::<(PersonId, Role)>(LAST_PERSON_KEY).ok();
        self.remember(&me);
        // Another person, or the same person in another role (their scope changed wholesale):
        // what came from the server goes, and the pull starts from nothing.
        if last.is_some_and(|last| last != (me.person, me.role)) {
            db.wipe(true).await;
            return;
        }
        crate::sync::after_sign_in();
    }

    /// Signs out: the session ends on the server (when it can be reached) and here. Nothing on
    /// the device is deleted; unsent changes wait for the next sign-in.
    pub async fn sign_out(self) {
        let _ = api::sign_out().await;
        LocalStorage::delete(SESSION_KEY);
        self.why.set(Why::SignedOut);
        self.me.set(None);
    }

    /// The server refused a request for who this device is: ask for a sign-in, or delete.
    pub async fn refused(self, db: Db, error: &ApiError) {
        match error.code() {
            Some("signed_out") => {
                LocalStorage::delete(SESSION_KEY);
                self.why.set(Why::Ended);
                self.me.set(None);
            }
            Some("device_revoked") => db.wipe(false).await,
            Some("device_retired") => crate::sync::after_sign_in(),
            _ => {}
        }
    }
}

thread_local! {
    static ACCOUNT: std::cell::Cell<Option<Account>> = const { std::cell::Cell::new(None) };
}

/// The account, for code outside components (the sync engine).
pub fn account() -> Option<Account> {
    ACCOUNT.with(std::cell::Cell::get)
}

pub fn use_account() -> Account {
    expect_context::<Account>()
}
