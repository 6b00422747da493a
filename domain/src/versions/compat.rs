//! The compatibility check between a new version of an instrument and the versions before it.
//!
//! Records, reports and charts key on question ids (`sheet.question`) and option values, across
//! every version of one instrument. So a new version may change labels, help, order, and add
//! questions and options; but a question id never changes its answer type, a removed question's
//! id and a removed option's value are never used again, and no limit tightens under an answer
//! already given (a number's range, a text's lines, a table's rows, whether an option stands
//! alone). Together these make every answer valid under version N valid under N+1, unless the
//! question, option or column it uses was removed (which [`super::diff`] lists and
//! [`super::moving`] names before a draft moves).

use crate::instrument::{AnswerKind, Choice, Instrument, Lists, OTHER};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One reason a version cannot be published after the ones before it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incompatibility {
    /// The question (`sheet.question`), option or field it is about.
    pub place: String,
    pub problem: String,
    /// What to change in the new definition.
    pub fix: String,
}

impl std::fmt::Display for Incompatibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}; {}", self.place, self.problem, self.fix)
    }
}

/// Every reason `new` cannot follow `earlier` (the versions of the same instrument and edition
/// already published or retired; others are ignored). None when it can, or when it is the first.
pub fn check(earlier: &[Instrument], new: &Instrument, lists: &Lists) -> Vec<Incompatibility> {
    let mut earlier: Vec<&Instrument> = earlier
        .iter()
        .filter(|i| i.id == new.id && i.edition == new.edition)
        .collect();
    crate::order::sort_by_key(&mut earlier, |i| i.version);
    let Some(newest) = earlier.last().copied() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut note = |place: &str, problem: String, fix: String| {
        out.push(Incompatibility {
            place: place.to_owned(),
            problem,
            fix,
        })
    };
    if new.version <= newest.version {
        note(
            "version",
            format!(
                "is {}, but version {} is already published",
                new.version, newest.version
            ),
            format!("number this version {}", newest.version + 1),
        );
    }
    if new.kind != newest.kind {
        note(
            "kind",
            format!("changes from {:?} to {:?}", newest.kind, new.kind),
            "a new version keeps the kind of record it makes: make a new instrument (a new id) instead".into(),
        );
    }
    for (key, _, question) in new.questions() {
        let Some(old) = newest.question(&key) else {
            if let Some(gone) = earlier.iter().rev().find(|i| i.question(&key).is_some()) {
                note(
                    &key,
                    format!(
                        "this question id was removed after version {}, and a removed id stays reserved",
                        gone.version
                    ),
                    format!("give the new question another id than {key:?}"),
                );
            }
            continue;
        };
        let had: Vec<&AnswerKind> = earlier
            .iter()
            .filter_map(|i| i.question(&key).map(|q| &q.answer))
            .collect();
        for (problem, fix) in kind_problems(&old.answer, &question.answer, &had, lists) {
            note(&key, problem, fix);
        }
    }
    out
}

/// The answer type's name, as the definition writes it.
pub(crate) fn type_name(kind: &AnswerKind) -> &'static str {
    match kind {
        AnswerKind::Date => "date",
        AnswerKind::Time => "time",
        AnswerKind::Number { .. } => "number",
        AnswerKind::Text { .. } => "text",
        AnswerKind::Single { .. } => "single",
        AnswerKind::Multi { .. } => "multi",
        AnswerKind::Table { .. } => "table",
    }
}

/// The option values of a choice question (its exclusive ones too), in order.
pub(crate) fn option_ids<'a>(kind: &'a AnswerKind, lists: &'a Lists) -> Vec<&'a Choice> {
    match kind {
        AnswerKind::Single { options, .. } => {
            options.resolve(lists).into_iter().flatten().collect()
        }
        AnswerKind::Multi {
            options, exclusive, ..
        } => options
            .resolve(lists)
            .into_iter()
            .flatten()
            .chain(exclusive)
            .collect(),
        _ => Vec::new(),
    }
}

