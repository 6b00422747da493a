//! Accountability, through the real router on every database the run can reach: every access is
//! in the audit log (what a device recorded offline with both times), a tampered log is found,
//! 利用停止 takes a client off every device while keeping its data, and an erase leaves nothing
//! of the client but ids; a disclosure holds every record of its client and nothing of another.

use axum::http::StatusCode;
use serde_json::json;
use std::collections::BTreeSet;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::audit::{Action, Entry, NOTE_FIELD, Note};
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::privacy::{Disclosure, Erased, Stopped};
use yorisoi_domain::sync::check::Refusal;
use yorisoi_domain::sync::protocol::BOOTSTRAP_FORMAT;
use yorisoi_domain::sync::{Change, Entity};
use yorisoi_server::AppState;

mod common;
mod support;
use support::*;

/// The audit entries about `client`, oldest first.
async fn audit_of(state: &AppState, admin: &Tablet, client: ClientId) -> Vec<Entry> {
    let reply = get(format!("/api/v1/audit?client={client}"))
        .cookie(Some(&admin.cookie))
        .send(state)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let mut entries: Vec<Entry> = reply.json();
    entries.reverse();
    entries
}

/// An access recorded on `tablet`, as the app queues it.
fn note(tablet: &mut Tablet, client: ClientId, action: Action, at: i64) -> Change {
    let mut change = tablet.change(client, NOTE_FIELD, json!(null));
    change.value = Note {
        action,
        at,
        detail: Vec::new(),
    }
    .to_value();
    change
}

#[tokio::test]
async fn an_access_recorded_offline_reaches_the_audit_with_both_times_and_no_value() {
    for (name, db, url, dir) in databases_with_urls().await {
        let state = state(&db, &dir);
        let mut coach = Tablet::new(&db, "coach", Role::Coach).await;
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let client = new_client();
        let mut changes = coach.new_client(client);
        // Opened and printed a week ago, offline.
        let offline_at = yorisoi_server::auth::now_ms() - 7 * DAY_MS;
        changes.push(note(&mut coach, client, Action::RecordOpened, offline_at));
        changes.push(note(&mut coach, client, Action::Printed, offline_at + 1000));
        let pushed = coach.push(&state, changes).await;
        assert!(pushed.refused.is_empty(), "{name}: {:?}", pushed.refused);
        assert_eq!(pushed.acked_through, 4);

        let entries = audit_of(&state, &admin, client).await;
        let opened: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.event.action == Action::RecordOpened)
            .collect();
        assert_eq!(opened.len(), 1, "{name}: {entries:#?}");
        let opened = opened[0];
        assert_eq!(opened.event.device_at, Some(offline_at), "{name}");
        assert!(
            opened.at > offline_at + DAY_MS,
            "{name}: the server's own time"
        );
        assert_eq!(opened.event.person, Some(coach.person));
        assert_eq!(opened.event.device, Some(coach.device));
        assert!(
            entries.iter().any(|e| e.event.action == Action::Printed),
            "{name}"
        );
        // A note is no data: the client's log holds its two fields only.
        let history = db
            .history(
                &yorisoi_server::db::Scope {
                    person: coach.person,
                    role: Role::Coach,
                    device: coach.device,
                },
                Entity::Client(client),
            )
            .await
            .unwrap();
        assert_eq!(history.len(), 2, "{name}: {history:?}");

        // The pull that brings the client to another device is in the audit too.
        let office = Tablet::new(&db, "office", Role::Office).await;
        office.sync(&state, 0, 500).await;
        let entries = audit_of(&state, &admin, client).await;
        assert!(
            entries.iter().any(|e| e.event.action == Action::Delivered
                && e.event.person == Some(office.person)
                && e.event.detail == ["pull"]),
            "{name}: {entries:#?}"
        );
        // A forged note (an erase recorded by a device) is set aside, never written.
        let forged = {
            let mut change = coach.change(client, NOTE_FIELD, json!(null));
            change.value = json!({"action": "erased", "at": 1});
            change
        };
        let pushed = coach.push(&state, vec![forged]).await;
        assert!(
            matches!(pushed.refused[..], [ref r] if matches!(r.refusal, Refusal::BadValue { .. })),
            "{name}: {:?}",
            pushed.refused
        );
        let entries = audit_of(&state, &admin, client).await;
        assert!(!entries.iter().any(|e| e.event.action == Action::Erased));
        // Ids and codes only: the client's name is nowhere in the log.
        let raw = Raw::open(&url).await;
        assert!(!raw.dump("audit").await.contains("山田"), "{name}");
        assert_eq!(db.check_audit().await.unwrap().broken, None, "{name}");
    }
}

