//! The monthly 支援レポート (`report.<YYYY-MM>.<part>` client fields, issue 21) and the plan's
//! audit through the real router on every database the run can reach: valid parts are stored, bad
//! ones set aside with why; a report marked shared with the employer is set aside unless the
//! client's consent to it holds; a stored share and a plan change are audited by the server (a
//! device's own note of a share is set aside).

use serde_json::json;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::audit::{Action, NOTE_FIELD, Note};
use yorisoi_domain::sync::check::Refusal;
use yorisoi_server::db::AuditQuery;

mod common;
mod support;
use support::*;

fn share(person: yorisoi_domain::ids::PersonId, on: &str) -> serde_json::Value {
    json!({"on": on, "by": person, "by_name": "佐藤"})
}

#[tokio::test]
async fn report_parts_are_checked_and_an_employer_share_needs_the_consent() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let mut coach = Tablet::new(&db, "coach-r", Role::Coach).await;
        let (client, other) = (new_client(), new_client());
        let mut changes = coach.new_client(client);
        changes.extend(coach.new_client(other));
        let by = coach.person;
        let good = vec![
            coach.change(client, "report.2026-12.done", json!("職場で手順書を確認")),
            coach.change(client, "report.2026-12.final", share(by, "2026-12-28")),
            coach.change(client, "report.2026-12.shared_person", share(by, "2026-12-28")),
            // Consent given in the same push, before the share: the share stands.
            coach.change(
                other,
                "consent.employer",
                json!({"given_on": "2026-04-01", "method": "paper", "recorded_by": by, "recorded_by_name": "佐藤"}),
            ),
            coach.change(other, "report.2026-12.shared_employer", share(by, "2026-12-28")),
        ];
        changes.extend(good.iter().cloned());
        let bad = [
            coach.change(client, "report.2026-12.done", json!(42)),
            coach.change(client, "report.2026-13.done", json!("x")),
            coach.change(
                client,
                "report.2026-12.shared_person",
                share(by, "2026-11-01"),
            ),
            // No consent to share with the employer.
            coach.change(
                client,
                "report.2026-12.shared_employer",
                share(by, "2026-12-28"),
            ),
        ];
        changes.extend(bad.iter().cloned());
        let pushed = coach.push(&state, changes).await;
        let refused: Vec<_> = pushed.refused.iter().map(|r| r.id).collect();
        assert_eq!(
            refused,
            bad.iter().map(|c| c.id).collect::<Vec<_>>(),
            "{name}: {pushed:?}"
        );
        match &pushed.refused[3].refusal {
            Refusal::BadValue { reason, .. } => {
                assert!(reason.contains("consented"), "{name}: {reason}")
            }
            other => panic!("{name}: {other:?}"),
        }
        let stored = log(&db).await;
        for change in &good {
            assert!(
                stored.contains(&change.id),
                "{name}: {} stored",
                change.field
            );
        }

        // Withdrawn later: a new employer share of that client is set aside.
        let withdraw = coach.change(
            other,
            "consent.employer",
            json!({"given_on": "2026-04-01", "method": "paper", "recorded_by": by, "recorded_by_name": "佐藤", "withdrawn_on": "2026-12-29"}),
        );
        let mut withdraw = withdraw;
        withdraw.base = vec![good[3].id];
        let again = coach.change(
            other,
            "report.2027-01.shared_employer",
            share(by, "2027-01-28"),
        );
        let pushed = coach.push(&state, vec![withdraw, again.clone()]).await;
        assert_eq!(
            pushed.refused.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![again.id],
            "{name}"
        );
    }
}

/// The client's audit entries of `action`, oldest first, as (who, detail).
async fn audited(
    db: &yorisoi_server::db::Db,
    client: yorisoi_domain::ids::ClientId,
    action: Action,
) -> Vec<(Option<yorisoi_domain::ids::PersonId>, Vec<String>)> {
    let mut entries = db
        .audit_entries(&AuditQuery {
            client: Some(client),
            person: None,
            from: None,
            to: None,
            limit: 100,
        })
        .await
        .unwrap();
    entries.sort_by_key(|e| e.seq);
    entries
        .into_iter()
        .filter(|e| e.event.action == action)
        .map(|e| (e.event.person, e.event.detail))
        .collect()
}

