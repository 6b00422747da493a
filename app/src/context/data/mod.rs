//! The app's data in memory, shared through context: the sync replica (every field's values,
//! every change as history), this device's outbox, and the clients and records pages read,
//! rebuilt from the replica whenever it changes.
//!
//! A person's edit becomes one change per changed field. It is written to localStorage inside the
//! input handler (so a reload or a crash loses nothing already typed) and applied to the replica.
//! If the write fails (a full quota), the change stays in memory, the person is told in plain
//! words, and the write is retried every few seconds until it succeeds; nothing already saved is
//! touched. What came from the server is kept in IndexedDB as large chunks (see
//! [`crate::store`]): a fresh device starts from a bootstrap of its scope's current state, and
//! the changes pulled after it are folded into a snapshot once they are many.
//!
//! Every tab is a writer of its own (see [`yorisoi_domain::sync::local::Writer`]): its changes
//! carry its own numbers, and the changes other tabs write reach it through `storage` events and
//! the syncing tab's messages ([`shared`]), so every tab shows every tab's edits.

mod edit;
mod load;
mod shared;
mod support;

pub use crate::device::errors::FailKind;
pub use crate::device::inbox::TabEvent;
pub use crate::device::state::Stamp;
pub use crate::device::view::HistoryEntry;

use crate::device::engine::Device;
use crate::device::errors::SetAside;
use crate::device::inbox::Inbox;
use crate::device::state::DeviceState as State;
use crate::device::view;
use leptos::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use yorisoi_domain::answer::Answer;
use yorisoi_domain::catalogue::Catalogue;
use yorisoi_domain::ids::{ClientId, DeviceId, RecordId};
use yorisoi_domain::instrument::Instrument;
use yorisoi_domain::record::{Client, Record};
use yorisoi_domain::sync::local::RefusedChange;
use yorisoi_domain::sync::{ChangeId, Entity};

/// The instrument definitions this device holds: the compiled-in ones and the published ones
/// the server sent (see `crate::instruments`).
pub fn catalogue() -> &'static Catalogue {
    crate::instruments::catalogue()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveState {
    /// Nothing changed since the app opened.
    Idle,
    /// The last change is in storage.
    Saved,
    /// Changes are waiting in memory because storage refused them.
    Failed(FailKind),
}

/// Where the start-up load is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loading {
    Pending,
    Ready,
}

#[derive(Clone, Copy, Debug)]
pub struct Db {
    clients: RwSignal<BTreeMap<ClientId, Client>>,
    records: RwSignal<BTreeMap<RecordId, Record>>,
    /// Bumped whenever the replica changes: views of conflicts and history read it.
    pub revision: ReadSignal<u64>,
    /// Every entity with a field in conflict (要確認), kept up to date by `rebuild`.
    review: RwSignal<BTreeSet<Entity>>,
    /// How many changes wait to be sent.
    pub unsent: ReadSignal<usize>,
    pub loading: ReadSignal<Loading>,
    pub save_state: ReadSignal<SaveState>,
    pub set_aside: ReadSignal<Vec<SetAside>>,
    /// This device's changes the server set aside instead of storing, with why.
    pub refused: ReadSignal<BTreeMap<ChangeId, RefusedChange>>,
    pub load_error: ReadSignal<Option<String>>,
    /// Clients whose records are not read yet (the app starts from the profiles).
    waiting: RwSignal<BTreeSet<ClientId>>,
    /// Clients a page asked for, latest last: read first.
    wanted: StoredValue<Vec<ClientId>>,
    /// Waiting clients that got a chunk while the loader read them: read again.
    stale: StoredValue<BTreeSet<ClientId>>,
    /// Whether the background loader is running.
    loader: StoredValue<bool>,
    /// Every client's records are read.
    pub all_loaded: ReadSignal<bool>,
    /// The device engine: its state as this tab holds it (once loaded), its store and its
    /// outbox's writes. Every operation on storage or the server goes through it.
    device: StoredValue<Device, LocalStorage>,
    /// What other tabs did while this tab loaded.
    inbox: StoredValue<Inbox>,
    /// Bumped by every edit and note: the sync engine sends them shortly.
    edits: RwSignal<u64>,
    /// Bumped when another tab sealed changes: the syncing tab sends them shortly.
    sealed: RwSignal<u64>,
    /// The writing halves of the signals above: this handle writes them, views only read.
    set: DataSet,
}

