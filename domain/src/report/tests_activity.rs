//! Case tables for the office's activity counts: who a note names, planned visits in a month,
//! counts per coach, and their CSV.

use super::activity::{activity, coach_of, planned_in};
use super::tests::{client_id, d, m, note};
use crate::export::{Lang, activity_csv};
use crate::plan::{Frequency, Period, Phase, Plan};
use std::collections::BTreeMap;

#[test]
fn a_note_names_its_coach_first() {
    #[rustfmt::skip]
    let cases = [("佐藤 一郎", "佐藤 一郎"), ("佐藤、鈴木", "佐藤"), (" ・鈴木", "鈴木"), ("", ""), ("田中/同行 山本", "田中")];
    for (staff, coach) in cases {
        assert_eq!(
            coach_of(&note(1, 1, "2026-12-01", None, None, staff)),
            coach,
            "{staff}"
        );
    }
}

fn plan(visits: Option<(u8, Period)>, start: Option<&str>, end: Option<&str>) -> Plan {
    Plan {
        phase: Some(Phase::Transition),
        face_to_face_per_month: Some(1),
        visits: visits.map(|(count, per)| Frequency { count, per }),
        start: start.map(d),
        end: end.map(d),
    }
}

#[test]
fn planned_visits_in_a_month_count_weeks_by_their_mondays() {
    #[rustfmt::skip]
    let cases = [
        // 2026-12 has Mondays on 7, 14, 21, 28; 2026-06 on 1, 8, 15, 22, 29; 2028-02 (leap) on 7, 14, 21, 28.
        (plan(Some((2, Period::Week)), None, None), "2026-12", Some(8)),
        (plan(Some((1, Period::Week)), None, None), "2026-06", Some(5)),
        (plan(Some((3, Period::Week)), None, None), "2028-02", Some(12)),
        (plan(Some((4, Period::Month)), None, None), "2026-12", Some(4)),
        (plan(Some((4, Period::Month)), Some("2026-12-31"), None), "2026-12", Some(4)),
        (plan(Some((4, Period::Month)), Some("2027-01-01"), None), "2026-12", None),
        (plan(Some((4, Period::Month)), None, Some("2026-11-30")), "2026-12", None),
        (plan(None, None, None), "2026-12", None),
    ];
    for (plan, month, expected) in cases {
        assert_eq!(planned_in(&plan, m(month)), expected, "{plan:?} {month}");
    }
}

#[test]
fn activity_counts_per_coach_by_mode_and_phase_with_plans_and_clients_not_met() {
    let notes = vec![
        note(1, 1, "2026-12-01", Some("visit"), Some("intensive"), "佐藤"),
        note(2, 1, "2026-12-03", Some("phone"), Some("intensive"), "佐藤"),
        note(
            3,
            2,
            "2026-12-04",
            Some("online"),
            Some("follow_up"),
            "佐藤、鈴木",
        ),
        note(
            4,
            3,
            "2026-12-05",
            Some("office"),
            Some("transition"),
            "鈴木",
        ),
        note(5, 3, "2026-12-06", None, None, "鈴木"),
        note(6, 4, "2026-11-20", Some("visit"), None, "鈴木"), // client 4: no contact in December
        note(7, 1, "2027-01-02", Some("visit"), None, "鈴木"), // after the month: not its coach yet
        note(8, 5, "2026-12-09", Some("visit"), None, ""),
    ];
    let plans = BTreeMap::from([
        (client_id(1), plan(Some((1, Period::Week)), None, None)),
        (client_id(2), plan(Some((2, Period::Month)), None, None)),
        (client_id(4), plan(Some((1, Period::Month)), None, None)),
        (
            client_id(6),
            plan(Some((1, Period::Month)), None, Some("2026-11-01")),
        ), // ended
    ]);
    let rows = activity(&notes, &plans, m("2026-12"));
    let coaches: Vec<&str> = rows.iter().map(|r| r.coach.as_str()).collect();
    assert_eq!(coaches, ["佐藤", "鈴木", ""]);
    let (sato, suzuki, nobody) = (&rows[0], &rows[1], &rows[2]);
    assert_eq!((sato.by_mode, sato.no_mode), ([1, 1, 1, 0], 0));
    assert_eq!((sato.by_phase, sato.no_phase), ([2, 0, 1], 0));
    assert_eq!(sato.clients, [client_id(1), client_id(2)]);
    assert_eq!(sato.without_face_to_face, [client_id(2)]);
    assert_eq!((sato.planned, sato.face_to_face), (4 + 2, 1));
    assert_eq!((suzuki.by_mode, suzuki.no_mode), ([0, 0, 0, 1], 1));
    assert_eq!((suzuki.by_phase, suzuki.no_phase), ([0, 1, 0], 1));
    assert_eq!(suzuki.clients, [client_id(3), client_id(4)]);
    assert_eq!(suzuki.without_face_to_face, [client_id(4)]);
    assert_eq!(
        (suzuki.planned, suzuki.face_to_face, suzuki.contacts()),
        (1, 1, 2)
    );
    assert_eq!(
        (nobody.contacts(), nobody.clients.clone()),
        (1, vec![client_id(5)])
    );

    let csv = activity_csv(
        &rows,
        m("2026-12"),
        |c| (c == client_id(2)).then(|| "=HYPERLINK(\"x\")".to_owned()),
        Lang::Ja,
    );
    assert!(csv.starts_with("\u{feff}月,ジョブコーチ,訪問,電話,オンライン,来所,"));
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(lines.len(), 5, "{csv}");
    assert_eq!(
        lines[1],
        "2026-12,佐藤,1,1,1,0,0,2,0,1,0,6,1,2,1,\"'=HYPERLINK(\"\"x\"\")\""
    );
    assert!(
        lines[3].starts_with("2026-12,（記入なし）,1,0,0,0,"),
        "{}",
        lines[3]
    );
    assert_eq!(lines[4], "");
    assert!(!csv.replace("\r\n", "").contains('\n'));
}
