//! The changes set aside (the quarantine): the administrator's list, which never holds a value;
//! one change shown whole, to someone who may read its client; and acceptance, which checks that
//! the person who pushed the change may write it now.
//!
//! The store is bounded per device: a push that would leave the device with more than
//! [`SET_ASIDE_LIMIT`](super::database::SET_ASIDE_LIMIT) undecided changes set aside is refused whole
//! (nothing stored, nothing acknowledged), so the device keeps every change in its outbox until
//! an administrator decides.

use super::database::{Backend, Db, DbError};
use super::push_check::{Sorted, is_employer_share, refuse_unconsented_shares, sort_out};
use super::report_audit::{share_events, share_fields};
use sqlx::Row;
use sqlx::pool::PoolConnection;
use std::collections::BTreeSet;
use yorisoi_domain::accounts::{Decision, Role};
use yorisoi_domain::consent::Purpose;
use yorisoi_domain::ids::{ClientId, PersonId};
use yorisoi_domain::privacy::Halt;
use yorisoi_domain::sync::Change;
use yorisoi_domain::sync::check::Refusal;
use yorisoi_domain::sync::quarantine::{SetAside, SetAsideEntry, SetAsidePage};

/// Why a change set aside was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unaccepted {
    /// The change is not valid, whoever accepts it.
    Invalid(Refusal),
    /// The person who pushed it may not write this client now.
    Author(String),
}

impl Db {
    /// The same database, with another bound on what one device may have set aside (tests).
    pub fn with_set_aside_limit(mut self, limit: u64) -> Self {
        self.set_aside_limit = limit;
        self
    }

    /// A page of the changes set aside, newest first, older than `before` (all when none).
    pub async fn set_aside_page(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<SetAsidePage, DbError> {
        let before = before.unwrap_or(i64::MAX);
        match &self.backend {
            Backend::Sqlite(pool) => sqlite_quarantine::page(pool, before, limit).await,
            Backend::Postgres(pool) => postgres_quarantine::page(pool, before, limit).await,
        }
    }

    /// One change set aside, whole (its value too), if there is one with that id.
    pub async fn set_aside_change(&self, id: i64) -> Result<Option<SetAside>, DbError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlite_quarantine::one(pool, id).await,
            Backend::Postgres(pool) => postgres_quarantine::one(pool, id).await,
        }
    }

    /// Marks a change set aside as discarded; false if there is none undecided with that id.
    pub async fn discard(&self, id: i64, by: PersonId, now: i64) -> Result<bool, DbError> {
        let (decision, by) = (Decision::Discarded.as_str(), by.to_string());
        match &self.backend {
            Backend::Sqlite(pool) => sqlite_quarantine::decide(pool, id, decision, &by, now).await,
            Backend::Postgres(pool) => {
                postgres_quarantine::decide(pool, id, decision, &by, now).await
            }
        }
    }

    /// Whether `person` (of `role`) may read `client` now: the office any client in use, a
    /// coach the clients assigned to them now, an administrator none.
    pub async fn reads_client(
        &self,
        role: Role,
        person: PersonId,
        client: ClientId,
    ) -> Result<bool, DbError> {
        if role == Role::Admin || self.stopped_client(client).await?.is_some() {
            return Ok(false);
        }
        if role == Role::Office {
            return Ok(true);
        }
        let assigned = match &self.backend {
            Backend::Sqlite(pool) => {
                super::assignments::sqlite_assignments::assigned_clients(pool, person).await?
            }
            Backend::Postgres(pool) => {
                super::assignments::postgres_assignments::assigned_clients(pool, person).await?
            }
        };
        Ok(assigned.contains(&client))
    }

    /// Stores a change an administrator accepted from the quarantine, in the log under the
    /// writer lock, if it is valid for its instrument and entity and the person who pushed it
    /// may write its client now (the office; a coach assigned to it; never an administrator).
    /// Returns why not, or `Ok(())` when stored; `Err` for no undecided change of that id.
    pub async fn accept(
        &self,
        id: i64,
        by: PersonId,
        now_ms: i64,
    ) -> Result<Result<(), Unaccepted>, DbError> {
        let accepted = match &self.backend {
            Backend::Sqlite(pool) => {
                sqlite_quarantine::accept(pool.acquire().await?, id, by, now_ms).await
            }
            Backend::Postgres(pool) => {
                postgres_quarantine::accept(pool.acquire().await?, id, by, now_ms).await
            }
        }?;
        self.folder.notify_one();
        Ok(accepted)
    }
}

