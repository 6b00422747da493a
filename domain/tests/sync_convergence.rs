//! Property: for any history of edits made on several devices (with their real, concurrent
//! bases), applying the resulting changes in any order, with any duplicates, gives the same
//! replica; and every change is a current value, a value in conflict, or replaced by a change
//! whose author saw it.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use serde_json::json;
use yorisoi_domain::ids::{ClientId, DeviceId, RecordId};
use yorisoi_domain::sync::{Change, ChangeId, Entity, Replica};

const DEVICES: usize = 3;
const FIELDS: [&str; 3] = ["answers.user1.q2", "answers.user1.q4", "status"];

#[derive(Clone, Debug)]
enum Op {
    /// Device `device` edits `field`.
    Edit {
        device: usize,
        field: usize,
        value: u8,
    },
    /// Device `from` hands everything it knows to device `to` (a sync through the server).
    Sync { from: usize, to: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..DEVICES, 0..FIELDS.len(), any::<u8>()).prop_map(|(device, field, value)| Op::Edit { device, field, value }),
        1 => (0..DEVICES, 0..DEVICES).prop_map(|(from, to)| Op::Sync { from, to }),
    ]
}

/// Plays `ops` on devices that each edit their own replica, returning every change made.
fn history(ops: &[Op]) -> Vec<Change> {
    let client = ClientId::new_v7(1, [1; 10]);
    let entity = Entity::Record(RecordId::new_v7(2, [2; 10]));
    let devices: Vec<DeviceId> = (0..DEVICES)
        .map(|d| DeviceId::new_v7(10 + d as u64, [d as u8; 10]))
        .collect();
    let mut replicas = vec![Replica::default(); DEVICES];
    let mut seqs = [0u64; DEVICES];
    let mut made = Vec::new();
    for op in ops {
        match *op {
            Op::Edit {
                device,
                field,
                value,
            } => {
                seqs[device] += 1;
                let id = ChangeId {
                    device: devices[device],
                    seq: seqs[device],
                };
                let value = if value == 0 {
                    serde_json::Value::Null
                } else {
                    json!(value)
                };
                let change = replicas[device].edit(id, entity, client, FIELDS[field], value);
                replicas[device].apply(&change);
                made.push(change);
            }
            Op::Sync { from, to } => {
                let known: Vec<Change> = replicas[from].history().values().cloned().collect();
                for change in &known {
                    replicas[to].apply(change);
                }
            }
        }
    }
    made
}

/// A deterministic shuffle with duplicates, driven by `seed`.
fn delivery(changes: &[Change], seed: u64) -> Vec<Change> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut order: Vec<Change> = changes.to_vec();
    for _ in 0..changes.len() / 2 {
        let i = (next() % changes.len() as u64) as usize;
        order.push(changes[i].clone());
    }
    for i in (1..order.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_order_and_duplication_of_the_same_changes_converges(ops in prop::collection::vec(op(), 1..80), seed_a: u64, seed_b: u64) {
        let changes = history(&ops);
        prop_assume!(!changes.is_empty());
        let mut a = Replica::default();
        let mut b = Replica::default();
        for change in delivery(&changes, seed_a) {
            a.apply(&change);
        }
        for change in delivery(&changes, seed_b) {
            b.apply(&change);
        }
        prop_assert_eq!(&a, &b);

        // Nothing is lost: every change is in the history, and each one is either a current
        // value of its field (settled or in conflict) or was replaced by a change made by
        // someone who had seen it.
        prop_assert_eq!(a.history().len(), changes.len());
        for change in &changes {
            let register = a.field(change.entity, &change.field).expect("every edited field exists");
            let current = register.values().any(|(id, _)| *id == change.id);
            let replaced = changes.iter().any(|later| later.base.contains(&change.id));
            prop_assert!(current || replaced, "change {} vanished", change.id);
            if current {
                prop_assert!(register.values().any(|(_, v)| *v == change.value));
            }
        }
    }
}
