//! The fields' current state and the bootstrap that serves it, against real databases (SQLite,
//! and PostgreSQL when `YORISOI_TEST_POSTGRES_URL` is set): a bootstrap plus the log after it
//! gives exactly what replaying the whole log gives, however pushes and the folder interleave
//! with its pages.

mod common;
mod support;

#[path = "../../tests/shared/rng.rs"]
mod rng;

use rng::Rng;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use support::*;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::ids::{ClientId, DeviceId, PersonId};
use yorisoi_domain::sync::protocol::{BootstrapPage, ClientState, FieldState};
use yorisoi_domain::sync::{ChangeId, Entity, Register, Replica};
use yorisoi_server::db::{Db, Scope};

type State = BTreeMap<(Entity, String), Register>;

/// What replaying the whole log gives.
async fn replayed(db: &Db) -> State {
    let mut state = State::new();
    for pulled in db.pull(0, 1_000_000).await.unwrap().changes {
        let c = pulled.change;
        state
            .entry((c.entity, c.field.clone()))
            .or_default()
            .apply(c.id, &c.base, &c.value);
    }
    state
}

fn office(device: DeviceId) -> Scope {
    Scope {
        person: PersonId(uuid::Uuid::nil()),
        role: Role::Office,
        device,
    }
}

/// A device of the office: its replica (to make edits that replace what it saw) and its numbers.
struct Device {
    id: DeviceId,
    replica: Replica,
    next: u64,
    cursor: u64,
    unsent: Vec<yorisoi_domain::sync::Change>,
}

impl Device {
    fn new() -> Self {
        Self {
            id: new_device(),
            replica: Replica::default(),
            next: 1,
            cursor: 0,
            unsent: Vec::new(),
        }
    }

    fn edit(&mut self, client: ClientId, field: &str, value: Value) {
        let change = self.replica.edit(
            ChangeId {
                device: self.id,
                seq: self.next,
            },
            Entity::Client(client),
            client,
            field,
            value,
        );
        self.next += 1;
        self.replica.apply(&change);
        self.unsent.push(change);
    }

    async fn push(&mut self, db: &Db) {
        if self.unsent.is_empty() {
            return;
        }
        let request = push_request(self.id, std::mem::take(&mut self.unsent));
        let pushed = db
            .push(&request, 1, &office(self.id))
            .await
            .expect("the push is stored");
        assert!(pushed.refused.is_empty(), "{:?}", pushed.refused);
    }

    async fn pull(&mut self, db: &Db) {
        let page = db.pull(self.cursor, 1_000_000).await.unwrap();
        for pulled in page.changes {
            self.replica.apply(&pulled.change);
        }
        self.cursor = page.cursor;
    }
}

/// A bootstrap page as a device reads it (through its JSON text), with its fields one by one.
async fn bootstrap(
    db: &Db,
    scope: &Scope,
    after: Option<&str>,
    limit: u32,
) -> Result<(BootstrapPage, Vec<FieldState>), yorisoi_server::db::DbError> {
    let raw = db.bootstrap(scope, after, limit).await?;
    let page: BootstrapPage = serde_json::from_str(&serde_json::to_string(&raw).unwrap()).unwrap();
    let fields = page
        .clients
        .iter()
        .cloned()
        .flat_map(ClientState::into_fields)
        .collect();
    Ok((page, fields))
}

/// A device bootstrapping a page at a time, while others go on pushing between its pages.
#[derive(Default)]
struct Bootstrapping {
    state: State,
    after: Option<String>,
    base: Option<u64>,
    done: bool,
}

impl Bootstrapping {
    async fn next_page(&mut self, db: &Db, limit: u32) {
        let (page, fields) = bootstrap(db, &office(new_device()), self.after.as_deref(), limit)
            .await
            .unwrap();
        let entities: usize = page.clients.iter().map(|c| c.entities.len()).sum();
        assert!(
            entities <= limit as usize,
            "at most `limit` entities a page"
        );
        assert_eq!(page.field_count(), fields.len());
        for field in fields {
            assert!(
                self.state
                    .insert((field.entity, field.field.clone()), field.register)
                    .is_none(),
                "a field is in one page only"
            );
        }
        self.base = Some(self.base.map_or(page.base, |b| b.min(page.base)));
        self.after = page.next;
        self.done = self.after.is_none();
    }

