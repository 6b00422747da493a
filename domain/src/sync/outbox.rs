//! A device's outbox: the changes it made that the server has not yet acknowledged, numbered
//! `(device, seq)` in the order they were made.
//!
//! A number is never used twice: a change the server may have stored under a number is never
//! re-used for another value. Typing into one answer stays one change while the device has not
//! sent it (the unsent change is amended in place); once a push carried it, the next keystroke is
//! a new change.

use super::change::{Change, ChangeId, Entity};
use super::formats::MAX_BATCH;
use super::replica::Replica;
use crate::ids::{ClientId, DeviceId};
use serde_json::Value;
use std::collections::VecDeque;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outbox {
    device: DeviceId,
    next_seq: u64,
    pending: VecDeque<Change>,
    /// The highest number any push may have carried: changes up to it are never amended.
    sent_through: u64,
}

impl Outbox {
    /// The outbox as storage kept it. `next_seq` is the stored counter; it is raised past every
    /// pending change, and every change loaded counts as possibly sent.
    pub fn new(device: DeviceId, next_seq: u64, mut pending: Vec<Change>) -> Self {
        pending.retain(|c| c.id.device == device);
        crate::order::sort_by_key(&mut pending, |c| c.id.seq);
        pending.dedup_by_key(|c| c.id.seq);
        let last = pending.last().map_or(0, |c| c.id.seq);
        Self {
            device,
            next_seq: next_seq.max(last + 1).max(1),
            pending: pending.into(),
            sent_through: last,
        }
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// The number the next new change gets: what storage must keep.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Makes sure no number at or below `seq` is used again (e.g. the highest of this device's
    /// changes found in synced storage).
    pub fn reserve_through(&mut self, seq: u64) {
        self.next_seq = self.next_seq.max(seq + 1);
        self.sent_through = self.sent_through.max(seq);
    }

    pub fn pending(&self) -> impl ExactSizeIterator<Item = &Change> {
        self.pending.iter()
    }

    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// A person's edit of one field: applied to `replica` and returned as the change to store,
    /// either new, or the still unsent change of the same field amended (same id: the stored
    /// entry is overwritten).
    ///
    /// `seen` is what the person was looking at when they typed: the revisions their input
    /// showed (`None`: whatever the field shows now, for a control that always shows the current
    /// value). The change replaces exactly those, so a value that arrived while they were typing
    /// (from another tab or a pull) is kept beside theirs, never silently replaced.
    pub fn edit(
        &mut self,
        replica: &mut Replica,
        entity: Entity,
        client: ClientId,
        field: &str,
        value: Value,
        seen: Option<Vec<ChangeId>>,
    ) -> Change {
        let current = replica.revisions(entity, field);
        let base = seen.unwrap_or_else(|| current.clone());
        if let [only] = base.as_slice()
            && only.device == self.device
            && only.seq > self.sent_through
            && current.contains(only)
            && let Some(unsent) = self.pending.iter_mut().find(|c| c.id == *only)
        {
            unsent.value = value.clone();
            replica.amend(*only, value);
            return unsent.clone();
        }
        let id = ChangeId {
            device: self.device,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        let change = Replica::edit_on(id, entity, client, field, value, base);
        replica.apply(&change);
        self.pending.push_back(change.clone());
        change
    }

    /// An access to record (see [`crate::audit::NOTE_FIELD`]): queued like a change, so it is
    /// stored, numbered and sent like one, but applied to nothing.
    pub fn note(&mut self, entity: Entity, client: ClientId, note: &crate::audit::Note) -> Change {
        let id = ChangeId {
            device: self.device,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        let change = Replica::edit_on(
            id,
            entity,
            client,
            crate::audit::NOTE_FIELD,
            note.to_value(),
            Vec::new(),
        );
        self.pending.push_back(change.clone());
        change
    }

    /// Makes every change made so far final: none is amended again, so another tab may build on
    /// it or push it. Returns the highest number sealed (0 before the first change).
    pub fn seal(&mut self) -> u64 {
        self.sent_through = self.sent_through.max(self.next_seq - 1);
        self.sent_through
    }

    /// The next push: the oldest pending changes, at most [`MAX_BATCH`]. From now on they count
    /// as sent and are never amended.
    pub fn next_batch(&mut self) -> Vec<Change> {
        let batch: Vec<Change> = self.pending.iter().take(MAX_BATCH).cloned().collect();
        if let Some(last) = batch.last() {
            self.sent_through = self.sent_through.max(last.id.seq);
        }
        batch
    }

    /// The server stored every change up to `through`: they leave the outbox and are returned
    /// (to be kept as synced history).
    pub fn acknowledge(&mut self, through: u64) -> Vec<Change> {
        let mut acked = Vec::new();
        while self.pending.front().is_some_and(|c| c.id.seq <= through) {
            acked.extend(self.pending.pop_front());
        }
        self.sent_through = self.sent_through.max(through);
        acked
    }
}

/// Which of the unsent changes other tabs of this device left in storage one tab may push now,
/// per writer (each tab is a writer with its own numbers), oldest first, at most [`MAX_BATCH`]
/// each.
///
/// A writer whose tab is still open (`alive`) may still amend its newest changes while the
/// person types, so only the changes it has sealed (`sealed`, its highest final number) are
/// pushed; a writer whose tab is gone amends nothing any more, so all of its changes are.
pub fn pushable(
    unsent: &[Change],
    sealed: &BTreeMap<DeviceId, u64>,
    alive: &BTreeSet<DeviceId>,
) -> Vec<(DeviceId, Vec<Change>)> {
    let mut by_writer: BTreeMap<DeviceId, BTreeMap<u64, &Change>> = BTreeMap::new();
    for change in unsent {
        by_writer
            .entry(change.id.device)
            .or_default()
            .insert(change.id.seq, change);
    }
    by_writer
        .into_iter()
        .filter_map(|(writer, changes)| {
            let limit = if alive.contains(&writer) {
                sealed.get(&writer).copied().unwrap_or(0)
            } else {
                u64::MAX
            };
            let batch: Vec<Change> = changes
                .into_values()
                .take_while(|c| c.id.seq <= limit)
                .take(MAX_BATCH)
                .cloned()
                .collect();
            (!batch.is_empty()).then_some((writer, batch))
        })
        .collect()
}

#[cfg(test)]
mod tests;
