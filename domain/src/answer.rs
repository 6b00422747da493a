//! Answers, and what makes an answer valid for its question.
//!
//! The forms never build an invalid answer (choosing ない clears the other signs, for example),
//! but answers also arrive from storage, imports and other devices, so every one is checked
//! against its question before it is trusted.

use crate::date::{Date, TimeOfDay};
use crate::instrument::{AnswerKind, Choice, Lists, OTHER};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    chosen.sort_by_key(|c| order.iter().position(|o| o == c).unwrap_or(usize::MAX));
    (chosen, other)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::{Column, Options};
    use crate::text::Text;

    fn t(s: &str) -> Text {
        Text {
            ja: s.into(),
            en: s.into(),
            ruby: None,
        }
    }

    fn choice(id: &str) -> Choice {
        Choice {
            id: id.into(),
            label: t(id),
        }
    }

    fn signs() -> AnswerKind {
        AnswerKind::Multi {
            options: Options::Inline {
                options: vec![choice("sleepy"), choice("yawning")],
            },
            other: true,
            exclusive: vec![choice("none"), choice("unknown")],
        }
    }

    fn multi(choices: &[&str], other: &str) -> Answer {
        Answer::Multi {
            choices: choices.iter().map(|c| c.to_string()).collect(),
            other: other.into(),
        }
    }

    #[test]
    fn multiple_choice_answers_are_checked_case_by_case() {
        use AnswerProblem::*;
        for (answer, expected) in [
            (multi(&["sleepy", "yawning"], ""), vec![]),
            (multi(&["none"], ""), vec![]),
            (multi(&["sleepy", "other"], "肩が重い"), vec![]),
            (
                multi(&["none", "sleepy"], ""),
                vec![NotAlone("none".into())],
            ),
            (
                multi(&["sleepy", "unknown"], ""),
                vec![NotAlone("unknown".into())],
            ),
            (
                multi(&["sleepy", "sleepy"], ""),
                vec![Duplicate("sleepy".into())],
            ),
            (multi(&["dizzy"], ""), vec![UnknownOption("dizzy".into())]),
            (multi(&["other"], " "), vec![OtherEmpty]),
            (multi(&["sleepy"], "肩が重い"), vec![OtherNotChosen]),
            (Answer::Text { lines: vec![] }, vec![WrongKind]),
        ] {
            assert_eq!(
                answer.problems(&signs(), &Lists::new()),
                expected,
                "{answer:?}"
            );
        }
    }

    #[test]
    fn single_choice_text_number_and_time_answers_are_checked_case_by_case() {
        use AnswerProblem::*;
        let single = AnswerKind::Single {
            options: Options::Inline {
                options: vec![choice("endure")],
            },
            other: false,
        };
        let text = AnswerKind::Text {
            lines: 3,
            style: Default::default(),
        };
        let number = AnswerKind::Number {
            min: Some(1),
            max: Some(99),
        };
        let lines = |n: usize| Answer::Text {
            lines: vec!["x".into(); n],
        };
        for (kind, answer, expected) in [
            (
                &single,
                Answer::Single {
                    choice: "endure".into(),
                    other: "".into(),
                },
                vec![],
            ),
            (
                &single,
                Answer::Single {
                    choice: "rest".into(),
                    other: "".into(),
                },
                vec![UnknownOption("rest".into())],
            ),
            (
                &single,
                Answer::Single {
                    choice: "other".into(),
                    other: "x".into(),
                },
                vec![UnknownOption("other".into())],
            ),
            (&text, lines(3), vec![]),
            (
                &text,
                lines(4),
                vec![TooManyLines {
                    given: 4,
                    allowed: 3,
                }],
            ),
            (&number, Answer::Number { value: 1 }, vec![]),
            (
                &number,
                Answer::Number { value: 0 },
                vec![OutOfRange {
                    value: 0,
                    min: Some(1),
                    max: Some(99),
                }],
            ),
            (
                &AnswerKind::Time,
                Answer::Time {
                    value: "09:30".into(),
                },
                vec![],
            ),
            (
                &AnswerKind::Time,
                Answer::Time {
                    value: "25:00".into(),
                },
                vec![BadTime("25:00".into())],
            ),
        ] {
            assert_eq!(answer.problems(kind, &Lists::new()), expected, "{answer:?}");
        }
    }

    #[test]
    fn table_cells_must_name_real_columns_and_real_options() {
        use AnswerProblem::*;
        let kind = AnswerKind::Table {
            columns: vec![
                Column {
                    id: "task".into(),
                    label: t("task"),
                    options: vec![],
                },
                Column {
                    id: "prompt".into(),
                    label: t("prompt"),
                    options: vec![choice("verbal")],
                },
            ],
            rows: 2,
            row_labels: vec![],
            example: None,
        };
        let row = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        for (rows, expected) in [
            (
                vec![row(&[("task", "袋詰め"), ("prompt", "verbal")])],
                vec![],
            ),
            (vec![row(&[("task", "袋詰め"), ("prompt", "")])], vec![]),
            (
                vec![row(&[("prompt", "shouting")])],
                vec![UnknownOption("shouting".into())],
            ),
            (
                vec![row(&[("mood", "x")])],
                vec![UnknownColumn("mood".into())],
            ),
            (
                vec![row(&[]), row(&[]), row(&[])],
                vec![TooManyRows {
                    given: 3,
                    allowed: 2,
                }],
            ),
        ] {
            assert_eq!(
                Answer::Table { rows }.problems(&kind, &Lists::new()),
                expected
            );
        }
    }

    #[test]
    fn toggling_keeps_exclusive_options_alone_and_the_definition_order() {
        let exclusive = [choice("none"), choice("unknown")];
        let order = ["sleepy", "yawning", "other", "none", "unknown"];
        let toggle = |choices: &[&str], other: &str, id: &str| {
            let choices: Vec<String> = choices.iter().map(|c| c.to_string()).collect();
            toggle_choice(&choices, other, id, &exclusive, &order)
        };
        let s = |v: &[&str]| v.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            toggle(&["yawning"], "", "sleepy"),
            (s(&["sleepy", "yawning"]), "".into())
        );
        assert_eq!(
            toggle(&["sleepy", "yawning"], "", "none"),
            (s(&["none"]), "".into())
        );
        assert_eq!(toggle(&["none"], "", "sleepy"), (s(&["sleepy"]), "".into()));
        assert_eq!(
            toggle(&["none"], "", "unknown"),
            (s(&["unknown"]), "".into())
        );
        assert_eq!(
            toggle(&["sleepy", "other"], "肩", "other"),
            (s(&["sleepy"]), "".into())
        );
        assert_eq!(toggle(&["sleepy"], "", "sleepy"), (s(&[]), "".into()));
        for (choices, other, id) in [
            (&["sleepy", "other"][..], "肩", "none"),
            (&["yawning"][..], "", "unknown"),
        ] {
            let (chosen, words) = toggle(choices, other, id);
            let answer = Answer::Multi {
                choices: chosen,
                other: words,
            };
            assert_eq!(
                answer.problems(&signs(), &Lists::new()),
                vec![],
                "toggling never makes an invalid answer"
            );
        }
    }

    #[test]
    fn empty_answers_are_recognised() {
        assert!(
            Answer::Text {
                lines: vec![" ".into(), "".into()]
            }
            .is_empty()
        );
        assert!(
            !Answer::Text {
                lines: vec!["".into(), "x".into()]
            }
            .is_empty()
        );
        assert!(multi(&[], "").is_empty());
        assert!(
            Answer::Table {
                rows: vec![BTreeMap::from([("a".into(), " ".into())])]
            }
            .is_empty()
        );
    }
}
