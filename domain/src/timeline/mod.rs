//! A client's timeline (経過): every record in date order with its kind and key values, and the
//! MSFAS signs and coping over time (see [`msfas`]). Computed on the device from what it holds;
//! pure, so the page and its tests read the same numbers.
//!
//! Everything is keyed by question id (`sheet.question`) and option id, never by position or
//! wording, so records of different versions of an instrument line up. A field in conflict is
//! shown as a conflict with its values ([`Fact::Conflict`]), never silently one of them; a draft
//! is marked as one.

mod facts;
pub mod msfas;
#[cfg(test)]
mod tests;

use crate::answer::Answer;
use crate::catalogue::Catalogue;
use crate::date::Date;
use crate::instrument::{RecordKind, Role};
pub use crate::plan::Fact;
use facts::{MSFAS, counts};
pub use facts::{NEXT_VISIT, RecordFacts, Row, Summary, VISIT_MODE, VISIT_PHASE, map_fact};

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
                RecordKind::Assessment if facts.instrument.id == MSFAS => Summary::Assessment {
                    answered_by: facts.answered_by.clone(),
                    counts: counts(facts),
                },
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
    crate::order::sort_by(&mut rows, |(a_made, a), (b_made, b)| {
        (a.placed_on, a_made, a.record).cmp(&(b.placed_on, b_made, b.record))
    });
    rows.into_iter().map(|(_, row)| row).collect()
}
