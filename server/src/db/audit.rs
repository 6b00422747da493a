//! The audit log in the database: entries appended one writer at a time, each chained to the one
//! before (the domain's `audit` module says how), and read back by client or by person.
//!
//! Nothing here updates or deletes an entry, and the migration's triggers refuse it from anywhere
//! else. `server_info.audit_seq` counts the entries written, so the check also finds the newest
//! entries removed (which no chain can show by itself).

use super::database::{Backend, Db, DbError};
use sqlx::Row;
use yorisoi_domain::audit::{Action, Break, Entry, Event, GENESIS, Verifier};
use yorisoi_domain::ids::{ClientId, PersonId};

/// Which entries to read: of one client, or of one person, between two times (the server's
/// clock, milliseconds; `to` excluded), newest first, at most `limit`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub client: Option<ClientId>,
    pub person: Option<PersonId>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub limit: u32,
}

/// What the check of the whole log found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditCheck {
    /// How many entries were read.
    pub entries: u64,
    /// The newest entry's hash: noted somewhere else, it shows later that the log was not
    /// rewritten from the start.
    pub head: String,
    /// Where the chain is broken, if it is.
    pub broken: Option<Break>,
}

/// Entries are inserted this many per statement (well under both databases' limits on bound
/// parameters).
const INSERT_BATCH: usize = 1_000;

/// The entries the check reads per query.
const CHECK_PAGE: i64 = 10_000;

impl Db {
    /// Appends `events`, in order, to the audit log, written at `now` (the server's clock).
    pub async fn record(&self, events: Vec<Event>, now: i64) -> Result<(), DbError> {
        if events.is_empty() {
            return Ok(());
        }
        // In a task of its own: the write transaction ends even if the request that asked for
        // it goes away.
        let db = self.clone();
        tokio::spawn(async move {
            match &db.backend {
                Backend::Sqlite(pool) => sqlite_audit::append(pool, &events, now).await,
                Backend::Postgres(pool) => postgres_audit::append(pool, &events, now).await,
            }
        })
        .await
        .map_err(|e| DbError::Corrupt(format!("the audit task failed: {e}")))?
    }

    /// One event, as [`Db::record`].
    pub async fn record_one(&self, event: Event, now: i64) -> Result<(), DbError> {
        self.record(vec![event], now).await
    }

    /// The entries `query` asks for, newest first.
    pub async fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<Entry>, DbError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlite_audit::entries(pool, query).await,
            Backend::Postgres(pool) => postgres_audit::entries(pool, query).await,
        }
    }

    /// Reads the whole log, oldest first, and checks its chain and its length.
    pub async fn check_audit(&self) -> Result<AuditCheck, DbError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlite_audit::check(pool).await,
            Backend::Postgres(pool) => postgres_audit::check(pool).await,
        }
    }
}

/// An entry's columns as stored.
struct Columns {
    seq: i64,
    at: i64,
    action: String,
    person: Option<String>,
    device: Option<String>,
    client: Option<String>,
    entity: Option<String>,
    device_at: Option<i64>,
    detail: String,
    prev: String,
    hash: String,
}

impl Columns {
    fn entry(self) -> Result<Entry, DbError> {
        let seq = self.seq;
        let corrupt = |what: &str| DbError::Corrupt(format!("audit entry {seq}: {what}"));
        Ok(Entry {
            seq: u64::try_from(seq).map_err(|_| corrupt("its number"))?,
            at: self.at,
            event: Event {
                action: Action::parse(&self.action).ok_or_else(|| corrupt("its action"))?,
                person: self
                    .person
                    .map(|p| p.parse())
                    .transpose()
                    .map_err(|_| corrupt("its person"))?,
                device: self
                    .device
                    .map(|d| d.parse())
                    .transpose()
                    .map_err(|_| corrupt("its device"))?,
                client: self
                    .client
                    .map(|c| c.parse())
                    .transpose()
                    .map_err(|_| corrupt("its client"))?,
                entity: self.entity,
                device_at: self.device_at,
                detail: serde_json::from_str(&self.detail).map_err(|_| corrupt("its detail"))?,
            },
            prev: self.prev,
            hash: self.hash,
        })
    }
}

