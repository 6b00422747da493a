//! Talking to the server: push the outbox, then pull pages until the log is caught up.
//!
//! Only one tab of a browser profile talks to the server: the one holding the sync lock (see
//! [`crate::tabs`]). It pushes every tab's sealed changes and every closed tab's changes, tells the
//! others each pulled page and its status, and the others show that status and ask it to sync.
//! When it closes or crashes, another tab takes the lock and carries on; the server stores a
//! number once, so a push repeated by the new tab stores nothing twice.
//!
//! Sync runs on start, when the browser says it is online again, when the tab becomes visible,
//! shortly after an edit, every minute while things go well, with growing pauses after failures
//! (5 s doubling to 5 min), and when a person presses 今すぐ同期. A watchdog drops any request that
//! has not answered in 20 s (the browser aborts its fetch) and the run counts as failed, so a
//! half-open connection never blocks sync for good. Every step is safe to repeat: a push the
//! server stored but whose answer was lost is stored nothing twice, and a page written with its
//! cursor in one transaction is never applied half.

use crate::api::{self, ApiError};
use crate::context::account::Account;
use crate::context::data::{Db, Loading};
use crate::device::prefetch;
use crate::device::state::Progress;
use crate::tabs::{self, Message};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use yorisoi_domain::errors::ErrorCode;
use yorisoi_domain::sync::protocol::{PushRequest, WIRE_FORMAT};

mod restore;

pub use crate::device::prefetch::prefetch_bootstrap;
use crate::device::sync::status::{self, FOLD_QUIET_MS, HandOver, SOON_MS, Verdict};
pub use crate::device::sync::status::{SyncError, SyncStatus};

#[derive(Clone, Copy, Debug)]
pub struct SyncEngine {
    db: Db,
    account: Account,
    pub status: ReadSignal<SyncStatus>,
    /// Someone asked for a sync while one was running: run once more after it.
    again: StoredValue<bool>,
    failures: StoredValue<u32>,
    /// The newest scheduled timer; an older one that fires does nothing.
    timer: StoredValue<u64>,
    /// Whether this tab is the one that syncs.
    leader: StoredValue<bool>,
    /// The writing halves of the signals above: this handle writes them, views only read.
    set: SyncSet,
}

/// What the engine writes of what pages read.
#[derive(Clone, Copy, Debug)]
struct SyncSet {
    status: WriteSignal<SyncStatus>,
}

