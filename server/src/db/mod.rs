//! The server's database: SQLite (embedded, in the data folder) by default, PostgreSQL when
//! given a `postgres://` URL. Migrations for both are compiled in and applied at start.
//!
//! The two backends run the same SQL (numbered `$n` parameters work in both); one macro writes
//! the code once for each pool type, so they cannot drift apart.

/// Ends a transaction begun with raw SQL (see `backend!`): COMMIT when the work in it succeeded,
/// ROLLBACK when it failed (the rollback's own failure is ignored: the work's error is the one to
/// report).
macro_rules! commit_or_rollback {
    ($conn:ident, $result:expr) => {
        match $result {
            Ok(done) => {
                sqlx::raw_sql("COMMIT").execute(&mut *$conn).await?;
                Ok(done)
            }
            Err(error) => {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *$conn).await;
                Err(error)
            }
        }
    };
}

mod accounts;
mod audit;
mod instance;
mod lockout;
mod privacy;
mod quarantine;
mod scope;
mod scrub;
mod state;

pub use accounts::{FAILURE_WINDOW_MS, LOCK_MS, MAX_FAILURES, PersonRow, Purpose};
pub use audit::{AuditCheck, AuditQuery};
pub use lockout::Failure;
pub use privacy::{DEFAULT_RETENTION_YEARS, EraseError, Erasure};
pub use quarantine::{SET_ASIDE_LIMIT, Unaccepted};
pub use scope::{ENTER_PAGE, Scope};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Row, pool::PoolConnection};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::audit::{Action, Event, Note};
use yorisoi_domain::catalogue::Catalogue;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::privacy::{CONSENT_PREFIX, Consent, Halt, Purpose as ConsentPurpose};
use yorisoi_domain::sync::check::{Known, Refusal, check};
use yorisoi_domain::sync::protocol::{self, ProtocolError, Pulled, PushRequest, Refused};
use yorisoi_domain::sync::{Change, ChangeId, Entity};

#[derive(Clone, Debug)]
pub struct Db {
    backend: Backend,
    instance_id: String,
    /// Wakes this instance's state folder (see `state.rs`) after a push.
    folder: std::sync::Arc<tokio::sync::Notify>,
    /// Pushes stored by this instance: the folder stops when it moves.
    pushes: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The most undecided changes set aside one device may have (see `quarantine.rs`).
    set_aside_limit: u64,
}

#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL (expected sqlite://PATH or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("cannot create the data folder {path}: {source}")]
    DataFolder {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    #[error("a stored change cannot be read: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Backup(String),
    #[error("{0}")]
    NotFound(String),
    #[error("not a bootstrap cursor: {0}")]
    BadCursor(String),
    #[error("changes numbered by {0} belong to another device")]
    NotYours(String),
    #[error("this client is not one you may read")]
    NotInScope,
    #[error(
        "this device has {0} changes set aside that an administrator has not decided on yet: \
         nothing of this push was stored, and the device keeps its changes until they are decided"
    )]
    SetAsideFull(u64),
}

/// What a push did: how far the device's changes are on the server, and which of them were set
/// aside instead of stored, with why.
#[derive(Debug)]
pub struct Pushed {
    pub acked_through: u64,
    pub refused: Vec<Refused>,
}

/// The instrument definitions every change is checked against.
fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        Catalogue::builtin().expect("the built-in definitions are checked by the domain's tests")
    })
}

/// An entity as the `entities` table names it (the migration builds the same from the log).
fn entity_key(entity: Entity) -> String {
    entity.to_string()
}

/// A row of `entities` as the check reads it; `None` for a row it cannot read.
fn known_from(client: &str, instrument: Option<&str>) -> Option<Known> {
    Some(Known {
        client: client.parse().ok()?,
        instrument: match instrument {
            Some(json) => Some(serde_json::from_str(json).ok()?),
            None => None,
        },
    })
}

/// A push's fresh changes, checked in order.
struct Sorted<'a> {
    /// The ones to store.
    stored: Vec<&'a Change>,
    /// The entities whose known facts they change.
    touched: BTreeMap<String, Known>,
    /// The ones to set aside, with why.
    refused: Vec<(&'a Change, Refusal)>,
}

