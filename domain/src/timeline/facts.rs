//! What the timeline reads of one record (`RecordFacts`, every answer with its conflicts), the
//! shape of a line (`Row`, `Summary`), and what an MSFAS's counts are made of (the sheet's
//! questions and `counts`): the leaf both the timeline and the MSFAS views build on.

use crate::answer::Answer;
use crate::date::Date;
use crate::ids::RecordId;
use crate::instrument::{InstrumentRef, RecordKind};
use crate::plan::Fact;
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
            answers: crate::order::map_of(
                record
                    .answers
                    .iter()
                    .map(|(key, answer)| (key.clone(), Fact::Known(answer.clone()))),
            ),
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
        counts: Vec<(Category, Fact<u32>)>,
    },
    /// A record of any other instrument: its first few answered questions (`sheet.question`,
    /// in its definition's order; see [`KEY_VALUES`]).
    Other { values: Vec<(String, Fact<Answer>)> },
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

/// MSFAS's instrument id, in every edition and version.
pub const MSFAS: &str = "msfas";
/// (1) the situations that bring stress: a table, one situation a row.
pub const SITUATIONS: &str = "user1.q1";
/// (2) the tasks or activities that tire: lines of text.
pub const TIRING: &str = "user1.q2";
/// (3) what the person does when tired: one choice.
pub const COPING: &str = "user1.q3";
/// (4) the signs of stress and fatigue: any number of the shared signs.
pub const SIGNS: &str = "user1.q4";
/// (5) when the person works well (緩衝要因): lines of text.
pub const BUFFERS: &str = "user1.q5";
/// The answers of (4) that say "no sign": they stand alone and count as none.
pub const NO_SIGN: [&str; 2] = ["none", "unknown"];

/// A part of the sheet whose entries are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// Signs chosen in (4) (その他 counts as one).
    Signs,
    /// Situations written in (1).
    Situations,
    /// Tiring tasks written in (2).
    Tiring,
    /// Good situations written in (5).
    Buffers,
}

pub const CATEGORIES: [Category; 4] = [
    Category::Signs,
    Category::Situations,
    Category::Tiring,
    Category::Buffers,
];

impl Category {
    /// The question (`sheet.question`) it counts.
    pub fn key(self) -> &'static str {
        match self {
            Category::Signs => SIGNS,
            Category::Situations => SITUATIONS,
            Category::Tiring => TIRING,
            Category::Buffers => BUFFERS,
        }
    }
}

/// The number of entries an answer holds.
pub(super) fn entries(answer: &Answer) -> Option<u32> {
    let n = match answer {
        Answer::Multi { choices, .. } => choices
            .iter()
            .filter(|c| !NO_SIGN.contains(&c.as_str()))
            .count(),
        Answer::Table { rows } => rows
            .iter()
            .filter(|row| row.values().any(|cell| !cell.trim().is_empty()))
            .count(),
        Answer::Text { lines } => lines.iter().filter(|l| !l.trim().is_empty()).count(),
        _ => return None,
    };
    u32::try_from(n).ok()
}

/// An assessment's count in each category; an unanswered question is `Unset`, not 0.
pub fn counts(facts: &RecordFacts) -> Vec<(Category, Fact<u32>)> {
    CATEGORIES
        .iter()
        .map(|c| (*c, map_fact(&facts.answer(c.key()), entries)))
        .collect()
}
