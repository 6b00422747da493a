//! `yorisoi-server backup`: a consistent copy of a running server's SQLite database, and a
//! restore from it, with the real server binary.

use serde_json::{Value, json};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use yorisoi_e2e::{Server, dist};

const WRITER: &str = "01a1ee56-5e00-7ba0-8ba0-000000000001";
const CLIENT: &str = "01a1ee56-5e00-7c00-8c00-000000000001";
const RECORD: &str = "01a1ee56-5e00-7d00-8d00-000000000001";

fn change(seq: u64, field: &str, value: Value) -> Value {
    json!({
        "id": {"device": WRITER, "seq": seq},
        "entity": {"type": "record", "id": RECORD},
        "client": CLIENT,
        "field": field,
        "base": [],
        "value": value,
    })
}

async fn push(http: &reqwest::Client, server: &Server, cookie: &str, changes: Vec<Value>) {
    let answer: Value = http
        .post(server.url("/api/v1/sync/push"))
        .header("cookie", cookie)
        .json(&json!({"format": 1, "device": WRITER, "changes": changes}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(answer["refused"].is_null(), "{answer}");
}

fn backup(data: &std::path::Path, to: &std::path::Path) -> std::process::Output {
    Command::new(yorisoi_e2e::server_binary())
        .arg("--data")
        .arg(data)
        .args(["backup", "--to"])
        .arg(to)
        .env("YORISOI_LOG", "warn")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_servers_database_is_copied_consistently_and_the_copy_serves_after_a_restore() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(&dist(), data.path()).await;
    server.add_person("office", "office");
    let cookie = yorisoi_e2e::api_session(&server.url(""), "office", WRITER).await;
    let http = reqwest::Client::new();
    let catalogue = yorisoi_domain::catalogue::Catalogue::builtin().unwrap();
    let msfas = serde_json::to_value(catalogue.latest("msfas").unwrap().reference()).unwrap();
    push(
        &http,
        &server,
        &cookie,
        vec![change(1, "instrument", msfas)],
    )
    .await;

    // A device keeps pushing answers while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let pusher = {
        let (stop, http, url, cookie) =
            (stop.clone(), http.clone(), server.url(""), cookie.clone());
        tokio::spawn(async move {
            let mut seq = 1;
            while !stop.load(Ordering::Relaxed) {
                let changes: Vec<Value> = (0..50)
                    .map(|_| {
                        seq += 1;
                        change(
                            seq,
                            "answers.user1.q2",
                            json!({"type": "text", "lines": [format!("回答 {seq}")]}),
                        )
                    })
                    .collect();
                let response = http
                    .post(format!("{url}/api/v1/sync/push"))
                    .header("cookie", &cookie)
                    .json(&json!({"format": 1, "device": WRITER, "changes": changes}))
                    .send()
                    .await
                    .unwrap();
                assert!(response.status().is_success());
            }
            seq
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let copies = tempfile::tempdir().unwrap();
    let copy = copies.path().join("yorisoi-backup.sqlite3");
    let made = backup(data.path(), &copy);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let last_seq = pusher.await.unwrap();
    let live = yorisoi_e2e::log_from(|path| server.url(path), &cookie).await;
    assert_eq!(live.len() as u64, last_seq, "the server kept serving");

    // Restore: the copy, put in a new data folder, is what a server starts from.
    let restored_data = tempfile::tempdir().unwrap();
    std::fs::copy(&copy, restored_data.path().join("yorisoi.sqlite3")).unwrap();
    let restored = Server::start(&dist(), restored_data.path()).await;
    // The copy holds the people and their sessions too: the device's session goes on working.
    let snapshot = yorisoi_e2e::log_from(|path| restored.url(path), &cookie).await;
    assert!(
        snapshot.len() > 1 && snapshot.len() < live.len(),
        "the copy holds the log as it was mid-pushing: {} of {}",
        snapshot.len(),
        live.len()
    );
    assert_eq!(
        snapshot[..],
        live[..snapshot.len()],
        "the copy is one consistent moment of the log: a prefix, nothing torn"
    );
    // The restored server takes the device's next push after the ones it has.
    let next = snapshot.len() as u64 + 1;
    push(
        &http,
        &restored,
        &cookie,
        vec![change(next, "status", json!("complete"))],
    )
    .await;
    assert_eq!(
        yorisoi_e2e::log_from(|path| restored.url(path), &cookie)
            .await
            .len(),
        snapshot.len() + 1
    );

    // A backup never overwrites a file: it says so, and the file is untouched.
    let before = std::fs::read(&copy).unwrap();
    let again = backup(data.path(), &copy);
    assert!(!again.status.success());
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("exists already"), "{said}");
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    // Nor does it make a database where there is none.
    let empty = tempfile::tempdir().unwrap();
    let nothing = backup(empty.path(), &copies.path().join("other.sqlite3"));
    assert!(!nothing.status.success());
    assert!(
        String::from_utf8_lossy(&nothing.stderr).contains("there is no database"),
        "{}",
        String::from_utf8_lossy(&nothing.stderr)
    );
    assert!(!empty.path().join("yorisoi.sqlite3").exists());
}

fn audit_check(data: &std::path::Path) -> std::process::Output {
    Command::new(yorisoi_e2e::server_binary())
        .arg("--data")
        .arg(data)
        .arg("audit-check")
        .env("YORISOI_LOG", "warn")
        .output()
        .unwrap()
}

/// `yorisoi-server audit-check` passes on a server's own log and fails, saying where, on a log
/// someone edited past the server (triggers dropped by the database's owner).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_check_command_finds_an_entry_edited_in_the_database() {
    let data = tempfile::tempdir().unwrap();
    let mut server = Server::start(&dist(), data.path()).await;
    server.add_person("office", "office");
    for _ in 0..3 {
        yorisoi_e2e::api_session(&server.url(""), "office", WRITER).await;
    }
    server.stop();
    let whole = audit_check(data.path());
    let said = String::from_utf8_lossy(&whole.stdout);
    assert!(
        whole.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&whole.stderr)
    );
    assert!(said.contains("the audit log is whole"), "{said}");

    let url = format!("sqlite://{}", data.path().join("yorisoi.sqlite3").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::raw_sql(
        "DROP TRIGGER audit_no_update; UPDATE audit SET action = 'sign_out' WHERE seq = 2",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let broken = audit_check(data.path());
    let said = String::from_utf8_lossy(&broken.stderr);
    assert!(!broken.status.success());
    assert!(said.contains("entry 2 was changed"), "{said}");
}
