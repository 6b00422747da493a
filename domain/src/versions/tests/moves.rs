//! A record's move to a later version: what the server accepts of a change of its `instrument`.

use super::{instrument, q, single};
use crate::catalogue::Catalogue;
use crate::ids::{ClientId, DeviceId, RecordId};
use crate::instrument::Lists;
use crate::sync::check::{Known, Refusal, check};
use crate::sync::{Change, ChangeId, Entity};
use crate::versions::moving::may_move;

fn versions() -> Catalogue {
    let yes_no = single(&[("yes", "はい"), ("no", "いいえ")]);
    let v1 = instrument(1, &q("a", &yes_no));
    // Version 2 adds a question; version 3 removes option "no".
    let v2 = instrument(
        2,
        &format!("{},\n{}", q("a", &yes_no), q("b", r#"{"type": "date"}"#)),
    );
    let v3 = instrument(
        3,
        &format!(
            "{},\n{}",
            q("a", &single(&[("yes", "はい")])),
            q("b", r#"{"type": "date"}"#)
        ),
    );
    Catalogue {
        instruments: vec![v1, v2, v3],
        lists: Lists::new(),
    }
}

#[test]
fn a_record_moves_only_forward_within_its_instrument_and_never_past_a_removal() {
    let catalogue = versions();
    let [v1, v2, v3] = [
        &catalogue.instruments[0],
        &catalogue.instruments[1],
        &catalogue.instruments[2],
    ];
    assert!(may_move(v1, v2, &catalogue.lists));
    assert!(!may_move(v2, v1, &catalogue.lists), "never backwards");
    assert!(
        !may_move(v2, v3, &catalogue.lists),
        "version 3 removed an option"
    );
    assert!(!may_move(v1, v3, &catalogue.lists));

    let client = ClientId::new_v7(1, [1; 10]);
    let record = Entity::Record(RecordId::new_v7(1, [3; 10]));
    let known = |version: u32| Known {
        client,
        instrument: Some(instrument(version, "").reference()),
    };
    let to = |version: u32| Change {
        id: ChangeId {
            device: DeviceId::new_v7(1, [2; 10]),
            seq: 1,
        },
        entity: record,
        client,
        field: "instrument".into(),
        base: vec![],
        value: serde_json::to_value(instrument(version, "").reference()).unwrap(),
    };
    let after = check(&to(2), Some(&known(1)), &catalogue).expect("a move forward is accepted");
    assert_eq!(after.instrument.map(|r| r.version), Some(2));
    for (from, version) in [(2, 1), (2, 3), (1, 3)] {
        assert_eq!(
            check(&to(version), Some(&known(from)), &catalogue),
            Err(Refusal::InstrumentChanged),
            "{from} → {version}"
        );
    }
    // Another instrument is never a move.
    let mut other = to(2);
    other.value = serde_json::json!({"id": "other", "edition": "1", "version": 2});
    assert!(check(&other, Some(&known(1)), &catalogue).is_err());
}
