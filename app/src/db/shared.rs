//! What reaches the store from outside this tab's inputs: the sync engine (pushes from every
//! writer of this device, acknowledgements, pulled pages) and the other tabs of this browser
//! profile (their unsent changes and seals, through `storage` events; pulled pages, through the
//! syncing tab's messages).
//!
//! The rule that keeps tabs from losing each other's edits: a tab amends only its own changes,
//! and only until it seals them; the one tab that syncs pushes another tab's changes only once
//! that tab sealed them or is gone (its writer lock released). So no change is ever pushed with
//! one value and then amended to another, and a tab closed mid-push leaves nothing that the next
//! syncing tab cannot push again (the server stores a number once).

use super::{Db, Stamp, State, no_idb, store, with_state};
use crate::storage::{self, OUTBOX_PREFIX, REFUSED_PREFIX, StorageError, WRITER_PREFIX};
use crate::store::{Progress, Start};
use crate::tabs;
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::BTreeSet;
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::stored;
use yorisoi_domain::sync::local::{RefusedChange, Synced, Unsent, Writer};
use yorisoi_domain::sync::outbox::pushable;
use yorisoi_domain::sync::protocol::{FramedPage, Pulled, Refused};
use yorisoi_domain::sync::{Change, Entity};

/// Something another tab did.
#[derive(Debug)]
pub enum TabEvent {
    /// A localStorage entry was written (`Some`) or removed (`None`; the old value says which).
    Storage {
        key: String,
        old: Option<String>,
        new: Option<String>,
    },
    /// The syncing tab wrote a pulled page and its cursor.
    Pulled { changes: Vec<Pulled>, cursor: u64 },
    /// The syncing tab deleted these clients (they left this device's scope).
    Forgot { clients: Vec<ClientId> },
    /// The syncing tab stored a bootstrap page with chunks of these clients (`last`: the
    /// bootstrap's last).
    Stored { clients: Vec<ClientId>, last: bool },
}

thread_local! {
    /// Events that came while this tab was still loading: applied once it has loaded.
    static EARLY: RefCell<Option<Vec<TabEvent>>> = const { RefCell::new(Some(Vec::new())) };
}

/// Listens to the other tabs. Called before loading starts, so nothing written while this tab
/// loads is missed (an event for something the load also read is harmless: applying is
/// idempotent).
pub(super) fn listen(db: Db) {
    tabs::on_storage(move |key, old, new| {
        if key.starts_with(REFUSED_PREFIX) {
            if let Some((refused, _)) =
                new.and_then(|text| storage::open_entry::<RefusedChange>(&key, &text).ok())
            {
                db.refused.update(|all| {
                    all.insert(refused.change.id, refused);
                });
            }
        } else if key.starts_with(OUTBOX_PREFIX) || key.starts_with(WRITER_PREFIX) {
            db.tab_event(TabEvent::Storage { key, old, new });
        }
    });
    tabs::open(move |message| match message {
        tabs::Message::Pulled { changes, cursor } => {
            db.tab_event(TabEvent::Pulled { changes, cursor });
        }
        tabs::Message::Forgot { clients } => db.tab_event(TabEvent::Forgot { clients }),
        tabs::Message::Stored { clients, last } => {
            db.tab_event(TabEvent::Stored { clients, last });
        }
        tabs::Message::Restarted { instance } => db.restarted(instance),
        tabs::Message::Wiped => {
            let _ = window().location().reload();
        }
        tabs::Message::KeysPlease => {
            // A locked screen hands nothing over: the tab asking waits for the PIN or password.
            if crate::screen::may_share()
                && let Some((person, key)) = crate::vault::share()
            {
                tabs::post(&tabs::Message::Keys { person, key });
            }
        }
        tabs::Message::Keys { person, key } => {
            if let Some(account) = crate::account::account() {
                account.keys_arrived(person, &key);
            }
        }
        tabs::Message::Lock => {
            if crate::vault::unlocked().is_some() {
                crate::vault::lock();
                let _ = window().location().reload();
            }
        }
        other => crate::sync::on_message(other),
    });
    // A person leaving this tab is done typing here: what they typed may be pushed.
    tabs::on_leave(move || db.seal());
}

/// The load is done: what came meanwhile is applied.
pub(super) fn loaded(db: Db) {
    let early = EARLY.with(|e| e.borrow_mut().take()).unwrap_or_default();
    for event in early {
        db.tab_event(event);
    }
}

