//! A client's timeline (経過): every record in date order with its kind and key values, and the
//! MSFAS signs and coping over time (see [`msfas`]). Computed on the device from what it holds;
//! pure, so the page and its tests read the same numbers.
//!
//! Everything is keyed by question id (`sheet.question`) and option id, never by position or
//! wording, so records of different versions of an instrument line up. A field in conflict is
//! shown as a conflict with its values ([`Fact::Conflict`]), never silently one of them; a draft
//! is marked as one.

pub mod msfas;
#[cfg(test)]
mod tests;

use crate::answer::Answer;
use crate::catalogue::Catalogue;
use crate::date::Date;
use crate::ids::RecordId;
use crate::instrument::{InstrumentRef, RecordKind, Role};
pub use crate::plan::Fact;
use crate::record::{AnsweredBy, Record, Status};
use crate::sync::fields::ANSWER_PREFIX;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;

/// The visit note's questions the timeline shows (stable across its versions).
pub const VISIT_MODE: &str = "visit.mode";
pub const VISIT_PHASE: &str = "visit.phase";
pub const NEXT_VISIT: &str = "next.next_visit";

/// One record as the device holds it, each answer with its conflicts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordFacts {
    pub id: RecordId,
    pub kind: RecordKind,
    pub instrument: InstrumentRef,
    pub created_at: i64,
    pub status: Fact<Status>,
    pub answered_by: Fact<AnsweredBy>,
    pub answers: BTreeMap<String, Fact<Answer>>,
}

impl RecordFacts {
    /// A record and its fields in conflict as the replica names them (`answers.user1.q4`,
    /// `status`, …) with their values: what the app's store gives a page. A `Record` leaves a
    /// field in conflict out; the conflicts put it back as such.
    pub fn new(record: &Record, conflicts: &[(String, Vec<Value>)]) -> Self {
        let mut facts = Self {
            id: record.id,
            kind: record.kind,
            instrument: record.instrument.clone(),
            created_at: record.created_at,
            status: Fact::Known(record.status),
            answered_by: record.answered_by.map_or(Fact::Unset, Fact::Known),
            answers: record
                .answers
                .iter()
                .map(|(key, answer)| (key.clone(), Fact::Known(answer.clone())))
                .collect(),
        };
        for (field, values) in conflicts {
            match field.as_str() {
                "status" => facts.status = conflict(values),
                "answered_by" => facts.answered_by = conflict(values),
                _ => {
                    if let Some(key) = field.strip_prefix(ANSWER_PREFIX) {
                        facts.answers.insert(key.to_owned(), conflict(values));
                    }
                }
            }
        }
        facts
    }

    /// A settled record, no conflicts.
    pub fn settled(record: &Record) -> Self {
        Self::new(record, &[])
    }

    pub fn answer(&self, key: &str) -> Fact<Answer> {
        self.answers.get(key).cloned().unwrap_or(Fact::Unset)
    }

    /// Whether any of its fields is in conflict.
    pub fn in_conflict(&self) -> bool {
        self.status.is_conflict()
            || self.answered_by.is_conflict()
            || self.answers.values().any(Fact::is_conflict)
    }

    /// Whether the record is a draft, or may be (its status in conflict).
    pub fn draft(&self) -> bool {
        !matches!(self.status, Fact::Known(Status::Complete))
    }
}

/// The values of a field in conflict that can be read (a cleared side is left out: the fact
/// stays a conflict all the same).
fn conflict<T: DeserializeOwned>(values: &[Value]) -> Fact<T> {
    Fact::Conflict(
        values
            .iter()
            .filter(|v| !v.is_null())
            .filter_map(|v| T::deserialize(v).ok())
            .collect(),
    )
}

/// A fact mapped value by value.
pub fn map_fact<T, U>(fact: &Fact<T>, f: impl Fn(&T) -> Option<U>) -> Fact<U> {
    match fact {
        Fact::Unset => Fact::Unset,
        Fact::Known(v) => f(v).map_or(Fact::Unset, Fact::Known),
        Fact::Conflict(vs) => Fact::Conflict(vs.iter().filter_map(f).collect()),
    }
}