fn corrupt(what: String) -> DbError {
    DbError::Corrupt(what)
}

fn decision_of(text: Option<&str>) -> Option<Decision> {
    match text {
        Some("accepted") => Some(Decision::Accepted),
        Some(_) => Some(Decision::Discarded),
        None => None,
    }
}

/// What the administrator's list may say of a refusal: no value, even one the check quoted.
fn without_value(refusal: Refusal) -> Refusal {
    match refusal {
        Refusal::BadValue { field, .. } => Refusal::BadValue {
            field,
            reason: "the value does not fit this field".into(),
        },
        other => other,
    }
}

/// Whether `role` (the author's, now) may write a client: `assigned` says whether they are
/// assigned to it now. `None` when they may; why not otherwise.
fn author_may_write(role: Role, disabled: bool, assigned: bool) -> Option<String> {
    if disabled {
        return Some("the person who made this change is disabled".into());
    }
    match role {
        Role::Office => None,
        Role::Coach if assigned => None,
        Role::Coach => Some("the person who made this change is not assigned to this client: assign them first, or discard it".into()),
        Role::Admin => Some("an administrator writes no client data: discard it".into()),
    }
}

macro_rules! quarantine_backend {
    ($module:ident, $log:ident, $privacy:ident, $instruments:ident, $audit:ident, $pool:ty, $db:ty, $row:ty, $begin:literal) => {
        pub(super) mod $module {
            use super::*;

            fn entry(row: &$row) -> Result<SetAsideEntry, DbError> {
                let id: i64 = row.try_get("id")?;
                let bad = |e: serde_json::Error| corrupt(format!("set-aside change {id}: {e}"));
                let change: Change = serde_json::from_str(&row.try_get::<String, _>("body")?).map_err(bad)?;
                let refusal: Refusal = serde_json::from_str(&row.try_get::<String, _>("refusal")?).map_err(bad)?;
                let name: Option<String> = row.try_get("name_body")?;
                let client_name = name
                    .and_then(|body| serde_json::from_str::<Change>(&body).ok())
                    .and_then(|c| c.value.as_str().map(str::to_owned));
                let pushed_by: Option<String> = row.try_get("pushed_by")?;
                let pushed_device: Option<String> = row.try_get("pushed_device")?;
                Ok(SetAsideEntry {
                    id,
                    change_id: change.id,
                    client: change.client,
                    client_name,
                    entity: change.entity,
                    field: change.field,
                    refusal: without_value(refusal),
                    received_at: row.try_get("received_at")?,
                    pushed_by: pushed_by.and_then(|p| p.parse().ok()),
                    pushed_by_name: row.try_get("person_name")?,
                    pushed_device: pushed_device.and_then(|d| d.parse().ok()),
                    device_name: row.try_get("device_name")?,
                    decision: decision_of(row.try_get::<Option<String>, _>("decision")?.as_deref()),
                })
            }

            pub async fn decide(pool: &$pool, id: i64, decision: &str, by: &str, now: i64) -> Result<bool, DbError> {
                let done = sqlx::query("UPDATE quarantine SET decision = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND decision IS NULL")
                    .bind(decision)
                    .bind(by)
                    .bind(now)
                    .bind(id)
                    .execute(pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            pub async fn page(pool: &$pool, before: i64, limit: u32) -> Result<SetAsidePage, DbError> {
                // The client's newest name change (records have no `name` field).
                let rows: Vec<$row> = sqlx::query(
                    "SELECT q.id, q.body, q.refusal, q.received_at, q.decision, q.pushed_by, q.pushed_device, \
                     p.name AS person_name, d.name AS device_name, \
                     (SELECT c.body FROM changes c WHERE c.client = q.client AND c.field = 'name' ORDER BY c.seq DESC LIMIT 1) AS name_body \
                     FROM quarantine q LEFT JOIN people p ON p.id = q.pushed_by LEFT JOIN devices d ON d.device = q.pushed_device \
                     WHERE q.id < $1 ORDER BY q.id DESC LIMIT $2")
                    .bind(before)
                    .bind(i64::from(limit) + 1)
                    .fetch_all(pool)
                    .await?;
                let more = rows.len() > limit as usize;
                let entries = rows.iter().take(limit as usize).map(entry).collect::<Result<Vec<_>, _>>()?;
                let undecided: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quarantine WHERE decision IS NULL")
                    .fetch_one(pool)
                    .await?;
                Ok(SetAsidePage { entries, more, undecided: u64::try_from(undecided).unwrap_or(0) })
            }

            pub async fn one(pool: &$pool, id: i64) -> Result<Option<SetAside>, DbError> {
                let Some(row): Option<$row> = sqlx::query("SELECT id, body, refusal, received_at, decision FROM quarantine WHERE id = $1")
                    .bind(id)
                    .fetch_optional(pool)
                    .await?
                else {
                    return Ok(None);
                };
                let bad = |e: serde_json::Error| corrupt(format!("set-aside change {id}: {e}"));
                Ok(Some(SetAside {
                    id,
                    change: serde_json::from_str(&row.try_get::<String, _>("body")?).map_err(bad)?,
                    refusal: serde_json::from_str(&row.try_get::<String, _>("refusal")?).map_err(bad)?,
                    received_at: row.try_get("received_at")?,
                    decision: decision_of(row.try_get::<Option<String>, _>("decision")?.as_deref()),
                }))
            }

            /// Whether the author of a change set aside may write its client now: `None` if so.
            async fn author_refusal(conn: &mut PoolConnection<$db>, author: Option<&str>, client: &str) -> Result<Option<String>, DbError> {
                let Some(author) = author else {
                    return Ok(Some("this change was set aside before the server kept who made it: discard it, and ask its author to enter it again".into()));
                };
                let person: Option<$row> = sqlx::query("SELECT role, disabled FROM people WHERE id = $1")
                    .bind(author)
                    .fetch_optional(&mut **conn)
                    .await?;
                let Some(person) = person else {
                    return Ok(Some("the person who made this change is no longer known".into()));
                };
                let role = Role::parse(&person.try_get::<String, _>("role")?).ok_or_else(|| corrupt(format!("the role of person {author}")))?;
                let disabled = person.try_get::<i64, _>("disabled")? != 0;
                let assigned: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assignments WHERE person = $1 AND client = $2")
                    .bind(author)
                    .bind(client)
                    .fetch_one(&mut **conn)
                    .await?;
                Ok(author_may_write(role, disabled, assigned > 0))
            }

            pub async fn accept(mut conn: PoolConnection<$db>, id: i64, by: PersonId, now_ms: i64) -> Result<Result<(), Unaccepted>, DbError> {
                sqlx::raw_sql($begin).execute(&mut *conn).await?;
                let result = async {
                    let row = sqlx::query("SELECT device, device_seq, body, pushed_by FROM quarantine WHERE id = $1 AND decision IS NULL")
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await?
                        .ok_or_else(|| DbError::NotFound(format!("no undecided change set aside with id {id}")))?;
                    let device: String = row.try_get("device")?;
                    let seq: i64 = row.try_get("device_seq")?;
                    let body: String = row.try_get("body")?;
                    let author: Option<String> = row.try_get("pushed_by")?;
                    let change: Change = serde_json::from_str(&body).map_err(|e| corrupt(format!("quarantine {id}: {e}")))?;
                    // Whoever accepts it, a stopped or erased client's data is not stored.
                    let halted = super::super::privacy::$privacy::halted(&mut *conn, &BTreeSet::from([change.client])).await?;
                    if let Some(halt) = halted.get(&change.client) {
                        return Ok(Err(Unaccepted::Invalid(match halt {
                            Halt::Stopped => Refusal::UseStopped,
                            Halt::Erased => Refusal::Erased,
                        })));
                    }
                    // Its author's right to write it, now: accepting never writes in anyone's name
                    // what they may not write themselves.
                    if let Some(why) = author_refusal(&mut conn, author.as_deref(), &change.client.to_string()).await? {
                        return Ok(Err(Unaccepted::Author(why)));
                    }
                    let (known, _) = super::super::log::$log::known_entities(&mut conn, &[&change]).await?;
                    let instruments = super::super::instruments::$instruments::in_use(&mut *conn).await?;
                    let Sorted { stored, touched, mut refused } = sort_out(vec![&change], known, &instruments, |_| true);
                    // A report shared with the employer needs the client's consent, as in a push.
                    let stored = if stored.iter().any(|c| is_employer_share(c)) {
                        let consents = super::super::log::$log::client_field_changes(&mut conn, &BTreeSet::from([change.client]), &Purpose::Employer.field()).await?;
                        refuse_unconsented_shares(stored, &consents, &mut refused)
                    } else {
                        stored
                    };
                    if let Some((_, refusal)) = refused.pop() {
                        return Ok(Err(Unaccepted::Invalid(refusal)));
                    }
                    // A share accepted is audited as when pushed, in its author's name.
                    let mut events = Vec::new();
                    if let Some(person) = author.as_deref().and_then(|a| a.parse::<PersonId>().ok()) {
                        for (field, clients) in &share_fields(&stored) {
                            let prior = super::super::log::$log::client_field_changes(&mut conn, clients, field).await?;
                            events.extend(share_events(&prior, &stored, person, change.id.device));
                        }
                    }
                    for change in &stored {
                        sqlx::query("INSERT INTO changes (device, device_seq, client, field, body, received_at) VALUES ($1, $2, $3, $4, $5, $6)")
                            .bind(&device)
                            .bind(seq)
                            .bind(change.client.to_string())
                            .bind(change.field.clone())
                            .bind(&body)
                            .bind(now_ms)
                            .execute(&mut *conn)
                            .await?;
                    }
                    for (key, known) in touched {
                        sqlx::query("INSERT INTO entities (entity, client, instrument) VALUES ($1, $2, $3) ON CONFLICT (entity) DO UPDATE SET instrument = excluded.instrument")
                            .bind(key)
                            .bind(known.client.to_string())
                            .bind(known.instrument.map(|i| serde_json::to_string(&i).expect("references serialize")))
                            .execute(&mut *conn)
                            .await?;
                    }
                    super::super::audit::$audit::append_in(&mut conn, &events, now_ms).await?;
                    sqlx::query("UPDATE quarantine SET decision = 'accepted', decided_by = $1, decided_at = $2 WHERE id = $3")
                        .bind(by.to_string())
                        .bind(now_ms)
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    Ok::<_, DbError>(Ok(()))
                }
                .await;
                match result {
                    Ok(outcome) => {
                        sqlx::raw_sql(if outcome.is_ok() { "COMMIT" } else { "ROLLBACK" }).execute(&mut *conn).await?;
                        Ok(outcome)
                    }
                    Err(error) => {
                        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
                        Err(error)
                    }
                }
            }
        }
    };
}

quarantine_backend!(
    sqlite_quarantine,
    sqlite_log,
    sqlite_privacy,
    sqlite_instruments,
    sqlite_audit,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    "BEGIN IMMEDIATE"
);
quarantine_backend!(
    postgres_quarantine,
    postgres_log,
    postgres_privacy,
    postgres_instruments,
    postgres_audit,
    sqlx::PgPool,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    "BEGIN; SELECT pg_advisory_xact_lock(7142026)"
);

#[cfg(test)]
mod tests;
