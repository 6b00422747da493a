//! 利用停止 (stop use) and erase of one client (the disclosure is in `disclosure.rs`).
//!
//! - **Stopped**: the client leaves every device's scope (a coach's devices through the
//!   ordinary hand-over, since a stopped client counts as assigned to nobody; an office device
//!   through the `gone` table, below), no pull, bootstrap or history serves it, and a change for
//!   it is set aside with why. Its data stays on the server until `retain_until`.
//! - **Erased** (only once stopped): every change, field state, entity and set-aside change of the
//!   client is deleted in one transaction, which holds the push writer's and the state folder's
//!   locks so that neither can write the client back. The `stopped` row stays, with ids only, so
//!   a device that comes back later is still told to delete the client and a late change for it
//!   is refused; the audit log keeps its entries (ids, never values).
//!
//! An office device reads every client, so it has no `held` rows to hand a client over with;
//! `gone` says which stopped clients each office device confirmed deleting, and a stopped client
//! not in it is sent as leaving (numbered like any hand-over) until the device confirms.

use super::database::{Backend, Db, DbError};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use yorisoi_domain::ids::{ClientId, PersonId};
use yorisoi_domain::privacy::{Halt, Stopped};

/// The default retention after 利用停止: five years (the health ministry's guidance for support
/// records), configurable with `--retention-years`.
pub const DEFAULT_RETENTION_YEARS: u32 = 5;

/// What an erase deleted, counted (ids and numbers only: this is what its audit entry says).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Erasure {
    pub changes: u64,
    pub fields: u64,
    pub entities: u64,
    pub set_aside: u64,
    pub assignments: u64,
}

/// Why an erase was not done.
#[derive(Debug, thiserror::Error)]
pub enum EraseError {
    #[error("use of this client has not been stopped: stop use (利用停止) first")]
    NotStopped,
    #[error("this client was erased already")]
    AlreadyErased,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for EraseError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e.into())
    }
}

/// The office device's hand-over of stopped clients: which it confirmed deleting, and which to
/// tell it (again) to delete. Pure, so the rule is tested on its own.
pub(super) fn office_plan(
    stopped: &BTreeSet<ClientId>,
    leaving: &BTreeMap<ClientId, i64>,
    gone: &BTreeSet<ClientId>,
    echo: i64,
) -> (Vec<ClientId>, Vec<ClientId>) {
    let (mut confirmed, mut left) = (Vec::new(), Vec::new());
    for client in stopped.difference(gone) {
        match leaving.get(client) {
            Some(&token) if token <= echo => confirmed.push(*client),
            _ => left.push(*client),
        }
    }
    (confirmed, left)
}

impl Db {
    /// Stops use of `client` (利用停止); false if it was stopped already.
    pub async fn stop_use(
        &self,
        client: ClientId,
        by: PersonId,
        now: i64,
        retain_until: i64,
    ) -> Result<bool, DbError> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                sqlite_privacy::stop(pool, client, by, now, retain_until).await
            }
            Backend::Postgres(pool) => {
                postgres_privacy::stop(pool, client, by, now, retain_until).await
            }
        }
    }

    /// Erases a stopped client's data from the database (see the module's notes).
    pub async fn erase(
        &self,
        client: ClientId,
        by: PersonId,
        now: i64,
    ) -> Result<Erasure, EraseError> {
        // In a task of its own: its write transaction ends even if the request goes away.
        let db = self.clone();
        tokio::spawn(async move {
            let erasure = match &db.backend {
                Backend::Sqlite(pool) => sqlite_privacy::erase(pool, client, by, now).await,
                Backend::Postgres(pool) => postgres_privacy::erase(pool, client, by, now).await,
            }?;
            // The rows are deleted; now their bytes, from the database's files.
            // The erase is committed whatever happens here: it is answered (and audited) as
            // done, and a scrub that failed is said in the log for the operator.
            if let Err(error) = db.scrub().await {
                tracing::error!(%error, %client, "erased, but the database files could not be scrubbed yet: see the README, Backups and erasure");
            }
            Ok(erasure)
        })
        .await
        .map_err(|e| EraseError::Db(DbError::Corrupt(format!("the erase task failed: {e}"))))?
    }

    /// Every stopped client, newest first.
    pub async fn stopped(&self) -> Result<Vec<Stopped>, DbError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlite_privacy::stopped(pool, None).await,
            Backend::Postgres(pool) => postgres_privacy::stopped(pool, None).await,
        }
    }

    /// One client's stop, if it is stopped.
    pub async fn stopped_client(&self, client: ClientId) -> Result<Option<Stopped>, DbError> {
        let found = match &self.backend {
            Backend::Sqlite(pool) => sqlite_privacy::stopped(pool, Some(client)).await,
            Backend::Postgres(pool) => postgres_privacy::stopped(pool, Some(client)).await,
        }?;
        Ok(found.into_iter().next())
    }
}