fn sort_out<'a>(
    fresh: Vec<&'a Change>,
    mut known: BTreeMap<String, Known>,
    may_write: impl Fn(ClientId) -> bool,
) -> Sorted<'a> {
    let mut sorted = Sorted {
        stored: Vec::new(),
        touched: BTreeMap::new(),
        refused: Vec::new(),
    };
    for change in fresh {
        if !may_write(change.client) {
            sorted.refused.push((change, Refusal::NotInScope));
            continue;
        }
        let key = entity_key(change.entity);
        match check(change, known.get(&key), catalogue()) {
            Ok(after) => {
                if known.get(&key) != Some(&after) {
                    sorted.touched.insert(key.clone(), after.clone());
                    known.insert(key, after);
                }
                sorted.stored.push(change);
            }
            Err(refusal) => sorted.refused.push((change, refusal)),
        }
    }
    sorted
}

/// What a push's notes and stored changes say for the audit log: each note an access by the
/// pusher on their device (a note that is not one is set aside with why), and each consent
/// stored a consent change (which purpose, and whether given or withdrawn; never the dates).
fn audit_events<'a>(
    notes: &[&'a Change],
    stored: &[&'a Change],
    by: &Scope,
    refused: &mut Vec<(&'a Change, Refusal)>,
) -> Vec<Event> {
    let mut events = Vec::new();
    let event = |action: Action, change: &Change| {
        let mut event = Event::new(action);
        event.person = Some(by.person);
        event.device = Some(by.device);
        event.client = Some(change.client);
        event.entity = Some(change.entity.to_string());
        event
    };
    for &change in notes {
        match Note::from_value(&change.value) {
            Ok(note) => {
                let mut event = event(note.action, change);
                event.device_at = Some(note.at);
                event.detail = note.detail;
                events.push(event);
            }
            Err(reason) => refused.push((
                change,
                Refusal::BadValue {
                    field: change.field.clone(),
                    reason,
                },
            )),
        }
    }
    for &change in stored {
        let Some(purpose) = change
            .field
            .strip_prefix(CONSENT_PREFIX)
            .and_then(ConsentPurpose::parse)
        else {
            continue;
        };
        let state = match serde_json::from_value::<Option<Consent>>(change.value.clone()) {
            Ok(Some(consent)) if consent.holds() => "given",
            Ok(Some(_)) => "withdrawn",
            _ => "cleared",
        };
        let mut event = event(Action::ConsentChanged, change);
        event.detail = vec![purpose.as_str().to_owned(), state.to_owned()];
        events.push(event);
    }
    events
}

/// The notes of a push that are about a client its pusher may write: the office any, a coach
/// theirs (`noted`, stopped ones too: a note of an access before the stop still counts) or one
/// this push creates, an administrator none. The others are set aside like any change.
fn notes_in_scope<'a>(
    notes: Vec<&'a Change>,
    by: &Scope,
    noted: &BTreeSet<ClientId>,
    created: &BTreeSet<ClientId>,
    refused: &mut Vec<(&'a Change, Refusal)>,
) -> Vec<&'a Change> {
    let (kept, out): (Vec<&Change>, Vec<&Change>) =
        notes.into_iter().partition(|note| match by.role {
            Role::Office => true,
            Role::Admin => false,
            Role::Coach => noted.contains(&note.client) || created.contains(&note.client),
        });
    refused.extend(out.into_iter().map(|note| (note, Refusal::NotInScope)));
    kept
}

/// A change set aside as the quarantine keeps it: whole, but for an erased client, of whom
/// nothing but ids is kept.
fn set_aside_body(change: &Change, refusal: &Refusal) -> String {
    if *refusal == Refusal::Erased {
        let mut ids_only = change.clone();
        ids_only.value = serde_json::Value::Null;
        return serde_json::to_string(&ids_only).expect("changes serialize");
    }
    serde_json::to_string(change).expect("changes serialize")
}

/// One page of the change log.
#[derive(Debug)]
pub struct Page {
    pub changes: Vec<Pulled>,
    pub cursor: u64,
    pub more: bool,
    /// The newest change in the log: with `cursor`, how far a long pull has come.
    pub head: u64,
    /// Clients entering or leaving the device's scope.
    pub scope: Option<yorisoi_domain::sync::protocol::ScopeChange>,
}

impl Db {
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, DbError> {
        let backend = if let Some(path) = url.strip_prefix("sqlite://") {
            Backend::Sqlite(open_sqlite(url, path).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            Backend::Postgres(pool)
        } else {
            return Err(DbError::UnsupportedUrl(url.to_owned()));
        };
        let instance_id = match &backend {
            Backend::Sqlite(pool) => sqlite::ensure_instance_id(pool).await?,
            Backend::Postgres(pool) => postgres::ensure_instance_id(pool).await?,
        };
        let db = Self {
            backend,
            instance_id,
            folder: std::sync::Arc::new(tokio::sync::Notify::new()),
            pushes: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)),
            set_aside_limit: SET_ASIDE_LIMIT,
        };
        db.start_folder();
        Ok(db)
    }

    /// This database's own id, made once when it was created. A device that syncs with a
    /// database of another id knows the server was replaced, not merely restarted.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Closes every connection, letting SQLite checkpoint its write-ahead log: called once the
    /// server has stopped taking requests.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }

    /// Writes a consistent copy of the database to `to` (which must not exist), while other
    /// connections may go on reading and writing: SQLite's `VACUUM INTO` copies one snapshot.
    /// PostgreSQL is backed up with its own tools (`pg_dump`).
    pub async fn backup(&self, to: &std::path::Path) -> Result<(), DbError> {
        let Backend::Sqlite(pool) = &self.backend else {
            return Err(DbError::Backup(
                "this server uses PostgreSQL: back it up with pg_dump (see the README)".into(),
            ));
        };
        if to.exists() {
            return Err(DbError::Backup(format!(
                "{} exists already: give a new file name, nothing was written",
                to.display()
            )));
        }
        // Written beside the target first and given an instance id of its own there, so that no
        // copy with the live database's id is ever at the target: a restore from it is told
        // apart from the server it was copied from (see `instance.rs`).
        let mut partial = to.as_os_str().to_owned();
        partial.push(".partial");
        let partial = std::path::PathBuf::from(partial);
        if partial.exists() {
            return Err(DbError::Backup(format!(
                "{} exists (an unfinished backup?): remove it, nothing was written",
                partial.display()
            )));
        }
        let path = partial
            .to_str()
            .ok_or_else(|| DbError::Backup(format!("{} is not a UTF-8 path", to.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(path)
            .execute(pool)
            .await?;
        let finished = match instance::renew_in_copy(&partial).await {
            // A hard link never replaces a file that appeared at the target meanwhile.
            // (A file system without hard links gets a rename, the target checked just before.)
            Ok(()) => match std::fs::hard_link(&partial, to) {
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists && !to.exists() => {
                    std::fs::rename(&partial, to)
                }
                linked => linked,
            }
            .map_err(|e| DbError::Backup(format!("cannot name the copy {}: {e}", to.display()))),
            Err(e) => Err(e),
        };
        let _ = std::fs::remove_file(&partial);
        finished
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Backend::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        }
    }

    /// Checks and stores a push in one transaction together with the device's last number: each
    /// change is stored, or set aside in the quarantine with why it was refused. Returns that
    /// number and every refusal among the request's changes (those of an earlier try of the same
    /// push too). A retried push stores nothing twice.
    ///
    /// `by` is who pushed: a change for a client they may not write is set aside too. A client
    /// the server has never seen is new; a coach who creates one is assigned to it.
    pub async fn push(
        &self,
        request: &PushRequest,
        now_ms: i64,
        by: &Scope,
    ) -> Result<Pushed, DbError> {
        let limit = self.set_aside_limit;
        let pushed = match &self.backend {
            Backend::Sqlite(pool) => {
                sqlite::push(pool.acquire().await?, request, now_ms, by, limit).await
            }
            Backend::Postgres(pool) => {
                postgres::push(pool.acquire().await?, request, now_ms, by, limit).await
            }
        }?;
        self.pushes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.folder.notify_one();
        Ok(pushed)
    }

    /// The changes after `since` in the server's sequence, at most `limit`.
    pub async fn pull(&self, since: u64, limit: u32) -> Result<Page, DbError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlite::pull(pool, since, limit).await,
            Backend::Postgres(pool) => postgres::pull(pool, since, limit).await,
        }
    }
}