#[tokio::test]
async fn sign_ins_failures_and_lock_outs_are_in_the_audit() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let coach = add_person(&db, "coach", Role::Coach).await;
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let device = new_device();
        let reply = sign_in("coach", PASSWORD, device).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK);
        for _ in 0..5 {
            sign_in("coach", "not the password", device)
                .send(&state)
                .await;
        }
        sign_in("nobody", "secret password", device)
            .send(&state)
            .await;
        let reply = get(format!("/api/v1/audit?person={coach}"))
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        let entries: Vec<Entry> = reply.json();
        let actions: Vec<Action> = entries.iter().rev().map(|e| e.event.action).collect();
        assert_eq!(
            actions,
            [
                [Action::SignIn].as_slice(),
                &[Action::SignInFailed; 5],
                &[Action::LockedOut]
            ]
            .concat(),
            "{name}"
        );
        let all = db
            .audit_entries(&yorisoi_server::db::AuditQuery {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        let unknown = all
            .iter()
            .find(|e| e.event.person.is_none() && e.event.action == Action::SignInFailed)
            .expect("a failure of an unknown login is recorded");
        assert_eq!(
            unknown.event.detail,
            ["unknown_login"],
            "the login typed is not kept"
        );
        // A period filter: nothing before the first entry.
        let reply = get(format!(
            "/api/v1/audit?person={coach}&to={}",
            entries.last().unwrap().at
        ))
        .cookie(Some(&admin.cookie))
        .send(&state)
        .await;
        assert_eq!(reply.json::<Vec<Entry>>().len(), 0, "{name}");
    }
}

#[tokio::test]
async fn a_changed_removed_or_cut_entry_is_found_and_the_log_refuses_changes() {
    for (name, url, _dir) in common::database_urls().await {
        let db = yorisoi_server::db::Db::open(&url).await.unwrap();
        for n in 0..5 {
            let mut event = yorisoi_domain::audit::Event::new(Action::RecordOpened);
            event.detail = vec![format!("n{n}")];
            db.record_one(event, 1_795_000_000_000 + n).await.unwrap();
        }
        assert_eq!(db.check_audit().await.unwrap().entries, 5);
        let raw = Raw::open(&url).await;
        // The triggers refuse a change or a deletion from anywhere.
        assert!(
            raw.execute("UPDATE audit SET detail = '[\"n9\"]' WHERE seq = 3")
                .await
                .is_err(),
            "{name}"
        );
        assert!(
            raw.execute("DELETE FROM audit WHERE seq = 3")
                .await
                .is_err(),
            "{name}"
        );
        // Someone with the database's owner rights removes the triggers and edits an entry.
        let drop = if name == "sqlite" {
            "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete"
        } else {
            "DROP TRIGGER audit_no_update ON audit; DROP TRIGGER audit_no_truncate ON audit"
        };
        raw.execute(drop).await.unwrap();
        raw.execute("UPDATE audit SET detail = '[\"n9\"]' WHERE seq = 3")
            .await
            .unwrap();
        let check = db.check_audit().await.unwrap();
        assert_eq!(
            check.broken,
            Some(yorisoi_domain::audit::Break::Altered(3)),
            "{name}"
        );
        assert_eq!(check.entries, 2, "{name}: entries 1 and 2 are whole");
        raw.execute("UPDATE audit SET detail = '[\"n2\"]' WHERE seq = 3")
            .await
            .unwrap();
        assert_eq!(db.check_audit().await.unwrap().broken, None, "{name}");
        raw.execute("DELETE FROM audit WHERE seq = 5")
            .await
            .unwrap();
        assert_eq!(
            db.check_audit().await.unwrap().broken,
            Some(yorisoi_domain::audit::Break::Truncated {
                expected: 5,
                found: 4
            }),
            "{name}: the last entry removed"
        );
        raw.execute("DELETE FROM audit WHERE seq = 2")
            .await
            .unwrap();
        assert_eq!(
            db.check_audit().await.unwrap().broken,
            Some(yorisoi_domain::audit::Break::Missing {
                expected: 2,
                found: 3
            }),
            "{name}"
        );
        db.close().await;
    }
}

