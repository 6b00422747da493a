//! Every field's current state (its register), kept beside the log, and the bootstrap that
//! serves it.
//!
//! The state is the log folded up to a position (`state_seq` in `server_info`). A folder in each
//! server instance folds what the log has beyond it, in order, in batches, once pushes pause
//! (one folder at a time across instances: the folding transaction holds a lock of its own);
//! a bootstrap folds what is outstanding before it reads. Pushes never wait for it: measured,
//! folding inside the push's transaction halved push throughput, and a folder running during a
//! burst of pushes put their p99 far over the goal. The server folds everything outstanding
//! before it starts serving. A bootstrap page is read in one snapshot: its `base`
//! is the newest position folded into what it returns, and the log after it brings the rest.

use super::database::{Backend, Db, DbError, entity_key};
use super::scope::Scope;
use serde_json::value::RawValue;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use yorisoi_domain::accounts::Role;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::sync::protocol::{
    BOOTSTRAP_FORMAT, BootstrapPage, ClientState, EntityState, FieldList,
};
use yorisoi_domain::sync::{Change, Entity, Register};

/// How many log entries the folder folds per transaction: small enough that on SQLite (one
/// writer lock) a push never waits long behind it.
const CATCH_UP_BATCH: i64 = 1_000;

/// How long pushes must pause before the folder folds.
const QUIET: std::time::Duration = std::time::Duration::from_secs(2);

/// How far the log is folded, as `server_info` keeps it.
const STATE_SEQ: &str = "SELECT CAST(value AS BIGINT) FROM server_info WHERE key = 'state_seq'";

fn parse_entity(key: &str) -> Result<Entity, DbError> {
    key.parse().map_err(DbError::Corrupt)
}

/// The cursor of a bootstrap page: the last entity it returned.
fn encode_cursor(client: &str, entity: &str) -> String {
    serde_json::to_string(&(client, entity)).expect("strings serialize")
}

fn decode_cursor(cursor: &str) -> Result<(String, String), DbError> {
    serde_json::from_str(cursor).map_err(|_| DbError::BadCursor(cursor.to_owned()))
}

/// An entity's fields as a bootstrap page holds them on the server: the JSON text of their
/// `[field, register]` pairs, put together by the database from the registers' stored text
/// (never parsed and written again here), and how many there are.
#[derive(Debug)]
pub struct RawFields {
    pub json: Box<RawValue>,
    pub count: usize,
}

impl serde::Serialize for RawFields {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

impl FieldList for RawFields {
    fn count(&self) -> usize {
        self.count
    }
}

impl Db {
    /// Starts this instance's folder: once pushes have paused for a moment, it folds the log
    /// into the state. It never competes with a burst of pushes for the machine (measured: a
    /// folder running during a burst put the paced push p99 far over its goal); a bootstrap
    /// folds whatever is outstanding itself before it reads.
    pub(super) fn start_folder(&self) {
        let db = self.clone();
        tokio::spawn(async move {
            loop {
                db.folder.notified().await;
                // Wait until no push came for QUIET.
                while tokio::time::timeout(QUIET, db.folder.notified())
                    .await
                    .is_ok()
                {}
                // Stop at the next batch if pushes start again: they come first.
                let pushes = db.pushes.load(std::sync::atomic::Ordering::Relaxed);
                let quiet = || db.pushes.load(std::sync::atomic::Ordering::Relaxed) == pushes;
                if let Err(e) = db.fold_while(quiet).await {
                    tracing::warn!("cannot fold the log into the fields' state: {e}");
                }
            }
        });
    }

    /// Folds into the state whatever of the log it does not cover yet; how many changes.
    pub async fn catch_up_state(&self) -> Result<u64, DbError> {
        self.fold_while(|| true).await
    }

