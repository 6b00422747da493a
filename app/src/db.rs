//! The app's records in memory, shared through context, and written to storage as they change.
//!
//! Every change goes to storage at once (one small entry), so a reload or a crash loses nothing
//! already typed. If a write fails (a full quota), the change stays in memory, the person is
//! told in plain words, and the write is retried every few seconds until it succeeds; nothing
//! already saved is touched.

use crate::storage::{self, SetAside, StorageError};
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use yorisoi_domain::answer::Answer;
use yorisoi_domain::catalogue::Catalogue;
use yorisoi_domain::ids::{ClientId, RecordId};
use yorisoi_domain::instrument::Instrument;
use yorisoi_domain::record::{Client, Record};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Pending {
    Client(ClientId),
    Record(RecordId),
}

#[derive(Clone, Copy, Debug)]
pub struct Db {
    clients: RwSignal<BTreeMap<ClientId, Client>>,
    records: RwSignal<BTreeMap<RecordId, Record>>,
    pub save_state: RwSignal<SaveState>,
    pub set_aside: RwSignal<Vec<SetAside>>,
    pub load_error: RwSignal<Option<String>>,
    pending: StoredValue<BTreeSet<Pending>>,
}

impl Db {
    /// Loads everything from storage and puts the store in context.
    pub fn provide() -> Self {
        let (clients, records, set_aside, load_error) = match storage::load_all() {
            Ok(loaded) => (
                loaded.clients.into_iter().map(|c| (c.id, c)).collect(),
                loaded.records.into_iter().map(|r| (r.id, r)).collect(),
                loaded.set_aside,
                None,
            ),
            Err(e) => (
                BTreeMap::new(),
                BTreeMap::new(),
                Vec::new(),
                Some(format!("{e:?}")),
            ),
        };
        let db = Self {
            clients: RwSignal::new(clients),
            records: RwSignal::new(records),
            save_state: RwSignal::new(SaveState::Idle),
            set_aside: RwSignal::new(set_aside),
            load_error: RwSignal::new(load_error),
            pending: StoredValue::new(BTreeSet::new()),
        };
        // Retry waiting writes every few seconds; cheap when nothing waits.
        let retry = every_three_seconds(move || {
            if !db.pending.with_value(BTreeSet::is_empty) {
                db.flush();
            }
        });
        std::mem::forget(retry);
        provide_context(db);
        db
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
        let id = client.id;
        self.clients.update(|c| {
            c.insert(id, client);
        });
        self.persist(Pending::Client(id));
    }

    pub fn put_record(self, record: Record) {
        let id = record.id;
        self.records.update(|r| {
            r.insert(id, record);
        });
        self.persist(Pending::Record(id));
    }

    pub fn update_client(self, id: ClientId, change: impl FnOnce(&mut Client)) {
        let changed = self
            .clients
            .try_update(|c| c.get_mut(&id).map(change))
            .flatten()
            .is_some();
        if changed {
            self.persist(Pending::Client(id));
        }
    }

    pub fn update_record(self, id: RecordId, change: impl FnOnce(&mut Record)) {
        let changed = self
            .records
            .try_update(|r| r.get_mut(&id).map(change))
            .flatten()
            .is_some();
        if changed {
            self.persist(Pending::Record(id));
        }
    }

    pub fn set_answer(self, id: RecordId, field: &str, answer: Option<Answer>) {
        let now = crate::clock::now_ms();
        self.update_record(id, |r| r.set_answer(field, answer, now));
    }

    fn persist(self, what: Pending) {
        self.pending.update_value(|p| {
            p.insert(what);
        });
        self.flush();
    }

    /// Writes every waiting change; keeps the ones storage refuses.
    fn flush(self) {
        let waiting: Vec<Pending> = self.pending.with_value(|p| p.iter().copied().collect());
        let mut failure = None;
        for what in waiting {
            let result = match what {
                Pending::Client(id) => self
                    .clients
                    .with_untracked(|c| c.get(&id).map(storage::save_client)),
                Pending::Record(id) => self
                    .records
                    .with_untracked(|r| r.get(&id).map(storage::save_record)),
            };
            match result {
                Some(Err(error)) => failure = Some(error),
                _ => self.pending.update_value(|p| {
                    p.remove(&what);
                }),
            }
        }
        self.save_state.set(match failure {
            None => SaveState::Saved,
            Some(StorageError::Quota) => SaveState::Failed(FailKind::Quota),
            Some(StorageError::Unavailable(_)) => SaveState::Failed(FailKind::Unavailable),
        });
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