#[tokio::test]
async fn stopping_use_takes_a_client_off_every_device_and_keeps_it_until_erased() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let mut coach = Tablet::new(&db, "coach", Role::Coach).await;
        let office = Tablet::new(&db, "office", Role::Office).await;
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let (client, other) = (new_client(), new_client());
        let mut changes = coach.new_client(client);
        changes.extend(coach.new_client(other));
        changes.push(coach.change(client, "notes", json!("駅から徒歩")));
        coach.push(&state, changes).await;
        // Both devices hold both clients.
        let (coach_had, _) = coach.sync(&state, 0, 500).await;
        let (office_had, _) = office.sync(&state, 0, 500).await;
        assert_eq!(coach_had.len(), 5, "{name}");
        assert_eq!(office_had.len(), 5, "{name}");
        let coach_at = db.pull(0, 1000).await.unwrap().cursor;

        let reply = post(format!("/api/v1/clients/{client}/stop"))
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let stopped: Stopped = reply.json();
        assert!(stopped.retain_until > stopped.stopped_at + 4 * 365 * DAY_MS);

        // Each device is told to delete it, until it confirms.
        for tablet in [&coach, &office] {
            let page = tablet.pull(&state, coach_at, 0).await;
            let hand_over = page.scope.expect("a hand-over");
            assert_eq!(hand_over.left, vec![client], "{name}");
            let again = tablet.pull(&state, coach_at, 0).await.scope;
            assert_eq!(
                again.as_ref().map(|s| &s.left),
                Some(&hand_over.left),
                "sent again"
            );
            let done = tablet.pull(&state, coach_at, again.unwrap().token).await;
            assert!(done.scope.is_none(), "{name}: confirmed: {:?}", done.scope);
        }
        // A change made just before the stop, sent after it, is kept aside with why.
        let late = coach.change(client, "notes", json!("最後の訪問"));
        let pushed = coach.push(&state, vec![late.clone()]).await;
        assert_eq!(pushed.refused[0].refusal, Refusal::UseStopped, "{name}");
        // No pull, bootstrap or history serves it to anyone; the other client is served.
        for tablet in [&coach, &office] {
            let device = new_device();
            let fresh = Tablet {
                person: tablet.person,
                device,
                cookie: signed_in(&db, tablet.person, device).await,
                next_seq: 1,
            };
            let (changes, _) = fresh.sync(&state, 0, 500).await;
            let clients: BTreeSet<ClientId> = changes.iter().map(|c| c.client).collect();
            assert_eq!(clients, BTreeSet::from([other]), "{name}");
            let reply = get(format!("/api/v1/sync/bootstrap?format={BOOTSTRAP_FORMAT}"))
                .cookie(Some(&fresh.cookie))
                .send(&state)
                .await;
            assert!(!reply.text.contains(&client.to_string()), "{name}");
            let reply = get(format!(
                "/api/v1/sync/history?format=1&entity=client:{client}"
            ))
            .cookie(Some(&fresh.cookie))
            .send(&state)
            .await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{name}: {}",
                reply.text
            );
        }
        // Its data is kept: the disclosure has every change of it, and nothing of the other.
        let reply = get(format!("/api/v1/clients/{client}/disclosure"))
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        let disclosure: Disclosure = reply.json();
        assert_eq!(disclosure.history.len(), 3, "{name}");
        assert!(disclosure.history.iter().all(|p| p.change.client == client));
        assert_eq!(disclosure.profile.unwrap().notes, "駅から徒歩");
        assert_eq!(disclosure.set_aside.len(), 1, "the late change, kept");
        assert!(!reply.text.contains(&other.to_string()), "{name}");
        assert!(
            disclosure
                .audit
                .iter()
                .any(|e| e.event.action == Action::UseStopped)
        );
    }
}

