//! Reading the device at start, and its chunks later: once the person unlocked the app, this
//! tab's writer is taken (its lock held before the tab can make a change), localStorage and
//! IndexedDB are read into the [`DeviceState`] (every client's profile first; each client's
//! records later, a client at a time, by [`Device::read_client`]), and a client with many
//! chunks is folded into one snapshot holding only what the server has (nothing unsent).

use super::Device;
use crate::device::errors::{SetAside, StorageError};
use crate::device::state::{COMPACT_AFTER, DeviceState};
use crate::storage;
use crate::store::Store;
use gloo_timers::future::TimeoutFuture;
use std::collections::BTreeSet;
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::record::{Client, Record};
use yorisoi_domain::sync::Entity;
use yorisoi_domain::sync::local::{RefusedChange, Synced};
use yorisoi_domain::sync::protocol::ClientState;

/// A client's chunks to fold: its snapshot, and the keys of the chunks it replaces.
pub type Fold = (Vec<ClientState>, Vec<String>);

/// What the start read, for the pages: the state itself is the device's from then on.
#[derive(Debug, Default)]
pub struct Opened {
    /// What could not be read (each said in plain words; the rest loaded).
    pub errors: Vec<StorageError>,
    pub set_aside: Vec<SetAside>,
    pub refused: Vec<RefusedChange>,
    /// Clients whose records are still to be read.
    pub waiting: BTreeSet<ClientId>,
    /// Every entity the replica holds.
    pub entities: Vec<Entity>,
    /// What was saved before sync existed, with its entry: to become changes.
    pub clients: Vec<(String, Client)>,
    pub records: Vec<(String, Record)>,
    /// What the start leaves for after the pages are shown ([`Device::tidy`]).
    pub later: Later,
}

/// Work the start leaves for later: the release-before's entries to turn into chunks, and the
/// clients to fold.
#[derive(Debug, Default)]
pub struct Later {
    writer: Option<DeviceId>,
    legacy: Vec<Synced>,
    folds: Vec<Fold>,
}

/// One client's records, read.
#[derive(Debug, Default)]
pub struct ClientRead {
    pub entities: Vec<Entity>,
    pub set_aside: Vec<SetAside>,
    pub fold: Option<Fold>,
}

