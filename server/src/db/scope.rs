//! What a device may pull: the changes of the clients in its person's scope, and the hand-over
//! of clients entering or leaving that scope.
//!
//! The office reads every client, so its devices read the whole log after their cursor. A
//! coach's device reads only the changes of the clients assigned to the coach, through the
//! `(client, seq)` index: a pull costs what is in scope after the cursor, never the whole log.
//! The `held` table says which clients each such device holds. When a client is assigned, the
//! next pull also carries that client's changes up to the cursor (its whole history, which the
//! device never received); when one is unassigned, the pull tells the device to send what it has
//! unsent for that client and delete it. Both are a numbered hand-over the device confirms by
//! echoing its number in its next pull; until then the server sends it again, so a lost answer
//! loses nothing.

use super::database::{Backend, Db, DbError};
use super::hand_over::{ENTER_PAGE, Held, Plan, plan};
use super::log::Page;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use yorisoi_domain::accounts::Role;
use yorisoi_domain::ids::{ClientId, DeviceId, PersonId};
use yorisoi_domain::sync::protocol::{Pulled, ScopeChange};
use yorisoi_domain::sync::{Change, Entity};

/// Who a push or a pull is for: the person, their role, the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    pub person: PersonId,
    pub role: Role,
    pub device: DeviceId,
}

impl Db {
    /// A page of what `who`'s device may pull after `since`, and any hand-over; `echo` is the
    /// last hand-over the device finished.
    pub async fn pull_for(
        &self,
        who: &Scope,
        since: u64,
        limit: u32,
        echo: u64,
    ) -> Result<Page, DbError> {
        match who.role {
            Role::Office => {
                // An office device reads every client but the stopped ones, which it is told to
                // delete (see `privacy.rs`).
                let mut page = self.pull(since, limit).await?;
                let device = who.device.to_string();
                let echo = i64::try_from(echo).unwrap_or(i64::MAX);
                let fresh = since == 0 && echo == 0;
                let hand_over = match &self.backend {
                    Backend::Sqlite(pool) => {
                        super::privacy::sqlite_privacy::office_hand_over(pool, &device, echo, fresh)
                            .await
                    }
                    Backend::Postgres(pool) => {
                        super::privacy::postgres_privacy::office_hand_over(
                            pool, &device, echo, fresh,
                        )
                        .await
                    }
                }?;
                page.scope = hand_over.map(|(token, left)| ScopeChange {
                    token,
                    entered: Vec::new(),
                    left,
                });
                Ok(page)
            }
            Role::Admin => Ok(Page {
                changes: Vec::new(),
                cursor: since,
                more: false,
                head: since,
                scope: None,
            }),
            Role::Coach => {
                let echo = i64::try_from(echo).unwrap_or(i64::MAX);
                match &self.backend {
                    Backend::Sqlite(pool) => {
                        sqlite_scope::pull(pool, who, since, limit, echo).await
                    }
                    Backend::Postgres(pool) => {
                        postgres_scope::pull(pool, who, since, limit, echo).await
                    }
                }
            }
        }
    }
}

impl Db {
    /// Every change of one client or record, oldest first: its history, fetched by a device
    /// when a person opens it (a bootstrap brings fields' state, not their history). Only for a
    /// client the person may read.
    pub async fn history(&self, who: &Scope, entity: Entity) -> Result<Vec<Pulled>, DbError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlite_scope::history(pool, who, entity).await,
            Backend::Postgres(pool) => postgres_scope::history(pool, who, entity).await,
        }
    }
}

fn parse_client(s: &str) -> Result<ClientId, DbError> {
    s.parse()
        .map_err(|_| DbError::Corrupt(format!("a client id {s}")))
}

/// The most values one statement binds as a list: far below what SQLite (32,766 in its default
/// build) and PostgreSQL (65,535) take, so a list of clients of any length is read in slices.
pub const IN_LIST: usize = 1_000;

/// The clients the device bound at `$n` holds or is being sent, as a subquery: a scope of any
/// size costs one parameter. A client still to enter (a hand-over of many comes a page of
/// clients at a time) is left out until it enters, with its history up to the cursor.
macro_rules! held_sql {
    ($n:literal) => {
        concat!(
            "SELECT client FROM held WHERE device = ",
            $n,
            " AND state <> 'leaving' AND client NOT IN (SELECT client FROM stopped)"
        )
    };
}

