//! The property the compatibility check exists for: any record valid under version N stays
//! valid under N+1 when the check passed, but for answers that use a question, option or column
//! N+1 removed (which the diff lists, and a draft's move names).

use super::super::diff::diff;
use super::super::{compat, moving};
use crate::answer::Answer;
use crate::ids::{ClientId, RecordId};
use crate::instrument::{AnswerKind, Choice, Column, Instrument, Lists, OTHER, Options, Question};
use crate::record::Record;
use crate::text::Text;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn text(s: &str) -> Text {
    Text {
        ja: format!("{s}の言葉"),
        en: s.to_owned(),
        ruby: None,
    }
}

fn choices(prefix: &str, n: u8) -> Vec<Choice> {
    (0..n)
        .map(|i| Choice {
            id: format!("{prefix}{i}"),
            label: text(&format!("{prefix}{i}")),
        })
        .collect()
}

/// One answer kind, from a few small numbers.
fn kind() -> impl Strategy<Value = AnswerKind> {
    prop_oneof![
        Just(AnswerKind::Date),
        Just(AnswerKind::Time),
        (proptest::option::of(-5i64..5), 0i64..10).prop_map(|(min, span)| AnswerKind::Number {
            min,
            max: Some(min.unwrap_or(0) + span),
        }),
        (1u8..4).prop_map(|lines| AnswerKind::Text {
            lines,
            style: Default::default()
        }),
        (1u8..5, any::<bool>()).prop_map(|(n, other)| AnswerKind::Single {
            options: Options::Inline {
                options: choices("o", n)
            },
            other,
        }),
        (1u8..5, 0u8..3, any::<bool>()).prop_map(|(n, x, other)| AnswerKind::Multi {
            options: Options::Inline {
                options: choices("o", n)
            },
            other,
            exclusive: choices("x", x),
        }),
        (1u8..4, 1u8..4).prop_map(|(free, rows)| AnswerKind::Table {
            columns: (0..free)
                .map(|i| Column {
                    id: format!("c{i}"),
                    label: text(&format!("c{i}")),
                    options: if i == 0 { choices("v", 2) } else { Vec::new() },
                })
                .collect(),
            rows,
            row_labels: Vec::new(),
            example: None,
        }),
    ]
}

fn base() -> impl Strategy<Value = Instrument> {
    proptest::collection::vec(kind(), 1..6).prop_map(|kinds| {
        let mut instrument = super::instrument(
            1,
            r#"{"id": "q0", "prompt": {"ja": "あ", "en": "a"}, "answer": {"type": "date"}}"#,
        );
        instrument.sheets[0].questions = kinds
            .into_iter()
            .enumerate()
            .map(|(i, answer)| Question {
                id: format!("q{i}"),
                number: None,
                prompt: text(&format!("q{i}")),
                hint: None,
                plain: None,
                answer,
                role: None,
                carry: false,
            })
            .collect();
        instrument
    })
}

