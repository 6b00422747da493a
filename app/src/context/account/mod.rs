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

mod idle;

use crate::context::data::{Db, Loading};
use crate::device::account::{self as device, VaultError};
use crate::device::api_error::ApiError;
use crate::device::sync::status::{Standing, standing};
use leptos::prelude::*;
use yorisoi_domain::accounts::{Me, Role};
use yorisoi_domain::ids::PersonId;

pub use crate::device::session::IDLE_SECONDS;
use crate::device::session::{self, is_another};

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
    pub me: ReadSignal<Option<Me>>,
    pub why: ReadSignal<Why>,
    /// This tab holds the person's keys (see [`crate::vault`]): what is stored can be read.
    pub unlocked: ReadSignal<bool>,
    /// The device's screen is locked (see [`crate::device::screen`]): this tab shows the lock page, and
    /// hands its keys, if it has them, to no other tab.
    pub idle: ReadSignal<bool>,
    /// The device key is wrapped under an older password than the one just signed in with
    /// (the password was changed elsewhere, or reset): the new one, until the old is typed.
    pub stale: ReadSignal<Option<String>>,
    /// Bumped when a session began (a sign-in, the server confirming a stored one): the sync
    /// engine syncs at once.
    began: RwSignal<u64>,
    db: Db,
    /// The writing halves of the signals above: this handle writes them, views only read.
    set: AccountSet,
}

/// What `Account` writes of what pages read.
#[derive(Clone, Copy, Debug)]
struct AccountSet {
    me: WriteSignal<Option<Me>>,
    why: WriteSignal<Why>,
    unlocked: WriteSignal<bool>,
    idle: WriteSignal<bool>,
    stale: WriteSignal<Option<String>>,
}

/// Why the app could not be unlocked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnlockError {
    WrongPassword,
    /// This person has no key on this device yet, and the server cannot be reached to check
    /// their password.
    NeedsServer,
    /// The server refused the password (it says why).
    Server(ApiError),
    Other(String),
}