macro_rules! scope_backend {
    ($module:ident, $assignments:ident, $pool:ty, $db:ty, $row:ty, $begin:literal) => {
        pub(super) mod $module {
            use super::*;

            pub async fn history(pool: &$pool, who: &Scope, entity: Entity) -> Result<Vec<Pulled>, DbError> {
                let client: Option<String> = sqlx::query_scalar("SELECT client FROM entities WHERE entity = $1")
                    .bind(super::super::database::entity_key(entity))
                    .fetch_optional(pool)
                    .await?;
                let Some(client) = client else {
                    return Err(DbError::NotFound("the server has nothing of this client or record".into()));
                };
                let allowed = match who.role {
                    Role::Office => true,
                    Role::Admin => false,
                    Role::Coach => assigned(pool, who.person).await?.contains(&parse_client(&client)?),
                };
                // A stopped client's history is served to no device.
                let stopped: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stopped WHERE client = $1")
                    .bind(&client)
                    .fetch_one(pool)
                    .await?;
                let allowed = allowed && stopped == 0;
                if !allowed {
                    return Err(DbError::NotInScope);
                }
                let rows: Vec<$row> = sqlx::query("SELECT seq, body, received_at FROM changes WHERE client = $1 ORDER BY seq")
                    .bind(&client)
                    .fetch_all(pool)
                    .await?;
                let mut changes = Vec::new();
                for row in &rows {
                    let seq: i64 = row.try_get("seq")?;
                    let body: String = row.try_get("body")?;
                    let change: Change = serde_json::from_str(&body).map_err(|e| DbError::Corrupt(format!("change {seq}: {e}")))?;
                    if change.entity == entity {
                        changes.push(Pulled { seq: u64::try_from(seq).unwrap_or(0), received_at: row.try_get("received_at")?, change });
                    }
                }
                Ok(changes)
            }

            /// The clients assigned to a person (the push's own reading of them).
            pub async fn assigned(pool: &$pool, person: PersonId) -> Result<BTreeSet<ClientId>, DbError> {
                super::super::assignments::$assignments::assigned_clients(pool, person).await
            }

            /// A device starts from a bootstrap of `clients`: it holds exactly them, sent in a
            /// new hand-over whose number is returned.
            pub async fn hand_over_all(pool: &$pool, device: &str, clients: &BTreeSet<ClientId>) -> Result<u64, DbError> {
                let mut conn = pool.acquire().await?;
                sqlx::raw_sql($begin).execute(&mut *conn).await?;
                let result = async {
                    sqlx::query("DELETE FROM held WHERE device = $1").bind(device).execute(&mut *conn).await?;
                    sqlx::query("INSERT INTO devices (device, last_seq) VALUES ($1, 0) ON CONFLICT (device) DO NOTHING")
                        .bind(device).execute(&mut *conn).await?;
                    let token: i64 = sqlx::query_scalar("UPDATE devices SET scope_token = scope_token + 1 WHERE device = $1 RETURNING scope_token")
                        .bind(device).fetch_one(&mut *conn).await?;
                    for slice in clients.iter().collect::<Vec<_>>().chunks(IN_LIST / 4) {
                        let mut insert = sqlx::QueryBuilder::<$db>::new("INSERT INTO held (device, client, state, token) ");
                        insert.push_values(slice, |mut row, client| {
                            row.push_bind(device).push_bind(client.to_string()).push_bind("sending").push_bind(token);
                        });
                        insert.build().execute(&mut *conn).await?;
                    }
                    Ok::<_, DbError>(u64::try_from(token).unwrap_or(0))
                }
                .await;
                commit_or_rollback!(conn, result)
            }

            pub async fn pull(pool: &$pool, who: &Scope, since: u64, limit: u32, echo: i64) -> Result<Page, DbError> {
                let device = who.device.to_string();
                let scope = assigned(pool, who.person).await?;
                if since == 0 && echo == 0 {
                    // The device starts from nothing (a new device, or one that deleted what it
                    // had for another person): whatever it held before, it holds nothing now.
                    sqlx::query("DELETE FROM held WHERE device = $1").bind(&device).execute(pool).await?;
                }
                // Past the first pull, entering clients come with their history: a page of them
                // at a time. From nothing, the tail below brings every client's whole log.
                let max_entering = if since > 0 { ENTER_PAGE } else { usize::MAX };
                let (hand_over, deferred) = hand_over(pool, &device, &scope, echo, max_entering).await?;
                let since_i = super::super::database::as_i64(since);
                let mut changes = Vec::new();
                if let Some(hand_over) = &hand_over
                    && since > 0
                    && !hand_over.entered.is_empty()
                {
                    // The entering clients' history up to the cursor: the tail brings the rest.
                    // Bound in slices, so no statement carries more parameters than a database
                    // takes (PostgreSQL: 65,535).
                    for slice in hand_over.entered.chunks(IN_LIST) {
                        let mut select = sqlx::QueryBuilder::<$db>::new("SELECT seq, body, received_at FROM changes WHERE seq <= ");
                        select.push_bind(since_i).push(" AND client IN (");
                        let mut list = select.separated(", ");
                        for client in slice {
                            list.push_bind(client.to_string());
                        }
                        select.push(")");
                        let rows: Vec<$row> = select.build().fetch_all(pool).await?;
                        changes.extend(rows.iter().map(pulled).collect::<Result<Vec<_>, _>>()?);
                    }
                    changes.sort_by_key(|c| c.seq);
                }
                // The clients the device holds are named by the device, not listed one parameter
                // each: a coach with any number of clients pulls through the `(client, seq)` index.
                let (mut tail, more, head) = if scope.is_empty() {
                    (Vec::new(), false, since)
                } else {
                    let rows: Vec<$row> = sqlx::query(concat!("SELECT seq, body, received_at FROM changes WHERE seq > $1 AND client IN (", held_sql!("$2"), ") ORDER BY seq LIMIT $3"))
                        .bind(since_i)
                        .bind(&device)
                        .bind(i64::from(limit) + 1)
                        .fetch_all(pool)
                        .await?;
                    let more = rows.len() > limit as usize;
                    let tail = rows.iter().take(limit as usize).map(pulled).collect::<Result<Vec<_>, _>>()?;
                    let head = if more {
                        let head: i64 = sqlx::query_scalar(concat!("SELECT COALESCE(MAX(seq), 0) FROM changes WHERE client IN (", held_sql!("$1"), ")"))
                            .bind(&device)
                            .fetch_one(pool)
                            .await?;
                        u64::try_from(head).unwrap_or(0)
                    } else {
                        tail.last().map_or(since, |c: &Pulled| c.seq)
                    };
                    (tail, more, head)
                };
                let cursor = tail.last().map_or(since, |c| c.seq);
                changes.append(&mut tail);
                Ok(Page { changes, cursor, more: more || deferred, head: head.max(cursor), scope: hand_over })
            }

            fn pulled(row: &$row) -> Result<Pulled, DbError> {
                let seq: i64 = row.try_get("seq")?;
                let body: String = row.try_get("body")?;
                let change: Change = serde_json::from_str(&body).map_err(|e| DbError::Corrupt(format!("change {seq}: {e}")))?;
                Ok(Pulled { seq: u64::try_from(seq).unwrap_or(0), received_at: row.try_get("received_at")?, change })
            }

            /// Confirms what the device finished and numbers a new hand-over if one is due.
            async fn hand_over(pool: &$pool, device: &str, scope: &BTreeSet<ClientId>, echo: i64, max_entering: usize) -> Result<(Option<ScopeChange>, bool), DbError> {
                let rows: Vec<$row> = sqlx::query("SELECT client, state, token FROM held WHERE device = $1")
                    .bind(device)
                    .fetch_all(pool)
                    .await?;
                let mut held = BTreeMap::new();
                for row in &rows {
                    let client = parse_client(&row.try_get::<String, _>("client")?)?;
                    let token: i64 = row.try_get("token")?;
                    let state: String = row.try_get("state")?;
                    held.insert(client, match state.as_str() {
                        "sending" => Held::Sending(token),
                        "held" => Held::Held,
                        _ => Held::Leaving(token),
                    });
                }
                let plan = plan(&held, echo, scope, max_entering);
                let deferred = plan.deferred;
                if plan == Plan::default() {
                    return Ok((None, false));
                }
                let mut conn = pool.acquire().await?;
                sqlx::raw_sql($begin).execute(&mut *conn).await?;
                let result = async {
                    for client in &plan.confirmed {
                        sqlx::query("UPDATE held SET state = 'held' WHERE device = $1 AND client = $2")
                            .bind(device).bind(client.to_string()).execute(&mut *conn).await?;
                    }
                    for client in &plan.gone {
                        sqlx::query("DELETE FROM held WHERE device = $1 AND client = $2 AND state = 'leaving'")
                            .bind(device).bind(client.to_string()).execute(&mut *conn).await?;
                    }
                    if plan.entered.is_empty() && plan.left.is_empty() {
                        return Ok::<_, DbError>((None, deferred));
                    }
                    sqlx::query("INSERT INTO devices (device, last_seq) VALUES ($1, 0) ON CONFLICT (device) DO NOTHING")
                        .bind(device).execute(&mut *conn).await?;
                    let token: i64 = sqlx::query_scalar("UPDATE devices SET scope_token = scope_token + 1 WHERE device = $1 RETURNING scope_token")
                        .bind(device).fetch_one(&mut *conn).await?;
                    for (clients, state) in [(&plan.entered, "sending"), (&plan.left, "leaving")] {
                        // A row of four parameters each: a statement per slice of clients.
                        for slice in clients.chunks(IN_LIST / 4) {
                            let mut insert = sqlx::QueryBuilder::<$db>::new("INSERT INTO held (device, client, state, token) ");
                            insert.push_values(slice, |mut row, client| {
                                row.push_bind(device).push_bind(client.to_string()).push_bind(state).push_bind(token);
                            });
                            insert.push(" ON CONFLICT (device, client) DO UPDATE SET state = excluded.state, token = excluded.token");
                            insert.build().execute(&mut *conn).await?;
                        }
                    }
                    Ok((Some(ScopeChange {
                        token: u64::try_from(token).unwrap_or(0),
                        entered: plan.entered.clone(),
                        left: plan.left.clone(),
                    }), deferred))
                }
                .await;
                commit_or_rollback!(conn, result)
            }
        }
    };
}

scope_backend!(
    sqlite_scope,
    sqlite_assignments,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    "BEGIN IMMEDIATE"
);
scope_backend!(
    postgres_scope,
    postgres_assignments,
    sqlx::PgPool,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    "BEGIN"
);