fn parse_client(text: &str) -> Result<ClientId, DbError> {
    text.parse()
        .map_err(|_| DbError::Corrupt(format!("a stopped client's id {text}")))
}

macro_rules! privacy_backend {
    ($module:ident, $pool:ty, $db:ty, $row:ty, $lock:literal, $begin:literal) => {
        pub(super) mod $module {
            use super::*;

            pub async fn stop(pool: &$pool, client: ClientId, by: PersonId, now: i64, retain_until: i64) -> Result<bool, DbError> {
                let done = sqlx::query("INSERT INTO stopped (client, stopped_at, stopped_by, retain_until) VALUES ($1, $2, $3, $4) ON CONFLICT (client) DO NOTHING")
                    .bind(client.to_string())
                    .bind(now)
                    .bind(by.to_string())
                    .bind(retain_until)
                    .execute(pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            /// The stops among `clients`, in a transaction already under the writer lock.
            pub async fn halted<'c, E>(executor: E, clients: &BTreeSet<ClientId>) -> Result<BTreeMap<ClientId, Halt>, DbError>
            where
                E: sqlx::Executor<'c, Database = $db>,
            {
                let mut halted = BTreeMap::new();
                if clients.is_empty() {
                    return Ok(halted);
                }
                let mut select = sqlx::QueryBuilder::<$db>::new("SELECT client, erased_at FROM stopped WHERE client IN (");
                let mut list = select.separated(", ");
                for client in clients {
                    list.push_bind(client.to_string());
                }
                select.push(")");
                let rows: Vec<$row> = select.build().fetch_all(executor).await?;
                for row in &rows {
                    let erased: Option<i64> = row.try_get("erased_at")?;
                    halted.insert(
                        parse_client(&row.try_get::<String, _>("client")?)?,
                        if erased.is_some() { Halt::Erased } else { Halt::Stopped },
                    );
                }
                Ok(halted)
            }

            pub async fn stopped(pool: &$pool, only: Option<ClientId>) -> Result<Vec<Stopped>, DbError> {
                let rows: Vec<$row> = match only {
                    Some(client) => sqlx::query("SELECT client, stopped_at, stopped_by, retain_until, erased_at, erased_by FROM stopped WHERE client = $1")
                        .bind(client.to_string())
                        .fetch_all(pool)
                        .await?,
                    None => sqlx::query("SELECT client, stopped_at, stopped_by, retain_until, erased_at, erased_by FROM stopped ORDER BY stopped_at DESC")
                        .fetch_all(pool)
                        .await?,
                };
                rows.iter()
                    .map(|row| {
                        let person = |column: &str| -> Result<Option<PersonId>, DbError> {
                            let text: Option<String> = row.try_get(column)?;
                            text.map(|t| t.parse().map_err(|_| DbError::Corrupt(format!("a stop's {column}"))))
                                .transpose()
                        };
                        Ok(Stopped {
                            client: parse_client(&row.try_get::<String, _>("client")?)?,
                            stopped_at: row.try_get("stopped_at")?,
                            stopped_by: person("stopped_by")?,
                            retain_until: row.try_get("retain_until")?,
                            erased_at: row.try_get("erased_at")?,
                            erased_by: person("erased_by")?,
                        })
                    })
                    .collect()
            }

            pub async fn erase(pool: &$pool, client: ClientId, by: PersonId, now: i64) -> Result<Erasure, EraseError> {
                let mut conn = pool.acquire().await?;
                // The push writer's lock, then the state folder's: neither can write the client
                // back between what this deletes.
                sqlx::raw_sql($lock).execute(&mut *conn).await?;
                let result = async {
                    let id = client.to_string();
                    let erased: Option<Option<i64>> = sqlx::query_scalar("SELECT erased_at FROM stopped WHERE client = $1")
                        .bind(&id)
                        .fetch_optional(&mut *conn)
                        .await?;
                    match erased {
                        None => return Err(EraseError::NotStopped),
                        Some(Some(_)) => return Err(EraseError::AlreadyErased),
                        Some(None) => {}
                    }
                    let mut erasure = Erasure::default();
                    for (table, count) in [
                        ("changes", &mut erasure.changes),
                        ("state", &mut erasure.fields),
                        ("entities", &mut erasure.entities),
                        ("quarantine", &mut erasure.set_aside),
                        ("assignments", &mut erasure.assignments),
                    ] {
                        // The table names are this list's literals, never input.
                        let sql = match table {
                            "changes" => "DELETE FROM changes WHERE client = $1",
                            "state" => "DELETE FROM state WHERE client = $1",
                            "entities" => "DELETE FROM entities WHERE client = $1",
                            "quarantine" => "DELETE FROM quarantine WHERE client = $1",
                            _ => "DELETE FROM assignments WHERE client = $1",
                        };
                        *count = sqlx::query(sql).bind(&id).execute(&mut *conn).await?.rows_affected();
                    }
                    sqlx::query("UPDATE stopped SET erased_at = $1, erased_by = $2 WHERE client = $3")
                        .bind(now)
                        .bind(by.to_string())
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                    Ok::<_, EraseError>(erasure)
                }
                .await;
                commit_or_rollback!(conn, result)
            }

            /// The hand-over of stopped clients to an office device: confirms what it deleted
            /// and returns the clients it must (still) delete, with the hand-over's number.
            pub async fn office_hand_over(pool: &$pool, device: &str, echo: i64, fresh: bool) -> Result<Option<(u64, Vec<ClientId>)>, DbError> {
                let stopped: Vec<String> = sqlx::query_scalar("SELECT client FROM stopped").fetch_all(pool).await?;
                if stopped.is_empty() {
                    return Ok(None);
                }
                let stopped: BTreeSet<ClientId> = stopped.iter().map(|c| parse_client(c)).collect::<Result<_, _>>()?;
                let mut conn = pool.acquire().await?;
                sqlx::raw_sql($begin).execute(&mut *conn).await?;
                let result = async {
                    if fresh {
                        // A device starting from nothing holds no stopped client.
                        sqlx::query("DELETE FROM held WHERE device = $1").bind(device).execute(&mut *conn).await?;
                        for client in &stopped {
                            sqlx::query("INSERT INTO gone (device, client) VALUES ($1, $2) ON CONFLICT (device, client) DO NOTHING")
                                .bind(device).bind(client.to_string()).execute(&mut *conn).await?;
                        }
                        return Ok::<_, DbError>(None);
                    }
                    let gone: Vec<String> = sqlx::query_scalar("SELECT client FROM gone WHERE device = $1")
                        .bind(device).fetch_all(&mut *conn).await?;
                    let gone: BTreeSet<ClientId> = gone.iter().map(|c| parse_client(c)).collect::<Result<_, _>>()?;
                    let rows: Vec<$row> = sqlx::query("SELECT client, token FROM held WHERE device = $1 AND state = 'leaving'")
                        .bind(device).fetch_all(&mut *conn).await?;
                    let mut leaving = BTreeMap::new();
                    for row in &rows {
                        leaving.insert(parse_client(&row.try_get::<String, _>("client")?)?, row.try_get::<i64, _>("token")?);
                    }
                    let (confirmed, left) = office_plan(&stopped, &leaving, &gone, echo);
                    for client in &confirmed {
                        sqlx::query("DELETE FROM held WHERE device = $1 AND client = $2").bind(device).bind(client.to_string()).execute(&mut *conn).await?;
                        sqlx::query("INSERT INTO gone (device, client) VALUES ($1, $2) ON CONFLICT (device, client) DO NOTHING")
                            .bind(device).bind(client.to_string()).execute(&mut *conn).await?;
                    }
                    if left.is_empty() {
                        return Ok(None);
                    }
                    sqlx::query("INSERT INTO devices (device, last_seq) VALUES ($1, 0) ON CONFLICT (device) DO NOTHING")
                        .bind(device).execute(&mut *conn).await?;
                    let token: i64 = sqlx::query_scalar("UPDATE devices SET scope_token = scope_token + 1 WHERE device = $1 RETURNING scope_token")
                        .bind(device).fetch_one(&mut *conn).await?;
                    for client in &left {
                        sqlx::query("INSERT INTO held (device, client, state, token) VALUES ($1, $2, 'leaving', $3) \
                                     ON CONFLICT (device, client) DO UPDATE SET state = excluded.state, token = excluded.token")
                            .bind(device).bind(client.to_string()).bind(token).execute(&mut *conn).await?;
                    }
                    Ok(Some((u64::try_from(token).unwrap_or(0), left)))
                }
                .await;
                commit_or_rollback!(conn, result)
            }
        }
    };
}

privacy_backend!(
    sqlite_privacy,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    "BEGIN IMMEDIATE",
    "BEGIN IMMEDIATE"
);
privacy_backend!(
    postgres_privacy,
    sqlx::PgPool,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    "BEGIN; SELECT pg_advisory_xact_lock(7142026); SELECT pg_advisory_xact_lock(7142028)",
    "BEGIN"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn client(n: u8) -> ClientId {
        ClientId::new_v7(1_795_000_000_000 + u64::from(n), [n; 10])
    }

    #[test]
    fn an_office_device_is_told_of_each_stopped_client_until_it_confirms() {
        let stopped = BTreeSet::from([client(1), client(2), client(3)]);
        let gone = BTreeSet::from([client(3)]);
        let (confirmed, left) = office_plan(&stopped, &BTreeMap::new(), &gone, 0);
        assert!(confirmed.is_empty());
        assert_eq!(left, vec![client(1), client(2)], "client 3 is gone already");
        let leaving = BTreeMap::from([(client(1), 4), (client(2), 5)]);
        let (confirmed, left) = office_plan(&stopped, &leaving, &gone, 4);
        assert_eq!(confirmed, vec![client(1)]);
        assert_eq!(
            left,
            vec![client(2)],
            "hand-over 5 is not confirmed: sent again"
        );
    }
}
