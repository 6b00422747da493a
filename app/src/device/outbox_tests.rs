use super::*;
use crate::device::test_support::{client, field, record, tab, unsent, writer};
use serde_json::json;
use yorisoi_domain::sync::local::Writer;

#[test]
fn an_unsealed_edit_of_one_field_is_amended_and_a_sealed_one_is_numbered_anew() {
    // (seal between the two edits, the numbers the two edits get, unsent after both)
    let cases = [(false, (1, 1), 1), (true, (1, 2), 2)];
    for (seal, (first, second), unsent) in cases {
        let mut state = tab(1);
        let a = state.write(record(1), client(1), field("status", "a"), None, 10);
        if seal {
            state.seal(None);
        }
        let b = state.write(record(1), client(1), field("status", "b"), None, 20);
        assert_eq!((a[0].1.seq, b[0].1.seq), (first, second), "seal {seal}");
        assert_eq!(state.unsent(), unsent, "seal {seal}");
        // What the outbox entry holds is the latest value, whatever its number.
        let entry = state.unsent_entry(second).expect("an entry to store");
        assert_eq!(entry.change.value, json!("b"));
        assert_eq!(entry.made_at, 20);
    }
}

#[test]
fn two_fields_are_two_changes_and_an_answer_typed_over_what_was_seen_names_it() {
    let mut state = tab(1);
    let fields = vec![
        ("status".to_owned(), json!("draft")),
        ("answered_by".to_owned(), json!("coach")),
    ];
    let written = state.write(record(1), client(1), fields, None, 5);
    assert_eq!(written.len(), 2);
    assert_ne!(written[0].1, written[1].1);
    state.seal(None);
    let seen = Some(("status".to_owned(), vec![written[0].1]));
    let again = state.write(record(1), client(1), field("status", "done"), seen, 6);
    let change = state
        .own()
        .pending()
        .find(|c| c.id == again[0].1)
        .expect("the new change");
    assert_eq!(change.base, vec![written[0].1]);
}

#[test]
fn a_seal_stops_before_the_first_change_storage_refused() {
    // (changes written, first unsaved, sealed through)
    let cases = [(3, None, 3), (3, Some(2), 1), (3, Some(1), 0), (0, None, 0)];
    for (count, unsaved, through) in cases {
        let mut state = tab(1);
        for n in 0..count {
            state.write(record(n), client(1), field("status", "x"), None, 1);
        }
        let sealed: Writer = state.seal(unsaved);
        assert_eq!(sealed.id, writer(1));
        assert_eq!(
            sealed.sealed_through, through,
            "{count} written, {unsaved:?}"
        );
    }
}

#[test]
fn pushes_go_oldest_writer_first_and_only_what_is_sealed_or_left_by_a_closed_tab() {
    // (own change made at, other writer's change made at, other sealed through, other alive,
    //  the writers pushed in order)
    let cases = [
        (Some(10), Some(5), 1, true, vec![2, 1]),
        (Some(5), Some(10), 1, true, vec![1, 2]),
        // Unsealed and alive: it may still be amended, so it waits.
        (Some(10), Some(5), 0, true, vec![1]),
        // Unsealed but its tab is gone: it amends nothing any more.
        (Some(10), Some(5), 0, false, vec![2, 1]),
        (None, Some(5), 1, true, vec![2]),
        (Some(5), None, 0, true, vec![1]),
    ];
    for (own, other, sealed, alive, order) in cases {
        let mut state = tab(1);
        if let Some(at) = own {
            state.write(record(1), client(1), field("status", "own"), None, at);
        }
        if let Some(at) = other {
            let (key, entry) = unsent(2, 1, record(2), "other", at);
            state.take_unsent(key, entry);
            state.take_writer(&Writer {
                id: writer(2),
                sealed_through: sealed,
            });
        }
        let alive: BTreeSet<DeviceId> = if alive {
            [writer(1), writer(2)].into()
        } else {
            [writer(1)].into()
        };
        let mut pushed = Vec::new();
        while let Some((by, batch)) = state.next_push(&alive) {
            assert!(!batch.is_empty());
            pushed.push(if by == writer(1) { 1 } else { 2 });
            let through = batch.last().map(|c| c.id.seq).unwrap_or(0);
            state.acknowledge(by, through);
        }
        assert_eq!(
            pushed, order,
            "own {own:?}, other {other:?} sealed {sealed} alive {alive:?}"
        );
        assert_eq!(
            state.unsent(),
            usize::from(pushed.len() < 2 && own.is_some() && other.is_some())
        );
    }
}

