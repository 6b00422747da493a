//! Everything one device (or the server) knows: every field's register, and every change it has
//! seen, kept as history. A change is never lost: it is a current value, one of the values of a
//! conflict, or in the history behind the value that replaced it.

use super::change::{Change, ChangeId, Entity};
use super::register::Register;
use crate::ids::ClientId;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replica {
    fields: BTreeMap<(Entity, String), Register>,
    history: BTreeMap<ChangeId, Change>,
    /// Whose data each entity is, from its changes.
    owners: BTreeMap<Entity, ClientId>,
}

impl Replica {
    /// Applies a change; returns `false` if it was already known (nothing changes then).
    pub fn apply(&mut self, change: &Change) -> bool {
        // An audit note is no data: it has no field to show, and no history.
        if self.history.contains_key(&change.id) || change.is_note() {
            return false;
        }
        self.fields
            .entry((change.entity, change.field.clone()))
            .or_default()
            .apply(change.id, &change.base, &change.value);
        self.history.insert(change.id, change.clone());
        self.owners.entry(change.entity).or_insert(change.client);
        true
    }

    /// Folds one field's state (a bootstrap's or a stored snapshot's) into this replica, with
    /// the client it belongs to. Its history is not known here: a record's history is fetched
    /// when it is opened.
    pub fn load(&mut self, entity: Entity, client: ClientId, field: String, register: Register) {
        match self.fields.entry((entity, field)) {
            std::collections::btree_map::Entry::Occupied(mut existing) => {
                existing.get_mut().merge(&register);
            }
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(register);
            }
        }
        self.owners.entry(entity).or_insert(client);
    }

    /// Takes in everything another replica holds (its fields' states, its history, whose each
    /// entity is): what applying every change behind it would give. A device reads one client's
    /// stored chunks into a replica of their own, then absorbs it.
    pub fn absorb(&mut self, other: Replica) {
        for ((entity, field), register) in other.fields {
            let client = other.owners.get(&entity).copied();
            match self.fields.entry((entity, field)) {
                std::collections::btree_map::Entry::Occupied(mut existing) => {
                    existing.get_mut().merge(&register);
                }
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(register);
                }
            }
            if let Some(client) = client {
                self.owners.entry(entity).or_insert(client);
            }
        }
        for (id, change) in other.history {
            self.owners.entry(change.entity).or_insert(change.client);
            self.history.entry(id).or_insert(change);
        }
    }

    /// Every field with its entity's client and its register, by entity and field: what a
    /// snapshot of the replica stores.
    pub fn all_fields(&self) -> impl Iterator<Item = (Entity, ClientId, &str, &Register)> {
        self.fields.iter().filter_map(|((e, f), r)| {
            self.owners
                .get(e)
                .map(|client| (*e, *client, f.as_str(), r))
        })
    }

    /// Every client with an entity in this replica.
    pub fn clients(&self) -> std::collections::BTreeSet<ClientId> {
        crate::order::set_of(self.owners.values().copied())
    }

    /// Gives a change this replica made, and that nobody else has seen yet, a new value: how
    /// typing into one answer stays one change until the device sends it. Returns `false` (and
    /// changes nothing) for an unknown change.
    pub fn amend(&mut self, id: ChangeId, value: Value) -> bool {
        let Some(change) = self.history.get_mut(&id) else {
            return false;
        };
        if let Some(register) = self.fields.get_mut(&(change.entity, change.field.clone())) {
            register.amend(id, &value);
        }
        change.value = value;
        true
    }

    /// The client an entity belongs to, once any change of it is known.
    pub fn owner(&self, entity: Entity) -> Option<ClientId> {
        self.owners.get(&entity).copied()
    }

    /// Every entity this replica knows, with its client.
    pub fn entities(&self) -> impl Iterator<Item = (Entity, ClientId)> + '_ {
        self.owners.iter().map(|(e, c)| (*e, *c))
    }

    /// A person's edit as a change: it replaces whatever values this replica shows for the field.
    pub fn edit(
        &self,
        id: ChangeId,
        entity: Entity,
        client: ClientId,
        field: &str,
        value: Value,
    ) -> Change {
        let base = self.revisions(entity, field);
        Self::edit_on(id, entity, client, field, value, base)
    }

    /// A person's edit as a change that replaces exactly `base`: the values the person saw. A
    /// value that arrived after they looked is not in it, so it stays beside theirs (a conflict
    /// a person resolves) instead of being silently replaced.
    pub fn edit_on(
        id: ChangeId,
        entity: Entity,
        client: ClientId,
        field: &str,
        value: Value,
        base: Vec<ChangeId>,
    ) -> Change {
        Change {
            id,
            entity,
            client,
            field: field.to_owned(),
            base,
            value,
        }
    }

    /// The changes whose values the field shows now (empty for a field never set).
    pub fn revisions(&self, entity: Entity, field: &str) -> Vec<ChangeId> {
        self.field(entity, field)
            .map(Register::revisions)
            .unwrap_or_default()
    }

    pub fn field(&self, entity: Entity, field: &str) -> Option<&Register> {
        self.fields.get(&(entity, field.to_owned()))
    }

    /// Every field of `entity` with its register.
    pub fn fields_of(&self, entity: Entity) -> impl Iterator<Item = (&str, &Register)> {
        self.fields
            .range((entity, String::new())..)
            .take_while(move |((e, _), _)| *e == entity)
            .map(|((_, f), r)| (f.as_str(), r))
    }

    /// Every field in conflict: what the "needs review" list shows.
    pub fn conflicts(&self) -> impl Iterator<Item = (Entity, &str, &Register)> {
        self.fields
            .iter()
            .filter(|(_, r)| r.is_conflict())
            .map(|((e, f), r)| (*e, f.as_str(), r))
    }

    /// Forgets everything of one client (its entities, fields and history), as when it leaves
    /// this device's scope. Returns the ids of the changes forgotten, for the store to delete.
    pub fn forget_client(&mut self, client: ClientId) -> Vec<ChangeId> {
        let gone: std::collections::BTreeSet<Entity> = crate::order::set_of(
            self.owners
                .iter()
                .filter(|(_, c)| **c == client)
                .map(|(e, _)| *e),
        );
        self.owners.retain(|e, _| !gone.contains(e));
        self.fields.retain(|(e, _), _| !gone.contains(e));
        let ids: Vec<ChangeId> = self
            .history
            .values()
            .filter(|c| c.client == client || gone.contains(&c.entity))
            .map(|c| c.id)
            .collect();
        for id in &ids {
            self.history.remove(id);
        }
        ids
    }

    /// Every change ever applied, by id: the history a person can view.
    pub fn history(&self) -> &BTreeMap<ChangeId, Change> {
        &self.history
    }

    /// Every change of one entity, by id: its history.
    pub fn history_of_entity(&self, entity: Entity) -> Vec<&Change> {
        self.history
            .values()
            .filter(|c| c.entity == entity)
            .collect()
    }

    /// A field's history, in the order the changes were made on each device.
    pub fn history_of(&self, entity: Entity, field: &str) -> Vec<&Change> {
        self.history
            .values()
            .filter(|c| c.entity == entity && c.field == field)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{DeviceId, RecordId};
    use serde_json::json;

    #[test]
    fn forgetting_a_client_removes_its_entities_fields_and_history_and_nothing_else() {
        let device = DeviceId::new_v7(1, [1; 10]);
        let (kept, gone) = (ClientId::new_v7(2, [2; 10]), ClientId::new_v7(3, [3; 10]));
        let mut replica = Replica::default();
        let mut seq = 0;
        for (client, n) in [(kept, 5u8), (gone, 6), (gone, 7)] {
            let record = Entity::Record(RecordId::new_v7(u64::from(n), [n; 10]));
            for field in ["status", "answers.user1.q2"] {
                seq += 1;
                let change =
                    replica.edit(ChangeId { device, seq }, record, client, field, json!(n));
                replica.apply(&change);
            }
        }
        let before = replica.history().len();
        let forgotten = replica.forget_client(gone);
        assert_eq!(forgotten.len(), 4);
        assert_eq!(replica.history().len(), before - 4);
        assert!(replica.entities().all(|(_, c)| c == kept));
        assert_eq!(replica.entities().count(), 1);
        assert!(replica.history().values().all(|c| c.client == kept));
        assert!(
            replica
                .fields
                .keys()
                .all(|(e, _)| replica.owner(*e) == Some(kept))
        );
    }

    #[test]
    fn edits_of_different_fields_merge_by_themselves_and_history_keeps_every_value() {
        let (coach, client_device) = (DeviceId::new_v7(1, [1; 10]), DeviceId::new_v7(2, [2; 10]));
        let client = ClientId::new_v7(3, [3; 10]);
        let record = Entity::Record(RecordId::new_v7(4, [4; 10]));
        let mut server = Replica::default();
        let first = server.edit(
            ChangeId {
                device: coach,
                seq: 1,
            },
            record,
            client,
            "answers.user1.q2",
            json!(["残業"]),
        );
        server.apply(&first);
        let (mut a, mut b) = (server.clone(), server.clone());
        let by_coach = a.edit(
            ChangeId {
                device: coach,
                seq: 2,
            },
            record,
            client,
            "answers.user1.q2",
            json!(["残業", "寒さ"]),
        );
        let by_client = b.edit(
            ChangeId {
                device: client_device,
                seq: 1,
            },
            record,
            client,
            "answers.user1.q5",
            json!(["慣れた作業"]),
        );
        for change in [&by_coach, &by_client] {
            a.apply(change);
            b.apply(change);
        }
        assert_eq!(a, b);
        assert_eq!(a.conflicts().count(), 0);
        assert_eq!(
            a.field(record, "answers.user1.q2").unwrap().value(),
            Some(&json!(["残業", "寒さ"]))
        );
        assert_eq!(
            a.history_of(record, "answers.user1.q2").len(),
            2,
            "the replaced value stays in the history"
        );
        assert_eq!(a.fields_of(record).count(), 2);
        assert!(!a.apply(&by_coach), "a change applied twice is recognised");
    }

    #[test]
    fn a_replica_absorbing_another_holds_what_applying_both_sets_of_changes_gives() {
        let (a, b) = (DeviceId::new_v7(1, [1; 10]), DeviceId::new_v7(2, [2; 10]));
        let client = ClientId::new_v7(3, [3; 10]);
        let record = Entity::Record(RecordId::new_v7(4, [4; 10]));
        let id = |device, seq| ChangeId { device, seq };
        let first = Replica::edit_on(id(a, 1), record, client, "notes", json!("一"), vec![]);
        let second = Replica::edit_on(
            id(b, 1),
            record,
            client,
            "notes",
            json!("二"),
            vec![id(a, 1)],
        );
        let other = Replica::edit_on(id(a, 2), record, client, "status", json!("draft"), vec![]);
        let mut whole = Replica::default();
        for change in [&first, &second, &other] {
            whole.apply(change);
        }
        // One replica saw the replacement only, the other the replaced change and another field.
        let (mut left, mut right) = (Replica::default(), Replica::default());
        left.apply(&second);
        right.apply(&first);
        right.apply(&other);
        left.absorb(right.clone());
        assert_eq!(left, whole);
        right.absorb(left.clone());
        assert_eq!(
            right, whole,
            "either way round, and absorbing twice changes nothing"
        );
    }
}
