//! Case tables for a month that ended without face-to-face contact (「○月は対面なし」): month
//! ends, leap days, the window, a plan started, ended or changed mid-month, a note edited on two
//! devices, a note dated in the missed month synced late.

use super::tests::{client, d, facts, plan, rec};
use super::tests_merged::{concurrent, write_note, write_plan};
use super::*;
use crate::ids::DeviceId;
use crate::plan::Plan;
use crate::sync::{Outbox, Replica};
use serde_json::json;

fn note(n: u8, date: &str, mode: Mode) -> Note {
    Note {
        record: rec(n),
        date: Fact::Known(d(date)),
        mode: Fact::Known(mode),
        phase: Fact::Unset,
        next_visit: Fact::Unset,
    }
}

/// A month missed as (first day, done, required).
type Month = (Date, u8, u8);

/// A row: what it shows, the plan, the notes, today, what is expected.
type Row<T> = (&'static str, PlanView, Vec<Note>, &'static str, Vec<T>);

/// The months missed as (first day, done, required).
fn missed(facts: &ClientFacts, today: &str) -> Vec<Month> {
    due(facts, d(today), &Rules::default())
        .missed
        .into_iter()
        .map(|m| (m.month, m.done, m.required))
        .collect()
}

use Mode::{Office, Phone, Visit};

#[test]
fn a_month_that_ended_without_face_to_face_stays_listed_within_the_window() {
    let monthly = || plan(Some(1), None, "2026-09-01", "");
    let none = |m: &str| (d(m), 0u8, 1u8);
    #[rustfmt::skip]
    let cases: Vec<Row<Month>> = vec![
        ("met every month: nothing missed", monthly(),
            vec![note(1, "2026-10-05", Visit), note(2, "2026-11-30", Office), note(3, "2026-12-31", Visit)],
            "2027-01-01", vec![]),
        ("December by phone only: missed once it is over", monthly(),
            vec![note(1, "2026-10-05", Visit), note(2, "2026-11-30", Visit), note(3, "2026-12-31", Phone)],
            "2027-01-01", vec![none("2026-12-01")]),
        ("the current month is not a missed month yet (the monthly line says it)", monthly(),
            vec![note(1, "2026-09-30", Visit), note(2, "2026-10-05", Visit), note(3, "2026-11-30", Visit)],
            "2026-12-31", vec![]),
        ("a visit on the 1st counts for its own month, not the one before", monthly(),
            vec![note(1, "2026-10-05", Visit), note(2, "2026-11-30", Visit), note(3, "2027-01-01", Visit)],
            "2027-01-02", vec![none("2026-12-01")]),
        ("a later visit does not undo a month without one", monthly(),
            vec![note(1, "2026-10-05", Visit), note(2, "2026-11-30", Visit), note(3, "2027-01-20", Visit)],
            "2027-01-25", vec![none("2026-12-01")]),
        ("three months back at most, oldest first", monthly(), vec![],
            "2027-03-10", vec![none("2026-12-01"), none("2027-01-01"), none("2027-02-01")]),
        ("listed until it leaves the window", monthly(), vec![note(1, "2026-10-05", Visit)],
            "2027-03-01", vec![none("2026-12-01"), none("2027-01-01"), none("2027-02-01")]),
        ("... and gone after", monthly(), vec![note(1, "2027-01-05", Visit), note(2, "2027-02-05", Visit), note(3, "2027-03-05", Visit)],
            "2027-04-01", vec![]),
        ("two a month: one visit is not enough", plan(Some(2), None, "2026-09-01", ""),
            vec![note(1, "2026-10-05", Visit), note(2, "2026-10-20", Visit), note(3, "2026-11-05", Visit),
                 note(4, "2026-11-06", Visit), note(5, "2026-12-10", Visit)],
            "2027-01-05", vec![(d("2026-12-01"), 1, 2)]),
        ("no plan asks for it", plan(None, None, "2026-09-01", ""), vec![], "2027-01-05", vec![]),
    ];
    for (case, plan, notes, today, expected) in cases {
        assert_eq!(missed(&facts(plan, notes), today), expected, "{case}");
    }
}

