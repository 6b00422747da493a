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

mod load;
mod refused;
mod restore;
mod shared;
mod support;

pub use shared::TabEvent;

use crate::storage::{self, SetAside, StorageError};
use crate::store::{Start, Store};
use leptos::prelude::*;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use yorisoi_domain::answer::Answer;
use yorisoi_domain::audit::{Action, Note};
use yorisoi_domain::catalogue::Catalogue;
use yorisoi_domain::ids::{ClientId, DeviceId, RecordId};
use yorisoi_domain::instrument::Instrument;
use yorisoi_domain::record::{Client, Record};
use yorisoi_domain::sync::fields::ANSWER_PREFIX;
use yorisoi_domain::sync::fields::{
    changed_fields, client_fields, client_from, record_fields, record_from,
};
use yorisoi_domain::sync::local::{RefusedChange, Unsent};
use yorisoi_domain::sync::{Change, ChangeId, Entity, Outbox, Register, Replica};

/// The instrument definitions compiled into this build.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        Catalogue::builtin().expect("the built-in definitions are checked by the domain's tests")
    })
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailKind {
    Quota,
    Unavailable,
}

/// Where the start-up load is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loading {
    Pending,
    Ready,
}

/// When a change was made and received, for the history.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stamp {
    pub received_at: Option<i64>,
    pub made_at: Option<i64>,
}

impl Stamp {
    pub fn time(self) -> Option<i64> {
        self.received_at.or(self.made_at)
    }
}

/// Everything sync knows on this device, as this tab sees it.
#[derive(Debug)]
struct State {
    replica: Replica,
    /// This tab's own unsent changes, numbered by its writer.
    outbox: Outbox,
    /// Every other writer's unsent changes as localStorage holds them, with their keys.
    others: BTreeMap<ChangeId, (String, Unsent)>,
    /// Each writer's seal: its highest number that is final (see [`Writer`]).
    sealed: BTreeMap<DeviceId, u64>,
    /// This device's id.
    device: DeviceId,
    stamps: BTreeMap<ChangeId, Stamp>,
    /// When each entity last changed, as this device knows it.
    updated: BTreeMap<Entity, i64>,
    cursor: u64,
    /// The last scope hand-over this device finished.
    scope: u64,
    /// Where this device is with its first sync.
    start: Start,
    /// The database instance this device last synced with (see `restore.rs`).
    instance: String,
}

impl State {
    fn new(writer: DeviceId, device: DeviceId) -> Self {
        Self {
            replica: Replica::default(),
            outbox: Outbox::new(writer, 1, Vec::new()),
            others: BTreeMap::new(),
            sealed: BTreeMap::new(),
            device,
            stamps: BTreeMap::new(),
            updated: BTreeMap::new(),
            cursor: 0,
            scope: 0,
            start: Start::Fresh,
            instance: String::new(),
        }
    }

    fn unsent(&self) -> usize {
        self.outbox.len() + self.others.len()
    }

    fn stamp(&mut self, change: &Change, stamp: Stamp) {
        let entry = self.stamps.entry(change.id).or_default();
        entry.received_at = stamp.received_at.or(entry.received_at);
        entry.made_at = stamp.made_at.or(entry.made_at);
        if let Some(time) = entry.time() {
            let updated = self.updated.entry(change.entity).or_insert(time);
            *updated = (*updated).max(time);
        }
    }
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    STATE.with(|s| s.borrow_mut().as_mut().map(f))
}

fn store() -> Option<Store> {
    STORE.with(|i| i.borrow().clone())
}

#[derive(Clone, Copy, Debug)]
pub struct Db {
    clients: RwSignal<BTreeMap<ClientId, Client>>,
    records: RwSignal<BTreeMap<RecordId, Record>>,
    /// Bumped whenever the replica changes: views of conflicts and history read it.
    pub revision: RwSignal<u64>,
    /// Every entity with a field in conflict (要確認), kept up to date by `rebuild`.
    review: RwSignal<BTreeSet<Entity>>,
    /// How many changes wait to be sent.
    pub unsent: RwSignal<usize>,
    pub loading: RwSignal<Loading>,
    pub save_state: RwSignal<SaveState>,
    pub set_aside: RwSignal<Vec<SetAside>>,
    /// This device's changes the server set aside instead of storing, with why.
    pub refused: RwSignal<BTreeMap<ChangeId, RefusedChange>>,
    pub load_error: RwSignal<Option<String>>,
    /// Unsent changes (by number) whose localStorage write failed, retried every 3 s.
    unsaved: StoredValue<BTreeSet<u64>>,
    /// This writer's seal as last written to localStorage: written again only when it moved.
    saved_seal: StoredValue<u64>,
    /// Pre-sync entries to remove once their changes are safely in the outbox.
    legacy: StoredValue<Vec<String>>,
    /// Clients whose records are not read yet (the app starts from the profiles).
    waiting: RwSignal<BTreeSet<ClientId>>,
    /// Clients a page asked for, latest last: read first.
    wanted: StoredValue<Vec<ClientId>>,
    /// Waiting clients that got a chunk while the loader read them: read again.
    stale: StoredValue<BTreeSet<ClientId>>,
    /// Whether the background loader is running.
    loader: StoredValue<bool>,
    /// Every client's records are read.
    pub all_loaded: RwSignal<bool>,
}

