//! A new record under a retired instrument version (issue 22). A retired version takes no new
//! record: a push that creates one (a record the server has no instrument for yet, whose
//! `instrument` change names a retired version) is set aside whole, every change of that record
//! in the push, with [`Refusal::RetiredInstrument`], when the device that pushed it had been told
//! of the retirement before the record was made (its `created_at`; the time of the push when the
//! push does not carry it). A record made before the device was told (offline, or in a sync that
//! had not yet asked) is stored, and edits to records the server already holds always are. No
//! SQL here.

use super::database::entity_key;
use std::collections::{BTreeMap, BTreeSet};
use yorisoi_domain::instrument::InstrumentRef;
use yorisoi_domain::sync::check::{Known, Refusal};
use yorisoi_domain::sync::{Change, Entity};

/// The records a push creates under a retired version: each with its version and when it was
/// made, as the push says (`None`: the push does not carry its `created_at`).
pub(super) fn retired_creations(
    fresh: &[&Change],
    known: &BTreeMap<String, Known>,
    retired: &BTreeSet<InstrumentRef>,
) -> BTreeMap<Entity, (InstrumentRef, Option<i64>)> {
    let mut found = BTreeMap::new();
    if retired.is_empty() {
        return found;
    }
    for change in fresh {
        let Entity::Record(_) = change.entity else {
            continue;
        };
        let has_instrument = known
            .get(&entity_key(change.entity))
            .is_some_and(|k| k.instrument.is_some());
        if change.field != "instrument" || has_instrument {
            continue;
        }
        if let Ok(reference) = serde_json::from_value::<InstrumentRef>(change.value.clone())
            && retired.contains(&reference)
        {
            found.insert(change.entity, (reference, None));
        }
    }
    for change in fresh {
        if change.field == "created_at"
            && let Some((_, made)) = found.get_mut(&change.entity)
        {
            *made = change.value.as_i64();
        }
    }
    found
}