#[test]
fn february_ends_on_the_28th_or_a_leap_day() {
    let monthly = || plan(Some(1), None, "2027-12-01", "");
    let dec_jan = || vec![note(1, "2027-12-10", Visit), note(2, "2028-01-10", Visit)];
    let with = |extra: Note| {
        let mut notes = dec_jan();
        notes.push(extra);
        notes
    };
    #[rustfmt::skip]
    let cases: Vec<(&str, Vec<Note>, &str, Vec<Month>)> = vec![
        ("a visit on the leap day meets February", with(note(3, "2028-02-29", Visit)), "2028-03-01", vec![]),
        ("February without one is missed, from March 1st", with(note(3, "2028-02-29", Phone)), "2028-03-01",
            vec![(d("2028-02-01"), 0, 1)]),
        ("still February on its leap day: not missed yet", dec_jan(), "2028-02-29", vec![]),
        ("a visit on March 1st is not February's", with(note(3, "2028-03-01", Visit)), "2028-03-02",
            vec![(d("2028-02-01"), 0, 1)]),
    ];
    for (case, notes, today, expected) in cases {
        assert_eq!(missed(&facts(monthly(), notes), today), expected, "{case}");
    }
    // A common year: February's last day is the 28th, and the month is over on March 1st.
    let common = facts(
        plan(Some(1), None, "2026-12-01", ""),
        vec![note(1, "2026-12-10", Visit), note(2, "2027-01-10", Visit)],
    );
    let list = due(&common, d("2027-03-01"), &Rules::default());
    assert_eq!(list.missed.len(), 1);
    assert_eq!(list.missed[0].last_day(), d("2027-02-28"));
    assert_eq!(list.first_due(), Some(d("2027-02-28")));
    assert!(
        due(&common, d("2027-02-28"), &Rules::default())
            .missed
            .is_empty()
    );
}

#[test]
fn only_months_of_the_plan_since_support_began_are_checked() {
    let f2f = |start: &str, end: &str| plan(Some(1), None, start, end);
    #[rustfmt::skip]
    let cases: Vec<Row<Date>> = vec![
        ("started mid-November: November is checked", f2f("2026-11-20", ""), vec![], "2026-12-05",
            vec![d("2026-11-01")]),
        ("started mid-November: a visit before the start counts for the month",
            f2f("2026-11-20", ""), vec![note(1, "2026-11-05", Visit)], "2026-12-05", vec![]),
        ("started on December 1st: November is not checked", f2f("2026-12-01", ""), vec![], "2027-01-05",
            vec![d("2026-12-01")]),
        ("ended mid-November: November is still checked", f2f("2026-09-01", "2026-11-10"),
            vec![note(1, "2026-09-05", Visit), note(2, "2026-10-05", Visit)], "2027-01-05",
            vec![d("2026-11-01")]),
        ("ended with October: the months after are not", f2f("2026-09-01", "2026-10-31"),
            vec![note(1, "2026-09-05", Visit)], "2027-01-05", vec![d("2026-10-01")]),
        ("no start: months before the first note are not checked", f2f("", ""),
            vec![note(1, "2026-11-15", Phone)], "2027-01-05", vec![d("2026-11-01"), d("2026-12-01")]),
        ("no start and no notes: nothing to go by", f2f("", ""), vec![], "2027-01-05", vec![]),
    ];
    for (case, plan, notes, today, expected) in cases {
        let months: Vec<Date> = missed(&facts(plan, notes), today)
            .into_iter()
            .map(|(m, _, _)| m)
            .collect();
        assert_eq!(months, expected, "{case}");
    }
    // The list shows a client with only a missed month.
    let only = facts(f2f("2026-11-20", ""), vec![]);
    let list = due_list(&[only], d("2026-12-05"), &Rules::default());
    assert_eq!(list.len(), 1);
    assert!(list[0].items.is_empty(), "{:?}", list[0].items);
    // The agency may turn it off.
    let off = Rules {
        missed_months_back: 0,
        ..Rules::default()
    };
    let only = facts(f2f("2026-11-20", ""), vec![]);
    assert!(due_list(&[only], d("2026-12-05"), &off).is_empty());
}

