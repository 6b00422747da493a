//! Case tables for the monthly report: months (leap years, year ends), field names, value checks,
//! when a report may be shared, and the counts and words from a month's notes.

use super::*;
use crate::answer::Answer;
use crate::catalogue::Catalogue;
use crate::export::Lang;
use crate::ids::RecordId;
use crate::plan::Phase;
use crate::privacy::{Consent, Method};
use crate::record::Record;
use serde_json::json;
use std::collections::BTreeMap;

pub(super) fn d(s: &str) -> Date {
    s.parse().unwrap()
}

pub(super) fn m(s: &str) -> Month {
    s.parse().unwrap()
}

pub(super) fn client_id(n: u8) -> ClientId {
    ClientId::new_v7(1_795_000_000_000, [n; 10])
}

fn person() -> PersonId {
    PersonId(uuid::Uuid::nil())
}

/// A visit note of client `c` on `date`, with a mode, phase, staff and a few words.
pub(super) fn note(
    n: u8,
    c: u8,
    date: &str,
    mode: Option<&str>,
    phase: Option<&str>,
    staff: &str,
) -> Record {
    let catalogue = Catalogue::builtin().unwrap();
    let instrument = catalogue.latest("visit-note").unwrap();
    let mut record = Record::new(
        RecordId::new_v7(1_795_000_000_000 + u64::from(n), [n; 10]),
        client_id(c),
        instrument,
        1_795_000_000_000,
    );
    let mut set = |key: &str, answer: Answer| record.set_answer(key, Some(answer), 1);
    set("visit.date", Answer::Date { value: d(date) });
    if let Some(mode) = mode {
        set(
            "visit.mode",
            Answer::Single {
                choice: mode.into(),
                other: String::new(),
            },
        );
    }
    if let Some(phase) = phase {
        set(
            "visit.phase",
            Answer::Single {
                choice: phase.into(),
                other: String::new(),
            },
        );
    }
    set(
        "visit.staff",
        Answer::Text {
            lines: vec![staff.into()],
        },
    );
    set(
        "support.to_client",
        Answer::Text {
            lines: vec![format!("手順書を一緒に確認 {n}")],
        },
    );
    set(
        "comments.client",
        Answer::Text {
            lines: vec![format!("疲れは少ない {n}")],
        },
    );
    set(
        "next.next_visit",
        Answer::Date {
            value: d(date).add_days(7).unwrap(),
        },
    );
    record
}

#[test]
fn months_read_write_and_step_over_year_ends_and_leap_days() {
    #[rustfmt::skip]
    let cases = [
        ("2026-12", "2026-12-01", "2026-12-31", "2026-11", "2027-01"),
        ("2027-01", "2027-01-01", "2027-01-31", "2026-12", "2027-02"),
        ("2028-02", "2028-02-01", "2028-02-29", "2028-01", "2028-03"),
        ("2027-02", "2027-02-01", "2027-02-28", "2027-01", "2027-03"),
    ];
    for (month, first, last, previous, next) in cases {
        let month = m(month);
        assert_eq!(month.first(), d(first));
        assert_eq!(month.last(), d(last));
        assert_eq!(month.previous(), Some(m(previous)));
        assert_eq!(month.next(), Some(m(next)));
        assert!(month.contains(d(last)) && !month.contains(d(last).add_days(1).unwrap()));
        assert_eq!(month.to_string().parse::<Month>(), Ok(month));
    }
    for bad in [
        "2026-13",
        "2026-00",
        "26-12",
        "2026-1",
        "2026/12",
        "",
        "2026-12-01",
    ] {
        assert!(bad.parse::<Month>().is_err(), "{bad}");
    }
}

#[test]
fn report_fields_are_named_by_month_and_part() {
    #[rustfmt::skip]
    let cases = [
        ("report.2026-12.done", Some((m("2026-12"), Part::Done))),
        ("report.2026-12.shared_employer", Some((m("2026-12"), Part::Shared(Recipient::Employer)))),
        ("report.2028-02.final", Some((m("2028-02"), Part::Final))),
        ("report.2026-13.done", None),
        ("report.2026-12.other", None),
        ("report.2026-12", None),
        ("plan.phase", None),
    ];
    for (field, expected) in cases {
        assert_eq!(Part::of_field(field), expected, "{field}");
        if let Some((month, part)) = expected {
            assert_eq!(part.field(month), field);
        }
    }
}

#[test]
fn report_values_are_checked() {
    let month = m("2026-12");
    let by = person();
    #[rustfmt::skip]
    let cases: Vec<(Part, serde_json::Value, bool)> = vec![
        (Part::Done, json!("訪問して作業を確認"), true),
        (Part::Done, json!(null), true),
        (Part::Done, json!(12), false),
        (Part::State, json!("あ".repeat(MAX_TEXT)), true),
        (Part::State, json!("あ".repeat(MAX_TEXT + 1)), false),
        (Part::Final, json!({"on": "2026-12-28", "by": by, "by_name": "佐藤"}), true),
        (Part::Final, json!({"on": "2026-11-30", "by": by, "by_name": "佐藤"}), false),
        (Part::Final, json!({"on": "2026-12-28", "by": by, "by_name": " "}), false),
        (Part::Shared(Recipient::Person), json!({"on": "2027-01-05", "by": by, "by_name": "佐藤"}), true),
        (Part::Shared(Recipient::Employer), json!({"on": "2026-12-31", "by": by, "by_name": "佐藤", "to": "x"}), false),
        (Part::Shared(Recipient::Employer), json!({"on": "2026-12-31"}), false),
        (Part::Shared(Recipient::Person), json!(null), true),
    ];
    for (part, value, ok) in cases {
        assert_eq!(
            check_value(month, part, &value).is_ok(),
            ok,
            "{part:?} {value}"
        );
    }
}

