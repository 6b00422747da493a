//! The server's routes through `router(state).oneshot(..)`, with a real SQLite database in a
//! temporary folder and a small build of the app made by the test.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use std::path::Path;
use tower::ServiceExt;
use yorisoi_server::{AppState, db::Db, router, shell::Shell};

const SW_TEMPLATE: &str =
    "const BUILD = '__YORISOI_BUILD__';\nconst PRECACHE = [\"__YORISOI_PRECACHE__\"];\n";
const WASM: &str = "yorisoi-app-0123456789abcdef_bg.wasm";

fn write_build(dist: &Path) {
    std::fs::create_dir_all(dist.join("icons")).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!DOCTYPE html><title>寄り添い</title>",
    )
    .unwrap();
    std::fs::write(dist.join("sw.js"), SW_TEMPLATE).unwrap();
    // Large enough to be worth compressing.
    std::fs::write(dist.join(WASM), vec![0u8; 4096]).unwrap();
    std::fs::write(dist.join("icons/icon-192.png"), b"png").unwrap();
}

struct Fixture {
    state: AppState,
    dirs: tempfile::TempDir,
}

async fn fixture(with_build: bool) -> Fixture {
    let dirs = tempfile::tempdir().unwrap();
    let dist = dirs.path().join("dist");
    if with_build {
        write_build(&dist);
    }
    let url = format!(
        "sqlite://{}",
        dirs.path().join("data/yorisoi.sqlite3").display()
    );
    let db = Db::open(&url).await.unwrap();
    Fixture {
        state: AppState::new(db, Shell::load(&dist)),
        dirs,
    }
}

async fn get(state: &AppState, path: &str, headers: &[(&str, &str)]) -> axum::response::Response {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    router(state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

async fn body_text(response: axum::response::Response) -> String {
    String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap()
}

#[tokio::test]
async fn healthz_reports_version_database_and_build() {
    let f = fixture(true).await;
    let response = get(&f.state, "/healthz", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["database"]["status"], "ok");
    assert_eq!(body["database"]["instance_id"], f.state.db.instance_id());
    assert_eq!(body["app_build"], f.state.shell.build_id().unwrap());
}

#[tokio::test]
async fn the_database_keeps_its_instance_id_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("db.sqlite3").display());
    let first = Db::open(&url).await.unwrap().instance_id().to_owned();
    let second = Db::open(&url).await.unwrap().instance_id().to_owned();
    assert_eq!(first, second);
    let other = tempfile::tempdir().unwrap();
    let elsewhere = Db::open(&format!(
        "sqlite://{}",
        other.path().join("db.sqlite3").display()
    ))
    .await
    .unwrap();
    assert_ne!(elsewhere.instance_id(), first);
}

#[tokio::test]
async fn an_unsupported_database_url_is_a_clear_error() {
    let error = Db::open("mysql://localhost/yorisoi").await.unwrap_err();
    assert!(
        error.to_string().contains("unsupported database URL"),
        "{error}"
    );
}

#[tokio::test]
async fn unknown_api_paths_get_json_404_for_every_method() {
    let f = fixture(true).await;
    for method in ["GET", "POST", "DELETE"] {
        let request = Request::builder()
            .method(method)
            .uri("/api/v1/nothing/here")
            .body(Body::empty())
            .unwrap();
        let response = router(f.state.clone()).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("/api/v1/nothing/here")
        );
    }
}

#[tokio::test]
async fn app_routes_are_answered_by_index_html_without_caching() {
    let f = fixture(true).await;
    for path in [
        "/",
        "/clients",
        "/clients/0190f0a0-0000-7000-8000-000000000000/assessments/x",
        "/settings",
    ] {
        let response = get(&f.state, path, &[]).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            response.headers()[header::CACHE_CONTROL],
            "no-cache",
            "{path}"
        );
        assert!(
            response.headers()[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(body_text(response).await.contains("寄り添い"));
    }
}

#[tokio::test]
async fn hashed_assets_are_immutable_and_a_missing_asset_is_a_404_not_the_app() {
    let f = fixture(true).await;
    let response = get(&f.state, &format!("/{WASM}"), &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(
        response.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let icon = get(&f.state, "/icons/icon-192.png", &[]).await;
    assert_eq!(icon.headers()[header::CACHE_CONTROL], "no-cache");
    let missing = get(&f.state, "/yorisoi-app-ffffffffffffffff.js", &[]).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(missing.headers()[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn responses_are_compressed_with_brotli_or_gzip_as_the_browser_accepts() {
    let f = fixture(true).await;
    for (accept, expected) in [
        ("br", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let response = get(
            &f.state,
            &format!("/{WASM}"),
            &[("accept-encoding", accept)],
        )
        .await;
        let encoding = response
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(encoding.as_deref(), expected, "{accept}");
    }
}

#[tokio::test]
async fn the_service_worker_lists_every_file_and_changes_when_the_build_does() {
    let f = fixture(true).await;
    let response = get(&f.state, "/sw.js", &[]).await;
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let text = body_text(response).await;
    let build = f.state.shell.build_id().unwrap();
    assert!(text.contains(&format!("const BUILD = '{build}'")), "{text}");
    for file in ["/index.html", "/icons/icon-192.png", &format!("/{WASM}")] {
        assert!(
            text.contains(&format!("\"{file}\"")),
            "{file} precached: {text}"
        );
    }
    assert!(
        !text.contains("\"/sw.js\""),
        "the worker does not cache itself"
    );

    // A deploy that changes one file gives another build id, so browsers see a new worker.
    let dist = f.dirs.path().join("dist");
    assert_eq!(Shell::load(&dist).build_id(), Some(build));
    std::fs::write(
        dist.join("index.html"),
        "<!DOCTYPE html><title>寄り添い v2</title>",
    )
    .unwrap();
    assert_ne!(Shell::load(&dist).build_id(), Some(build));
}

#[tokio::test]
async fn without_a_build_the_api_still_serves_and_pages_say_why() {
    let f = fixture(false).await;
    assert_eq!(f.state.shell.build_id(), None);
    let page = get(&f.state, "/", &[]).await;
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(body_text(page).await.contains("cargo xtask serve"));
    let health = get(&f.state, "/healthz", &[]).await;
    assert_eq!(health.status(), StatusCode::OK);
    let body: serde_json::Value = serde_json::from_str(&body_text(health).await).unwrap();
    assert_eq!(body["app_build"], serde_json::Value::Null);
}