#[test]
fn a_plan_changed_mid_month_and_a_note_synced_late_as_merged() {
    let mut replica = Replica::default();
    let mut outbox = Outbox::new(DeviceId::new_v7(1, [1; 10]), 1, Vec::new());
    let phone_only = Plan {
        start: Some(d("2026-10-01")),
        ..Plan::default()
    };
    write_plan(&mut outbox, &mut replica, &Plan::default(), &phone_only);
    write_note(&mut outbox, &mut replica, 1, "2026-11-10", "phone");
    let today = d("2026-12-10");
    let now = |replica: &Replica| due(&facts_from(replica)[0], today, &Rules::default()).missed;
    assert!(now(&replica).is_empty(), "no plan asks for face to face");
    // Changed on December 8th to monthly face to face: its current values apply to the months
    // checked, as to the current month.
    let monthly = Plan {
        face_to_face_per_month: Some(1),
        ..phone_only.clone()
    };
    write_plan(&mut outbox, &mut replica, &phone_only, &monthly);
    let months: Vec<Date> = now(&replica).iter().map(|m| m.month).collect();
    assert_eq!(months, [d("2026-10-01"), d("2026-11-01")]);
    // A visit in November, written on another tablet and synced late: November is met.
    let mut late = Outbox::new(DeviceId::new_v7(2, [2; 10]), 1, Vec::new());
    write_note(&mut late, &mut replica, 2, "2026-11-28", "visit");
    let months: Vec<Date> = now(&replica).iter().map(|m| m.month).collect();
    assert_eq!(months, [d("2026-10-01")]);
}

#[test]
fn a_note_edited_on_two_devices_is_reviewed_not_guessed() {
    let setup = || {
        let mut replica = Replica::default();
        let mut outbox = Outbox::new(DeviceId::new_v7(1, [1; 10]), 1, Vec::new());
        let monthly = Plan {
            face_to_face_per_month: Some(1),
            start: Some(d("2026-11-01")),
            ..Plan::default()
        };
        write_plan(&mut outbox, &mut replica, &Plan::default(), &monthly);
        write_note(&mut outbox, &mut replica, 1, "2026-11-10", "visit");
        replica
    };
    let mode = |s: &str| json!({"type": "single", "choice": s});
    let date = |s: &str| json!({"type": "date", "value": s});
    let today = d("2026-12-10");
    let field = |key: &str| format!("answers.{key}");
    let review = Reason::NoteInConflict { record: rec(1) };

    // Its mode, visit on one tablet and phone on the other: November is uncertain, the note is
    // listed for review, the month is not said to be missed.
    let mut replica = setup();
    concurrent(
        &mut replica,
        rec(1),
        &field(MODE),
        [mode("visit"), mode("phone")],
    );
    let list = due(&facts_from(&replica)[0], today, &Rules::default());
    assert!(list.missed.is_empty(), "{:?}", list.missed);
    assert!(
        list.items
            .iter()
            .any(|i| i.reason == review && i.on == today),
        "{:?}",
        list.items
    );

    // Both tablets say face to face (visit, office): November is met, nothing to review.
    let mut replica = setup();
    concurrent(
        &mut replica,
        rec(1),
        &field(MODE),
        [mode("visit"), mode("office")],
    );
    let list = due(&facts_from(&replica)[0], today, &Rules::default());
    assert!(list.missed.is_empty() && list.items.is_empty(), "{list:?}");

    // Its date, November on one tablet and December on the other: November is uncertain.
    let mut replica = setup();
    concurrent(
        &mut replica,
        rec(1),
        &field(DATE),
        [date("2026-11-10"), date("2026-12-01")],
    );
    let list = due(&facts_from(&replica)[0], today, &Rules::default());
    assert!(list.missed.is_empty(), "{:?}", list.missed);
    assert!(list.items.iter().any(|i| i.reason == review), "{list:?}");

    // Both by phone: certainly not face to face, November is missed.
    let mut replica = setup();
    concurrent(
        &mut replica,
        rec(1),
        &field(MODE),
        [mode("phone"), mode("online")],
    );
    let list = due(&facts_from(&replica)[0], today, &Rules::default());
    assert_eq!(
        list.missed,
        [Missed {
            month: d("2026-11-01"),
            done: 0,
            required: 1
        }]
    );
    assert_eq!(list.client, client(1));
}