impl Db {
    /// Puts the store in context and starts loading it; `loading` says when it is ready.
    pub fn provide() -> Self {
        let db = Self {
            clients: RwSignal::new(BTreeMap::new()),
            records: RwSignal::new(BTreeMap::new()),
            revision: RwSignal::new(0),
            review: RwSignal::new(BTreeSet::new()),
            unsent: RwSignal::new(0),
            loading: RwSignal::new(Loading::Pending),
            save_state: RwSignal::new(SaveState::Idle),
            set_aside: RwSignal::new(Vec::new()),
            refused: RwSignal::new(BTreeMap::new()),
            load_error: RwSignal::new(None),
            unsaved: StoredValue::new(BTreeSet::new()),
            saved_seal: StoredValue::new(0),
            legacy: StoredValue::new(Vec::new()),
            waiting: RwSignal::new(BTreeSet::new()),
            wanted: StoredValue::new(Vec::new()),
            stale: StoredValue::new(BTreeSet::new()),
            loader: StoredValue::new(false),
            all_loaded: RwSignal::new(false),
        };
        // Retry waiting writes every few seconds; cheap when nothing waits.
        let retry = every_three_seconds(move || {
            if !db.unsaved.with_value(BTreeSet::is_empty) || !db.legacy.with_value(Vec::is_empty) {
                db.flush();
            }
        });
        std::mem::forget(retry);
        provide_context(db);
        shared::listen(db);
        wasm_bindgen_futures::spawn_local(async move { db.load().await });
        db
    }

    /// Every change of this device not yet on the server, whichever tab made it.
    fn outbox_len(self) -> usize {
        with_state(|s| s.unsent()).unwrap_or(0)
    }

    /// Rebuilds what pages show of `entities` from the replica.
    fn rebuild(self, entities: &[Entity]) {
        let (mut clients, mut records, mut review) = (Vec::new(), Vec::new(), Vec::new());
        with_state(|s| {
            for entity in entities {
                let conflicted = s.replica.fields_of(*entity).any(|(_, r)| r.is_conflict());
                review.push((*entity, conflicted));
                let updated = s.updated.get(entity).copied().unwrap_or(0);
                match *entity {
                    Entity::Client(id) => {
                        clients.push((id, client_from(&s.replica, id, updated)));
                    }
                    Entity::Record(id) => {
                        records.push((id, record_from(&s.replica, id, updated)));
                    }
                }
            }
        });
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
        self.revision.update(|r| *r += 1);
    }

    pub fn client(self, id: ClientId) -> Option<Client> {
        self.clients.with(|c| c.get(&id).cloned())
    }

    /// Every client, by kana reading then name.
    pub fn clients(self) -> Vec<Client> {
        let mut clients: Vec<Client> = self.clients.with(|c| c.values().cloned().collect());
        clients.sort_by(|a, b| (&a.kana, &a.name, a.id).cmp(&(&b.kana, &b.name, b.id)));
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
        records.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        records
    }

    pub fn put_client(self, client: Client) {
        let old = self
            .clients
            .with_untracked(|c| c.get(&client.id).map(client_fields));
        let changed = changed_fields(&old.unwrap_or_default(), &client_fields(&client));
        self.write(Entity::Client(client.id), client.id, changed);
    }

    pub fn put_record(self, record: Record) {
        self.put_record_seen(record, None);
    }

    fn put_record_seen(
        self,
        record: Record,
        seen: Option<(String, Vec<ChangeId>)>,
    ) -> Vec<(String, ChangeId)> {
        let old = self
            .records
            .with_untracked(|r| r.get(&record.id).map(record_fields));
        let changed = changed_fields(&old.unwrap_or_default(), &record_fields(&record));
        self.write_seen(Entity::Record(record.id), record.client, changed, seen)
    }

