//! Devices: enrolment, the device's proof secret, its state (revoked, retired) and its name. The
//! SQL is written once for both backends (see the macro at the end).

use super::database::{Backend, Db, DbError};
use super::rows::{RowLike, corrupt};
use yorisoi_domain::accounts::{Device, DeviceState};
use yorisoi_domain::ids::DeviceId;

/// Whether two hashes are equal, compared in constant time.
pub fn hashes_match(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

impl Db {
    /// Enrols a device under `name` (an enrolment code was used); false if it was revoked or
    /// retired.
    pub async fn enrol_device(
        &self,
        device: DeviceId,
        name: &str,
        by: Option<&str>,
        now: i64,
    ) -> Result<bool, DbError> {
        on_backend!(self, sqlite_devices, postgres_devices, pool, m => m::enrol_device(pool, &device.to_string(), name, by, now).await)
    }

    /// Registers `proof_hash` as the device's secret if it has none yet (making its row if the
    /// server does not know it), in one statement: true if the device's secret is now this one,
    /// false if another was registered before.
    pub async fn claim_proof(&self, device: DeviceId, proof_hash: &str) -> Result<bool, DbError> {
        let stored = on_backend!(self, sqlite_devices, postgres_devices, pool, m => m::claim_proof(pool, &device.to_string(), proof_hash).await)?;
        Ok(hashes_match(&stored, proof_hash))
    }

    /// Whether the device registered a secret.
    pub async fn proof_registered(&self, device: DeviceId) -> Result<bool, DbError> {
        on_backend!(self, sqlite_devices, postgres_devices, pool, m => m::proof_registered(pool, &device.to_string()).await)
    }

    /// A device's state, if the server knows the device.
    pub async fn device_state(&self, device: DeviceId) -> Result<Option<DeviceState>, DbError> {
        on_backend!(self, sqlite_devices, postgres_devices, pool, m => m::device_state(pool, &device.to_string()).await)
    }

    /// Every device the server knows, with who used it last.
    pub async fn devices(&self) -> Result<Vec<Device>, DbError> {
        on_backend!(self, sqlite_devices, postgres_devices, pool, m => m::devices(pool).await)
    }

    /// Revokes, retires or reactivates a device; false if the server does not know it.
    pub async fn set_device_state(
        &self,
        device: DeviceId,
        state: DeviceState,
    ) -> Result<bool, DbError> {
        on_backend!(self, sqlite_devices, postgres_devices, pool, m => m::set_device_state(pool, &device.to_string(), state.as_str()).await)
    }

    /// A device's name, if it has one.
    pub async fn device_name(&self, device: DeviceId) -> Result<Option<String>, DbError> {
        on_backend!(self, sqlite_devices, postgres_devices, pool, m => m::device_name(pool, &device.to_string()).await)
    }

    /// Names a device (the admin pages).
    pub async fn name_device(&self, device: DeviceId, name: &str) -> Result<bool, DbError> {
        on_backend!(self, sqlite_devices, postgres_devices, pool, m => m::name_device(pool, &device.to_string(), name).await)
    }
}

macro_rules! devices_backend {
    ($module:ident, $pool:ty, $row:ty) => {
        mod $module {
            use super::*;

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

devices_backend!(sqlite_devices, sqlx::SqlitePool, sqlx::sqlite::SqliteRow);
devices_backend!(postgres_devices, sqlx::PgPool, sqlx::postgres::PgRow);
