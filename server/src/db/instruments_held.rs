//! What each device holds of the instrument versions and what it was told of them (issue 22):
//! the versions a device reports at `POST /api/v1/sync/instruments` (`device_instruments`, the
//! administrator's page shows them), when the server first told it a version is retired
//! (`device_retired_told`, migration 0013: a new record it makes after that under the retired
//! version is set aside, see `push_retired.rs`), and the fingerprint of the versions in use that
//! every pull page carries, so that a device asks for versions only when something changed.

use super::database::{Backend, Db, DbError};
use super::instruments::{reference, status};
use super::rows::{RowLike, corrupt};
use std::collections::BTreeMap;
use yorisoi_domain::ids::DeviceId;
use yorisoi_domain::instrument::InstrumentRef;
use yorisoi_domain::versions::Status;
use yorisoi_domain::versions::wire::{DeviceHolding, Held, InUse, fingerprint};

impl Db {
    /// Records what `device` holds and answers with every version in use, with the
    /// definitions it lacks; notes when it is first told that a version is retired.
    pub async fn versions_for_device(
        &self,
        device: DeviceId,
        held: &[Held],
        now: i64,
    ) -> Result<Vec<InUse>, DbError> {
        on_backend!(self, sqlite_held, postgres_held, pool, m => m::for_device(pool, &device.to_string(), held, now).await)
    }

    /// What each enrolled device last said it holds.
    pub async fn device_holdings(&self) -> Result<Vec<DeviceHolding>, DbError> {
        on_backend!(self, sqlite_held, postgres_held, pool, m => m::holdings(pool).await)
    }

    /// The fingerprint of the versions in use, as the table holds them now (every instance
    /// reads the same table, so every instance gives the same one).
    pub async fn instruments_fingerprint(&self) -> Result<String, DbError> {
        on_backend!(self, sqlite_held, postgres_held, pool, m => m::fingerprint_of(pool).await)
    }
}

macro_rules! held_backend {
    ($module:ident, $instruments:ident, $pool:ty, $conn:ty, $row:ty) => {
        pub(super) mod $module {
            use super::*;

            /// Every version in use: reference, state and content hash.
            async fn listed(conn: &mut $conn) -> Result<Vec<(InstrumentRef, Status, String)>, DbError> {
                let rows: Vec<$row> = sqlx::query("SELECT instrument, edition, version, status, sha256 FROM instrument_versions WHERE status <> 'draft' ORDER BY instrument, edition, version")
                    .fetch_all(&mut *conn)
                    .await?;
                rows.iter()
                    .map(|row| Ok((reference(row)?, status(row)?, row.text("sha256")?)))
                    .collect()
            }

            pub async fn fingerprint_of(pool: &$pool) -> Result<String, DbError> {
                let listed = listed(&mut *pool.acquire().await?).await?;
                Ok(fingerprint(listed.iter().map(|(r, s, sha)| (r, *s, sha.as_str()))))
            }

            pub async fn for_device(pool: &$pool, device: &str, held: &[Held], now: i64) -> Result<Vec<InUse>, DbError> {
                let mut conn = pool.acquire().await?;
                let found = super::super::instruments::$instruments::in_use(&mut conn).await?;
                let listed = listed(&mut conn).await?;
                // One transaction: what the device holds is replaced at once, and what it is told
                // of retired versions noted, with one commit.
                sqlx::raw_sql("BEGIN").execute(&mut *conn).await?;
                let written: Result<(), DbError> = async {
                    sqlx::query("DELETE FROM device_instruments WHERE device = $1")
                        .bind(device)
                        .execute(&mut *conn)
                        .await?;
                    for h in held {
                        sqlx::query("INSERT INTO device_instruments (device, instrument, edition, version, reported_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
                            .bind(device)
                            .bind(&h.instrument.id)
                            .bind(&h.instrument.edition)
                            .bind(i64::from(h.instrument.version))
                            .bind(now)
                            .execute(&mut *conn)
                            .await?;
                    }
                    for (r, _, _) in listed.iter().filter(|(_, s, _)| *s == Status::Retired) {
                        sqlx::query("INSERT INTO device_retired_told (device, instrument, edition, version, told_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
                            .bind(device)
                            .bind(&r.id)
                            .bind(&r.edition)
                            .bind(i64::from(r.version))
                            .bind(now)
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                }
                .await;
                commit_or_rollback!(conn, written)?;
                Ok(listed
                    .into_iter()
                    .map(|(instrument, status, sha256)| {
                        let has = held.iter().any(|h| h.instrument == instrument && h.sha256 == sha256);
                        let definition = if has { None } else { found.catalogue.get(&instrument).cloned() };
                        InUse { instrument, status, sha256, definition }
                    })
                    .collect())
            }

            /// When `device` was first told that each version it was told of is retired.
            pub async fn told_retired(conn: &mut $conn, device: &str) -> Result<BTreeMap<InstrumentRef, i64>, DbError> {
                let rows: Vec<$row> = sqlx::query("SELECT instrument, edition, version, told_at FROM device_retired_told WHERE device = $1")
                    .bind(device)
                    .fetch_all(&mut *conn)
                    .await?;
                rows.iter().map(|row| Ok((reference(row)?, row.int("told_at")?))).collect()
            }

            pub async fn holdings(pool: &$pool) -> Result<Vec<DeviceHolding>, DbError> {
                let rows: Vec<$row> = sqlx::query("SELECT h.device, d.name, h.instrument, h.edition, h.version, h.reported_at FROM device_instruments h \
                     LEFT JOIN devices d ON d.device = h.device ORDER BY h.device, h.instrument, h.edition, h.version")
                    .fetch_all(pool)
                    .await?;
                let mut out: Vec<DeviceHolding> = Vec::new();
                for row in &rows {
                    let device: DeviceId = row.text("device")?.parse().map_err(|_| corrupt("a device id"))?;
                    let held = reference(row)?;
                    match out.last_mut() {
                        Some(last) if last.device == device => last.held.push(held),
                        _ => out.push(DeviceHolding {
                            device,
                            name: row.opt_text("name")?,
                            held: vec![held],
                            reported_at: row.int("reported_at")?,
                        }),
                    }
                }
                Ok(out)
            }
        }
    };
}

held_backend!(
    sqlite_held,
    sqlite_instruments,
    sqlx::SqlitePool,
    sqlx::SqliteConnection,
    sqlx::sqlite::SqliteRow
);
held_backend!(
    postgres_held,
    postgres_instruments,
    sqlx::PgPool,
    sqlx::PgConnection,
    sqlx::postgres::PgRow
);
