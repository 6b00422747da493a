use super::*;
use crate::device::keys::writer_key;
use crate::device::test_support::{record, tab, unsent, writer};

fn forgot(n: u8) -> TabEvent {
    TabEvent::Forgot {
        clients: vec![crate::device::test_support::client(n)],
    }
}

#[test]
fn events_wait_while_the_tab_loads_and_pass_in_order_after() {
    let mut inbox = Inbox::default();
    assert!(inbox.is_loading());
    assert_eq!(inbox.receive(forgot(1)), None);
    assert_eq!(inbox.receive(forgot(2)), None);
    assert_eq!(inbox.loaded(), vec![forgot(1), forgot(2)]);
    assert!(!inbox.is_loading());
    assert_eq!(inbox.receive(forgot(3)), Some(forgot(3)));
    assert_eq!(inbox.loaded(), Vec::new(), "nothing is handed over twice");
}

#[test]
fn storage_events_take_seals_and_unsent_changes_and_their_removal() {
    let mut state = tab(1);
    let (key, entry) = unsent(2, 1, record(1), "x", 1);
    let text = serde_json::to_string(&entry).expect("json");
    let open = |_: &str, text: &str| serde_json::from_str(text).ok();
    let seal = yorisoi_domain::stored::encode(&Writer {
        id: writer(2),
        sealed_through: 4,
    });
    // (key, old, new) → (touched, sealed elsewhere, unsent after, writer 2's seal after)
    let cases = [
        (
            (key.clone(), None, Some(text.clone())),
            (Some(record(1)), false, 1, None),
        ),
        (
            (writer_key(writer(2)), None, Some(seal)),
            (None, true, 1, Some(4)),
        ),
        (
            (writer_key(writer(2)), None, Some("garbled".into())),
            (None, false, 1, Some(4)),
        ),
        (
            (key.clone(), Some(text.clone()), None),
            (Some(record(1)), false, 0, Some(4)),
        ),
        ((key, None, None), (None, false, 0, Some(4))),
        (
            (writer_key(writer(2)), Some("old".into()), None),
            (None, false, 0, None),
        ),
    ];
    for ((key, old, new), (touched, sealed, left, seal)) in cases {
        let what = format!("{key} {old:?} → {new:?}");
        let outcome = storage_event(&mut state, key, old, new, open);
        assert_eq!(outcome.touched, touched, "{what}");
        assert_eq!(outcome.sealed_elsewhere, sealed, "{what}");
        assert_eq!(state.unsent(), left, "{what}");
        assert_eq!(state.sealed.get(&writer(2)).copied(), seal, "{what}");
    }
}

#[test]
fn this_writers_own_entry_removed_elsewhere_is_acknowledged_here() {
    let mut state = tab(1);
    let written = state.write(
        record(1),
        crate::device::test_support::client(1),
        crate::device::test_support::field("status", "x"),
        None,
        1,
    );
    let entry = state.unsent_entry(written[0].1.seq).expect("entry");
    let key = crate::device::keys::outbox_key(writer(1), 1);
    let text = serde_json::to_string(&entry).expect("json");
    let open = |_: &str, text: &str| serde_json::from_str(text).ok();
    let outcome = storage_event(&mut state, key, Some(text), None, open);
    assert_eq!(outcome.touched, None);
    assert_eq!(state.unsent(), 0);
}
