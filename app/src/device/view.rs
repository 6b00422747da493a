//! What pages read, as values computed from the [`DeviceState`]: the clients and records an
//! edit or a pull changed, the fields in conflict, a record's history. The reactive layer puts
//! them into signals; nothing here knows there are any.

use super::state::{DeviceState, Stamp};
use serde_json::Value;
use std::collections::BTreeSet;
use yorisoi_domain::ids::{ClientId, RecordId};
use yorisoi_domain::instrument::InstrumentRef;
use yorisoi_domain::record::{Client, Record};
use yorisoi_domain::sync::fields::{client_from, record_from};
use yorisoi_domain::sync::{Change, ChangeId, Entity};

/// What changed of what pages show: each client and record as it is now (`None`: gone), and
/// whether each entity has a field in conflict.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changed {
    pub clients: Vec<(ClientId, Option<Client>)>,
    pub records: Vec<(RecordId, Option<Record>)>,
    pub review: Vec<(Entity, bool)>,
}

/// One change in a record's history.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    pub change: Change,
    /// The values this change replaced.
    pub replaced: Vec<Value>,
    pub stamp: Stamp,
    /// Made on this device.
    pub own: bool,
    /// Not yet on the server.
    pub unsent: bool,
}

/// The clients and records `entities` are now, from the replica.
pub fn changed(state: &DeviceState, entities: &[Entity]) -> Changed {
    let mut changed = Changed::default();
    for entity in entities {
        let conflicted = state
            .replica
            .fields_of(*entity)
            .any(|(_, r)| r.is_conflict());
        changed.review.push((*entity, conflicted));
        let updated = state.updated.get(entity).copied().unwrap_or(0);
        match *entity {
            Entity::Client(id) => changed
                .clients
                .push((id, client_from(&state.replica, id, updated))),
            Entity::Record(id) => changed
                .records
                .push((id, record_from(&state.replica, id, updated))),
        }
    }
    changed
}

/// Every field of `entity` in conflict, with its values side by side.
pub fn conflicts_of(state: &DeviceState, entity: Entity) -> Vec<(String, Vec<(ChangeId, Value)>)> {
    state
        .replica
        .fields_of(entity)
        .filter(|(_, r)| r.is_conflict())
        .map(|(f, r)| {
            (
                f.to_owned(),
                r.values().map(|(id, v)| (*id, v.clone())).collect(),
            )
        })
        .collect()
}

/// Every change of `entity`, oldest first by when it was made or received, with the values it
/// replaced.
pub fn history_of(state: &DeviceState, entity: Entity) -> Vec<HistoryEntry> {
    let history = state.replica.history();
    let mut entries: Vec<HistoryEntry> = state
        .replica
        .history_of_entity(entity)
        .into_iter()
        .map(|change| HistoryEntry {
            change: change.clone(),
            replaced: change
                .base
                .iter()
                .filter_map(|id| history.get(id).map(|c| c.value.clone()))
                .collect(),
            stamp: state.stamps.get(&change.id).copied().unwrap_or_default(),
            own: state.made_at(&change.id).is_some(),
            unsent: state.is_unsent(change.id),
        })
        .collect();
    yorisoi_domain::order::sort_by_key(&mut entries, |e| (e.stamp.time(), e.change.id));
    entries
}

/// Every instrument version a record on this device names (each value of a record's
/// `instrument` field, so a record in conflict keeps both): a device never drops one of them.
/// One pass over the records, building none.
pub fn instruments_used(state: &DeviceState) -> BTreeSet<InstrumentRef> {
    // Built by inserting (`order::set_of`): `collect()` would compile one more sort.
    yorisoi_domain::order::set_of(
        state
            .replica
            .entities()
            .filter(|(entity, _)| matches!(entity, Entity::Record(_)))
            .filter_map(|(entity, _)| state.replica.field(entity, "instrument"))
            .flat_map(|register| {
                register
                    .values()
                    .filter_map(|(_, v)| serde_json::from_value(v.clone()).ok())
            }),
    )
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
