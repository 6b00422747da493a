//! Case tables for the due rules: month ends, leap days, weeks, a plan's start and end,
//! `next_visit` in the past and the future, no notes, phone-only contacts (a plan changed
//! mid-month and a note edited on two devices are in `tests_merged.rs`).

use super::*;
use crate::catalogue::Catalogue;
use crate::instrument::AnswerKind;
use crate::plan::{Frequency, Phase, Plan};
use serde_json::json;

pub(super) fn d(s: &str) -> Date {
    s.parse().unwrap()
}

pub(super) fn rec(n: u8) -> RecordId {
    RecordId::new_v7(1_795_000_000_000 + u64::from(n), [n; 10])
}

pub(super) fn client(n: u8) -> ClientId {
    ClientId::new_v7(1_795_000_000_000, [n; 10])
}

/// A note with every field settled; `next` may be absent.
fn note(n: u8, date: &str, mode: Mode, next: Option<&str>) -> Note {
    Note {
        record: rec(n),
        date: Fact::Known(d(date)),
        mode: Fact::Known(mode),
        phase: Fact::Unset,
        next_visit: next.map_or(Fact::Unset, |n| Fact::Known(d(n))),
    }
}

pub(super) fn plan(
    f2f: Option<u8>,
    visits: Option<(u8, Period)>,
    start: &str,
    end: &str,
) -> PlanView {
    let date = |s: &str| (!s.is_empty()).then(|| d(s));
    PlanView::settled(&Plan {
        phase: Some(Phase::FollowUp),
        face_to_face_per_month: f2f,
        visits: visits.map(|(count, per)| Frequency { count, per }),
        start: date(start),
        end: date(end),
    })
}

pub(super) fn facts(plan: PlanView, notes: Vec<Note>) -> ClientFacts {
    ClientFacts {
        client: client(1),
        plan,
        notes,
    }
}

/// What is due as (day, when, reason), for a table row.
type Items = Vec<(Date, When, Reason)>;

/// The items as (day, when, reason) for a table row.
fn items(facts: &ClientFacts, today: &str) -> Items {
    due(facts, d(today), &Rules::default())
        .items
        .into_iter()
        .map(|i| (i.on, i.when, i.reason))
        .collect()
}

use Mode::{Office, Online, Phone, Visit};

