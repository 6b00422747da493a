use super::*;
use crate::device::test_support::{client, field, record, tab, unsent, writer};
use serde_json::json;

#[test]
fn history_is_oldest_first_with_what_each_change_replaced_and_whether_it_is_sent() {
    let mut state = tab(1);
    let first = state.write(record(1), client(1), field("status", "a"), None, 10)[0].1;
    state.seal(None);
    state.acknowledge(writer(1), 1);
    let second = state.write(record(1), client(1), field("status", "b"), None, 20)[0].1;
    let history = history_of(&state, record(1));
    // (change, replaced, own, unsent)
    let expected = [
        (first, vec![], true, false),
        (second, vec![json!("a")], true, true),
    ];
    assert_eq!(history.len(), expected.len());
    for (entry, (id, replaced, own, unsent)) in history.iter().zip(expected) {
        assert_eq!(entry.change.id, id);
        assert_eq!(entry.replaced, replaced, "{id}");
        assert_eq!((entry.own, entry.unsent), (own, unsent), "{id}");
    }
}

#[test]
fn two_tabs_writing_one_field_unseen_is_a_conflict_and_a_resolution_ends_it() {
    let mut state = tab(1);
    let mine = state.write(record(1), client(1), field("status", "mine"), None, 10)[0].1;
    // Another tab wrote the same field without seeing this one.
    let (key, entry) = unsent(2, 1, record(1), "theirs", 11);
    state.take_unsent(key, entry);
    let conflicts = conflicts_of(&state, record(1));
    assert_eq!(conflicts.len(), 1);
    let (name, values) = &conflicts[0];
    assert_eq!(name, "status");
    let ids: Vec<ChangeId> = values.iter().map(|(id, _)| *id).collect();
    assert!(ids.contains(&mine));
    let what = changed(&state, &[record(1)]);
    assert_eq!(what.review, vec![(record(1), true)]);
    // A value typed over both is one change that replaces them.
    state.seal(None);
    let seen = Some(("status".to_owned(), ids));
    state.write(record(1), client(1), field("status", "both"), seen, 12);
    assert!(conflicts_of(&state, record(1)).is_empty());
    assert_eq!(
        changed(&state, &[record(1)]).review,
        vec![(record(1), false)]
    );
}

#[test]
fn what_changed_says_a_forgotten_entity_is_gone() {
    let mut state = tab(1);
    state.write(record(1), client(1), field("status", "a"), None, 1);
    state.forget(&[client(1)]);
    let Entity::Record(id) = record(1) else {
        unreachable!()
    };
    assert_eq!(changed(&state, &[record(1)]).records, vec![(id, None)]);
}

#[test]
fn the_instruments_in_use_are_every_version_a_record_names() {
    let version = |id: &str, version: u32| InstrumentRef {
        id: id.into(),
        edition: "2024".into(),
        version,
    };
    let named = |r: &InstrumentRef| vec![("instrument".to_owned(), json!(r))];
    // (what each record names, written by which tab unseen, the versions in use)
    let mut state = tab(1);
    assert!(
        instruments_used(&state).is_empty(),
        "no records, none in use"
    );
    state.write(record(1), client(1), named(&version("msfas", 1)), None, 1);
    state.write(record(2), client(1), named(&version("visit", 2)), None, 2);
    // A client's fields name no instrument, whatever they hold.
    state.write(
        Entity::Client(client(1)),
        client(1),
        named(&version("client", 9)),
        None,
        3,
    );
    // Two records of one version count once.
    state.write(record(3), client(1), named(&version("msfas", 1)), None, 4);
    assert_eq!(
        instruments_used(&state),
        [version("msfas", 1), version("visit", 2)].into()
    );
    // Another tab named another version unseen: in conflict, both stay in use.
    let id = ChangeId {
        device: writer(2),
        seq: 1,
    };
    let theirs = yorisoi_domain::sync::Replica::edit_on(
        id,
        record(2),
        client(1),
        "instrument",
        json!(version("visit", 3)),
        vec![],
    );
    state.take_unsent(
        crate::device::keys::outbox_key(writer(2), 1),
        yorisoi_domain::sync::local::Unsent {
            change: theirs,
            made_at: 5,
        },
    );
    assert_eq!(
        instruments_used(&state),
        [
            version("msfas", 1),
            version("visit", 2),
            version("visit", 3)
        ]
        .into()
    );
}
