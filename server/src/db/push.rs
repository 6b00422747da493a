//! A push: checked (see `push_check.rs`) and stored, or set aside in the quarantine, in one
//! transaction with the device's last number. The SQL is written once for both backends (see
//! `push_backend!` at the end).

use super::database::{Backend, Db, DbError, as_i64};
use super::push_check::{
    Sorted, audit_events, is_employer_share, notes_in_scope, refuse_unconsented_shares,
    set_aside_body, sort_out,
};
use super::push_retired::{retired_creations, set_aside_retired};
use super::report_audit::{share_events, share_fields};
use super::scope::Scope;
use sqlx::{Row, pool::PoolConnection};
use std::collections::BTreeSet;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::privacy::{Halt, Purpose};
use yorisoi_domain::sync::check::Refusal;
use yorisoi_domain::sync::protocol::{self, PushRequest, Refused};
use yorisoi_domain::sync::{Change, ChangeId};

/// What a push did: how far the device's changes are on the server, and which of them were set
/// aside instead of stored, with why.
#[derive(Debug)]
pub struct Pushed {
    pub acked_through: u64,
    pub refused: Vec<Refused>,
}

impl Db {
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
                sqlite_push::push(pool.acquire().await?, request, now_ms, by, limit).await
            }
            Backend::Postgres(pool) => {
                postgres_push::push(pool.acquire().await?, request, now_ms, by, limit).await
            }
        }?;
        self.pushes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.folder.notify_one();
        Ok(pushed)
    }
}

macro_rules! push_backend {
    ($module:ident, $log:ident, $assignments:ident, $privacy:ident, $audit:ident, $instruments:ident, $held:ident, $db:ty, $begin:literal) => {
        pub(super) mod $module {
            use super::*;

            pub async fn push(mut conn: PoolConnection<$db>, request: &PushRequest, now_ms: i64, by: &Scope, set_aside_limit: u64) -> Result<Pushed, DbError> {
                protocol::check_format(request.format)?;
                let device = request.device.to_string();
                // Read before the writer lock, so the lock is held for less time. (An assignment
                // changing meanwhile makes no difference a person could tell from the same
                // change arriving a moment earlier or later.)
                let assigned = match by.role {
                    Role::Coach => super::super::assignments::$assignments::assigned_clients(&mut *conn, by.person).await?,
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
                    let halted = super::super::privacy::$privacy::halted(&mut *conn, &clients).await?;
                    let (stopped, fresh): (Vec<&Change>, Vec<&Change>) = fresh.into_iter().partition(|c| halted.contains_key(&c.client));
                    let (known, existing) = super::super::log::$log::known_entities(&mut conn, &fresh).await?;
                    let instruments = super::super::instruments::$instruments::in_use(&mut *conn).await?;
                    // A new record under a retired version, from a device told of it before.
                    let mut retired = Vec::new();
                    let creations = retired_creations(&fresh, &known, &instruments.retired);
                    let fresh = if creations.is_empty() { fresh } else {
                        let told = super::super::instruments_held::$held::told_retired(&mut conn, &owner).await?;
                        set_aside_retired(fresh, &creations, &told, now_ms, &mut retired)
                    };
                    let Sorted { mut stored, touched, mut refused } = sort_out(fresh, known, &instruments, |client| match by.role {
                        Role::Office => true,
                        Role::Admin => false,
                        Role::Coach => assigned.contains(&client) || !existing.contains(&client),
                    });
                    refused.append(&mut retired);
                    for change in stopped {
                        refused.push((change, match halted[&change.client] {
                            Halt::Stopped => Refusal::UseStopped,
                            Halt::Erased => Refusal::Erased,
                        }));
                    }
                    // A report shared with the employer needs the client's consent to it.
                    let sharing: BTreeSet<ClientId> = stored.iter().filter(|c| is_employer_share(c)).map(|c| c.client).collect();
                    if !sharing.is_empty() {
                        let consents = super::super::log::$log::client_field_changes(&mut conn, &sharing, &Purpose::Employer.field()).await?;
                        stored = refuse_unconsented_shares(stored, &consents, &mut refused);
                    }
                    let created: BTreeSet<ClientId> = stored.iter().map(|c| c.client).filter(|c| !existing.contains(c)).collect();
                    let notes = notes_in_scope(notes, by, &noted, &created, &mut refused);
                    let mut events = audit_events(&notes, &stored, by, &mut refused);
                    // A report marked shared (or unmarked): audited here, once per change of
                    // its merged value.
                    let shares = share_fields(&stored);
                    if !shares.is_empty() {
                        let mut prior = Vec::new();
                        for (field, clients) in &shares {
                            prior.extend(super::super::log::$log::client_field_changes(&mut conn, clients, field).await?);
                        }
                        events.extend(share_events(&prior, &stored, by.person, by.device));
                    }
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
                    super::super::audit::$audit::append_in(&mut conn, &events, now_ms).await?;
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
        }
    };
}

// SQLite: an immediate transaction takes the write lock at once, so writers queue (busy_timeout)
// instead of failing on upgrade. PostgreSQL: a transaction-wide advisory lock.
push_backend!(
    sqlite_push,
    sqlite_log,
    sqlite_assignments,
    sqlite_privacy,
    sqlite_audit,
    sqlite_instruments,
    sqlite_held,
    sqlx::Sqlite,
    "BEGIN IMMEDIATE"
);
push_backend!(
    postgres_push,
    postgres_log,
    postgres_assignments,
    postgres_privacy,
    postgres_audit,
    postgres_instruments,
    postgres_held,
    sqlx::Postgres,
    "BEGIN; SELECT pg_advisory_xact_lock(7142026)"
);