#[test]
fn the_next_visit_is_the_newest_notes_and_is_due_overdue_this_week_or_later() {
    let next = |n: u8| Reason::NextVisit { set_in: rec(n) };
    // 2026-12-05 is a Saturday; weeks start on Monday (11-30 .. 12-06).
    #[rustfmt::skip]
    let cases: Vec<(&str, Vec<Note>, &str, Items)> = vec![
        ("no notes at all", vec![], "2026-12-05", vec![]),
        ("due today", vec![note(1, "2026-12-01", Visit, Some("2026-12-05"))], "2026-12-05",
            vec![(d("2026-12-05"), When::Today, next(1))]),
        ("next_visit in the past: overdue by the days since", vec![note(1, "2026-12-01", Visit, Some("2026-12-03"))], "2026-12-05",
            vec![(d("2026-12-03"), When::Overdue { days: 2 }, next(1))]),
        ("next_visit in the future, this week", vec![note(1, "2026-12-01", Visit, Some("2026-12-06"))], "2026-12-05",
            vec![(d("2026-12-06"), When::ThisWeek, next(1))]),
        ("next_visit in the future, next week", vec![note(1, "2026-12-01", Visit, Some("2026-12-07"))], "2026-12-05",
            vec![(d("2026-12-07"), When::Later, next(1))]),
        ("a phone call's next visit counts like any note's", vec![note(1, "2026-12-01", Phone, Some("2026-12-04"))], "2026-12-05",
            vec![(d("2026-12-04"), When::Overdue { days: 1 }, next(1))]),
        ("a newer note without a next visit replaces the older one's",
            vec![note(1, "2026-12-01", Visit, Some("2026-12-03")), note(2, "2026-12-04", Phone, None)], "2026-12-05", vec![]),
        ("the newest note decides, in whatever order they come",
            vec![note(2, "2026-12-04", Visit, Some("2026-12-10")), note(1, "2026-12-01", Visit, Some("2026-12-03"))], "2026-12-05",
            vec![(d("2026-12-10"), When::Later, next(2))]),
        ("a note dated after today is not a contact yet",
            vec![note(1, "2026-12-01", Visit, Some("2026-12-03")), note(2, "2026-12-09", Visit, Some("2026-12-20"))], "2026-12-05",
            vec![(d("2026-12-03"), When::Overdue { days: 2 }, next(1))]),
        ("Jan 31 to Feb: overdue across the month end",
            vec![note(1, "2027-01-25", Visit, Some("2027-01-31"))], "2027-02-02",
            vec![(d("2027-01-31"), When::Overdue { days: 2 }, next(1))]),
        ("Jan 31 is a Sunday: Feb 1 is next week",
            vec![note(1, "2027-01-25", Visit, Some("2027-02-01"))], "2027-01-31",
            vec![(d("2027-02-01"), When::Later, next(1))]),
        ("Feb 28 to Mar 1 in a common year: one day",
            vec![note(1, "2027-02-20", Visit, Some("2027-02-28"))], "2027-03-01",
            vec![(d("2027-02-28"), When::Overdue { days: 1 }, next(1))]),
        ("Feb 28 to Mar 1 in a leap year: two days",
            vec![note(1, "2028-02-20", Visit, Some("2028-02-28"))], "2028-03-01",
            vec![(d("2028-02-28"), When::Overdue { days: 2 }, next(1))]),
        ("a leap day next visit",
            vec![note(1, "2028-02-20", Visit, Some("2028-02-29"))], "2028-02-29",
            vec![(d("2028-02-29"), When::Today, next(1))]),
        ("overdue across the year end",
            vec![note(1, "2026-12-20", Visit, Some("2026-12-28"))], "2027-01-04",
            vec![(d("2026-12-28"), When::Overdue { days: 7 }, next(1))]),
    ];
    for (case, notes, today, expected) in cases {
        let facts = facts(PlanView::default(), notes);
        assert_eq!(items(&facts, today), expected, "{case}");
        assert_eq!(
            due(&facts, d(today), &Rules::default()).monthly,
            Monthly::NotRequired,
            "{case}: no plan, no monthly rule"
        );
    }
}

#[test]
fn face_to_face_this_month_is_counted_per_calendar_month_and_flagged_before_its_end() {
    let monthly = plan(Some(1), None, "2026-04-01", "");
    let flag = |done| Reason::FaceToFaceThisMonth { done, required: 1 };
    #[rustfmt::skip]
    let cases: Vec<(&str, Vec<Note>, &str, Monthly, Items)> = vec![
        ("no notes, early in the month: a status, not yet flagged", vec![], "2026-12-05",
            Monthly::NotYet { done: 0, required: 1, days_left: 26 }, vec![]),
        ("no notes, 7 days before the end: flagged for the last day", vec![], "2026-12-24",
            Monthly::NotYet { done: 0, required: 1, days_left: 7 }, vec![(d("2026-12-31"), When::Later, flag(0))]),
        ("8 days before the end: not yet flagged", vec![], "2026-12-23",
            Monthly::NotYet { done: 0, required: 1, days_left: 8 }, vec![]),
        ("on the last day: due today", vec![], "2026-12-31",
            Monthly::NotYet { done: 0, required: 1, days_left: 0 }, vec![(d("2026-12-31"), When::Today, flag(0))]),
        ("notes only by phone and online: not face to face (the 28th is a Monday)",
            vec![note(1, "2026-12-02", Phone, None), note(2, "2026-12-10", Online, None)], "2026-12-28",
            Monthly::NotYet { done: 0, required: 1, days_left: 3 }, vec![(d("2026-12-31"), When::ThisWeek, flag(0))]),
        ("a workplace visit meets it", vec![note(1, "2026-12-02", Visit, None)], "2026-12-28",
            Monthly::Met { done: 1, required: 1 }, vec![]),
        ("a meeting at the office meets it", vec![note(1, "2026-12-02", Office, None)], "2026-12-28",
            Monthly::Met { done: 1, required: 1 }, vec![]),
        ("last month's visit does not count (Jan 31 → Feb 1)", vec![note(1, "2027-01-31", Visit, None)], "2027-02-01",
            Monthly::NotYet { done: 0, required: 1, days_left: 27 }, vec![]),
        ("Jan 31 itself counts for January", vec![note(1, "2027-01-31", Visit, None)], "2027-01-31",
            Monthly::Met { done: 1, required: 1 }, vec![]),
        ("February of a common year: 7 days left on the 21st", vec![], "2027-02-21",
            Monthly::NotYet { done: 0, required: 1, days_left: 7 }, vec![(d("2027-02-28"), When::Later, flag(0))]),
        ("February of a leap year: 8 days left on the 21st", vec![], "2028-02-21",
            Monthly::NotYet { done: 0, required: 1, days_left: 8 }, vec![]),
        ("a leap day is the last day of February", vec![], "2028-02-29",
            Monthly::NotYet { done: 0, required: 1, days_left: 0 }, vec![(d("2028-02-29"), When::Today, flag(0))]),
    ];
    for (case, notes, today, status, expected) in cases {
        let facts = facts(monthly.clone(), notes);
        assert_eq!(
            due(&facts, d(today), &Rules::default()).monthly,
            status,
            "{case}"
        );
        assert_eq!(items(&facts, today), expected, "{case}");
    }
    // Two a month: one visit is not enough.
    let twice = facts(
        plan(Some(2), None, "", ""),
        vec![note(1, "2026-12-02", Visit, None)],
    );
    assert_eq!(
        due(&twice, d("2026-12-30"), &Rules::default()).monthly,
        Monthly::NotYet {
            done: 1,
            required: 2,
            days_left: 1
        }
    );
    // The warning window is the agency's: 0 flags on the last day only.
    let rules = Rules {
        warn_days_before_month_end: 0,
        ..Rules::default()
    };
    let none = facts(monthly.clone(), vec![]);
    assert!(due(&none, d("2026-12-30"), &rules).items.is_empty());
    assert_eq!(due(&none, d("2026-12-31"), &rules).items.len(), 1);
}