/// Sets aside every change of each record in `creations` whose device was told (`told`: when,
/// by version) of the retirement at or before the record was made (`now` when the push does not
/// say). Returns the changes still to check.
pub(super) fn set_aside_retired<'a>(
    fresh: Vec<&'a Change>,
    creations: &BTreeMap<Entity, (InstrumentRef, Option<i64>)>,
    told: &BTreeMap<InstrumentRef, i64>,
    now: i64,
    refused: &mut Vec<(&'a Change, Refusal)>,
) -> Vec<&'a Change> {
    let knew: BTreeMap<Entity, &InstrumentRef> = creations
        .iter()
        .filter(|(_, (reference, made))| {
            told.get(reference)
                .is_some_and(|told_at| *told_at <= made.unwrap_or(now))
        })
        .map(|(entity, (reference, _))| (*entity, reference))
        .collect();
    let mut kept = Vec::with_capacity(fresh.len());
    for change in fresh {
        match knew.get(&change.entity) {
            Some(reference) => refused.push((
                change,
                Refusal::RetiredInstrument {
                    instrument: format!(
                        "{} {} v{}",
                        reference.id, reference.edition, reference.version
                    ),
                },
            )),
            None => kept.push(change),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use yorisoi_domain::ids::{ClientId, DeviceId, RecordId};
    use yorisoi_domain::sync::ChangeId;

    fn version(version: u32) -> InstrumentRef {
        InstrumentRef {
            id: "test-check".into(),
            edition: "1".into(),
            version,
        }
    }

    fn change(record: u8, seq: u64, field: &str, value: Value) -> Change {
        Change {
            id: ChangeId {
                device: DeviceId::new_v7(1, [9; 10]),
                seq,
            },
            entity: Entity::Record(RecordId::new_v7(1, [record; 10])),
            client: ClientId::new_v7(1, [1; 10]),
            field: field.into(),
            base: vec![],
            value,
        }
    }

    fn record(record: u8, v: u32, made: Option<i64>) -> Vec<Change> {
        let mut changes = vec![
            change(record, 1, "kind", json!("assessment")),
            change(
                record,
                2,
                "instrument",
                serde_json::to_value(version(v)).unwrap(),
            ),
        ];
        if let Some(made) = made {
            changes.push(change(record, 3, "created_at", json!(made)));
        }
        changes.push(change(
            record,
            4,
            "answers.items.mood",
            json!({"type": "single", "choice": "good"}),
        ));
        changes
    }

    /// Which records of the push are set aside: (case, changes, the server holds record 1 with
    /// an instrument, told at, set aside).
    #[test]
    fn a_new_record_under_a_retired_version_is_set_aside_only_when_its_device_knew() {
        let now = 1_000;
        type Case = (&'static str, Vec<Change>, bool, Option<i64>, bool);
        let cases: &[Case] = &[
            (
                "made after the device was told",
                record(1, 1, Some(600)),
                false,
                Some(500),
                true,
            ),
            (
                "made as it was told",
                record(1, 1, Some(500)),
                false,
                Some(500),
                true,
            ),
            (
                "made before the device was told",
                record(1, 1, Some(400)),
                false,
                Some(500),
                false,
            ),
            (
                "the device was never told",
                record(1, 1, Some(600)),
                false,
                None,
                false,
            ),
            (
                "no made time: the push's time",
                record(1, 1, None),
                false,
                Some(500),
                true,
            ),
            (
                "no made time, told after the push",
                record(1, 1, None),
                false,
                Some(2_000),
                false,
            ),
            (
                "a published version",
                record(1, 2, Some(600)),
                false,
                Some(500),
                false,
            ),
            (
                "an edit of a record the server holds",
                record(1, 1, Some(600)),
                true,
                Some(500),
                false,
            ),
        ];
        let retired: BTreeSet<InstrumentRef> = [version(1)].into();
        for (what, changes, held, told_at, set_aside) in cases {
            let fresh: Vec<&Change> = changes.iter().collect();
            let mut known = BTreeMap::new();
            if *held {
                known.insert(
                    entity_key(changes[0].entity),
                    Known {
                        client: changes[0].client,
                        instrument: Some(version(1)),
                    },
                );
            }
            let told: BTreeMap<InstrumentRef, i64> =
                told_at.map(|t| (version(1), t)).into_iter().collect();
            let creations = retired_creations(&fresh, &known, &retired);
            let mut refused = Vec::new();
            let kept = set_aside_retired(fresh, &creations, &told, now, &mut refused);
            if *set_aside {
                assert!(
                    kept.is_empty(),
                    "{what}: every change of the record: {kept:?}"
                );
                assert_eq!(refused.len(), changes.len(), "{what}");
                assert!(
                    refused
                        .iter()
                        .all(|(_, r)| r.code() == "retired_instrument"),
                    "{what}: {refused:?}"
                );
            } else {
                assert_eq!(kept.len(), changes.len(), "{what}: {refused:?}");
                assert!(refused.is_empty(), "{what}");
            }
        }
    }

    /// Only the record made under the retired version is set aside; another in the same push is not.
    #[test]
    fn another_record_of_the_same_push_is_kept() {
        let mut changes = record(1, 1, Some(600));
        changes.extend(record(2, 2, Some(600)));
        let fresh: Vec<&Change> = changes.iter().collect();
        let retired: BTreeSet<InstrumentRef> = [version(1)].into();
        let creations = retired_creations(&fresh, &BTreeMap::new(), &retired);
        let told = [(version(1), 500)].into();
        let mut refused = Vec::new();
        let kept = set_aside_retired(fresh, &creations, &told, 1_000, &mut refused);
        assert_eq!(refused.len(), 4);
        assert!(
            kept.iter().all(|c| c.entity == changes[4].entity),
            "{kept:?}"
        );
        assert_eq!(kept.len(), 4);
    }
}