/// What `Db` writes of what pages read.
#[derive(Clone, Copy, Debug)]
struct DataSet {
    revision: WriteSignal<u64>,
    unsent: WriteSignal<usize>,
    loading: WriteSignal<Loading>,
    save_state: WriteSignal<SaveState>,
    set_aside: WriteSignal<Vec<SetAside>>,
    refused: WriteSignal<BTreeMap<ChangeId, RefusedChange>>,
    load_error: WriteSignal<Option<String>>,
    all_loaded: WriteSignal<bool>,
}

impl Db {
    /// Puts the store in context and starts loading it; `loading` says when it is ready.
    pub fn provide() -> Self {
        let (revision, set_revision) = signal(0);
        let (unsent, set_unsent) = signal(0);
        let (loading, set_loading) = signal(Loading::Pending);
        let (save_state, set_save_state) = signal(SaveState::Idle);
        let (set_aside, set_set_aside) = signal(Vec::new());
        let (refused, set_refused) = signal(BTreeMap::new());
        let (load_error, set_load_error) = signal(None);
        let (all_loaded, set_all_loaded) = signal(false);
        let db = Self {
            clients: RwSignal::new(BTreeMap::new()),
            records: RwSignal::new(BTreeMap::new()),
            review: RwSignal::new(BTreeSet::new()),
            waiting: RwSignal::new(BTreeSet::new()),
            wanted: StoredValue::new(Vec::new()),
            stale: StoredValue::new(BTreeSet::new()),
            loader: StoredValue::new(false),
            device: StoredValue::new_local(Device::default()),
            inbox: StoredValue::new(Inbox::default()),
            edits: RwSignal::new(0),
            sealed: RwSignal::new(0),
            revision,
            unsent,
            loading,
            save_state,
            set_aside,
            refused,
            load_error,
            all_loaded,
            set: DataSet {
                revision: set_revision,
                unsent: set_unsent,
                loading: set_loading,
                save_state: set_save_state,
                set_aside: set_set_aside,
                refused: set_refused,
                load_error: set_load_error,
                all_loaded: set_all_loaded,
            },
        };
        // Retry waiting writes every few seconds; cheap when nothing waits.
        let retry = every_three_seconds(move || {
            if db.engine().writes_wait() {
                db.flush();
            }
        });
        std::mem::forget(retry);
        provide_context(db);
        wasm_bindgen_futures::spawn_local(async move { db.load().await });
        db
    }

    /// How many edits this tab made, tracked: what the sync engine watches.
    pub fn edits(self) -> u64 {
        self.edits.get()
    }

    /// How many times another tab sealed changes, tracked: what the syncing tab watches.
    pub fn sealed_elsewhere(self) -> u64 {
        self.sealed.get()
    }

    /// The device engine this handle stands on.
    pub fn engine(self) -> Device {
        self.device.get_value()
    }

    /// Runs `f` on the device's state, once it is loaded.
    pub(super) fn with_state<R>(self, f: impl FnOnce(&mut State) -> R) -> Option<R> {
        self.engine().with_state(f)
    }

    /// Every change of this device not yet on the server, whichever tab made it.
    fn outbox_len(self) -> usize {
        self.engine().unsent()
    }

    /// Rebuilds what pages show of `entities` from the replica.
    fn rebuild(self, entities: &[Entity]) {
        let view::Changed {
            clients,
            records,
            review,
        } = self
            .with_state(|s| view::changed(s, entities))
            .unwrap_or_default();
        if !clients.is_empty() {
            self.clients.update(|all| {
                for (id, client) in clients {
                    match client {
                        Some(client) => all.insert(id, client),
                        None => all.remove(&id),
                    };
                }
            });
        }
        if !records.is_empty() {
            self.records.update(|all| {
                for (id, record) in records {
                    match record {
                        Some(record) => all.insert(id, record),
                        None => all.remove(&id),
                    };
                }
            });
        }
        let changed = self.review.with_untracked(|set| {
            review
                .iter()
                .any(|(entity, conflicted)| set.contains(entity) != *conflicted)
        });
        if changed {
            self.review.update(|set| {
                for (entity, conflicted) in review {
                    if conflicted {
                        set.insert(entity);
                    } else {
                        set.remove(&entity);
                    }
                }
            });
        }
        self.set.revision.update(|r| *r += 1);
    }

