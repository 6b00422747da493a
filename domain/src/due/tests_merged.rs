//! Case tables for the due rules over a real replica: a plan changed mid-month, and a visit note
//! edited on two devices (its mode, its date, its next visit in conflict).

use super::tests::{client, d, rec};
use super::*;
use crate::answer::Answer;
use crate::catalogue::Catalogue;
use crate::ids::DeviceId;
use crate::plan::{Frequency, Phase, Plan, plan_fields};
use crate::record::Record;
use crate::sync::fields::{changed_fields, record_fields};
use crate::sync::{Change, ChangeId, Entity, Outbox, Replica};
use serde_json::json;

/// Writes `plan` over `old` as the app does, and a visit note, into a replica.
pub(super) fn write_plan(outbox: &mut Outbox, replica: &mut Replica, old: &Plan, new: &Plan) {
    for (field, value) in changed_fields(&plan_fields(old), &plan_fields(new)) {
        let entity = Entity::Client(client(1));
        outbox.edit(replica, entity, client(1), &field, value, None);
    }
}

pub(super) fn write_note(
    outbox: &mut Outbox,
    replica: &mut Replica,
    n: u8,
    date: &str,
    mode: &str,
) -> Record {
    let catalogue = Catalogue::builtin().unwrap();
    let instrument = catalogue.latest(VISIT_NOTE).unwrap();
    let mut record = Record::new(rec(n), client(1), instrument, 1);
    record.set_answer(DATE, Some(Answer::Date { value: d(date) }), 1);
    let choice = |c: &str| Answer::Single {
        choice: c.into(),
        other: String::new(),
    };
    record.set_answer(MODE, Some(choice(mode)), 1);
    record.set_answer(PHASE, Some(choice("follow_up")), 1);
    for (field, value) in changed_fields(&[], &record_fields(&record)) {
        outbox.edit(
            replica,
            Entity::Record(record.id),
            client(1),
            &field,
            value,
            None,
        );
    }
    record
}

#[test]
fn a_plan_changed_mid_month_applies_with_its_current_values_as_merged() {
    let mut replica = Replica::default();
    let mut outbox = Outbox::new(DeviceId::new_v7(1, [1; 10]), 1, Vec::new());
    let intensive = Plan {
        phase: Some(Phase::Intensive),
        visits: Some(Frequency {
            count: 2,
            per: Period::Week,
        }),
        start: Some(d("2026-10-01")),
        ..Plan::default()
    };
    write_plan(&mut outbox, &mut replica, &Plan::default(), &intensive);
    write_note(&mut outbox, &mut replica, 1, "2026-12-03", "visit");
    let all = facts_from(&replica);
    let before = due(&all[0], d("2026-12-05"), &Rules::default());
    assert_eq!(
        before.items.iter().map(|i| &i.reason).collect::<Vec<_>>(),
        [&Reason::PlannedVisits {
            per: Period::Week,
            planned: 2,
            done: 1
        }],
        "two visits planned this week, one made"
    );
    assert_eq!(before.monthly, Monthly::NotRequired);
    // On the 15th the plan moves to follow-up: monthly face to face, no weekly visits.
    let follow_up = Plan {
        phase: Some(Phase::FollowUp),
        face_to_face_per_month: Some(1),
        visits: None,
        ..intensive.clone()
    };
    write_plan(&mut outbox, &mut replica, &intensive, &follow_up);
    let after = due(&facts_from(&replica)[0], d("2026-12-20"), &Rules::default());
    assert!(after.items.is_empty(), "{:?}", after.items);
    assert_eq!(
        after.monthly,
        Monthly::Met {
            done: 1,
            required: 1
        },
        "the visit on the 3rd, under the old plan, counts for the month"
    );
    assert_eq!(after.last_face_to_face, Some(d("2026-12-03")));
}

/// A second device's concurrent edit of one field of `record`.
pub(super) fn concurrent(
    replica: &mut Replica,
    record: RecordId,
    field: &str,
    values: [serde_json::Value; 2],
) {
    let entity = Entity::Record(record);
    let base = replica.revisions(entity, field);
    for (device, value) in [7u8, 8].into_iter().zip(values) {
        replica.apply(&Change {
            id: ChangeId {
                device: DeviceId::new_v7(u64::from(device), [device; 10]),
                seq: 1,
            },
            entity,
            client: client(1),
            field: field.into(),
            base: base.clone(),
            value,
        });
    }
}

