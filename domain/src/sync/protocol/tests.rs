//! `protocol`'s tests: the push and pull wire shapes, frozen, and what a push stores.

use super::*;
use crate::ids::RecordId;
use crate::sync::{ChangeId, Entity};
use serde_json::json;

fn change(device: DeviceId, seq: u64) -> Change {
    Change {
        id: ChangeId { device, seq },
        entity: Entity::Record(RecordId::new_v7(1_795_000_000_000, [4; 10])),
        client: ClientId::new_v7(1_795_000_000_000, [3; 10]),
        field: "answers.user1.q2".into(),
        base: vec![],
        value: json!({"type": "text", "lines": ["残業"]}),
    }
}

fn device() -> DeviceId {
    DeviceId::new_v7(1_795_000_000_000, [1; 10])
}

/// The wire format, frozen: changing it needs a new WIRE_FORMAT and a path for old devices.
#[test]
fn the_push_wire_format_is_frozen() {
    let request = PushRequest {
        format: 1,
        device: device(),
        changes: vec![change(device(), 1)],
    };
    let json = serde_json::to_string(&request).unwrap();
    assert_eq!(
        json,
        r#"{"format":1,"device":"01a1ee56-5e00-7101-8101-010101010101","changes":[{"id":{"device":"01a1ee56-5e00-7101-8101-010101010101","seq":1},"entity":{"type":"record","id":"01a1ee56-5e00-7404-8404-040404040404"},"client":"01a1ee56-5e00-7303-8303-030303030303","field":"answers.user1.q2","base":[],"value":{"lines":["残業"],"type":"text"}}]}"#
    );
    assert_eq!(serde_json::from_str::<PushRequest>(&json).unwrap(), request);
}

/// The push's answer: unchanged for a push with nothing refused (what older apps read), and
/// the refusals' shape frozen.
#[test]
fn the_push_answer_is_frozen() {
    let plain = PushResponse {
        format: WIRE_FORMAT,
        acked_through: 3,
        refused: Vec::new(),
        instance: String::new(),
    };
    assert_eq!(
        serde_json::to_string(&plain).unwrap(),
        r#"{"format":1,"acked_through":3}"#
    );
    let refused = PushResponse {
        refused: vec![Refused {
            id: ChangeId {
                device: device(),
                seq: 2,
            },
            refusal: Refusal::BadValue {
                field: "answers.user1.q2".into(),
                reason: "this answer is of another kind than the question asks".into(),
            },
        }],
        ..plain
    };
    let text = serde_json::to_string(&refused).unwrap();
    assert_eq!(
        text,
        format!(
            r#"{{"format":1,"acked_through":3,"refused":[{{"id":{{"device":"{}","seq":2}},"refusal":{{"code":"bad_value","field":"answers.user1.q2","reason":"this answer is of another kind than the question asks"}}}}]}}"#,
            device()
        )
    );
    assert_eq!(
        serde_json::from_str::<PushResponse>(&text).unwrap(),
        refused
    );
}