async fn open_sqlite(url: &str, path: &str) -> Result<SqlitePool, DbError> {
    if let Some(parent) = std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|source| DbError::DataFolder {
            path: parent.display().to_string(),
            source,
        })?;
    }
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        // A deletion zeroes what it frees, so an erased client's bytes stay in no free space.
        .pragma("secure_delete", "ON")
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

macro_rules! backend {
    ($module:ident, $privacy:ident, $audit:ident, $pool:ty, $db:ty, $begin:literal) => {
        mod $module {
            use super::*;

            pub async fn ensure_instance_id(pool: &$pool) -> Result<String, sqlx::Error> {
                let fresh = uuid::Uuid::now_v7().to_string();
                sqlx::query("INSERT INTO server_info (key, value) VALUES ('instance_id', $1) ON CONFLICT (key) DO NOTHING")
                    .bind(&fresh)
                    .execute(pool)
                    .await?;
                sqlx::query_scalar("SELECT value FROM server_info WHERE key = 'instance_id'").fetch_one(pool).await
            }

            pub async fn push(mut conn: PoolConnection<$db>, request: &PushRequest, now_ms: i64, by: &Scope, set_aside_limit: u64) -> Result<Pushed, DbError> {
                protocol::check_format(request.format)?;
                let device = request.device.to_string();
                // Read before the writer lock, so the lock is held for less time. (An assignment
                // changing meanwhile makes no difference a person could tell from the same
                // change arriving a moment earlier or later.)
                let assigned = match by.role {
                    Role::Coach => assigned_clients(&mut *conn, by.person).await?,
                    Role::Admin | Role::Office => BTreeSet::new(),
                };
                // Whose access a coach may note: their clients, stopped ones too.
                let noted = match by.role {
                    Role::Coach if request.changes.iter().any(|c| c.is_note()) => {
                        let rows: Vec<String> = sqlx::query_scalar("SELECT client FROM assignments WHERE person = $1")
                            .bind(by.person.to_string())
                            .fetch_all(&mut *conn)
                            .await?;
                        rows.iter().filter_map(|c| c.parse().ok()).collect()
                    }
                    _ => BTreeSet::new(),
                };
                // One writer at a time (see the migration): sequence numbers commit in order.
                sqlx::raw_sql($begin).execute(&mut *conn).await?;
                let result = async {
                    let row = sqlx::query("SELECT last_seq, owner FROM devices WHERE device = $1")
                        .bind(&device)
                        .fetch_optional(&mut *conn)
                        .await?;
                    let owner = by.device.to_string();
                    let (last, claimed): (i64, Option<String>) = match &row {
                        Some(row) => (row.try_get("last_seq")?, row.try_get("owner")?),
                        None => (0, None),
                    };
                    if claimed.as_ref().is_some_and(|c| *c != owner) {
                        return Err(DbError::NotYours(device.clone()));
                    }
                    let last = u64::try_from(last).unwrap_or(0);
                    let protocol::Accepted { mut fresh, to_check, acked } = protocol::accept(request, last)?;
                    // Numbers at or below the last stored (none on the fast path): a retry's,
                    // or never seen here (the writer's numbers were advanced past them). Those
                    // the server does not hold are stored now, never acknowledged unseen.
                    if !to_check.is_empty() {
                        let held = held_seqs(&mut conn, &device, &to_check).await?;
                        let mut missing: Vec<&Change> = to_check.into_iter().filter(|c| !held.contains(&c.id.seq)).collect();
                        if !missing.is_empty() {
                            tracing::warn!(writer = %device, last, missing = missing.len(), "a push carried changes numbered below its writer's last that the server did not hold: stored now");
                        }
                        missing.append(&mut fresh);
                        fresh = missing;
                    }
                    // A first try: the request's refusals are this push's, known here.
                    let first_try = fresh.len() == request.changes.len();
                    // Audit notes go to the audit log, never to the data.
                    let (notes, fresh): (Vec<&Change>, Vec<&Change>) = fresh.into_iter().partition(|c| c.is_note());
                    // A stopped or erased client's changes are set aside, read under the writer
                    // lock so that an erase cannot slip between.
                    let clients: BTreeSet<ClientId> = fresh.iter().map(|c| c.client).collect();
                    let halted = super::privacy::$privacy::halted(&mut *conn, &clients).await?;
                    let (stopped, fresh): (Vec<&Change>, Vec<&Change>) = fresh.into_iter().partition(|c| halted.contains_key(&c.client));
                    let (known, existing) = known_entities(&mut conn, &fresh).await?;
                    let Sorted { stored, touched, mut refused } = sort_out(fresh, known, |client| match by.role {
                        Role::Office => true,
                        Role::Admin => false,
                        Role::Coach => assigned.contains(&client) || !existing.contains(&client),
                    });
                    for change in stopped {
                        refused.push((change, match halted[&change.client] {
                            Halt::Stopped => Refusal::UseStopped,
                            Halt::Erased => Refusal::Erased,
                        }));
                    }
                    let created: BTreeSet<ClientId> = stored.iter().map(|c| c.client).filter(|c| !existing.contains(c)).collect();
                    let notes = notes_in_scope(notes, by, &noted, &created, &mut refused);
                    let mut events = audit_events(&notes, &stored, by, &mut refused);
                    // A coach's new clients are theirs.
                    if by.role == Role::Coach && !created.is_empty() {
                        let mut insert = sqlx::QueryBuilder::<$db>::new("INSERT INTO assignments (person, client, assigned_at) ");
                        insert.push_values(created, |mut row, client| {
                            row.push_bind(by.person.to_string()).push_bind(client.to_string()).push_bind(now_ms);
                        });
                        insert.push(" ON CONFLICT (person, client) DO NOTHING");
                        insert.build().execute(&mut *conn).await?;
                    }
                    // One statement for the whole batch: the writer lock is held for less time.
                    if !stored.is_empty() {
                        let mut insert = sqlx::QueryBuilder::<$db>::new("INSERT INTO changes (device, device_seq, client, field, body, received_at) ");
                        insert.push_values(&stored, |mut row, change| {
                            row.push_bind(device.clone())
                                .push_bind(as_i64(change.id.seq))
                                .push_bind(change.client.to_string())
                                .push_bind(change.field.clone())
                                .push_bind(serde_json::to_string(change).expect("changes serialize"))
                                .push_bind(now_ms);
                        });
                        insert.build().execute(&mut *conn).await?;
                    }
                    if !touched.is_empty() {
                        let mut upsert = sqlx::QueryBuilder::<$db>::new("INSERT INTO entities (entity, client, instrument) ");
                        upsert.push_values(touched, |mut row, (key, known)| {
                            row.push_bind(key)
                                .push_bind(known.client.to_string())
                                .push_bind(known.instrument.map(|i| serde_json::to_string(&i).expect("references serialize")));
                        });
                        upsert.push(" ON CONFLICT (entity) DO UPDATE SET instrument = excluded.instrument");
                        upsert.build().execute(&mut *conn).await?;
                    }
                    if !refused.is_empty() {
                        // Bounded per device: past it, nothing of the push is stored or
                        // acknowledged, and the device keeps it all in its outbox.
                        let undecided: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quarantine WHERE pushed_device = $1 AND decision IS NULL")
                            .bind(&owner)
                            .fetch_one(&mut *conn)
                            .await?;
                        let undecided = u64::try_from(undecided).unwrap_or(0);
                        if undecided + refused.len() as u64 > set_aside_limit {
                            return Err(DbError::SetAsideFull(undecided));
                        }
                        let mut insert = sqlx::QueryBuilder::<$db>::new("INSERT INTO quarantine (device, device_seq, client, body, refusal, received_at, pushed_by, pushed_device) ");
                        insert.push_values(&refused, |mut row, (change, refusal)| {
                            row.push_bind(device.clone())
                                .push_bind(as_i64(change.id.seq))
                                .push_bind(change.client.to_string())
                                .push_bind(set_aside_body(change, refusal))
                                .push_bind(serde_json::to_string(refusal).expect("refusals serialize"))
                                .push_bind(now_ms)
                                .push_bind(by.person.to_string())
                                .push_bind(owner.clone());
                        });
                        insert.build().execute(&mut *conn).await?;
                    }
                    events.sort_by_key(|e| e.device_at.unwrap_or(0));
                    super::audit::$audit::append_in(&mut conn, &events, now_ms).await?;
                    // Which numbers went to the audit log: held too, for a later look-up.
                    if !notes.is_empty() {
                        let mut insert = sqlx::QueryBuilder::<$db>::new("INSERT INTO noted (device, device_seq) ");
                        insert.push_values(&notes, |mut row, change| {
                            row.push_bind(device.clone()).push_bind(as_i64(change.id.seq));
                        });
                        insert.push(" ON CONFLICT (device, device_seq) DO NOTHING");
                        insert.build().execute(&mut *conn).await?;
                    }
                    sqlx::query("INSERT INTO devices (device, last_seq, owner) VALUES ($1, $2, $3) ON CONFLICT (device) DO UPDATE SET last_seq = excluded.last_seq, owner = excluded.owner")
                        .bind(&device)
                        .bind(as_i64(last.max(acked)))
                        .bind(&owner)
                        .execute(&mut *conn)
                        .await?;
                    let refused = if first_try {
                        refused
                            .iter()
                            .map(|(change, refusal)| Refused { id: change.id, refusal: refusal.clone() })
                            .collect()
                    } else {
                        refusals(&mut conn, request).await?
                    };
                    Ok::<Pushed, DbError>(Pushed { acked_through: acked, refused })
                }
                .await;
                commit_or_rollback!(conn, result)
            }

            /// What the server knows of the entities `changes` touch, and which of the clients
            /// they name it already has (any entity of theirs), in one query.
            pub(super) async fn known_entities(conn: &mut PoolConnection<$db>, changes: &[&Change]) -> Result<(BTreeMap<String, Known>, BTreeSet<ClientId>), DbError> {
                let mut known = BTreeMap::new();
                let mut existing = BTreeSet::new();
                if changes.is_empty() {
                    return Ok((known, existing));
                }
                let keys: BTreeSet<String> = changes.iter().map(|c| entity_key(c.entity)).collect();
                let clients: BTreeSet<String> = changes.iter().map(|c| c.client.to_string()).collect();
                let mut select = sqlx::QueryBuilder::<$db>::new("SELECT entity, client, instrument FROM entities WHERE entity IN (");
                let mut list = select.separated(", ");
                for key in keys {
                    list.push_bind(key);
                }
                // A row with an empty entity says the client has some entity on the server.
                select.push(") UNION ALL SELECT '' AS entity, client, NULL AS instrument FROM entities WHERE client IN (");
                let mut list = select.separated(", ");
                for client in clients {
                    list.push_bind(client);
                }
                select.push(") GROUP BY client");
                for row in select.build().fetch_all(&mut **conn).await? {
                    let entity: String = row.try_get("entity")?;
                    let client: String = row.try_get("client")?;
                    if entity.is_empty() {
                        existing.insert(client.parse().map_err(|_| DbError::Corrupt(format!("entity client {client}")))?);
                        continue;
                    }
                    let instrument: Option<String> = row.try_get("instrument")?;
                    let facts = known_from(&client, instrument.as_deref())
                        .ok_or_else(|| DbError::Corrupt(format!("entity {entity}")))?;
                    known.insert(entity, facts);
                }
                Ok((known, existing))
            }

            /// Which of `changes` (a writer's) the server holds: stored, set aside or noted.
            async fn held_seqs(conn: &mut PoolConnection<$db>, device: &str, changes: &[&Change]) -> Result<BTreeSet<u64>, DbError> {
                let mut select = sqlx::QueryBuilder::<$db>::new("");
                for (i, table) in ["changes", "quarantine", "noted"].into_iter().enumerate() {
                    if i > 0 {
                        select.push(" UNION ");
                    }
                    select.push(format_args!("SELECT device_seq FROM {table} WHERE device = "));
                    select.push_bind(device.to_owned());
                    select.push(" AND device_seq IN (");
                    let mut list = select.separated(", ");
                    for change in changes {
                        list.push_bind(as_i64(change.id.seq));
                    }
                    select.push(")");
                }
                let mut held = BTreeSet::new();
                for row in select.build().fetch_all(&mut **conn).await? {
                    let seq: i64 = row.try_get("device_seq")?;
                    held.insert(u64::try_from(seq).unwrap_or(0));
                }
                Ok(held)
            }

            /// The clients assigned to a person.
            pub async fn assigned_clients<'c, E>(executor: E, person: yorisoi_domain::ids::PersonId) -> Result<BTreeSet<ClientId>, DbError>
            where
                E: sqlx::Executor<'c, Database = $db>,
            {
                // A stopped client (利用停止) is assigned to nobody: it leaves every coach's devices.
                let rows: Vec<String> = sqlx::query_scalar("SELECT client FROM assignments WHERE person = $1 AND client NOT IN (SELECT client FROM stopped)")
                    .bind(person.to_string())
                    .fetch_all(executor)
                    .await?;
                rows.into_iter()
                    .map(|c| c.parse().map_err(|_| DbError::Corrupt(format!("assignment client {c}"))))
                    .collect()
            }

            /// Every change of the request's range that is in the quarantine, with why.
            async fn refusals(conn: &mut PoolConnection<$db>, request: &PushRequest) -> Result<Vec<Refused>, DbError> {
                let (Some(first), Some(last)) = (request.changes.first(), request.changes.last()) else {
                    return Ok(Vec::new());
                };
                let rows = sqlx::query("SELECT device_seq, refusal FROM quarantine WHERE device = $1 AND device_seq >= $2 AND device_seq <= $3 ORDER BY device_seq")
                    .bind(request.device.to_string())
                    .bind(as_i64(first.id.seq))
                    .bind(as_i64(last.id.seq))
                    .fetch_all(&mut **conn)
                    .await?;
                let mut refused = Vec::with_capacity(rows.len());
                for row in rows {
                    let seq: i64 = row.try_get("device_seq")?;
                    let refusal: String = row.try_get("refusal")?;
                    refused.push(Refused {
                        id: ChangeId { device: request.device, seq: u64::try_from(seq).unwrap_or(0) },
                        refusal: serde_json::from_str(&refusal).map_err(|e| DbError::Corrupt(format!("quarantine {seq}: {e}")))?,
                    });
                }
                Ok(refused)
            }

            pub async fn pull(pool: &$pool, since: u64, limit: u32) -> Result<Page, DbError> {
                // Every client's changes but a stopped client's (利用停止).
                let rows = sqlx::query("SELECT seq, body, received_at FROM changes WHERE seq > $1 AND client NOT IN (SELECT client FROM stopped) ORDER BY seq LIMIT $2")
                    .bind(as_i64(since))
                    .bind(i64::from(limit) + 1)
                    .fetch_all(pool)
                    .await?;
                let more = rows.len() > limit as usize;
                let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
                for row in rows.iter().take(limit as usize) {
                    let seq: i64 = row.try_get("seq")?;
                    let body: String = row.try_get("body")?;
                    let change: Change = serde_json::from_str(&body).map_err(|e| DbError::Corrupt(format!("change {seq}: {e}")))?;
                    changes.push(Pulled { seq: u64::try_from(seq).unwrap_or(0), received_at: row.try_get("received_at")?, change });
                }
                let cursor = changes.last().map_or(since, |c| c.seq);
                let head = if more {
                    let head: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes").fetch_one(pool).await?;
                    u64::try_from(head).unwrap_or(cursor).max(cursor)
                } else {
                    cursor
                };
                Ok(Page { changes, cursor, more, head, scope: None })
            }
        }
    };
}

// SQLite: an immediate transaction takes the write lock at once, so writers queue (busy_timeout)
// instead of failing on upgrade. PostgreSQL: a transaction-wide advisory lock.
backend!(
    sqlite,
    sqlite_privacy,
    sqlite_audit,
    SqlitePool,
    sqlx::Sqlite,
    "BEGIN IMMEDIATE"
);
backend!(
    postgres,
    postgres_privacy,
    postgres_audit,
    PgPool,
    sqlx::Postgres,
    "BEGIN; SELECT pg_advisory_xact_lock(7142026)"
);