impl Device {
    /// Reads localStorage and IndexedDB into this tab's state (once the app is unlocked, here
    /// or in another tab, and this tab's writer is held).
    pub async fn open(&self) -> Opened {
        // Everything stored about clients is sealed: nothing is read until the person unlocked
        // the app (signed in, or typed their password), here or in another tab.
        crate::vault::when_unlocked().await;
        // This tab's writer lives as long as the tab: its lock tells other tabs it is open. It
        // is held before this tab can make a change (the load ends with it).
        let writer = crate::clock::new_device_id();
        let lock = crate::tabs::writer_lock(writer);
        let held = crate::tabs::hold_lock(&lock);
        let mut opened = Opened::default();
        let local = storage::load_all().unwrap_or_else(|e| {
            opened.errors.push(e);
            storage::Loaded::default()
        });
        opened.set_aside.extend(local.set_aside);
        let device = local.device.map_or_else(storage::device_id, |d| d.id);
        let mut state = DeviceState::new(writer, device);
        opened.later.writer = Some(writer);
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
                        opened.set_aside.extend(loaded.set_aside);
                        // The clients' profiles now; each client's records in the background.
                        // Built by inserting: `collect()` would compile one more sort.
                        opened.waiting =
                            yorisoi_domain::order::set_of(loaded.waiting.keys().copied());
                        opened.later.folds.extend(state.read_chunks(loaded.chunks));
                        for synced in &loaded.legacy {
                            state.take_synced(synced);
                        }
                        opened.later.legacy = loaded.legacy;
                        crate::clock::mark("yorisoi-replica");
                    }
                    Err(e) => opened.errors.push(e),
                }
                self.set_store(store);
            }
            Err(e) => opened.errors.push(e),
        }
        for (key, unsent) in local.unsent {
            state.take_unsent(key, unsent);
        }
        for writer in local.writers {
            state.take_writer(&writer);
        }
        held.await;
        opened.entities = state.replica.entities().map(|(e, _)| e).collect();
        self.set_state(state);
        opened.refused = local.refused;
        opened.clients = local
            .clients
            .into_iter()
            .map(|c| (storage::client_key(&c), c))
            .collect();
        opened.records = local
            .records
            .into_iter()
            .map(|r| (storage::record_key(&r), r))
            .collect();
        opened
    }

    /// After the start, while the person begins: the release-before's entries become chunks,
    /// and many small chunks are folded into one snapshot per client. What failed.
    pub async fn tidy(&self, later: Later) -> Vec<StorageError> {
        let (Some(store), Some(writer)) = (self.store(), later.writer) else {
            return Vec::new();
        };
        let mut errors = Vec::new();
        if !later.legacy.is_empty()
            && let Err(e) = store.migrate(later.legacy).await
        {
            errors.push(e);
        }
        for (fields, replaced) in later.folds {
            if let Err(e) = store.compact(fields, replaced, &writer.to_string()).await {
                errors.push(e);
            }
        }
        errors
    }

    /// Reads one client's records into the replica: its entities, and its fold if it gathered
    /// many chunks. `None`: the client is no longer `waiting` once its chunks are read (it left
    /// this device's scope meanwhile), and nothing of it is read in.
    pub async fn read_client(
        &self,
        client: ClientId,
        waiting: &dyn Fn(ClientId) -> bool,
    ) -> Option<Result<ClientRead, StorageError>> {
        let read = match self.store_or_fail() {
            Ok(store) => store.load_client(client).await,
            Err(e) => Err(e),
        };
        if !waiting(client) {
            return None;
        }
        Some(read.map(|(chunks, set_aside)| {
            let (fold, entities) = self
                .with_state(|s| (s.read_chunks(chunks), s.entities_of(client)))
                .unwrap_or_default();
            ClientRead {
                entities,
                set_aside,
                fold,
            }
        }))
    }

    /// Writes a client's snapshot and deletes the chunks it folded, in one transaction.
    pub async fn compact(&self, fold: Fold, tag: &str) -> Result<(), StorageError> {
        let (fields, replaced) = fold;
        self.store_or_fail()?.compact(fields, replaced, tag).await
    }

    /// Folds every client that has gathered more than [`COMPACT_AFTER`] chunks since it was
    /// read (a long session's pulled pages and acknowledged pushes), as the start does: its
    /// chunks are read into a state of their own (nothing unsent in it), the snapshot written
    /// and the chunks it folded deleted, in one transaction (a chunk written meanwhile stays).
    /// Clients still `waiting` to be read are left to the loader. How many clients were folded,
    /// and what failed.
    pub async fn fold_gathered(
        &self,
        waiting: &dyn Fn(ClientId) -> bool,
    ) -> (usize, Vec<StorageError>) {
        let (Some(store), Some(writer)) = (self.store(), self.with_state(|s| s.outbox.device()))
        else {
            return (0, Vec::new());
        };
        let counts = match store.chunk_counts().await {
            Ok(counts) => counts,
            Err(e) => return (0, vec![e]),
        };
        let (mut folded, mut errors) = (0, Vec::new());
        for (client, count) in counts {
            if count <= COMPACT_AFTER || waiting(client) {
                continue;
            }
            let read = match store.load_client(client).await {
                Ok((mut chunks, _)) => match store.load_profiles(&[client].into()).await {
                    Ok((profiles, _)) => {
                        chunks.extend(profiles);
                        chunks
                    }
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                },
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            if let Some(Some((snapshot, replaced))) = self.with_state(|s| s.read_chunks(read)) {
                folded += 1;
                let tag = format!("{writer}.i{}", crate::clock::now_ms());
                if let Err(e) = store.compact(snapshot, replaced, &tag).await {
                    errors.push(e);
                }
            }
            // The page runs between clients.
            TimeoutFuture::new(0).await;
        }
        (folded, errors)
    }
}
