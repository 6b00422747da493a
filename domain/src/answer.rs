//! Answers, and what makes an answer valid for its question.
//!
//! The forms never build an invalid answer (choosing ない clears the other signs, for example),
//! but answers also arrive from storage, imports and other devices, so every one is checked
//! against its question before it is trusted.

use crate::date::{Date, TimeOfDay};
use crate::instrument::{AnswerKind, Choice, Lists, OTHER};
use serde::Serialize;
use std::collections::BTreeMap;

/// Read without serde's buffering (`answer_read.rs`); written as derived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Answer {
    Date {
        value: Date,
    },
    Time {
        value: String,
    },
    Number {
        value: i64,
    },
    Text {
        lines: Vec<String>,
    },
    /// `choice` is an option id, or `"other"` with the words in `other`.
    Single {
        choice: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        other: String,
    },
    /// `choices` in the definition's order; `"other"` among them with the words in `other`.
    Multi {
        choices: Vec<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        other: String,
    },
    /// One map per row, column id → cell text (or option id for a choice column).
    Table {
        rows: Vec<BTreeMap<String, String>>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerProblem {
    #[error("this answer is of another kind than the question asks")]
    WrongKind,
    #[error("not a time of day (HH:MM): {0:?}")]
    BadTime(String),
    #[error("{value} is outside {min:?}..={max:?}")]
    OutOfRange {
        value: i64,
        min: Option<i64>,
        max: Option<i64>,
    },
    #[error("{given} lines where the question has {allowed}")]
    TooManyLines { given: usize, allowed: u8 },
    #[error("unknown option {0:?}")]
    UnknownOption(String),
    #[error("option {0:?} is chosen twice")]
    Duplicate(String),
    #[error("{0:?} stands alone: it cannot be chosen with other options")]
    NotAlone(String),
    #[error("\"other\" is chosen but not written")]
    OtherEmpty,
    #[error("words for \"other\" are given but \"other\" is not chosen")]
    OtherNotChosen,
    #[error("{given} rows where the table has {allowed}")]
    TooManyRows { given: usize, allowed: u8 },
    #[error("the table has no column {0:?}")]
    UnknownColumn(String),
}

fn known(choices: &[Choice], id: &str) -> bool {
    choices.iter().any(|c| c.id == id)
}

impl Answer {
    /// Whether nothing has been given (an empty answer is removed rather than stored).
    pub fn is_empty(&self) -> bool {
        match self {
            Answer::Date { .. }
            | Answer::Time { .. }
            | Answer::Number { .. }
            | Answer::Single { .. } => false,
            Answer::Text { lines } => lines.iter().all(|l| l.trim().is_empty()),
            Answer::Multi { choices, other } => choices.is_empty() && other.trim().is_empty(),
            Answer::Table { rows } => rows
                .iter()
                .all(|row| row.values().all(|cell| cell.trim().is_empty())),
        }
    }

    /// Every problem of this answer for a question of `kind`.
    pub fn problems(&self, kind: &AnswerKind, lists: &Lists) -> Vec<AnswerProblem> {
        let mut problems = Vec::new();
        match (kind, self) {
            (AnswerKind::Date, Answer::Date { .. }) => {}
            (AnswerKind::Time, Answer::Time { value }) => {
                if value.parse::<TimeOfDay>().is_err() {
                    problems.push(AnswerProblem::BadTime(value.clone()));
                }
            }
            (AnswerKind::Number { min, max }, Answer::Number { value }) => {
                if min.is_some_and(|min| *value < min) || max.is_some_and(|max| *value > max) {
                    problems.push(AnswerProblem::OutOfRange {
                        value: *value,
                        min: *min,
                        max: *max,
                    });
                }
            }
            (AnswerKind::Text { lines: allowed, .. }, Answer::Text { lines }) => {
                if lines.len() > usize::from(*allowed) {
                    problems.push(AnswerProblem::TooManyLines {
                        given: lines.len(),
                        allowed: *allowed,
                    });
                }
            }
            (
                AnswerKind::Single {
                    options,
                    other: allows_other,
                },
                Answer::Single { choice, other },
            ) => {
                let options = options
                    .resolve(lists)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                check_other(choice == OTHER, *allows_other, other, &mut problems);
                if choice != OTHER && !known(options, choice) {
                    problems.push(AnswerProblem::UnknownOption(choice.clone()));
                }
            }
            (
                AnswerKind::Multi {
                    options,
                    other: allows_other,
                    exclusive,
                },
                Answer::Multi { choices, other },
            ) => {
                let options = options
                    .resolve(lists)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                for (i, choice) in choices.iter().enumerate() {
                    if choices[..i].contains(choice) {
                        problems.push(AnswerProblem::Duplicate(choice.clone()));
                    } else if choice != OTHER
                        && !known(options, choice)
                        && !known(exclusive, choice)
                    {
                        problems.push(AnswerProblem::UnknownOption(choice.clone()));
                    }
                    if known(exclusive, choice) && choices.len() > 1 {
                        problems.push(AnswerProblem::NotAlone(choice.clone()));
                    }
                }
                check_other(
                    choices.iter().any(|c| c == OTHER),
                    *allows_other,
                    other,
                    &mut problems,
                );
            }
            (
                AnswerKind::Table {
                    columns,
                    rows: allowed,
                    ..
                },
                Answer::Table { rows },
            ) => {
                if rows.len() > usize::from(*allowed) {
                    problems.push(AnswerProblem::TooManyRows {
                        given: rows.len(),
                        allowed: *allowed,
                    });
                }
                for row in rows {
                    for (column_id, value) in row {
                        match columns.iter().find(|c| &c.id == column_id) {
                            None => problems.push(AnswerProblem::UnknownColumn(column_id.clone())),
                            Some(column)
                                if !column.options.is_empty()
                                    && !value.is_empty()
                                    && !known(&column.options, value) =>
                            {
                                problems.push(AnswerProblem::UnknownOption(value.clone()));
                            }
                            Some(_) => {}
                        }
                    }
                }
            }
            _ => problems.push(AnswerProblem::WrongKind),
        }
        problems
    }
}

fn check_other(chosen: bool, allowed: bool, words: &str, problems: &mut Vec<AnswerProblem>) {
    if chosen && !allowed {
        problems.push(AnswerProblem::UnknownOption(OTHER.into()));
    } else if chosen && words.trim().is_empty() {
        problems.push(AnswerProblem::OtherEmpty);
    } else if !chosen && !words.trim().is_empty() {
        problems.push(AnswerProblem::OtherNotChosen);
    }
}

/// Toggles `id` in a multiple choice the way the form does: an exclusive option (ない,
/// 分からない) clears every other choice, and any other choice clears the exclusive ones.
/// Leaving "other" clears its words too, so nothing hidden stays in the answer.
pub fn toggle_choice(
    choices: &[String],
    other: &str,
    id: &str,
    exclusive: &[Choice],
    order: &[&str],
) -> (Vec<String>, String) {
    let mut chosen: Vec<String> = choices.to_vec();
    let mut other = other.to_owned();
    if let Some(at) = chosen.iter().position(|c| c == id) {
        chosen.remove(at);
    } else if known(exclusive, id) {
        chosen = vec![id.to_owned()];
    } else {
        chosen.retain(|c| !known(exclusive, c));
        chosen.push(id.to_owned());
    }
    if !chosen.iter().any(|c| c == OTHER) {
        other.clear();
    }
    // Keep the definition's order, so two answers with the same choices are equal.
    crate::order::sort_by_key(&mut chosen, |c| {
        order.iter().position(|o| o == c).unwrap_or(usize::MAX)
    });
    (chosen, other)
}

#[cfg(test)]
mod tests;