    /// The log after the smallest base, applied over the pages.
    async fn finish(mut self, db: &Db) -> State {
        assert!(self.done);
        for pulled in db
            .pull(self.base.unwrap_or(0), 1_000_000)
            .await
            .unwrap()
            .changes
        {
            let c = pulled.change;
            self.state
                .entry((c.entity, c.field.clone()))
                .or_default()
                .apply(c.id, &c.base, &c.value);
        }
        self.state
    }
}

const FIELDS: [&str; 4] = ["name", "kana", "workplace", "notes"];

#[tokio::test]
async fn a_bootstrap_and_the_log_after_it_hold_what_replaying_the_whole_log_gives() {
    for (name, db, _dir) in common::databases().await {
        for seed in 1..=6u64 {
            let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let clients: Vec<ClientId> = (0..4).map(|_| new_client()).collect();
            let mut devices: Vec<Device> = (0..3).map(|_| Device::new()).collect();
            let mut boot = Bootstrapping::default();
            let mut started = false;
            for step in 0..120 {
                let d = rng.below(3) as usize;
                match rng.below(10) {
                    0..=5 => {
                        let client = clients[rng.below(4) as usize];
                        let field = FIELDS[rng.below(4) as usize];
                        let value = if field == "name" {
                            json!(format!("名前 {seed}-{step}"))
                        } else if rng.below(5) == 0 {
                            Value::Null
                        } else {
                            json!(format!("{field} {seed}-{step}"))
                        };
                        devices[d].edit(client, field, value);
                    }
                    6 | 7 => devices[d].push(&db).await,
                    8 if rng.below(2) == 0 => devices[d].pull(&db).await,
                    8 => {
                        db.catch_up_state().await.unwrap();
                    }
                    _ => {
                        // A bootstrap starts part-way through, and takes its pages between
                        // other devices' pushes.
                        if step > 30 && !boot.done {
                            started = true;
                            boot.next_page(&db, 3).await;
                        }
                    }
                }
            }
            for device in &mut devices {
                device.push(&db).await;
            }
            if !started {
                boot.next_page(&db, 3).await;
            }
            while !boot.done {
                boot.next_page(&db, 3).await;
            }
            let expected = replayed(&db).await;
            assert!(!expected.is_empty());
            assert_eq!(
                boot.finish(&db).await,
                expected,
                "{name}, seed {seed}: bootstrap + tail = replay"
            );
            // And once the folder has caught up, a bootstrap in one page is the log folded as it
            // stands.
            db.catch_up_state().await.unwrap();
            let mut whole = Bootstrapping::default();
            whole.next_page(&db, 20_000).await;
            assert_eq!(
                whole.state, expected,
                "{name}, seed {seed}: the state is the log"
            );
        }
    }
}

/// A coach's bootstrap holds their clients only, and hands them over: the pull after it echoes
/// the hand-over and receives neither their history again nor any other client.
#[tokio::test]
async fn a_coachs_bootstrap_holds_only_their_clients_and_hands_them_over() {
    for (name, db, _dir) in common::databases().await {
        let coach = add_person(&db, "aoki", Role::Coach).await;
        let (theirs, other) = (new_client(), new_client());
        let device = new_device();
        let maker = new_device();
        let mut changes = new_client_changes(maker, 1, theirs);
        changes.extend(new_client_changes(maker, 3, other));
        push_as(&db, PersonId(uuid::Uuid::nil()), Role::Office, changes).await;
        db.assign(coach, theirs, 1).await.unwrap();
        db.catch_up_state().await.unwrap();

        let scope = Scope {
            person: coach,
            role: Role::Coach,
            device,
        };
        let (page, fields) = bootstrap(&db, &scope, None, 1_000).await.unwrap();
        assert!(!fields.is_empty(), "{name}");
        assert!(
            fields.iter().all(|f| f.client == theirs),
            "{name}: only the coach's client"
        );
        assert_eq!(
            page.total,
            Some(fields.len() as u64),
            "{name}: the first page counts the whole"
        );
        let token = page
            .scope
            .expect("a coach's first page hands the clients over");
        let pulled = db.pull_for(&scope, page.base, 500, token).await.unwrap();
        assert!(
            pulled.changes.is_empty() && pulled.scope.is_none(),
            "{name}: nothing sent twice, no hand-over left: {pulled:?}"
        );
        // An office's bootstrap holds both, and hands nothing over (it reads every client).
        let (all, all_fields) = bootstrap(&db, &office(new_device()), None, 1_000)
            .await
            .unwrap();
        assert!(all_fields.iter().any(|f| f.client == other), "{name}");
        assert_eq!(all.total, Some(all_fields.len() as u64), "{name}");
        assert!(
            all.total > page.total,
            "{name}: the office counts every client"
        );
        assert!(all.scope.is_none(), "{name}");
        // A cursor that is not one is a clear error.
        assert!(
            db.bootstrap(&scope, Some("nonsense"), 10).await.is_err(),
            "{name}"
        );
    }
}

