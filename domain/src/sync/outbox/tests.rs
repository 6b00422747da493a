//! `outbox`'s tests: numbering, amending, sealing and acknowledging a device's changes.

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
            None,
        );
    }
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        replica.field(entity, "answers.user1.q2").unwrap().value(),
        Some(&json!("残業"))
    );
    assert_eq!(outbox.next_batch()[0].value, json!("残業"));
    let after_send = outbox.edit(
        &mut replica,
        entity,
        client,
        "answers.user1.q2",
        json!("x"),
        None,
    );
    assert_eq!(after_send.id.seq, 2, "a sent change is never amended");
    assert_eq!(after_send.base, vec![outbox.pending[0].id]);
    assert_eq!(outbox.len(), 2);
}

#[test]
fn acknowledged_changes_leave_and_numbers_are_never_reused() {
    let (mut outbox, mut replica, entity, client) = setup();
    for field in ["a", "b", "c"] {
        outbox.edit(&mut replica, entity, client, field, json!(1), None);
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
    let next = reloaded.edit(&mut replica, entity, client, "c", json!(2), None);
    assert_eq!(next.id.seq, 10);
    assert_eq!(reloaded.len(), 2, "a reloaded change counts as sent");
}

#[test]
fn a_batch_is_at_most_the_protocol_limit() {
    let (mut outbox, mut replica, entity, client) = setup();
    for i in 0..(MAX_BATCH + 3) {
        outbox.edit(
            &mut replica,
            entity,
            client,
            &format!("f{i}"),
            json!(i),
            None,
        );
    }
    assert_eq!(outbox.next_batch().len(), MAX_BATCH);
}

#[test]
fn a_sealed_change_is_never_amended() {
    let (mut outbox, mut replica, entity, client) = setup();
    outbox.edit(&mut replica, entity, client, "q", json!("a"), None);
    assert_eq!(outbox.seal(), 1);
    let next = outbox.edit(&mut replica, entity, client, "q", json!("ab"), None);
    assert_eq!(next.id.seq, 2, "typing after the seal is a new change");
    assert_eq!(
        outbox.pending[0].value,
        json!("a"),
        "the sealed one is untouched"
    );
}

#[test]
fn an_edit_replaces_only_what_the_person_saw() {
    let (mut outbox, mut replica, entity, client) = setup();
    let mine = outbox.edit(&mut replica, entity, client, "q", json!("a"), None);
    // Another tab's value arrives while this input, showing `mine`, has focus.
    let other = ChangeId {
        device: DeviceId::new_v7(1, [9; 10]),
        seq: 1,
    };
    replica.apply(&Replica::edit_on(
        other,
        entity,
        client,
        "q",
        json!("b"),
        vec![mine.id],
    ));
    let typed = outbox.edit(
        &mut replica,
        entity,
        client,
        "q",
        json!("ac"),
        Some(vec![mine.id]),
    );
    assert_ne!(
        typed.id, mine.id,
        "a change another tab built on is not amended"
    );
    assert_eq!(typed.base, vec![mine.id]);
    let register = replica.field(entity, "q").unwrap();
    assert!(register.is_conflict(), "both values are kept");
    // Typing on: the person's own unsent change is amended, the other value stays.
    let more = outbox.edit(
        &mut replica,
        entity,
        client,
        "q",
        json!("acd"),
        Some(vec![typed.id]),
    );
    assert_eq!(more.id, typed.id);
    let values: Vec<&Value> = replica
        .field(entity, "q")
        .unwrap()
        .values()
        .map(|(_, v)| v)
        .collect();
    assert_eq!(values, [&json!("acd"), &json!("b")]);
}

#[test]
fn only_sealed_changes_of_an_open_tab_are_pushed_and_all_of_a_closed_one() {
    let (_, mut replica, entity, client) = setup();
    let (open, closed) = (DeviceId::new_v7(1, [5; 10]), DeviceId::new_v7(1, [6; 10]));
    let mut unsent = Vec::new();
    for writer in [open, closed] {
        let mut outbox = Outbox::new(writer, 1, Vec::new());
        for field in ["c", "a", "b"] {
            unsent.push(outbox.edit(&mut replica, entity, client, field, json!(1), None));
        }
    }
    unsent.reverse();
    let sealed = BTreeMap::from([(open, 2), (closed, 1)]);
    let seqs = |alive: &BTreeSet<DeviceId>| -> Vec<(DeviceId, Vec<u64>)> {
        pushable(&unsent, &sealed, alive)
            .into_iter()
            .map(|(w, cs)| (w, cs.iter().map(|c| c.id.seq).collect()))
            .collect()
    };
    assert_eq!(
        seqs(&BTreeSet::from([open])),
        [(open, vec![1, 2]), (closed, vec![1, 2, 3])]
    );
    assert_eq!(
        seqs(&BTreeSet::from([open, closed])),
        [(open, vec![1, 2]), (closed, vec![1])]
    );
    let none_sealed = pushable(&unsent, &BTreeMap::new(), &BTreeSet::from([open, closed]));
    assert!(
        none_sealed.is_empty(),
        "an open tab's unsealed changes wait"
    );
}

#[test]
fn a_push_of_another_writer_is_at_most_the_protocol_limit() {
    let (_, mut replica, entity, client) = setup();
    let writer = DeviceId::new_v7(1, [5; 10]);
    let mut outbox = Outbox::new(writer, 1, Vec::new());
    let unsent: Vec<Change> = (0..MAX_BATCH + 3)
        .map(|i| {
            outbox.edit(
                &mut replica,
                entity,
                client,
                &format!("f{i}"),
                json!(i),
                None,
            )
        })
        .collect();
    let batches = pushable(&unsent, &BTreeMap::new(), &BTreeSet::new());
    assert_eq!(batches[0].1.len(), MAX_BATCH);
    assert_eq!(batches[0].1[0].id.seq, 1);
}
