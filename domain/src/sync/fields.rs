//! Clients and records as named fields, and back: what turns a person's edit into changes, and a
//! replica's registers into the record a page shows.
//!
//! A field in conflict is never silently given one of its values: an answer in conflict is left
//! out of the record (the page shows both values for a person to choose), status falls back to
//! draft and who-answered to unknown. Only the fields a record cannot exist without (its kind,
//! instrument, creation time and a client's name) show their first value while in conflict, and
//! the page marks them for review too.

use super::change::Entity;
use super::register::Register;
use super::replica::Replica;
use crate::answer::Answer;
use crate::ids::{ClientId, RecordId};
use crate::record::{Client, Record, Status};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The prefix of an answer's field: `answers.user1.q2`.
pub const ANSWER_PREFIX: &str = "answers.";

fn json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).expect("domain types serialise")
}

/// A record's fields. `updated_at` is not one: it is derived from the changes, so two people's
/// edits of different answers never collide on it.
pub fn record_fields(record: &Record) -> Vec<(String, Value)> {
    let mut fields = vec![
        ("kind".to_owned(), json(&record.kind)),
        ("instrument".to_owned(), json(&record.instrument)),
        ("created_at".to_owned(), json(&record.created_at)),
        ("answered_by".to_owned(), json(&record.answered_by)),
        ("status".to_owned(), json(&record.status)),
    ];
    fields.extend(
        record
            .answers
            .iter()
            .map(|(key, answer)| (format!("{ANSWER_PREFIX}{key}"), json(answer))),
    );
    fields
}

/// A client's profile fields.
pub fn client_fields(client: &Client) -> Vec<(String, Value)> {
    let mut fields = vec![
        ("name".to_owned(), json(&client.name)),
        ("kana".to_owned(), json(&client.kana)),
        ("birth_date".to_owned(), json(&client.birth_date)),
        ("workplace".to_owned(), json(&client.workplace)),
        ("notes".to_owned(), json(&client.notes)),
        ("created_at".to_owned(), json(&client.created_at)),
    ];
    fields.extend(
        client
            .consents
            .iter()
            .map(|(purpose, consent)| (purpose.field(), json(consent))),
    );
    fields
}

/// The fields whose value differs between `old` and `new`, with their new value (`null` for a
/// field `new` no longer has). A field absent and a field set to `null` are the same.
pub fn changed_fields(old: &[(String, Value)], new: &[(String, Value)]) -> Vec<(String, Value)> {
    let find = |fields: &[(String, Value)], name: &str| {
        fields
            .iter()
            .find(|(f, _)| f == name)
            .map_or(Value::Null, |(_, v)| v.clone())
    };
    let mut changed: Vec<(String, Value)> = new
        .iter()
        .filter(|(field, value)| find(old, field) != *value)
        .cloned()
        .collect();
    changed.extend(
        old.iter()
            .filter(|(field, value)| !value.is_null() && !new.iter().any(|(f, _)| f == field))
            .map(|(field, _)| (field.clone(), Value::Null)),
    );
    changed
}