impl Account {
    /// Reads who was signed in, puts the account in context, and checks the session with the
    /// server in the background.
    pub fn provide(db: Db) -> Self {
        let stored = device::stored_session();
        // A clock moved back does not make the offline time last longer.
        let now = crate::clock::monotonic_now_ms();
        let live = stored.as_ref().is_some_and(|s| s.live(now));
        let (me, set_me) = signal(stored.clone().filter(|_| live).map(|s| s.me));
        let (why, set_why) = signal(if stored.is_some() && !live {
            Why::Expired
        } else {
            Why::SignedOut
        });
        let (unlocked, set_unlocked) = signal(false);
        // A tab opened (or reloaded) while the device's screen is locked starts locked.
        let (idle, set_idle) = signal(
            stored
                .as_ref()
                .is_some_and(|s| live && crate::device::screen::locked_for(s.me.person)),
        );
        let (stale, set_stale) = signal(None);
        let account = Self {
            began: RwSignal::new(0),
            db,
            me,
            why,
            unlocked,
            idle,
            stale,
            set: AccountSet {
                me: set_me,
                why: set_why,
                unlocked: set_unlocked,
                idle: set_idle,
                stale: set_stale,
            },
        };
        provide_context(account);
        account.watch_idle();
        // The server has the last word: a session this device thinks ran out may not have (its
        // clock jumped), and one it thinks runs may have been ended.
        if stored.is_some() {
            leptos::task::spawn_local(async move {
                match device::check_session().await {
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
                                account.begin();
                            }
                        }
                    }
                    Err(error) => account.refused(db, &error).await,
                }
            });
        }
        account
    }

    /// Another open tab of this app may hold the keys already: it is asked, once the tabs'
    /// channel is open (see `crate::context::provide_all`).
    pub fn greet(self) {
        if self.me.with_untracked(Option::is_some) {
            crate::tabs::post(&crate::tabs::Message::KeysPlease);
        }
    }

    /// A session began: sync at once.
    fn begin(self) {
        self.began.update(|n| *n += 1);
    }

    /// How many sessions began in this tab, tracked: what the sync engine watches.
    pub fn began(self) -> u64 {
        self.began.get()
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
        device::remember(me);
        self.set.me.set(Some(me.clone()));
    }

    /// Signs in on this device. Another person than the last one starts from a clean slate.
    pub async fn sign_in(self, db: Db, login: String, password: String) -> Result<(), ApiError> {
        let me = device::sign_in(login, password.clone()).await?;
        // Nothing of this person is on the device: its first sync bootstraps, and the server
        // reads the first page while the password's key is derived below.
        let last = device::last_person();
        if session::starts_fresh(last, &me) {
            crate::device::prefetch::prefetch_bootstrap().await;
        }
        self.open_vault(db, &me, &password).await;
        self.signed_in(db, me).await;
        Ok(())
    }

    /// The server checked the person's password: their key on this device is opened, or made on
    /// their first sign-in here. What another person (or role) received from the server is
    /// deleted first, before anything reads it; their unsent changes stay, sealed for them.
    pub async fn open_vault(self, db: Db, me: &Me, password: &str) {
        let last = device::last_person();
        if is_another(last, me) && db.loading.get_untracked() != Loading::Ready {
            db.clear_synced().await;
            crate::tabs::post(&crate::tabs::Message::Wiped);
            device::note_last_person(me);
        }
        match device::open_keys(me.person, password, true) {
            Ok(()) => self.opened(),
            Err(VaultError::WrongPassword) => self.set.stale.set(Some(password.to_owned())),
            Err(other) => leptos::logging::error!("the keys could not be opened: {other:?}"),
        }
    }

    /// The password was typed: this tab holds the keys, and the device's screen opens.
    fn opened(self) {
        crate::clock::mark("yorisoi-unlocked");
        crate::device::screen::password_typed();
        self.set.stale.set(None);
        self.set.idle.set(false);
        self.set.unlocked.set(true);
    }

    /// Unlocks with the password, offline: it opens the key on this device. A person with no key
    /// here yet (the device held data from before sealing) is checked by the server once.
    pub async fn unlock(self, db: Db, password: String) -> Result<(), UnlockError> {
        let Some(me) = self.me.get_untracked() else {
            return Err(UnlockError::Other("nobody is signed in".into()));
        };
        crate::clock::mark("yorisoi-unlock");
        match device::open_keys(me.person, &password, false) {
            Ok(()) => {
                self.opened();
                Ok(())
            }
            Err(VaultError::WrongPassword) => Err(UnlockError::WrongPassword),
            Err(VaultError::NoKey) => match self.sign_in(db, me.login.clone(), password).await {
                Ok(()) => Ok(()),
                Err(ApiError::Offline | ApiError::Stalled) => Err(UnlockError::NeedsServer),
                Err(error) => Err(UnlockError::Server(error)),
            },
            Err(other) => Err(UnlockError::Other(format!("{other:?}"))),
        }
    }

    /// The device key was wrapped under an older password: the old one opens it, and it is
    /// wrapped again under the new one.
    pub fn unlock_stale(self, old_password: &str) -> Result<(), UnlockError> {
        let (Some(me), Some(new)) = (self.me.get_untracked(), self.stale.get_untracked()) else {
            return Err(UnlockError::Other("nothing to unlock".into()));
        };
        match device::open_keys(me.person, old_password, false) {
            Ok(()) => {
                device::rewrap_keys(&new).map_err(|e| UnlockError::Other(format!("{e:?}")))?;
                self.opened();
                Ok(())
            }
            Err(VaultError::WrongPassword) => Err(UnlockError::WrongPassword),
            Err(other) => Err(UnlockError::Other(format!("{other:?}"))),
        }
    }

    /// The old password is lost: this person's data on this device is deleted (what the server
    /// has comes again; unsent changes sealed under the old key are lost, as the page says) and
    /// a new key is made under the new password.
    pub async fn start_over(self) {
        let (Some(me), Some(new)) = (self.me.get_untracked(), self.stale.get_untracked()) else {
            return;
        };
        self.db.clear_synced().await;
        device::forget_keys_of(me.person);
        if device::open_keys(me.person, &new, true).is_ok() {
            self.opened();
        }
    }

    /// Another tab shared the keys: this one is unlocked too (the screen lock, the PIN's
    /// 12 hours and its wrong tries stay the device's).
    pub fn keys_arrived(self, person: PersonId, key: &str) {
        let mine = self.me.with_untracked(|me| me.as_ref().map(|m| m.person));
        if mine == Some(person) && device::adopt_keys(person, key) {
            crate::clock::mark("yorisoi-unlocked");
            self.set.stale.set(None);
            self.set.unlocked.set(true);
        }
    }

    /// Drops the keys and everything read with them: the app starts again, asking for the
    /// password. What is stored stays, sealed.
    pub fn lock_keys(self) {
        device::lock_everywhere();
        let _ = window().location().reload();
    }

    /// A session began (sign-in, set-up, new password). The background check of a stored
    /// session ([`Self::provide`]) also lands here when the role changed meanwhile.
    pub async fn signed_in(self, db: Db, me: Me) {
        let last = device::last_person();
        self.remember(&me);
        // Another person, or the same person in another role (their scope changed wholesale):
        // what came from the server goes, and the pull starts from nothing.
        if is_another(last, &me) {
            db.wipe(true).await;
            return;
        }
        self.begin();
    }

    /// Signs out: the session ends on the server (when it can be reached) and here. Nothing on
    /// the device is deleted; unsent changes wait for the next sign-in.
    pub async fn sign_out(self) {
        device::sign_out().await;
        self.set.why.set(Why::SignedOut);
        self.set.me.set(None);
        // The keys go, and with them everything read from storage: the other tabs too.
        self.lock_keys();
    }

    /// The server refused a request for who this device is: ask for a sign-in, or delete.
    pub async fn refused(self, db: Db, error: &ApiError) {
        let Some(code) = error.code() else { return };
        match standing(code) {
            // A request that could not prove this device: asked to sign in again, which says
            // why if it goes on.
            Standing::SignedOut | Standing::Unproven => {
                device::end_session();
                self.set.why.set(Why::Ended);
                self.set.me.set(None);
            }
            Standing::Revoked => db.wipe(false).await,
            // A retired device sends what is unsent, then deletes: the sync engine does both
            // (its `answer`), once the outbox is read; here it may not be yet (the keys may be
            // locked), so nothing is deleted on this answer alone.
            Standing::Retired => self.begin(),
            Standing::Unaffected => {}
        }
    }
}

pub fn use_account() -> Account {
    expect_context::<Account>()
}
