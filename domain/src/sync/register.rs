//! The value of one field: a multi-value register.
//!
//! A change replaces exactly the revisions named in its base. The field's values are the
//! changes that no known change replaced: one value when people edited one after another, two or
//! more when they edited concurrently (a conflict for a person to resolve). A resolution is an
//! ordinary change whose base names every value it resolves.
//!
//! `apply` is commutative, associative and idempotent, so every replica that has seen the same
//! set of changes, in whatever order and however often, holds the same register.

use super::change::ChangeId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Stored and sent as `{"values": [[revision, value], …], "replaced": [revision, …]}` (a JSON
/// object cannot have revisions as keys).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Wire", into = "Wire")]
pub struct Register {
    values: BTreeMap<ChangeId, Value>,
    /// Every revision some known change replaced, kept so that a change arriving after its own
    /// replacement is recognised as already replaced.
    replaced: BTreeSet<ChangeId>,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    values: Vec<(ChangeId, Value)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    replaced: Vec<ChangeId>,
}

impl From<Wire> for Register {
    fn from(wire: Wire) -> Self {
        Self {
            values: crate::order::map_of(wire.values),
            replaced: crate::order::set_of(wire.replaced),
        }
    }
}

impl From<Register> for Wire {
    fn from(register: Register) -> Self {
        Self {
            values: register.values.into_iter().collect(),
            replaced: register.replaced.into_iter().collect(),
        }
    }
}

impl Register {
    pub fn apply(&mut self, id: ChangeId, base: &[ChangeId], value: &Value) {
        for old in base {
            self.values.remove(old);
            self.replaced.insert(*old);
        }
        if !self.replaced.contains(&id) {
            self.values.entry(id).or_insert_with(|| value.clone());
        }
    }

    /// Folds another register of the same field into this one: what holding both registers'
    /// changes gives. Like `apply`, commutative, associative and idempotent, so a device can load
    /// a snapshot of a field's state under, over or beside the changes it already holds.
    pub fn merge(&mut self, other: &Register) {
        for old in &other.replaced {
            self.values.remove(old);
            self.replaced.insert(*old);
        }
        for (id, value) in &other.values {
            if !self.replaced.contains(id) {
                self.values.entry(*id).or_insert_with(|| value.clone());
            }
        }
    }

    /// Replaces the value of revision `id` if it is current (see [`super::Replica::amend`]).
    pub fn amend(&mut self, id: ChangeId, value: &Value) {
        if let Some(current) = self.values.get_mut(&id) {
            *current = value.clone();
        }
    }

    /// The current values with their revisions, oldest device order first.
    pub fn values(&self) -> impl Iterator<Item = (&ChangeId, &Value)> {
        self.values.iter()
    }

    /// The single current value, or `None` when the field is in conflict or was never set.
    pub fn value(&self) -> Option<&Value> {
        match self.values.len() {
            1 => self.values.values().next(),
            _ => None,
        }
    }

    /// Whether concurrent edits left more than one value: the record needs review.
    pub fn is_conflict(&self) -> bool {
        self.values.len() > 1
    }

    /// Every revision some known change replaced.
    pub fn replaced(&self) -> impl Iterator<Item = &ChangeId> {
        self.replaced.iter()
    }

    /// What a new edit of this field replaces: every current value.
    pub fn revisions(&self) -> Vec<ChangeId> {
        self.values.keys().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::DeviceId;
    use serde_json::json;

    fn id(device: u8, seq: u64) -> ChangeId {
        ChangeId {
            device: DeviceId::new_v7(u64::from(device), [device; 10]),
            seq,
        }
    }

    #[test]
    fn sequential_edits_replace_and_concurrent_edits_are_both_kept() {
        let mut r = Register::default();
        r.apply(id(1, 1), &[], &json!("a"));
        r.apply(id(2, 1), &[id(1, 1)], &json!("b"));
        assert_eq!(r.value(), Some(&json!("b")));
        // Two devices both saw "b" and both changed it while offline.
        r.apply(id(1, 2), &[id(2, 1)], &json!("c1"));
        r.apply(id(2, 2), &[id(2, 1)], &json!("c2"));
        assert!(r.is_conflict());
        assert_eq!(
            r.values().map(|(_, v)| v.clone()).collect::<Vec<_>>(),
            [json!("c1"), json!("c2")]
        );
        // A person resolves it: the resolution replaces both.
        r.apply(id(3, 1), &r.revisions(), &json!("c1 と c2"));
        assert_eq!(r.value(), Some(&json!("c1 と c2")));
    }

    #[test]
    fn a_delete_racing_an_edit_keeps_the_edit_visible() {
        let mut r = Register::default();
        r.apply(id(1, 1), &[], &json!("メモ"));
        r.apply(id(1, 2), &[id(1, 1)], &Value::Null);
        r.apply(id(2, 1), &[id(1, 1)], &json!("メモ（追記）"));
        assert!(r.is_conflict());
        assert!(r.values().any(|(_, v)| v == &json!("メモ（追記）")));
    }

    #[test]
    fn a_register_reads_back_as_written_and_its_shape_is_frozen() {
        let mut r = Register::default();
        r.apply(id(1, 1), &[], &json!("a"));
        r.apply(id(1, 2), &[id(1, 1)], &json!("b"));
        r.apply(id(2, 1), &[id(1, 1)], &json!("c"));
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Register>(&text).unwrap(), r);
        let shape: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(shape["values"].as_array().unwrap().len(), 2);
        assert_eq!(shape["values"][0][1], json!("b"));
        assert_eq!(shape["replaced"][0]["seq"], json!(1));
        assert_eq!(
            serde_json::to_value(Register::default()).unwrap(),
            json!({"values": []})
        );
    }

    #[test]
    fn a_change_arriving_after_its_replacement_stays_replaced() {
        let (a, b, c) = (id(1, 1), id(2, 1), id(3, 1));
        let mut late = Register::default();
        late.apply(c, &[b], &json!("c"));
        late.apply(a, &[], &json!("a"));
        late.apply(b, &[a], &json!("b"));
        let mut in_order = Register::default();
        in_order.apply(a, &[], &json!("a"));
        in_order.apply(b, &[a], &json!("b"));
        in_order.apply(c, &[b], &json!("c"));
        assert_eq!(late, in_order);
        assert_eq!(late.value(), Some(&json!("c")));
    }

    /// Merging two registers gives exactly what applying both registers' changes to one gives,
    /// whichever way the changes are split, in whichever order, and however often: what lets a
    /// device load a snapshot beside the changes it already holds.
    #[cfg(not(target_arch = "wasm32"))]
    mod merge {
        use super::*;
        use proptest::prelude::*;

        /// Changes of one field by 3 devices, each replacing some earlier ones.
        fn changes() -> impl Strategy<Value = Vec<(ChangeId, Vec<ChangeId>, Value)>> {
            proptest::collection::vec(
                (
                    0u8..3,
                    proptest::collection::vec(any::<prop::sample::Index>(), 0..3),
                ),
                1..12,
            )
            .prop_map(|steps| {
                let mut made: Vec<ChangeId> = Vec::new();
                let mut out = Vec::new();
                for (n, (device, bases)) in steps.into_iter().enumerate() {
                    let me = id(device + 1, n as u64 + 1);
                    let base: Vec<ChangeId> = if made.is_empty() {
                        Vec::new()
                    } else {
                        bases.iter().map(|i| *i.get(&made)).collect()
                    };
                    out.push((me, base, json!(n)));
                    made.push(me);
                }
                out
            })
        }

        proptest! {
            #[test]
            fn merging_registers_equals_applying_every_change(
                changes in changes(),
                split in proptest::collection::vec(0u8..3, 12),
            ) {
                let mut whole = Register::default();
                for (id, base, value) in &changes {
                    whole.apply(*id, base, value);
                }
                // Each change goes to one side, to the other, or to both.
                let (mut left, mut right) = (Register::default(), Register::default());
                for ((id, base, value), side) in changes.iter().zip(split.iter().cycle()) {
                    if *side != 1 {
                        left.apply(*id, base, value);
                    }
                    if *side != 0 {
                        right.apply(*id, base, value);
                    }
                }
                let mut merged = left.clone();
                merged.merge(&right);
                prop_assert_eq!(&merged, &whole);
                let mut other_way = right.clone();
                other_way.merge(&left);
                prop_assert_eq!(&other_way, &whole);
                merged.merge(&right);
                prop_assert_eq!(&merged, &whole, "merging twice changes nothing");
            }
        }
    }
}
