//! What reaches the pages from outside this tab's inputs: the sync round's steps (pushes
//! acknowledged, pulled and bootstrapped pages, clients that left) and the other tabs of this
//! browser profile (their unsent changes and seals, through `storage` events; pulled pages,
//! through the syncing tab's messages). The storage each needs is done by the device engine
//! ([`crate::device::engine`]); this file turns what it returns into signals.

use super::Db;
use crate::device::engine::synced::ReadIn;
use crate::device::engine::{Device, Touched};
use crate::device::errors::StorageError;
use crate::device::inbox::{self, TabEvent};
use crate::device::keys::{OUTBOX_PREFIX, REFUSED_PREFIX, WRITER_PREFIX};
use crate::device::state::Progress;
use crate::device::sync::round::{self, Step};
use leptos::prelude::*;
use std::collections::BTreeSet;
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::sync::protocol::{FramedPage, Pulled, Refused};
use yorisoi_domain::sync::{Change, Entity};

/// The load is done: what came meanwhile is applied.
pub(super) fn loaded(db: Db) {
    let early = db
        .inbox
        .try_update_value(inbox::Inbox::loaded)
        .unwrap_or_default();
    for event in early {
        db.tab_event(event);
    }
}

impl Db {
    /// A `storage` event of the device's data from another tab: a change it set aside, or an
    /// outbox or writer entry.
    pub fn storage_event(self, key: String, old: Option<String>, new: Option<String>) {
        if key.starts_with(REFUSED_PREFIX) {
            if let Some(refused) = Device::refused_event(&key, new) {
                self.set.refused.update(|all| {
                    all.insert(refused.change.id, refused);
                });
            }
        } else if key.starts_with(OUTBOX_PREFIX) || key.starts_with(WRITER_PREFIX) {
            self.tab_event(TabEvent::Storage { key, old, new });
        }
    }

    /// Applies what another tab did (or keeps it until this tab has loaded).
    pub fn tab_event(self, event: TabEvent) {
        let event = self.inbox.try_update_value(|i| i.receive(event)).flatten();
        let touched = match event {
            None => return,
            Some(TabEvent::Pulled { changes, cursor }) => {
                self.apply(self.engine().apply_pulled(&changes, cursor));
                return;
            }
            Some(TabEvent::Forgot { clients }) => {
                self.apply(self.engine().forgot(&clients));
                return;
            }
            Some(TabEvent::Stored { clients, last }) => {
                wasm_bindgen_futures::spawn_local(
                    self.read_in(yorisoi_domain::order::set_of(clients), last),
                );
                return;
            }
            Some(TabEvent::Storage { key, old, new }) => {
                let outcome = self.engine().storage_event(key, old, new);
                if outcome.sealed_elsewhere {
                    self.sealed.update(|n| *n += 1);
                }
                outcome.touched
            }
        };
        if let Some(entity) = touched {
            self.rebuild(&[entity]);
        } else {
            self.set.revision.update(|r| *r += 1);
        }
        self.set.unsent.set(self.outbox_len());
    }

    /// What the device engine says it changed, shown: the entities rebuilt, the changes the
    /// server refused listed, the clients it deleted no longer waited for, the outbox counted.
    pub fn apply(self, touched: Touched) {
        let Touched {
            entities,
            refused,
            forgot,
        } = touched;
        if !forgot.is_empty() {
            self.waiting
                .update(|all| all.retain(|c| !forgot.contains(c)));
        }
        if !refused.is_empty() {
            self.set.refused.update(|all| {
                all.extend(refused.into_iter().map(|r| (r.change.id, r)));
            });
        }
        self.rebuild(&entities);
        self.set.unsent.set(self.outbox_len());
    }

    /// A step of the sync round that the data shows (its progress is the sync's to show).
    pub fn step(self, step: Step) {
        match step {
            Step::Touched(touched) => self.apply(touched),
            Step::Progress(_) => {}
            Step::Arriving(clients) => self.arriving(&clients),
            Step::ReadIn { read, last } => self.read(read, last),
        }
    }

