//! The real server binary serving the real build, over HTTP: what a browser and an operator see.

use yorisoi_e2e::{Server, dist};

async fn server() -> (Server, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    (Server::start(&dist(), data.path()).await, data)
}

#[tokio::test]
async fn healthz_answers_with_the_version_and_the_database_status() {
    let (server, _data) = server().await;
    let response = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["database"]["status"], "ok");
    assert!(
        body["app_build"].as_str().is_some_and(|b| b.len() == 16),
        "{body}"
    );
}

#[tokio::test]
async fn the_wasm_file_is_served_as_application_wasm_with_a_long_immutable_cache() {
    let (server, _data) = server().await;
    let index = reqwest::get(server.url("/")).await.unwrap();
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let html = index.text().await.unwrap();
    let wasm = std::fs::read_dir(dist())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with(".wasm"))
        .expect("the build has a wasm file");
    assert!(html.contains(&wasm), "index.html loads {wasm}");
    let response = reqwest::get(server.url(&format!("/{wasm}"))).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/wasm");
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn an_unknown_api_path_gets_a_json_404() {
    let (server, _data) = server().await;
    let response = reqwest::get(server.url("/api/v1/no-such-thing"))
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.headers()["content-type"], "application/json");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn the_service_worker_is_never_cached_and_lists_the_build() {
    let (server, _data) = server().await;
    let response = reqwest::get(server.url("/sw.js")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-cache");
    let text = response.text().await.unwrap();
    assert!(!text.contains("__YORISOI_"), "placeholders filled in");
    assert!(text.contains("\"/index.html\""), "index.html is precached");
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly_and_its_data_survives_a_restart() {
    let (mut server, data) = server().await;
    let before: serde_json::Value = reqwest::get(server.url("/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = server.terminate();
    assert!(status.success(), "exit status after SIGTERM: {status}");
    // The database was closed: SQLite folded its write-ahead log back into the file.
    assert!(
        !data.path().join("yorisoi.sqlite3-wal").exists(),
        "the WAL is checkpointed on shutdown"
    );
    // The database was closed properly: a new server on the same data is the same database.
    let again = Server::start(&dist(), data.path()).await;
    let after: serde_json::Value = reqwest::get(again.url("/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        after["database"]["instance_id"],
        before["database"]["instance_id"]
    );
}
