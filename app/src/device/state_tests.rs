use super::*;
use crate::device::test_support::{client, record, tab, writer};
use serde_json::json;
use yorisoi_domain::sync::Replica;

fn pulled(by: u8, seq: u64, entity: Entity, value: &str, received_at: i64) -> Pulled {
    let id = ChangeId {
        device: writer(by),
        seq,
    };
    Pulled {
        seq,
        change: Replica::edit_on(id, entity, client(1), "status", json!(value), vec![]),
        received_at,
    }
}

#[test]
fn a_pulled_page_moves_the_cursor_on_never_back_and_applying_it_twice_changes_nothing() {
    // (cursor of the page, cursor after)
    let cases = [(5, 5), (3, 5), (9, 9)];
    let mut state = tab(1);
    let page = vec![
        pulled(2, 1, record(1), "a", 100),
        pulled(2, 2, record(2), "b", 101),
    ];
    for (cursor, after) in cases {
        let touched = state.apply_pulled(&page, cursor);
        assert_eq!(touched, [record(1), record(2)].into());
        assert_eq!(state.cursor, after, "page at {cursor}");
    }
    assert_eq!(state.replica.history().len(), 2);
    assert_eq!(state.updated.get(&record(2)), Some(&101));
    assert_eq!(state.stamps[&page[0].change.id].received_at, Some(100));
}

#[test]
fn a_stamp_keeps_when_a_change_was_made_and_when_it_was_received() {
    let mut state = tab(1);
    let change = pulled(2, 1, record(1), "a", 0).change;
    // (stamp given, stamp kept, the entity's time)
    let cases = [
        (Stamp::made(10), (None, Some(10)), 10),
        (
            Stamp {
                received_at: Some(30),
                made_at: None,
            },
            (Some(30), Some(10)),
            30,
        ),
        (Stamp::made(5), (Some(30), Some(5)), 30),
    ];
    for (given, (received, made), updated) in cases {
        state.stamp(&change, given);
        let kept = state.stamps[&change.id];
        assert_eq!(
            (kept.received_at, kept.made_at),
            (received, made),
            "{given:?}"
        );
        assert_eq!(kept.time(), received.or(made));
        assert_eq!(state.updated[&record(1)], updated);
    }
}

#[test]
fn forgetting_clients_drops_their_entities_and_stamps_only() {
    let mut state = tab(1);
    let mine = pulled(2, 1, record(1), "a", 1);
    let mut theirs = pulled(2, 2, record(2), "b", 2);
    theirs.change.client = client(2);
    state.apply_pulled(&[mine.clone(), theirs.clone()], 2);
    let gone = state.forget(&[client(2)]);
    assert_eq!(gone, vec![record(2)]);
    assert!(state.stamps.contains_key(&mine.change.id));
    assert!(!state.stamps.contains_key(&theirs.change.id));
    assert!(!state.updated.contains_key(&record(2)));
    assert_eq!(state.entities_of(client(1)), vec![record(1)]);
    assert!(state.entities_of(client(2)).is_empty());
}

#[test]
fn a_bootstrap_goes_from_fresh_through_its_pages_to_pulling() {
    let mut state = tab(1);
    assert_eq!(state.bootstrap_progress(), Some(Progress::default()));
    let mut progress = Progress {
        after: Some("p2".into()),
        base: Some(40),
        token: Some(3),
        pages: 1,
        received: 10,
        total: Some(20),
    };
    state.bootstrapped(&progress, false);
    assert_eq!(state.bootstrap_progress(), Some(progress.clone()));
    assert_eq!((state.cursor, state.scope), (0, 0));
    progress.after = None;
    state.bootstrapped(&progress, true);
    assert_eq!(state.bootstrap_progress(), None);
    assert_eq!((state.cursor, state.scope), (40, 3));
}

#[test]
fn chunks_read_into_a_state_of_their_own_give_a_fold_only_past_the_limit() {
    use yorisoi_domain::sync::local::{Chunk, Synced};
    // (chunks of one client, whether a fold comes back)
    let cases = [(COMPACT_AFTER, false), (COMPACT_AFTER + 1, true)];
    for (count, folds) in cases {
        let mut state = tab(1);
        let chunks: Vec<(String, Chunk)> = (0..count as u64)
            .map(|n| {
                let change = pulled(2, n + 1, record(1), &format!("v{n}"), 1).change;
                (
                    format!("{}/c/p{n}", client(1)),
                    Chunk::Changes {
                        changes: vec![Synced {
                            change,
                            received_at: Some(1),
                            made_at: None,
                        }],
                    },
                )
            })
            .collect();
        let fold = state.read_chunks(chunks);
        assert_eq!(fold.is_some(), folds, "{count} chunks");
        if let Some((snapshot, replaced)) = fold {
            assert_eq!(replaced.len(), count);
            assert_eq!(snapshot.len(), 1);
        }
        assert_eq!(state.replica.history().len(), count);
    }
}