#[test]
fn the_plan_applies_from_its_start_to_its_end_and_to_the_whole_month_it_changed_in() {
    let visit_on_3rd = || vec![note(1, "2026-12-03", Visit, None)];
    #[rustfmt::skip]
    let cases: Vec<(&str, PlanView, &str, Monthly)> = vec![
        ("started mid-month: the visit before its start counts for the month",
            plan(Some(1), None, "2026-12-15", ""), "2026-12-20", Monthly::Met { done: 1, required: 1 }),
        ("not started yet", plan(Some(1), None, "2027-01-01", ""), "2026-12-20", Monthly::NotRequired),
        ("ended", plan(Some(1), None, "2026-04-01", "2026-12-10"), "2026-12-20", Monthly::NotRequired),
        ("ends today: still in force", plan(Some(1), None, "2026-04-01", "2026-12-20"), "2026-12-20",
            Monthly::Met { done: 1, required: 1 }),
        ("starts today", plan(Some(1), None, "2026-12-20", ""), "2026-12-20", Monthly::Met { done: 1, required: 1 }),
        ("no monthly requirement", plan(None, None, "", ""), "2026-12-20", Monthly::NotRequired),
    ];
    for (case, plan, today, status) in cases {
        let facts = facts(plan, visit_on_3rd());
        assert_eq!(
            due(&facts, d(today), &Rules::default()).monthly,
            status,
            "{case}"
        );
    }
    // An ended plan asks for no planned visits either.
    let ended = facts(
        plan(None, Some((2, Period::Week)), "", "2026-12-01"),
        vec![],
    );
    assert!(
        due(&ended, d("2026-12-05"), &Rules::default())
            .items
            .is_empty()
    );
}

#[test]
fn a_plan_part_in_conflict_is_not_used_and_is_listed() {
    let mut view = plan(Some(1), None, "", "");
    view.face_to_face_per_month = Fact::Conflict(vec![1, 2]);
    let shown = due(&facts(view, vec![]), d("2026-12-05"), &Rules::default());
    assert_eq!(
        shown.items.iter().map(|i| &i.reason).collect::<Vec<_>>(),
        [&Reason::PlanInConflict {
            parts: vec![Part::FaceToFacePerMonth]
        }]
    );
    assert_eq!(
        shown.monthly,
        Monthly::Uncertain {
            done: 0,
            required: None,
            days_left: 26,
            notes: vec![]
        }
    );
}