    /// Clients a bootstrap page stored chunks of (in this tab or another): their records wait
    /// to be read, and are read again if the loader is reading them now.
    fn arriving(self, clients: &BTreeSet<ClientId>) {
        self.waiting
            .update(|all| all.extend(clients.iter().copied()));
        self.stale
            .update_value(|stale| stale.extend(clients.iter().copied()));
    }

    /// Their profiles, read: shown at once (the client list); their records are read in the
    /// background once the bootstrap's last page is stored (`last`): reading them before would
    /// compete with storing the next pages for the page's one thread.
    fn read(self, read: Result<ReadIn, StorageError>, last: bool) {
        match read {
            Ok(ReadIn { touched, set_aside }) => {
                if !set_aside.is_empty() {
                    self.set.set_aside.update(|all| all.extend(set_aside));
                }
                self.rebuild(&touched.entities);
            }
            Err(e) => self.set.load_error.set(Some(format!("{e:?}"))),
        }
        if last {
            self.run_loader();
        }
    }

    /// Clients another tab stored a bootstrap page of, read in as this tab's own are.
    pub(super) async fn read_in(self, clients: BTreeSet<ClientId>, last: bool) {
        if self.engine().store().is_none() {
            return;
        }
        self.arriving(&clients);
        let read = self.engine().read_profiles(&clients).await;
        self.read(read, last);
    }

    /// Makes this tab's changes so far final and says so in storage, so the syncing tab may push
    /// them (only as far as every one of them is in storage).
    pub fn seal(self) {
        self.engine().seal();
    }

    /// The next push, if anything may be sent (see `Device::next_push`).
    pub fn next_push(self, alive: &BTreeSet<DeviceId>) -> Option<(DeviceId, Vec<Change>)> {
        self.engine().next_push(alive)
    }

    /// The server stored `writer`'s changes up to `through` (see `Device::acknowledged`).
    pub async fn acknowledged(
        self,
        writer: DeviceId,
        through: u64,
        refused: &[Refused],
    ) -> Result<usize, StorageError> {
        let (touched, acked) = self.engine().acknowledged(writer, through, refused).await;
        self.apply(touched);
        acked
    }

    /// Where the next pull starts.
    pub fn cursor(self) -> u64 {
        self.engine().cursor()
    }

    /// The last scope hand-over this device finished.
    pub fn scope(self) -> u64 {
        self.engine().scope()
    }

    /// A pulled page, stored with its cursor and shown (see `Device::pulled`).
    pub async fn pulled(
        self,
        changes: Vec<Pulled>,
        cursor: u64,
        scope: Option<u64>,
    ) -> Result<(), StorageError> {
        let touched = self.engine().pulled(changes, cursor, scope).await?;
        self.apply(touched);
        Ok(())
    }

    /// Whether the next sync bootstraps, and from where: `None` once it pulls.
    pub fn bootstrap_progress(self) -> Option<Progress> {
        self.engine().bootstrap_progress()
    }

    /// A bootstrap page, stored and read in as the sync round does (see
    /// `device::sync::round::store_page`). Returns whether it was the last.
    pub async fn bootstrapped(
        self,
        page: FramedPage,
        progress: &mut Progress,
    ) -> Result<bool, StorageError> {
        round::store_page(&self.engine(), page, progress, &move |step| self.step(step)).await
    }

    /// Fetches one record's (or client's) history from the server, keeps it for offline use,
    /// and shows it: what a bootstrapped device shows when a person opens a history.
    pub async fn fetch_history(
        self,
        entity: Entity,
    ) -> Result<(), crate::device::api_error::ApiError> {
        let touched = self.engine().fetch_history(entity).await?;
        self.apply(touched);
        Ok(())
    }

    /// The syncing tab restarted from database `instance` (its server was restored).
    pub fn restarted(self, instance: String) {
        self.engine().restarted(instance);
    }
}
