//! Shared makings of the device's native tests: ids, states and changes.

use super::state::DeviceState;
use serde_json::{Value, json};
use yorisoi_domain::ids::{ClientId, DeviceId, RecordId};
use yorisoi_domain::sync::local::Unsent;
use yorisoi_domain::sync::{Change, ChangeId, Entity, Replica};

pub fn writer(n: u8) -> DeviceId {
    DeviceId::new_v7(1_000 + u64::from(n), [n; 10])
}

pub fn client(n: u8) -> ClientId {
    ClientId::new_v7(2_000 + u64::from(n), [n; 10])
}

pub fn record(n: u8) -> Entity {
    Entity::Record(RecordId::new_v7(3_000 + u64::from(n), [n; 10]))
}

/// A tab's state: writer `n` of device 0.
pub fn tab(n: u8) -> DeviceState {
    DeviceState::new(writer(n), writer(0))
}

/// One field's value as a change list for [`DeviceState::write`].
pub fn field(name: &str, value: &str) -> Vec<(String, Value)> {
    vec![(name.to_owned(), json!(value))]
}

/// Another writer's unsent change, as its localStorage entry holds it.
pub fn unsent(by: u8, seq: u64, entity: Entity, value: &str, made_at: i64) -> (String, Unsent) {
    let id = ChangeId {
        device: writer(by),
        seq,
    };
    let change: Change = Replica::edit_on(id, entity, client(1), "status", json!(value), vec![]);
    (
        super::keys::outbox_key(id.device, seq),
        Unsent { change, made_at },
    )
}