    pub fn update_client(self, id: ClientId, change: impl FnOnce(&mut Client)) {
        if let Some(mut client) = self.clients.with_untracked(|c| c.get(&id).cloned()) {
            change(&mut client);
            self.put_client(client);
        }
    }

    pub fn update_record(self, id: RecordId, change: impl FnOnce(&mut Record)) {
        if let Some(mut record) = self.records.with_untracked(|r| r.get(&id).cloned()) {
            change(&mut record);
            self.put_record(record);
        }
    }

    pub fn set_answer(self, id: RecordId, field: &str, answer: Option<Answer>) {
        self.set_answer_seen(id, field, answer, None);
    }

    /// Sets an answer as a person typed it over `seen`, the revisions their input showed
    /// (`None`: what the answer is now). Returns the change that now holds their value, if the
    /// answer changed: what the input shows from then on.
    pub fn set_answer_seen(
        self,
        id: RecordId,
        field: &str,
        answer: Option<Answer>,
        seen: Option<Vec<ChangeId>>,
    ) -> Option<ChangeId> {
        let now = crate::clock::now_ms();
        let mut record = self.records.with_untracked(|r| r.get(&id).cloned())?;
        record.set_answer(field, answer, now);
        let key = format!("{ANSWER_PREFIX}{field}");
        let written = self.put_record_seen(record, seen.map(|seen| (key.clone(), seen)));
        written
            .into_iter()
            .find_map(|(field, id)| (field == key).then_some(id))
    }

    /// The changes an answer's value comes from now, not tracked: what an input showing it saw.
    pub fn answer_revisions(self, id: RecordId, field: &str) -> Vec<ChangeId> {
        let key = format!("{ANSWER_PREFIX}{field}");
        with_state(|s| s.replica.revisions(Entity::Record(id), &key)).unwrap_or_default()
    }

    /// Resolves a field in conflict (or edits any field) with one value that replaces every
    /// value the person saw: the resolution is an ordinary change and syncs like one.
    pub fn resolve(self, entity: Entity, field: &str, value: Value) {
        let Some(client) = with_state(|s| s.replica.owner(entity)).flatten() else {
            return;
        };
        self.write(entity, client, vec![(field.to_owned(), value)]);
    }

    fn write(self, entity: Entity, client: ClientId, fields: Vec<(String, Value)>) {
        self.write_seen(entity, client, fields, None);
    }

    /// Turns changed fields into changes: outbox, replica, localStorage, then the pages. `seen`
    /// names one field and the revisions the person saw of it; every other field replaces what
    /// it shows now. Returns each field's change.
    fn write_seen(
        self,
        entity: Entity,
        client: ClientId,
        fields: Vec<(String, Value)>,
        mut seen: Option<(String, Vec<ChangeId>)>,
    ) -> Vec<(String, ChangeId)> {
        if fields.is_empty() {
            return Vec::new();
        }
        let now = crate::clock::now_ms();
        let written = with_state(|s| {
            let mut written = Vec::new();
            for (field, value) in fields {
                let base = seen
                    .take_if(|(key, _)| *key == field)
                    .map(|(_, revisions)| revisions);
                let change = s
                    .outbox
                    .edit(&mut s.replica, entity, client, &field, value, base);
                s.stamp(
                    &change,
                    Stamp {
                        received_at: None,
                        made_at: Some(now),
                    },
                );
                written.push((field, change.id));
            }
            written
        })
        .unwrap_or_default();
        self.unsaved
            .update_value(|u| u.extend(written.iter().map(|(_, id)| id.seq)));
        self.flush();
        self.rebuild(&[entity]);
        self.unsent.set(self.outbox_len());
        crate::sync::after_edit();
        written
    }

    /// Records an access for the audit log (a record opened, printed or exported; client mode
    /// started or ended), with this device's time: queued in the outbox like a change, sealed
    /// and stored at once, sent with the next push (offline, whenever the device is next online).
    /// It is applied to nothing: the server writes it to its audit log, never to the data.
    pub fn note(self, entity: Entity, client: ClientId, action: Action, detail: &[&str]) {
        let now = crate::clock::now_ms();
        let note = Note {
            action,
            at: now,
            detail: detail.iter().map(|d| (*d).to_owned()).collect(),
        };
        let noted = with_state(|s| {
            let change = s.outbox.note(entity, client, &note);
            // Stamped with when it was made, but it changes no entity's time.
            s.stamps.insert(
                change.id,
                Stamp {
                    received_at: None,
                    made_at: Some(now),
                },
            );
            change.id.seq
        });
        if let Some(seq) = noted {
            self.unsaved.update_value(|u| {
                u.insert(seq);
            });
            self.flush();
            self.unsent.set(self.outbox_len());
            crate::sync::after_edit();
        }
    }

