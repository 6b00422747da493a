//! What the account, authorization and scope tests share on top of `common`: requests through
//! the real router, people and sessions made straight in the database, changes for a client, and
//! a raw look at the tables.
#![allow(dead_code)]

pub mod instruments;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::OnceLock;
use tower::ServiceExt;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::ids::{ClientId, DeviceId, PersonId};
use yorisoi_domain::sync::protocol::{
    PullResponse, PushRequest, PushResponse, ScopeChange, WIRE_FORMAT,
};
use yorisoi_domain::sync::{Change, ChangeId, Entity};
use yorisoi_server::auth::{self, COOKIE};
use yorisoi_server::db::{Db, PersonRow, Scope};
use yorisoi_server::{AppState, router, shell::Shell};

pub use crate::common::PASSWORD;

/// A fresh database of each backend, with its URL for a raw look at its tables.
pub async fn databases_with_urls() -> Vec<(&'static str, Db, String, tempfile::TempDir)> {
    let mut all = Vec::new();
    for (name, url, dir) in crate::common::database_urls().await {
        all.push((name, Db::open(&url).await.unwrap(), url, dir));
    }
    all
}

/// The server's state over `db`, with defaults (plain HTTP, no proxy, default sessions).
pub fn state(db: &Db, dir: &tempfile::TempDir) -> AppState {
    AppState::new(db.clone(), Shell::load(&dir.path().join("no-dist")))
}

pub fn new_device() -> DeviceId {
    DeviceId(uuid::Uuid::now_v7())
}

pub fn new_client() -> ClientId {
    ClientId(uuid::Uuid::now_v7())
}

/// `PASSWORD`'s hash, made once: Argon2 is slow on purpose, and the tests make many people.
pub fn password_hash() -> String {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(PASSWORD)).clone()
}

/// A person with `role` whose password is `PASSWORD`.
pub async fn add_person(db: &Db, login: &str, role: Role) -> PersonId {
    let person = PersonRow::new(
        login.to_owned(),
        format!("{login} さん"),
        role,
        password_hash(),
    );
    assert!(db.add_person(&person, 1).await.unwrap(), "{login} is new");
    person.id
}

/// A session of `person` on `device` that began at `created_at` and ends at `expires_at`:
/// its token.
pub async fn start_session(
    db: &Db,
    person: PersonId,
    device: DeviceId,
    created_at: i64,
    expires_at: i64,
) -> String {
    let token = auth::new_token();
    db.start_session(
        &auth::token_hash(&token),
        person,
        device,
        created_at,
        expires_at,
    )
    .await
    .unwrap();
    token
}

/// A live session of `person` on `device`: the `Cookie` header value.
pub async fn signed_in(db: &Db, person: PersonId, device: DeviceId) -> String {
    let now = auth::now_ms();
    let token = start_session(db, person, device, now, now + DAY_MS).await;
    cookie_of(&token)
}

/// The `Cookie` header value that carries `token`.
pub fn cookie_of(token: &str) -> String {
    format!("{COOKIE}={token}")
}

pub const MINUTE_MS: i64 = 60 * 1000;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// A change to a client's own entry (its name, notes, …), as the app writes it.
pub fn client_change(
    device: DeviceId,
    seq: u64,
    client: ClientId,
    field: &str,
    value: Value,
) -> Change {
    Change {
        id: ChangeId { device, seq },
        entity: Entity::Client(client),
        client,
        field: field.into(),
        base: vec![],
        value,
    }
}

/// A new client as the app creates it: its name and when.
pub fn new_client_changes(device: DeviceId, first_seq: u64, client: ClientId) -> Vec<Change> {
    vec![
        client_change(device, first_seq, client, "name", json!("山田 花子")),
        client_change(device, first_seq + 1, client, "created_at", json!(1)),
    ]
}

pub fn push_request(device: DeviceId, changes: Vec<Change>) -> PushRequest {
    PushRequest {
        format: WIRE_FORMAT,
        device,
        changes,
    }
}

/// Pushes `changes` straight into the database as `person` (`role`) on their first change's
/// device.
pub async fn push_as(db: &Db, person: PersonId, role: Role, changes: Vec<Change>) -> PushResponse {
    let device = changes[0].id.device;
    let request = push_request(device, changes);
    let pushed = db
        .push(
            &request,
            auth::now_ms(),
            &Scope {
                person,
                role,
                device,
            },
        )
        .await
        .unwrap();
    PushResponse {
        format: WIRE_FORMAT,
        acked_through: pushed.acked_through,
        refused: pushed.refused,
        instance: db.instance_id().to_owned(),
    }
}

/// The ids of every change in the server's log.
pub async fn log(db: &Db) -> Vec<ChangeId> {
    db.pull(0, 1_000_000)
        .await
        .unwrap()
        .changes
        .into_iter()
        .map(|p| p.change.id)
        .collect()
}

