//! What the server checks of every change before it stores it: a field the entity has, a value of
//! the right kind for it (for an answer, a valid answer to that question of the record's exact
//! instrument version; for a consent or a follow-up plan part, a valid one), and the client the
//! entity already belongs to. A change that fails is refused with a [`Refusal`] that says why;
//! the server keeps it aside with that reason, never applies it, and never drops it.

use super::change::{Change, Entity};
use super::fields::ANSWER_PREFIX;
use crate::answer::Answer;
use crate::catalogue::Catalogue;
use crate::consent::{CONSENT_PREFIX, Consent, Purpose};
use crate::date::Date;
use crate::ids::ClientId;
use crate::instrument::{InstrumentRef, RecordKind};
use crate::plan::{PLAN_PREFIX, Part, check_value};
use crate::record::{AnsweredBy, Status};
use crate::report::REPORT_PREFIX;
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

/// Why a change was not stored. Read without serde's buffering (`refusal_read.rs`); written as
/// derived.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
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
    /// The version is a draft on the server: it was never published, so no record may use it.
    #[error(
        "the instrument {instrument} is a draft on this server, not published: an administrator publishes it first"
    )]
    UnpublishedInstrument { instrument: String },
    /// The version is retired on the server and the device that made this new record had been
    /// told so before it made it: a retired version takes no new record (its old records still
    /// take edits). The draft moves to the newer version on the device (新しい版に移す).
    #[error(
        "the instrument {instrument} is retired on this server and takes no new records: move the draft to the newer version of the form, then sync again"
    )]
    RetiredInstrument { instrument: String },
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
            Self::UnpublishedInstrument { .. } => "unpublished_instrument",
            Self::RetiredInstrument { .. } => "retired_instrument",
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
                _ if field.starts_with(REPORT_PREFIX) => {
                    let (month, part) =
                        crate::report::Part::of_field(field).ok_or_else(|| unknown(field))?;
                    crate::report::check_value(month, part, value).map_err(|reason| {
                        Refusal::BadValue {
                            field: field.to_owned(),
                            reason,
                        }
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
                // A draft moved to a later version of its instrument, which removed nothing any
                // answer may use (see `versions::moving::may_move`); any other change is refused.
                if let Some(known) = after.instrument.as_ref()
                    && *known != reference
                    && !catalogue.get(known).is_some_and(|from| {
                        let to = catalogue.get(&reference).expect("looked up above");
                        crate::versions::moving::may_move(from, to, &catalogue.lists)
                    })
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
mod tests;