#[tokio::test]
async fn a_plan_change_and_a_shared_report_are_audited_by_the_server_without_values() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let mut coach = Tablet::new(&db, "coach-p", Role::Coach).await;
        let client = new_client();
        let by = coach.person;
        let mut changes = coach.new_client(client);
        changes.push(coach.change(client, "plan.face_to_face_per_month", json!(1)));
        let shared = coach.change(
            client,
            "report.2026-12.shared_person",
            share(by, "2026-12-28"),
        );
        changes.push(shared.clone());
        let pushed = coach.push(&state, changes.clone()).await;
        assert!(pushed.refused.is_empty(), "{name}: {pushed:?}");
        assert_eq!(
            audited(&db, client, Action::PlanChanged).await,
            [(Some(by), vec!["face_to_face_per_month".to_owned()])],
            "{name}"
        );
        let once = vec![(Some(by), vec!["2026-12".to_owned(), "person".to_owned()])];
        assert_eq!(
            audited(&db, client, Action::ReportShared).await,
            once,
            "{name}: the stored share is audited by the server, with no day and no name"
        );

        // The same push again (a retry), and the same value marked again: no second entry.
        coach.push(&state, changes).await;
        let mut again = coach.change(
            client,
            "report.2026-12.shared_person",
            share(by, "2026-12-28"),
        );
        again.base = vec![shared.id];
        let pushed = coach.push(&state, vec![again.clone()]).await;
        assert!(pushed.refused.is_empty(), "{name}: {pushed:?}");
        assert!(log(&db).await.contains(&again.id), "{name}: stored");
        assert_eq!(
            audited(&db, client, Action::ReportShared).await,
            once,
            "{name}: the merged value did not change"
        );

        // A device's own note of a share is not taken: set aside with why, nothing audited.
        let note = Note {
            action: Action::ReportShared,
            at: 1_795_000_000_000,
            detail: vec!["2026-11".into(), "employer".into()],
        };
        let mut forged = coach.change(client, NOTE_FIELD, note.to_value());
        forged.field = NOTE_FIELD.into();
        let pushed = coach.push(&state, vec![forged.clone()]).await;
        match pushed.refused.as_slice() {
            [refused] if refused.id == forged.id => match &refused.refusal {
                Refusal::BadValue { reason, .. } => {
                    assert!(
                        reason.contains("recorded by the server"),
                        "{name}: {reason}"
                    )
                }
                other => panic!("{name}: {other:?}"),
            },
            other => panic!("{name}: a device's share note was taken: {other:?}"),
        }
        assert_eq!(
            audited(&db, client, Action::ReportShared).await,
            once,
            "{name}"
        );

        // Shared on another day: a change, audited; then the mark cleared: audited as such.
        let mut later = coach.change(
            client,
            "report.2026-12.shared_person",
            share(by, "2026-12-30"),
        );
        later.base = vec![again.id];
        let mut cleared = coach.change(client, "report.2026-12.shared_person", json!(null));
        cleared.base = vec![later.id];
        let pushed = coach.push(&state, vec![later, cleared]).await;
        assert!(pushed.refused.is_empty(), "{name}: {pushed:?}");
        let entries = audited(&db, client, Action::ReportShared).await;
        assert_eq!(entries.len(), 3, "{name}: {entries:?}");
        assert_eq!(entries[1], once[0], "{name}");
        assert_eq!(
            entries[2].1,
            ["2026-12", "person", "cleared"],
            "{name}: {entries:?}"
        );
    }
}

#[tokio::test]
async fn an_employer_share_set_aside_without_consent_is_not_stored_by_accepting_it() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let mut coach = Tablet::new(&db, "coach-q", Role::Coach).await;
        let admin = Tablet::new(&db, "admin-q", Role::Admin).await;
        let client = new_client();
        let mut changes = coach.new_client(client);
        let by = coach.person;
        let unconsented = coach.change(
            client,
            "report.2026-12.shared_employer",
            share(by, "2026-12-28"),
        );
        changes.push(unconsented.clone());
        let pushed = coach.push(&state, changes).await;
        assert_eq!(
            pushed.refused.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![unconsented.id],
            "{name}"
        );
        let aside = state.db.set_aside_page(None, 1000).await.unwrap().entries;
        let entry = aside
            .iter()
            .find(|e| e.change_id == unconsented.id)
            .expect("kept aside");
        // The coach may write the client, and the share's shape is valid: only the missing
        // consent stands in the way, and accepting must not step round it.
        match state
            .db
            .accept(entry.id, admin.person, 1_795_000_000_000)
            .await
        {
            Ok(Err(yorisoi_server::db::Unaccepted::Invalid(Refusal::BadValue {
                reason, ..
            }))) => {
                assert!(reason.contains("consented"), "{name}: {reason}")
            }
            other => panic!("{name}: accepted without the employer consent: {other:?}"),
        }
        assert!(
            !log(&db).await.contains(&unconsented.id),
            "{name}: the share is not stored"
        );
    }
}

