//! Case tables for what carries over to a follow-up record.

use super::*;
use crate::catalogue::Catalogue;
use crate::ids::{ClientId, RecordId};
use crate::instrument::InstrumentRef;

fn text(s: &str) -> Answer {
    Answer::Text {
        lines: vec![s.into()],
    }
}

fn single(s: &str) -> Answer {
    Answer::Single {
        choice: s.into(),
        other: String::new(),
    }
}

fn record(instrument: &Instrument, answers: &[(&str, Answer)]) -> Record {
    let mut record = Record::new(
        RecordId::new_v7(1, [1; 10]),
        ClientId::new_v7(1, [2; 10]),
        instrument,
        1,
    );
    for (key, answer) in answers {
        record.set_answer(key, Some(answer.clone()), 2);
    }
    record
}

#[test]
fn the_visit_note_carries_exactly_its_marked_answers() {
    let catalogue = Catalogue::builtin().unwrap();
    let note = catalogue.latest("visit-note").unwrap();
    // Why these (VISIT_NOTES.md): the workplace and the coaches on the case stay the same from
    // visit to visit; the phase lasts until the coach moves it on; the planned number of visits
    // is the plan's; the purpose is usually a goal of the support plan. Everything observed,
    // done, agreed or dated belongs to one visit only.
    assert_eq!(
        carried_keys(note),
        [
            "visit.workplace",
            "visit.staff",
            "visit.phase",
            "visit.visits_planned",
            "purpose.purpose"
        ]
    );
    let signs = Answer::Multi {
        choices: vec!["sleepy".into()],
        other: String::new(),
    };
    let last = record(
        note,
        &[
            (
                "visit.date",
                Answer::Date {
                    value: "2026-11-02".parse().unwrap(),
                },
            ),
            (
                "visit.start_time",
                Answer::Time {
                    value: "10:00".into(),
                },
            ),
            ("visit.workplace", text("〇〇物流 倉庫")),
            ("visit.staff", text("佐藤")),
            ("visit.mode", single("visit")),
            ("visit.phase", single("transition")),
            ("visit.visit_number", Answer::Number { value: 7 }),
            ("visit.visits_planned", Answer::Number { value: 12 }),
            ("purpose.purpose", text("ピッキングの正確さ")),
            ("observations.signs", signs),
            ("comments.client", text("疲れた")),
            (
                "next.next_visit",
                Answer::Date {
                    value: "2026-11-09".parse().unwrap(),
                },
            ),
        ],
    );
    let carried = carry_from(note, &catalogue.lists, &last);
    assert_eq!(
        carried.into_iter().collect::<Vec<_>>(),
        [
            ("purpose.purpose".to_owned(), text("ピッキングの正確さ")),
            ("visit.phase".to_owned(), single("transition")),
            ("visit.staff".to_owned(), text("佐藤")),
            (
                "visit.visits_planned".to_owned(),
                Answer::Number { value: 12 }
            ),
            ("visit.workplace".to_owned(), text("〇〇物流 倉庫")),
        ]
    );
}

#[test]
fn msfas_carries_nothing_its_answers_are_asked_afresh() {
    let catalogue = Catalogue::builtin().unwrap();
    let msfas = catalogue.latest("msfas").unwrap();
    assert!(carried_keys(msfas).is_empty());
    let last = record(
        msfas,
        &[
            (
                "cover.consent_date",
                Answer::Date {
                    value: "2026-04-01".parse().unwrap(),
                },
            ),
            ("user1.q3", single("endure")),
            ("user1.q2", text("レジ")),
        ],
    );
    assert!(carry_from(msfas, &catalogue.lists, &last).is_empty());
}

#[test]
fn what_is_not_carried() {
    let catalogue = Catalogue::builtin().unwrap();
    let note = catalogue.latest("visit-note").unwrap();
    let msfas = catalogue.latest("msfas").unwrap();
    // (case, last record) → nothing carried.
    let mut older = record(note, &[("visit.phase", single("intensive"))]);
    older.instrument = InstrumentRef {
        id: "visit-note".into(),
        edition: "2025".into(),
        version: 1,
    };
    let cases: Vec<(&str, Record, Vec<&str>)> = vec![
        (
            "another instrument",
            record(msfas, &[("user1.q2", text("x"))]),
            vec![],
        ),
        (
            // An answer no longer valid for the new question (an option it dropped).
            "invalid for the new definition",
            record(note, &[("visit.phase", single("gone_phase"))]),
            vec![],
        ),
        (
            "an empty answer",
            record(note, &[("visit.workplace", text(""))]),
            vec![],
        ),
        (
            // A field in conflict is left out of a `Record`: nothing to carry, never one side.
            "in conflict (absent from the record)",
            record(note, &[("visit.mode", single("visit"))]),
            vec![],
        ),
        // Another edition of the same instrument: the ids match, so it carries.
        ("an older edition", older, vec!["visit.phase"]),
    ];
    for (case, last, expected) in cases {
        let carried = carry_from(note, &catalogue.lists, &last);
        assert_eq!(
            carried.keys().map(String::as_str).collect::<Vec<_>>(),
            expected,
            "{case}"
        );
    }
}