/// The device secret the tests' requests carry unless told otherwise (as the app sends its own
/// with every request): registered at each device's first sign-in or request.
pub const PROOF: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// One request to the API, being built.
pub struct Call {
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    peer: Option<SocketAddr>,
    proof: Option<String>,
}

pub fn call(method: Method, path: impl Into<String>) -> Call {
    Call {
        method,
        path: path.into(),
        headers: Vec::new(),
        body: None,
        peer: None,
        proof: Some(PROOF.to_owned()),
    }
}

pub fn get(path: impl Into<String>) -> Call {
    call(Method::GET, path)
}

pub fn post(path: impl Into<String>) -> Call {
    call(Method::POST, path)
}

pub fn patch(path: impl Into<String>) -> Call {
    call(Method::PATCH, path)
}

pub fn delete(path: impl Into<String>) -> Call {
    call(Method::DELETE, path)
}

impl Call {
    /// Sends the session cookie `cookie` (a `Cookie` header value), if any.
    pub fn cookie(self, cookie: Option<&str>) -> Self {
        match cookie {
            Some(cookie) => self.header(header::COOKIE.as_str(), cookie),
            None => self,
        }
    }

    /// Sends `proof` as the device's secret (`None`: no proof at all) instead of [`PROOF`].
    pub fn proof(mut self, proof: Option<&str>) -> Self {
        self.proof = proof.map(str::to_owned);
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(mut self, body: &impl Serialize) -> Self {
        self.body = Some(serde_json::to_vec(body).unwrap());
        self.header(header::CONTENT_TYPE.as_str(), "application/json")
    }

    /// Sends `body` as it is, with no content type unless one is added.
    pub fn raw(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }

    /// As if the TCP connection came from `peer` (what `serve` gives every request).
    pub fn connected_from(mut self, peer: SocketAddr) -> Self {
        self.peer = Some(peer);
        self
    }

    pub fn describe(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Sends it through a fresh router over `state`.
    pub async fn send(self, state: &AppState) -> Reply {
        let mut builder = Request::builder().method(self.method).uri(&self.path);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        if let Some(proof) = &self.proof {
            builder = builder.header(auth::PROOF_HEADER, proof);
        }
        let mut request = builder
            .body(self.body.map_or_else(Body::empty, Body::from))
            .unwrap();
        if let Some(peer) = self.peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        let response = router(state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            bytes: bytes.to_vec(),
        }
    }
}

/// An answer from the API.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Reply {
    /// The error code of an error answer, or "" for none.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone())
            .unwrap_or_else(|e| panic!("an answer of the expected shape ({e}): {}", self.text))
    }

    /// The `Set-Cookie` header, if any.
    pub fn set_cookie(&self) -> Option<&str> {
        self.headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
    }

    /// The `Cookie` header value a browser sends back after this answer's `Set-Cookie`.
    pub fn cookie(&self) -> String {
        let set = self
            .set_cookie()
            .unwrap_or_else(|| panic!("a Set-Cookie header: {self:?}"));
        set.split(';').next().unwrap().trim().to_owned()
    }

    /// The session token this answer's `Set-Cookie` gives.
    pub fn token(&self) -> String {
        self.cookie().split_once('=').unwrap().1.to_owned()
    }
}

/// `POST /api/v1/session` with a login, password and device.
pub fn sign_in(login: &str, password: &str, device: DeviceId) -> Call {
    post("/api/v1/session").json(&json!({
        "login": login,
        "password": password,
        "device": device,
    }))
}

/// `GET /api/v1/sync/pull` from `since`, echoing hand-over `scope`.
pub fn pull(since: u64, scope: u64) -> Call {
    get(format!(
        "/api/v1/sync/pull?format={WIRE_FORMAT}&since={since}&scope={scope}"
    ))
}

/// A raw connection to a test database, to look at or age what the server's API does not show.
pub enum Raw {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

macro_rules! on_raw {
    ($self:expr, $pool:ident => $body:expr) => {
        match $self {
            Raw::Sqlite($pool) => $body,
            Raw::Postgres($pool) => $body,
        }
    };
}

impl Raw {
    pub async fn open(url: &str) -> Self {
        if url.starts_with("sqlite://") {
            Raw::Sqlite(sqlx::SqlitePool::connect(url).await.unwrap())
        } else {
            Raw::Postgres(sqlx::PgPool::connect(url).await.unwrap())
        }
    }

