//! The changes set aside, attacked through the real router on every database the run can reach:
//! the administrator's list holds no value and a value is shown only to someone who may read its
//! client (each view audited); accepting checks the right of the person who pushed the change;
//! a device's audit notes keep to its person's clients; the list is paged and every decision
//! names its client; and one device can fill the store only so far.

use axum::http::StatusCode;
use serde_json::json;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::audit::{Action, Entry, NOTE_FIELD, Note};
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::sync::Change;
use yorisoi_domain::sync::check::Refusal;
use yorisoi_domain::sync::quarantine::{SetAside, SetAsidePage};
use yorisoi_server::AppState;

mod common;
mod support;
use support::*;

/// The audit entries about `client`, newest first.
async fn audit_of(state: &AppState, admin: &Tablet, client: ClientId) -> Vec<Entry> {
    let reply = get(format!("/api/v1/audit?client={client}"))
        .cookie(Some(&admin.cookie))
        .send(state)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()
}

async fn page(state: &AppState, admin: &Tablet, query: &str) -> SetAsidePage {
    let reply = get(format!("/api/v1/quarantine{query}"))
        .cookie(Some(&admin.cookie))
        .send(state)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()
}

/// Coach A's client X, and the ids of B's change to it that was set aside.
async fn a_client_and_a_change_set_aside(
    state: &AppState,
    a: &mut Tablet,
    b: &mut Tablet,
    value: &str,
) -> (ClientId, i64) {
    let x = new_client();
    let created = a.new_client(x);
    assert!(a.push(state, created).await.refused.is_empty());
    let change = b.change(x, "notes", json!(value));
    let pushed = b.push(state, vec![change.clone()]).await;
    assert_eq!(pushed.refused.len(), 1, "{pushed:?}");
    let id = state
        .db
        .set_aside_page(None, 1000)
        .await
        .unwrap()
        .entries
        .into_iter()
        .find(|e| e.change_id == change.id)
        .unwrap()
        .id;
    (x, id)
}

#[tokio::test]
async fn an_administrator_never_reads_a_value_set_aside_and_every_view_of_one_is_audited() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let office = Tablet::new(&db, "office", Role::Office).await;
        let mut a = Tablet::new(&db, "coach-a", Role::Coach).await;
        let mut b = Tablet::new(&db, "coach-b", Role::Coach).await;
        let secret = "B が書いた秘密のメモ";
        let (x, id) = a_client_and_a_change_set_aside(&state, &mut a, &mut b, secret).await;

        let reply = get("/api/v1/quarantine")
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        assert!(
            !reply.text.contains(secret),
            "{name}: the list holds no value: {}",
            reply.text
        );
        let view =
            |tablet: &Tablet| get(format!("/api/v1/quarantine/{id}")).cookie(Some(&tablet.cookie));
        let reply = view(&admin).send(&state).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{name}: {}",
            reply.text
        );
        let reply = view(&b).send(&state).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{name}: B may not read X, even their own change to it: {}",
            reply.text
        );
        assert!(!reply.text.contains(secret), "{name}");
        for reader in [&a, &office] {
            let reply = view(reader).send(&state).await;
            assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
            let whole: SetAside = reply.json();
            assert_eq!(whole.change.value, json!(secret), "{name}");
        }
        let views: Vec<Entry> = audit_of(&state, &admin, x)
            .await
            .into_iter()
            .filter(|e| e.event.action == Action::SetAsideViewed)
            .collect();
        let viewers: Vec<_> = views.iter().map(|e| e.event.person).collect();
        assert_eq!(
            viewers,
            [Some(office.person), Some(a.person)],
            "{name}: every view, and only those, audited: {views:?}"
        );
        assert!(
            views
                .iter()
                .all(|e| e.event.detail == [format!("set_aside:{id}")])
        );
    }
}

#[tokio::test]
async fn an_administrators_own_push_set_aside_cannot_be_accepted_by_an_administrator() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let mut admin = Tablet::new(&db, "admin", Role::Admin).await;
        let mut a = Tablet::new(&db, "coach-a", Role::Coach).await;
        let x = new_client();
        let created = a.new_client(x);
        assert!(a.push(&state, created).await.refused.is_empty());
        let forged = admin.change(x, "notes", json!("管理者が書いた言葉"));
        let pushed = admin.push(&state, vec![forged.clone()]).await;
        assert_eq!(pushed.refused[0].refusal, Refusal::NotInScope, "{name}");
        let id = page(&state, &admin, "")
            .await
            .entries
            .into_iter()
            .find(|e| e.change_id == forged.id)
            .unwrap()
            .id;
        let reply = post(format!("/api/v1/quarantine/{id}/accept"))
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::CONFLICT, "conflict"),
            "{name}: {}",
            reply.text
        );
        assert!(
            reply.text.contains("administrator"),
            "{name}: {}",
            reply.text
        );
        assert!(
            !log(&db).await.contains(&forged.id),
            "{name}: nothing stored"
        );
        let entry = page(&state, &admin, "").await.entries;
        assert!(
            entry.iter().any(|e| e.id == id && e.decision.is_none()),
            "{name}: still undecided"
        );
    }
}

/// An access a device recorded, as the app queues it.
fn note(tablet: &mut Tablet, client: ClientId, action: Action) -> Change {
    let mut change = tablet.change(client, NOTE_FIELD, json!(null));
    change.value = Note {
        action,
        at: 1_795_000_000_000,
        detail: vec!["print".into()],
    }
    .to_value();
    change
}