    /// Folds batch after batch while `go_on` says so.
    async fn fold_while(&self, go_on: impl Fn() -> bool) -> Result<u64, DbError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlite_state::catch_up(pool, go_on).await,
            Backend::Postgres(pool) => postgres_state::catch_up(pool, go_on).await,
        }
    }

    /// One page of the current state of `who`'s scope, after `after` (a page's `next`), at most
    /// `limit` entities (clients and records, each with every field). For a coach, the first page also records the hand-over of every client
    /// it covers, whose number comes back in `scope` (the device echoes it in its next pull).
    pub async fn bootstrap(
        &self,
        who: &Scope,
        after: Option<&str>,
        limit: u32,
    ) -> Result<BootstrapPage<RawFields>, DbError> {
        let after = after.map(decode_cursor).transpose()?;
        // What the folder has not folded yet (pushes kept coming) is folded now.
        self.catch_up_state().await?;
        match &self.backend {
            Backend::Sqlite(pool) => sqlite_state::bootstrap(pool, who, after, limit).await,
            Backend::Postgres(pool) => postgres_state::bootstrap(pool, who, after, limit).await,
        }
    }
}

macro_rules! state_backend {
    ($module:ident, $scope:ident, $privacy:ident, $pool:ty, $db:ty, $row:ty, $lock:literal, $snapshot:literal, $grouped:literal) => {
        pub(super) mod $module {
            use super::*;
            use sqlx::pool::PoolConnection;

            /// Folds `changes` (stored at positions up to `seq`) into their fields' registers.
            /// Runs inside the caller's transaction, under the writer lock.
            pub async fn fold(conn: &mut PoolConnection<$db>, changes: &[(Change, i64)], seq: i64) -> Result<(), DbError> {
                if changes.is_empty() {
                    return Ok(());
                }
                let keys: BTreeSet<(String, String)> = changes.iter().map(|(c, _)| (entity_key(c.entity), c.field.clone())).collect();
                let mut registers: BTreeMap<(String, String), (String, Register, i64)> = BTreeMap::new();
                for chunk in keys.iter().collect::<Vec<_>>().chunks(400) {
                    let mut select = sqlx::QueryBuilder::<$db>::new("SELECT entity, field, register, at FROM state WHERE (entity, field) IN (");
                    let mut list = select.separated(", ");
                    for (entity, field) in chunk {
                        list.push("(");
                        list.push_bind_unseparated(entity.clone());
                        list.push_unseparated(", ");
                        list.push_bind_unseparated(field.clone());
                        list.push_unseparated(")");
                    }
                    select.push(")");
                    for row in select.build().fetch_all(&mut **conn).await? {
                        let entity: String = row.try_get("entity")?;
                        let field: String = row.try_get("field")?;
                        let text: String = row.try_get("register")?;
                        let register: Register = serde_json::from_str(&text).map_err(|e| DbError::Corrupt(format!("state {entity} {field}: {e}")))?;
                        let at: i64 = row.try_get("at")?;
                        registers.insert((entity, field), (String::new(), register, at));
                    }
                }
                for (change, received_at) in changes {
                    let key = (entity_key(change.entity), change.field.clone());
                    let entry = registers.entry(key).or_default();
                    entry.0 = change.client.to_string();
                    entry.1.apply(change.id, &change.base, &change.value);
                    entry.2 = entry.2.max(*received_at);
                }
                let entries: Vec<_> = registers.into_iter().filter(|(_, (client, _, _))| !client.is_empty()).collect();
                for chunk in entries.chunks(400) {
                    let mut upsert = sqlx::QueryBuilder::<$db>::new("INSERT INTO state (entity, field, client, register, seq, at) ");
                    upsert.push_values(chunk, |mut row, ((entity, field), (client, register, at))| {
                        row.push_bind(entity.clone())
                            .push_bind(field.clone())
                            .push_bind(client.clone())
                            .push_bind(serde_json::to_string(register).expect("registers serialize"))
                            .push_bind(seq)
                            .push_bind(*at);
                    });
                    upsert.push(" ON CONFLICT (entity, field) DO UPDATE SET register = excluded.register, seq = excluded.seq, at = excluded.at");
                    upsert.build().execute(&mut **conn).await?;
                }
                Ok(())
            }

            /// Folds the log after the state's newest position, a batch per transaction.
            pub async fn catch_up(pool: &$pool, go_on: impl Fn() -> bool) -> Result<u64, DbError> {
                let mut folded = 0;
                loop {
                    if !go_on() {
                        return Ok(folded);
                    }
                    let mut conn = pool.acquire().await?;
                    sqlx::raw_sql($lock).execute(&mut *conn).await?;
                    let result = async {
                        let last: i64 = sqlx::query_scalar(STATE_SEQ).fetch_one(&mut *conn).await?;
                        let rows: Vec<$row> = sqlx::query("SELECT seq, body, received_at FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2")
                            .bind(last)
                            .bind(CATCH_UP_BATCH)
                            .fetch_all(&mut *conn)
                            .await?;
                        let mut changes = Vec::with_capacity(rows.len());
                        let mut newest = last;
                        for row in &rows {
                            let seq: i64 = row.try_get("seq")?;
                            let body: String = row.try_get("body")?;
                            let change = serde_json::from_str::<Change>(&body).map_err(|e| DbError::Corrupt(format!("change {seq}: {e}")))?;
                            changes.push((change, row.try_get::<i64, _>("received_at")?));
                            newest = newest.max(seq);
                        }
                        fold(&mut conn, &changes, newest).await?;
                        if newest > last {
                            sqlx::query("UPDATE server_info SET value = $1 WHERE key = 'state_seq'")
                                .bind(newest.to_string())
                                .execute(&mut *conn)
                                .await?;
                        }
                        Ok::<usize, DbError>(rows.len())
                    }
                    .await;
                    match result {
                        Ok(n) => {
                            sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
                            folded += n as u64;
                            if (n as i64) < CATCH_UP_BATCH {
                                return Ok(folded);
                            }
                        }
                        Err(error) => {
                            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
                            return Err(error);
                        }
                    }
                }
            }

            /// Narrows a query of `state` to the clients in `who`'s scope: every client for the
            /// office, a coach's assigned clients (one parameter, however many), none for an
            /// administrator.
            fn in_scope(query: &mut sqlx::QueryBuilder<$db>, who: &Scope) {
                // A stopped client (利用停止) is in nobody's scope.
                query.push(" AND client NOT IN (SELECT client FROM stopped)");
                match who.role {
                    Role::Office => {}
                    Role::Admin => {
                        query.push(" AND 1 = 0");
                    }
                    Role::Coach => {
                        query.push(" AND client IN (SELECT client FROM assignments WHERE person = ")
                            .push_bind(who.person.to_string())
                            .push(")");
                    }
                }
            }

            pub async fn bootstrap(
                pool: &$pool,
                who: &Scope,
                after: Option<(String, String)>,
                limit: u32,
            ) -> Result<BootstrapPage<RawFields>, DbError> {
                let scope: Option<BTreeSet<ClientId>> = match who.role {
                    Role::Office => None,
                    Role::Admin => Some(BTreeSet::new()),
                    Role::Coach => Some(super::super::scope::$scope::assigned(pool, who.person).await?),
                };
                // The hand-over of every client this bootstrap covers, recorded with its first page.
                let token = match (&scope, &after, who.role) {
                    (Some(clients), None, Role::Coach) => {
                        Some(super::super::scope::$scope::hand_over_all(pool, &who.device.to_string(), clients).await?)
                    }
                    (None, None, Role::Office) => {
                        // An office device starting from nothing holds no stopped client.
                        super::super::privacy::$privacy::office_hand_over(pool, &who.device.to_string(), 0, true).await?;
                        None
                    }
                    _ => None,
                };
                let mut conn = pool.acquire().await?;
                sqlx::raw_sql($snapshot).execute(&mut *conn).await?;
                let result = async {
                    let base: i64 = sqlx::query_scalar(STATE_SEQ).fetch_one(&mut *conn).await?;
                    // One row per entity, its fields put together by the database.
                    let mut select = sqlx::QueryBuilder::<$db>::new($grouped);
                    in_scope(&mut select, who);
                    if let Some((client, entity)) = &after {
                        select.push(" AND (client, entity) > (")
                            .push_bind(client.clone())
                            .push(", ")
                            .push_bind(entity.clone())
                            .push(")");
                    }
                    select.push(" GROUP BY client, entity ORDER BY client, entity LIMIT ").push_bind(i64::from(limit) + 1);
                    let rows: Vec<$row> = select.build().fetch_all(&mut *conn).await?;
                    // The first page says how many fields there are in all, in the same snapshot.
                    let total = if after.is_none() {
                        let mut count = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM state WHERE 1 = 1");
                        in_scope(&mut count, who);
                        let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
                        Some(u64::try_from(total).unwrap_or(0))
                    } else {
                        None
                    };
                    Ok::<_, DbError>((base, rows, total))
                }
                .await;
                let _ = sqlx::raw_sql("COMMIT").execute(&mut *conn).await;
                let (base, rows, total) = result?;
                let more = rows.len() > limit as usize;
                // Rows come by client and entity: consecutive rows of one client are grouped. The
                // fields' text is checked to be JSON (a damaged register is an error, never sent).
                let mut clients: Vec<ClientState<RawFields>> = Vec::new();
                let mut last = None;
                for row in rows.iter().take(limit as usize) {
                    let client: String = row.try_get("client")?;
                    let entity: String = row.try_get("entity")?;
                    let list: String = row.try_get("list")?;
                    let count: i64 = row.try_get("fields")?;
                    let json = RawValue::from_string(list).map_err(|e| DbError::Corrupt(format!("state {entity}: {e}")))?;
                    let client_id: ClientId = client.parse().map_err(|_| DbError::Corrupt(format!("state client {client}")))?;
                    if clients.last().is_none_or(|c| c.client != client_id) {
                        clients.push(ClientState { client: client_id, entities: Vec::new() });
                    }
                    clients.last_mut().expect("pushed above").entities.push(EntityState {
                        entity: parse_entity(&entity)?,
                        at: row.try_get("at")?,
                        fields: RawFields { json, count: usize::try_from(count).unwrap_or(0) },
                    });
                    last = Some((client, entity));
                }
                let last = last.map(|(client, entity)| encode_cursor(&client, &entity));
                Ok(
                    BootstrapPage {
                        format: BOOTSTRAP_FORMAT,
                        base: u64::try_from(base).unwrap_or(0),
                        clients,
                        next: if more { last } else { None },
                        total,
                        scope: token,
                    },
                )
            }
        }
    };
}

state_backend!(
    sqlite_state,
    sqlite_scope,
    sqlite_privacy,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    "BEGIN IMMEDIATE",
    "BEGIN",
    // Each register's stored text as it is, in `[field, register]` pairs.
    "SELECT client, entity, MAX(at) AS at, COUNT(*) AS fields, \
     '[' || group_concat('[' || json_quote(field) || ',' || register || ']', ',') || ']' AS list \
     FROM state WHERE 1 = 1"
);
state_backend!(
    postgres_state,
    postgres_scope,
    postgres_privacy,
    sqlx::PgPool,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    // The folders' own lock: pushes do not touch the state, so they need not wait for it.
    "BEGIN; SELECT pg_advisory_xact_lock(7142028)",
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    "SELECT client, entity, MAX(at) AS at, COUNT(*) AS fields, \
     '[' || string_agg('[' || to_json(field)::text || ',' || register || ']', ',' ORDER BY field) || ']' AS list \
     FROM state WHERE 1 = 1"
);