/// (name, report, client, recipient, day shared, expected).
type ShareCase = (
    &'static str,
    ReportView,
    Client,
    Recipient,
    &'static str,
    Result<(), ShareRefused>,
);

#[test]
fn a_report_is_shared_only_when_final_and_with_the_employer_only_with_consent() {
    let month = m("2026-12");
    let fin = Fact::Known(Finalised {
        on: d("2026-12-28"),
        by: person(),
        by_name: "佐藤".into(),
    });
    let report = |finalised: Fact<Finalised>, done: Fact<String>| ReportView {
        month,
        done,
        state: Fact::Unset,
        next: Fact::Unset,
        finalised,
        shared_person: Fact::Unset,
        shared_employer: Fact::Unset,
    };
    let consent = |withdrawn: Option<&str>| Consent {
        given_on: d("2026-04-01"),
        method: Method::Paper,
        recorded_by: person(),
        recorded_by_name: "佐藤".into(),
        withdrawn_on: withdrawn.map(d),
    };
    let client = |employer: Option<Consent>| {
        let mut consents = BTreeMap::new();
        if let Some(c) = employer {
            consents.insert(Purpose::Employer, c);
        }
        Client {
            id: client_id(1),
            name: "山田".into(),
            kana: String::new(),
            birth_date: None,
            workplace: String::new(),
            notes: String::new(),
            consents,
            created_at: 0,
            updated_at: 0,
        }
    };
    let ok = Fact::Known("x".to_owned());
    let conflict = Fact::Conflict(vec!["a".to_owned(), "b".to_owned()]);
    use Recipient::{Employer, Person};
    #[rustfmt::skip]
    let cases: Vec<ShareCase> = vec![
        ("final, to the person", report(fin.clone(), ok.clone()), client(None), Person, "2026-12-28", Ok(())),
        ("not final", report(Fact::Unset, ok.clone()), client(None), Person, "2026-12-28", Err(ShareRefused::NotFinal)),
        ("in conflict", report(fin.clone(), conflict), client(None), Person, "2026-12-28", Err(ShareRefused::InConflict)),
        ("before the month", report(fin.clone(), ok.clone()), client(None), Person, "2026-11-30", Err(ShareRefused::BeforeMonth)),
        ("employer without consent", report(fin.clone(), ok.clone()), client(None), Employer, "2026-12-28", Err(ShareRefused::NoEmployerConsent)),
        ("employer, consent withdrawn", report(fin.clone(), ok.clone()), client(Some(consent(Some("2026-10-01")))), Employer, "2026-12-28", Err(ShareRefused::EmployerConsentWithdrawn)),
        ("employer with consent", report(fin.clone(), ok.clone()), client(Some(consent(None))), Employer, "2026-12-28", Ok(())),
    ];
    for (name, report, client, to, on, expected) in cases {
        assert_eq!(may_share(&report, &client, to, d(on)), expected, "{name}");
    }
}

#[test]
fn a_reports_counts_and_words_come_from_that_months_notes_of_that_client() {
    let catalogue = Catalogue::builtin().unwrap();
    let notes = vec![
        note(1, 1, "2026-12-01", Some("visit"), Some("follow_up"), "佐藤"),
        note(2, 1, "2026-12-10", Some("phone"), None, "佐藤"),
        note(3, 1, "2026-12-31", Some("office"), None, "佐藤"),
        note(4, 1, "2026-12-15", None, None, "佐藤"),
        note(5, 1, "2026-11-30", Some("visit"), None, "佐藤"), // the month before
        note(6, 1, "2027-01-01", Some("visit"), None, "佐藤"), // the month after
        note(7, 2, "2026-12-02", Some("visit"), None, "佐藤"), // another client
        note(8, 1, "2026-12-20", Some("online"), None, "佐藤"),
    ];
    let s = summary(client_id(1), &notes, m("2026-12"), &catalogue, Lang::Ja);
    assert_eq!(s.by_mode.map(|(_, n)| n), [1, 1, 1, 1]);
    assert_eq!((s.no_mode, s.face_to_face, s.contacts()), (1, 2, 5));
    let days: Vec<String> = s.notes.iter().map(|n| n.date.to_string()).collect();
    assert_eq!(
        days,
        [
            "2026-12-01",
            "2026-12-10",
            "2026-12-15",
            "2026-12-20",
            "2026-12-31"
        ]
    );
    assert_eq!(s.notes[0].phase, Some(Phase::FollowUp));
    assert_eq!(
        s.notes[0].done,
        vec![("本人への支援".to_owned(), "手順書を一緒に確認 1".to_owned())]
    );
    let [done, state, next] = draft(&s);
    assert!(
        done.starts_with("2026-12-01\n本人への支援: 手順書を一緒に確認 1"),
        "{done}"
    );
    assert!(
        !done.contains("確認 5") && !done.contains("確認 7"),
        "{done}"
    );
    assert!(state.contains("疲れは少ない 8"), "{state}");
    assert!(next.contains("2027-01-07"), "{next}");
    let empty = summary(client_id(3), &notes, m("2026-12"), &catalogue, Lang::Ja);
    assert_eq!(
        (empty.contacts(), draft(&empty)),
        (0, [String::new(), String::new(), String::new()])
    );
}
