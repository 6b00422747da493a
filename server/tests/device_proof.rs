//! Issue 19, item 1: an acknowledged edit is never lost to someone acting as another device.
//! Each device proves it is itself with a secret it registered at its first sign-in; and the
//! server never acknowledges a number it did not store for that writer. Through the real router
//! (and the database, for the protocol) on every database the run can reach.

use axum::http::StatusCode;
use serde_json::json;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::audit::{Action, NOTE_FIELD, Note};
use yorisoi_domain::ids::DeviceId;
use yorisoi_domain::sync::protocol::PushResponse;
use yorisoi_server::db::AuditQuery;

mod common;
mod support;
use support::*;

/// Two tablets' secrets, as the app makes them (64 hex digits).
const A_PROOF: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B_PROOF: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

fn assert_device_proof(reply: &Reply, what: &str) {
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::FORBIDDEN, "device_proof"),
        "{what}: {}",
        reply.text
    );
    assert!(reply.set_cookie().is_none(), "{what}: no session");
}

/// The reasons of the failed sign-ins the audit log holds.
async fn failed_sign_ins(db: &yorisoi_server::db::Db, device: DeviceId) -> Vec<String> {
    db.audit_entries(&AuditQuery {
        client: None,
        person: None,
        from: None,
        to: None,
        limit: 1000,
    })
    .await
    .unwrap()
    .into_iter()
    .filter(|e| e.event.action == Action::SignInFailed && e.event.device == Some(device))
    .flat_map(|e| e.event.detail)
    .collect()
}

#[tokio::test]
async fn signing_in_under_another_tablets_device_id_is_refused_without_its_secret() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        add_person(&db, "aoki", Role::Coach).await;
        add_person(&db, "baba", Role::Coach).await;
        let tablet = new_device();
        let reply = sign_in("aoki", PASSWORD, tablet)
            .proof(Some(A_PROOF))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);

        // Coach B knows the tablet's id (it travels in every change it made) and the right
        // password of their own account, but not the tablet's secret.
        let with_own = sign_in("baba", PASSWORD, tablet)
            .proof(Some(B_PROOF))
            .send(&state)
            .await;
        assert_device_proof(&with_own, &format!("{name}: B with B's secret"));
        let without = sign_in("baba", PASSWORD, tablet)
            .proof(None)
            .send(&state)
            .await;
        assert_device_proof(&without, &format!("{name}: B with no secret"));
        assert_eq!(
            failed_sign_ins(&db, tablet).await,
            vec!["device_proof", "device_proof"],
            "{name}: each refusal is in the audit log"
        );

        // The tablet itself still signs in, and a second person on it too.
        for login in ["aoki", "baba"] {
            let reply = sign_in(login, PASSWORD, tablet)
                .proof(Some(A_PROOF))
                .send(&state)
                .await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{name}: {login} on the tablet"
            );
        }
        // A sign-in on a new device registers its secret.
        let other = new_device();
        let reply = sign_in("baba", PASSWORD, other)
            .proof(Some(B_PROOF))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: a new tablet");
        // An enrolment code does not open another device's id either.
        let admin = add_person(&db, "admin", Role::Admin).await;
        let admin_cookie = signed_in(&db, admin, new_device()).await;
        let link: yorisoi_domain::accounts::Enrolment = post("/api/v1/enrolments")
            .cookie(Some(&admin_cookie))
            .json(&json!({"name": "タブレット1"}))
            .send(&state)
            .await
            .json();
        let code = link.link.rsplit_once("code=").unwrap().1.to_owned();
        let reply = post("/api/v1/enrol")
            .proof(Some(B_PROOF))
            .json(&json!({"code": code, "device": tablet}))
            .send(&state)
            .await;
        assert_device_proof(&reply, &format!("{name}: enrolment under the tablet's id"));
    }
}

