//! A device's outbox: the changes it made that the server has not yet acknowledged, numbered
//! `(device, seq)` in the order they were made.
//!
//! A number is never used twice: a change the server may have stored under a number is never
//! re-used for another value. Typing into one answer stays one change while the device has not
//! sent it (the unsent change is amended in place); once a push carried it, the next keystroke is
//! a new change.

use super::change::{Change, ChangeId, Entity};
use super::protocol::MAX_BATCH;
use super::replica::Replica;
use crate::ids::{ClientId, DeviceId};
use serde_json::Value;
use std::collections::VecDeque;

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
        pending.sort_by_key(|c| c.id.seq);
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
    pub fn edit(
        &mut self,
        replica: &mut Replica,
        entity: Entity,
        client: ClientId,
        field: &str,
        value: Value,
    ) -> Change {
        let current = replica.field(entity, field).map(|r| r.revisions());
        if let Some([only]) = current.as_deref()
            && only.device == self.device
            && only.seq > self.sent_through
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
        let change = replica.edit(id, entity, client, field, value);
        replica.apply(&change);
        self.pending.push_back(change.clone());
        change
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RecordId;
    use serde_json::json;

    fn setup() -> (Outbox, Replica, Entity, ClientId) {
        (
            Outbox::new(DeviceId::new_v7(1, [1; 10]), 1, Vec::new()),
            Replica::default(),
            Entity::Record(RecordId::new_v7(2, [2; 10])),
            ClientId::new_v7(3, [3; 10]),
        )
    }

    #[test]
    fn typing_into_one_field_stays_one_change_until_it_is_sent() {
        let (mut outbox, mut replica, entity, client) = setup();
        for text in ["ざ", "ざん", "残業"] {
            outbox.edit(
                &mut replica,
                entity,
                client,
                "answers.user1.q2",
                json!(text),
            );
        }
        assert_eq!(outbox.len(), 1);
        assert_eq!(
            replica.field(entity, "answers.user1.q2").unwrap().value(),
            Some(&json!("残業"))
        );
        assert_eq!(outbox.next_batch()[0].value, json!("残業"));
        let after_send = outbox.edit(&mut replica, entity, client, "answers.user1.q2", json!("x"));
        assert_eq!(after_send.id.seq, 2, "a sent change is never amended");
        assert_eq!(after_send.base, vec![outbox.pending[0].id]);
        assert_eq!(outbox.len(), 2);
    }

    #[test]
    fn acknowledged_changes_leave_and_numbers_are_never_reused() {
        let (mut outbox, mut replica, entity, client) = setup();
        for field in ["a", "b", "c"] {
            outbox.edit(&mut replica, entity, client, field, json!(1));
        }
        let batch = outbox.next_batch();
        assert_eq!(batch.len(), 3);
        let acked = outbox.acknowledge(2);
        assert_eq!(acked.iter().map(|c| c.id.seq).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(outbox.len(), 1);
        // Storage kept a counter behind the pending changes: it is raised past them.
        let pending: Vec<Change> = outbox.pending().cloned().collect();
        let mut reloaded = Outbox::new(outbox.device(), 1, pending);
        assert_eq!(reloaded.next_seq(), 4);
        reloaded.reserve_through(9);
        let next = reloaded.edit(&mut replica, entity, client, "c", json!(2));
        assert_eq!(next.id.seq, 10);
        assert_eq!(reloaded.len(), 2, "a reloaded change counts as sent");
    }

    #[test]
    fn a_batch_is_at_most_the_protocol_limit() {
        let (mut outbox, mut replica, entity, client) = setup();
        for i in 0..(MAX_BATCH + 3) {
            outbox.edit(&mut replica, entity, client, &format!("f{i}"), json!(i));
        }
        assert_eq!(outbox.next_batch().len(), MAX_BATCH);
    }
}
