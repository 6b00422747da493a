//! `check`'s tests: what the server accepts of a change and what it refuses, with why.

use super::*;
use crate::ids::{DeviceId, RecordId};
use crate::record::{Client, Record};
use crate::sync::fields::{changed_fields, client_fields, record_fields};
use crate::sync::{ChangeId, Outbox, Replica};
use serde_json::json;

#[test]
fn a_refusals_code_is_its_wire_code_and_quotes_nothing() {
    let marker = "秘密-MARKER";
    for refusal in [
        Refusal::WrongClient,
        Refusal::UnknownField {
            field: marker.into(),
        },
        Refusal::BadValue {
            field: marker.into(),
            reason: marker.into(),
        },
        Refusal::UnknownInstrument {
            instrument: marker.into(),
        },
        Refusal::UnpublishedInstrument {
            instrument: marker.into(),
        },
        Refusal::RetiredInstrument {
            instrument: marker.into(),
        },
        Refusal::NoInstrument,
        Refusal::InstrumentChanged,
        Refusal::NotInScope,
        Refusal::UseStopped,
        Refusal::Erased,
    ] {
        let wire = serde_json::to_value(&refusal).unwrap();
        assert_eq!(wire["code"], refusal.code(), "{refusal:?}");
        assert!(!refusal.code().contains(marker));
    }
}

fn catalogue() -> Catalogue {
    Catalogue::builtin().unwrap()
}

fn client() -> Client {
    Client {
        id: ClientId::new_v7(1, [1; 10]),
        name: "山田 花子".into(),
        kana: "やまだ はなこ".into(),
        birth_date: Some("1990-04-01".parse().unwrap()),
        workplace: String::new(),
        notes: String::new(),
        consents: Default::default(),
        created_at: 5,
        updated_at: 5,
    }
}

fn change(entity: Entity, client: ClientId, field: &str, value: Value) -> Change {
    Change {
        id: ChangeId {
            device: DeviceId::new_v7(1, [2; 10]),
            seq: 1,
        },
        entity,
        client,
        field: field.into(),
        base: vec![],
        value,
    }
}

/// Every change the app makes for a client and a filled-in record passes, in order.
#[test]
fn what_the_app_writes_passes() {
    let catalogue = catalogue();
    let client = client();
    let msfas = catalogue.latest("msfas").unwrap();
    let mut record = Record::new(RecordId::new_v7(2, [3; 10]), client.id, msfas, 6);
    record.set_answer(
        "user1.q2",
        Some(Answer::Text {
            lines: vec!["残業".into()],
        }),
        7,
    );
    record.answered_by = Some(AnsweredBy::PersonWithSupporter);
    let (mut outbox, mut replica) = (
        Outbox::new(DeviceId::new_v7(1, [2; 10]), 1, vec![]),
        Replica::default(),
    );
    let mut changes = Vec::new();
    for (field, value) in changed_fields(&[], &client_fields(&client)) {
        changes.push(outbox.edit(
            &mut replica,
            Entity::Client(client.id),
            client.id,
            &field,
            value,
            None,
        ));
    }
    for (field, value) in changed_fields(&[], &record_fields(&record)) {
        changes.push(outbox.edit(
            &mut replica,
            Entity::Record(record.id),
            client.id,
            &field,
            value,
            None,
        ));
    }
    // An answer taken back is a null.
    changes.push(change(
        Entity::Record(record.id),
        client.id,
        "answers.user1.q2",
        Value::Null,
    ));
    let mut known = std::collections::BTreeMap::new();
    for change in &changes {
        let after = check(change, known.get(&change.entity), &catalogue)
            .unwrap_or_else(|e| panic!("{}: {e}", change.field));
        known.insert(change.entity, after);
    }
    assert_eq!(
        known[&Entity::Record(record.id)].instrument,
        Some(msfas.reference())
    );
}

#[test]
fn wrong_fields_values_instruments_and_clients_are_refused_with_their_reason() {
    let catalogue = catalogue();
    let client = client().id;
    let other = ClientId::new_v7(9, [9; 10]);
    let record = Entity::Record(RecordId::new_v7(2, [3; 10]));
    let msfas = Known {
        client,
        instrument: Some(catalogue.latest("msfas").unwrap().reference()),
    };
    let cases: Vec<(Change, Option<&Known>, Refusal)> = vec![
        (
            change(record, client, "answers.user1.q2", json!(42)),
            Some(&msfas),
            Refusal::BadValue {
                field: "answers.user1.q2".into(),
                reason: String::new(),
            },
        ),
        (
            change(
                record,
                client,
                "answers.user1.q3",
                json!({"type": "single", "choice": "no_such_option"}),
            ),
            Some(&msfas),
            Refusal::BadValue {
                field: "answers.user1.q3".into(),
                reason: String::new(),
            },
        ),
        (
            change(record, client, "answers.user1.q99", json!(null)),
            Some(&msfas),
            unknown("answers.user1.q99"),
        ),
        (
            change(record, client, "colour", json!("red")),
            Some(&msfas),
            unknown("colour"),
        ),
        (
            change(record, client, "answers.user1.q2", json!(null)),
            None,
            Refusal::NoInstrument,
        ),
        (
            change(
                record,
                client,
                "instrument",
                json!({"id": "msfas", "edition": "2099", "version": 1}),
            ),
            None,
            Refusal::UnknownInstrument {
                instrument: "msfas 2099 v1".into(),
            },
        ),
        (
            change(
                record,
                client,
                "instrument",
                serde_json::to_value(catalogue.latest("visit-note").unwrap().reference()).unwrap(),
            ),
            Some(&msfas),
            Refusal::InstrumentChanged,
        ),
        (
            change(record, other, "status", json!("complete")),
            Some(&msfas),
            Refusal::WrongClient,
        ),
        (
            change(Entity::Client(client), other, "name", json!("x")),
            None,
            Refusal::WrongClient,
        ),
        (
            change(Entity::Client(client), client, "birth_date", json!("昨日")),
            None,
            Refusal::BadValue {
                field: "birth_date".into(),
                reason: String::new(),
            },
        ),
        (
            change(record, client, "status", json!("finished")),
            Some(&msfas),
            Refusal::BadValue {
                field: "status".into(),
                reason: String::new(),
            },
        ),
    ];
    for (change, known, expected) in cases {
        let refused = check(&change, known, &catalogue).expect_err(&format!(
            "{} = {} must be refused",
            change.field, change.value
        ));
        match (&refused, &expected) {
            (
                Refusal::BadValue { field, reason },
                Refusal::BadValue {
                    field: expected, ..
                },
            ) => {
                assert_eq!(field, expected);
                assert!(!reason.is_empty(), "a reason a person can act on");
            }
            _ => assert_eq!(refused, expected, "{}", change.field),
        }
    }
}