fn kind_problems(
    old: &AnswerKind,
    new: &AnswerKind,
    had: &[&AnswerKind],
    lists: &Lists,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if type_name(old) != type_name(new) {
        out.push((
            format!(
                "the answer type changes from {} to {}, and a question id keeps its answer type for ever",
                type_name(old),
                type_name(new)
            ),
            "keep the type, or remove this question and add one with a new id".into(),
        ));
        return out;
    }
    match (old, new) {
        (
            AnswerKind::Number { min, max },
            AnswerKind::Number {
                min: new_min,
                max: new_max,
            },
        ) => {
            let narrower_min = new_min.is_some_and(|n| min.is_none_or(|o| n > o));
            let narrower_max = new_max.is_some_and(|n| max.is_none_or(|o| n < o));
            if narrower_min || narrower_max {
                out.push((
                    format!(
                        "the range narrows from {min:?}..={max:?} to {new_min:?}..={new_max:?}, and a number already given may fall outside it"
                    ),
                    "keep the range or widen it".into(),
                ));
            }
        }
        (
            AnswerKind::Text { lines, .. },
            AnswerKind::Text {
                lines: new_lines, ..
            },
        ) if new_lines < lines => {
            out.push((
                format!(
                    "the answer gets {new_lines} lines where it had {lines}, and a longer answer may be given already"
                ),
                format!("keep at least {lines} lines"),
            ));
        }
        (
            AnswerKind::Table { columns, rows, .. },
            AnswerKind::Table {
                columns: new_columns,
                rows: new_rows,
                ..
            },
        ) => {
            if new_rows < rows {
                out.push((
                    format!("the table gets {new_rows} rows where it had {rows}, and rows may be filled already"),
                    format!("keep at least {rows} rows"),
                ));
            }
            let ever: BTreeSet<&str> = crate::order::set_of(had.iter().flat_map(|k| match k {
                AnswerKind::Table { columns, .. } => {
                    columns.iter().map(|c| c.id.as_str()).collect()
                }
                _ => Vec::new(),
            }));
            for column in new_columns {
                let place = format!("column {}", column.id);
                match columns.iter().find(|c| c.id == column.id) {
                    None if ever.contains(column.id.as_str()) => out.push((
                        format!("{place} was removed in an earlier version, and a removed column id stays reserved"),
                        format!("give the new column another id than {:?}", column.id),
                    )),
                    None => {}
                    Some(old_column) => {
                        if old_column.options.is_empty() != column.options.is_empty() {
                            out.push((
                                format!("{place} changes between free text and a choice"),
                                "keep the column as it is, or add a new column with a new id".into(),
                            ));
                            continue;
                        }
                        let ever_options: Vec<&Choice> = had
                            .iter()
                            .flat_map(|k| match k {
                                AnswerKind::Table { columns, .. } => columns
                                    .iter()
                                    .filter(|c| c.id == column.id)
                                    .flat_map(|c| &c.options)
                                    .collect(),
                                _ => Vec::new(),
                            })
                            .collect();
                        let now: Vec<&Choice> = old_column.options.iter().collect();
                        out.extend(reused(&ever_options, &now, &column.options.iter().collect::<Vec<_>>(), &place));
                    }
                }
            }
        }
        (
            AnswerKind::Multi { exclusive, .. },
            AnswerKind::Multi {
                exclusive: new_exclusive,
                ..
            },
        ) => {
            let now: Vec<&Choice> = option_ids(old, lists);
            for choice in option_ids(new, lists) {
                if !now.iter().any(|c| c.id == choice.id) {
                    continue;
                }
                let was = exclusive.iter().any(|c| c.id == choice.id);
                let is = new_exclusive.iter().any(|c| c.id == choice.id);
                if was != is {
                    out.push((
                        format!(
                            "option {:?} {} stand alone, and answers already given rely on it",
                            choice.id,
                            if is { "would now" } else { "would no longer" }
                        ),
                        "keep whether it stands alone, or remove it and add an option with a new value".into(),
                    ));
                }
            }
        }
        _ => {}
    }
    if matches!(new, AnswerKind::Single { .. } | AnswerKind::Multi { .. }) {
        let ever: Vec<&Choice> = had.iter().flat_map(|k| option_ids(k, lists)).collect();
        out.extend(reused(
            &ever,
            &option_ids(old, lists),
            &option_ids(new, lists),
            "option",
        ));
    }
    out
}

/// The options of `new` that were in an earlier version (`ever`) but not in the newest (`now`):
/// a removed value that comes back, perhaps with another meaning.
fn reused(
    ever: &[&Choice],
    now: &[&Choice],
    new: &[&Choice],
    place: &str,
) -> Vec<(String, String)> {
    new.iter()
        .filter(|c| c.id != OTHER && !now.iter().any(|n| n.id == c.id))
        .filter_map(|c| ever.iter().find(|e| e.id == c.id).map(|old| (c, old)))
        .map(|(c, old)| {
            (
                format!(
                    "{place} value {:?} was removed in an earlier version (it meant 「{}」), and a removed value is never used again",
                    c.id, old.label.ja
                ),
                format!("give 「{}」 a new value, not {:?}", c.label.ja, c.id),
            )
        })
        .collect()
}
