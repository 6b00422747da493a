//! Two records of one instrument side by side, keyed by question id (`sheet.question`) across
//! its versions: a question renamed in a later version is still one line, an answer is worded by
//! the version it was given under (an option added later has its label), and a question that
//! one record's version does not have is said to be missing from that version, never shown as
//! unanswered or as a change.

use crate::answer::Answer;
use crate::catalogue::Catalogue;
use crate::export::{Lang, answer_text};
use crate::instrument::{Instrument, InstrumentRef, Question};
use crate::record::Record;
use crate::text::Text;
use std::collections::BTreeMap;

/// One record's side of a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Side {
    /// The version this record was made with has no such question.
    NotInVersion,
    NotAnswered,
    /// The answer in words (labels, not ids; lines joined by newlines).
    Answered(String),
}

/// One question of the comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub key: String,
    /// The number and wording of the newest version that has the question.
    pub number: Option<String>,
    pub prompt: Text,
    pub earlier: Side,
    pub later: Side,
    /// Both versions ask it and the answers differ (an answer given or taken away included).
    pub changed: bool,
}

impl Line {
    /// Only one of the two records' versions asks it.
    pub fn in_one_version_only(&self) -> bool {
        (self.earlier == Side::NotInVersion) != (self.later == Side::NotInVersion)
    }
}

/// Why two records cannot be compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompareProblem {
    /// They answer different instruments.
    DifferentInstruments,
}

/// Every version of `id` this device holds, newest first.
fn versions<'a>(catalogue: &'a Catalogue, id: &str) -> Vec<&'a Instrument> {
    let mut all: Vec<&Instrument> = catalogue
        .instruments
        .iter()
        .filter(|i| i.id == id)
        .collect();
    crate::order::sort_by(&mut all, |a, b| {
        (&b.edition, b.version).cmp(&(&a.edition, a.version))
    });
    all
}

/// The question keys of a record's version, in order; the newest version's when the device does
/// not hold the record's own (it never drops one a record uses, but an old backup may).
fn keys_of(own: Option<&Instrument>, newest: Option<&Instrument>) -> Vec<String> {
    own.or(newest)
        .map(|i| i.questions().map(|(key, _, _)| key).collect())
        .unwrap_or_default()
}

/// The keys of both, the later record's order first, each question only the earlier one's
/// version has put after the question it follows there.
fn union(later: Vec<String>, earlier: Vec<String>) -> Vec<String> {
    let mut keys = later;
    let mut after: Option<usize> = None;
    for key in earlier {
        if let Some(i) = keys.iter().position(|k| *k == key) {
            after = Some(i);
        } else {
            let at = after.map_or(0, |i| i + 1);
            keys.insert(at, key);
            after = Some(at);
        }
    }
    keys
}

/// An answer with what is not content taken away (unused text lines, empty table rows), `None`
/// if nothing is left: what "the same answer" compares.
fn content(answer: Option<&Answer>) -> Option<Answer> {
    match answer? {
        Answer::Text { lines } => {
            let used = lines.iter().rposition(|l| !l.trim().is_empty())? + 1;
            Some(Answer::Text {
                lines: lines[..used].to_vec(),
            })
        }
        Answer::Table { rows } => {
            let filled =
                |row: &BTreeMap<String, String>| row.values().any(|c| !c.trim().is_empty());
            let used = rows.iter().rposition(filled)? + 1;
            Some(Answer::Table {
                rows: rows[..used].to_vec(),
            })
        }
        other => Some(other.clone()),
    }
}

/// `earlier` and `later` (records of one instrument, any versions of it), question by question.
pub fn compare(
    catalogue: &Catalogue,
    earlier: &Record,
    later: &Record,
    lang: Lang,
) -> Result<Vec<Line>, CompareProblem> {
    if earlier.instrument.id != later.instrument.id {
        return Err(CompareProblem::DifferentInstruments);
    }
    let all = versions(catalogue, &later.instrument.id);
    let newest = all.first().copied();
    let own = |r: &InstrumentRef| catalogue.get(r);
    let (earlier_def, later_def) = (own(&earlier.instrument), own(&later.instrument));
    let keys = union(keys_of(later_def, newest), keys_of(earlier_def, newest));
    let side = |record: &Record, def: Option<&Instrument>, key: &str, asked: &Question| {
        let question = match def {
            Some(def) => match def.question(key) {
                Some(q) => q,
                None => return Side::NotInVersion,
            },
            None => asked,
        };
        match content(record.answers.get(key)) {
            None => Side::NotAnswered,
            Some(answer) => Side::Answered(answer_text(
                &answer,
                &question.answer,
                &catalogue.lists,
                lang,
            )),
        }
    };
    Ok(keys
        .into_iter()
        .filter_map(|key| {
            let asked = all.iter().find_map(|i| i.question(&key))?;
            let earlier_side = side(earlier, earlier_def, &key, asked);
            let later_side = side(later, later_def, &key, asked);
            let both = earlier_side != Side::NotInVersion && later_side != Side::NotInVersion;
            let changed =
                both && content(earlier.answers.get(&key)) != content(later.answers.get(&key));
            Some(Line {
                number: asked.number.clone(),
                prompt: asked.prompt.clone(),
                key,
                earlier: earlier_side,
                later: later_side,
                changed,
            })
        })
        .collect())
}