/// The value a page shows: the single current value, or `None` in conflict or when cleared.
fn settled<T: DeserializeOwned>(register: &Register) -> Option<T> {
    register
        .value()
        .filter(|v| !v.is_null())
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// The value of a field no record can be without: in conflict, the first value (marked for
/// review by the page all the same).
fn essential<T: DeserializeOwned>(register: &Register) -> Option<T> {
    register
        .values()
        .map(|(_, v)| v)
        .find(|v| !v.is_null())
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// The record as the replica knows it; `None` until its kind, instrument and creation time have
/// arrived. `updated_at` is the caller's: when the record last changed, as this device knows it.
pub fn record_from(replica: &Replica, id: RecordId, updated_at: i64) -> Option<Record> {
    let entity = Entity::Record(id);
    let client = replica.owner(entity)?;
    let (mut kind, mut instrument, mut created_at) = (None, None, None);
    let mut record_answers = std::collections::BTreeMap::new();
    let (mut answered_by, mut status) = (None, Status::Draft);
    for (field, register) in replica.fields_of(entity) {
        match field {
            "kind" => kind = essential(register),
            "instrument" => instrument = essential(register),
            "created_at" => created_at = essential(register),
            "answered_by" => answered_by = settled(register),
            "status" => status = settled(register).unwrap_or_default(),
            _ => {
                if let Some(key) = field.strip_prefix(ANSWER_PREFIX)
                    && let Some(answer) = settled::<Answer>(register)
                {
                    record_answers.insert(key.to_owned(), answer);
                }
            }
        }
    }
    Some(Record {
        id,
        client,
        kind: kind?,
        instrument: instrument?,
        answers: record_answers,
        answered_by,
        status,
        created_at: created_at?,
        updated_at,
    })
}

/// The client's profile as the replica knows it; `None` until its name has arrived.
pub fn client_from(replica: &Replica, id: ClientId, updated_at: i64) -> Option<Client> {
    let entity = Entity::Client(id);
    let mut client = Client {
        id,
        name: String::new(),
        kana: String::new(),
        birth_date: None,
        workplace: String::new(),
        notes: String::new(),
        consents: Default::default(),
        created_at: 0,
        updated_at,
    };
    let mut named = false;
    for (field, register) in replica.fields_of(entity) {
        match field {
            "name" => {
                if let Some(name) = essential::<String>(register) {
                    client.name = name;
                    named = true;
                }
            }
            "kana" => client.kana = settled(register).unwrap_or_default(),
            "birth_date" => client.birth_date = settled(register),
            "workplace" => client.workplace = settled(register).unwrap_or_default(),
            "notes" => client.notes = settled(register).unwrap_or_default(),
            "created_at" => client.created_at = essential(register).unwrap_or_default(),
            _ => {
                // A consent in conflict is left out, like an answer: the page asks to review it.
                if let Some(purpose) = field
                    .strip_prefix(crate::consent::CONSENT_PREFIX)
                    .and_then(crate::consent::Purpose::parse)
                    && let Some(consent) = settled(register)
                {
                    client.consents.insert(purpose, consent);
                }
            }
        }
    }
    named.then_some(client)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::ids::DeviceId;
    use crate::sync::{ChangeId, Outbox};
    use serde_json::json;

    fn msfas() -> Record {
        let catalogue = Catalogue::builtin().unwrap();
        let instrument = catalogue.latest("msfas").unwrap();
        Record::new(
            RecordId::new_v7(1_795_000_000_000, [7; 10]),
            ClientId::new_v7(1_795_000_000_000, [3; 10]),
            instrument,
            1_795_000_000_000,
        )
    }

    fn text(line: &str) -> Answer {
        Answer::Text {
            lines: vec![line.to_owned()],
        }
    }

    fn write(outbox: &mut Outbox, replica: &mut Replica, old: Option<&Record>, new: &Record) {
        let old = old.map(record_fields).unwrap_or_default();
        for (field, value) in changed_fields(&old, &record_fields(new)) {
            outbox.edit(
                replica,
                Entity::Record(new.id),
                new.client,
                &field,
                value,
                None,
            );
        }
    }

    #[test]
    fn a_record_goes_to_fields_and_back_unchanged() {
        let mut record = msfas();
        record.set_answer("user1.q2", Some(text("残業")), 1);
        record.answered_by = Some(crate::record::AnsweredBy::Person);
        let mut replica = Replica::default();
        let mut outbox = Outbox::new(DeviceId::new_v7(1, [1; 10]), 1, Vec::new());
        write(&mut outbox, &mut replica, None, &record);
        let back = record_from(&replica, record.id, record.updated_at).unwrap();
        assert_eq!(back, record);
    }

    #[test]
    fn only_changed_fields_become_changes_and_a_cleared_answer_is_null() {
        let mut before = msfas();
        before.set_answer("user1.q2", Some(text("残業")), 1);
        let mut after = before.clone();
        after.set_answer("user1.q2", None, 2);
        after.set_answer("user1.q3", Some(text("休憩")), 2);
        let changed = changed_fields(&record_fields(&before), &record_fields(&after));
        assert_eq!(
            changed,
            vec![
                ("answers.user1.q3".to_owned(), json(&text("休憩"))),
                ("answers.user1.q2".to_owned(), Value::Null),
            ]
        );
    }

    #[test]
    fn an_answer_in_conflict_is_left_out_and_status_falls_back_to_draft() {
        let mut record = msfas();
        record.set_answer("user1.q2", Some(text("残業")), 1);
        let mut replica = Replica::default();
        let mut outbox = Outbox::new(DeviceId::new_v7(1, [1; 10]), 1, Vec::new());
        write(&mut outbox, &mut replica, None, &record);
        let entity = Entity::Record(record.id);
        let base = replica
            .field(entity, "answers.user1.q2")
            .unwrap()
            .revisions();
        let status_base = replica.field(entity, "status").unwrap().revisions();
        for (device, value, status) in [(2, "寒さ", "complete"), (3, "騒音", "draft")] {
            let device = DeviceId::new_v7(device, [device as u8; 10]);
            replica.apply(&crate::sync::Change {
                id: ChangeId { device, seq: 1 },
                entity,
                client: record.client,
                field: "answers.user1.q2".into(),
                base: base.clone(),
                value: json(&text(value)),
            });
            replica.apply(&crate::sync::Change {
                id: ChangeId { device, seq: 2 },
                entity,
                client: record.client,
                field: "status".into(),
                base: status_base.clone(),
                value: json!(status),
            });
        }
        let shown = record_from(&replica, record.id, 0).unwrap();
        assert!(!shown.answers.contains_key("user1.q2"));
        assert_eq!(shown.status, Status::Draft);
        assert_eq!(replica.conflicts().count(), 2);
    }

    #[test]
    fn a_record_whose_creation_has_not_arrived_is_not_shown() {
        let record = msfas();
        let mut replica = Replica::default();
        replica.apply(&crate::sync::Change {
            id: ChangeId {
                device: DeviceId::new_v7(2, [2; 10]),
                seq: 1,
            },
            entity: Entity::Record(record.id),
            client: record.client,
            field: "answers.user1.q2".into(),
            base: vec![],
            value: json(&text("残業")),
        });
        assert_eq!(record_from(&replica, record.id, 0), None);
    }

    #[test]
    fn a_client_goes_to_fields_and_back_unchanged() {
        let client = Client {
            id: ClientId::new_v7(5, [5; 10]),
            name: "山田 太郎".into(),
            kana: "やまだ たろう".into(),
            birth_date: Some("1990-04-01".parse().unwrap()),
            workplace: "中央倉庫".into(),
            notes: "朝が苦手".into(),
            consents: Default::default(),
            created_at: 10,
            updated_at: 20,
        };
        let mut replica = Replica::default();
        let mut outbox = Outbox::new(DeviceId::new_v7(1, [1; 10]), 1, Vec::new());
        for (field, value) in changed_fields(&[], &client_fields(&client)) {
            outbox.edit(
                &mut replica,
                Entity::Client(client.id),
                client.id,
                &field,
                value,
                None,
            );
        }
        assert_eq!(client_from(&replica, client.id, 20).unwrap(), client);
    }
}