#[tokio::test]
async fn the_disclosure_holds_the_plan_and_every_monthly_report_with_its_conflicts() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let mut coach = Tablet::new(&db, "coach-d", Role::Coach).await;
        let mut office = Tablet::new(&db, "office-d", Role::Office).await;
        let admin = Tablet::new(&db, "admin-d", Role::Admin).await;
        let client = new_client();
        let by = coach.person;
        let mut changes = coach.new_client(client);
        changes.extend([
            coach.change(client, "plan.face_to_face_per_month", json!(1)),
            coach.change(client, "plan.phase", json!("follow_up")),
            coach.change(client, "report.2026-11.done", json!("11月の訪問")),
            coach.change(client, "report.2026-12.done", json!("手順書を確認")),
            coach.change(client, "report.2026-12.final", share(by, "2026-12-28")),
            coach.change(
                client,
                "report.2026-12.shared_person",
                share(by, "2026-12-28"),
            ),
        ]);
        let pushed = coach.push(&state, changes).await;
        assert!(pushed.refused.is_empty(), "{name}: {pushed:?}");
        // The office rewrote December's text at the same time: both are held, both disclosed.
        let rewrite = office.change(client, "report.2026-12.done", json!("職場で面談"));
        let pushed = office.push(&state, vec![rewrite]).await;
        assert!(pushed.refused.is_empty(), "{name}: {pushed:?}");

        let reply = get(format!("/api/v1/clients/{client}/disclosure"))
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        assert_eq!(
            reply.status,
            axum::http::StatusCode::OK,
            "{name}: {}",
            reply.text
        );
        let disclosure: yorisoi_domain::privacy::Disclosure = reply.json();
        assert_eq!(
            disclosure.plan["face_to_face_per_month"],
            [json!(1)],
            "{name}"
        );
        assert_eq!(disclosure.plan["phase"], [json!("follow_up")], "{name}");
        assert_eq!(
            disclosure.reports.keys().collect::<Vec<_>>(),
            ["2026-11", "2026-12"],
            "{name}"
        );
        assert_eq!(disclosure.reports["2026-11"]["done"], [json!("11月の訪問")]);
        let december = &disclosure.reports["2026-12"];
        let mut done = december["done"].clone();
        done.sort_by_key(|v| v.to_string());
        assert_eq!(done, [json!("手順書を確認"), json!("職場で面談")], "{name}");
        assert_eq!(december["final"], [share(by, "2026-12-28")], "{name}");
        assert_eq!(
            december["shared_person"],
            [share(by, "2026-12-28")],
            "{name}"
        );
        assert!(!december.contains_key("shared_employer"), "{name}");
    }
}

#[tokio::test]
async fn an_employer_share_accepted_once_the_consent_holds_is_audited_in_its_authors_name() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let mut coach = Tablet::new(&db, "coach-a", Role::Coach).await;
        let admin = Tablet::new(&db, "admin-a", Role::Admin).await;
        let client = new_client();
        let by = coach.person;
        let mut changes = coach.new_client(client);
        let early = coach.change(
            client,
            "report.2026-12.shared_employer",
            share(by, "2026-12-28"),
        );
        changes.push(early.clone());
        let pushed = coach.push(&state, changes).await;
        assert_eq!(pushed.refused.len(), 1, "{name}: {pushed:?}");
        assert!(audited(&db, client, Action::ReportShared).await.is_empty());
        // The consent is recorded afterwards; the administrator accepts the share set aside.
        let consent = coach.change(
            client,
            "consent.employer",
            json!({"given_on": "2026-12-20", "method": "paper", "recorded_by": by, "recorded_by_name": "佐藤"}),
        );
        assert!(coach.push(&state, vec![consent]).await.refused.is_empty());
        let aside = state.db.set_aside_page(None, 1000).await.unwrap().entries;
        let entry = aside.iter().find(|e| e.change_id == early.id).unwrap();
        let accepted = state
            .db
            .accept(entry.id, admin.person, 1_795_000_000_000)
            .await
            .unwrap();
        assert_eq!(accepted, Ok(()), "{name}");
        assert_eq!(
            audited(&db, client, Action::ReportShared).await,
            [(Some(by), vec!["2026-12".to_owned(), "employer".to_owned()])],
            "{name}: audited once, as the coach's share"
        );
    }
}
