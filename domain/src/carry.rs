//! Starting a follow-up from what is known (ODK's `last-saved`): a new record can be started from
//! the client's last record of the same instrument, copying only the answers its definition marks
//! `"carry": true`. Everything else is asked afresh.
//!
//! Which answers carry is the instrument's choice, made in its definition file, and checked here:
//! - a question filled afresh for every record by its role (the visit's date and start time, the
//!   consent date that dates an assessment, the name and birth date taken from the profile) never
//!   carries;
//! - the MSFAS signs (any question whose options are the shared `msfas-signs` list) never carry:
//!   they are what the person or the coach notices now, and a copied answer would hide a change.
//!
//! A carried answer must still be valid for the new definition's question (the last record may
//! be of an older version), and an answer in conflict on the last record is not carried (a
//! `Record` leaves a field in conflict out, so it cannot be silently given one of its values).

use crate::answer::Answer;
use crate::instrument::{AnswerKind, Instrument, Lists, Options, Question, Role};
use crate::record::Record;
use std::collections::BTreeMap;

/// The shared option list whose answers are always asked afresh.
pub const SIGNS_LIST: &str = "msfas-signs";

/// What is wrong with this question's `carry`, if anything (part of `Instrument::check`).
pub fn check(question: &Question) -> Option<String> {
    if !question.carry {
        return None;
    }
    if let Some(role) = question.role
        && matches!(
            role,
            Role::ConsentDate
                | Role::VisitDate
                | Role::StartTime
                | Role::ClientName
                | Role::BirthDate
        )
    {
        return Some(format!(
            "\"carry\" cannot be set: its role {role:?} fills it afresh for every record"
        ));
    }
    let shared = match &question.answer {
        AnswerKind::Single { options, .. } | AnswerKind::Multi { options, .. } => match options {
            Options::Shared { options_from } => Some(options_from.as_str()),
            Options::Inline { .. } => None,
        },
        _ => None,
    };
    (shared == Some(SIGNS_LIST)).then(|| {
        format!("\"carry\" cannot be set: the {SIGNS_LIST} signs are asked afresh every time")
    })
}

/// The field keys (`sheet.question`) of the questions that carry over, in order.
pub fn carried_keys(instrument: &Instrument) -> Vec<String> {
    instrument
        .questions()
        .filter(|(_, _, q)| q.carry)
        .map(|(key, _, _)| key)
        .collect()
}

/// The answers a new record of `instrument` takes from `last`: those of its carried questions
/// that `last` holds (settled, not in conflict) and that are valid answers to the new
/// definition's question. Nothing if `last` is of another instrument.
pub fn carry_from(
    instrument: &Instrument,
    lists: &Lists,
    last: &Record,
) -> BTreeMap<String, Answer> {
    if last.instrument.id != instrument.id {
        return BTreeMap::new();
    }
    crate::order::map_of(
        instrument
            .questions()
            .filter(|(_, _, q)| q.carry)
            .filter_map(|(key, _, question)| {
                let answer = last.answers.get(&key)?;
                (!answer.is_empty() && answer.problems(&question.answer, lists).is_empty())
                    .then(|| (key, answer.clone()))
            }),
    )
}

/// The client's last record of `instrument_id` among `records`: the latest by its day (`day_of`,
/// e.g. the visit date), then by when it was made.
pub fn last_of<'a, D: Ord>(
    records: &'a [Record],
    instrument_id: &str,
    day_of: impl Fn(&Record) -> D,
) -> Option<&'a Record> {
    records
        .iter()
        .filter(|r| r.instrument.id == instrument_id)
        .max_by_key(|r| (day_of(r), r.created_at, r.id))
}

#[cfg(test)]
mod tests;