#[tokio::test]
async fn a_coach_cannot_write_notes_into_the_access_record_of_another_coachs_client() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let mut a = Tablet::new(&db, "coach-a", Role::Coach).await;
        let mut b = Tablet::new(&db, "coach-b", Role::Coach).await;
        let x = new_client();
        let mut changes = a.new_client(x);
        changes.push(note(&mut a, x, Action::RecordOpened));
        let pushed = a.push(&state, changes).await;
        assert!(pushed.refused.is_empty(), "{name}: A's own: {pushed:?}");

        let forged = vec![
            note(&mut b, x, Action::Printed),
            note(&mut b, x, Action::RecordOpened),
        ];
        let pushed = b.push(&state, forged.clone()).await;
        assert_eq!(
            pushed
                .refused
                .iter()
                .map(|r| (r.id, r.refusal.clone()))
                .collect::<Vec<_>>(),
            forged
                .iter()
                .map(|c| (c.id, Refusal::NotInScope))
                .collect::<Vec<_>>(),
            "{name}: set aside like any change"
        );
        assert_eq!(pushed.acked_through, 2, "{name}");
        let entries = audit_of(&state, &admin, x).await;
        assert!(
            !entries.iter().any(|e| e.event.person == Some(b.person)),
            "{name}: nothing of B in X's access record: {entries:#?}"
        );
        assert!(
            entries
                .iter()
                .any(|e| e.event.person == Some(a.person)
                    && e.event.action == Action::RecordOpened),
            "{name}: A's note is there"
        );
    }
}

#[tokio::test]
async fn the_set_aside_list_is_paged_past_a_thousand_and_every_decision_names_its_client() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let mut a = Tablet::new(&db, "coach-a", Role::Coach).await;
        let mut b = Tablet::new(&db, "coach-b", Role::Coach).await;
        let (x, oldest) = a_client_and_a_change_set_aside(&state, &mut a, &mut b, "最初").await;
        for round in 0..3 {
            let changes: Vec<Change> = (0..350)
                .map(|n| b.change(x, "notes", json!(format!("{round}-{n}"))))
                .collect();
            assert_eq!(b.push(&state, changes).await.refused.len(), 350, "{name}");
        }
        // Every entry, page by page, each once, newest first.
        let (mut seen, mut before, mut pages) = (Vec::new(), String::new(), 0);
        loop {
            let page = page(&state, &admin, &format!("?limit=400{before}")).await;
            pages += 1;
            assert_eq!(page.undecided, 1051, "{name}");
            seen.extend(page.entries.iter().map(|e| e.id));
            if !page.more {
                break;
            }
            before = format!("&before={}", page.entries.last().unwrap().id);
        }
        assert_eq!(pages, 3, "{name}");
        assert_eq!(seen.len(), 1051, "{name}");
        assert!(
            seen.windows(2).all(|w| w[0] > w[1]),
            "{name}: newest first, each once"
        );
        assert_eq!(seen.last(), Some(&oldest), "{name}");
        let reply = get("/api/v1/quarantine?limit=0&before=x")
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        assert_eq!(reply.code(), "bad_request", "{name}: {}", reply.text);

        // A decision on the oldest (past the newest thousand) names its client.
        let reply = post(format!("/api/v1/quarantine/{oldest}/discard"))
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "{name}: {}",
            reply.text
        );
        let decided: Vec<Entry> = audit_of(&state, &admin, x)
            .await
            .into_iter()
            .filter(|e| e.event.action == Action::QuarantineDecided)
            .collect();
        assert_eq!(decided.len(), 1, "{name}: {decided:?}");
        assert_eq!(
            decided[0].event.detail,
            ["discarded".to_string(), format!("set_aside:{oldest}")]
        );
    }
}

#[tokio::test]
async fn one_device_fills_the_set_aside_store_only_so_far_and_loses_nothing_past_it() {
    for (name, db, dir) in common::databases().await {
        let db = db.with_set_aside_limit(5);
        let state = state(&db, &dir);
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let mut a = Tablet::new(&db, "coach-a", Role::Coach).await;
        let mut b = Tablet::new(&db, "coach-b", Role::Coach).await;
        let (x, first) = a_client_and_a_change_set_aside(&state, &mut a, &mut b, "1").await;
        let more: Vec<Change> = (0..3).map(|n| b.change(x, "notes", json!(n))).collect();
        assert_eq!(b.push(&state, more).await.acked_through, 4, "{name}");
        // Four undecided: two more would pass the bound. Refused whole, with a code.
        let y = new_client();
        let mut over = b.new_client(y);
        over.extend((0..2).map(|n| b.change(x, "notes", json!(n))));
        let push = |changes: Vec<Change>| {
            post("/api/v1/sync/push")
                .cookie(Some(&b.cookie))
                .json(&push_request(b.device, changes))
        };
        let before = log(&db).await;
        let reply = push(over.clone()).send(&state).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::CONFLICT, "set_aside_full"),
            "{name}: {}",
            reply.text
        );
        assert_eq!(log(&db).await, before, "{name}: nothing of it stored");
        // Another device's pushes go on.
        let mut other = Tablet::new(&db, "coach-b", Role::Coach).await;
        let late = other.change(x, "notes", json!("別の端末"));
        assert_eq!(
            other.push(&state, vec![late]).await.refused.len(),
            1,
            "{name}"
        );
        // Once an administrator decides, the same push goes through whole: nothing was lost.
        let reply = post(format!("/api/v1/quarantine/{first}/discard"))
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "{name}: {}",
            reply.text
        );
        let reply = push(over.clone()).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let pushed: yorisoi_domain::sync::protocol::PushResponse = reply.json();
        assert_eq!(pushed.acked_through, over.last().unwrap().id.seq, "{name}");
        assert!(log(&db).await.contains(&over[0].id), "{name}: Y is stored");
        assert_eq!(pushed.refused.len(), 2, "{name}");
    }
}
