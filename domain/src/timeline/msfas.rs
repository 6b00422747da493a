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
fn entries(answer: &Answer) -> Option<u32> {
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
    let by_id: BTreeMap<RecordId, &RecordFacts> = records.iter().map(|r| (r.id, r)).collect();
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
    named.sort_by_key(|s| rank(s));
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