/// Takes one unsent change found in storage into `state`.
pub(super) fn take_unsent(state: &mut State, key: String, unsent: Unsent) -> Option<Entity> {
    let id = unsent.change.id;
    if id.device == state.outbox.device() {
        return None;
    }
    let change = &unsent.change;
    let known = state.replica.history().get(&id).map(|c| c.value.clone());
    match known {
        Some(value) if value == change.value => {}
        Some(_) => {
            state.replica.amend(id, change.value.clone());
        }
        None => {
            state.replica.apply(change);
        }
    }
    state.stamp(
        change,
        Stamp {
            received_at: None,
            made_at: Some(unsent.made_at),
        },
    );
    let entity = change.entity;
    state.others.insert(id, (key, unsent));
    Some(entity)
}

pub(super) fn take_writer(state: &mut State, writer: &Writer) {
    let sealed = state.sealed.entry(writer.id).or_default();
    *sealed = (*sealed).max(writer.sealed_through);
}

impl Db {
    /// Applies what another tab did (or keeps it until this tab has loaded).
    pub fn tab_event(self, event: TabEvent) {
        let event = EARLY.with(|e| match e.borrow_mut().as_mut() {
            Some(early) => {
                early.push(event);
                None
            }
            None => Some(event),
        });
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
                    self.read_in(clients.into_iter().collect(), last),
                );
                return;
            }
            Some(TabEvent::Storage { key, old, new }) => {
                with_state(|s| storage_event(s, key, old, new)).flatten()
            }
        };
        if let Some(entity) = touched {
            self.rebuild(&[entity]);
        } else {
            self.revision.update(|r| *r += 1);
        }
        self.unsent.set(self.outbox_len());
    }

    /// Makes this tab's changes so far final and says so in storage, so the syncing tab may push
    /// them (only as far as every one of them is in storage).
    pub fn seal(self) {
        let first_unsaved = self.unsaved.with_value(|u| u.first().copied());
        let Some((writer, through)) = with_state(|s| {
            let sealed = s.outbox.seal();
            let through = first_unsaved.map_or(sealed, |seq| sealed.min(seq - 1));
            (s.outbox.device(), through)
        }) else {
            return;
        };
        if through == self.saved_seal.get_value() {
            return;
        }
        let writer = Writer {
            id: writer,
            sealed_through: through,
        };
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
        let touched = with_state(|s| {
            let stored: BTreeSet<_> = local.unsent.iter().map(|(_, u)| u.change.id).collect();
            let mut touched: BTreeSet<Entity> = BTreeSet::new();
            s.others.retain(|id, (_, unsent)| {
                let kept = stored.contains(id);
                if !kept {
                    touched.insert(unsent.change.entity);
                }
                kept
            });
            for (key, unsent) in local.unsent {
                touched.extend(take_unsent(s, key, unsent));
            }
            for writer in &local.writers {
                take_writer(s, writer);
            }
            touched
        })
        .unwrap_or_default();
        self.rebuild(&touched.into_iter().collect::<Vec<_>>());
        self.unsent.set(self.outbox_len());
    }

    /// The next push, if anything may be sent: one writer and its oldest changes. This tab's own
    /// are sent from memory (a change storage refused is still sent); other writers' by the
    /// sealing rule, for the writers whose tabs are `alive`. The writer whose oldest change was
    /// made first goes first, so a change reaches the server after the ones it was made on (a
    /// record's instrument before an answer another tab wrote to it).
    pub fn next_push(self, alive: &BTreeSet<DeviceId>) -> Option<(DeviceId, Vec<Change>)> {
        with_state(|s| {
            let made = |change: &Change| s.stamps.get(&change.id).and_then(|t| t.made_at);
            let others: Vec<Change> = s.others.values().map(|(_, u)| u.change.clone()).collect();
            let other = pushable(&others, &s.sealed, alive)
                .into_iter()
                .min_by_key(|(_, batch)| made(&batch[0]));
            let own_first = s.outbox.pending().next().map(made);
            match (own_first, other) {
                (Some(own), Some(other)) if made(&other.1[0]) < own => Some(other),
                (Some(_), _) => Some((s.outbox.device(), s.outbox.next_batch())),
                (None, other) => other,
            }
        })
        .flatten()
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
        let acked = with_state(|s| {
            let own = writer == s.outbox.device();
            let changes: Vec<(String, Change, Option<i64>)> = if own {
                s.outbox
                    .acknowledge(through)
                    .into_iter()
                    .map(|change| {
                        let made_at = s.stamps.get(&change.id).and_then(|t| t.made_at);
                        (storage::outbox_key(writer, change.id.seq), change, made_at)
                    })
                    .collect()
            } else {
                let ids: Vec<_> = s
                    .others
                    .keys()
                    .filter(|id| id.device == writer && id.seq <= through)
                    .copied()
                    .collect();
                ids.iter()
                    .filter_map(|id| s.others.remove(id))
                    .map(|(key, u)| (key, u.change, Some(u.made_at)))
                    .collect()
            };
            changes
        })
        .unwrap_or_default();
        self.unsent.set(self.outbox_len());
        if acked.is_empty() {
            return Ok(0);
        }
        for refusal in refused {
            if let Some((_, change, made_at)) = acked.iter().find(|(_, c, _)| c.id == refusal.id) {
                let kept = RefusedChange {
                    change: change.clone(),
                    refusal: refusal.refusal.clone(),
                    made_at: *made_at,
                    context: self.refused_context(change),
                };
                storage::save_refused(&kept)?;
                self.refused.update(|all| {
                    all.insert(kept.change.id, kept);
                });
            }
        }
        // Audit notes went to the server's audit log: they are no data to keep.
        let synced: Vec<Synced> = acked
            .iter()
            .filter(|(_, change, _)| !change.is_note())
            .map(|(_, change, made_at)| Synced {
                change: change.clone(),
                received_at: None,
                made_at: *made_at,
            })
            .collect();
        let store = store().ok_or_else(no_idb)?;
        store.acknowledged(synced, writer, through).await?;
        for (key, _, _) in &acked {
            storage::remove(key);
        }
        self.revision.update(|r| *r += 1);
        Ok(acked.len())
    }

    /// Forgets the writers whose tabs are gone and who left nothing unsent.
    pub fn forget_gone_writers(self, alive: &BTreeSet<DeviceId>) {
        let gone: Vec<DeviceId> = with_state(|s| {
            let busy: BTreeSet<DeviceId> = s.others.keys().map(|id| id.device).collect();
            let gone: Vec<DeviceId> = s
                .sealed
                .keys()
                .filter(|w| !alive.contains(w) && !busy.contains(w))
                .copied()
                .collect();
            for writer in &gone {
                s.sealed.remove(writer);
            }
            gone
        })
        .unwrap_or_default();
        for writer in gone {
            storage::remove(&storage::writer_key(writer));
        }
    }

    /// Where the next pull starts.
    pub fn cursor(self) -> u64 {
        with_state(|s| s.cursor).unwrap_or(0)
    }

    /// The last scope hand-over this device finished.
    pub fn scope(self) -> u64 {
        with_state(|s| s.scope).unwrap_or(0)
    }

    /// A pulled page: written with its cursor (and the hand-over it finishes, if any) in one
    /// IndexedDB transaction, then told to the other tabs and applied.
    pub async fn pulled(
        self,
        changes: Vec<Pulled>,
        cursor: u64,
        scope: Option<u64>,
    ) -> Result<(), StorageError> {
        let synced: Vec<Synced> = with_state(|s| {
            changes
                .iter()
                .map(|p| Synced {
                    change: p.change.clone(),
                    received_at: Some(p.received_at),
                    made_at: s.stamps.get(&p.change.id).and_then(|t| t.made_at),
                })
                .collect()
        })
        .unwrap_or_default();
        let store = store().ok_or_else(no_idb)?;
        let instance = self.instance();
        store.pulled_in(synced, cursor, scope, &instance).await?;
        if let Some(scope) = scope {
            with_state(|s| s.scope = s.scope.max(scope));
        }
        tabs::post_pulled(&changes, cursor);
        self.apply_pulled(&changes, cursor);
        Ok(())
    }

    /// Whether the next sync bootstraps, and from where: `None` once it pulls.
    pub fn bootstrap_progress(self) -> Option<Progress> {
        with_state(|s| match &s.start {
            Start::Fresh => Some(Progress::default()),
            Start::Bootstrapping(progress) => Some(progress.clone()),
            Start::Pulling => None,
        })
        .flatten()
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
        let store = store().ok_or_else(no_idb)?;
        store.bootstrap_page(&page, progress, last).await?;
        with_state(|s| {
            s.start = if last {
                s.cursor = s.cursor.max(progress.base.unwrap_or(0));
                if let Some(token) = progress.token {
                    s.scope = s.scope.max(token);
                }
                Start::Pulling
            } else {
                Start::Bootstrapping(progress.clone())
            };
        });
        let clients: BTreeSet<ClientId> = head.chunks.iter().map(|c| c.client).collect();
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
            .or_else(|| with_state(|s| s.replica.owner(entity)).flatten())
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
        if let Some(store) = store() {
            // Kept for offline use if storage allows; shown either way.
            let _ = store.history(client, entity, synced.clone()).await;
        }
        with_state(|s| {
            for one in &synced {
                s.take_synced(one);
            }
        });
        self.rebuild(&[entity]);
        Ok(())
    }

    /// Whether any change of these clients waits to be sent, in any tab.
    pub fn has_unsent_for(self, clients: &[ClientId]) -> bool {
        with_state(|s| {
            s.outbox.pending().any(|c| clients.contains(&c.client))
                || s.others
                    .values()
                    .any(|(_, u)| clients.contains(&u.change.client))
        })
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
        let store = store().ok_or_else(no_idb)?;
        store.forget(clients, token).await?;
        self.waiting
            .update(|all| all.retain(|c| !clients.contains(c)));
        let entities = with_state(|s| forget(s, clients)).unwrap_or_default();
        with_state(|s| s.scope = s.scope.max(token));
        tabs::post(&tabs::Message::Forgot {
            clients: clients.to_vec(),
        });
        self.rebuild(&entities);
        Ok(())
    }

    fn forgot(self, clients: &[ClientId]) {
        self.waiting
            .update(|all| all.retain(|c| !clients.contains(c)));
        let entities = with_state(|s| forget(s, clients)).unwrap_or_default();
        self.rebuild(&entities);
    }

    fn apply_pulled(self, changes: &[Pulled], cursor: u64) {
        let touched: BTreeSet<Entity> = with_state(|s| {
            for pulled in changes {
                s.replica.apply(&pulled.change);
                s.stamp(
                    &pulled.change,
                    Stamp {
                        received_at: Some(pulled.received_at),
                        made_at: None,
                    },
                );
            }
            s.cursor = s.cursor.max(cursor);
            changes.iter().map(|p| p.change.entity).collect()
        })
        .unwrap_or_default();
        self.rebuild(&touched.into_iter().collect::<Vec<_>>());
    }
}

