//! Case tables for the timeline and MSFAS over time.

use super::msfas::{Category, Mark, progress};
use super::*;
use crate::ids::{ClientId, RecordId};
use crate::record::{AnsweredBy, Record, Status};
use serde_json::json;

const DAY: i64 = 86_400_000;

pub(super) fn catalogue() -> Catalogue {
    Catalogue::builtin().unwrap()
}

/// A record of `instrument` made at `made` (days since the epoch), with answers in JSON.
fn record(n: u8, instrument: &str, made: i64, answers: serde_json::Value) -> Record {
    let catalogue = catalogue();
    let definition = catalogue.latest(instrument).unwrap();
    let mut r = Record::new(
        RecordId::new_v7(made as u64, [n; 10]),
        ClientId::new_v7(1, [9; 10]),
        definition,
        made * DAY,
    );
    for (key, answer) in answers.as_object().unwrap() {
        r.answers
            .insert(key.clone(), serde_json::from_value(answer.clone()).unwrap());
    }
    r
}

pub(super) fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn signs(ids: &[&str]) -> serde_json::Value {
    json!({"type": "multi", "choices": ids})
}

pub(super) fn msfas(n: u8, made: i64, day: &str, chosen: &[&str]) -> Record {
    let mut r = record(
        n,
        "msfas",
        made,
        json!({
            "cover.consent_date": {"type": "date", "value": day},
            "user1.q4": signs(chosen),
        }),
    );
    r.status = Status::Complete;
    r.answered_by = Some(AnsweredBy::Person);
    r
}

