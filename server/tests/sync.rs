//! Sync storage and endpoints against real databases: SQLite always, and PostgreSQL when
//! `YORISOI_TEST_POSTGRES_URL` names a server (`cargo xtask test` starts one on loopback).
//! The last test syncs two devices through a real server on a port-0 listener over HTTP.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::ids::{ClientId, DeviceId, RecordId};
use yorisoi_domain::sync::protocol::{PullResponse, PushRequest, PushResponse, WIRE_FORMAT};
use yorisoi_domain::sync::{Change, ChangeId, Entity, Outbox, Replica};
use yorisoi_server::{AppState, db::Db, router, shell::Shell};

mod common;
use common::{database_urls, databases, office, session};

fn device(n: u8) -> DeviceId {
    DeviceId::new_v7(1_795_000_000_000 + u64::from(n), [n; 10])
}

fn client() -> ClientId {
    ClientId::new_v7(1_795_000_000_000, [7; 10])
}

fn record() -> Entity {
    Entity::Record(RecordId::new_v7(1_795_000_000_000, [8; 10]))
}

fn change(device: DeviceId, seq: u64, field: &str, value: Value) -> Change {
    Change {
        id: ChangeId { device, seq },
        entity: record(),
        client: client(),
        field: field.into(),
        base: vec![],
        value,
    }
}

/// A text answer as the app writes it.
fn text(words: impl ToString) -> Value {
    json!({"type": "text", "lines": [words.to_string()]})
}

/// The record's instrument, as the app writes it first.
fn msfas() -> Value {
    let catalogue = yorisoi_domain::catalogue::Catalogue::builtin().unwrap();
    serde_json::to_value(catalogue.latest("msfas").unwrap().reference()).unwrap()
}

/// Makes the record known to the server (another device created it), so answers to it are
/// checked against its instrument.
async fn create_record(db: &Db) {
    let creator = device(99);
    let request = push_request(creator, vec![change(creator, 1, "instrument", msfas())]);
    let pushed = db.push(&request, 1, &office(&request)).await.unwrap();
    assert!(pushed.refused.is_empty(), "{:?}", pushed.refused);
}

fn push_request(device: DeviceId, changes: Vec<Change>) -> PushRequest {
    PushRequest {
        format: WIRE_FORMAT,
        device,
        changes,
    }
}