impl SyncEngine {
    /// Puts the engine in context and starts it once the data is loaded. It syncs shortly
    /// after every edit, when another tab sealed changes (in the syncing tab), and at once when
    /// a session began.
    pub fn provide(db: Db, account: Account) -> Self {
        let (status, set_status) = signal(SyncStatus::default());
        let engine = Self {
            db,
            account,
            again: StoredValue::new(false),
            failures: StoredValue::new(0),
            timer: StoredValue::new(0),
            leader: StoredValue::new(false),
            status,
            set: SyncSet { status: set_status },
        };
        provide_context(engine);
        Effect::watch(move || db.edits(), move |_, _, _| engine.soon(), false);
        Effect::watch(
            move || db.sealed_elsewhere(),
            move |_, _, _| {
                if engine.leader.get_value() {
                    engine.soon();
                }
            },
            false,
        );
        Effect::watch(
            move || account.began(),
            move |_, _, _| {
                engine.failures.set_value(0);
                engine.now();
            },
            false,
        );
        tabs::lead(move || {
            engine.leader.set_value(true);
            // What this tab showed was the previous syncing tab's status: if that tab closed
            // mid-sync it said "running", and no run of this tab's is.
            engine.set.status.update(|s| {
                s.running = false;
                s.progress = None;
            });
            engine.now();
        });
        let started = StoredValue::new(false);
        Effect::new(move |_| {
            if db.loading.get() == Loading::Ready && !started.get_value() {
                started.set_value(true);
                engine.now();
            }
        });
        let online = window_event_listener(leptos::ev::online, move |_| engine.now());
        std::mem::forget(online);
        let visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
            if document().visibility_state() == web_sys::VisibilityState::Visible {
                engine.now();
            }
        });
        std::mem::forget(visible);
        engine
    }

    /// Syncs now, or once more right after the sync that is running. In a tab that does not
    /// sync, makes this tab's changes final and asks the syncing tab.
    pub fn now(self) {
        if self.db.loading.get_untracked() != Loading::Ready || !self.account.reads_clients() {
            return;
        }
        if !self.leader.get_value() {
            self.db.seal();
            tabs::post(&Message::SyncNow);
            return;
        }
        if self.status.with_untracked(|s| s.running) {
            self.again.set_value(true);
            return;
        }
        self.update_status(|s| s.running = true);
        wasm_bindgen_futures::spawn_local(self.run());
    }

    /// Changes the status and, in the syncing tab, tells the other tabs.
    fn update_status(self, change: impl FnOnce(&mut SyncStatus)) {
        self.set.status.update(change);
        if self.leader.get_value() {
            tabs::post(&Message::Status {
                status: self.status.get_untracked(),
            });
        }
    }

    /// A message from another tab.
    pub fn receive(self, message: Message) {
        let leader = self.leader.get_value();
        match message {
            Message::Status { status } if !leader => self.set.status.set(status),
            Message::SyncNow if leader => self.now(),
            Message::Hello if leader => tabs::post(&Message::Status {
                status: self.status.get_untracked(),
            }),
            _ => {}
        }
    }

    /// Syncs shortly (after an edit), unless sync is pausing after failures.
    pub fn soon(self) {
        if self.failures.get_value() == 0 {
            self.schedule(SOON_MS);
        }
    }

    fn schedule(self, ms: u32) {
        self.timer.update_value(|t| *t += 1);
        let mine = self.timer.get_value();
        wasm_bindgen_futures::spawn_local(async move {
            TimeoutFuture::new(ms).await;
            if self.timer.get_value() == mine {
                self.now();
            }
        });
    }

    async fn run(self) {
        loop {
            self.again.set_value(false);
            let result = self.db.then_instruments(self.sync_once().await).await;
            match result {
                Ok(()) => {
                    self.failures.set_value(0);
                    self.update_status(|s| {
                        s.last_synced = Some(crate::clock::now_ms());
                        s.error = None;
                    });
                }
                Err(error) => {
                    self.failures.update_value(|f| *f += 1);
                    self.update_status(|s| s.error = Some(error));
                }
            }
            if !self.again.get_value() {
                break;
            }
        }
        self.update_status(|s| {
            s.running = false;
            s.progress = None;
        });
        let failures = self.failures.get_value();
        self.schedule(status::next_sync_ms(failures));
        if failures == 0 {
            self.fold_when_quiet();
        }
    }

    /// Folds the clients that gathered many chunks once sync has been quiet for a while (no sync
    /// started since): a long session's pulled pages and acknowledged pushes become one
    /// snapshot per client, so the next start reads few.
    fn fold_when_quiet(self) {
        // Any sync asked for meanwhile moves the timer on: then it is not quiet.
        let mine = self.timer.get_value();
        wasm_bindgen_futures::spawn_local(async move {
            TimeoutFuture::new(FOLD_QUIET_MS).await;
            if self.timer.get_value() == mine && !self.status.with_untracked(|s| s.running) {
                self.db.fold_gathered().await;
            }
        });
    }

    /// Pushes every writer's changes that may be pushed, oldest writer first.
    async fn push_all(self) -> Result<(), SyncError> {
        // Every tab's changes: what this tab may have missed of them is read again first.
        self.db.rescan();
        let alive = tabs::alive_writers().await;
        while let Some((device, changes)) = self.db.next_push(&alive) {
            let request = PushRequest {
                format: WIRE_FORMAT,
                device,
                changes,
            };
            let response = match api::push(&request, &self.db.instance()).await {
                // The server was restored from a backup: nothing of this push was stored. What
                // it lacks goes again first, then this push.
                Err(error) if error.is(&ErrorCode::InstanceChanged) => {
                    self.after_restore().await?;
                    continue;
                }
                other => self.answer(other).await?,
            };
            let acked = self
                .db
                .acknowledged(device, response.acked_through, &response.refused)
                .await?;
            if acked == 0 {
                return Err(SyncError::Refused(format!(
                    "the server kept changes only through number {}",
                    response.acked_through
                )));
            }
        }
        self.db.forget_gone_writers(&alive);
        Ok(())
    }

    async fn sync_once(self) -> Result<(), SyncError> {
        self.push_all().await?;
        match self.db.bootstrap_progress() {
            Some(progress) => self.bootstrap(progress).await?,
            // A page asked for at sign-in is not needed: this device pulls.
            None => drop(prefetch::take()),
        }
        let start = self.db.cursor();
        let mut last_token = None;
        loop {
            let since = self.db.cursor();
            let page = self.answer(api::pull(since, self.db.scope()).await).await?;
            if self.db.restored(&page.instance) {
                // Another database than the one this device knew: the page is from its own log,
                // not from this device's cursor. Send again what it lacks, then pull from 0.
                self.after_restore().await?;
                continue;
            }
            self.db.adopt(&page.instance).await?;
            let (cursor, more, head) = (page.cursor, page.more, page.head);
            let hand_over = HandOver::of(page.scope.as_ref());
            let handed_over = hand_over.is_new(last_token);
            last_token = hand_over.token;
            self.db
                .pulled(page.changes, cursor, hand_over.finished)
                .await?;
            // A hand-over is finished with its page, unless clients left: their unsent changes
            // are sent first, and only then are they deleted and the hand-over finished.
            if let Some((left, token)) = hand_over.left {
                self.push_all().await?;
                if self.db.has_unsent_for(&left) {
                    // Another tab still types for them: they are deleted on a later sync.
                    return Ok(());
                }
                self.db.forget_clients(&left, token).await?;
            }
            self.update_status(|s| {
                s.progress = more.then(|| {
                    (
                        cursor.saturating_sub(start),
                        head.max(cursor).saturating_sub(start),
                    )
                })
            });
            // A hand-over bringing many clients comes a page of clients at a time, with `more`
            // and the cursor where it was: the next pull confirms it and brings the next.
            if !more || (cursor <= since && !handed_over) {
                return Ok(());
            }
        }
    }

    /// A first sync: the current state of the device's scope, a page at a time, instead of its
    /// whole history; the pull then brings what changed after it. A tab closed part-way goes on
    /// from the last page stored.
    async fn bootstrap(self, mut progress: Progress) -> Result<(), SyncError> {
        self.update_status(|s| {
            s.progress = Some((progress.received, progress.total.unwrap_or(0)));
        });
        // From nothing after a sign-in, the pages come from the reading started then; otherwise
        // each is asked for here, the next before the last is stored.
        let ahead = match progress.after {
            None => prefetch::take(),
            Some(_) => prefetch::take().and(None),
        };
        let fetch = |after: Option<String>| {
            let ahead = ahead.clone();
            async move {
                match ahead {
                    Some(slot) => prefetch::next_prefetched(&slot).await,
                    None => api::bootstrap(after.as_deref()).await,
                }
            }
        };
        let mut page = self.answer(fetch(progress.after.clone()).await).await?;
        loop {
            let instance = page.head.instance.clone();
            // The next page is asked for before this one is stored: the server reads it while
            // this device seals and stores the last.
            let next = page.head.next.clone();
            let fetch_next = async {
                match next {
                    Some(after) => Some(fetch(Some(after)).await),
                    None => None,
                }
            };
            let (fetched, stored) =
                futures_util::future::join(fetch_next, self.db.bootstrapped(page, &mut progress))
                    .await;
            let last = stored?;
            if last {
                self.db.adopt(&instance).await?;
            }
            self.update_status(|s| {
                s.progress = Some((progress.received, progress.total.unwrap_or(0)));
            });
            match fetched {
                Some(fetched) if !last => page = self.answer(fetched).await?,
                _ => return Ok(()),
            }
        }
    }

    /// An answer, or what its error means here: a revoked device deletes at once; a retired one
    /// deletes once nothing is left to send; an ended session asks for a sign-in.
    async fn answer<T>(self, result: Result<T, ApiError>) -> Result<T, SyncError> {
        let error = match result {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        match status::classify(&error) {
            Verdict::Fail(error) => Err(error),
            // The one place `device_retired` is acted on (`/api/me`'s answer asks for a sync
            // to come here): the push ran before this pull, so what is unsent now could not
            // be sent yet; once nothing is, everything is deleted.
            Verdict::Retire => {
                if self.db.unsent.get_untracked() == 0 {
                    self.db.wipe(false).await;
                }
                Err(SyncError::Retired)
            }
            Verdict::Account => {
                self.account.refused(self.db, &error).await;
                Err(SyncError::SignedOut)
            }
        }
    }
}

impl SyncEngine {
    /// A tab started: the syncing tab answers with its status (once the channel is open).
    pub fn greet(self) {
        tabs::post(&Message::Hello);
    }
}

pub fn use_sync() -> SyncEngine {
    expect_context::<SyncEngine>()
}