/// The key values of one record, by its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Summary {
    /// Mode and phase as option ids, and the next visit.
    VisitNote {
        mode: Fact<String>,
        phase: Fact<String>,
        next_visit: Fact<Date>,
    },
    /// Who answered, and the number of entries in each category ([`msfas::CATEGORIES`]).
    Assessment {
        answered_by: Fact<AnsweredBy>,
        counts: Vec<(msfas::Category, Fact<u32>)>,
    },
    /// A record of an instrument the timeline has no key values for.
    Other,
}

/// One line of the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub record: RecordId,
    pub kind: RecordKind,
    pub instrument: InstrumentRef,
    /// The day the record is about: the visit's date, an assessment's consent date.
    pub day: Fact<Date>,
    /// The day it is placed on: `day`, the earliest of its dates in conflict, or else the day it
    /// was made.
    pub placed_on: Option<Date>,
    pub draft: bool,
    pub status: Fact<Status>,
    /// Some field of the record is in conflict (要確認), shown or not among the key values.
    pub in_conflict: bool,
    pub summary: Summary,
}

/// The day a record is about, by the role of its instrument's date question.
fn day_of(facts: &RecordFacts, catalogue: &Catalogue) -> Fact<Date> {
    let role = match facts.kind {
        RecordKind::Assessment => Role::ConsentDate,
        RecordKind::VisitNote => Role::VisitDate,
    };
    let Some(key) = catalogue
        .get(&facts.instrument)
        .or_else(|| catalogue.latest(&facts.instrument.id))
        .and_then(|i| i.role_key(role))
    else {
        return Fact::Unset;
    };
    map_fact(&facts.answer(&key), |a| match a {
        Answer::Date { value } => Some(*value),
        _ => None,
    })
}

fn choice(answer: &Answer) -> Option<String> {
    match answer {
        Answer::Single { choice, .. } => Some(choice.clone()),
        _ => None,
    }
}

/// Every record in date order (oldest first; a day in conflict placed on its earliest date, a
/// record without a day on the day it was made, `offset_minutes` from UTC), then by when each was
/// made.
pub fn timeline(records: &[RecordFacts], catalogue: &Catalogue, offset_minutes: i32) -> Vec<Row> {
    let mut rows: Vec<(i64, Row)> = records
        .iter()
        .map(|facts| {
            let day = day_of(facts, catalogue);
            let placed_on = match &day {
                Fact::Known(d) => Some(*d),
                Fact::Conflict(ds) => ds.iter().min().copied(),
                Fact::Unset => None,
            }
            .or_else(|| Date::from_unix_millis(facts.created_at, offset_minutes));
            let summary = match facts.kind {
                RecordKind::VisitNote => Summary::VisitNote {
                    mode: map_fact(&facts.answer(VISIT_MODE), choice),
                    phase: map_fact(&facts.answer(VISIT_PHASE), choice),
                    next_visit: map_fact(&facts.answer(NEXT_VISIT), |a| match a {
                        Answer::Date { value } => Some(*value),
                        _ => None,
                    }),
                },
                RecordKind::Assessment if facts.instrument.id == msfas::MSFAS => {
                    Summary::Assessment {
                        answered_by: facts.answered_by.clone(),
                        counts: msfas::counts(facts),
                    }
                }
                RecordKind::Assessment => Summary::Other,
            };
            let row = Row {
                record: facts.id,
                kind: facts.kind,
                instrument: facts.instrument.clone(),
                day,
                placed_on,
                draft: facts.draft(),
                status: facts.status.clone(),
                in_conflict: facts.in_conflict(),
                summary,
            };
            (facts.created_at, row)
        })
        .collect();
    rows.sort_by(|(a_made, a), (b_made, b)| {
        (a.placed_on, a_made, a.record).cmp(&(b.placed_on, b_made, b.record))
    });
    rows.into_iter().map(|(_, row)| row).collect()
}
