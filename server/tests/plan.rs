//! A client's follow-up plan (`plan.*` client fields, issue 21) through the real router on every
//! database the run can reach: a valid part is stored and served like any field, a bad value or an
//! unknown part is set aside with why and never served.

use serde_json::json;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::plan::{Frequency, Period, Phase, Plan, plan_fields};
use yorisoi_domain::sync::check::Refusal;

mod common;
mod support;
use support::*;

#[tokio::test]
async fn a_valid_plan_is_stored_and_served_and_a_bad_part_is_set_aside_with_why() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let mut coach = Tablet::new(&db, "coach-a", Role::Coach).await;
        let client = new_client();
        let mut changes = coach.new_client(client);
        let plan = Plan {
            phase: Some(Phase::FollowUp),
            face_to_face_per_month: Some(1),
            visits: Some(Frequency {
                count: 2,
                per: Period::Week,
            }),
            start: Some("2026-04-01".parse().unwrap()),
            end: None,
        };
        let good: Vec<_> = plan_fields(&plan)
            .into_iter()
            .map(|(field, value)| coach.change(client, &field, value))
            .collect();
        changes.extend(good.iter().cloned());
        let bad = [
            coach.change(client, "plan.face_to_face_per_month", json!(0)),
            coach.change(client, "plan.visits", json!({"count": 9, "per": "week"})),
            coach.change(client, "plan.phase", json!("forever")),
            coach.change(client, "plan.colour", json!("red")),
        ];
        changes.extend(bad.iter().cloned());
        let pushed = coach.push(&state, changes).await;

        let refused: Vec<_> = pushed.refused.iter().map(|r| r.id).collect();
        assert_eq!(
            refused,
            bad.iter().map(|c| c.id).collect::<Vec<_>>(),
            "{name}: exactly the bad parts are refused: {pushed:?}"
        );
        for (refusal, change) in pushed.refused.iter().zip(&bad) {
            match &refusal.refusal {
                Refusal::BadValue { field, reason } => {
                    assert_eq!(*field, change.field, "{name}");
                    assert!(!reason.is_empty(), "{name}: a reason to act on");
                }
                Refusal::UnknownField { field } => assert_eq!(field, "plan.colour", "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        let stored = log(&db).await;
        for change in &good {
            assert!(
                stored.contains(&change.id),
                "{name}: {} stored",
                change.field
            );
        }
        for change in &bad {
            assert!(
                !stored.contains(&change.id),
                "{name}: {} not stored",
                change.field
            );
        }
        let aside = state.db.set_aside_page(None, 1000).await.unwrap().entries;
        for change in &bad {
            assert!(
                aside.iter().any(|e| e.change_id == change.id),
                "{name}: {} kept aside, never dropped",
                change.field
            );
        }

        // Another tablet of the same coach receives the plan as it was written.
        let other = Tablet::new(&db, "coach-a", Role::Coach).await;
        let (pulled, _) = other.sync(&state, 0, 500).await;
        let served: Vec<_> = pulled
            .iter()
            .filter(|c| c.field.starts_with("plan."))
            .map(|c| (c.field.clone(), c.value.clone()))
            .collect();
        let written: Vec<_> = good
            .iter()
            .map(|c| (c.field.clone(), c.value.clone()))
            .collect();
        assert_eq!(served, written, "{name}");
    }
}