#[tokio::test]
async fn an_erased_client_is_gone_from_every_table_and_every_later_pull_but_its_audit_stays() {
    for (name, db, url, dir) in databases_with_urls().await {
        let state = state(&db, &dir);
        let mut coach = Tablet::new(&db, "coach", Role::Coach).await;
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let (client, other) = (new_client(), new_client());
        let mut changes = coach.new_client(client);
        changes.extend(coach.new_client(other));
        changes.push(coach.change(client, "workplace", json!("株式会社みなと")));
        coach.push(&state, changes).await;
        coach.sync(&state, 0, 500).await;
        db.catch_up_state().await.unwrap();
        let erase = |typed: &str| {
            post(format!("/api/v1/clients/{client}/erase")).json(&json!({"name": typed}))
        };
        // Not before 利用停止, and not without the name typed right.
        let reply = erase("山田 花子")
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{name}: {}", reply.text);
        post(format!("/api/v1/clients/{client}/stop"))
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        let reply = erase("山田 太郎")
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{name}: {}",
            reply.text
        );
        let reply = erase("山田花子")
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let erased: Erased = reply.json();
        assert_eq!(erased.changes, 3, "{name}");

        // Nothing of it in any table but ids (the stop, the audit, the hand-over).
        let raw = Raw::open(&url).await;
        let id = client.to_string();
        for table in ["changes", "state", "entities", "quarantine", "assignments"] {
            assert!(!raw.dump(table).await.contains(&id), "{name}: {table}");
        }
        for table in ["changes", "state", "audit", "quarantine", "stopped", "held"] {
            assert!(
                !raw.dump(table).await.contains("株式会社みなと"),
                "{name}: {table}"
            );
        }
        assert!(raw.dump("changes").await.contains(&other.to_string()));
        // A device that comes back is told to delete it; a late change for it keeps ids only.
        let page = coach.pull(&state, 0, 0).await;
        assert!(
            !page.changes.iter().any(|p| p.change.client == client),
            "{name}"
        );
        let late = coach.change(client, "notes", json!("消えたはずの言葉"));
        let pushed = coach.push(&state, vec![late]).await;
        assert_eq!(pushed.refused[0].refusal, Refusal::Erased, "{name}");
        assert!(
            !raw.dump("quarantine").await.contains("消えたはずの言葉"),
            "{name}"
        );
        // Its audit entries stay, whole, and say what happened.
        let entries = audit_of(&state, &admin, client).await;
        let actions: BTreeSet<Action> = entries.iter().map(|e| e.event.action).collect();
        for action in [Action::Delivered, Action::UseStopped, Action::Erased] {
            assert!(
                actions.contains(&action),
                "{name}: {action:?} in {actions:?}"
            );
        }
        assert_eq!(db.check_audit().await.unwrap().broken, None, "{name}");
        let reply = get(format!("/api/v1/clients/{client}/disclosure"))
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        let disclosure: Disclosure = reply.json();
        assert!(disclosure.history.is_empty() && disclosure.profile.is_none());
        assert!(disclosure.stopped.unwrap().erased_at.is_some());
        // A second erase is refused, and changes nothing.
        let reply = erase("山田花子")
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{name}");
    }
}
