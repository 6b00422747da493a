//! A restore from a backup: the database gets a new instance id (a backup copy has its own;
//! `yorisoi-server restored` renews it after `pg_restore`), every sync answer carries it, a push
//! made against the database a device knew is refused whole, and the server answers how far it
//! holds each of the device's writers, so a device sends again what the restored database lacks
//! and it is stored, with the same ids and values.

use axum::http::StatusCode;
use serde_json::json;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::sync::protocol::{
    BOOTSTRAP_FORMAT, INSTANCE_CHANGED, PushResponse, WIRE_FORMAT, Writers, unframe,
};
use yorisoi_domain::sync::{Change, ChangeId};
use yorisoi_server::AppState;
use yorisoi_server::db::Db;

mod common;
mod support;
use support::*;

async fn push_to(state: &AppState, tablet: &Tablet, instance: &str, changes: Vec<Change>) -> Reply {
    post(format!("/api/v1/sync/push?instance={instance}"))
        .cookie(Some(&tablet.cookie))
        .json(&push_request(tablet.device, changes))
        .send(state)
        .await
}

async fn writers(state: &AppState, tablet: &Tablet) -> Writers {
    let reply = get(format!("/api/v1/sync/writers?format={WIRE_FORMAT}"))
        .cookie(Some(&tablet.cookie))
        .send(state)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json()
}

/// On both databases: the push, pull and bootstrap answers name the database's instance id; a
/// push naming another id is refused (409 `instance_changed`) and stores nothing; `restored`
/// (`Db::renew_instance_id`) gives the database a new id that it keeps when opened again.
#[tokio::test]
async fn every_sync_answer_carries_the_instance_id_and_a_renewed_id_refuses_a_stale_push() {
    for (name, db, url, dir) in databases_with_urls().await {
        let state = state(&db, &dir);
        let mut tablet = Tablet::new(&db, "office", Role::Office).await;
        let client = new_client();
        let first = tablet.new_client(client);
        let id = db.instance_id().to_owned();
        let pushed = tablet.push(&state, first).await;
        assert_eq!(pushed.instance, id, "{name}: the push's answer");
        let pulled = tablet.pull(&state, 0, 0).await;
        assert_eq!(pulled.instance, id, "{name}: the pull's answer");
        let reply = get(format!("/api/v1/sync/bootstrap?format={BOOTSTRAP_FORMAT}"))
            .cookie(Some(&tablet.cookie))
            .send(&state)
            .await;
        assert_eq!(
            unframe(&reply.bytes).unwrap().0.instance,
            id,
            "{name}: bootstrap"
        );
        let known = writers(&state, &tablet).await;
        assert_eq!(known.instance, id);
        assert_eq!(
            known
                .writers
                .iter()
                .map(|w| (w.writer, w.last_seq))
                .collect::<Vec<_>>(),
            vec![(tablet.device, 2)],
            "{name}: the device's writer and how far it is stored"
        );

        // A restore: the database gets a new id.
        let fresh = db.renew_instance_id().await.unwrap();
        db.close().await;
        assert_ne!(fresh, id, "{name}");
        let db = Db::open(&url).await.unwrap();
        assert_eq!(db.instance_id(), fresh, "{name}: kept when opened again");
        let state = state_of(&db, &dir);
        let before = log(&db).await;
        let change = tablet.change(client, "notes", json!("後から"));
        let stale = push_to(&state, &tablet, &id, vec![change.clone()]).await;
        assert_eq!(
            (stale.status, stale.code()),
            (StatusCode::CONFLICT, INSTANCE_CHANGED),
            "{name}: {}",
            stale.text
        );
        assert_eq!(
            log(&db).await,
            before,
            "{name}: nothing of a stale push is stored"
        );
        let current = push_to(&state, &tablet, &fresh, vec![change.clone()]).await;
        assert_eq!(current.status, StatusCode::OK, "{name}: {}", current.text);
        let answer: PushResponse = current.json();
        assert_eq!(
            (answer.acked_through, answer.instance.as_str()),
            (3, fresh.as_str())
        );
        assert!(log(&db).await.contains(&change.id), "{name}");
        db.close().await;
    }
}