    pub fn client(self, id: ClientId) -> Option<Client> {
        self.clients.with(|c| c.get(&id).cloned())
    }

    /// Every client, by kana reading then name.
    pub fn clients(self) -> Vec<Client> {
        let mut clients: Vec<Client> = self.clients.with(|c| c.values().cloned().collect());
        yorisoi_domain::order::sort_by(&mut clients, |a, b| {
            (&a.kana, &a.name, a.id).cmp(&(&b.kana, &b.name, b.id))
        });
        clients
    }

    pub fn record(self, id: RecordId) -> Option<Record> {
        self.records.with(|r| r.get(&id).cloned())
    }

    /// Whether the record is on this device, tracked.
    pub fn has_record(self, id: RecordId) -> bool {
        self.records.with(|r| r.contains_key(&id))
    }

    /// A record with the exact definition it was made with; `None` if either is missing.
    pub fn record_with_instrument(self, id: RecordId) -> Option<(Record, &'static Instrument)> {
        let record = self.record(id)?;
        let instrument = catalogue().get(&record.instrument)?;
        Some((record, instrument))
    }

    /// One answer of one record, tracked: a view reading it updates when it changes.
    pub fn answer(self, id: RecordId, field: &str) -> Option<Answer> {
        self.records
            .with(|r| r.get(&id).and_then(|r| r.answers.get(field).cloned()))
    }

    /// A client's records, newest first.
    pub fn records_of(self, client: ClientId) -> Vec<Record> {
        let mut records: Vec<Record> = self
            .records
            .with(|r| r.values().filter(|r| r.client == client).cloned().collect());
        yorisoi_domain::order::sort_by_key(&mut records, |r| {
            std::cmp::Reverse((r.created_at, r.id))
        });
        records
    }

    // ----- Conflicts and history -----

    /// Every field of `entity` in conflict, with its values side by side.
    pub fn conflicts_of(self, entity: Entity) -> Vec<(String, Vec<(ChangeId, Value)>)> {
        self.revision.track();
        self.with_state(|s| view::conflicts_of(s, entity))
            .unwrap_or_default()
    }

    /// Every entity with a field in conflict: what needs review.
    pub fn needs_review(self) -> BTreeSet<Entity> {
        self.review.get()
    }

    /// Every change of `entity`, oldest first by when it was made or received, with the values it
    /// replaced.
    pub fn history_of(self, entity: Entity) -> Vec<HistoryEntry> {
        self.revision.track();
        self.with_state(|s| view::history_of(s, entity))
            .unwrap_or_default()
    }

    /// Deletes this device's data and reloads every tab of the app. With `keep_unsent` (another
    /// person signed in) only what came from the server goes: unsent changes stay, to be sent
    /// under the new person's session (set aside by the server if theirs to write is not). Without
    /// it (the device was revoked or retired) everything goes, its identity too.
    pub async fn wipe(self, keep_unsent: bool) {
        self.engine().wipe(keep_unsent).await;
        if !keep_unsent {
            crate::pwa::remove_offline_copy().await;
        }
        crate::tabs::post(&crate::tabs::Message::Wiped);
        let _ = window().location().reload();
    }

    /// Deletes what came from the server (every IndexedDB chunk and the cursor), and nothing
    /// else: the one place the store is cleared.
    pub async fn clear_synced(self) {
        self.engine().clear_synced().await;
    }

    /// This device's id (each tab writes under a writer id of its own).
    pub fn device(self) -> Option<DeviceId> {
        Some(self.engine().device_id())
    }
}

pub fn use_db() -> Db {
    expect_context::<Db>()
}

/// A repeating timer that lives as long as the returned handle.
fn every_three_seconds(tick: impl Fn() + 'static) -> wasm_bindgen::closure::Closure<dyn Fn()> {
    use wasm_bindgen::JsCast;
    let closure = wasm_bindgen::closure::Closure::<dyn Fn()>::new(tick);
    if let Some(window) = web_sys::window() {
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
            closure.as_ref().unchecked_ref(),
            3000,
        );
    }
    closure
}