#[tokio::test]
async fn a_push_is_stored_once_however_often_it_is_retried_and_pulls_follow_the_servers_order() {
    for (name, db, _dir) in databases().await {
        create_record(&db).await;
        let (a, b) = (device(1), device(2));
        let first = push_request(
            a,
            (1..=3)
                .map(|s| change(a, s, "answers.user1.q2", text(s)))
                .collect(),
        );
        assert_eq!(
            db.push(&first, 1, &office(&first))
                .await
                .unwrap()
                .acked_through,
            3,
            "{name}"
        );
        assert_eq!(
            db.push(&first, 2, &office(&first))
                .await
                .unwrap()
                .acked_through,
            3,
            "{name}: a retry is acknowledged again"
        );
        let second = push_request(b, vec![change(b, 1, "status", json!("complete"))]);
        assert_eq!(
            db.push(&second, 3, &office(&second))
                .await
                .unwrap()
                .acked_through,
            1,
            "{name}"
        );
        let mut longer = first.clone();
        longer
            .changes
            .push(change(a, 4, "answers.user1.q5", text("x")));
        assert_eq!(
            db.push(&longer, 4, &office(&longer))
                .await
                .unwrap()
                .acked_through,
            4,
            "{name}: only the new change is stored"
        );

        let all = db.pull(0, 100).await.unwrap();
        let order: Vec<(u64, u64)> = all
            .changes
            .iter()
            .map(|p| (p.seq, p.change.id.seq))
            .collect();
        assert_eq!(
            order.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
            [1, 1, 2, 3, 1, 4],
            "{name}: the record's creation, then the pushes in the order they came"
        );
        assert!(
            order.windows(2).all(|w| w[0].0 < w[1].0),
            "{name}: the server's sequence only grows"
        );
        assert!(!all.more);
        assert_eq!(
            all.changes[0].received_at, 1,
            "{name}: the server's clock, not the device's"
        );

        let page = db.pull(0, 2).await.unwrap();
        assert_eq!((page.changes.len(), page.more), (2, true), "{name}");
        assert_eq!(
            page.head, all.cursor,
            "{name}: a page says how far the log goes"
        );
        let rest = db.pull(page.cursor, 2).await.unwrap();
        assert_eq!(
            rest.changes.iter().map(|p| p.change.id).collect::<Vec<_>>(),
            all.changes[2..4]
                .iter()
                .map(|p| p.change.id)
                .collect::<Vec<_>>(),
            "{name}"
        );
        let none = db.pull(all.cursor, 100).await.unwrap();
        assert!(
            none.changes.is_empty() && none.cursor == all.cursor,
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_change_the_server_refuses_is_set_aside_with_why_acknowledged_reported_and_never_pulled()
{
    use yorisoi_domain::sync::check::Refusal;
    for (name, db, _dir) in databases().await {
        create_record(&db).await;
        let a = device(1);
        let other_client = ClientId::new_v7(1_795_000_000_000, [6; 10]);
        let mut wrong_client = change(a, 4, "status", json!("complete"));
        wrong_client.client = other_client;
        let request = push_request(
            a,
            vec![
                change(a, 1, "answers.user1.q2", json!(42)),
                change(a, 2, "answers.user1.q5", text("慣れた作業のとき")),
                change(a, 3, "colour", json!("red")),
                wrong_client,
                change(a, 5, "answers.user1.q99", text("?")),
                change(a, 6, "status", json!("complete")),
            ],
        );
        let pushed = db.push(&request, 10, &office(&request)).await.unwrap();
        assert_eq!(
            pushed.acked_through, 6,
            "{name}: a refused change never holds back the outbox"
        );
        let refused: Vec<(u64, &Refusal)> = pushed
            .refused
            .iter()
            .map(|r| (r.id.seq, &r.refusal))
            .collect();
        assert_eq!(
            refused.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
            [1, 3, 4, 5],
            "{name}: {refused:?}"
        );
        assert!(
            matches!(refused[0].1, Refusal::BadValue { field, reason } if field == "answers.user1.q2" && !reason.is_empty()),
            "{name}: {:?}",
            refused[0]
        );
        assert_eq!(
            refused[2].1,
            &Refusal::WrongClient,
            "{name}: a record stays with its client"
        );

        // Only the valid ones are stored: a pull never brings a refused change.
        let pulled: Vec<(u64, String)> = db
            .pull(0, 100)
            .await
            .unwrap()
            .changes
            .into_iter()
            .filter(|p| p.change.id.device == a)
            .map(|p| (p.change.id.seq, p.change.field))
            .collect();
        assert_eq!(
            pulled,
            [(2, "answers.user1.q5".into()), (6, "status".into())],
            "{name}"
        );
        // The push is retried (its answer was lost): the same refusals are reported again, and
        // nothing is stored or set aside twice.
        let again = db.push(&request, 11, &office(&request)).await.unwrap();
        assert_eq!(again.acked_through, 6, "{name}");
        assert_eq!(again.refused, pushed.refused, "{name}");
        assert_eq!(db.pull(0, 100).await.unwrap().changes.len(), 3, "{name}");
    }
}

async fn call(state: &AppState, cookie: &str, mut request: Request<Body>) -> (StatusCode, Value) {
    request
        .headers_mut()
        .insert(header::COOKIE, cookie.parse().unwrap());
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn post(body: impl Into<Body>, content_type: Option<&str>) -> Request<Body> {
    let mut builder = Request::post("/api/v1/sync/push");
    if let Some(content_type) = content_type {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    builder.body(body.into()).unwrap()
}

#[tokio::test]
async fn bad_input_gets_a_json_error_with_a_status_and_nothing_stored_is_touched() {
    for (name, db, dir) in databases().await {
        let state = AppState::new(db.clone(), Shell::load(&dir.path().join("no-dist")));
        let (_, cookie) = session(&db, "office", Role::Office, device(1)).await;
        let good = push_request(
            device(1),
            vec![change(device(1), 1, "status", json!("draft"))],
        );
        let (status, _) = call(
            &state,
            &cookie,
            post(
                serde_json::to_string(&good).unwrap(),
                Some("application/json"),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{name}");

        let old_format = json!({"format": 0, "device": device(1), "changes": []}).to_string();
        let mut foreign = good.clone();
        foreign.changes[0].id.device = device(9);
        let huge = format!(
            "{{\"format\":1,\"device\":\"{}\",\"changes\":[\"{}\"]}}",
            device(1),
            "x".repeat(5 * 1024 * 1024)
        );
        let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
            (
                post("{\"format\": 1, \"device\": ", Some("application/json")),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                post("{\"format\": 1}", Some("application/json")),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                post(serde_json::to_string(&good).unwrap(), None),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "not_json",
            ),
            (
                post(huge, Some("application/json")),
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
            ),
            (
                post(old_format, Some("application/json")),
                StatusCode::UPGRADE_REQUIRED,
                "update_app",
            ),
            (
                post(
                    serde_json::to_string(&foreign).unwrap(),
                    Some("application/json"),
                ),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                Request::get("/api/v1/sync/pull?format=1&since=banana")
                    .body(Body::empty())
                    .unwrap(),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                Request::get("/api/v1/sync/pull?since=0")
                    .body(Body::empty())
                    .unwrap(),
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                Request::get("/api/v1/sync/pull?format=0")
                    .body(Body::empty())
                    .unwrap(),
                StatusCode::UPGRADE_REQUIRED,
                "update_app",
            ),
        ];
        for (request, expected, code) in cases {
            let what = format!("{name}: {} {}", request.method(), request.uri());
            let (status, body) = call(&state, &cookie, request).await;
            assert_eq!(status, expected, "{what}: {body}");
            assert_eq!(body["error"]["code"], code, "{what}: {body}");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{what}"
            );
        }
        let stored = db.pull(0, 100).await.unwrap();
        assert_eq!(
            stored.changes.len(),
            1,
            "{name}: only the good push is stored"
        );
        assert!(
            body_of_update_message(&state, &cookie)
                .await
                .contains("Please update the app"),
            "{name}"
        );
    }
}

async fn body_of_update_message(state: &AppState, cookie: &str) -> String {
    let (_, body) = call(
        state,
        cookie,
        Request::get("/api/v1/sync/pull?format=0")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A device as the app is: a replica, an outbox, a cursor, talking HTTP.
struct Device {
    id: DeviceId,
    replica: Replica,
    outbox: Outbox,
    cursor: u64,
    /// Its session's `Cookie` header.
    cookie: String,
}

impl Device {
    fn new(n: u8) -> Self {
        Self {
            id: device(n),
            replica: Replica::default(),
            outbox: Outbox::new(device(n), 1, Vec::new()),
            cursor: 0,
            cookie: String::new(),
        }
    }

    fn edit(&mut self, field: &str, value: Value) {
        self.outbox
            .edit(&mut self.replica, record(), client(), field, value, None);
    }

    async fn sync(&mut self, http: &reqwest::Client, base: &str) {
        if !self.outbox.is_empty() {
            let request = push_request(self.id, self.outbox.next_batch());
            let response: PushResponse = http
                .post(format!("{base}/api/v1/sync/push"))
                .header("cookie", &self.cookie)
                .json(&request)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            self.outbox.acknowledge(response.acked_through);
        }
        loop {
            let url = format!(
                "{base}/api/v1/sync/pull?format={WIRE_FORMAT}&since={}&limit=2",
                self.cursor
            );
            let page: PullResponse = http
                .get(url)
                .header("cookie", &self.cookie)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            for pulled in &page.changes {
                self.replica.apply(&pulled.change);
            }
            self.cursor = page.cursor;
            if !page.more {
                break;
            }
        }
    }
}

#[tokio::test]
async fn two_devices_offline_edit_one_record_and_converge_through_a_real_server() {
    for (name, db, dir) in databases().await {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = AppState::new(db.clone(), Shell::load(&dir.path().join("no-dist")));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(yorisoi_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::new();
        let (mut coach, mut client_tablet) = (Device::new(1), Device::new(2));
        // One coach on two tablets: the client the first creates is theirs, so the second
        // receives it.
        coach.cookie = session(&db, "coach", Role::Coach, coach.id).await.1;
        client_tablet.cookie = session(&db, "coach", Role::Coach, client_tablet.id).await.1;
        coach.edit("instrument", msfas());
        coach.edit("answers.user1.q2", text("残業"));
        coach.sync(&http, &base).await;
        client_tablet.sync(&http, &base).await;

        // Both offline: different fields, and the same field.
        coach.edit("answers.user1.q5", text("慣れた作業"));
        client_tablet.edit("answered_by", json!("person"));
        coach.edit("answers.user1.q2", text("残業と寒さ"));
        client_tablet.edit("answers.user1.q2", text("残業がつらい"));
        for _ in 0..2 {
            coach.sync(&http, &base).await;
            client_tablet.sync(&http, &base).await;
        }
        assert_eq!(
            coach.replica, client_tablet.replica,
            "{name}: both devices hold the same state"
        );
        assert_eq!(
            coach
                .replica
                .field(record(), "answers.user1.q5")
                .unwrap()
                .value(),
            Some(&text("慣れた作業")),
            "{name}"
        );
        assert_eq!(
            coach
                .replica
                .field(record(), "answered_by")
                .unwrap()
                .value(),
            Some(&json!("person")),
            "{name}"
        );
        let q2 = coach.replica.field(record(), "answers.user1.q2").unwrap();
        assert!(
            q2.is_conflict(),
            "{name}: the same field edited on both sides is a conflict"
        );
        assert_eq!(q2.values().count(), 2, "{name}: both values are kept");

        // The coach resolves it; the resolution reaches the client's tablet.
        coach.edit("answers.user1.q2", text("残業がつらい（寒さも）"));
        coach.sync(&http, &base).await;
        client_tablet.sync(&http, &base).await;
        let resolved = client_tablet
            .replica
            .field(record(), "answers.user1.q2")
            .unwrap();
        assert_eq!(
            resolved.value(),
            Some(&text("残業がつらい（寒さも）")),
            "{name}"
        );
        assert_eq!(
            client_tablet
                .replica
                .history_of(record(), "answers.user1.q2")
                .len(),
            4,
            "{name}: history keeps every value"
        );
        let _ = stop.send(());
        server.await.unwrap().unwrap();
    }
}

/// A device that goes away mid-push (a tab closed, a connection dropped) must not leave the
/// push's transaction open: it would hold the database's write lock, and every later push would
/// fail. The request is abandoned at many moments; a push afterwards is stored.
#[tokio::test]
async fn a_push_abandoned_mid_request_never_leaves_the_database_locked() {
    for (name, db, dir) in databases().await {
        create_record(&db).await;
        let state = AppState::new(db.clone(), Shell::load(&dir.path().join("no-dist")));
        for (n, delay_us) in (0..40u64).map(|n| (n, n * 250)).collect::<Vec<_>>() {
            let writer = device(10 + n as u8);
            let big = push_request(
                writer,
                (1..=500)
                    .map(|s| change(writer, s, "answers.user1.q2", text(s)))
                    .collect(),
            );
            let request = post(
                serde_json::to_string(&big).unwrap(),
                Some("application/json"),
            );
            let (_, cookie) = session(&db, "office", Role::Office, writer).await;
            let mut request = request;
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
            let call = router(state.clone()).oneshot(request);
            // Give up on the answer after a moment, as a closing tab does.
            let _ = tokio::time::timeout(std::time::Duration::from_micros(delay_us), call).await;
        }
        let last = push_request(
            device(90),
            vec![change(device(90), 1, "status", json!("draft"))],
        );
        let pushed = db.push(&last, 1, &office(&last)).await;
        assert!(
            pushed.is_ok(),
            "{name}: a push after abandoned ones is stored: {pushed:?}"
        );
    }
}

/// A server whose log was written before changes were checked upgrades with its entries known:
/// the migration reads each entry's client and each record's instrument from the log, so answers
/// to an old record are checked against its instrument from the first push on.
#[tokio::test]
async fn a_log_from_before_the_check_is_read_into_what_pushes_are_checked_against() {
    for (name, url, dir) in database_urls().await {
        // The database as the release before the check left it: migrations 1 and 2 only.
        let old = dir.path().join(format!("migrations-{name}"));
        std::fs::create_dir_all(&old).unwrap();
        let all =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("migrations/{name}"));
        for entry in std::fs::read_dir(&all).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_str().unwrap().to_owned();
            if file.starts_with("0001") || file.starts_with("0002") {
                std::fs::copy(&path, old.join(file)).unwrap();
            }
        }
        let migrator = sqlx::migrate::Migrator::new(old.as_path()).await.unwrap();
        let creator = device(99);
        let rows = [
            change(creator, 1, "instrument", msfas()),
            change(creator, 2, "answers.user1.q2", text("残業")),
        ];
        let insert = "INSERT INTO changes (device, device_seq, client, field, body, received_at) VALUES ($1, $2, $3, $4, $5, 1)";
        macro_rules! seed {
            ($pool:expr) => {{
                let pool = $pool;
                migrator.run(&pool).await.unwrap();
                for row in &rows {
                    sqlx::query(insert)
                        .bind(row.id.device.to_string())
                        .bind(row.id.seq as i64)
                        .bind(row.client.to_string())
                        .bind(&row.field)
                        .bind(serde_json::to_string(row).unwrap())
                        .execute(&pool)
                        .await
                        .unwrap();
                }
                pool.close().await;
            }};
        }
        if name == "sqlite" {
            let options = url
                .parse::<sqlx::sqlite::SqliteConnectOptions>()
                .unwrap()
                .create_if_missing(true);
            seed!(sqlx::SqlitePool::connect_with(options).await.unwrap());
        } else {
            seed!(sqlx::PgPool::connect(&url).await.unwrap());
        }

        let db = Db::open(&url).await.unwrap();
        let a = device(1);
        let mut elsewhere = change(a, 3, "status", json!("complete"));
        elsewhere.client = ClientId::new_v7(1_795_000_000_000, [6; 10]);
        let request = push_request(
            a,
            vec![
                change(a, 1, "answers.user1.q5", text("慣れた作業")),
                change(
                    a,
                    2,
                    "answers.user1.q5",
                    json!({"type": "number", "value": 3}),
                ),
                elsewhere,
            ],
        );
        let pushed = db.push(&request, 2, &office(&request)).await.unwrap();
        assert_eq!(
            pushed.refused.iter().map(|r| r.id.seq).collect::<Vec<_>>(),
            [2, 3],
            "{name}: the old record's instrument and client are known: {:?}",
            pushed.refused
        );
        assert_eq!(db.pull(0, 100).await.unwrap().changes.len(), 3, "{name}");
    }
}
