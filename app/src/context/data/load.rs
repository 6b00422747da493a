//! Reading the device's store at start: every client's profile first (the client list), then
//! each client's records in the background, a client at a time, the one a page asks for first.
//! The reading itself is the engine's ([`crate::device::engine::open`]); this file shows what it
//! returns and keeps the order the pages want.

use super::{Db, Loading, shared};
use crate::device::engine::open::ClientRead;
use crate::device::errors::StorageError;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use yorisoi_domain::ids::{ClientId, DeviceId};

impl Db {
    /// Reads localStorage and IndexedDB, rebuilds the replica, and turns pre-sync entries into
    /// changes. What other tabs write meanwhile waits and is applied once this is done.
    pub(super) async fn load(self) {
        let opened = self.engine().open().await;
        self.failed(opened.errors);
        self.waiting.set(opened.waiting);
        self.set.set_aside.set(opened.set_aside);
        // Merged, not set: one another tab reported while this tab loaded is already in it.
        self.set.refused.update(|all| {
            all.extend(opened.refused.into_iter().map(|r| (r.change.id, r)));
        });
        self.rebuild(&opened.entities);
        crate::clock::mark("yorisoi-rebuilt");
        // What was saved before sync existed becomes changes, then its old entry goes.
        for (key, client) in opened.clients {
            self.put_client(client);
            self.engine().add_legacy(key);
        }
        for (key, record) in opened.records {
            self.put_record(record);
            self.engine().add_legacy(key);
        }
        self.flush();
        shared::loaded(self);
        self.set.unsent.set(self.outbox_len());
        self.set.loading.set(Loading::Ready);
        // Then, while the person starts, the release-before's entries become chunks, and many
        // small chunks are folded into one snapshot per client.
        if self.engine().store().is_some() {
            let errors = self.engine().tidy(opened.later).await;
            self.failed(errors);
            self.run_loader();
        }
    }

    /// What storage could not do, said (the last one shows).
    fn failed(self, errors: Vec<StorageError>) {
        for e in errors {
            self.set.load_error.set(Some(format!("{e:?}")));
        }
    }

    /// Starts the background loader unless it runs already.
    pub(super) fn run_loader(self) {
        let device = self.engine();
        let (Some(_), Some(writer)) = (device.store(), self.with_state(|s| s.outbox.device()))
        else {
            return;
        };
        if self.loader.get_value() {
            return;
        }
        self.loader.set_value(true);
        self.set.all_loaded.set(false);
        wasm_bindgen_futures::spawn_local(async move {
            self.load_waiting(writer).await;
            self.loader.set_value(false);
        });
    }

    /// Reads each waiting client's records, one client at a time, the ones a page asks for
    /// first, letting the page run between them; folds a client's many chunks into one.
    async fn load_waiting(self, writer: DeviceId) {
        let device = self.engine();
        let waiting =
            move |client: ClientId| self.waiting.with_untracked(|all| all.contains(&client));
        let mut folds = 0;
        loop {
            let next = self
                .wanted
                .with_value(|w| w.iter().rev().find(|c| waiting(**c)).copied());
            let Some(client) =
                next.or_else(|| self.waiting.with_untracked(|all| all.first().copied()))
            else {
                break;
            };
            self.stale.update_value(|stale| {
                stale.remove(&client);
            });
            // Forgotten meanwhile (it left this device's scope): nothing of it is read in.
            let Some(read) = device.read_client(client, &waiting).await else {
                continue;
            };
            let ClientRead {
                entities,
                set_aside,
                fold,
            } = read.unwrap_or_else(|e| {
                self.failed(vec![e]);
                ClientRead::default()
            });
            if !set_aside.is_empty() {
                self.set.set_aside.update(|all| all.extend(set_aside));
            }
            // A chunk stored while it was read: the client is read again (reading is idempotent).
            if !self.stale.with_value(|stale| stale.contains(&client)) {
                self.waiting.update(|all| {
                    all.remove(&client);
                });
            }
            self.rebuild(&entities);
            if let Some(fold) = fold {
                folds += 1;
                let tag = format!("{writer}.{folds}");
                if let Err(e) = device.compact(fold, &tag).await {
                    self.failed(vec![e]);
                }
            }
            TimeoutFuture::new(0).await;
        }
        crate::clock::mark("yorisoi-all-loaded");
        self.set.all_loaded.set(true);
    }

    /// Folds every client that has gathered many chunks since it was read (see
    /// `Device::fold_gathered`); clients still waiting to be read are left to the loader.
    /// Returns how many clients were folded.
    pub async fn fold_gathered(self) -> usize {
        let waiting = move |client: ClientId| !self.client_ready(client);
        let (folded, errors) = self.engine().fold_gathered(&waiting).await;
        self.failed(errors);
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