#[test]
fn planned_visits_count_face_to_face_contacts_in_the_calendar_week_or_month() {
    let weekly = plan(None, Some((2, Period::Week)), "", "");
    let monthly = plan(None, Some((3, Period::Month)), "", "");
    let short = |per, planned, done| Reason::PlannedVisits { per, planned, done };
    #[rustfmt::skip]
    let cases: Vec<(&str, PlanView, Vec<Note>, &str, Items)> = vec![
        ("none yet this week: due by Sunday", weekly.clone(), vec![], "2026-12-05",
            vec![(d("2026-12-06"), When::ThisWeek, short(Period::Week, 2, 0))]),
        ("last week's visits do not count", weekly.clone(),
            vec![note(1, "2026-11-28", Visit, None), note(2, "2026-11-29", Visit, None)], "2026-12-05",
            vec![(d("2026-12-06"), When::ThisWeek, short(Period::Week, 2, 0))]),
        ("a phone call is not a visit", weekly.clone(),
            vec![note(1, "2026-11-30", Visit, None), note(2, "2026-12-02", Phone, None)], "2026-12-05",
            vec![(d("2026-12-06"), When::ThisWeek, short(Period::Week, 2, 1))]),
        ("two visits this week: nothing due", weekly.clone(),
            vec![note(1, "2026-11-30", Visit, None), note(2, "2026-12-02", Office, None)], "2026-12-05", vec![]),
        ("a week across the month end", weekly.clone(),
            vec![note(1, "2026-11-30", Visit, None)], "2026-12-01",
            vec![(d("2026-12-06"), When::ThisWeek, short(Period::Week, 2, 1))]),
        ("monthly: due by the last day", monthly.clone(),
            vec![note(1, "2026-12-01", Visit, None)], "2026-12-05",
            vec![(d("2026-12-31"), When::Later, short(Period::Month, 3, 1))]),
    ];
    for (case, plan, notes, today, expected) in cases {
        assert_eq!(items(&facts(plan, notes), today), expected, "{case}");
    }
}

#[test]
fn the_list_puts_the_most_overdue_first_and_leaves_out_who_has_nothing_due() {
    let with = |n: u8, next: Option<&str>| ClientFacts {
        client: client(n),
        plan: PlanView::default(),
        notes: vec![note(n, "2026-11-20", Visit, next)],
    };
    let clients = [
        with(1, Some("2026-12-20")),
        with(2, None),
        with(3, Some("2026-12-05")),
        with(4, Some("2026-12-01")),
        with(5, Some("2026-12-02")),
    ];
    let list = due_list(&clients, d("2026-12-05"), &Rules::default());
    let order: Vec<_> = list.iter().map(|c| (c.client, c.items[0].when)).collect();
    assert_eq!(
        order,
        [
            (client(4), When::Overdue { days: 4 }),
            (client(5), When::Overdue { days: 3 }),
            (client(3), When::Today),
            (client(1), When::Later),
        ]
    );
}

/// The rules read the visit note by question keys and option ids: the built-in definition must
/// still have them, with these kinds (a rename would silently empty the due list otherwise).
#[test]
fn the_visit_note_still_has_the_questions_the_rules_read() {
    let catalogue = Catalogue::builtin().unwrap();
    let note = catalogue.latest(VISIT_NOTE).unwrap();
    for key in [DATE, NEXT_VISIT] {
        assert!(
            matches!(note.question(key).unwrap().answer, AnswerKind::Date),
            "{key}"
        );
    }
    let ids = |key: &str| match &note.question(key).unwrap().answer {
        AnswerKind::Single { options, .. } => options
            .resolve(&catalogue.lists)
            .unwrap()
            .iter()
            .map(|c| json!(c.id))
            .collect::<Vec<_>>(),
        other => panic!("{key}: {other:?}"),
    };
    let modes = [Visit, Phone, Online, Office].map(|m| serde_json::to_value(m).unwrap());
    assert_eq!(ids(MODE), modes);
    let phases = [Phase::Intensive, Phase::Transition, Phase::FollowUp]
        .map(|p| serde_json::to_value(p).unwrap());
    assert_eq!(ids(PHASE), phases);
}
