//! A client's timeline (経過): every record in date order with its kind and key values, and the
//! MSFAS signs and coping over time (see [`msfas`]). Computed on the device from what it holds;
//! pure, so the page and its tests read the same numbers.
//!
//! Everything is keyed by question id (`sheet.question`) and option id, never by position or
//! wording, so records of different versions of an instrument line up. A field in conflict is
//! shown as a conflict with its values ([`Fact::Conflict`]), never silently one of them; a draft
//! is marked as one.

pub mod compare;
#[cfg(test)]
mod compare_tests;
mod facts;
#[cfg(test)]
mod latest_tests;
pub mod msfas;
#[cfg(test)]
mod tests;

use crate::answer::Answer;
use crate::catalogue::Catalogue;
use crate::date::Date;
use crate::due::VISIT_NOTE;
use crate::instrument::{AnswerKind, Instrument, RecordKind, Role};
pub use crate::plan::Fact;
use facts::{MSFAS, counts};
pub use facts::{NEXT_VISIT, RecordFacts, Row, Summary, VISIT_MODE, VISIT_PHASE, map_fact};

/// The definition a record was made with, or else the newest of its instrument.
fn definition<'a>(facts: &RecordFacts, catalogue: &'a Catalogue) -> Option<&'a Instrument> {
    catalogue
        .get(&facts.instrument)
        .or_else(|| catalogue.latest(&facts.instrument.id))
}

/// The day a record is about, by the role of its instrument's date question (a visit note's
/// visit date, an assessment's consent date; either for a form that has only the other).
fn day_of(facts: &RecordFacts, catalogue: &Catalogue) -> Fact<Date> {
    let roles = match facts.kind {
        RecordKind::Assessment => [Role::ConsentDate, Role::VisitDate],
        RecordKind::VisitNote => [Role::VisitDate, Role::ConsentDate],
    };
    let Some(key) =
        definition(facts, catalogue).and_then(|i| roles.iter().find_map(|role| i.role_key(*role)))
    else {
        return Fact::Unset;
    };
    map_fact(&facts.answer(&key), |a| match a {
        Answer::Date { value } => Some(*value),
        _ => None,
    })
}

/// How many answered questions a record of any other instrument shows as its key values.
pub const KEY_VALUES: usize = 3;

/// The first [`KEY_VALUES`] answered questions of a record, in its definition's order: short
/// answers only (a date, a time, a number, choices, one line of text), and none of the questions
/// with a role (its day, the person's name and birth date are shown elsewhere or not at all).
fn first_answers(facts: &RecordFacts, catalogue: &Catalogue) -> Vec<(String, Fact<Answer>)> {
    let Some(definition) = definition(facts, catalogue) else {
        return Vec::new();
    };
    definition
        .questions()
        .filter(|(_, _, q)| q.role.is_none())
        .filter(|(_, _, q)| match &q.answer {
            AnswerKind::Text { lines, .. } => *lines <= 1,
            AnswerKind::Table { .. } => false,
            _ => true,
        })
        .map(|(key, _, _)| {
            let answer = facts.answer(&key);
            (key, answer)
        })
        .filter(|(_, answer)| !matches!(answer, Fact::Unset))
        .take(KEY_VALUES)
        .collect()
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
                RecordKind::VisitNote if facts.instrument.id == VISIT_NOTE => Summary::VisitNote {
                    mode: map_fact(&facts.answer(VISIT_MODE), choice),
                    phase: map_fact(&facts.answer(VISIT_PHASE), choice),
                    next_visit: map_fact(&facts.answer(NEXT_VISIT), |a| match a {
                        Answer::Date { value } => Some(*value),
                        _ => None,
                    }),
                },
                RecordKind::Assessment if facts.instrument.id == MSFAS => Summary::Assessment {
                    answered_by: facts.answered_by.clone(),
                    counts: counts(facts),
                },
                _ => Summary::Other {
                    values: first_answers(facts, catalogue),
                },
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
    crate::order::sort_by(&mut rows, |(a_made, a), (b_made, b)| {
        (a.placed_on, a_made, a.record).cmp(&(b.placed_on, b_made, b.record))
    });
    rows.into_iter().map(|(_, row)| row).collect()
}
