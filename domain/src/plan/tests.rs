use super::*;
use crate::catalogue::Catalogue;
use crate::ids::DeviceId;
use crate::sync::ChangeId;
use crate::sync::check::{Refusal, check};
use crate::sync::fields::changed_fields;
use crate::sync::{Change, Outbox};
use serde_json::json;

fn client() -> ClientId {
    ClientId::new_v7(1_795_000_000_000, [1; 10])
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn plan() -> Plan {
    Plan {
        phase: Some(Phase::FollowUp),
        face_to_face_per_month: Some(1),
        visits: Some(Frequency {
            count: 2,
            per: Period::Month,
        }),
        start: Some(d("2026-04-01")),
        end: Some(d("2027-03-31")),
    }
}

fn change(field: &str, value: Value) -> Change {
    Change {
        id: ChangeId {
            device: DeviceId::new_v7(1, [2; 10]),
            seq: 1,
        },
        entity: Entity::Client(client()),
        client: client(),
        field: field.into(),
        base: vec![],
        value,
    }
}

/// Golden: the field names and value shapes as stored in changes and registers. Changing any of
/// them breaks every device and server already holding a plan; add a new field instead.
#[test]
fn golden_plan_fields_and_their_values() {
    let fields = plan_fields(&plan());
    assert_eq!(
        serde_json::to_string(&fields).unwrap(),
        r#"[["plan.phase","follow_up"],["plan.face_to_face_per_month",1],["plan.visits",{"count":2,"per":"month"}],["plan.start","2026-04-01"],["plan.end","2027-03-31"]]"#
    );
    let empty = plan_fields(&Plan::default());
    assert!(empty.iter().all(|(_, v)| v.is_null()));
    for (phase, wire) in [
        (Phase::Intensive, "intensive"),
        (Phase::Transition, "transition"),
        (Phase::FollowUp, "follow_up"),
    ] {
        assert_eq!(json(&phase), json!(wire));
    }
    assert_eq!(
        json(&Frequency {
            count: 3,
            per: Period::Week
        }),
        json!({"count": 3, "per": "week"})
    );
}

#[test]
fn a_plan_goes_to_fields_and_back_and_an_edit_changes_only_its_part() {
    let mut replica = Replica::default();
    let mut outbox = Outbox::new(DeviceId::new_v7(1, [1; 10]), 1, Vec::new());
    let write = |outbox: &mut Outbox, replica: &mut Replica, old: &Plan, new: &Plan| {
        let changed = changed_fields(&plan_fields(old), &plan_fields(new));
        for (field, value) in &changed {
            outbox.edit(
                replica,
                Entity::Client(client()),
                client(),
                field,
                value.clone(),
                None,
            );
        }
        changed.len()
    };
    assert_eq!(
        write(&mut outbox, &mut replica, &Plan::default(), &plan()),
        5
    );
    assert_eq!(plan_from(&replica, client()), PlanView::settled(&plan()));
    let mut later = plan();
    later.phase = Some(Phase::Transition);
    assert_eq!(write(&mut outbox, &mut replica, &plan(), &later), 1);
    assert_eq!(plan_from(&replica, client()).plan(), later);
    let mut cleared = later.clone();
    cleared.end = None;
    write(&mut outbox, &mut replica, &later, &cleared);
    assert_eq!(plan_from(&replica, client()).end, Fact::Unset);
}

#[test]
fn two_devices_setting_one_part_offline_leave_a_conflict_never_one_value() {
    let mut replica = Replica::default();
    let entity = Entity::Client(client());
    for (device, value) in [(2, json!(1)), (3, json!(2))] {
        replica.apply(&Change {
            id: ChangeId {
                device: DeviceId::new_v7(device, [device as u8; 10]),
                seq: 1,
            },
            entity,
            client: client(),
            field: Part::FaceToFacePerMonth.field(),
            base: vec![],
            value,
        });
    }
    let view = plan_from(&replica, client());
    assert_eq!(view.face_to_face_per_month, Fact::Conflict(vec![1, 2]));
    assert_eq!(view.conflicts(), vec![Part::FaceToFacePerMonth]);
    assert_eq!(view.plan().face_to_face_per_month, None);
    assert_eq!(plan_from(&replica, client()).phase, Fact::Unset);
}

/// The server stores every plan field the app writes, and sets aside a bad value or an unknown
/// part with a reason a person can act on.
#[test]
fn the_server_check_accepts_plan_fields_and_refuses_bad_values_with_their_reason() {
    let catalogue = Catalogue::builtin().unwrap();
    for (field, value) in plan_fields(&plan())
        .into_iter()
        .chain(plan_fields(&Plan::default()))
    {
        check(&change(&field, value.clone()), None, &catalogue)
            .unwrap_or_else(|e| panic!("{field} = {value}: {e}"));
    }
    for (field, value) in [
        ("plan.phase", json!("forever")),
        ("plan.phase", json!(3)),
        ("plan.face_to_face_per_month", json!(0)),
        ("plan.face_to_face_per_month", json!(32)),
        ("plan.face_to_face_per_month", json!(-1)),
        ("plan.face_to_face_per_month", json!("1")),
        ("plan.visits", json!({"count": 8, "per": "week"})),
        ("plan.visits", json!({"count": 0, "per": "month"})),
        ("plan.visits", json!({"count": 2, "per": "year"})),
        ("plan.visits", json!({"count": 2, "per": "week", "x": 1})),
        ("plan.start", json!("2026-02-30")),
        ("plan.end", json!("来月")),
    ] {
        match check(&change(field, value.clone()), None, &catalogue) {
            Err(Refusal::BadValue {
                field: refused,
                reason,
            }) => {
                assert_eq!(refused, field);
                assert!(!reason.is_empty(), "{field} = {value}");
            }
            other => panic!("{field} = {value} must be a bad value: {other:?}"),
        }
    }
    assert_eq!(
        check(&change("plan.colour", json!("red")), None, &catalogue),
        Err(Refusal::UnknownField {
            field: "plan.colour".into()
        })
    );
}
