//! What reaches the store from outside this tab's inputs: the sync engine (pushes from every
//! writer of this device, acknowledgements, pulled pages) and the other tabs of this browser
//! profile (their unsent changes and seals, through `storage` events; pulled pages, through the
//! syncing tab's messages).
//!
//! The outbox's rules (what may be pushed, in which order, how an acknowledgement splits) are
//! in [`crate::device::outbox`]; this file does the storage they ask for.

use super::{Db, no_idb};
use crate::device::inbox::{self, TabEvent};
use crate::device::state::Progress;
use crate::storage::{self, OUTBOX_PREFIX, REFUSED_PREFIX, StorageError, WRITER_PREFIX};
use crate::tabs;
use leptos::prelude::*;
use std::collections::BTreeSet;
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::sync::local::{RefusedChange, Synced, Unsent};
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
            if let Some((refused, _)) =
                new.and_then(|text| storage::open_entry::<RefusedChange>(&key, &text).ok())
            {
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
                self.apply_pulled(&changes, cursor);
                return;
            }
            Some(TabEvent::Forgot { clients }) => {
                self.forgot(&clients);
                return;
            }
            Some(TabEvent::Stored { clients, last }) => {
                wasm_bindgen_futures::spawn_local(
                    self.read_in(yorisoi_domain::order::set_of(clients), last),
                );
                return;
            }
            Some(TabEvent::Storage { key, old, new }) => {
                let open = |key: &str, text: &str| {
                    storage::open_entry::<Unsent>(key, text)
                        .ok()
                        .map(|(u, _)| u)
                };
                let outcome = self
                    .with_state(|s| inbox::storage_event(s, key, old, new, open))
                    .unwrap_or_default();
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

    /// Makes this tab's changes so far final and says so in storage, so the syncing tab may push
    /// them (only as far as every one of them is in storage).
    pub fn seal(self) {
        let first_unsaved = self.unsaved.with_value(|u| u.first().copied());
        let Some(writer) = self.with_state(|s| s.seal(first_unsaved)) else {
            return;
        };
        let through = writer.sealed_through;
        if through == self.saved_seal.get_value() {
            return;
        }
        if storage::save_writer(&writer).is_ok() {
            self.saved_seal.set_value(through);
        }
    }

    /// Reads localStorage again for every writer's unsent changes and seals: the syncing tab does
    /// this before it pushes, so an event it missed cannot make it skip or mis-send anything.
    pub fn rescan(self) {
        let Ok(local) = storage::load_all() else {
            return;
        };
        let touched = self
            .with_state(|s| s.rescan(local.unsent, &local.writers))
            .unwrap_or_default();
        self.rebuild(&touched.into_iter().collect::<Vec<_>>());
        self.set.unsent.set(self.outbox_len());
    }

    /// The next push, if anything may be sent: one writer and its oldest changes. This tab's own
    /// are sent from memory (a change storage refused is still sent); other writers' by the
    /// sealing rule, for the writers whose tabs are `alive`. The writer whose oldest change was
    /// made first goes first, so a change reaches the server after the ones it was made on (a
    /// record's instrument before an answer another tab wrote to it).
    pub fn next_push(self, alive: &BTreeSet<DeviceId>) -> Option<(DeviceId, Vec<Change>)> {
        self.with_state(|s| s.next_push(alive)).flatten()
    }

    /// The server stored `writer`'s changes up to `through`: they move from the outbox to synced
    /// storage (IndexedDB first; the localStorage entry goes only once that is written, and its
    /// removal tells the other tabs).
    /// The server's `refused` changes among them are kept, with why, before anything is removed.
    pub async fn acknowledged(
        self,
        writer: DeviceId,
        through: u64,
        refused: &[Refused],
    ) -> Result<usize, StorageError> {
        let acked = self
            .with_state(|s| s.acknowledge(writer, through))
            .unwrap_or_default();
        self.set.unsent.set(self.outbox_len());
        if acked.is_empty() {
            return Ok(0);
        }
        for refusal in refused {
            if let Some(acked) = acked.iter().find(|a| a.change.id == refusal.id) {
                let kept = RefusedChange {
                    change: acked.change.clone(),
                    refusal: refusal.refusal.clone(),
                    made_at: acked.made_at,
                    context: self.refused_context(&acked.change),
                };
                storage::save_refused(&kept)?;
                self.set.refused.update(|all| {
                    all.insert(kept.change.id, kept);
                });
            }
        }
        // Audit notes went to the server's audit log: they are no data to keep.
        let synced: Vec<Synced> = acked
            .iter()
            .filter(|a| !a.change.is_note())
            .map(|a| Synced {
                change: a.change.clone(),
                received_at: None,
                made_at: a.made_at,
            })
            .collect();
        let store = self.store().ok_or_else(no_idb)?;
        store.acknowledged(synced, writer, through).await?;
        for a in &acked {
            storage::remove(&a.key);
        }
        self.set.revision.update(|r| *r += 1);
        Ok(acked.len())
    }

    /// Forgets the writers whose tabs are gone and who left nothing unsent.
    pub fn forget_gone_writers(self, alive: &BTreeSet<DeviceId>) {
        let gone = self
            .with_state(|s| s.forget_gone_writers(alive))
            .unwrap_or_default();
        for writer in gone {
            storage::remove(&storage::writer_key(writer));
        }
    }

    /// Where the next pull starts.
    pub fn cursor(self) -> u64 {
        self.with_state(|s| s.cursor).unwrap_or(0)
    }

    /// The last scope hand-over this device finished.
    pub fn scope(self) -> u64 {
        self.with_state(|s| s.scope).unwrap_or(0)
    }

    /// A pulled page: written with its cursor (and the hand-over it finishes, if any) in one
    /// IndexedDB transaction, then told to the other tabs and applied.
    pub async fn pulled(
        self,
        changes: Vec<Pulled>,
        cursor: u64,
        scope: Option<u64>,
    ) -> Result<(), StorageError> {
        let synced = self
            .with_state(|s| s.synced_of(&changes))
            .unwrap_or_default();
        let store = self.store().ok_or_else(no_idb)?;
        let instance = self.instance();
        store.pulled_in(synced, cursor, scope, &instance).await?;
        if let Some(scope) = scope {
            self.with_state(|s| s.scope = s.scope.max(scope));
        }
        tabs::post_pulled(&changes, cursor);
        self.apply_pulled(&changes, cursor);
        Ok(())
    }

    /// Whether the next sync bootstraps, and from where: `None` once it pulls.
    pub fn bootstrap_progress(self) -> Option<Progress> {
        self.with_state(|s| s.bootstrap_progress()).flatten()
    }

    /// A bootstrap page: its chunks stored as they came, with where the bootstrap is after it
    /// (the last page also sets the cursor and the hand-over), then read in by every tab like a
    /// start: the clients' profiles at once, their records in the background. Returns whether it
    /// was the last.
    pub async fn bootstrapped(
        self,
        page: FramedPage,
        progress: &mut Progress,
    ) -> Result<bool, StorageError> {
        let head = &page.head;
        progress.base = Some(progress.base.map_or(head.base, |b| b.min(head.base)));
        progress.token = progress.token.or(head.scope);
        progress.received += head.fields;
        progress.after = head.next.clone();
        progress.pages += 1;
        progress.total = progress.total.or(head.total);
        let last = progress.after.is_none();
        let store = self.store().ok_or_else(no_idb)?;
        store.bootstrap_page(&page, progress, last).await?;
        self.with_state(|s| s.bootstrapped(progress, last));
        let clients: BTreeSet<ClientId> =
            yorisoi_domain::order::set_of(head.chunks.iter().map(|c| c.client));
        tabs::post(&tabs::Message::Stored {
            clients: clients.iter().copied().collect(),
            last,
        });
        self.read_in(clients, last).await;
        if last {
            crate::clock::mark_spent();
        }
        Ok(last)
    }

    /// Fetches one record's (or client's) history from the server, keeps it for offline use,
    /// and reads it in: what a bootstrapped device shows when a person opens a history.
    pub async fn fetch_history(self, entity: Entity) -> Result<(), crate::api::ApiError> {
        let answer = crate::api::history(entity).await?;
        let Some(client) = answer
            .changes
            .first()
            .map(|p| p.change.client)
            .or_else(|| self.with_state(|s| s.replica.owner(entity)).flatten())
        else {
            return Ok(());
        };
        let synced: Vec<Synced> = answer
            .changes
            .iter()
            .map(|p| Synced {
                change: p.change.clone(),
                received_at: Some(p.received_at),
                made_at: None,
            })
            .collect();
        if let Some(store) = self.store() {
            // Kept for offline use if storage allows; shown either way.
            let _ = store.history(client, entity, synced.clone()).await;
        }
        self.with_state(|s| {
            for one in &synced {
                s.take_synced(one);
            }
        });
        self.rebuild(&[entity]);
        Ok(())
    }

    /// Whether any change of these clients waits to be sent, in any tab.
    pub fn has_unsent_for(self, clients: &[ClientId]) -> bool {
        self.with_state(|s| s.has_unsent_for(clients))
            .unwrap_or(false)
    }

    /// Deletes everything of `clients` from this device (they left its scope, and what it had
    /// unsent for them was sent), and records hand-over `token` as finished, in one IndexedDB
    /// transaction. The other tabs forget them too.
    pub async fn forget_clients(
        self,
        clients: &[ClientId],
        token: u64,
    ) -> Result<(), StorageError> {
        let store = self.store().ok_or_else(no_idb)?;
        store.forget(clients, token).await?;
        self.waiting
            .update(|all| all.retain(|c| !clients.contains(c)));
        let entities = self.with_state(|s| s.forget(clients)).unwrap_or_default();
        self.with_state(|s| s.scope = s.scope.max(token));
        tabs::post(&tabs::Message::Forgot {
            clients: clients.to_vec(),
        });
        self.rebuild(&entities);
        Ok(())
    }

    fn forgot(self, clients: &[ClientId]) {
        self.waiting
            .update(|all| all.retain(|c| !clients.contains(c)));
        let entities = self.with_state(|s| s.forget(clients)).unwrap_or_default();
        self.rebuild(&entities);
    }

    fn apply_pulled(self, changes: &[Pulled], cursor: u64) {
        let touched = self
            .with_state(|s| s.apply_pulled(changes, cursor))
            .unwrap_or_default();
        self.rebuild(&touched.into_iter().collect::<Vec<_>>());
    }
}
