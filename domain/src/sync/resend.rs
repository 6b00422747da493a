//! After a restore: which of a device's own changes to send again.
//!
//! A server restored from a backup has lost every change it stored after the copy, and a device
//! dropped its own from the outbox once they were acknowledged. What the device still holds of
//! them is in its stored chunks: whole changes (its acknowledged batches, pulled pages, fetched
//! histories) and, once a client's chunks were folded into a snapshot, each field's register,
//! which keeps the current values with their ids but neither the values they replaced nor which
//! change replaced which. [`Resend`] gathers, for each of the device's writers, every change
//! numbered above what the restored server holds of that writer: a whole change as it was, a
//! value known only from a snapshot as a change with the same id and value whose base is every
//! revision its register names as replaced (so it replaces nothing the device did not see
//! replaced). Audit notes are not kept after acknowledgement, so none is sent again.

use super::change::{Change, ChangeId};
use super::formats::MAX_BATCH;
use super::local::{Chunk, Synced};
use super::state::EntityState;
use crate::ids::{ClientId, DeviceId};
use std::collections::{BTreeMap, BTreeSet};

/// The changes to send again, gathered from a device's chunks.
#[derive(Debug, Default)]
pub struct Resend {
    /// This device's writers, and the last number of each the server holds (0 for none).
    stored: BTreeMap<DeviceId, u64>,
    whole: BTreeMap<ChangeId, Change>,
    from_state: BTreeMap<ChangeId, Change>,
}

impl Resend {
    /// For `writers` (every writer of this device), given how far the server holds each of them
    /// (`server`: a writer it does not name holds nothing).
    pub fn new(writers: &BTreeSet<DeviceId>, server: &BTreeMap<DeviceId, u64>) -> Self {
        Self {
            stored: crate::order::map_of(
                writers
                    .iter()
                    .map(|w| (*w, server.get(w).copied().unwrap_or(0))),
            ),
            ..Self::default()
        }
    }

    fn wanted(&self, id: &ChangeId) -> bool {
        self.stored
            .get(&id.device)
            .is_some_and(|last| id.seq > *last)
    }

    /// Takes in one stored chunk.
    pub fn read(&mut self, chunk: &Chunk) {
        match chunk {
            Chunk::Changes { changes } => {
                for Synced { change, .. } in changes {
                    if self.wanted(&change.id) && !change.is_note() {
                        self.whole.insert(change.id, change.clone());
                    }
                }
            }
            Chunk::Entities { client, entities } => {
                for entity in entities {
                    self.read_state(*client, entity);
                }
            }
            Chunk::State { fields } => {
                for field in fields {
                    self.read_field(field.client, field.entity, &field.field, &field.register);
                }
            }
        }
    }

    fn read_state(&mut self, client: ClientId, state: &EntityState) {
        for (field, register) in &state.fields {
            self.read_field(client, state.entity, field, register);
        }
    }

    fn read_field(
        &mut self,
        client: ClientId,
        entity: super::Entity,
        field: &str,
        register: &super::Register,
    ) {
        for (id, value) in register.values() {
            if self.wanted(id) {
                let base: Vec<ChangeId> = register.replaced().copied().collect();
                self.from_state.entry(*id).or_insert_with(|| Change {
                    id: *id,
                    entity,
                    client,
                    field: field.to_owned(),
                    base,
                    value: value.clone(),
                });
            }
        }
    }