    /// Writes every waiting change to localStorage; keeps the ones storage refuses. Pre-sync
    /// entries are removed only once nothing waits.
    fn flush(self) {
        let waiting: Vec<u64> = self.unsaved.with_value(|u| u.iter().copied().collect());
        let mut failure = None;
        let entries = with_state(|s| {
            waiting
                .iter()
                .map(|seq| {
                    let unsent = s
                        .outbox
                        .pending()
                        .find(|c| c.id.seq == *seq)
                        .map(|c| Unsent {
                            change: c.clone(),
                            made_at: s.stamps.get(&c.id).and_then(|t| t.made_at).unwrap_or(0),
                        });
                    (*seq, unsent)
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
        for (seq, unsent) in entries {
            let result = unsent.map_or(Ok(()), |u| storage::save_unsent(&u));
            match result {
                Err(error) => failure = Some(error),
                Ok(()) => self.unsaved.update_value(|u| {
                    u.remove(&seq);
                }),
            }
        }
        if failure.is_none() {
            for key in self.legacy.with_value(Vec::clone) {
                storage::remove(&key);
            }
            self.legacy.update_value(Vec::clear);
        }
        self.save_state.set(match failure {
            None => SaveState::Saved,
            Some(StorageError::Quota) => SaveState::Failed(FailKind::Quota),
            Some(StorageError::Unavailable(_)) => SaveState::Failed(FailKind::Unavailable),
        });
    }

    // ----- Conflicts and history -----

    /// Every field of `entity` in conflict, with its values side by side.
    pub fn conflicts_of(self, entity: Entity) -> Vec<(String, Vec<(ChangeId, Value)>)> {
        self.revision.track();
        with_state(|s| {
            s.replica
                .fields_of(entity)
                .filter(|(_, r)| r.is_conflict())
                .map(|(f, r)| (f.to_owned(), values(r)))
                .collect()
        })
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
        with_state(|s| {
            let history = s.replica.history();
            let mut entries: Vec<HistoryEntry> = s
                .replica
                .history_of_entity(entity)
                .into_iter()
                .map(|change| HistoryEntry {
                    change: change.clone(),
                    replaced: change
                        .base
                        .iter()
                        .filter_map(|id| history.get(id).map(|c| c.value.clone()))
                        .collect(),
                    stamp: s.stamps.get(&change.id).copied().unwrap_or_default(),
                    own: s
                        .stamps
                        .get(&change.id)
                        .is_some_and(|t| t.made_at.is_some()),
                    unsent: s.outbox.pending().any(|c| c.id == change.id)
                        || s.others.contains_key(&change.id),
                })
                .collect();
            entries.sort_by_key(|e| (e.stamp.time(), e.change.id));
            entries
        })
        .unwrap_or_default()
    }

    /// Deletes this device's data and reloads every tab of the app. With `keep_unsent` (another
    /// person signed in) only what came from the server goes: unsent changes stay, to be sent
    /// under the new person's session (set aside by the server if theirs to write is not). Without
    /// it (the device was revoked or retired) everything goes, its identity too.
    pub async fn wipe(self, keep_unsent: bool) {
        if let Some(store) = store() {
            let _ = store.clear().await;
        } else if let Ok(store) = Store::open().await {
            let _ = store.clear().await;
        }
        if !keep_unsent {
            storage::remove_all_data();
            crate::vault::remove_all();
            crate::pwa::remove_offline_copy().await;
        }
        crate::tabs::post(&crate::tabs::Message::Wiped);
        let _ = window().location().reload();
    }

    /// This device's id (each tab writes under a writer id of its own).
    pub fn device(self) -> Option<DeviceId> {
        Some(with_state(|s| s.device).unwrap_or_else(storage::device_id))
    }
}

/// One change in a record's history.
#[derive(Clone, Debug)]
pub struct HistoryEntry {
    pub change: Change,
    /// The values this change replaced.
    pub replaced: Vec<Value>,
    pub stamp: Stamp,
    /// Made on this device.
    pub own: bool,
    /// Not yet on the server.
    pub unsent: bool,
}

fn values(register: &Register) -> Vec<(ChangeId, Value)> {
    register.values().map(|(id, v)| (*id, v.clone())).collect()
}

fn no_idb() -> StorageError {
    StorageError::Unavailable("IndexedDB is not available".into())
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