#[test]
fn the_check_refuses_carry_where_an_answer_must_be_asked_afresh() {
    let catalogue = Catalogue::builtin().unwrap();
    let definition = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut json: serde_json::Value =
            serde_json::to_value(catalogue.latest("visit-note").unwrap()).unwrap();
        edit(&mut json);
        let instrument: Instrument = serde_json::from_value(json).unwrap();
        instrument.check(&catalogue.lists)
    };
    let set = |sheet: usize, question: usize| {
        move |json: &mut serde_json::Value| {
            json["sheets"][sheet]["questions"][question]["carry"] = true.into();
        }
    };
    // (case, sheet index, question index, a word the problem must contain; "" for none)
    for (case, sheet, question, problem) in [
        ("the visit date", 0, 0, "VisitDate"),
        ("the start time", 0, 1, "StartTime"),
        ("the observed signs", 3, 2, "msfas-signs"),
        ("the end time may carry", 0, 2, ""),
        ("the mode may carry", 0, 5, ""),
    ] {
        let problems = definition(&set(sheet, question));
        if problem.is_empty() {
            assert!(problems.is_empty(), "{case}: {problems:?}");
        } else {
            assert_eq!(problems.len(), 1, "{case}: {problems:?}");
            assert!(problems[0].contains(problem), "{case}: {problems:?}");
        }
    }
    // MSFAS: the consent date dates the assessment; the signs are the person's now.
    let msfas = |key: (usize, usize)| {
        let mut json = serde_json::to_value(catalogue.latest("msfas").unwrap()).unwrap();
        json["sheets"][key.0]["questions"][key.1]["carry"] = true.into();
        serde_json::from_value::<Instrument>(json)
            .unwrap()
            .check(&catalogue.lists)
    };
    assert!(msfas((0, 0))[0].contains("ConsentDate"));
    assert!(msfas((0, 1))[0].contains("ClientName"));
    assert!(msfas((1, 3))[0].contains("msfas-signs"));
}

#[test]
fn the_format_stays_backward_compatible() {
    let catalogue = Catalogue::builtin().unwrap();
    let msfas = catalogue.latest("msfas").unwrap();
    // A definition without "carry" reads as before, and writes no "carry".
    let json = serde_json::to_string(msfas).unwrap();
    assert!(!json.contains("carry"));
    let back: Instrument = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, msfas);
    // "carry": false is the same as no "carry".
    let mut value = serde_json::to_value(msfas).unwrap();
    value["sheets"][1]["questions"][1]["carry"] = false.into();
    assert_eq!(&serde_json::from_value::<Instrument>(value).unwrap(), msfas);
}

#[test]
fn the_last_record_is_the_latest_by_its_day_then_by_when_it_was_made() {
    let catalogue = Catalogue::builtin().unwrap();
    let note = catalogue.latest("visit-note").unwrap();
    let msfas = catalogue.latest("msfas").unwrap();
    let make = |n: u8, instrument: &Instrument, day: &str, created: i64| {
        let mut r = record(instrument, &[]);
        r.id = RecordId::new_v7(created as u64, [n; 10]);
        r.created_at = created;
        r.set_answer(
            "visit.date",
            Some(Answer::Date {
                value: day.parse().unwrap(),
            }),
            created,
        );
        r
    };
    // Made later but about an earlier visit (written up afterwards): not the last.
    let records = vec![
        make(1, note, "2026-11-10", 10),
        make(2, note, "2026-11-03", 20),
        make(3, msfas, "2026-12-01", 30),
        make(4, note, "2026-11-10", 5),
    ];
    let day = |r: &Record| match r.answers.get("visit.date") {
        Some(Answer::Date { value }) => Some(*value),
        _ => None,
    };
    assert_eq!(
        last_of(&records, "visit-note", day).map(|r| r.created_at),
        Some(10)
    );
    assert_eq!(
        last_of(&records, "msfas", day).map(|r| r.created_at),
        Some(30)
    );
    assert_eq!(last_of(&records, "other", day).map(|r| r.created_at), None);
}
