//! Case tables for the compatibility check, the diff and the move of a draft.

use super::super::diff::{Difference, diff};
use super::super::{compat, moving};
use super::{instrument, q, single};
use crate::answer::Answer;
use crate::ids::{ClientId, RecordId};
use crate::instrument::{Instrument, Lists};
use crate::record::Record;

#[test]
fn the_compatibility_check_refuses_what_would_change_a_stored_answer_and_says_what_to_do() {
    let lists = Lists::new();
    let text = r#"{"type": "text", "lines": 3}"#;
    let yes_no = single(&[("yes", "はい"), ("no", "いいえ")]);
    let v1 = format!("{},\n{}", q("a", text), q("b", &yes_no));
    // (v2's questions, a words the refusal must hold; "" = compatible)
    let cases: Vec<(String, &str)> = vec![
        // Free: labels, order, help, new questions and options, removals.
        (format!("{},\n{}", q("b", &yes_no), q("a", text)), ""),
        (
            format!(
                "{},\n{}",
                q("a", text).replace("aの問い", "新しい言葉"),
                q("b", &yes_no)
            ),
            "",
        ),
        (
            format!(
                "{},\n{},\n{}",
                q("a", text),
                q("b", &yes_no),
                q("c", r#"{"type": "date"}"#)
            ),
            "",
        ),
        (
            format!(
                "{},\n{}",
                q("a", text),
                q(
                    "b",
                    &single(&[("yes", "はい"), ("no", "いいえ"), ("maybe", "たぶん")])
                )
            ),
            "",
        ),
        (
            format!(
                "{},\n{}",
                q("a", text),
                q("b", &single(&[("yes", "そう思う"), ("no", "いいえ")]))
            ),
            "",
        ),
        (q("a", text), ""),
        (
            format!("{},\n{}", q("a", text), q("b", &single(&[("yes", "はい")]))),
            "",
        ),
        (
            format!(
                "{},\n{}",
                q("a", r#"{"type": "text", "lines": 5}"#),
                q("b", &yes_no)
            ),
            "",
        ),
        // Refused.
        (
            format!("{},\n{}", q("a", r#"{"type": "date"}"#), q("b", &yes_no)),
            "s.a: the answer type changes from text to date",
        ),
        (
            format!(
                "{},\n{}",
                q("a", r#"{"type": "text", "lines": 1}"#),
                q("b", &yes_no)
            ),
            "s.a: the answer gets 1 lines where it had 3",
        ),
    ];
    for (v2, expected) in cases {
        let problems = compat::check(&[instrument(1, &v1)], &instrument(2, &v2), &lists);
        if expected.is_empty() {
            assert!(problems.is_empty(), "{v2}: {problems:#?}");
        } else {
            let words: Vec<String> = problems.iter().map(ToString::to_string).collect();
            assert!(
                words.iter().any(|w| w.contains(expected)),
                "{expected:?} in {words:#?}"
            );
            assert!(
                problems.iter().all(|p| !p.fix.is_empty()),
                "every refusal says what to change"
            );
        }
    }
}

#[test]
fn a_removed_id_or_value_stays_reserved_across_every_later_version() {
    let lists = Lists::new();
    let v1 = instrument(
        1,
        &format!(
            "{},\n{}",
            q("a", r#"{"type": "date"}"#),
            q("b", &single(&[("yes", "はい"), ("no", "いいえ")]))
        ),
    );
    // v2 removes question a and option no.
    let v2 = instrument(2, &q("b", &single(&[("yes", "はい")])));
    assert!(compat::check(std::slice::from_ref(&v1), &v2, &lists).is_empty());
    let history = [v1, v2];
    for (v3, expected) in [
        (
            format!(
                "{},\n{}",
                q("a", r#"{"type": "date"}"#),
                q("b", &single(&[("yes", "はい")]))
            ),
            "s.a: this question id was removed after version 1",
        ),
        (
            q("b", &single(&[("yes", "はい"), ("no", "分からない")])),
            "option value \"no\" was removed in an earlier version (it meant 「いいえ」)",
        ),
        (
            q("b", &single(&[("yes", "はい"), ("unsure", "分からない")])),
            "",
        ),
    ] {
        let problems = compat::check(&history, &instrument(3, &v3), &lists);
        let words: Vec<String> = problems.iter().map(ToString::to_string).collect();
        if expected.is_empty() {
            assert!(words.is_empty(), "{words:#?}");
        } else {
            assert!(
                words.iter().any(|w| w.contains(expected)),
                "{expected:?} in {words:#?}"
            );
        }
    }
}

#[test]
fn limits_under_given_answers_never_tighten() {
    let lists = Lists::new();
    let multi = r#"{"type": "multi", "options": [{"id": "a", "label": {"ja": "あ", "en": "A"}}], "exclusive": [{"id": "none", "label": {"ja": "ない", "en": "None"}}]}"#;
    let table = r#"{"type": "table", "rows": 3, "columns": [{"id": "c", "label": {"ja": "列", "en": "C"}}, {"id": "d", "label": {"ja": "列2", "en": "D"}, "options": [{"id": "x", "label": {"ja": "x", "en": "x"}}]}]}"#;
    let v1 = instrument(
        1,
        &format!(
            "{},\n{},\n{}",
            q("n", r#"{"type": "number", "min": 0, "max": 10}"#),
            q("m", multi),
            q("t", table)
        ),
    );
    for (from, to, expected) in [
        (
            r#""min": 0, "max": 10"#,
            r#""min": 1, "max": 10"#,
            "s.n: the range narrows",
        ),
        (
            r#""min": 0, "max": 10"#,
            r#""max": 9"#,
            "s.n: the range narrows",
        ),
        (r#""min": 0, "max": 10"#, r#""min": -5"#, ""),
        (
            r#""rows": 3"#,
            r#""rows": 2"#,
            "s.t: the table gets 2 rows where it had 3",
        ),
        (r#""rows": 3"#, r#""rows": 4"#, ""),
        (
            r#"{"id": "c", "label": {"ja": "列", "en": "C"}}"#,
            r#"{"id": "c", "label": {"ja": "列", "en": "C"}, "options": [{"id": "y", "label": {"ja": "y", "en": "y"}}]}"#,
            "column c changes between free text and a choice",
        ),
        (
            r#""exclusive":[{"id":"none""#,
            r#""exclusive":[{"id":"a","label":{"ja":"あ","en":"A"}},{"id":"none""#,
            "option \"a\" would now stand alone",
        ),
        (
            "\"type\": \"multi\"",
            "\"type\": \"single\"",
            "answer type changes from multi to single",
        ),
    ] {
        let v2: Instrument = serde_json::from_str(
            &serde_json::to_string(&v1)
                .unwrap()
                .replacen("\"version\":1", "\"version\":2", 1)
                .replace(
                    &from.replace(": ", ":").replace(", ", ","),
                    &to.replace(": ", ":").replace(", ", ","),
                ),
        )
        .unwrap();
        assert_ne!(
            v2,
            {
                let mut same = v1.clone();
                same.version = 2;
                same
            },
            "the case changes something: {to}"
        );
        let words: Vec<String> = compat::check(std::slice::from_ref(&v1), &v2, &lists)
            .iter()
            .map(ToString::to_string)
            .collect();
        if expected.is_empty() {
            assert!(words.is_empty(), "{to}: {words:#?}");
        } else {
            assert!(
                words.iter().any(|w| w.contains(expected)),
                "{expected:?} in {words:#?}"
            );
        }
    }
}

#[test]
fn the_version_number_and_kind_must_follow_the_published_ones() {
    let lists = Lists::new();
    let v1 = instrument(1, &q("a", r#"{"type": "date"}"#));
    let again = instrument(1, &q("a", r#"{"type": "date"}"#));
    let words: Vec<String> = compat::check(std::slice::from_ref(&v1), &again, &lists)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        words.iter().any(|w| w.contains("number this version 2")),
        "{words:#?}"
    );
    let mut note = instrument(2, &q("a", r#"{"type": "date"}"#));
    note.kind = crate::instrument::RecordKind::VisitNote;
    assert!(
        compat::check(std::slice::from_ref(&v1), &note, &lists)
            .iter()
            .any(|p| p.place == "kind")
    );
    // Another edition is another instrument: no earlier versions to follow.
    let mut edition = instrument(1, &q("a", r#"{"type": "text", "lines": 1}"#));
    edition.edition = "2".into();
    assert!(compat::check(&[v1], &edition, &lists).is_empty());
}

#[test]
fn the_diff_names_every_added_removed_and_changed_question_and_option() {
    let lists = Lists::new();
    let v1 = instrument(
        1,
        &format!(
            "{},\n{},\n{}",
            q("a", r#"{"type": "date"}"#),
            q("b", &single(&[("yes", "はい"), ("no", "いいえ")])),
            q("c", r#"{"type": "time"}"#)
        ),
    );
    let v2 = instrument(
        2,
        &format!(
            "{},\n{},\n{}",
            q("b", &single(&[("yes", "そう"), ("maybe", "たぶん")]))
                .replace("bの問い", "bの新しい問い"),
            q("a", r#"{"type": "date"}"#),
            q("d", r#"{"type": "time"}"#)
        ),
    );
    let words: Vec<String> = diff(&v1, &v2, &lists)
        .iter()
        .map(ToString::to_string)
        .collect();
    for expected in [
        "sheet s: questions reordered",
        "s.b reworded: 「bの問い」 → 「bの新しい問い」",
        "s.b: option yes: 「はい」 → 「そう」",
        "s.b: option maybe added: 「たぶん」",
        "s.b: option no removed: 「いいえ」 (its value stays reserved)",
        "s.d added: 「dの問い」",
        "s.c removed: 「cの問い」 (its id stays reserved)",
    ] {
        assert!(
            words.contains(&expected.to_owned()),
            "{expected:?} in {words:#?}"
        );
    }
    assert_eq!(words.len(), 7, "{words:#?}");
    assert!(diff(&v1, &v1, &lists).is_empty());
    assert!(diff(&v1, &v2, &lists).iter().any(Difference::removes));
}

#[test]
fn a_draft_moves_only_when_every_answer_fits_the_newer_version() {
    let lists = Lists::new();
    let v1 = instrument(
        1,
        &format!(
            "{},\n{}",
            q("a", r#"{"type": "text", "lines": 2}"#),
            q("b", &single(&[("yes", "はい"), ("no", "いいえ")]))
        ),
    );
    let v2 = instrument(
        2,
        &format!(
            "{},\n{}",
            q("a", r#"{"type": "text", "lines": 2}"#),
            q("b", &single(&[("yes", "はい")]))
        ),
    );
    let mut record = Record::new(
        RecordId(uuid::Uuid::from_u128(1)),
        ClientId(uuid::Uuid::from_u128(2)),
        &v1,
        10,
    );
    record.set_answer(
        "s.a",
        Some(Answer::Text {
            lines: vec!["元気".into()],
        }),
        11,
    );
    let moved = moving::move_to(&record, &v2, &lists, 12).unwrap();
    assert_eq!(
        (moved.instrument.version, &moved.answers),
        (2, &record.answers)
    );

    record.set_answer(
        "s.b",
        Some(Answer::Single {
            choice: "no".into(),
            other: String::new(),
        }),
        13,
    );
    let problems = moving::move_to(&record, &v2, &lists, 14).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].field, "s.b");
    assert!(
        problems[0]
            .problem
            .contains("unknown option \"no\" under version 2"),
        "{problems:?}"
    );
    assert!(problems[0].problem.contains("keep the record on version 1"));

    let mut complete = record.clone();
    complete.answers.remove("s.b");
    complete.status = crate::record::Status::Complete;
    assert!(
        moving::problems(&complete, &v2, &lists)[0]
            .problem
            .contains("only a draft")
    );
    assert!(
        moving::problems(&record, &v1, &lists)[0]
            .problem
            .contains("not newer")
    );
}
