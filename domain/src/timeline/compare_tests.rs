//! Case tables for comparing two records keyed by question id across versions of a test
//! instrument `t`: a question renamed in label only, an option added, a question removed in the
//! next version and one added.

use super::compare::{CompareProblem, Line, Side, compare};
use crate::catalogue::Catalogue;
use crate::export::Lang;
use crate::ids::{ClientId, RecordId};
use crate::record::Record;
use serde_json::json;

/// Version 1 asks mood (good, tired), a note and hours; version 2 renames mood (label only),
/// adds the option "ok", drops hours and adds a day.
const V1: &str = r#"{"format": 1, "id": "t", "edition": "1", "version": 1, "kind": "assessment",
  "title": {"ja": "テスト", "en": "Test"},
  "sheets": [{"id": "s", "title": {"ja": "シート", "en": "Sheet"}, "questions": [
    {"id": "mood", "number": "(1)", "prompt": {"ja": "気分", "en": "Mood"}, "answer": {"type": "single",
      "options": [{"id": "good", "label": {"ja": "よい", "en": "Good"}},
                  {"id": "tired", "label": {"ja": "疲れた", "en": "Tired"}}]}},
    {"id": "note", "prompt": {"ja": "メモ", "en": "Note"}, "answer": {"type": "text", "lines": 3}},
    {"id": "hours", "prompt": {"ja": "睡眠時間", "en": "Hours slept"}, "answer": {"type": "number"}}
  ]}]}"#;

const V2: &str = r#"{"format": 1, "id": "t", "edition": "1", "version": 2, "kind": "assessment",
  "title": {"ja": "テスト", "en": "Test"},
  "sheets": [{"id": "s", "title": {"ja": "シート", "en": "Sheet"}, "questions": [
    {"id": "mood", "number": "(1)", "prompt": {"ja": "今日の気分", "en": "Mood today"}, "answer": {"type": "single",
      "options": [{"id": "good", "label": {"ja": "よい", "en": "Good"}},
                  {"id": "ok", "label": {"ja": "まあまあ", "en": "So-so"}},
                  {"id": "tired", "label": {"ja": "疲れた", "en": "Tired"}}]}},
    {"id": "note", "prompt": {"ja": "メモ", "en": "Note"}, "answer": {"type": "text", "lines": 3}},
    {"id": "day", "prompt": {"ja": "次の面談日", "en": "Next meeting"}, "answer": {"type": "date"}}
  ]}]}"#;

fn catalogue() -> Catalogue {
    Catalogue::parse(&[("t-1.json", V1), ("t-2.json", V2)], &[]).unwrap()
}

fn record(n: u8, version: u32, answers: serde_json::Value) -> Record {
    let catalogue = catalogue();
    let definition = catalogue
        .instruments
        .iter()
        .find(|i| i.version == version)
        .unwrap();
    let mut r = Record::new(
        RecordId::new_v7(n as u64, [n; 10]),
        ClientId::new_v7(1, [9; 10]),
        definition,
        n as i64,
    );
    for (key, answer) in answers.as_object().unwrap() {
        r.answers
            .insert(key.clone(), serde_json::from_value(answer.clone()).unwrap());
    }
    r
}

fn single(id: &str) -> serde_json::Value {
    json!({"type": "single", "choice": id})
}

fn text(lines: &[&str]) -> serde_json::Value {
    json!({"type": "text", "lines": lines})
}

fn said(s: &str) -> Side {
    Side::Answered(s.to_owned())
}

/// (key, wording shown, earlier, later, changed, in one version only)
type Expected = Vec<(&'static str, &'static str, Side, Side, bool, bool)>;

fn read(lines: &[Line]) -> Expected {
    lines
        .iter()
        .map(|l| {
            let key: &'static str = Box::leak(l.key.clone().into_boxed_str());
            let prompt: &'static str = Box::leak(l.prompt.ja.clone().into_boxed_str());
            (
                key,
                prompt,
                l.earlier.clone(),
                l.later.clone(),
                l.changed,
                l.in_one_version_only(),
            )
        })
        .collect()
}

