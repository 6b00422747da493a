//! People, sessions, one-time codes, assignments and devices in the database. The SQL is written
//! once for both backends (see the macro at the end), like the sync log's.

use super::{Backend, Db, DbError};
use crate::auth::{Principal, SessionPolicy};
use sqlx::Row;
use yorisoi_domain::accounts::{ClientEntry, Decision, Device, DeviceState, Person, Role};
use yorisoi_domain::ids::{ClientId, DeviceId, PersonId};

/// A person as stored, with what signing in needs.
#[derive(Clone, Debug)]
pub struct PersonRow {
    pub id: PersonId,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub disabled: bool,
    pub failures: i64,
    pub failed_since: i64,
    pub locked_until: i64,
}

impl PersonRow {
    /// A new, enabled person with no failed sign-ins.
    pub fn new(login: String, name: String, role: Role, password_hash: String) -> Self {
        Self {
            id: PersonId(uuid::Uuid::now_v7()),
            login,
            name,
            role,
            password_hash,
            disabled: false,
            failures: 0,
            failed_since: 0,
            locked_until: 0,
        }
    }
}

/// How many failures in how long lock an account, and for how long.
pub const MAX_FAILURES: i64 = 5;
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const LOCK_MS: i64 = 15 * 60 * 1000;

/// A session's `last_seen` is written at most this often: not one write per request (idle expiry
/// is counted in days).
const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;

/// What one-time codes are for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Setup,
    Enroll,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Setup => "setup",
            Purpose::Enroll => "enroll",
        }
    }
}

fn corrupt(what: &str) -> DbError {
    DbError::Corrupt(what.to_owned())
}

fn person_from(row: &impl RowLike) -> Result<PersonRow, DbError> {
    Ok(PersonRow {
        id: row
            .text("id")?
            .parse()
            .map_err(|_| corrupt("a person's id"))?,
        login: row.text("login")?,
        name: row.text("name")?,
        role: Role::parse(&row.text("role")?).ok_or_else(|| corrupt("a person's role"))?,
        password_hash: row.text("password_hash")?,
        disabled: row.int("disabled")? != 0,
        failures: row.int("failures")?,
        failed_since: row.int("failed_since")?,
        locked_until: row.int("locked_until")?,
    })
}

/// Reading columns the same way from either backend's rows.
trait RowLike {
    fn text(&self, column: &str) -> Result<String, DbError>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, DbError>;
    fn int(&self, column: &str) -> Result<i64, DbError>;
    fn opt_int(&self, column: &str) -> Result<Option<i64>, DbError>;
}

macro_rules! row_like {
    ($row:ty) => {
        impl RowLike for $row {
            fn text(&self, column: &str) -> Result<String, DbError> {
                Ok(self.try_get(column)?)
            }
            fn opt_text(&self, column: &str) -> Result<Option<String>, DbError> {
                Ok(self.try_get(column)?)
            }
            fn int(&self, column: &str) -> Result<i64, DbError> {
                Ok(self.try_get(column)?)
            }
            fn opt_int(&self, column: &str) -> Result<Option<i64>, DbError> {
                Ok(self.try_get(column)?)
            }
        }
    };
}
row_like!(sqlx::sqlite::SqliteRow);
row_like!(sqlx::postgres::PgRow);

/// Runs `$body` with `$pool` bound to this database's pool and `$m` to its backend's module.
macro_rules! on_backend {
    ($self:expr, $pool:ident, $m:ident => $body:expr) => {
        match &$self.backend {
            Backend::Sqlite($pool) => {
                use sqlite_accounts as $m;
                $body
            }
            Backend::Postgres($pool) => {
                use postgres_accounts as $m;
                $body
            }
        }
    };
}

impl Db {
    /// How many people have accounts.
    pub async fn people_count(&self) -> Result<i64, DbError> {
        on_backend!(self, pool, m => m::people_count(pool).await)
    }

