//! What the server writes to its log, read from a real `yorisoi-server` process at its most
//! talkative (`YORISOI_LOG=debug`, the database driver's statements included): a client's values
//! never reach it, since a log outlives an erase. Refusals are logged by code and change id.

use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use yorisoi_domain::accounts::Role;
use yorisoi_server::db::Db;

mod common;
mod support;
use support::*;

const MARKER: &str = "秘密のこたえ-MARKER-8d1f";

/// Copies everything `from` writes into `log`, and sends each line on `lines`.
fn collect(from: impl Read + Send + 'static, log: Arc<Mutex<String>>, lines: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            log.lock().unwrap().push_str(&line);
            log.lock().unwrap().push('\n');
            let _ = lines.send(line);
        }
    });
}

/// Starts the server binary on a free loopback port over `url`, every log line collected:
/// the process, its base URL, and its log.
fn start(url: &str, dir: &std::path::Path) -> (Child, String, Arc<Mutex<String>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yorisoi-server"))
        .env("YORISOI_ADDR", "127.0.0.1:0")
        .env("YORISOI_DATABASE_URL", url)
        .env("YORISOI_DATA", dir.join("data"))
        .env("YORISOI_DIST", dir.join("no-dist"))
        .env("YORISOI_LOG", "debug")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let (lines, seen) = mpsc::channel();
    collect(child.stdout.take().unwrap(), log.clone(), lines.clone());
    collect(child.stderr.take().unwrap(), log.clone(), lines);
    let base = loop {
        let line = seen
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("the server starts: {}", log.lock().unwrap()));
        if let Some((_, address)) = line.split_once("serving on http://") {
            let address = address.split_whitespace().next().unwrap_or_default();
            break format!("http://{address}");
        }
    };
    (child, base, log)
}

/// Stops the server as an operator would (SIGTERM), and waits for it.
fn stop(mut child: Child) {
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", pid.as_str()]).status();
    let _ = child.wait();
}

#[tokio::test]
async fn no_refused_value_and_no_typed_login_reaches_the_server_log() {
    for (name, url, dir) in common::database_urls().await {
        let db = Db::open(&url).await.unwrap();
        let office = add_person(&db, "office", Role::Office).await;
        let device = new_device();
        let cookie = signed_in(&db, office, device).await;
        db.close().await;

        let (child, base, log) = start(&url, dir.path());
        let http = reqwest::Client::new();
        let client = new_client();
        let mut changes = new_client_changes(device, 1, client);
        // A value of the wrong type (quoted by the parser's message), a consent that fails
        // its check, a field nobody knows, an unknown instrument: each names the marker.
        changes.push(client_change(
            device,
            3,
            client,
            "created_at",
            json!(MARKER),
        ));
        changes.push(client_change(device, 4, client, MARKER, json!(MARKER)));
        changes.push(client_change(
            device,
            5,
            client,
            "birth_date",
            json!(MARKER),
        ));
        let response = http
            .post(format!("{base}/api/v1/sync/push"))
            .header("cookie", &cookie)
            .json(&push_request(device, changes))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{name}");
        let answer: serde_json::Value = response.json().await.unwrap();
        let refused = answer["refused"].as_array().unwrap();
        assert_eq!(refused.len(), 3, "{name}: {answer}");
        assert!(
            answer.to_string().contains(MARKER),
            "{name}: the device itself is told what was wrong: {answer}"
        );
        // A body the server cannot read, and a login typed where a password belongs.
        let response = http
            .post(format!("{base}/api/v1/sync/push"))
            .header("cookie", &cookie)
            .header("content-type", "application/json")
            .body(format!("{{\"format\": \"{MARKER}\""))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{name}");
        let response = http
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"login": MARKER, "password": MARKER, "device": device}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 401, "{name}");
        stop(child);

        let log = log.lock().unwrap().clone();
        assert!(
            log.contains("change set aside") && log.contains("bad_value"),
            "{name}: the refusals are logged, by code: {log}"
        );
        assert!(
            log.contains(&format!("{device}#3")) && log.contains(&format!("{device}#5")),
            "{name}: with the change's id: {log}"
        );
        assert!(
            !log.contains(MARKER),
            "{name}: the marker is in the log:\n{log}"
        );
        assert!(
            !log.contains("秘密"),
            "{name}: part of the marker is in the log:\n{log}"
        );
    }
}
