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