    /// A new one-time code for `purpose`, valid until `expires_at` (never, for `None`) or its
    /// first use. For set-up, any earlier unused set-up code stops working.
    pub async fn new_code(
        &self,
        purpose: Purpose,
        code_hash: &str,
        created_by: Option<PersonId>,
        now: i64,
        expires_at: Option<i64>,
        label: Option<&str>,
    ) -> Result<(), DbError> {
        let by = created_by.map(|p| p.to_string());
        on_backend!(self, pool, m => m::new_code(pool, purpose.as_str(), code_hash, by, now, expires_at, label).await)
    }

    /// Uses a one-time code: its label if it was valid (and now is not).
    pub async fn use_code(
        &self,
        purpose: Purpose,
        code_hash: &str,
        now: i64,
    ) -> Result<Option<String>, DbError> {
        on_backend!(self, pool, m => m::use_code(pool, purpose.as_str(), code_hash, now).await)
    }

    /// Enrols a device under `name` (an enrolment code was used); false if it was revoked or
    /// retired.
    pub async fn enrol_device(
        &self,
        device: DeviceId,
        name: &str,
        by: Option<&str>,
        now: i64,
    ) -> Result<bool, DbError> {
        on_backend!(self, pool, m => m::enrol_device(pool, &device.to_string(), name, by, now).await)
    }

    /// Makes the first administrator with the set-up code, in one transaction: nothing is made
    /// if the code is not valid or someone already has an account.
    pub async fn set_up(
        &self,
        code_hash: &str,
        person: &PersonRow,
        now: i64,
    ) -> Result<bool, DbError> {
        on_backend!(self, pool, m => m::set_up(pool, code_hash, person, now).await)
    }

    pub async fn person_by_login(&self, login: &str) -> Result<Option<PersonRow>, DbError> {
        on_backend!(self, pool, m => m::person_where(pool, "login", login).await)
    }

    pub async fn person(&self, id: PersonId) -> Result<Option<PersonRow>, DbError> {
        on_backend!(self, pool, m => m::person_where(pool, "id", &id.to_string()).await)
    }

    /// Adds a person; false if the login is taken.
    pub async fn add_person(&self, person: &PersonRow, now: i64) -> Result<bool, DbError> {
        on_backend!(self, pool, m => m::add_person(pool, person, now).await)
    }

    /// Writes a person's name, role, disabled flag, password hash and failure count.
    pub async fn save_person(&self, person: &PersonRow) -> Result<(), DbError> {
        on_backend!(self, pool, m => m::save_person(pool, person).await)
    }

    /// Every person with the clients assigned to them.
    pub async fn people(&self) -> Result<Vec<Person>, DbError> {
        on_backend!(self, pool, m => m::people(pool).await)
    }

    /// Starts a session for `person` on `device`, and notes the device as used by them.
    pub async fn start_session(
        &self,
        token_hash: &str,
        person: PersonId,
        device: DeviceId,
        now: i64,
        expires_at: i64,
    ) -> Result<(), DbError> {
        on_backend!(self, pool, m => m::start_session(pool, token_hash, &person.to_string(), &device.to_string(), now, expires_at).await)
    }

    /// The principal of a live session, or `None` if it is unknown, expired (idle or absolute)
    /// or its person is disabled. Notes the session and the device as seen.
    pub async fn session(
        &self,
        token_hash: &str,
        now: i64,
        policy: &SessionPolicy,
    ) -> Result<Option<Principal>, DbError> {
        on_backend!(self, pool, m => m::session(pool, token_hash, now, policy).await)
    }

    pub async fn end_session(&self, token_hash: &str) -> Result<(), DbError> {
        on_backend!(self, pool, m => m::end_sessions(pool, "token_hash", token_hash).await)
    }

    /// Ends every session of a person (disabled, new role, password reset).
    pub async fn end_sessions_of(&self, person: PersonId) -> Result<(), DbError> {
        on_backend!(self, pool, m => m::end_sessions(pool, "person", &person.to_string()).await)
    }

    /// Registers `proof_hash` as the device's secret if it has none yet (making its row if the
    /// server does not know it), in one statement: true if the device's secret is now this one,
    /// false if another was registered before.
    pub async fn claim_proof(&self, device: DeviceId, proof_hash: &str) -> Result<bool, DbError> {
        let stored = on_backend!(self, pool, m => m::claim_proof(pool, &device.to_string(), proof_hash).await)?;
        Ok(crate::auth::hashes_match(&stored, proof_hash))
    }

