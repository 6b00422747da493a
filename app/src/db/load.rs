//! Reading the device's store at start: every client's profile first (the client list), then
//! each client's records in the background, a client at a time, the one a page asks for first.
//! A client's chunks are read into a state of their own and then absorbed, so a client with many
//! chunks can be folded into one snapshot holding only what the server has (nothing unsent).

use super::{Db, Loading, STATE, STORE, Stamp, State, shared, store, with_state};
use crate::storage;
use crate::store::{self as chunks, Store};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::sync::Entity;
use yorisoi_domain::sync::local::{Chunk, Synced};
use yorisoi_domain::sync::protocol::{ClientState, FieldState};

/// A client whose stored chunks number more than this is folded into one snapshot after start.
const COMPACT_AFTER: usize = 8;

impl State {
    /// Reads one stored (or bootstrapped) chunk into the replica; the entities it touched.
    pub(super) fn take_chunk(&mut self, chunk: Chunk) -> BTreeSet<Entity> {
        match chunk {
            Chunk::State { fields } => self.take_fields(fields),
            Chunk::Changes { changes } => changes.iter().map(|s| self.take_synced(s)).collect(),
            Chunk::Entities { client, entities } => {
                self.take_clients(vec![ClientState { client, entities }])
            }
        }
    }

    /// Reads clients' state (a bootstrap page's, a stored chunk's) into the replica; the
    /// entities it touched.
    pub(super) fn take_clients(&mut self, clients: Vec<ClientState>) -> BTreeSet<Entity> {
        let mut touched = BTreeSet::new();
        for state in clients {
            for e in state.entities {
                if e.at > 0 {
                    let updated = self.updated.entry(e.entity).or_insert(e.at);
                    *updated = (*updated).max(e.at);
                }
                touched.insert(e.entity);
                for (field, register) in e.fields {
                    self.replica.load(e.entity, state.client, field, register);
                }
            }
        }
        touched
    }

    pub(super) fn take_fields(&mut self, fields: Vec<FieldState>) -> BTreeSet<Entity> {
        let mut touched = BTreeSet::new();
        for f in fields {
            if f.at > 0 {
                let updated = self.updated.entry(f.entity).or_insert(f.at);
                *updated = (*updated).max(f.at);
            }
            touched.insert(f.entity);
            self.replica.load(f.entity, f.client, f.field, f.register);
        }
        touched
    }

    pub(super) fn take_synced(&mut self, synced: &Synced) -> Entity {
        self.replica.apply(&synced.change);
        self.stamp(
            &synced.change,
            Stamp {
                received_at: synced.received_at,
                made_at: synced.made_at,
            },
        );
        synced.change.entity
    }

    /// The state of `clients`' fields as the replica holds them: their snapshot, by client.
    pub(super) fn snapshot(&self, clients: &BTreeSet<ClientId>) -> Vec<ClientState> {
        let mut by_client: BTreeMap<ClientId, Vec<FieldState>> = BTreeMap::new();
        for (entity, client, field, register) in self.replica.all_fields() {
            if clients.contains(&client) {
                by_client.entry(client).or_default().push(FieldState {
                    entity,
                    client,
                    field: field.to_owned(),
                    register: register.clone(),
                    at: self.updated.get(&entity).copied().unwrap_or(0),
                });
            }
        }
        by_client
            .into_values()
            .flat_map(ClientState::group)
            .collect()
    }

    /// Takes in what another state read (its replica, stamps and times).
    pub(super) fn absorb(&mut self, other: State) {
        self.replica.absorb(other.replica);
        for (id, stamp) in other.stamps {
            let entry = self.stamps.entry(id).or_default();
            entry.received_at = entry.received_at.or(stamp.received_at);
            entry.made_at = entry.made_at.or(stamp.made_at);
        }
        for (entity, at) in other.updated {
            let updated = self.updated.entry(entity).or_insert(at);
            *updated = (*updated).max(at);
        }
    }

    /// Reads stored chunks by way of a state of their own, then takes that in. Clients with more
    /// than [`COMPACT_AFTER`] of them get a fold: their snapshot (from these chunks alone, so
    /// nothing unsent is in it) and the keys it replaces.
    pub(super) fn read_chunks(
        &mut self,
        chunks: Vec<(String, Chunk)>,
    ) -> Option<(Vec<ClientState>, Vec<String>)> {
        let mut own = State::new(self.outbox.device(), self.device);
        let mut keys: BTreeMap<ClientId, Vec<String>> = BTreeMap::new();
        for (key, chunk) in chunks {
            own.take_chunk(chunk);
            if let (Some(client), Some("s" | "c" | "p")) =
                (chunks::client_of_key(&key), chunks::kind_of_key(&key))
            {
                keys.entry(client).or_default().push(key);
            }
        }
        keys.retain(|_, keys| keys.len() > COMPACT_AFTER);
        let fold = (!keys.is_empty()).then(|| {
            let clients = keys.keys().copied().collect();
            (
                own.snapshot(&clients),
                keys.into_values().flatten().collect(),
            )
        });
        self.absorb(own);
        fold
    }
}