    /// The pushes to make, each one writer's changes in order and at most [`MAX_BATCH`]; a whole
    /// change wins over the same change rebuilt from a snapshot.
    pub fn pushes(mut self) -> Vec<(DeviceId, Vec<Change>)> {
        for (id, change) in std::mem::take(&mut self.from_state) {
            self.whole.entry(id).or_insert(change);
        }
        let mut by_writer: BTreeMap<DeviceId, Vec<Change>> = BTreeMap::new();
        for (id, change) in self.whole {
            by_writer.entry(id.device).or_default().push(change);
        }
        let mut pushes = Vec::new();
        for (writer, changes) in by_writer {
            for batch in changes.chunks(MAX_BATCH) {
                pushes.push((writer, batch.to_vec()));
            }
        }
        pushes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RecordId;
    use crate::sync::state::EntityState;
    use crate::sync::{Entity, Register};
    use serde_json::json;

    fn writer(n: u8) -> DeviceId {
        DeviceId::new_v7(1_795_000_000_000, [n; 10])
    }

    fn client() -> ClientId {
        ClientId::new_v7(1_795_000_000_000, [3; 10])
    }

    fn record() -> Entity {
        Entity::Record(RecordId::new_v7(1_795_000_000_000, [4; 10]))
    }

    fn change(w: u8, seq: u64, base: Vec<ChangeId>, text: &str) -> Change {
        Change {
            id: ChangeId {
                device: writer(w),
                seq,
            },
            entity: record(),
            client: client(),
            field: "answers.user1.q2".into(),
            base,
            value: json!({"type": "text", "lines": [text]}),
        }
    }

    fn synced(change: Change) -> Synced {
        Synced {
            change,
            received_at: None,
            made_at: None,
        }
    }

    /// Only this device's writers, only above what the server holds, in order, whole changes as
    /// they were; another device's changes and notes never.
    #[test]
    fn own_changes_above_the_servers_numbers_are_sent_again_in_order() {
        let mine = BTreeSet::from([writer(1), writer(2)]);
        let server = BTreeMap::from([(writer(1), 2), (writer(9), 100)]);
        let mut resend = Resend::new(&mine, &server);
        let mut note = change(1, 5, vec![], "x");
        note.field = crate::audit::NOTE_FIELD.into();
        resend.read(&Chunk::Changes {
            changes: vec![
                synced(change(1, 4, vec![], "d")),
                synced(change(1, 2, vec![], "b")),
                synced(change(1, 3, vec![change(1, 2, vec![], "").id], "c")),
                synced(change(9, 200, vec![], "another device's")),
                synced(change(2, 1, vec![], "a new writer")),
                synced(note),
            ],
        });
        let pushes = resend.pushes();
        let seqs: Vec<(DeviceId, Vec<u64>)> = pushes
            .iter()
            .map(|(w, cs)| (*w, cs.iter().map(|c| c.id.seq).collect()))
            .collect();
        assert_eq!(seqs, vec![(writer(1), vec![3, 4]), (writer(2), vec![1])]);
        assert_eq!(
            pushes[0].1[0],
            change(1, 3, vec![change(1, 2, vec![], "").id], "c")
        );
    }

    /// A value known only from a folded snapshot goes again with its id and value, replacing
    /// what its register says was replaced; a whole change of the same id wins.
    #[test]
    fn a_snapshots_current_values_are_sent_again() {
        let mine = BTreeSet::from([writer(1)]);
        let mut register = Register::default();
        let first = change(1, 1, vec![], "old");
        let second = change(1, 2, vec![first.id], "new");
        let theirs = change(7, 1, vec![], "theirs, concurrent");
        for c in [&first, &second, &theirs] {
            register.apply(c.id, &c.base, &c.value);
        }
        let state = Chunk::Entities {
            client: client(),
            entities: vec![EntityState {
                entity: record(),
                at: 0,
                fields: vec![("answers.user1.q2".into(), register)],
            }],
        };
        let mut resend = Resend::new(&mine, &BTreeMap::new());
        resend.read(&state);
        let pushes = resend.pushes();
        assert_eq!(pushes.len(), 1);
        assert_eq!(
            pushes[0].1,
            vec![second.clone()],
            "the replaced value is gone"
        );
        let mut whole = Resend::new(&mine, &BTreeMap::new());
        let mut exact = second.clone();
        exact.base = vec![];
        whole.read(&state);
        whole.read(&Chunk::Changes {
            changes: vec![synced(exact.clone())],
        });
        assert_eq!(whole.pushes()[0].1, vec![exact]);
    }

    #[test]
    fn many_changes_go_in_pushes_of_at_most_a_batch() {
        let mine = BTreeSet::from([writer(1)]);
        let mut resend = Resend::new(&mine, &BTreeMap::new());
        resend.read(&Chunk::Changes {
            changes: (1..=1_201)
                .map(|s| synced(change(1, s, vec![], "v")))
                .collect(),
        });
        let sizes: Vec<usize> = resend.pushes().iter().map(|(_, c)| c.len()).collect();
        assert_eq!(sizes, vec![500, 500, 201]);
    }
}