/// One edit an administrator might make, compatible or not.
#[derive(Clone, Debug)]
enum Edit {
    Relabel(usize),
    Swap(usize, usize),
    Add(AnswerKind),
    Remove(usize),
    Retype(usize, AnswerKind),
    AddOption(usize),
    RemoveOption(usize, usize),
    ReuseOption(usize),
    ToggleOther(usize),
    ToggleExclusive(usize, usize),
    Bounds(usize, i64, i64),
    Lines(usize, i8),
    Rows(usize, i8),
    RemoveColumn(usize, usize),
    ColumnOptions(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let i = 0usize..8;
    prop_oneof![
        i.clone().prop_map(Edit::Relabel),
        (i.clone(), i.clone()).prop_map(|(a, b)| Edit::Swap(a, b)),
        kind().prop_map(Edit::Add),
        i.clone().prop_map(Edit::Remove),
        (i.clone(), kind()).prop_map(|(a, k)| Edit::Retype(a, k)),
        i.clone().prop_map(Edit::AddOption),
        (i.clone(), 0usize..6).prop_map(|(a, b)| Edit::RemoveOption(a, b)),
        i.clone().prop_map(Edit::ReuseOption),
        i.clone().prop_map(Edit::ToggleOther),
        (i.clone(), 0usize..6).prop_map(|(a, b)| Edit::ToggleExclusive(a, b)),
        (i.clone(), -2i64..3, -2i64..3).prop_map(|(a, b, c)| Edit::Bounds(a, b, c)),
        (i.clone(), -1i8..2).prop_map(|(a, b)| Edit::Lines(a, b)),
        (i.clone(), -1i8..2).prop_map(|(a, b)| Edit::Rows(a, b)),
        (i.clone(), 0usize..3).prop_map(|(a, b)| Edit::RemoveColumn(a, b)),
        (i, 0usize..3).prop_map(|(a, b)| Edit::ColumnOptions(a, b)),
    ]
}

fn apply(instrument: &mut Instrument, edit: Edit, serial: usize) {
    let questions = &mut instrument.sheets[0].questions;
    let n = questions.len();
    if n == 0 {
        return;
    }
    let at = |i: usize| i % n;
    match edit {
        Edit::Relabel(i) => questions[at(i)].prompt = text("relabelled"),
        Edit::Swap(a, b) => questions.swap(at(a), at(b)),
        Edit::Add(answer) => questions.push(Question {
            id: format!("new{serial}"),
            number: None,
            prompt: text("new"),
            hint: None,
            plain: None,
            answer,
            role: None,
            carry: false,
        }),
        Edit::Remove(i) if n > 1 => {
            questions.remove(at(i));
        }
        Edit::Remove(_) => {}
        Edit::Retype(i, kind) => questions[at(i)].answer = kind,
        Edit::Bounds(i, lo, hi) => {
            if let AnswerKind::Number { min, max } = &mut questions[at(i)].answer {
                *min = min.map(|m| m + lo);
                *max = max.map(|m| m + hi).max(*min);
            }
        }
        Edit::Lines(i, d) => {
            if let AnswerKind::Text { lines, .. } = &mut questions[at(i)].answer {
                *lines = lines.saturating_add_signed(d).max(1);
            }
        }
        Edit::Rows(i, d) => {
            if let AnswerKind::Table { rows, .. } = &mut questions[at(i)].answer {
                *rows = rows.saturating_add_signed(d).max(1);
            }
        }
        Edit::RemoveColumn(i, c) => {
            if let AnswerKind::Table { columns, .. } = &mut questions[at(i)].answer
                && columns.len() > 1
            {
                columns.remove(c % columns.len());
            }
        }
        Edit::ColumnOptions(i, c) => {
            if let AnswerKind::Table { columns, .. } = &mut questions[at(i)].answer {
                let len = columns.len();
                let column = &mut columns[c % len];
                if column.options.is_empty() {
                    column.options = choices("w", 2);
                } else {
                    column.options.pop();
                }
            }
        }
        Edit::ToggleOther(i) => match &mut questions[at(i)].answer {
            AnswerKind::Single { other, .. } | AnswerKind::Multi { other, .. } => *other = !*other,
            _ => {}
        },
        Edit::AddOption(i)
        | Edit::ReuseOption(i)
        | Edit::RemoveOption(i, _)
        | Edit::ToggleExclusive(i, _) => {
            let (options, exclusive) = match &mut questions[at(i)].answer {
                AnswerKind::Single {
                    options: Options::Inline { options },
                    ..
                } => (options, None),
                AnswerKind::Multi {
                    options: Options::Inline { options },
                    exclusive,
                    ..
                } => (options, Some(exclusive)),
                _ => return,
            };
            match edit {
                Edit::AddOption(_) => options.push(Choice {
                    id: format!("added{serial}"),
                    label: text("added"),
                }),
                // A value some edit may have removed, back with another meaning.
                Edit::ReuseOption(_) if !options.iter().any(|c| c.id == "o0") => {
                    options.push(Choice {
                        id: "o0".into(),
                        label: text("another meaning"),
                    })
                }
                Edit::RemoveOption(_, o) if options.len() > 1 => {
                    options.remove(o % options.len());
                }
                Edit::ToggleExclusive(_, o) => {
                    if let Some(exclusive) = exclusive {
                        if options.len() > 1 {
                            let choice = options.remove(o % options.len());
                            exclusive.push(choice);
                        } else if let Some(choice) = exclusive.pop() {
                            options.push(choice);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// A valid answer to a question of `kind`, picked by `seed`.
fn answer(kind: &AnswerKind, seed: &[u8]) -> Answer {
    let pick = |i: usize| usize::from(seed[i % seed.len()]);
    match kind {
        AnswerKind::Date => Answer::Date {
            value: "2026-04-01".parse().unwrap(),
        },
        AnswerKind::Time => Answer::Time {
            value: "09:30".into(),
        },
        AnswerKind::Number { min, max } => {
            let (lo, hi) = (min.unwrap_or(-20), max.unwrap_or(20));
            Answer::Number {
                value: lo + (pick(0) as i64) % (hi - lo + 1),
            }
        }
        AnswerKind::Text { lines, .. } => Answer::Text {
            lines: (0..1 + pick(0) % usize::from(*lines))
                .map(|i| format!("line {i}"))
                .collect(),
        },
        AnswerKind::Single {
            options: Options::Inline { options },
            other,
        } => {
            if *other && pick(0) % 3 == 0 {
                Answer::Single {
                    choice: OTHER.into(),
                    other: "ほか".into(),
                }
            } else {
                Answer::Single {
                    choice: options[pick(1) % options.len()].id.clone(),
                    other: String::new(),
                }
            }
        }
        AnswerKind::Multi {
            options: Options::Inline { options },
            other,
            exclusive,
        } => {
            if !exclusive.is_empty() && pick(0) % 4 == 0 {
                return Answer::Multi {
                    choices: vec![exclusive[pick(1) % exclusive.len()].id.clone()],
                    other: String::new(),
                };
            }
            let mut chosen: Vec<String> = options
                .iter()
                .enumerate()
                .filter(|(i, _)| pick(i + 2) % 2 == 0)
                .map(|(_, c)| c.id.clone())
                .collect();
            let mut words = String::new();
            if *other && pick(1) % 2 == 0 {
                chosen.push(OTHER.into());
                words = "ほか".into();
            }
            Answer::Multi {
                choices: chosen,
                other: words,
            }
        }
        AnswerKind::Table { columns, rows, .. } => Answer::Table {
            rows: (0..1 + pick(0) % usize::from(*rows))
                .map(|r| {
                    columns
                        .iter()
                        .enumerate()
                        .map(|(c, column)| {
                            let cell = if column.options.is_empty() {
                                format!("cell {r}")
                            } else {
                                column.options[pick(r + c) % column.options.len()]
                                    .id
                                    .clone()
                            };
                            (column.id.clone(), cell)
                        })
                        .collect::<BTreeMap<_, _>>()
                })
                .collect(),
        },
        _ => unreachable!("the tests' options are inline"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_record_valid_under_n_stays_valid_under_n_plus_1_when_the_check_passed(
        v1 in base(),
        edits in proptest::collection::vec(edit(), 0..5),
        seeds in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..8), 8),
        answered in proptest::collection::vec(any::<bool>(), 8),
    ) {
        let lists = Lists::new();
        let mut v2 = v1.clone();
        v2.version = 2;
        for (serial, edit) in edits.into_iter().enumerate() {
            apply(&mut v2, edit, serial);
        }
        let mut record = Record::new(RecordId(uuid::Uuid::from_u128(1)), ClientId(uuid::Uuid::from_u128(2)), &v1, 0);
        for (i, (key, _, question)) in v1.questions().enumerate() {
            if answered[i % answered.len()] {
                record.set_answer(&key, Some(answer(&question.answer, &seeds[i % seeds.len()])), 1);
            }
        }
        prop_assert!(record.problems(&v1, &lists, false).is_empty(), "the generated record is valid under N");
        prop_assume!(compat::check(std::slice::from_ref(&v1), &v2, &lists).is_empty());

        let differences = diff(&v1, &v2, &lists);
        let removed = |field: &str| differences.iter().any(|d| d.removes() && d.key().is_some_and(|k| k == field || k.starts_with(&format!("{field} column "))));
        for (field, answer) in &record.answers {
            let fits = v2.question(field).is_some_and(|q| answer.problems(&q.answer, &lists).is_empty());
            prop_assert!(fits || removed(field), "{field}: {answer:?} is valid under N but not N+1, and N+1 removed nothing it uses:\n{v1:#?}\n{v2:#?}");
        }
        // The move of a draft names exactly the answers that do not fit.
        let problems = moving::problems(&record, &v2, &lists);
        let unfit: Vec<&String> = record.answers.iter().filter(|(f, a)| !v2.question(f).is_some_and(|q| a.problems(&q.answer, &lists).is_empty())).map(|(f, _)| f).collect();
        let mut named: Vec<&String> = problems.iter().map(|p| &p.field).collect();
        named.dedup();
        prop_assert_eq!(named, unfit);
    }
}
