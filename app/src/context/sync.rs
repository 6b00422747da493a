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

use crate::context::account::Account;
use crate::context::data::{Db, Loading};
use crate::device::sync::round::{self, Step};
use crate::tabs::{self, Message};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

pub use crate::device::prefetch::prefetch_bootstrap;
use crate::device::sync::status::{self, FOLD_QUIET_MS, SOON_MS, Stop};
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
            let device = self.db.engine();
            let report = move |step: Step| match step {
                Step::Progress(progress) => self.update_status(|s| s.progress = progress),
                other => self.db.step(other),
            };
            let result = match round::run_once(&device, &report).await {
                Ok(()) => Ok(()),
                Err(stop) => Err(self.stopped(stop).await),
            };
            let mut failures = self.failures.get_value();
            let now = crate::clock::now_ms();
            self.update_status(|s| status::settle(s, &mut failures, result, now));
            self.failures.set_value(failures);
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

    /// What a round that stopped short asks of the other handles, done: an ended session asks
    /// for a sign-in (a revoked device deletes at once); a retired one deletes once nothing is
    /// left to send. What the status shows.
    async fn stopped(self, stop: Stop) -> SyncError {
        match &stop {
            Stop::Failed(_) | Stop::Retired { wipe: false } => {}
            Stop::Account(error) => self.account.refused(self.db, error).await,
            Stop::Retired { wipe: true } => self.db.wipe(false).await,
        }
        stop.shown()
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
