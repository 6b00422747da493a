//! Sessions: started at sign-in, looked up on every request, ended at sign-out or when their
//! person changes. The SQL is written once for both backends (see the macro at the end).

use super::database::{Backend, Db, DbError};
use super::rows::{RowLike, corrupt};
use yorisoi_domain::accounts::{DeviceState, Role};
use yorisoi_domain::ids::{DeviceId, PersonId};

/// A session's `last_seen` is written at most this often: not one write per request (idle expiry
/// is counted in days).
const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;

/// A signed-in person on one device: what every data route is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub person: PersonId,
    pub name: String,
    pub login: String,
    pub role: Role,
    pub device: DeviceId,
    pub device_name: Option<String>,
    pub device_state: DeviceState,
    pub token_hash: String,
    pub expires_at: i64,
    /// The hash of the device's registered secret, if it has one (see `auth::PROOF_HEADER`).
    pub proof_hash: Option<String>,
}

/// How long sessions last; set by the server's flags.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    /// A session unused this long ends.
    pub idle_ms: i64,
    /// A session ends this long after its sign-in, used or not: the longest a device works
    /// offline before it asks for a sign-in online.
    pub absolute_ms: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        const DAY: i64 = 24 * 60 * 60 * 1000;
        Self {
            idle_ms: 7 * DAY,
            absolute_ms: 14 * DAY,
        }
    }
}

impl Db {
    /// Starts a session for `person` on `device`, and notes the device as used by them.
    pub async fn start_session(
        &self,
        token_hash: &str,
        person: PersonId,
        device: DeviceId,
        now: i64,
        expires_at: i64,
    ) -> Result<(), DbError> {
        on_backend!(self, sqlite_sessions, postgres_sessions, pool, m => m::start_session(pool, token_hash, &person.to_string(), &device.to_string(), now, expires_at).await)
    }

    /// The principal of a live session, or `None` if it is unknown, expired (idle or absolute)
    /// or its person is disabled. Notes the session and the device as seen.
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
        policy: &SessionPolicy,
    ) -> Result<Option<Principal>, DbError> {
        on_backend!(self, sqlite_sessions, postgres_sessions, pool, m => m::session(pool, token_hash, now, policy).await)
    }

    pub async fn end_session(&self, token_hash: &str) -> Result<(), DbError> {
        on_backend!(self, sqlite_sessions, postgres_sessions, pool, m => m::end_sessions(pool, "token_hash", token_hash).await)
    }

    /// Ends every session of a person (disabled, new role, password reset).
    pub async fn end_sessions_of(&self, person: PersonId) -> Result<(), DbError> {
        on_backend!(self, sqlite_sessions, postgres_sessions, pool, m => m::end_sessions(pool, "person", &person.to_string()).await)
    }
}

macro_rules! sessions_backend {
    ($module:ident, $pool:ty, $row:ty) => {
        mod $module {
            use super::*;

            pub async fn start_session(pool: &$pool, token_hash: &str, person: &str, device: &str, now: i64, expires_at: i64) -> Result<(), DbError> {
                let mut tx = pool.begin().await?;
                sqlx::query("INSERT INTO sessions (token_hash, person, device, created_at, last_seen, expires_at) VALUES ($1, $2, $3, $4, $4, $5)")
                    .bind(token_hash)
                    .bind(person)
                    .bind(device)
                    .bind(now)
                    .bind(expires_at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO devices (device, last_seq, enrolled_at, last_seen, last_person) VALUES ($1, 0, $2, $2, $3) \
                             ON CONFLICT (device) DO UPDATE SET last_seen = excluded.last_seen, last_person = excluded.last_person, \
                             enrolled_at = COALESCE(devices.enrolled_at, excluded.enrolled_at)")
                    .bind(device)
                    .bind(now)
                    .bind(person)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            pub async fn session(pool: &$pool, token_hash: &str, now: i64, policy: &SessionPolicy) -> Result<Option<Principal>, DbError> {
                let row: Option<$row> = sqlx::query(
                    "SELECT s.person, s.device, s.created_at, s.last_seen, s.expires_at, p.login, p.name, p.role, p.disabled, d.state, d.name AS device_name, d.proof_hash \
                     FROM sessions s JOIN people p ON p.id = s.person LEFT JOIN devices d ON d.device = s.device \
                     WHERE s.token_hash = $1")
                    .bind(token_hash)
                    .fetch_optional(pool)
                    .await?;
                let Some(row) = row else { return Ok(None) };
                let last_seen = row.int("last_seen")?;
                let expires_at = row.int("expires_at")?.min(row.int("created_at")? + policy.absolute_ms);
                if row.int("disabled")? != 0 || now >= expires_at || now >= last_seen + policy.idle_ms {
                    return Ok(None);
                }
                let device: String = row.text("device")?;
                if now - last_seen >= TOUCH_EVERY_MS {
                    // Noted in the background: a request never waits for the write lock (held by
                    // pushes) just to say when it was seen.
                    let (pool, token_hash, person, device) =
                        (pool.clone(), token_hash.to_owned(), row.text("person")?, device.clone());
                    tokio::spawn(async move {
                        let sessions = sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                            .bind(now)
                            .bind(&token_hash)
                            .execute(&pool)
                            .await;
                        let devices = sqlx::query("UPDATE devices SET last_seen = $1, last_person = $2 WHERE device = $3")
                            .bind(now)
                            .bind(&person)
                            .bind(&device)
                            .execute(&pool)
                            .await;
                        if let Err(e) = sessions.and(devices) {
                            tracing::warn!("cannot note a session as seen: {e}");
                        }
                    });
                }
                Ok(Some(Principal {
                    person: row.text("person")?.parse().map_err(|_| corrupt("a session's person"))?,
                    name: row.text("name")?,
                    login: row.text("login")?,
                    role: Role::parse(&row.text("role")?).ok_or_else(|| corrupt("a person's role"))?,
                    device: device.parse().map_err(|_| corrupt("a session's device"))?,
                    device_name: row.opt_text("device_name")?,
                    device_state: match row.opt_text("state")? {
                        Some(state) => DeviceState::parse(&state).ok_or_else(|| corrupt("a device's state"))?,
                        None => DeviceState::Active,
                    },
                    token_hash: token_hash.to_owned(),
                    expires_at,
                    proof_hash: row.opt_text("proof_hash")?,
                }))
            }

            pub async fn end_sessions(pool: &$pool, column: &str, value: &str) -> Result<(), DbError> {
                let sql = if column == "person" {
                    "DELETE FROM sessions WHERE person = $1"
                } else {
                    "DELETE FROM sessions WHERE token_hash = $1"
                };
                sqlx::query(sql)
                    .bind(value)
                    .execute(pool)
                    .await?;
                Ok(())
            }
        }
    };
}

sessions_backend!(sqlite_sessions, sqlx::SqlitePool, sqlx::sqlite::SqliteRow);
sessions_backend!(postgres_sessions, sqlx::PgPool, sqlx::postgres::PgRow);
