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
use crate::db::Db;
use crate::storage::StorageError;
use crate::store::Progress;
use crate::tabs::{self, Message};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use yorisoi_domain::errors::ErrorCode;
use yorisoi_domain::sync::protocol::{FramedPage, PushRequest, WIRE_FORMAT};

mod restore;

/// A bootstrap's pages, asked for one after another from a sign-in on (see
/// [`prefetch_bootstrap`]): their answers as they came, and who waits for the next.
#[derive(Default)]
struct Prefetch {
    answers: std::collections::VecDeque<Result<FramedPage, ApiError>>,
    waiting: Option<std::task::Waker>,
}

type Prefetched = Rc<RefCell<Prefetch>>;

/// At most this many pages wait in memory to be stored.
const PREFETCH_AHEAD: usize = 4;

thread_local! {
    static PREFETCH: RefCell<Option<Prefetched>> = const { RefCell::new(None) };
}

/// Starts a bootstrap's pages now, right after a sign-in on a device that holds nothing of this
/// person: the server reads them while the device derives the password's key (which holds the
/// page's one thread for tens of milliseconds) and opens its store, and goes on reading one
/// after another while the device stores them. The first sync takes them if the device does
/// start from a bootstrap, and drops them otherwise (pages asked for and not used cost the
/// server a read; a coach's hand-over in them is sent again by the next pull).
pub async fn prefetch_bootstrap() {
    let slot: Prefetched = Rc::default();
    PREFETCH.with(|p| *p.borrow_mut() = Some(slot.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        let mut after: Option<String> = None;
        loop {
            // Nobody takes them any more (the sync pulls instead, or stopped): stop.
            while slot.borrow().answers.len() >= PREFETCH_AHEAD && Rc::strong_count(&slot) > 1 {
                TimeoutFuture::new(10).await;
            }
            if Rc::strong_count(&slot) == 1 {
                return;
            }
            let answer = api::bootstrap(after.as_deref()).await;
            let next = answer.as_ref().ok().and_then(|page| page.head.next.clone());
            let waiting = {
                let mut prefetch = slot.borrow_mut();
                prefetch.answers.push_back(answer);
                prefetch.waiting.take()
            };
            if let Some(waker) = waiting {
                waker.wake();
            }
            match next {
                Some(next) => after = Some(next),
                // The last page, or an error (the sync reads it and tries again later).
                None => return,
            }
        }
    });
    // The first request goes out before the key derivation holds the thread.
    TimeoutFuture::new(0).await;
}

/// The next page of a prefetched bootstrap, once it came.
async fn next_prefetched(slot: &Prefetched) -> Result<FramedPage, ApiError> {
    std::future::poll_fn(|cx| {
        let mut prefetch = slot.borrow_mut();
        match prefetch.answers.pop_front() {
            Some(answer) => std::task::Poll::Ready(answer),
            None => {
                prefetch.waiting = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        }
    })
    .await
}

/// The pause between syncs while everything works.
const PERIOD_MS: u32 = 60_000;
/// How soon after an edit it is sent.
const SOON_MS: u32 = 1_500;
/// How long sync must be quiet before the clients that gathered many chunks are folded.
const FOLD_QUIET_MS: u32 = 10_000;
/// The first pause after a failure; it doubles each time, up to [`MAX_BACKOFF_MS`].
const BACKOFF_MS: u32 = 5_000;
const MAX_BACKOFF_MS: u32 = 300_000;

/// Why the last sync did not finish, in terms a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncError {
    /// The server could not be reached (no network, or the server is down).
    Offline,
    /// The server stopped answering part-way.
    Stalled,
    /// The server speaks a newer sync format: this app must be updated.
    UpdateApp,
    /// The server refused the request; its message.
    Refused(String),
    /// The server failed; its message.
    Server(String),
    /// This device's storage refused what was received.
    Storage(StorageError),
    /// The session ended or ran out: someone must sign in (online) before sync goes on.
    SignedOut,
    /// An administrator retired this device, but changes are still unsent here.
    Retired,
    /// The server keeps no more changes set aside for this device until an administrator
    /// decides on some: nothing was sent, everything stays in the outbox.
    SetAsideFull,
}