#[test]
fn every_record_in_date_order_with_its_key_values() {
    let catalogue = catalogue();
    let note = |n, made, day: Option<&str>, mode: &str| {
        let mut answers = json!({
            "visit.mode": {"type": "single", "choice": mode},
            "visit.phase": {"type": "single", "choice": "transition"},
            "next.next_visit": {"type": "date", "value": "2026-12-01"},
        });
        if let Some(day) = day {
            answers["visit.date"] = json!({"type": "date", "value": day});
        }
        RecordFacts::settled(&record(n, "visit-note", made, answers))
    };
    let mut assessment = msfas(4, 20_400, "2026-10-20", &["sleepy", "yawning", "other"]);
    assessment.answers.insert(
        "user1.q2".into(),
        serde_json::from_value(json!({"type": "text", "lines": ["レジ", "", "品出し"]})).unwrap(),
    );
    let records = vec![
        // Written up later than it happened: placed on its visit date.
        note(1, 20_430, Some("2026-11-02"), "visit"),
        note(2, 20_410, Some("2026-11-05"), "phone"),
        // No visit date yet: placed on the day it was made (20_420 → 2025-11-28 UTC).
        note(3, 20_420, None, "online"),
        RecordFacts::settled(&assessment),
    ];
    let rows = timeline(&records, &catalogue, 0);
    let order: Vec<(u8, Option<Date>)> = rows
        .iter()
        .map(|r| {
            (
                records.iter().position(|f| f.id == r.record).unwrap() as u8,
                r.placed_on,
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            (2, Some(date("2025-11-28"))),
            (3, Some(date("2026-10-20"))),
            (0, Some(date("2026-11-02"))),
            (1, Some(date("2026-11-05"))),
        ]
    );
    assert_eq!(
        rows[2].summary,
        Summary::VisitNote {
            mode: Fact::Known("visit".into()),
            phase: Fact::Known("transition".into()),
            next_visit: Fact::Known(date("2026-12-01")),
        }
    );
    assert!(rows[2].draft, "a note never completed is a draft");
    assert!(rows.iter().all(|r| !r.in_conflict));
    assert_eq!(rows[0].day, Fact::Unset);
    assert_eq!(
        rows[1].summary,
        Summary::Assessment {
            answered_by: Fact::Known(AnsweredBy::Person),
            counts: vec![
                (Category::Signs, Fact::Known(3)),
                (Category::Situations, Fact::Unset),
                (Category::Tiring, Fact::Known(2)),
                (Category::Buffers, Fact::Unset),
            ],
        }
    );
    assert!(!rows[1].draft);
}

/// (case, fields in conflict as the replica names them, what the row must say)
type Case = (
    &'static str,
    Vec<(String, Vec<serde_json::Value>)>,
    Box<dyn Fn(&Row)>,
);

#[test]
fn conflicts_stay_conflicts_and_drafts_are_marked() {
    let catalogue = catalogue();
    let note = record(
        1,
        "visit-note",
        20_400,
        json!({"visit.mode": {"type": "single", "choice": "visit"}}),
    );
    // (case, fields in conflict as the replica names them, what the row must say)
    let two_dates = vec![
        json!({"type": "date", "value": "2026-11-09"}),
        json!({"type": "date", "value": "2026-11-03"}),
    ];
    let cases: Vec<Case> = vec![
        (
            "a visit date in conflict: placed on the earliest, both kept",
            vec![("answers.visit.date".into(), two_dates)],
            Box::new(|row: &Row| {
                assert_eq!(
                    row.day,
                    Fact::Conflict(vec![date("2026-11-09"), date("2026-11-03")])
                );
                assert_eq!(row.placed_on, Some(date("2026-11-03")));
            }),
        ),
        (
            "a mode in conflict, one side cleared: still a conflict",
            vec![(
                "answers.visit.mode".into(),
                vec![json!({"type": "single", "choice": "phone"}), json!(null)],
            )],
            Box::new(|row: &Row| match &row.summary {
                Summary::VisitNote { mode, .. } => {
                    assert_eq!(*mode, Fact::Conflict(vec!["phone".into()]))
                }
                other => panic!("{other:?}"),
            }),
        ),
        (
            "a status in conflict: shown as a draft, the conflict kept",
            vec![("status".into(), vec![json!("complete"), json!("draft")])],
            Box::new(|row: &Row| {
                assert!(row.draft);
                assert_eq!(
                    row.status,
                    Fact::Conflict(vec![Status::Complete, Status::Draft])
                );
            }),
        ),
    ];
    for (case, conflicts, check) in cases {
        let mut complete = note.clone();
        complete.status = Status::Complete;
        let rows = timeline(&[RecordFacts::new(&complete, &conflicts)], &catalogue, 0);
        assert_eq!(rows.len(), 1, "{case}");
        assert!(rows[0].in_conflict, "{case}");
        check(&rows[0]);
    }
    // An assessment's who-answered and counts in conflict.
    let assessment = msfas(2, 20_400, "2026-10-01", &["sleepy"]);
    let facts = RecordFacts::new(
        &assessment,
        &[
            (
                "answered_by".into(),
                vec![json!("person"), json!("supporter_interview")],
            ),
            (
                "answers.user1.q4".into(),
                vec![signs(&["sleepy"]), signs(&["sleepy", "headache"])],
            ),
        ],
    );
    match &timeline(&[facts], &catalogue, 0)[0].summary {
        Summary::Assessment {
            answered_by,
            counts,
        } => {
            assert_eq!(
                *answered_by,
                Fact::Conflict(vec![AnsweredBy::Person, AnsweredBy::SupporterInterview])
            );
            assert_eq!(counts[0], (Category::Signs, Fact::Conflict(vec![1, 2])));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_sign_grid_says_which_signs_appeared_in_which_assessment() {
    let catalogue = catalogue();
    let mut v2 = msfas(3, 20_300, "2026-09-01", &["headache", "sleepy"]);
    // Another version of MSFAS (not in this build): keyed by question and option ids, it lines up.
    v2.instrument.version = 2;
    let mut draft = msfas(4, 20_500, "2026-12-01", &["none"]);
    draft.status = Status::Draft;
    let unanswered = {
        let mut r = msfas(5, 20_450, "2026-11-01", &[]);
        r.answers.remove("user1.q4");
        r
    };
    let records = vec![
        RecordFacts::settled(&msfas(1, 20_100, "2026-03-01", &["sleepy", "yawning"])),
        RecordFacts::settled(&draft),
        RecordFacts::settled(&v2),
        RecordFacts::settled(&unanswered),
        // Values in conflict: they agree on sleepy, disagree on sweating.
        RecordFacts::new(
            &msfas(6, 20_420, "2026-10-01", &["sleepy"]),
            &[(
                "answers.user1.q4".into(),
                vec![signs(&["sleepy", "sweating"]), signs(&["sleepy"])],
            )],
        ),
        // Not MSFAS: not a column.
        RecordFacts::settled(&record(
            7,
            "visit-note",
            20_200,
            json!({
                "observations.signs": signs(&["irritated"]),
                "visit.date": {"type": "date", "value": "2026-06-01"},
            }),
        )),
    ];
    let p = progress(&records, &catalogue, 0);
    let days: Vec<Option<Date>> = p.columns.iter().map(|c| c.placed_on).collect();
    assert_eq!(
        days,
        [
            "2026-03-01",
            "2026-09-01",
            "2026-10-01",
            "2026-11-01",
            "2026-12-01"
        ]
        .map(|d| Some(date(d)))
    );
    assert_eq!(
        p.columns.iter().map(|c| c.draft).collect::<Vec<_>>(),
        [false, false, false, false, true]
    );
    use Mark::{Conflict as C, No as N, NotAnswered as U, Yes as Y};
    // Rows in the sheet's order (sleepy, yawning, headache, …, sweating, …, none), each with its
    // mark per assessment and how many times it was chosen.
    let grid: Vec<(&str, Vec<Mark>, u32)> = p
        .signs
        .iter()
        .map(|s| (s.sign.as_str(), s.marks.clone(), s.times))
        .collect();
    assert_eq!(
        grid,
        [
            ("sleepy", vec![Y, Y, Y, U, N], 3),
            ("yawning", vec![Y, N, N, U, N], 1),
            ("headache", vec![N, Y, N, U, N], 1),
            ("sweating", vec![N, N, C, U, N], 0),
            ("none", vec![N, N, N, U, Y], 1),
        ]
    );
    let counts: Vec<(Category, Vec<Fact<u32>>)> = p.counts.clone();
    assert_eq!(
        counts[0],
        (
            Category::Signs,
            vec![
                Fact::Known(2),
                Fact::Known(2),
                Fact::Conflict(vec![2, 1]),
                Fact::Unset,
                Fact::Known(0)
            ]
        )
    );
}

#[test]
fn coping_over_time_by_option_id() {
    let catalogue = catalogue();
    let with_coping = |n, made, day, choice: Option<&str>| {
        let mut r = msfas(n, made, day, &["sleepy"]);
        if let Some(choice) = choice {
            r.answers.insert(
                "user1.q3".into(),
                serde_json::from_value(json!({"type": "single", "choice": choice, "other": if choice == "other" { "散歩" } else { "" }})).unwrap(),
            );
        }
        RecordFacts::settled(&r)
    };
    let p = progress(
        &[
            with_coping(1, 20_300, "2026-07-01", Some("decide_myself")),
            with_coping(2, 20_100, "2026-01-01", Some("endure")),
            with_coping(3, 20_200, "2026-04-01", None),
            with_coping(4, 20_400, "2026-10-01", Some("other")),
        ],
        &catalogue,
        0,
    );
    assert_eq!(
        p.coping,
        [
            Fact::Known("endure".to_owned()),
            Fact::Unset,
            Fact::Known("decide_myself".to_owned()),
            Fact::Known("other".to_owned()),
        ]
    );
}
