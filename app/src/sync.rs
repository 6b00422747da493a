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

use crate::db::Db;
use crate::storage::StorageError;
use crate::tabs::{self, Message};
use futures_util::future::{Either, select};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use yorisoi_domain::sync::protocol::{PullResponse, PushRequest, PushResponse, WIRE_FORMAT};

/// How long a request may go without an answer before the watchdog drops it.
const STALL_MS: u32 = 20_000;
/// The pause between syncs while everything works.
const PERIOD_MS: u32 = 60_000;
/// How soon after an edit it is sent.
const SOON_MS: u32 = 1_500;
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
        if self.db.loading.get_untracked() != crate::db::Loading::Ready {
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
    }

    async fn sync_once(self) -> Result<(), SyncError> {
        let http = reqwest::Client::new();
        let base = origin();
        // Every tab's changes: what this tab may have missed of them is read again first.
        self.db.rescan();
        let alive = tabs::alive_writers().await;
        while let Some((device, changes)) = self.db.next_push(&alive) {
            let request = PushRequest {
                format: WIRE_FORMAT,
                device,
                changes,
            };
            let response: PushResponse =
                call(http.post(format!("{base}/api/v1/sync/push")).json(&request)).await?;
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
        let start = self.db.cursor();
        loop {
            let since = self.db.cursor();
            let page: PullResponse = call(http.get(format!(
                "{base}/api/v1/sync/pull?format={WIRE_FORMAT}&since={since}"
            )))
            .await?;
            let (cursor, more, head) = (page.cursor, page.more, page.head);
            self.db.pulled(page.changes, cursor).await?;
            self.update_status(|s| {
                s.progress = more.then(|| {
                    (
                        cursor.saturating_sub(start),
                        head.max(cursor).saturating_sub(start),
                    )
                })
            });
            if !more || cursor <= since {
                return Ok(());
            }
        }
    }
}

fn origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Sends a request under the watchdog and reads its JSON answer or its JSON error.
async fn call<T: DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T, SyncError> {
    let exchange = async {
        let response = request.send().await.map_err(|_| SyncError::Offline)?;
        let status = response.status();
        if status.is_success() {
            return response
                .json::<T>()
                .await
                .map_err(|e| SyncError::Server(e.to_string()));
        }
        let message = response
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|body| body["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| status.to_string());
        Err(match status.as_u16() {
            426 => SyncError::UpdateApp,
            400..=499 => SyncError::Refused(message),
            _ => SyncError::Server(message),
        })
    };
    match select(Box::pin(exchange), TimeoutFuture::new(STALL_MS)).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => Err(SyncError::Stalled),
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

/// A message from another tab, for the engine.
pub fn on_message(message: Message) {
    if let Some(engine) = ENGINE.with(std::cell::Cell::get) {
        engine.receive(message);
    }
}

pub fn use_sync() -> SyncEngine {
    expect_context::<SyncEngine>()
}
