//! `audit`'s tests: the chain of hashes, what breaks it, and the events' frozen shapes.

use super::*;

fn log(n: u64) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for seq in 1..=n {
        let prev = entries
            .last()
            .map_or(GENESIS.to_owned(), |e| e.hash.clone());
        let mut event = Event::new(Action::RecordOpened);
        event.client = Some(ClientId::new_v7(1_795_000_000_000, [seq as u8; 10]));
        event.device_at = Some(1_795_000_000_000 + seq as i64);
        entries.push(Entry::chained(
            seq,
            1_795_000_001_000 + seq as i64,
            event,
            &prev,
        ));
    }
    entries
}

#[test]
fn an_untouched_log_verifies() {
    assert_eq!(verify(&log(5), Some(5)), Ok(()));
    assert_eq!(verify(&[], Some(0)), Ok(()));
}

#[test]
fn a_changed_entry_is_found() {
    let mut entries = log(5);
    entries[2].event.client = None;
    assert_eq!(verify(&entries, Some(5)), Err(Break::Altered(3)));
    // Its hash recomputed too: the next entry no longer follows it.
    let mut entries = log(5);
    entries[2].at += 1;
    entries[2].hash = hash_of(3, entries[2].at, &entries[2].event, &entries[2].prev);
    assert_eq!(verify(&entries, Some(5)), Err(Break::Unlinked(4)));
}

#[test]
fn a_removed_entry_is_found_wherever_it_was() {
    let mut entries = log(5);
    entries.remove(1);
    assert_eq!(
        verify(&entries, Some(5)),
        Err(Break::Missing {
            expected: 2,
            found: 3
        })
    );
    let mut entries = log(5);
    entries.pop();
    assert_eq!(
        verify(&entries, Some(5)),
        Err(Break::Truncated {
            expected: 5,
            found: 4
        })
    );
}

#[test]
fn entries_swapped_are_found() {
    let mut entries = log(4);
    entries.swap(1, 2);
    assert!(verify(&entries, Some(4)).is_err());
}

#[test]
fn actions_are_stored_by_name() {
    for action in [
        Action::SignIn,
        Action::Delivered,
        Action::ClientModeEnded,
        Action::SetAsideViewed,
        Action::InstrumentUploaded,
        Action::InstrumentPublished,
        Action::InstrumentRetired,
        Action::InstrumentDiscarded,
        Action::RecordVersionMoved,
    ] {
        assert_eq!(Action::parse(action.as_str()), Some(action));
        assert_eq!(
            serde_json::to_value(action).unwrap(),
            serde_json::json!(action.as_str())
        );
    }
    assert_eq!(Action::parse("nothing"), None);
}

/// The hash's input, frozen: a change here breaks every chain already written.
#[test]
fn the_hash_of_an_entry_is_frozen() {
    let entry = &log(1)[0];
    assert_eq!(entry.hash.len(), 64);
    assert_eq!(entry.hash, hash_of(1, entry.at, &entry.event, GENESIS));
    let content = serde_json::to_string(&(GENESIS, 1u64, entry.at, &entry.event)).unwrap();
    assert!(
        content.starts_with(r#"["0000000000000000000000000000000000000000000000000000000000000000",1,1795000001001,{"action":"record_opened","person":null"#),
        "{content}"
    );
}
#[test]
fn a_device_records_accesses_only_and_codes_only() {
    let note = Note {
        action: Action::Printed,
        at: 1_795_000_000_000,
        detail: vec!["print".into()],
    };
    assert_eq!(Note::from_value(&note.to_value()), Ok(note));
    let forged = serde_json::json!({"action": "erased", "at": 1});
    assert!(
        Note::from_value(&forged).is_err(),
        "an erase is the server's to record"
    );
    let shared =
        serde_json::json!({"action": "report_shared", "at": 1, "detail": ["2026-12", "person"]});
    assert!(
        Note::from_value(&shared).is_err(),
        "a shared report is the server's to record, from the stored share"
    );
    let wordy = serde_json::json!({"action": "exported", "at": 1, "detail": ["山田 花子"]});
    assert!(Note::from_value(&wordy).is_err(), "no words, so no values");
    let extra = serde_json::json!({"action": "exported", "at": 1, "value": "x"});
    assert!(Note::from_value(&extra).is_err());
}

#[test]
fn a_note_in_the_outbox_is_sent_but_never_applied() {
    use crate::sync::{Entity, Outbox, Replica};
    let device = crate::ids::DeviceId(uuid::Uuid::nil());
    let client = ClientId::new_v7(1_795_000_000_000, [1; 10]);
    let mut outbox = Outbox::new(device, 1, Vec::new());
    let mut replica = Replica::default();
    let note = Note {
        action: Action::RecordOpened,
        at: 5,
        detail: Vec::new(),
    };
    let change = outbox.note(Entity::Client(client), client, &note);
    assert!(change.is_note());
    assert_eq!(outbox.len(), 1);
    assert!(!replica.apply(&change));
    assert!(replica.field(Entity::Client(client), NOTE_FIELD).is_none());
    assert!(replica.history().is_empty());
}