    /// Every value of every row of `table`, as text, one row a line.
    pub async fn dump(&self, table: &str) -> String {
        use sqlx::{Column, Row};
        let sql = sqlx::AssertSqlSafe(format!("SELECT * FROM {table}"));
        on_raw!(self, pool => {
            let rows = sqlx::query(sql).fetch_all(pool).await.unwrap();
            let mut text = String::new();
            for row in &rows {
                for column in row.columns() {
                    let i = column.ordinal();
                    let value = if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                        v.unwrap_or_default()
                    } else if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                        v.map(|v| v.to_string()).unwrap_or_default()
                    } else {
                        panic!("{table}.{} is neither text nor an integer", column.name())
                    };
                    text.push_str(&value);
                    text.push('\t');
                }
                text.push('\n');
            }
            text
        })
    }

    /// Runs `sql` as the database's owner would, past the server.
    pub async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        on_raw!(self, pool => sqlx::raw_sql(sql).execute(pool).await.map(drop))
    }

    /// Moves a session's sign-in and last use to these times.
    pub async fn age_session(&self, token: &str, created_at: i64, last_seen: i64) {
        let hash = auth::token_hash(token);
        let sql = "UPDATE sessions SET created_at = $1, last_seen = $2 WHERE token_hash = $3";
        let done = on_raw!(self, pool => sqlx::query(sql)
            .bind(created_at)
            .bind(last_seen)
            .bind(&hash)
            .execute(pool)
            .await
            .unwrap()
            .rows_affected());
        assert_eq!(done, 1, "the session is in the table");
    }

    /// When a session was last seen, if it is in the table.
    pub async fn last_seen(&self, token: &str) -> Option<i64> {
        let hash = auth::token_hash(token);
        let sql = "SELECT last_seen FROM sessions WHERE token_hash = $1";
        on_raw!(self, pool => sqlx::query_scalar(sql)
            .bind(&hash)
            .fetch_optional(pool)
            .await
            .unwrap())
    }
}

/// A person signed in on a tablet of their own, numbering their changes as the app does.
pub struct Tablet {
    pub person: PersonId,
    pub device: DeviceId,
    pub cookie: String,
    pub next_seq: u64,
}

impl Tablet {
    pub async fn new(db: &Db, login: &str, role: Role) -> Self {
        let person = match db.person_by_login(login).await.unwrap() {
            Some(person) => person.id,
            None => add_person(db, login, role).await,
        };
        let device = new_device();
        Self {
            person,
            device,
            cookie: signed_in(db, person, device).await,
            next_seq: 1,
        }
    }

    /// A change to `client`'s `field`, numbered next.
    pub fn change(&mut self, client: ClientId, field: &str, value: serde_json::Value) -> Change {
        let seq = self.next_seq;
        self.next_seq += 1;
        client_change(self.device, seq, client, field, value)
    }

    /// Creates a client as the app does.
    pub fn new_client(&mut self, client: ClientId) -> Vec<Change> {
        let changes = new_client_changes(self.device, self.next_seq, client);
        self.next_seq += changes.len() as u64;
        changes
    }

    pub async fn push(&self, state: &AppState, changes: Vec<Change>) -> PushResponse {
        let reply = post("/api/v1/sync/push")
            .cookie(Some(&self.cookie))
            .json(&push_request(self.device, changes))
            .send(state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.json()
    }

    /// One page from `since`, confirming hand-over `scope`.
    pub async fn pull(&self, state: &AppState, since: u64, scope: u64) -> PullResponse {
        self.pull_page(state, since, scope, 500).await
    }

    pub async fn pull_page(
        &self,
        state: &AppState,
        since: u64,
        scope: u64,
        limit: u32,
    ) -> PullResponse {
        let reply = get(format!(
            "/api/v1/sync/pull?format={WIRE_FORMAT}&since={since}&scope={scope}&limit={limit}"
        ))
        .cookie(Some(&self.cookie))
        .send(state)
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.json()
    }

    /// Pulls every page from `since` as the app does, confirming each hand-over in the next
    /// pull: every change received, and every hand-over seen.
    pub async fn sync(
        &self,
        state: &AppState,
        since: u64,
        limit: u32,
    ) -> (Vec<Change>, Vec<ScopeChange>) {
        let (mut changes, mut hand_overs) = (Vec::new(), Vec::new());
        let (mut since, mut confirmed) = (since, 0);
        loop {
            let page = self.pull_page(state, since, confirmed, limit).await;
            changes.extend(page.changes.into_iter().map(|p| p.change));
            if let Some(scope) = page.scope {
                confirmed = scope.token;
                hand_overs.push(scope);
            }
            since = page.cursor;
            if !page.more {
                // The last hand-over is confirmed by the pull after it.
                let page = self.pull_page(state, since, confirmed, limit).await;
                assert!(page.changes.is_empty() && page.scope.is_none(), "{page:?}");
                return (changes, hand_overs);
            }
        }
    }
}