    /// Whether the device registered a secret.
    pub async fn proof_registered(&self, device: DeviceId) -> Result<bool, DbError> {
        on_backend!(self, pool, m => m::proof_registered(pool, &device.to_string()).await)
    }

    /// A device's state, if the server knows the device.
    pub async fn device_state(&self, device: DeviceId) -> Result<Option<DeviceState>, DbError> {
        on_backend!(self, pool, m => m::device_state(pool, &device.to_string()).await)
    }

    pub async fn assign(
        &self,
        person: PersonId,
        client: ClientId,
        now: i64,
    ) -> Result<(), DbError> {
        on_backend!(self, pool, m => m::assign(pool, &person.to_string(), &client.to_string(), now).await)
    }

    pub async fn unassign(&self, person: PersonId, client: ClientId) -> Result<bool, DbError> {
        on_backend!(self, pool, m => m::unassign(pool, &person.to_string(), &client.to_string()).await)
    }

    /// Whether the server has any change of this client.
    pub async fn client_known(&self, client: ClientId) -> Result<bool, DbError> {
        on_backend!(self, pool, m => m::client_known(pool, &client.to_string()).await)
    }

    /// Every device the server knows, with who used it last.
    pub async fn devices(&self) -> Result<Vec<Device>, DbError> {
        on_backend!(self, pool, m => m::devices(pool).await)
    }

    /// Revokes, retires or reactivates a device; false if the server does not know it.
    pub async fn set_device_state(
        &self,
        device: DeviceId,
        state: DeviceState,
    ) -> Result<bool, DbError> {
        on_backend!(self, pool, m => m::set_device_state(pool, &device.to_string(), state.as_str()).await)
    }

    /// Every client with its newest name (empty for a client with data but no name) and its
    /// coaches: what an admin needs to assign them.
    pub async fn client_directory(&self) -> Result<Vec<ClientEntry>, DbError> {
        on_backend!(self, pool, m => m::client_directory(pool).await)
    }

    /// Marks a change set aside as discarded; false if there is none undecided with that id.
    pub async fn discard(&self, id: i64, by: PersonId, now: i64) -> Result<bool, DbError> {
        on_backend!(self, pool, m => m::decide(pool, id, Decision::Discarded.as_str(), &by.to_string(), now).await)
    }

    /// A device's name, if it has one.
    pub async fn device_name(&self, device: DeviceId) -> Result<Option<String>, DbError> {
        on_backend!(self, pool, m => m::device_name(pool, &device.to_string()).await)
    }

    /// Names a device (the admin pages).
    pub async fn name_device(&self, device: DeviceId, name: &str) -> Result<bool, DbError> {
        on_backend!(self, pool, m => m::name_device(pool, &device.to_string(), name).await)
    }
}

