//! The outbox, all of it in one place: this tab's own unsent changes (numbered and amended by
//! the domain's [`Outbox`]), the unsent changes other tabs of this browser wrote to
//! localStorage, each writer's seal, the order pushes go in, and how an acknowledgement splits
//! into this writer's changes and another's.
//!
//! The rule that keeps tabs from losing each other's edits: a tab amends only its own changes,
//! and only until it seals them; the one tab that syncs pushes another tab's changes only once
//! that tab sealed them or is gone (its writer lock released). So no change is ever pushed with
//! one value and then amended to another, and a tab closed mid-push leaves nothing that the next
//! syncing tab cannot push again (the server stores a number once).
//!
//! Every operation here works on [`DeviceState`] and returns what storage must do; writing it is
//! the device's (see `crate::db`).

use super::keys;
use super::state::{DeviceState, Stamp};
use serde_json::Value;
use std::collections::BTreeSet;
use yorisoi_domain::audit::Note;
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::sync::local::{Unsent, Writer};
use yorisoi_domain::sync::outbox::pushable;
use yorisoi_domain::sync::{Change, ChangeId, Entity, Outbox};

/// One acknowledged change: the localStorage entry it leaves, the change, when it was made.
#[derive(Clone, Debug, PartialEq)]
pub struct Acked {
    pub key: String,
    pub change: Change,
    pub made_at: Option<i64>,
}

impl DeviceState {
    /// Turns a person's changed fields into changes of this writer, applied to the replica.
    /// `seen` names one field and the revisions the person saw of it; every other field
    /// replaces what it shows now. Returns each field's change.
    pub fn write(
        &mut self,
        entity: Entity,
        client: ClientId,
        fields: Vec<(String, Value)>,
        mut seen: Option<(String, Vec<ChangeId>)>,
        now: i64,
    ) -> Vec<(String, ChangeId)> {
        let mut written = Vec::with_capacity(fields.len());
        for (field, value) in fields {
            let base = seen
                .take_if(|(key, _)| *key == field)
                .map(|(_, revisions)| revisions);
            let change = self
                .outbox
                .edit(&mut self.replica, entity, client, &field, value, base);
            self.stamp(&change, Stamp::made(now));
            written.push((field, change.id));
        }
        written
    }

    /// Queues an audit note (an access, not data): stamped with when it was made, but it
    /// changes no entity's time. Its number.
    pub fn note(&mut self, entity: Entity, client: ClientId, note: &Note) -> u64 {
        let change = self.outbox.note(entity, client, note);
        self.stamps.insert(change.id, Stamp::made(note.at));
        change.id.seq
    }

    /// This writer's change `seq` as its localStorage entry holds it (`None`: it is no longer
    /// unsent, so nothing is to be written).
    pub fn unsent_entry(&self, seq: u64) -> Option<Unsent> {
        self.outbox
            .pending()
            .find(|c| c.id.seq == seq)
            .map(|c| Unsent {
                change: c.clone(),
                made_at: self.made_at(&c.id).unwrap_or(0),
            })
    }

    /// Makes this writer's changes so far final: the seal to store, only as far as every one
    /// of them is in storage (`first_unsaved`: the first number storage refused).
    pub fn seal(&mut self, first_unsaved: Option<u64>) -> Writer {
        let sealed = self.outbox.seal();
        Writer {
            id: self.outbox.device(),
            sealed_through: first_unsaved.map_or(sealed, |seq| sealed.min(seq - 1)),
        }
    }

    /// Takes one unsent change another tab stored; the entity it touched (`None`: it is this
    /// writer's own).
    pub fn take_unsent(&mut self, key: String, unsent: Unsent) -> Option<Entity> {
        let id = unsent.change.id;
        if id.device == self.outbox.device() {
            return None;
        }
        let change = &unsent.change;
        match self.replica.history().get(&id).map(|c| c.value.clone()) {
            Some(value) if value == change.value => {}
            Some(_) => {
                self.replica.amend(id, change.value.clone());
            }
            None => {
                self.replica.apply(change);
            }
        }
        self.stamp(change, Stamp::made(unsent.made_at));
        let entity = change.entity;
        self.others.insert(id, (key, unsent));
        Some(entity)
    }

    /// Takes another writer's seal (a seal never moves back).
    pub fn take_writer(&mut self, writer: &Writer) {
        let sealed = self.sealed.entry(writer.id).or_default();
        *sealed = (*sealed).max(writer.sealed_through);
    }