/// A log written before the state existed (or a state that lost rows) is folded before a
/// bootstrap reads it (and by the server before it serves: `catch_up_state` in `main.rs`).
#[tokio::test]
async fn a_log_the_state_does_not_cover_is_folded_before_a_bootstrap_reads_it() {
    for (name, url, _dir) in common::database_urls().await {
        let db = Db::open(&url).await.unwrap();
        let mut device = Device::new();
        let client = new_client();
        for n in 0..30 {
            device.edit(client, FIELDS[n % 4], json!(format!("値 {n}")));
            if n % 7 == 0 {
                device.push(&db).await;
            }
        }
        device.push(&db).await;
        let expected = replayed(&db).await;
        db.close().await;
        // The state as it was before this table existed: empty.
        if url.starts_with("sqlite://") {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            sqlx::query("DELETE FROM state")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(&url).await.unwrap();
            sqlx::query("DELETE FROM state")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
        let reopened = Db::open(&url).await.unwrap();
        let mut whole = Bootstrapping::default();
        whole.next_page(&reopened, 20_000).await;
        assert_eq!(whole.state, expected, "{name}");
        assert_eq!(whole.base, Some(db_head(&reopened).await), "{name}");
    }
}

async fn db_head(db: &Db) -> u64 {
    db.pull(0, 1_000_000).await.unwrap().cursor
}

/// Each field's state says when its newest change reached the server, so a device that
/// bootstraps shows when a client last changed; and a record's history comes on request, that
/// record's changes only, oldest first.
#[tokio::test]
async fn a_fields_state_carries_its_newest_time_and_its_history_comes_on_request() {
    for (name, db, _dir) in common::databases().await {
        let mut device = Device::new();
        let (client, other) = (new_client(), new_client());
        let scope = office(device.id);
        for (at, field, value) in [
            (1_000, "name", "一"),
            (2_000, "notes", "二"),
            (3_000, "name", "三"),
        ] {
            device.edit(client, field, json!(value));
            device.edit(other, field, json!(value));
            let request = push_request(device.id, std::mem::take(&mut device.unsent));
            db.push(&request, at, &scope).await.unwrap();
        }
        db.catch_up_state().await.unwrap();
        let (_, fields) = bootstrap(&db, &scope, None, 1_000).await.unwrap();
        let at = |client: ClientId| fields.iter().find(|f| f.client == client).map(|f| f.at);
        assert_eq!(
            at(client),
            Some(3_000),
            "{name}: the newest of its fields' changes"
        );
        assert_eq!(at(other), Some(3_000), "{name}");

        let history = db.history(&scope, Entity::Client(client)).await.unwrap();
        let values: Vec<(i64, Value)> = history
            .iter()
            .map(|p| (p.received_at, p.change.value.clone()))
            .collect();
        assert_eq!(
            values,
            [
                (1_000, json!("一")),
                (2_000, json!("二")),
                (3_000, json!("三"))
            ],
            "{name}: that client's changes only, oldest first"
        );
        // Something the server never saw is a clear "not found".
        let unknown = db.history(&scope, Entity::Client(new_client())).await;
        assert!(
            matches!(unknown, Err(yorisoi_server::db::DbError::NotFound(_))),
            "{name}: {unknown:?}"
        );
    }
}

/// Over HTTP a page is framed: each client's profile and records as the gzipped text of the
/// chunk a device stores, not compressed a second time; read back, the chunks hold exactly the
/// page's fields.
#[tokio::test]
async fn a_bootstrap_page_over_http_is_the_chunks_a_device_stores() {
    use std::io::Read;
    use yorisoi_domain::sync::local::Chunk;
    use yorisoi_domain::sync::protocol::{BOOTSTRAP_MEDIA_TYPE, unframe};
    for (name, db, dir) in common::databases().await {
        let mut device = Device::new();
        let (a, b) = (new_client(), new_client());
        for client in [a, b] {
            for field in FIELDS {
                device.edit(client, field, json!(format!("{field} の値")));
            }
        }
        // One long note: that client's chunk is large enough to be gzipped.
        device.edit(a, "notes", json!("長いメモ。".repeat(1_000)));
        device.push(&db).await;
        db.catch_up_state().await.unwrap();
        let office = add_person(&db, "office", Role::Office).await;
        let cookie = signed_in(&db, office, new_device()).await;
        let state = support::state(&db, &dir);
        let reply = get("/api/v1/sync/bootstrap?format=2")
            .cookie(Some(&cookie))
            .header("accept-encoding", "gzip")
            .send(&state)
            .await;
        assert_eq!(reply.status, 200, "{name}: {}", reply.text);
        assert_eq!(
            reply.headers["content-type"], BOOTSTRAP_MEDIA_TYPE,
            "{name}"
        );
        assert!(
            reply.headers.get("content-encoding").is_none(),
            "{name}: the chunks are compressed already"
        );
        let (head, chunks) = unframe(&reply.bytes).unwrap();
        assert_eq!(head.fields, 8, "{name}");
        assert_eq!(head.total, Some(8), "{name}");
        assert_eq!(chunks.len(), 2, "{name}: one profile chunk per client");
        let mut fields = Vec::new();
        let mut gzipped = 0;
        for (described, bytes) in head.chunks.iter().zip(chunks) {
            // A profile of a few hundred bytes goes as it is; a larger chunk gzipped.
            let mut text = String::new();
            if bytes.starts_with(&[0x1f, 0x8b]) {
                gzipped += 1;
                flate2::read::GzDecoder::new(bytes)
                    .read_to_string(&mut text)
                    .unwrap();
            } else {
                text = String::from_utf8(bytes.to_vec()).unwrap();
                assert!(text.len() < 4096, "{name}: a large chunk is gzipped");
            }
            let Chunk::Entities { client, entities } =
                yorisoi_domain::stored::decode_direct::<Chunk>(&text).unwrap()
            else {
                panic!("{name}: a state chunk");
            };
            assert_eq!(client, described.client, "{name}");
            assert!(described.profile, "{name}: a client's own fields");
            fields.extend(ClientState { client, entities }.into_fields());
        }
        assert_eq!(gzipped, 1, "{name}: the large chunk only");
        let (_, expected) = bootstrap(&db, &office_scope(), None, 20_000).await.unwrap();
        let key = |f: &FieldState| (f.entity, f.field.clone(), f.register.clone());
        assert_eq!(
            fields.iter().map(key).collect::<Vec<_>>(),
            expected.iter().map(key).collect::<Vec<_>>(),
            "{name}"
        );
        // An app of the format before is told to update, in words.
        let old = get("/api/v1/sync/bootstrap?format=1")
            .cookie(Some(&cookie))
            .send(&state)
            .await;
        assert_eq!(old.status, 426, "{name}: {}", old.text);
        assert_eq!(old.code(), "update_app", "{name}");
        assert!(
            old.text.contains("bootstrap format 1; the server sends 2"),
            "{name}: {}",
            old.text
        );
    }
}

fn office_scope() -> Scope {
    office(new_device())
}
