//! Moving a draft record to a newer version of its instrument: never done silently (a draft
//! keeps the version it was started with), only when its person asks, and only when every
//! answer it holds is a valid answer under the newer version.

use crate::instrument::{Instrument, Lists};
use crate::record::{Record, Status};
use serde::Serialize;

/// Whether any record valid under `from` is valid under `to`, whatever it holds: the same
/// instrument and edition, a later version, and nothing removed in between. Published versions
/// passed the compatibility check, which then makes every answer fit (the property test in
/// `versions/tests/proptests.rs`); so the server accepts such a move without reading the
/// record's answers, and a device offers only such moves.
pub fn may_move(from: &Instrument, to: &Instrument, lists: &Lists) -> bool {
    from.id == to.id
        && from.edition == to.edition
        && to.version > from.version
        && !super::diff::diff(from, to, lists)
            .iter()
            .any(super::diff::Difference::removes)
}

/// Why one answer of a draft cannot move as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MoveProblem {
    /// The answer's field key, `sheet.question`.
    pub field: String,
    pub problem: String,
}

impl std::fmt::Display for MoveProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

/// Every answer of `record` that is not valid under `to`, in words; none when it can move.
/// A completed record, another instrument, or an older version never moves.
pub fn problems(record: &Record, to: &Instrument, lists: &Lists) -> Vec<MoveProblem> {
    let whole = |problem: String| {
        vec![MoveProblem {
            field: String::new(),
            problem,
        }]
    };
    if record.status != Status::Draft {
        return whole(
            "only a draft moves to a newer version; a completed record keeps its version".into(),
        );
    }
    if record.instrument.id != to.id || record.instrument.edition != to.edition {
        return whole(format!(
            "the record is of {} {}, not {} {}",
            record.instrument.id, record.instrument.edition, to.id, to.edition
        ));
    }
    if to.version <= record.instrument.version {
        return whole(format!(
            "version {} is not newer than the record's version {}",
            to.version, record.instrument.version
        ));
    }
    let mut out = Vec::new();
    for (field, answer) in &record.answers {
        match to.question(field) {
            None => out.push(MoveProblem {
                field: field.clone(),
                problem: format!(
                    "version {} no longer has this question: clear this answer first, or keep the record on version {}",
                    to.version, record.instrument.version
                ),
            }),
            Some(question) => out.extend(answer.problems(&question.answer, lists).into_iter().map(
                |problem| MoveProblem {
                    field: field.clone(),
                    problem: format!(
                        "{problem} under version {}: change this answer first, or keep the record on version {}",
                        to.version, record.instrument.version
                    ),
                },
            )),
        }
    }
    out
}

/// The draft moved to `to`, every answer kept; or why it cannot move.
pub fn move_to(
    record: &Record,
    to: &Instrument,
    lists: &Lists,
    now: i64,
) -> Result<Record, Vec<MoveProblem>> {
    let problems = problems(record, to, lists);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut moved = record.clone();
    moved.instrument = to.reference();
    moved.updated_at = now;
    Ok(moved)
}