impl Db {
    /// Reads localStorage and IndexedDB, rebuilds the replica, and turns pre-sync entries into
    /// changes. What other tabs write meanwhile waits and is applied once this is done.
    pub(super) async fn load(self) {
        // Everything stored about clients is sealed: nothing is read until the person unlocked
        // the app (signed in, or typed their password), here or in another tab.
        crate::vault::when_unlocked().await;
        // This tab's writer lives as long as the tab: its lock tells other tabs it is open. It
        // is held before this tab can make a change (the load ends with it).
        let writer = crate::clock::new_device_id();
        let lock = crate::tabs::writer_lock(writer);
        let held = crate::tabs::hold_lock(&lock);
        let mut set_aside = Vec::new();
        let local = match storage::load_all() {
            Ok(local) => local,
            Err(e) => {
                self.load_error.set(Some(format!("{e:?}")));
                storage::Loaded::default()
            }
        };
        set_aside.extend(local.set_aside);
        let device = local.device.map_or_else(storage::device_id, |d| d.id);
        let mut state = State::new(writer, device);
        let mut legacy = Vec::new();
        let mut compaction = Vec::new();
        let mut waiting = BTreeSet::new();
        match Store::open().await {
            Ok(store) => {
                let loaded = store.load().await;
                crate::clock::mark("yorisoi-store-read");
                match loaded {
                    Ok(loaded) => {
                        state.cursor = loaded.cursor;
                        state.scope = loaded.scope;
                        state.start = loaded.start;
                        state.instance = loaded.instance;
                        set_aside.extend(loaded.set_aside);
                        // The clients' profiles now; each client's records in the background.
                        waiting = loaded.waiting.keys().copied().collect();
                        compaction.extend(state.read_chunks(loaded.chunks));
                        for synced in &loaded.legacy {
                            state.take_synced(synced);
                        }
                        legacy = loaded.legacy;
                        crate::clock::mark("yorisoi-replica");
                    }
                    Err(e) => self.load_error.set(Some(format!("{e:?}"))),
                }
                STORE.with(|i| *i.borrow_mut() = Some(store));
            }
            Err(e) => self.load_error.set(Some(format!("{e:?}"))),
        }
        for (key, unsent) in local.unsent {
            shared::take_unsent(&mut state, key, unsent);
        }
        for writer in local.writers {
            shared::take_writer(&mut state, &writer);
        }
        held.await;
        let entities: Vec<Entity> = state.replica.entities().map(|(e, _)| e).collect();
        STATE.with(|s| *s.borrow_mut() = Some(state));
        self.waiting.set(waiting);
        self.set_aside.set(set_aside);
        // Merged, not set: one another tab reported while this tab loaded is already in it.
        self.refused.update(|all| {
            all.extend(local.refused.into_iter().map(|r| (r.change.id, r)));
        });
        self.rebuild(&entities);
        crate::clock::mark("yorisoi-rebuilt");
        // What was saved before sync existed becomes changes, then its old entry goes.
        for client in local.clients {
            let key = storage::client_key(&client);
            self.put_client(client);
            self.legacy.update_value(|l| l.push(key));
        }
        for record in local.records {
            let key = storage::record_key(&record);
            self.put_record(record);
            self.legacy.update_value(|l| l.push(key));
        }
        self.flush();
        shared::loaded(self);
        self.unsent.set(self.outbox_len());
        self.loading.set(Loading::Ready);
        // Then, while the person starts, the release-before's entries become chunks, and many
        // small chunks are folded into one snapshot per client.
        if let Some(store) = store() {
            if !legacy.is_empty()
                && let Err(e) = store.migrate(legacy).await
            {
                self.load_error.set(Some(format!("{e:?}")));
            }
            for (fields, replaced) in compaction {
                if let Err(e) = store.compact(fields, replaced, &writer.to_string()).await {
                    self.load_error.set(Some(format!("{e:?}")));
                }
            }
            self.run_loader();
        }
    }

    /// Clients a bootstrap page stored chunks of (in this tab or another): their profiles are
    /// read now (the client list), their records in the background, as at start, once the
    /// bootstrap's last page is stored (`last`): reading them before would compete with storing
    /// the next pages for the page's one thread.
    pub(super) async fn read_in(self, clients: BTreeSet<ClientId>, last: bool) {
        let Some(store) = store() else {
            return;
        };
        self.waiting
            .update(|all| all.extend(clients.iter().copied()));
        self.stale
            .update_value(|stale| stale.extend(clients.iter().copied()));
        match store.load_profiles(&clients).await {
            Ok((chunks, set_aside)) => {
                if !set_aside.is_empty() {
                    self.set_aside.update(|all| all.extend(set_aside));
                }
                let touched = with_state(|s| {
                    let mut touched = BTreeSet::new();
                    for (_, chunk) in chunks {
                        touched.extend(s.take_chunk(chunk));
                    }
                    touched
                })
                .unwrap_or_default();
                self.rebuild(&touched.into_iter().collect::<Vec<_>>());
            }
            Err(e) => self.load_error.set(Some(format!("{e:?}"))),
        }
        if last {
            self.run_loader();
        }
    }