#[test]
fn a_note_edited_on_two_devices_is_uncertain_and_said_so_never_one_value_picked() {
    let date = |s: &str| json!({"type": "date", "value": s});
    let mode = |s: &str| json!({"type": "single", "choice": s});
    let field = |key: &str| format!("answers.{key}");
    let monthly = Plan {
        face_to_face_per_month: Some(1),
        ..Plan::default()
    };
    let setup = || {
        let mut replica = Replica::default();
        let mut outbox = Outbox::new(DeviceId::new_v7(1, [1; 10]), 1, Vec::new());
        write_plan(&mut outbox, &mut replica, &Plan::default(), &monthly);
        (replica, outbox)
    };
    let today = d("2026-12-28");

    // The mode: 訪問 on one tablet, 電話 on the other. Face to face this month is uncertain.
    let (mut replica, mut outbox) = setup();
    write_note(&mut outbox, &mut replica, 1, "2026-12-10", "visit");
    concurrent(
        &mut replica,
        rec(1),
        &field(MODE),
        [mode("visit"), mode("phone")],
    );
    let shown = due(&facts_from(&replica)[0], today, &Rules::default());
    assert_eq!(
        shown.monthly,
        Monthly::Uncertain {
            done: 0,
            required: Some(1),
            days_left: 3,
            notes: vec![rec(1)]
        }
    );
    let reasons: Vec<_> = shown.items.iter().map(|i| i.reason.clone()).collect();
    assert!(
        reasons.contains(&Reason::NoteInConflict { record: rec(1) }),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&Reason::FaceToFaceThisMonth {
            done: 0,
            required: 1
        }),
        "still flagged: the conflict does not count as a visit"
    );
    // Two face-to-face modes in conflict (訪問 / 来所) are face to face either way.
    let (mut replica, mut outbox) = setup();
    write_note(&mut outbox, &mut replica, 1, "2026-12-10", "visit");
    concurrent(
        &mut replica,
        rec(1),
        &field(MODE),
        [mode("visit"), mode("office")],
    );
    let shown = due(&facts_from(&replica)[0], today, &Rules::default());
    assert_eq!(
        shown.monthly,
        Monthly::Met {
            done: 1,
            required: 1
        }
    );

    // 訪問 on one tablet, the mode cleared on the other: not counted as face to face either.
    let (mut replica, mut outbox) = setup();
    write_note(&mut outbox, &mut replica, 1, "2026-12-10", "visit");
    concurrent(
        &mut replica,
        rec(1),
        &field(MODE),
        [mode("visit"), json!(null)],
    );
    let shown = due(&facts_from(&replica)[0], today, &Rules::default());
    assert!(
        matches!(&shown.monthly, Monthly::Uncertain { done: 0, notes, .. } if *notes == [rec(1)]),
        "{:?}",
        shown.monthly
    );

    // The date: 11-30 on one tablet, 12-04 on the other. Which month, and whether it is the
    // newest note, is uncertain; the certain note's next visit still shows, beside the conflict.
    let (mut replica, mut outbox) = setup();
    let mut second = write_note(&mut outbox, &mut replica, 2, "2026-12-02", "phone");
    second.set_answer(
        NEXT_VISIT,
        Some(Answer::Date {
            value: d("2026-12-20"),
        }),
        2,
    );
    for (f, value) in changed_fields(&[], &record_fields(&second)) {
        if f == field(NEXT_VISIT) {
            outbox.edit(
                &mut replica,
                Entity::Record(rec(2)),
                client(1),
                &f,
                value,
                None,
            );
        }
    }
    write_note(&mut outbox, &mut replica, 1, "2026-11-30", "visit");
    concurrent(
        &mut replica,
        rec(1),
        &field(DATE),
        [date("2026-11-30"), date("2026-12-04")],
    );
    let shown = due(&facts_from(&replica)[0], today, &Rules::default());
    let reasons: Vec<_> = shown.items.iter().map(|i| i.reason.clone()).collect();
    assert_eq!(
        reasons,
        [
            Reason::NextVisit { set_in: rec(2) },
            Reason::NoteInConflict { record: rec(1) },
            Reason::FaceToFaceThisMonth {
                done: 0,
                required: 1
            },
        ]
    );
    assert!(matches!(shown.monthly, Monthly::Uncertain { done: 0, .. }));
    assert_eq!(shown.last_contact, Some(d("2026-12-02")));

    // The next visit: 12-10 on one tablet, 12-12 on the other: due on the earlier, both named.
    let (mut replica, mut outbox) = setup();
    write_note(&mut outbox, &mut replica, 1, "2026-12-03", "visit");
    concurrent(
        &mut replica,
        rec(1),
        &field(NEXT_VISIT),
        [date("2026-12-12"), date("2026-12-10")],
    );
    let shown = due(&facts_from(&replica)[0], d("2026-12-11"), &Rules::default());
    assert_eq!(shown.items.len(), 1);
    assert_eq!(shown.items[0].on, d("2026-12-10"));
    assert_eq!(shown.items[0].when, When::Overdue { days: 1 });
    match &shown.items[0].reason {
        Reason::NextVisitInConflict { set_in, dates } => {
            assert_eq!(*set_in, rec(1));
            let mut dates = dates.clone();
            dates.sort();
            assert_eq!(dates, [d("2026-12-10"), d("2026-12-12")]);
        }
        other => panic!("{other:?}"),
    }
}

/// A `Record` with no conflicts reads as the same note as its fields in a replica.
#[test]
fn a_record_and_its_replica_give_the_same_note() {
    let mut replica = Replica::default();
    let mut outbox = Outbox::new(DeviceId::new_v7(1, [1; 10]), 1, Vec::new());
    let mut record = write_note(&mut outbox, &mut replica, 1, "2028-02-29", "office");
    record.set_answer(
        NEXT_VISIT,
        Some(Answer::Date {
            value: d("2028-03-07"),
        }),
        2,
    );
    let next = changed_fields(&[], &record_fields(&record))
        .into_iter()
        .find(|(f, _)| *f == format!("answers.{NEXT_VISIT}"))
        .unwrap();
    outbox.edit(
        &mut replica,
        Entity::Record(rec(1)),
        client(1),
        &next.0,
        next.1,
        None,
    );
    let from_replica = note_from(&replica, rec(1)).unwrap();
    assert_eq!(note_of_record(&record), Some(from_replica.clone()));
    assert_eq!(from_replica.date, Fact::Known(d("2028-02-29")));
    assert_eq!(from_replica.mode, Fact::Known(Mode::Office));
    assert_eq!(from_replica.phase, Fact::Known(Phase::FollowUp));
    assert_eq!(from_replica.next_visit, Fact::Known(d("2028-03-07")));
    // An MSFAS is no visit note.
    let catalogue = Catalogue::builtin().unwrap();
    let msfas = Record::new(rec(2), client(1), catalogue.latest("msfas").unwrap(), 1);
    assert_eq!(note_of_record(&msfas), None);
}