/// Forgets `clients` in memory; their entities (to rebuild, which removes them from what pages
/// show).
fn forget(state: &mut State, clients: &[ClientId]) -> Vec<Entity> {
    let entities: Vec<Entity> = state
        .replica
        .entities()
        .filter(|(_, c)| clients.contains(c))
        .map(|(e, _)| e)
        .collect();
    for client in clients {
        for id in state.replica.forget_client(*client) {
            state.stamps.remove(&id);
        }
    }
    for entity in &entities {
        state.updated.remove(entity);
    }
    entities
}

/// One `storage` event from another tab; the entity it touched, if any.
fn storage_event(
    state: &mut State,
    key: String,
    old: Option<String>,
    new: Option<String>,
) -> Option<Entity> {
    if let Some(writer) = key.strip_prefix(WRITER_PREFIX) {
        match new.as_deref().map(stored::decode::<Writer>) {
            Some(Ok(writer)) => {
                take_writer(state, &writer);
                crate::sync::sealed_elsewhere();
            }
            Some(Err(_)) => {}
            None => {
                state.sealed.remove(&writer.parse::<DeviceId>().ok()?);
            }
        }
        return None;
    }
    match (new, old) {
        (Some(text), _) => {
            let (unsent, _) = storage::open_entry::<Unsent>(&key, &text).ok()?;
            take_unsent(state, key, unsent)
        }
        (None, Some(text)) => {
            // Removed: the syncing tab stored it in IndexedDB (it stays in the replica).
            let id = storage::open_entry::<Unsent>(&key, &text).ok()?.0.change.id;
            if id.device == state.outbox.device() {
                state.outbox.acknowledge(id.seq);
            }
            state.others.remove(&id).map(|(_, u)| u.change.entity)
        }
        (None, None) => None,
    }
}
