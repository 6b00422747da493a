//! A restore from a backup, end to end: the real server binary, its `backup` command, and two
//! tablets in real Chromium (a coach's and the office's). Edits both tablets synced after the
//! copy are on the restored server again once they sync, and the tablets go on syncing with it.

use std::collections::BTreeSet;
use std::process::Command;
use yorisoi_e2e::flows::{new_msfas, open_first_record, sync_now, wait_for_value};
use yorisoi_e2e::{Stack, dist};

const Q2_LINE0: &str = "#q-user1-q2-line0";
const Q2_LINE1: &str = "#q-user1-q2-line1";
const Q5: &str = "#q-user1-q5-line0";
const Q1_SITUATION: &str = "#q-user1-q1-r0-situation";

/// Every value in the server's log, as JSON text, and whether any change is in it twice.
async fn server_values(stack: &Stack) -> (Vec<String>, bool) {
    // A session made now: the restored database has the people, not sessions made after the copy.
    let cookie = yorisoi_e2e::api_session(
        &stack.server.url(""),
        "office",
        &yorisoi_e2e::new_device_id(),
    )
    .await;
    let log = yorisoi_e2e::log_from(|path| stack.server.url(path), &cookie).await;
    let ids: BTreeSet<String> = log.iter().map(|p| p["change"]["id"].to_string()).collect();
    let values = log
        .iter()
        .map(|p| p["change"]["value"].to_string())
        .collect();
    (values, ids.len() != log.len())
}

#[tokio::test]
async fn after_a_restore_every_acknowledged_edit_is_sent_again_and_sync_goes_on() {
    let mut stack = Stack::start().await;
    let coach = stack.browser().await;
    let office = stack.browser_as("office").await;
    new_msfas(&stack, &coach).await;
    coach.type_into(Q2_LINE0, "コピーの前").await;
    sync_now(&coach).await;
    office.goto(&stack.url("/clients")).await;
    sync_now(&office).await;
    open_first_record(&stack, &office).await;
    wait_for_value(&office, Q2_LINE0, "コピーの前").await;

    // The backup, as README says, while the server serves.
    let copies = tempfile::tempdir().unwrap();
    let copy = copies.path().join("yorisoi-backup.sqlite3");
    let made = Command::new(yorisoi_e2e::server_binary())
        .arg("--data")
        .arg(stack.data.path())
        .args(["backup", "--to"])
        .arg(&copy)
        .env("YORISOI_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );

    // After the copy: each tablet edits and syncs; the server acknowledges, the outboxes empty,
    // and each tablet pulls the other's edit (its cursor goes past where the copy's log ends).
    coach.type_into(Q5, "コピーの後にコーチ").await;
    sync_now(&coach).await;
    office.type_into(Q1_SITUATION, "コピーの後に事務所").await;
    sync_now(&office).await;
    sync_now(&coach).await;
    wait_for_value(&coach, Q1_SITUATION, "コピーの後に事務所").await;
    let (values, _) = server_values(&stack).await;
    assert!(values.iter().any(|v| v.contains("コピーの後にコーチ")));

    // The restore, as README says: stop the server, put the copy in the data folder, start it.
    stack.server.stop();
    let data = stack.data.path();
    std::fs::copy(&copy, data.join("yorisoi.sqlite3")).unwrap();
    for extra in ["yorisoi.sqlite3-wal", "yorisoi.sqlite3-shm"] {
        let _ = std::fs::remove_file(data.join(extra));
    }
    stack.redeploy(&dist()).await;
    let (values, _) = server_values(&stack).await;
    assert!(
        !values.iter().any(|v| v.contains("コピーの後")),
        "the restored server lacks the edits made after the copy"
    );

    // Both tablets sync: every edit is on the server again, none twice.
    sync_now(&coach).await;
    sync_now(&office).await;
    let (values, twice) = server_values(&stack).await;
    for edit in ["コピーの前", "コピーの後にコーチ", "コピーの後に事務所"] {
        assert!(
            values.iter().any(|v| v.contains(edit)),
            "{edit} is on the server again: {values:?}"
        );
    }
    assert!(!twice, "no change is stored twice");

    // And sync goes on: an edit made after the restore on one tablet reaches the other (whose
    // cursor was past the restored log's end).
    coach.type_into(Q2_LINE1, "復元の後").await;
    sync_now(&coach).await;
    sync_now(&office).await;
    wait_for_value(&office, Q2_LINE1, "復元の後").await;
    wait_for_value(&office, Q5, "コピーの後にコーチ").await;
    wait_for_value(&coach, Q1_SITUATION, "コピーの後に事務所").await;
}

async fn instance_of(server: &yorisoi_e2e::Server) -> String {
    let health: serde_json::Value = reqwest::get(server.url("/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    health["database"]["instance_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// `yorisoi-server restored` (what README says to run after `pg_restore`, or after restoring
/// the same SQLite copy twice) gives the database a new instance id; without a database it says
/// so and makes none.
#[tokio::test]
async fn the_restored_command_gives_the_database_a_new_instance_id() {
    let data = tempfile::tempdir().unwrap();
    let mut server = yorisoi_e2e::Server::start(&dist(), data.path()).await;
    let before = instance_of(&server).await;
    server.stop();
    let restored = Command::new(yorisoi_e2e::server_binary())
        .arg("--data")
        .arg(data.path())
        .arg("restored")
        .env("YORISOI_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    let server = yorisoi_e2e::Server::start(&dist(), data.path()).await;
    let after = instance_of(&server).await;
    assert_ne!(after, before);
    assert!(String::from_utf8_lossy(&restored.stdout).contains(&after));
    let empty = tempfile::tempdir().unwrap();
    let nothing = Command::new(yorisoi_e2e::server_binary())
        .arg("--data")
        .arg(empty.path())
        .arg("restored")
        .output()
        .unwrap();
    assert!(!nothing.status.success());
    assert!(!empty.path().join("yorisoi.sqlite3").exists());
}