/// SQLite: `backup`'s copy has an instance id of its own (the live database keeps its id), and
/// once served after a restore, a device that pushed after the copy learns how far the copy
/// holds its writer and sends the rest again: stored with the same ids, the log whole again.
#[tokio::test]
async fn a_backup_copy_has_its_own_instance_id_and_takes_back_what_a_device_sends_again() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("live.sqlite3").display());
    let live = Db::open(&url).await.unwrap();
    let state = state(&live, &dir);
    let mut tablet = Tablet::new(&live, "office", Role::Office).await;
    let client = new_client();
    let mut all: Vec<Change> = tablet.new_client(client);
    tablet.push(&state, all.clone()).await;

    let copy = dir.path().join("copy.sqlite3");
    live.backup(&copy).await.unwrap();
    assert!(
        live.backup(&copy).await.is_err(),
        "a copy is never written over"
    );
    let after: Vec<Change> = (0..3)
        .map(|n| tablet.change(client, "notes", json!(format!("コピーの後 {n}"))))
        .collect();
    tablet.push(&state, after.clone()).await;
    all.extend(after);
    let live_id = live.instance_id().to_owned();
    live.close().await;
    assert_eq!(
        Db::open(&url).await.unwrap().instance_id(),
        live_id,
        "the live database keeps its id"
    );

    // The restore: the copy serves.
    let restored = Db::open(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    assert_ne!(
        restored.instance_id(),
        live_id,
        "the copy has an id of its own"
    );
    let state = state_of(&restored, &dir);
    let late = tablet.change(client, "notes", json!("x"));
    tablet.next_seq -= 1;
    let stale = push_to(&state, &tablet, &live_id, vec![late]).await;
    assert_eq!(stale.code(), INSTANCE_CHANGED, "{}", stale.text);
    let known = writers(&state, &tablet).await;
    assert_eq!(known.instance, restored.instance_id());
    let held = known
        .writers
        .iter()
        .find(|w| w.writer == tablet.device)
        .map_or(0, |w| w.last_seq);
    assert_eq!(
        held, 2,
        "the copy holds the writer as far as it was at the copy"
    );
    let missing: Vec<Change> = all.iter().filter(|c| c.id.seq > held).cloned().collect();
    assert_eq!(missing.len(), 3);
    let again = push_to(&state, &tablet, restored.instance_id(), missing).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text);
    let answer: PushResponse = again.json();
    assert_eq!(answer.acked_through, 5);
    assert!(answer.refused.is_empty(), "{:?}", answer.refused);
    let ids: Vec<ChangeId> = all.iter().map(|c| c.id).collect();
    assert_eq!(
        log(&restored).await,
        ids,
        "every change is on the server again, once"
    );
    let pulled = tablet.pull(&state, 0, 0).await;
    assert_eq!(
        pulled
            .changes
            .iter()
            .map(|p| p.change.clone())
            .collect::<Vec<_>>(),
        all,
        "with the same values"
    );
}

fn state_of(db: &Db, dir: &tempfile::TempDir) -> AppState {
    state(db, dir)
}

/// PostgreSQL, as README says: `pg_dump`, more pushes, every server stopped, `pg_restore
/// --clean`. The restored database has the dumped id back (why README says to run `restored`);
/// once renewed, a device's changes after the dump are taken back when it sends them again.
#[tokio::test]
async fn a_postgres_restore_with_pg_restore_then_restored_takes_back_what_a_device_sends_again() {
    for (name, db, url, dir) in databases_with_urls().await {
        let tools = std::process::Command::new("pg_dump")
            .arg("--version")
            .output()
            .is_ok();
        if name != "postgres" || !tools {
            if name == "postgres" {
                eprintln!("pg_dump is not installed: the PostgreSQL restore is not tried");
            }
            db.close().await;
            continue;
        }
        let state = state_of(&db, &dir);
        let mut tablet = Tablet::new(&db, "office", Role::Office).await;
        let client = new_client();
        let mut all = tablet.new_client(client);
        tablet.push(&state, all.clone()).await;
        let dump = dir.path().join("yorisoi.dump");
        let dumped = std::process::Command::new("pg_dump")
            .args(["--format=custom", "--file"])
            .arg(&dump)
            .arg(&url)
            .output()
            .expect("pg_dump runs");
        assert!(
            dumped.status.success(),
            "{}",
            String::from_utf8_lossy(&dumped.stderr)
        );
        let after: Vec<Change> = (0..3)
            .map(|n| tablet.change(client, "notes", json!(format!("ダンプの後 {n}"))))
            .collect();
        tablet.push(&state, after.clone()).await;
        all.extend(after);
        let old_id = db.instance_id().to_owned();
        db.close().await;

        let restored = std::process::Command::new("pg_restore")
            .args(["--clean", "--dbname"])
            .arg(&url)
            .arg(&dump)
            .output()
            .expect("pg_restore runs");
        assert!(
            restored.status.success(),
            "{}",
            String::from_utf8_lossy(&restored.stderr)
        );
        let db = Db::open(&url).await.unwrap();
        assert_eq!(
            db.instance_id(),
            old_id,
            "pg_restore brings the dumped id back"
        );
        assert_eq!(log(&db).await.len(), 2, "and the log as it was at the dump");
        let fresh = db.renew_instance_id().await.unwrap();
        db.close().await;
        let db = Db::open(&url).await.unwrap();
        assert_eq!(db.instance_id(), fresh);
        let state = state_of(&db, &dir);
        let known = writers(&state, &tablet).await;
        let held = known
            .writers
            .iter()
            .find(|w| w.writer == tablet.device)
            .map_or(0, |w| w.last_seq);
        assert_eq!(held, 2);
        let missing: Vec<Change> = all.iter().filter(|c| c.id.seq > held).cloned().collect();
        let again = push_to(&state, &tablet, &fresh, missing).await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.text);
        let ids: Vec<ChangeId> = all.iter().map(|c| c.id).collect();
        assert_eq!(
            log(&db).await,
            ids,
            "every change is on the server again, once"
        );
        db.close().await;
    }
}