#[tokio::test]
async fn a_request_of_a_session_without_the_devices_secret_or_with_a_wrong_one_is_refused() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        add_person(&db, "aoki", Role::Coach).await;
        let tablet = new_device();
        let cookie = sign_in("aoki", PASSWORD, tablet)
            .proof(Some(A_PROOF))
            .send(&state)
            .await
            .cookie();
        let push = || {
            post("/api/v1/sync/push")
                .cookie(Some(&cookie))
                .json(&push_request(
                    tablet,
                    new_client_changes(tablet, 1, new_client()),
                ))
        };
        // The session's cookie alone (stolen, or another browser's) is not enough.
        for (proof, what) in [(None, "no secret"), (Some(B_PROOF), "a wrong secret")] {
            let reply = get("/api/v1/session")
                .cookie(Some(&cookie))
                .proof(proof)
                .send(&state)
                .await;
            assert_device_proof(&reply, &format!("{name}: {what}"));
            let reply = push().proof(proof).send(&state).await;
            assert_device_proof(&reply, &format!("{name}: a push with {what}"));
            let reply = pull(0, 0)
                .cookie(Some(&cookie))
                .proof(proof)
                .send(&state)
                .await;
            assert_device_proof(&reply, &format!("{name}: a pull with {what}"));
        }
        assert!(log(&db).await.is_empty(), "{name}: nothing was stored");
        let reply = get("/api/v1/session")
            .cookie(Some(&cookie))
            .proof(Some(A_PROOF))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: with the secret");
        let reply = push().proof(Some(A_PROOF)).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);

        // A session from before device secrets (none registered) registers the first one it
        // shows, once; then no other is taken.
        let legacy = new_device();
        let person = db.person_by_login("aoki").await.unwrap().unwrap().id;
        let legacy_cookie = signed_in(&db, person, legacy).await;
        let reply = get("/api/v1/session")
            .cookie(Some(&legacy_cookie))
            .proof(Some(A_PROOF))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: registers");
        let reply = get("/api/v1/session")
            .cookie(Some(&legacy_cookie))
            .proof(Some(B_PROOF))
            .send(&state)
            .await;
        assert_device_proof(&reply, &format!("{name}: a second secret"));
        // Signing out needs no secret: a device that lost it can still end its session.
        let reply = delete("/api/v1/session")
            .cookie(Some(&cookie))
            .proof(None)
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::NO_CONTENT, "{name}: sign-out");
    }
}

#[tokio::test]
async fn another_coach_can_no_longer_advance_a_tablets_numbers_and_lose_its_unsent_edits() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        add_person(&db, "aoki", Role::Office).await;
        add_person(&db, "baba", Role::Office).await;
        let (tablet, own) = (new_device(), new_device());
        let a = sign_in("aoki", PASSWORD, tablet)
            .proof(Some(A_PROOF))
            .send(&state)
            .await
            .cookie();
        let client = new_client();
        let first: PushResponse = post("/api/v1/sync/push")
            .cookie(Some(&a))
            .proof(Some(A_PROOF))
            .json(&push_request(tablet, new_client_changes(tablet, 1, client)))
            .send(&state)
            .await
            .json();
        assert_eq!(first.acked_through, 2, "{name}");

        // B cannot be on A's tablet, and from B's own tablet A's writer is not theirs.
        let b_on_tablet = sign_in("baba", PASSWORD, tablet)
            .proof(Some(B_PROOF))
            .send(&state)
            .await;
        assert_device_proof(&b_on_tablet, &format!("{name}: B on A's tablet"));
        let b = sign_in("baba", PASSWORD, own)
            .proof(Some(B_PROOF))
            .send(&state)
            .await
            .cookie();
        let forged = client_change(tablet, 1000, client, "notes", json!("上書き"));
        let reply = post("/api/v1/sync/push")
            .cookie(Some(&b))
            .proof(Some(B_PROOF))
            .json(&push_request(tablet, vec![forged]))
            .send(&state)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{name}: B pushing under A's writer: {}",
            reply.text
        );

        // A's unsent edits (500 of them) are all stored, and acknowledged as far as they go.
        let unsent: Vec<_> = (3..=502)
            .map(|seq| client_change(tablet, seq, client, "notes", json!(format!("メモ{seq}"))))
            .collect();
        let pushed: PushResponse = post("/api/v1/sync/push")
            .cookie(Some(&a))
            .proof(Some(A_PROOF))
            .json(&push_request(tablet, unsent))
            .send(&state)
            .await
            .json();
        assert_eq!(pushed.acked_through, 502, "{name}");
        let stored = log(&db).await;
        assert_eq!(
            stored.len(),
            502,
            "{name}: every one of A's edits is stored"
        );
        assert!(stored.iter().all(|id| id.device == tablet), "{name}");
    }
}