impl From<StorageError> for SyncError {
    fn from(error: StorageError) -> Self {
        Self::Storage(error)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub running: bool,
    /// When the last sync finished, by this device's clock (for display only).
    pub last_synced: Option<i64>,
    pub error: Option<SyncError>,
    /// During a long pull: changes received in this run, and how many there are to receive.
    pub progress: Option<(u64, u64)>,
}

#[derive(Clone, Copy, Debug)]
pub struct SyncEngine {
    db: Db,
    pub status: RwSignal<SyncStatus>,
    /// Someone asked for a sync while one was running: run once more after it.
    again: StoredValue<bool>,
    failures: StoredValue<u32>,
    /// The newest scheduled timer; an older one that fires does nothing.
    timer: StoredValue<u64>,
    /// Whether this tab is the one that syncs.
    leader: StoredValue<bool>,
}

impl SyncEngine {
    /// Puts the engine in context and starts it once the data is loaded.
    pub fn provide(db: Db) -> Self {
        let engine = Self {
            db,
            status: RwSignal::new(SyncStatus::default()),
            again: StoredValue::new(false),
            failures: StoredValue::new(0),
            timer: StoredValue::new(0),
            leader: StoredValue::new(false),
        };
        provide_context(engine);
        ENGINE.with(|e| e.set(Some(engine)));
        tabs::lead(move || {
            engine.leader.set_value(true);
            // What this tab showed was the previous syncing tab's status: if that tab closed
            // mid-sync it said "running", and no run of this tab's is.
            engine.status.update(|s| {
                s.running = false;
                s.progress = None;
            });
            engine.now();
        });
        tabs::post(&Message::Hello);
        let started = StoredValue::new(false);
        Effect::new(move |_| {
            if db.loading.get() == crate::db::Loading::Ready && !started.get_value() {
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
        if self.db.loading.get_untracked() != crate::db::Loading::Ready
            || !crate::account::account().is_some_and(|a| a.reads_clients())
        {
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
        self.status.update(change);
        if self.leader.get_value() {
            tabs::post(&Message::Status {
                status: self.status.get_untracked(),
            });
        }
    }

    /// A message from another tab.
    fn receive(self, message: Message) {
        let leader = self.leader.get_value();
        match message {
            Message::Status { status } if !leader => self.status.set(status),
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
            let result = self.sync_once().await;
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
        self.schedule(if failures == 0 {
            PERIOD_MS
        } else {
            BACKOFF_MS
                .saturating_mul(1 << (failures - 1).min(10))
                .min(MAX_BACKOFF_MS)
        });
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
        // The published instrument versions (issue 22): a failure here is the pull's to report.
        let used = self
            .db
            .clients()
            .into_iter()
            .flat_map(|c| self.db.records_of(c.id))
            .map(|r| r.instrument);
        if let Err(error) = crate::instruments::refresh(crate::instruments::used_by(used)).await {
            leptos::logging::warn!("instrument versions not refreshed: {error:?}");
        }
        match self.db.bootstrap_progress() {
            Some(progress) => self.bootstrap(progress).await?,
            // A page asked for at sign-in is not needed: this device pulls.
            None => drop(PREFETCH.with(|p| p.borrow_mut().take())),
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
            // Only a new hand-over goes on without the cursor moving: never the same twice.
            let token = page.scope.as_ref().map(|h| h.token);
            let handed_over = token.is_some() && token != last_token;
            last_token = token;
            // A hand-over is finished with its page, unless clients left: their unsent changes
            // are sent first, and only then are they deleted and the hand-over finished.
            let left = page
                .scope
                .as_ref()
                .filter(|h| !h.left.is_empty())
                .map(|h| (h.left.clone(), h.token));
            let finished = page
                .scope
                .as_ref()
                .filter(|h| h.left.is_empty())
                .map(|h| h.token);
            self.db.pulled(page.changes, cursor, finished).await?;
            if let Some((left, token)) = left {
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
            None => PREFETCH.with(|p| p.borrow_mut().take()),
            Some(_) => PREFETCH.with(|p| p.borrow_mut().take()).and(None),
        };
        let fetch = |after: Option<String>| {
            let ahead = ahead.clone();
            async move {
                match ahead {
                    Some(slot) => next_prefetched(&slot).await,
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
        if let Some(account) = crate::account::account() {
            match error.code() {
                // The one place `device_retired` is acted on (`/api/me`'s answer asks for a sync
                // to come here): the push ran before this pull, so what is unsent now could not
                // be sent yet; once nothing is, everything is deleted.
                Some(ErrorCode::DeviceRetired) => {
                    if self.db.unsent.get_untracked() == 0 {
                        self.db.wipe(false).await;
                    }
                    return Err(SyncError::Retired);
                }
                Some(ErrorCode::SignedOut | ErrorCode::DeviceRevoked) => {
                    account.refused(self.db, &error).await;
                    return Err(SyncError::SignedOut);
                }
                _ => {}
            }
        }
        Err(match error {
            ApiError::Offline => SyncError::Offline,
            ApiError::Stalled => SyncError::Stalled,
            ApiError::Garbled(detail) => SyncError::Server(detail),
            ApiError::Status { status: 426, .. } => SyncError::UpdateApp,
            ApiError::Status {
                code: ErrorCode::SetAsideFull,
                ..
            } => SyncError::SetAsideFull,
            ApiError::Status {
                status: 400..=499,
                message,
                ..
            } => SyncError::Refused(message),
            ApiError::Status { message, .. } => SyncError::Server(message),
        })
    }
}

thread_local! {
    /// The engine, for code that runs outside any component (an edit made in an event handler
    /// or a task): see [`after_edit`].
    static ENGINE: std::cell::Cell<Option<SyncEngine>> = const { std::cell::Cell::new(None) };
}

/// Asks for a sync shortly after an edit, wherever the edit was made.
pub fn after_edit() {
    if let Some(engine) = ENGINE.with(std::cell::Cell::get) {
        engine.soon();
    }
}

/// Another tab sealed changes: the syncing tab sends them shortly.
pub fn sealed_elsewhere() {
    if let Some(engine) = ENGINE.with(std::cell::Cell::get)
        && engine.leader.get_value()
    {
        engine.soon();
    }
}

/// Someone signed in: sync at once.
pub fn after_sign_in() {
    if let Some(engine) = ENGINE.with(std::cell::Cell::get) {
        engine.failures.set_value(0);
        engine.now();
    }
}

/// A message from another tab, for the engine.
pub fn on_message(message: Message) {
    if let Some(engine) = ENGINE.with(std::cell::Cell::get) {
        engine.receive(message);
    }
}

pub fn use_sync() -> SyncEngine {
    expect_context::<SyncEngine>()
}
