//! MSFAS over time: which signs appeared in which assessment (the sign grid), how many entries
//! each part of the sheet holds (counts per category), and what the person does when tired
//! (coping, question (3)), assessment by assessment in date order.
//!
//! The categories are the sheet's own questions, not groups of signs: MSFAS 2006 prints its 28
//! signs as one list, and grouping them would be inventing (MSFAS.md).

use super::{Fact, RecordFacts, Row, Summary, map_fact, timeline};
use crate::answer::Answer;
use crate::catalogue::Catalogue;
use crate::date::Date;
use crate::ids::RecordId;
use crate::instrument::{AnswerKind, OTHER};
use crate::record::AnsweredBy;
use std::collections::BTreeMap;

use super::facts::entries;
pub use super::facts::{
    BUFFERS, CATEGORIES, COPING, Category, MSFAS, NO_SIGN, SIGNS, SITUATIONS, TIRING, counts,
};

/// One assessment, a column of the grid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub record: RecordId,
    pub day: Fact<Date>,
    pub placed_on: Option<Date>,
    pub draft: bool,
    pub answered_by: Fact<AnsweredBy>,
}

/// Whether a sign was chosen in one assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Yes,
    No,
    /// The answer is in conflict and its values disagree on this sign (or one side cleared it).
    Conflict,
    /// (4) is not answered.
    NotAnswered,
}

/// One sign (an option id of (4): a shared sign, `other`, `none` or `unknown`) over time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignRow {
    pub sign: String,
    pub marks: Vec<Mark>,
    /// In how many assessments it was chosen.
    pub times: u32,
}

/// MSFAS over time, one column per assessment, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub columns: Vec<Column>,
    /// Every sign chosen (or in conflict) at least once, in the sheet's order.
    pub signs: Vec<SignRow>,
    /// Per category, one count per column.
    pub counts: Vec<(Category, Vec<Fact<u32>>)>,
    /// (3)'s option id per column.
    pub coping: Vec<Fact<String>>,
}

fn mark(answer: &Fact<Answer>, sign: &str) -> Mark {
    let has = |a: &Answer| matches!(a, Answer::Multi { choices, .. } if choices.iter().any(|c| c == sign));
    match answer {
        Fact::Unset => Mark::NotAnswered,
        Fact::Known(a) if has(a) => Mark::Yes,
        Fact::Known(_) => Mark::No,
        Fact::Conflict(values) => {
            let yes = values.iter().filter(|a| has(a)).count();
            match (values.len() >= 2, yes) {
                (true, 0) => Mark::No,
                (true, n) if n == values.len() => Mark::Yes,
                _ => Mark::Conflict,
            }
        }
    }
}

/// The option ids of (4) in the order of the newest MSFAS definition: the shared signs, その他,
/// then the answers that stand alone.
fn sheet_order(catalogue: &Catalogue) -> Vec<String> {
    let Some(question) = catalogue.latest(MSFAS).and_then(|i| i.question(SIGNS)) else {
        return Vec::new();
    };
    let AnswerKind::Multi {
        options, exclusive, ..
    } = &question.answer
    else {
        return Vec::new();
    };
    let mut order: Vec<String> = options
        .resolve(&catalogue.lists)
        .into_iter()
        .flatten()
        .map(|c| c.id.clone())
        .collect();
    order.push(OTHER.to_owned());
    order.extend(exclusive.iter().map(|c| c.id.clone()));
    order
}

/// The client's MSFAS assessments over time, from all their records.
pub fn progress(records: &[RecordFacts], catalogue: &Catalogue, offset_minutes: i32) -> Progress {
    let by_id: BTreeMap<RecordId, &RecordFacts> =
        crate::order::map_of(records.iter().map(|r| (r.id, r)));
    let rows = timeline(records, catalogue, offset_minutes);
    let mut assessments: Vec<(&Row, &RecordFacts)> = Vec::new();
    for row in &rows {
        if let (Summary::Assessment { .. }, Some(facts)) = (&row.summary, by_id.get(&row.record)) {
            assessments.push((row, facts));
        }
    }
    let columns = assessments
        .iter()
        .map(|(row, facts)| Column {
            record: row.record,
            day: row.day.clone(),
            placed_on: row.placed_on,
            draft: row.draft,
            answered_by: facts.answered_by.clone(),
        })
        .collect();
    let answers: Vec<Fact<Answer>> = assessments.iter().map(|(_, f)| f.answer(SIGNS)).collect();
    // Every sign any value names, in the sheet's order, then any this build does not know.
    let mut named: Vec<String> = Vec::new();
    for answer in &answers {
        let values: Vec<&Answer> = match answer {
            Fact::Known(a) => vec![a],
            Fact::Conflict(vs) => vs.iter().collect(),
            Fact::Unset => vec![],
        };
        for value in values {
            if let Answer::Multi { choices, .. } = value {
                for c in choices {
                    if !named.contains(c) {
                        named.push(c.clone());
                    }
                }
            }
        }
    }
    let order = sheet_order(catalogue);
    let rank = |s: &String| order.iter().position(|o| o == s).unwrap_or(usize::MAX);
    crate::order::sort_by_key(&mut named, |s| rank(s));
    let signs = named
        .into_iter()
        .map(|sign| {
            let marks: Vec<Mark> = answers.iter().map(|a| mark(a, &sign)).collect();
            let times = marks.iter().filter(|m| **m == Mark::Yes).count() as u32;
            SignRow { sign, marks, times }
        })
        .collect();
    let counts = CATEGORIES
        .iter()
        .map(|c| {
            let per_column = assessments
                .iter()
                .map(|(_, f)| map_fact(&f.answer(c.key()), entries))
                .collect();
            (*c, per_column)
        })
        .collect();
    let coping = assessments
        .iter()
        .map(|(_, f)| {
            map_fact(&f.answer(COPING), |a| match a {
                Answer::Single { choice, .. } => Some(choice.clone()),
                _ => None,
            })
        })
        .collect();
    Progress {
        columns,
        signs,
        counts,
        coping,
    }
}

impl Progress {
    /// The newest `n` assessments only (all if there are no more): the columns, counts and coping
    /// cut to them, and the sign grid drawn again from them (a sign none of them chose is left
    /// out; each sign's times counted over them), so every table matches the columns it shows.
    pub fn latest(&self, n: usize) -> Progress {
        let skip = self.columns.len().saturating_sub(n);
        let tail = |v: &[Fact<u32>]| v[skip..].to_vec();
        let signs = self
            .signs
            .iter()
            .filter_map(|row| {
                let marks = row.marks[skip..].to_vec();
                marks
                    .iter()
                    .any(|m| matches!(m, Mark::Yes | Mark::Conflict))
                    .then(|| SignRow {
                        sign: row.sign.clone(),
                        times: marks.iter().filter(|m| **m == Mark::Yes).count() as u32,
                        marks,
                    })
            })
            .collect();
        Progress {
            columns: self.columns[skip..].to_vec(),
            signs,
            counts: self.counts.iter().map(|(c, v)| (*c, tail(v))).collect(),
            coping: self.coping[skip..].to_vec(),
        }
    }
}
