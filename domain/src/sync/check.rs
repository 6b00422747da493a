//! What the server checks of every change before it stores it: a field the entity has, a value of
//! the right kind for it (for an answer, a valid answer to that question of the record's exact
//! instrument version; for a consent or a follow-up plan part, a valid one), and the client the
//! entity already belongs to. A change that fails is refused with a [`Refusal`] that says why;
//! the server keeps it aside with that reason, never applies it, and never drops it.

use super::change::{Change, Entity};
use super::fields::ANSWER_PREFIX;
use crate::answer::Answer;
use crate::catalogue::Catalogue;
use crate::date::Date;
use crate::ids::ClientId;
use crate::instrument::{InstrumentRef, RecordKind};
use crate::plan::{PLAN_PREFIX, Part, check_value};
use crate::privacy::{CONSENT_PREFIX, Consent, Purpose};
use crate::record::{AnsweredBy, Status};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the server knows of an entity from the changes it already stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub client: ClientId,
    /// A record's instrument, once its `instrument` field is stored.
    pub instrument: Option<InstrumentRef>,
}

/// Why a change was not stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    #[error("it names another client than the one this entry belongs to")]
    WrongClient,
    #[error("there is no field {field:?}")]
    UnknownField { field: String },
    #[error("{field}: {reason}")]
    BadValue { field: String, reason: String },
    #[error("the instrument {instrument} is not known to this server")]
    UnknownInstrument { instrument: String },
    #[error("an answer to a record whose instrument the server does not know")]
    NoInstrument,
    #[error("a record's instrument cannot change")]
    InstrumentChanged,
    /// The person who pushed it may not write this client (no longer assigned, or never).
    #[error("the person who made it is not assigned to this client")]
    NotInScope,
    /// An administrator stopped the use of this client's data (利用停止).
    #[error("the use of this client's data was stopped (利用停止) by an administrator")]
    UseStopped,
    /// The client's data was erased: only ids are kept of what arrives for it.
    #[error("this client's data was erased by an administrator")]
    Erased,
}

impl Refusal {
    /// The refusal's code, as its `code` on the wire, without the field, value or instrument it
    /// may quote: all a server log may keep of it (logs outlive an erase).
    pub fn code(&self) -> &'static str {
        match self {
            Self::WrongClient => "wrong_client",
            Self::UnknownField { .. } => "unknown_field",
            Self::BadValue { .. } => "bad_value",
            Self::UnknownInstrument { .. } => "unknown_instrument",
            Self::NoInstrument => "no_instrument",
            Self::InstrumentChanged => "instrument_changed",
            Self::NotInScope => "not_in_scope",
            Self::UseStopped => "use_stopped",
            Self::Erased => "erased",
        }
    }
}

/// Checks `change` against what is `known` of its entity. Returns what is known after it.
pub fn check(
    change: &Change,
    known: Option<&Known>,
    catalogue: &Catalogue,
) -> Result<Known, Refusal> {
    if let Some(known) = known
        && known.client != change.client
    {
        return Err(Refusal::WrongClient);
    }
    let mut after = known.cloned().unwrap_or(Known {
        client: change.client,
        instrument: None,
    });
    let field = change.field.as_str();
    let value = &change.value;
    match change.entity {
        Entity::Client(id) => {
            if id != change.client {
                return Err(Refusal::WrongClient);
            }
            match field {
                "name" => of::<String>(field, value)?,
                "kana" | "workplace" | "notes" => of::<Option<String>>(field, value)?,
                "birth_date" => of::<Option<Date>>(field, value)?,
                "created_at" => of::<i64>(field, value)?,
                _ if field.starts_with(PLAN_PREFIX) => {
                    let part = Part::of_field(field).ok_or_else(|| unknown(field))?;
                    check_value(part, value).map_err(|reason| Refusal::BadValue {
                        field: part.field(),
                        reason,
                    })?;
                }
                _ => {
                    let purpose = field
                        .strip_prefix(CONSENT_PREFIX)
                        .and_then(Purpose::parse)
                        .ok_or_else(|| unknown(field))?;
                    if let Some(consent) = read::<Option<Consent>>(field, value)? {
                        consent.check().map_err(|reason| Refusal::BadValue {
                            field: purpose.field(),
                            reason,
                        })?;
                    }
                }
            }
        }
        Entity::Record(_) => match field {
            "kind" => of::<RecordKind>(field, value)?,
            "created_at" => of::<i64>(field, value)?,
            "answered_by" => of::<Option<AnsweredBy>>(field, value)?,
            "status" => of::<Status>(field, value)?,
            "instrument" => {
                let reference: InstrumentRef = read(field, value)?;
                if catalogue.get(&reference).is_none() {
                    return Err(Refusal::UnknownInstrument {
                        instrument: format!(
                            "{} {} v{}",
                            reference.id, reference.edition, reference.version
                        ),
                    });
                }
                if after
                    .instrument
                    .as_ref()
                    .is_some_and(|known| *known != reference)
                {
                    return Err(Refusal::InstrumentChanged);
                }
                after.instrument = Some(reference);
            }
            _ => {
                let Some(key) = field.strip_prefix(ANSWER_PREFIX) else {
                    return Err(unknown(field));
                };
                let instrument = after
                    .instrument
                    .as_ref()
                    .and_then(|r| catalogue.get(r))
                    .ok_or(Refusal::NoInstrument)?;
                let question = instrument.question(key).ok_or_else(|| unknown(field))?;
                if let Some(answer) = read::<Option<Answer>>(field, value)?
                    && let Some(problem) =
                        answer.problems(&question.answer, &catalogue.lists).first()
                {
                    return Err(Refusal::BadValue {
                        field: field.to_owned(),
                        reason: problem.to_string(),
                    });
                }
            }
        },
    }
    Ok(after)
}

fn unknown(field: &str) -> Refusal {
    Refusal::UnknownField {
        field: field.to_owned(),
    }
}

fn read<T: DeserializeOwned>(field: &str, value: &Value) -> Result<T, Refusal> {
    T::deserialize(value).map_err(|e| Refusal::BadValue {
        field: field.to_owned(),
        reason: e.to_string(),
    })
}

fn of<T: DeserializeOwned>(field: &str, value: &Value) -> Result<(), Refusal> {
    read::<T>(field, value).map(drop)
}

#[cfg(test)]
mod tests {
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
                    serde_json::to_value(catalogue.latest("visit-note").unwrap().reference())
                        .unwrap(),
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
}