/// An access note on `writer`, numbered `seq`.
fn note(
    writer: DeviceId,
    seq: u64,
    client: yorisoi_domain::ids::ClientId,
) -> yorisoi_domain::sync::Change {
    let mut change = client_change(writer, seq, client, NOTE_FIELD, json!(null));
    change.value = Note {
        action: Action::RecordOpened,
        at: 1,
        detail: Vec::new(),
    }
    .to_value();
    change
}

#[tokio::test]
async fn numbers_below_a_writers_last_that_the_server_never_saw_are_stored_never_acknowledged_unseen()
 {
    for (name, db, _dir) in common::databases().await {
        let office = add_person(&db, "office", Role::Office).await;
        let writer = new_device();
        let client = new_client();
        let name_it = client_change(writer, 1, client, "name", json!("山田 花子"));
        let created = push_as(&db, office, Role::Office, vec![name_it]).await;
        assert_eq!(created.acked_through, 1, "{name}");
        // However it came about (a forged push, a restored database), the writer's last stored
        // number is 1000 while 2..=999 never reached the server.
        let far = client_change(writer, 1000, client, "notes", json!("1000"));
        assert_eq!(
            push_as(&db, office, Role::Office, vec![far])
                .await
                .acked_through,
            1000
        );

        let unsent: Vec<_> = (2..=501)
            .map(|seq| client_change(writer, seq, client, "notes", json!(format!("{seq}"))))
            .collect();
        let pushed = push_as(&db, office, Role::Office, unsent.clone()).await;
        assert_eq!(
            pushed.acked_through, 501,
            "{name}: acknowledged through the push's last number, never 1000"
        );
        let stored: Vec<u64> = log(&db).await.iter().map(|id| id.seq).collect();
        let mut expected: Vec<u64> = vec![1, 1000];
        expected.extend(2..=501);
        assert_eq!(stored, expected, "{name}: 2..=501 are stored now");

        // A retry of the same push stores nothing twice, and is answered the same.
        let again = push_as(&db, office, Role::Office, unsent).await;
        assert_eq!(again.acked_through, 501, "{name}");
        assert_eq!(log(&db).await.len(), 502, "{name}: nothing stored twice");

        // An audit note is held too: its retry below the last is not noted twice, and a note
        // never seen is noted now.
        let entries = |db: yorisoi_server::db::Db| async move {
            db.audit_entries(&AuditQuery {
                client: None,
                person: None,
                from: None,
                to: None,
                limit: 10_000,
            })
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.event.action == Action::RecordOpened)
            .count()
        };
        push_as(&db, office, Role::Office, vec![note(writer, 1001, client)]).await;
        assert_eq!(entries(db.clone()).await, 1, "{name}");
        let retried = push_as(&db, office, Role::Office, vec![note(writer, 1001, client)]).await;
        assert_eq!(retried.acked_through, 1001, "{name}");
        assert_eq!(entries(db.clone()).await, 1, "{name}: not noted twice");
        let late = push_as(&db, office, Role::Office, vec![note(writer, 600, client)]).await;
        assert_eq!(late.acked_through, 600, "{name}");
        assert_eq!(
            entries(db.clone()).await,
            2,
            "{name}: a note never seen is noted"
        );
    }
}