/// The answers with the database's instance id (a field older apps do not read), frozen;
/// and an answer without it (an older server's) reads as an empty id.
#[test]
fn answers_with_the_instance_id_are_frozen() {
    let push = PushResponse {
        format: WIRE_FORMAT,
        acked_through: 3,
        refused: Vec::new(),
        instance: "01a1ee56-5e00-7101-8101-010101010101".into(),
    };
    let text = serde_json::to_string(&push).unwrap();
    assert_eq!(
        text,
        r#"{"format":1,"acked_through":3,"instance":"01a1ee56-5e00-7101-8101-010101010101"}"#
    );
    assert_eq!(serde_json::from_str::<PushResponse>(&text).unwrap(), push);
    let pull = PullResponse {
        format: WIRE_FORMAT,
        changes: Vec::new(),
        cursor: 4,
        more: false,
        head: 4,
        scope: None,
        instance: "i".into(),
        instruments: String::new(),
    };
    let text = serde_json::to_string(&pull).unwrap();
    assert_eq!(
        text,
        r#"{"format":1,"changes":[],"cursor":4,"more":false,"head":4,"instance":"i"}"#
    );
    assert_eq!(serde_json::from_str::<PullResponse>(&text).unwrap(), pull);
    let older: PullResponse =
        serde_json::from_str(r#"{"format":1,"changes":[],"cursor":4,"more":false}"#).unwrap();
    assert_eq!(older.instance, "");
    assert_eq!(
        older.instruments, "",
        "an older server sends no fingerprint"
    );
    let with = PullResponse {
        instruments: "ab12".into(),
        ..pull
    };
    let text = serde_json::to_string(&with).unwrap();
    assert!(
        text.ends_with(r#","instance":"i","instruments":"ab12"}"#),
        "{text}"
    );
    assert_eq!(serde_json::from_str::<PullResponse>(&text).unwrap(), with);
    let writers = Writers {
        format: WIRE_FORMAT,
        instance: "i".into(),
        writers: vec![WriterSeq {
            writer: device(),
            last_seq: 9,
        }],
    };
    assert_eq!(
        serde_json::to_string(&writers).unwrap(),
        r#"{"format":1,"instance":"i","writers":[{"writer":"01a1ee56-5e00-7101-8101-010101010101","last_seq":9}]}"#
    );
    let page: BootstrapPage = BootstrapPage {
        format: BOOTSTRAP_FORMAT,
        base: 1,
        clients: Vec::new(),
        next: None,
        total: None,
        scope: None,
    };
    let framed = String::from_utf8(page.frame_with("i", <[u8]>::to_vec)).unwrap();
    assert_eq!(
        framed,
        "{\"format\":2,\"base\":1,\"fields\":0,\"chunks\":[],\"instance\":\"i\"}\n"
    );
    assert_eq!(unframe(framed.as_bytes()).unwrap().0.instance, "i");
}

#[test]
fn a_retried_push_stores_nothing_twice() {
    let request = PushRequest {
        format: 1,
        device: device(),
        changes: (1..=3).map(|s| change(device(), s)).collect(),
    };
    let seqs = |changes: &[&Change]| changes.iter().map(|c| c.id.seq).collect::<Vec<_>>();
    let first = accept(&request, 0).unwrap();
    assert_eq!((seqs(&first.fresh), first.acked), (vec![1, 2, 3], 3));
    assert!(
        first.to_check.is_empty(),
        "nothing to look up: the fast path"
    );
    let retry = accept(&request, 3).unwrap();
    assert_eq!(
        (seqs(&retry.fresh), seqs(&retry.to_check), retry.acked),
        (vec![], vec![1, 2, 3], 3)
    );
    let half = accept(&request, 2).unwrap();
    assert_eq!(
        (seqs(&half.fresh), seqs(&half.to_check), half.acked),
        (vec![3], vec![1, 2], 3)
    );
}

#[test]
fn nothing_is_acknowledged_past_what_the_push_carries() {
    // Issue 19: a writer whose numbers were advanced to 1000 (by someone else's push under
    // its id) sends 2..=501: they are to be looked up, and acknowledged through 501 only.
    let request = PushRequest {
        format: 1,
        device: device(),
        changes: (2..=501).map(|s| change(device(), s)).collect(),
    };
    let accepted = accept(&request, 1000).unwrap();
    assert!(accepted.fresh.is_empty());
    assert_eq!(accepted.to_check.len(), 500);
    assert_eq!(accepted.acked, 501);
    let empty = PushRequest {
        format: 1,
        device: device(),
        changes: vec![],
    };
    assert_eq!(accept(&empty, 1000).unwrap().acked, 0);
}

#[test]
fn bad_pushes_are_refused_with_the_reason() {
    let other = DeviceId::new_v7(9, [9; 10]);
    for (request, expected) in [
        (
            PushRequest {
                format: 0,
                device: device(),
                changes: vec![],
            },
            ProtocolError::UpdateApp(0),
        ),
        (
            PushRequest {
                format: 2,
                device: device(),
                changes: vec![],
            },
            ProtocolError::UpdateServer(2),
        ),
        (
            PushRequest {
                format: 1,
                device: device(),
                changes: vec![change(other, 1)],
            },
            ProtocolError::ForeignChange(format!("{other}#1")),
        ),
        (
            PushRequest {
                format: 1,
                device: device(),
                changes: vec![change(device(), 2), change(device(), 1)],
            },
            ProtocolError::OutOfOrder,
        ),
    ] {
        assert_eq!(accept(&request, 0).unwrap_err(), expected);
    }
    assert!(
        ProtocolError::UpdateApp(0)
            .to_string()
            .contains("Please update the app")
    );
}
