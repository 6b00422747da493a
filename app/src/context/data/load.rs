//! Reading the device's store at start: every client's profile first (the client list), then
//! each client's records in the background, a client at a time, the one a page asks for first.
//! A client's chunks are read into a state of their own and then absorbed, so a client with many
//! chunks can be folded into one snapshot holding only what the server has (nothing unsent).

use super::{Db, Loading, State, shared};
use crate::storage;
use crate::store::Store;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use std::collections::BTreeSet;
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::sync::Entity;

use crate::device::state::COMPACT_AFTER;

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
                self.set.load_error.set(Some(format!("{e:?}")));
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
                    Err(e) => self.set.load_error.set(Some(format!("{e:?}"))),
                }
                self.store.set_value(Some(store));
            }
            Err(e) => self.set.load_error.set(Some(format!("{e:?}"))),
        }
        for (key, unsent) in local.unsent {
            state.take_unsent(key, unsent);
        }
        for writer in local.writers {
            state.take_writer(&writer);
        }
        held.await;
        let entities: Vec<Entity> = state.replica.entities().map(|(e, _)| e).collect();
        *self.state_cell().borrow_mut() = Some(state);
        self.waiting.set(waiting);
        self.set.set_aside.set(set_aside);
        // Merged, not set: one another tab reported while this tab loaded is already in it.
        self.set.refused.update(|all| {
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
        self.set.unsent.set(self.outbox_len());
        self.set.loading.set(Loading::Ready);
        // Then, while the person starts, the release-before's entries become chunks, and many
        // small chunks are folded into one snapshot per client.
        if let Some(store) = self.store() {
            if !legacy.is_empty()
                && let Err(e) = store.migrate(legacy).await
            {
                self.set.load_error.set(Some(format!("{e:?}")));
            }
            for (fields, replaced) in compaction {
                if let Err(e) = store.compact(fields, replaced, &writer.to_string()).await {
                    self.set.load_error.set(Some(format!("{e:?}")));
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
        let Some(store) = self.store() else {
            return;
        };
        self.waiting
            .update(|all| all.extend(clients.iter().copied()));
        self.stale
            .update_value(|stale| stale.extend(clients.iter().copied()));
        match store.load_profiles(&clients).await {
            Ok((chunks, set_aside)) => {
                if !set_aside.is_empty() {
                    self.set.set_aside.update(|all| all.extend(set_aside));
                }
                let touched = self
                    .with_state(|s| {
                        let mut touched = BTreeSet::new();
                        for (_, chunk) in chunks {
                            touched.extend(s.take_chunk(chunk));
                        }
                        touched
                    })
                    .unwrap_or_default();
                self.rebuild(&touched.into_iter().collect::<Vec<_>>());
            }
            Err(e) => self.set.load_error.set(Some(format!("{e:?}"))),
        }
        if last {
            self.run_loader();
        }
    }

    /// Starts the background loader unless it runs already.
    fn run_loader(self) {
        let (Some(store), Some(writer)) = (self.store(), self.with_state(|s| s.outbox.device()))
        else {
            return;
        };
        if self.loader.get_value() {
            return;
        }
        self.loader.set_value(true);
        self.set.all_loaded.set(false);
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
                        self.set.set_aside.update(|all| all.extend(set_aside));
                    }
                    self.with_state(|s| {
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
                    self.set.load_error.set(Some(format!("{e:?}")));
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
                    self.set.load_error.set(Some(format!("{e:?}")));
                }
            }
            TimeoutFuture::new(0).await;
        }
        crate::clock::mark("yorisoi-all-loaded");
        self.set.all_loaded.set(true);
    }

    /// Folds every client that has gathered more than [`COMPACT_AFTER`] chunks since it was read
    /// (a long session's pulled pages and acknowledged pushes), as the start does: its chunks
    /// are read into a state of their own (nothing unsent in it), the snapshot written and the
    /// chunks it folded deleted, in one transaction (a chunk written meanwhile stays). Clients
    /// still waiting to be read are left to the loader. Returns how many clients were folded.
    pub async fn fold_gathered(self) -> usize {
        let (Some(store), Some(writer)) = (self.store(), self.with_state(|s| s.outbox.device()))
        else {
            return 0;
        };
        let counts = match store.chunk_counts().await {
            Ok(counts) => counts,
            Err(e) => {
                self.set.load_error.set(Some(format!("{e:?}")));
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
                        self.set.load_error.set(Some(format!("{e:?}")));
                        continue;
                    }
                },
                Err(e) => {
                    self.set.load_error.set(Some(format!("{e:?}")));
                    continue;
                }
            };
            if let Some(Some((snapshot, replaced))) = self.with_state(|s| s.read_chunks(read)) {
                folded += 1;
                let tag = format!("{writer}.i{}", crate::clock::now_ms());
                if let Err(e) = store.compact(snapshot, replaced, &tag).await {
                    self.set.load_error.set(Some(format!("{e:?}")));
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