macro_rules! accounts {
    ($module:ident, $pool:ty, $db:ty, $row:ty, $begin:literal) => {
        mod $module {
            use super::*;

            pub async fn people_count(pool: &$pool) -> Result<i64, DbError> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(pool).await?)
            }

            pub async fn new_code(pool: &$pool, purpose: &str, code_hash: &str, by: Option<String>, now: i64, expires_at: Option<i64>, label: Option<&str>) -> Result<(), DbError> {
                let mut tx = pool.begin().await?;
                if purpose == "setup" {
                    sqlx::query("DELETE FROM one_time_codes WHERE purpose = 'setup' AND used_at IS NULL")
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query("INSERT INTO one_time_codes (code_hash, purpose, created_by, created_at, expires_at, label) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(code_hash)
                    .bind(purpose)
                    .bind(by)
                    .bind(now)
                    .bind(expires_at)
                    .bind(label)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            pub async fn use_code(pool: &$pool, purpose: &str, code_hash: &str, now: i64) -> Result<Option<String>, DbError> {
                let used: Option<Option<String>> = sqlx::query_scalar("UPDATE one_time_codes SET used_at = $1 WHERE code_hash = $2 AND purpose = $3 AND used_at IS NULL AND (expires_at IS NULL OR expires_at > $1) RETURNING label")
                    .bind(now)
                    .bind(code_hash)
                    .bind(purpose)
                    .fetch_optional(pool)
                    .await?;
                Ok(used.map(Option::unwrap_or_default))
            }

            pub async fn enrol_device(pool: &$pool, device: &str, name: &str, by: Option<&str>, now: i64) -> Result<bool, DbError> {
                let state: Option<String> = sqlx::query_scalar("SELECT state FROM devices WHERE device = $1")
                    .bind(device)
                    .fetch_optional(pool)
                    .await?;
                if state.is_some_and(|s| s != "active") {
                    return Ok(false);
                }
                sqlx::query("INSERT INTO devices (device, last_seq, name, enrolled_at, last_seen, last_person) VALUES ($1, 0, $2, $3, $3, $4) \
                             ON CONFLICT (device) DO UPDATE SET name = excluded.name, enrolled_at = COALESCE(devices.enrolled_at, excluded.enrolled_at)")
                    .bind(device)
                    .bind(name)
                    .bind(now)
                    .bind(by)
                    .execute(pool)
                    .await?;
                Ok(true)
            }

            pub async fn set_up(pool: &$pool, code_hash: &str, person: &PersonRow, now: i64) -> Result<bool, DbError> {
                let mut conn = pool.acquire().await?;
                sqlx::raw_sql($begin).execute(&mut *conn).await?;
                let result = async {
                    let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(&mut *conn).await?;
                    let used = sqlx::query("UPDATE one_time_codes SET used_at = $1 WHERE code_hash = $2 AND purpose = 'setup' AND used_at IS NULL")
                        .bind(now)
                        .bind(code_hash)
                        .execute(&mut *conn)
                        .await?;
                    if people > 0 || used.rows_affected() != 1 {
                        return Ok::<bool, DbError>(false);
                    }
                    insert_person(&mut conn, person, now).await?;
                    Ok(true)
                }
                .await;
                match result {
                    Ok(true) => {
                        sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
                        Ok(true)
                    }
                    other => {
                        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
                        other
                    }
                }
            }

            async fn insert_person(conn: &mut sqlx::pool::PoolConnection<$db>, person: &PersonRow, now: i64) -> Result<(), sqlx::Error> {
                sqlx::query("INSERT INTO people (id, login, name, role, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(person.id.to_string())
                    .bind(&person.login)
                    .bind(&person.name)
                    .bind(person.role.as_str())
                    .bind(&person.password_hash)
                    .bind(i64::from(person.disabled))
                    .bind(now)
                    .execute(&mut **conn)
                    .await
                    .map(drop)
            }

            pub async fn add_person(pool: &$pool, person: &PersonRow, now: i64) -> Result<bool, DbError> {
                let mut conn = pool.acquire().await?;
                let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE login = $1")
                    .bind(&person.login)
                    .fetch_one(&mut *conn)
                    .await?;
                if taken > 0 {
                    return Ok(false);
                }
                match insert_person(&mut conn, person, now).await {
                    Ok(()) => Ok(true),
                    // Two admins adding one login at once: the second is told it is taken.
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }

            pub async fn person_where(pool: &$pool, column: &str, value: &str) -> Result<Option<PersonRow>, DbError> {
                let sql = if column == "id" {
                    "SELECT id, login, name, role, password_hash, disabled, failures, failed_since, locked_until FROM people WHERE id = $1"
                } else {
                    "SELECT id, login, name, role, password_hash, disabled, failures, failed_since, locked_until FROM people WHERE login = $1"
                };
                let row: Option<$row> = sqlx::query(sql)
                    .bind(value)
                    .fetch_optional(pool)
                    .await?;
                row.as_ref().map(person_from).transpose()
            }

            pub async fn save_person(pool: &$pool, person: &PersonRow) -> Result<(), DbError> {
                sqlx::query("UPDATE people SET name = $1, role = $2, password_hash = $3, disabled = $4, failures = $5, failed_since = $6, locked_until = $7 WHERE id = $8")
                    .bind(&person.name)
                    .bind(person.role.as_str())
                    .bind(&person.password_hash)
                    .bind(i64::from(person.disabled))
                    .bind(person.failures)
                    .bind(person.failed_since)
                    .bind(person.locked_until)
                    .bind(person.id.to_string())
                    .execute(pool)
                    .await?;
                Ok(())
            }

            pub async fn people(pool: &$pool) -> Result<Vec<Person>, DbError> {
                let rows: Vec<$row> = sqlx::query("SELECT id, login, name, role, password_hash, disabled, failures, failed_since, locked_until FROM people ORDER BY login")
                    .fetch_all(pool)
                    .await?;
                let assignments: Vec<$row> = sqlx::query("SELECT person, client FROM assignments ORDER BY client")
                    .fetch_all(pool)
                    .await?;
                let mut people = Vec::with_capacity(rows.len());
                for row in &rows {
                    let p = person_from(row)?;
                    let mut clients = Vec::new();
                    for a in &assignments {
                        if a.text("person")? == p.id.to_string() {
                            clients.push(a.text("client")?.parse().map_err(|_| corrupt("an assignment's client"))?);
                        }
                    }
                    people.push(Person {
                        id: p.id,
                        login: p.login,
                        name: p.name,
                        role: p.role,
                        disabled: p.disabled,
                        locked_until: (p.locked_until > 0).then_some(p.locked_until),
                        clients,
                    });
                }
                Ok(people)
            }

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

            pub async fn claim_proof(pool: &$pool, device: &str, proof_hash: &str) -> Result<String, DbError> {
                Ok(sqlx::query_scalar("INSERT INTO devices (device, last_seq, proof_hash) VALUES ($1, 0, $2) \
                                       ON CONFLICT (device) DO UPDATE SET proof_hash = COALESCE(devices.proof_hash, excluded.proof_hash) RETURNING proof_hash")
                    .bind(device)
                    .bind(proof_hash)
                    .fetch_one(pool)
                    .await?)
            }

            pub async fn proof_registered(pool: &$pool, device: &str) -> Result<bool, DbError> {
                let hash: Option<Option<String>> = sqlx::query_scalar("SELECT proof_hash FROM devices WHERE device = $1")
                    .bind(device)
                    .fetch_optional(pool)
                    .await?;
                Ok(hash.flatten().is_some())
            }

            pub async fn device_state(pool: &$pool, device: &str) -> Result<Option<DeviceState>, DbError> {
                let state: Option<String> = sqlx::query_scalar("SELECT state FROM devices WHERE device = $1")
                    .bind(device)
                    .fetch_optional(pool)
                    .await?;
                state.map(|s| DeviceState::parse(&s).ok_or_else(|| corrupt("a device's state"))).transpose()
            }

            pub async fn assign(pool: &$pool, person: &str, client: &str, now: i64) -> Result<(), DbError> {
                sqlx::query("INSERT INTO assignments (person, client, assigned_at) VALUES ($1, $2, $3) ON CONFLICT (person, client) DO NOTHING")
                    .bind(person)
                    .bind(client)
                    .bind(now)
                    .execute(pool)
                    .await?;
                Ok(())
            }

            pub async fn unassign(pool: &$pool, person: &str, client: &str) -> Result<bool, DbError> {
                let done = sqlx::query("DELETE FROM assignments WHERE person = $1 AND client = $2")
                    .bind(person)
                    .bind(client)
                    .execute(pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            pub async fn client_known(pool: &$pool, client: &str) -> Result<bool, DbError> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entities WHERE client = $1")
                    .bind(client)
                    .fetch_one(pool)
                    .await?;
                Ok(n > 0)
            }

            pub async fn devices(pool: &$pool) -> Result<Vec<Device>, DbError> {
                let rows: Vec<$row> = sqlx::query("SELECT d.device, d.name, d.state, d.last_seen, p.name AS person_name FROM devices d LEFT JOIN people p ON p.id = d.last_person \
                     WHERE d.enrolled_at IS NOT NULL ORDER BY d.last_seen DESC, d.device")
                    .fetch_all(pool)
                    .await?;
                rows.iter()
                    .map(|row| {
                        Ok(Device {
                            id: row.text("device")?.parse().map_err(|_| corrupt("a device id"))?,
                            name: row.opt_text("name")?,
                            state: DeviceState::parse(&row.text("state")?).ok_or_else(|| corrupt("a device's state"))?,
                            last_seen: row.opt_int("last_seen")?,
                            last_person: row.opt_text("person_name")?,
                        })
                    })
                    .collect()
            }

            pub async fn set_device_state(pool: &$pool, device: &str, state: &str) -> Result<bool, DbError> {
                let done = sqlx::query("UPDATE devices SET state = $1 WHERE device = $2")
                    .bind(state)
                    .bind(device)
                    .execute(pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            pub async fn client_directory(pool: &$pool) -> Result<Vec<ClientEntry>, DbError> {
                // A client's newest name change (clients are created with one).
                let rows: Vec<$row> = sqlx::query(
                    "SELECT c.client, c.body FROM changes c \
                     JOIN (SELECT client, MAX(seq) AS seq FROM changes WHERE field = 'name' GROUP BY client) n ON n.seq = c.seq \
                     ORDER BY c.client")
                    .fetch_all(pool)
                    .await?;
                let assignments: Vec<$row> = sqlx::query("SELECT person, client FROM assignments")
                    .fetch_all(pool)
                    .await?;
                let mut entries = Vec::with_capacity(rows.len());
                for row in &rows {
                    let client = row.text("client")?;
                    let change: yorisoi_domain::sync::Change = serde_json::from_str(&row.text("body")?)
                        .map_err(|e| corrupt(&format!("a name change: {e}")))?;
                    if !matches!(change.entity, yorisoi_domain::sync::Entity::Client(_)) {
                        continue;
                    }
                    let mut coaches = Vec::new();
                    for a in &assignments {
                        if a.text("client")? == client {
                            coaches.push(a.text("person")?.parse().map_err(|_| corrupt("an assignment's person"))?);
                        }
                    }
                    entries.push(ClientEntry {
                        id: client.parse().map_err(|_| corrupt("a client id"))?,
                        name: change.value.as_str().unwrap_or_default().to_owned(),
                        coaches,
                    });
                }
                // A client with data but no name (its name change never reached the server)
                // is listed too, nameless: it can be assigned, stopped and erased like any.
                let all: Vec<String> = sqlx::query_scalar("SELECT DISTINCT client FROM entities")
                    .fetch_all(pool)
                    .await?;
                let named: std::collections::BTreeSet<ClientId> = entries.iter().map(|e| e.id).collect();
                for client in &all {
                    let id: ClientId = client.parse().map_err(|_| corrupt("a client id"))?;
                    if named.contains(&id) {
                        continue;
                    }
                    let mut coaches = Vec::new();
                    for a in &assignments {
                        if a.text("client")? == *client {
                            coaches.push(a.text("person")?.parse().map_err(|_| corrupt("an assignment's person"))?);
                        }
                    }
                    entries.push(ClientEntry { id, name: String::new(), coaches });
                }
                entries.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(entries)
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

            pub async fn device_name(pool: &$pool, device: &str) -> Result<Option<String>, DbError> {
                let name: Option<Option<String>> = sqlx::query_scalar("SELECT name FROM devices WHERE device = $1")
                    .bind(device)
                    .fetch_optional(pool)
                    .await?;
                Ok(name.flatten())
            }

            pub async fn name_device(pool: &$pool, device: &str, name: &str) -> Result<bool, DbError> {
                let done = sqlx::query("UPDATE devices SET name = $1 WHERE device = $2")
                    .bind(name)
                    .bind(device)
                    .execute(pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

accounts!(
    sqlite_accounts,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    "BEGIN IMMEDIATE"
);
accounts!(
    postgres_accounts,
    sqlx::PgPool,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    "BEGIN; SELECT pg_advisory_xact_lock(7142027)"
);