#[test]
fn two_records_line_up_by_question_id_across_versions() {
    use Side::{NotAnswered, NotInVersion};
    let v1 = record(
        1,
        1,
        json!({"s.mood": single("tired"), "s.note": text(&["よく眠れた", "", ""]), "s.hours": {"type": "number", "value": 6}}),
    );
    let v1_same = record(
        2,
        1,
        json!({"s.mood": single("tired"), "s.note": text(&["よく眠れた"])}),
    );
    let v2 = record(
        3,
        2,
        json!({"s.mood": single("ok"), "s.note": text(&["よく眠れた", ""]), "s.day": {"type": "date", "value": "2026-02-01"}}),
    );
    let cases: Vec<(&str, &Record, &Record, Expected)> = vec![
        (
            "v1 with v2: renamed, option added, removed, added",
            &v1,
            &v2,
            vec![
                (
                    "s.mood",
                    "今日の気分",
                    said("疲れた"),
                    said("まあまあ"),
                    true,
                    false,
                ),
                (
                    "s.note",
                    "メモ",
                    said("よく眠れた"),
                    said("よく眠れた"),
                    false,
                    false,
                ),
                ("s.hours", "睡眠時間", said("6"), NotInVersion, false, true),
                (
                    "s.day",
                    "次の面談日",
                    NotInVersion,
                    said("2026-02-01"),
                    false,
                    true,
                ),
            ],
        ),
        (
            "two of v1: the newest wording, unused lines are no change, an answer taken away is",
            &v1,
            &v1_same,
            vec![
                (
                    "s.mood",
                    "今日の気分",
                    said("疲れた"),
                    said("疲れた"),
                    false,
                    false,
                ),
                (
                    "s.note",
                    "メモ",
                    said("よく眠れた"),
                    said("よく眠れた"),
                    false,
                    false,
                ),
                ("s.hours", "睡眠時間", said("6"), NotAnswered, true, false),
            ],
        ),
        (
            "v2 with v1 (the later made with the older version)",
            &v2,
            &v1_same,
            vec![
                (
                    "s.mood",
                    "今日の気分",
                    said("まあまあ"),
                    said("疲れた"),
                    true,
                    false,
                ),
                (
                    "s.note",
                    "メモ",
                    said("よく眠れた"),
                    said("よく眠れた"),
                    false,
                    false,
                ),
                (
                    "s.day",
                    "次の面談日",
                    said("2026-02-01"),
                    NotInVersion,
                    false,
                    true,
                ),
                (
                    "s.hours",
                    "睡眠時間",
                    NotInVersion,
                    NotAnswered,
                    false,
                    true,
                ),
            ],
        ),
    ];
    let catalogue = catalogue();
    for (name, earlier, later, expected) in cases {
        let lines = compare(&catalogue, earlier, later, Lang::Ja).unwrap();
        assert_eq!(read(&lines), expected, "{name}");
    }
}

#[test]
fn answers_are_worded_in_the_language_asked() {
    let v2 = record(3, 2, json!({"s.mood": single("ok")}));
    let v1 = record(1, 1, json!({"s.mood": single("good")}));
    let lines = compare(&catalogue(), &v1, &v2, Lang::En).unwrap();
    assert_eq!(lines[0].earlier, said("Good"));
    assert_eq!(lines[0].later, said("So-so"));
    assert_eq!(lines[0].prompt.en, "Mood today");
}

#[test]
fn records_of_different_instruments_are_not_compared() {
    let builtin = Catalogue::builtin().unwrap();
    let msfas = builtin.latest("msfas").unwrap();
    let other = Record::new(
        RecordId::new_v7(9, [9; 10]),
        ClientId::new_v7(1, [9; 10]),
        msfas,
        9,
    );
    assert_eq!(
        compare(&catalogue(), &record(1, 1, json!({})), &other, Lang::Ja),
        Err(CompareProblem::DifferentInstruments)
    );
}

#[test]
fn the_timeline_shows_any_instrument_with_its_first_short_answers() {
    use crate::timeline::{Fact, RecordFacts, Summary, timeline};
    let catalogue = catalogue();
    // (answers, the keys shown): the 3-line note is not a key value; the unanswered are skipped.
    let cases = [
        (
            json!({"s.mood": single("ok"), "s.note": text(&["a"]), "s.day": {"type": "date", "value": "2026-02-01"}}),
            vec!["s.mood", "s.day"],
        ),
        (
            json!({"s.day": {"type": "date", "value": "2026-02-01"}}),
            vec!["s.day"],
        ),
        (json!({}), vec![]),
    ];
    for (answers, keys) in cases {
        let r = record(3, 2, answers.clone());
        let rows = timeline(&[RecordFacts::settled(&r)], &catalogue, 0);
        let Summary::Other { values } = &rows[0].summary else {
            panic!("{:?}", rows[0].summary)
        };
        let shown: Vec<&str> = values.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(shown, keys, "{answers}");
        assert!(values.iter().all(|(_, v)| matches!(v, Fact::Known(_))));
    }
}