    /// Takes what localStorage holds now of every writer: entries that went (acknowledged by
    /// another tab) leave, the ones there are taken. The entities touched.
    pub fn rescan(
        &mut self,
        unsent: Vec<(String, Unsent)>,
        writers: &[Writer],
    ) -> BTreeSet<Entity> {
        let stored: BTreeSet<ChangeId> =
            yorisoi_domain::order::set_of(unsent.iter().map(|(_, u)| u.change.id));
        let mut touched = BTreeSet::new();
        self.others.retain(|id, (_, u)| {
            let kept = stored.contains(id);
            if !kept {
                touched.insert(u.change.entity);
            }
            kept
        });
        for (key, unsent) in unsent {
            touched.extend(self.take_unsent(key, unsent));
        }
        for writer in writers {
            self.take_writer(writer);
        }
        touched
    }

    /// An entry went from localStorage (stored in IndexedDB by the syncing tab): it leaves the
    /// outbox, and stays in the replica. The entity touched, if another writer's.
    pub fn unsent_removed(&mut self, id: ChangeId) -> Option<Entity> {
        if id.device == self.outbox.device() {
            self.outbox.acknowledge(id.seq);
        }
        self.others.remove(&id).map(|(_, u)| u.change.entity)
    }

    /// The next push, if anything may be sent: one writer and its oldest changes. This tab's own
    /// are sent from memory (a change storage refused is still sent); other writers' by the
    /// sealing rule, for the writers whose tabs are `alive`. The writer whose oldest change was
    /// made first goes first, so a change reaches the server after the ones it was made on (a
    /// record's instrument before an answer another tab wrote to it).
    pub fn next_push(&mut self, alive: &BTreeSet<DeviceId>) -> Option<(DeviceId, Vec<Change>)> {
        let made = |change: &Change| self.made_at(&change.id);
        let others: Vec<Change> = self
            .others
            .values()
            .map(|(_, u)| u.change.clone())
            .collect();
        let other = pushable(&others, &self.sealed, alive)
            .into_iter()
            .min_by_key(|(_, batch)| made(&batch[0]));
        let own_first = self.outbox.pending().next().map(made);
        match (own_first, other) {
            (Some(own), Some(other)) if made(&other.1[0]) < own => Some(other),
            (Some(_), _) => Some((self.outbox.device(), self.outbox.next_batch())),
            (None, other) => other,
        }
    }

    /// The server stored `writer`'s changes up to `through`: they leave the outbox (this
    /// writer's from memory, another's from the others' list). What storage must then do with
    /// each: keep it as synced, remove its entry.
    pub fn acknowledge(&mut self, writer: DeviceId, through: u64) -> Vec<Acked> {
        if writer == self.outbox.device() {
            let acked = self.outbox.acknowledge(through);
            acked
                .into_iter()
                .map(|change| Acked {
                    key: keys::outbox_key(writer, change.id.seq),
                    made_at: self.made_at(&change.id),
                    change,
                })
                .collect()
        } else {
            let ids: Vec<ChangeId> = self
                .others
                .keys()
                .filter(|id| id.device == writer && id.seq <= through)
                .copied()
                .collect();
            ids.iter()
                .filter_map(|id| self.others.remove(id))
                .map(|(key, u)| Acked {
                    key,
                    change: u.change,
                    made_at: Some(u.made_at),
                })
                .collect()
        }
    }

    /// The writers whose tabs are gone and who left nothing unsent: forgotten (their entries
    /// are to be removed).
    pub fn forget_gone_writers(&mut self, alive: &BTreeSet<DeviceId>) -> Vec<DeviceId> {
        let busy: BTreeSet<DeviceId> =
            yorisoi_domain::order::set_of(self.others.keys().map(|id| id.device));
        let gone: Vec<DeviceId> = self
            .sealed
            .keys()
            .filter(|w| !alive.contains(w) && !busy.contains(w))
            .copied()
            .collect();
        for writer in &gone {
            self.sealed.remove(writer);
        }
        gone
    }

    /// Whether any change of these clients waits to be sent, in any tab.
    pub fn has_unsent_for(&self, clients: &[ClientId]) -> bool {
        self.outbox.pending().any(|c| clients.contains(&c.client))
            || self
                .others
                .values()
                .any(|(_, u)| clients.contains(&u.change.client))
    }

    /// Whether `change` waits to be sent, in any tab.
    pub fn is_unsent(&self, change: ChangeId) -> bool {
        self.outbox.pending().any(|c| c.id == change) || self.others.contains_key(&change)
    }

    /// This writer's outbox (for tests and the restore path).
    pub fn own(&self) -> &Outbox {
        &self.outbox
    }
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