macro_rules! audit_backend {
    ($module:ident, $pool:ty, $db:ty, $row:ty, $begin:literal, $lock:literal) => {
        pub(super) mod $module {
            use super::*;
            use sqlx::pool::PoolConnection;

            pub async fn append(pool: &$pool, events: &[Event], now: i64) -> Result<(), DbError> {
                let mut conn = pool.acquire().await?;
                sqlx::raw_sql($begin).execute(&mut *conn).await?;
                let result = append_in(&mut conn, events, now).await;
                commit_or_rollback!(conn, result)
            }

            /// Appends in a write transaction already begun (a push's: its notes are written with
            /// the data, or not at all). One writer at a time: each entry names the hash of the
            /// one before.
            pub async fn append_in(conn: &mut PoolConnection<$db>, events: &[Event], now: i64) -> Result<(), DbError> {
                if events.is_empty() {
                    return Ok(());
                }
                sqlx::raw_sql($lock).execute(&mut **conn).await?;
                let last: Option<$row> = sqlx::query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut **conn)
                    .await?;
                let (mut seq, mut prev) = match &last {
                    Some(row) => (row.try_get::<i64, _>("seq")?, row.try_get::<String, _>("hash")?),
                    None => (0, GENESIS.to_owned()),
                };
                let mut entries = Vec::with_capacity(events.len());
                for event in events {
                    seq += 1;
                    let entry = Entry::chained(u64::try_from(seq).unwrap_or(0), now, event.clone(), &prev);
                    prev = entry.hash.clone();
                    entries.push(entry);
                }
                for batch in entries.chunks(INSERT_BATCH) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO audit (seq, at, action, person, device, client, entity, device_at, detail, prev, hash) ",
                    );
                    insert.push_values(batch, |mut row, entry| {
                        let event = &entry.event;
                        row.push_bind(super::super::database::as_i64(entry.seq))
                            .push_bind(entry.at)
                            .push_bind(event.action.as_str())
                            .push_bind(event.person.map(|p| p.to_string()))
                            .push_bind(event.device.map(|d| d.to_string()))
                            .push_bind(event.client.map(|c| c.to_string()))
                            .push_bind(event.entity.clone())
                            .push_bind(event.device_at)
                            .push_bind(serde_json::to_string(&event.detail).expect("strings serialize"))
                            .push_bind(entry.prev.clone())
                            .push_bind(entry.hash.clone());
                    });
                    insert.build().execute(&mut **conn).await?;
                }
                sqlx::query("UPDATE server_info SET value = $1 WHERE key = 'audit_seq'")
                    .bind(seq.to_string())
                    .execute(&mut **conn)
                    .await?;
                Ok(())
            }

            fn read(row: &$row) -> Result<Entry, DbError> {
                Columns {
                    seq: row.try_get("seq")?,
                    at: row.try_get("at")?,
                    action: row.try_get("action")?,
                    person: row.try_get("person")?,
                    device: row.try_get("device")?,
                    client: row.try_get("client")?,
                    entity: row.try_get("entity")?,
                    device_at: row.try_get("device_at")?,
                    detail: row.try_get("detail")?,
                    prev: row.try_get("prev")?,
                    hash: row.try_get("hash")?,
                }
                .entry()
            }

            pub async fn entries(pool: &$pool, query: &AuditQuery) -> Result<Vec<Entry>, DbError> {
                let mut select = sqlx::QueryBuilder::<$db>::new(
                    "SELECT seq, at, action, person, device, client, entity, device_at, detail, prev, hash FROM audit WHERE at >= ",
                );
                select.push_bind(query.from.unwrap_or(i64::MIN));
                select.push(" AND at < ").push_bind(query.to.unwrap_or(i64::MAX));
                if let Some(client) = query.client {
                    select.push(" AND client = ").push_bind(client.to_string());
                }
                if let Some(person) = query.person {
                    select.push(" AND person = ").push_bind(person.to_string());
                }
                select.push(" ORDER BY seq DESC LIMIT ").push_bind(i64::from(query.limit.max(1)));
                let rows: Vec<$row> = select.build().fetch_all(pool).await?;
                rows.iter().map(read).collect()
            }

            pub async fn check(pool: &$pool) -> Result<AuditCheck, DbError> {
                let written: Option<String> = sqlx::query_scalar("SELECT value FROM server_info WHERE key = 'audit_seq'")
                    .fetch_optional(pool)
                    .await?;
                let written = written.and_then(|w| w.parse::<u64>().ok());
                let mut verifier = Verifier::new();
                let mut after = 0i64;
                loop {
                    let rows: Vec<$row> = sqlx::query(
                        "SELECT seq, at, action, person, device, client, entity, device_at, detail, prev, hash FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
                    )
                    .bind(after)
                    .bind(CHECK_PAGE)
                    .fetch_all(pool)
                    .await?;
                    let Some(last) = rows.last() else { break };
                    after = last.try_get("seq")?;
                    for row in &rows {
                        // An entry that cannot even be read was changed by hand.
                        let entry = match read(row) {
                            Ok(entry) => entry,
                            Err(_) => {
                                let seq: i64 = row.try_get("seq")?;
                                return Ok(verifier.report(Some(Break::Altered(u64::try_from(seq).unwrap_or(0)))));
                            }
                        };
                        if let Err(broken) = verifier.next(&entry) {
                            return Ok(verifier.report(Some(broken)));
                        }
                    }
                }
                let broken = verifier.finish(written).err();
                Ok(verifier.report(broken))
            }
        }
    };
}

impl ReportExt for Verifier {
    fn report(&self, broken: Option<Break>) -> AuditCheck {
        AuditCheck {
            entries: self.count(),
            head: self.head().to_owned(),
            broken,
        }
    }
}

trait ReportExt {
    fn report(&self, broken: Option<Break>) -> AuditCheck;
}

audit_backend!(
    sqlite_audit,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    "BEGIN IMMEDIATE",
    "SELECT 1"
);
audit_backend!(
    postgres_audit,
    sqlx::PgPool,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    "BEGIN",
    "SELECT pg_advisory_xact_lock(7142029)"
);
