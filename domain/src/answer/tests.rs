//! `answer`'s tests: what each kind of answer accepts and refuses, and its frozen shape.

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