#[test]
fn an_acknowledgement_splits_into_this_writers_changes_and_anothers() {
    let mut state = tab(1);
    state.write(record(1), client(1), field("status", "a"), None, 1);
    state.write(record(2), client(1), field("status", "b"), None, 2);
    for seq in 1..=3 {
        let (key, entry) = unsent(2, seq, record(3), &format!("o{seq}"), 3);
        state.take_unsent(key, entry);
    }
    // (writer, through, keys removed, unsent left)
    let cases = [
        (1, 1, vec![outbox_key(1, 1)], 4),
        (2, 2, vec![outbox_key(2, 1), outbox_key(2, 2)], 2),
        (2, 2, vec![], 2),
        (1, 5, vec![outbox_key(1, 2)], 1),
        (2, 3, vec![outbox_key(2, 3)], 0),
    ];
    for (by, through, keys, left) in cases {
        let acked = state.acknowledge(writer(by), through);
        let got: Vec<String> = acked.iter().map(|a| a.key.clone()).collect();
        assert_eq!(got, keys, "writer {by} through {through}");
        assert!(acked.iter().all(|a| a.change.id.device == writer(by)));
        assert!(acked.iter().all(|a| a.made_at.is_some()), "made times kept");
        assert_eq!(state.unsent(), left, "writer {by} through {through}");
    }
}

fn outbox_key(by: u8, seq: u64) -> String {
    crate::device::keys::outbox_key(writer(by), seq)
}

#[test]
fn another_tabs_change_is_taken_once_amended_in_place_and_never_as_this_writers() {
    let mut state = tab(1);
    let (key, first) = unsent(2, 1, record(1), "one", 7);
    assert_eq!(state.take_unsent(key.clone(), first), Some(record(1)));
    let (_, amended) = unsent(2, 1, record(1), "two", 7);
    assert_eq!(state.take_unsent(key, amended), Some(record(1)));
    let values: Vec<_> = state
        .replica
        .fields_of(record(1))
        .flat_map(|(_, r)| r.values().map(|(_, v)| v.clone()).collect::<Vec<_>>())
        .collect();
    assert_eq!(values, vec![json!("two")]);
    assert_eq!(state.unsent(), 1);
    // This tab's own entry, seen through storage, is not taken twice.
    let (own_key, own) = unsent(1, 1, record(2), "mine", 8);
    assert_eq!(state.take_unsent(own_key, own), None);
    assert_eq!(state.unsent(), 1);
}

#[test]
fn a_rescan_drops_what_another_tab_acknowledged_and_takes_what_is_new() {
    let mut state = tab(1);
    let (k1, u1) = unsent(2, 1, record(1), "a", 1);
    state.take_unsent(k1, u1);
    let (k2, u2) = unsent(3, 1, record(2), "b", 2);
    let touched = state.rescan(
        vec![(k2, u2)],
        &[Writer {
            id: writer(3),
            sealed_through: 1,
        }],
    );
    assert_eq!(touched, [record(1), record(2)].into());
    assert_eq!(state.unsent(), 1);
    assert_eq!(state.sealed.get(&writer(3)), Some(&1));
}

#[test]
fn gone_writers_are_forgotten_only_once_they_left_nothing_unsent() {
    let mut state = tab(1);
    for n in [2, 3, 4] {
        state.take_writer(&Writer {
            id: writer(n),
            sealed_through: 1,
        });
    }
    let (k, u) = unsent(3, 1, record(1), "left", 1);
    state.take_unsent(k, u);
    let alive: BTreeSet<DeviceId> = [writer(1), writer(4)].into();
    assert_eq!(state.forget_gone_writers(&alive), vec![writer(2)]);
    assert!(state.sealed.contains_key(&writer(3)));
    assert!(state.sealed.contains_key(&writer(4)));
}

#[test]
fn unsent_changes_of_clients_are_found_in_any_tab() {
    let mut state = tab(1);
    state.write(record(1), client(1), field("status", "a"), None, 1);
    let (k, mut u) = unsent(2, 1, record(2), "b", 1);
    u.change.client = client(2);
    state.take_unsent(k, u);
    let cases = [
        (vec![client(1)], true),
        (vec![client(2)], true),
        (vec![client(3)], false),
        (vec![], false),
    ];
    for (clients, unsent) in cases {
        assert_eq!(state.has_unsent_for(&clients), unsent, "{clients:?}");
    }
}