    /// Starts the background loader unless it runs already.
    fn run_loader(self) {
        let (Some(store), Some(writer)) = (store(), with_state(|s| s.outbox.device())) else {
            return;
        };
        if self.loader.get_value() {
            return;
        }
        self.loader.set_value(true);
        self.all_loaded.set(false);
        wasm_bindgen_futures::spawn_local(async move {
            self.load_waiting(store, writer).await;
            self.loader.set_value(false);
        });
    }

    /// Reads each waiting client's records, one client at a time, the ones a page asks for
    /// first, letting the page run between them; folds a client's many chunks into one.
    async fn load_waiting(self, store: Store, writer: DeviceId) {
        let mut folds = 0;
        loop {
            let next = self.wanted.with_value(|w| {
                w.iter()
                    .rev()
                    .find(|c| self.waiting.with_untracked(|all| all.contains(c)))
                    .copied()
            });
            let Some(client) =
                next.or_else(|| self.waiting.with_untracked(|all| all.first().copied()))
            else {
                break;
            };
            self.stale.update_value(|stale| {
                stale.remove(&client);
            });
            let read = store.load_client(client).await;
            // Forgotten meanwhile (it left this device's scope): nothing of it is read in.
            if !self.waiting.with_untracked(|all| all.contains(&client)) {
                continue;
            }
            let (fold, entities) = match read {
                Ok((chunks, set_aside)) => {
                    if !set_aside.is_empty() {
                        self.set_aside.update(|all| all.extend(set_aside));
                    }
                    with_state(|s| {
                        let fold = s.read_chunks(chunks);
                        let entities: Vec<Entity> = s
                            .replica
                            .entities()
                            .filter(|(_, c)| *c == client)
                            .map(|(e, _)| e)
                            .collect();
                        (fold, entities)
                    })
                    .unwrap_or_default()
                }
                Err(e) => {
                    self.load_error.set(Some(format!("{e:?}")));
                    (None, Vec::new())
                }
            };
            // A chunk stored while it was read: the client is read again (reading is idempotent).
            if !self.stale.with_value(|stale| stale.contains(&client)) {
                self.waiting.update(|all| {
                    all.remove(&client);
                });
            }
            self.rebuild(&entities);
            if let Some((fields, replaced)) = fold {
                folds += 1;
                let tag = format!("{writer}.{folds}");
                if let Err(e) = store.compact(fields, replaced, &tag).await {
                    self.load_error.set(Some(format!("{e:?}")));
                }
            }
            TimeoutFuture::new(0).await;
        }
        crate::clock::mark("yorisoi-all-loaded");
        self.all_loaded.set(true);
    }

    /// Folds every client that has gathered more than [`COMPACT_AFTER`] chunks since it was read
    /// (a long session's pulled pages and acknowledged pushes), as the start does: its chunks
    /// are read into a state of their own (nothing unsent in it), the snapshot written and the
    /// chunks it folded deleted, in one transaction (a chunk written meanwhile stays). Clients
    /// still waiting to be read are left to the loader. Returns how many clients were folded.
    pub async fn fold_gathered(self) -> usize {
        let (Some(store), Some(writer)) = (store(), with_state(|s| s.outbox.device())) else {
            return 0;
        };
        let counts = match store.chunk_counts().await {
            Ok(counts) => counts,
            Err(e) => {
                self.load_error.set(Some(format!("{e:?}")));
                return 0;
            }
        };
        let mut folded = 0;
        for (client, count) in counts {
            if count <= COMPACT_AFTER || !self.client_ready(client) {
                continue;
            }
            let read = match store.load_client(client).await {
                Ok((mut chunks, _)) => match store.load_profiles(&[client].into()).await {
                    Ok((profiles, _)) => {
                        chunks.extend(profiles);
                        chunks
                    }
                    Err(e) => {
                        self.load_error.set(Some(format!("{e:?}")));
                        continue;
                    }
                },
                Err(e) => {
                    self.load_error.set(Some(format!("{e:?}")));
                    continue;
                }
            };
            if let Some(Some((snapshot, replaced))) = with_state(|s| s.read_chunks(read)) {
                folded += 1;
                let tag = format!("{writer}.i{}", crate::clock::now_ms());
                if let Err(e) = store.compact(snapshot, replaced, &tag).await {
                    self.load_error.set(Some(format!("{e:?}")));
                }
            }
            // The page runs between clients.
            TimeoutFuture::new(0).await;
        }
        folded
    }

    /// Whether this client's records are read (pages showing them wait until then).
    pub fn client_ready(self, client: ClientId) -> bool {
        !self.waiting.with(|all| all.contains(&client))
    }

    /// A page needs this client's records: they are read next.
    pub fn want(self, client: ClientId) {
        self.wanted.update_value(|w| w.push(client));
    }
}
