//! Instrument versions as data (`instrument_versions`, migration 0012): the compiled-in ones
//! seeded as published, drafts an administrator uploads, publishing (checked for compatibility
//! against every version in use, under a lock, so two instances never publish past each other),
//! retiring, and the catalogue each push is checked against: the table as it is in the push's
//! own transaction, never a copy this process keeps. What each device holds and was told is in
//! `instruments_held.rs`.

use super::database::{Backend, Db, DbError};
use super::rows::{RowLike, corrupt};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, OnceLock};
use yorisoi_domain::catalogue::Catalogue;
use yorisoi_domain::instrument::{Instrument, InstrumentRef, Lists};
use yorisoi_domain::versions::Status;
use yorisoi_domain::versions::compat::{self, Incompatibility};
use yorisoi_domain::versions::definition::content_hash;
use yorisoi_domain::versions::wire::VersionSummary;

/// The definitions compiled into this build, and their shared option lists.
pub(crate) fn builtin() -> &'static Catalogue {
    Catalogue::builtin_static()
}

/// The shared option lists a definition may name (compiled in).
pub fn lists() -> &'static Lists {
    &builtin().lists
}

/// Parsed definitions by content hash: a published version never changes, so its parse is
/// kept; the table says which hashes are in use at each push.
fn parsed(sha256: &str, definition: &str) -> Result<Instrument, DbError> {
    static CACHE: OnceLock<Mutex<BTreeMap<String, Instrument>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().expect("not poisoned").get(sha256) {
        return Ok(found.clone());
    }
    let instrument: Instrument = serde_json::from_str(definition)
        .map_err(|e| corrupt(&format!("the definition {sha256}: {e}")))?;
    cache
        .lock()
        .expect("not poisoned")
        .insert(sha256.to_owned(), instrument.clone());
    Ok(instrument)
}

/// What a push is checked against: the versions in use, and the drafts (named in a refusal).
pub(super) struct InUseCatalogue {
    pub(super) catalogue: Catalogue,
    pub(super) drafts: BTreeSet<InstrumentRef>,
    /// The retired ones: no new record (see `push_retired.rs`).
    pub(super) retired: BTreeSet<InstrumentRef>,
}

/// Why a version's state did not change: not found; the lifecycle does not allow it (in
/// words); publishing it would change what answers already given mean.
#[derive(Debug)]
pub enum StatusRefused {
    NotFound,
    Step(String),
    Incompatible(Vec<Incompatibility>),
}

/// Why an upload was not stored: that version is published or retired already, and never changes.
#[derive(Debug)]
pub enum DraftRefused {
    InUse(Status),
}

pub(super) fn reference(row: &impl RowLike) -> Result<InstrumentRef, DbError> {
    Ok(InstrumentRef {
        id: row.text("instrument")?,
        edition: row.text("edition")?,
        version: u32::try_from(row.int("version")?).map_err(|_| corrupt("a version number"))?,
    })
}

pub(super) fn status(row: &impl RowLike) -> Result<Status, DbError> {
    Status::parse(&row.text("status")?).ok_or_else(|| corrupt("an instrument version's status"))
}

impl Db {
    /// Makes sure every compiled-in definition is a published version (at each start; two
    /// instances starting together insert each once). A compiled-in version's row follows the
    /// build: its definition is the build's.
    pub(super) async fn seed_builtin_instruments(&self, now: i64) -> Result<(), DbError> {
        for instrument in &builtin().instruments {
            let json = serde_json::to_string(instrument).expect("instruments serialize");
            let sha = content_hash(instrument);
            on_backend!(self, sqlite_instruments, postgres_instruments, pool, m => m::seed(pool, instrument, &json, &sha, now).await)?;
        }
        Ok(())
    }

    /// Every version, newest first within each instrument.
    pub async fn instrument_versions(&self) -> Result<Vec<VersionSummary>, DbError> {
        on_backend!(self, sqlite_instruments, postgres_instruments, pool, m => m::summaries(pool).await)
    }

    /// One version's state and definition.
    pub async fn instrument_version(
        &self,
        reference: &InstrumentRef,
    ) -> Result<Option<(VersionSummary, Instrument)>, DbError> {
        on_backend!(self, sqlite_instruments, postgres_instruments, pool, m => m::one(pool, reference).await)
    }

    /// Every version in use (published or retired), parsed.
    pub async fn instruments_in_use(&self) -> Result<Vec<Instrument>, DbError> {
        let found = on_backend!(self, sqlite_instruments, postgres_instruments, pool, m => m::in_use(&mut *pool.acquire().await?).await)?;
        Ok(found.catalogue.instruments)
    }

    /// Stores `definition` as a draft (replacing a draft of the same version).
    pub async fn save_draft(
        &self,
        definition: &Instrument,
        by: &str,
        now: i64,
    ) -> Result<Result<String, DraftRefused>, DbError> {
        let json = serde_json::to_string(definition).expect("instruments serialize");
        let sha = content_hash(definition);
        let done = on_backend!(self, sqlite_instruments, postgres_instruments, pool, m => m::save_draft(pool, definition, &json, &sha, by, now).await)?;
        Ok(done.map(|()| sha))
    }

    /// Publishes or retires a version (after the compatibility check, for publishing); its
    /// content hash when done.
    pub async fn set_instrument_status(
        &self,
        reference: &InstrumentRef,
        to: Status,
        by: &str,
        now: i64,
    ) -> Result<Result<String, StatusRefused>, DbError> {
        on_backend!(self, sqlite_instruments, postgres_instruments, pool, m => m::set_status(pool.acquire().await?, reference, to, by, now).await)
    }

    /// Removes a draft; false if there is none of that version.
    pub async fn discard_draft(&self, reference: &InstrumentRef) -> Result<bool, DbError> {
        on_backend!(self, sqlite_instruments, postgres_instruments, pool, m => m::discard(pool, reference).await)
    }
}

macro_rules! instruments_backend {
    ($module:ident, $pool:ty, $conn:ty, $db:ty, $row:ty, $begin:literal) => {
        pub(super) mod $module {
            use super::*;
            use sqlx::pool::PoolConnection;

            fn summary(row: &$row) -> Result<(VersionSummary, Instrument), DbError> {
                let sha = row.text("sha256")?;
                let definition = parsed(&sha, &row.text("definition")?)?;
                Ok((
                    VersionSummary {
                        instrument: reference(row)?,
                        title: definition.title.clone(),
                        status: status(row)?,
                        sha256: sha,
                        builtin: row.int("builtin")? != 0,
                        uploaded_at: row.int("uploaded_at")?,
                        published_at: row.opt_int("published_at")?,
                        retired_at: row.opt_int("retired_at")?,
                    },
                    definition,
                ))
            }

            pub async fn seed(pool: &$pool, instrument: &Instrument, json: &str, sha: &str, now: i64) -> Result<(), DbError> {
                sqlx::query("INSERT INTO instrument_versions (instrument, edition, version, status, definition, sha256, builtin, uploaded_at, published_at) \
                             VALUES ($1, $2, $3, 'published', $4, $5, 1, $6, $6) \
                             ON CONFLICT (instrument, edition, version) DO UPDATE SET definition = excluded.definition, sha256 = excluded.sha256 \
                             WHERE instrument_versions.builtin = 1 AND instrument_versions.sha256 <> excluded.sha256")
                    .bind(&instrument.id)
                    .bind(&instrument.edition)
                    .bind(i64::from(instrument.version))
                    .bind(json)
                    .bind(sha)
                    .bind(now)
                    .execute(pool)
                    .await?;
                Ok(())
            }

            pub async fn summaries(pool: &$pool) -> Result<Vec<VersionSummary>, DbError> {
                let rows: Vec<$row> = sqlx::query("SELECT instrument, edition, version, status, sha256, builtin, uploaded_at, published_at, retired_at, definition FROM instrument_versions ORDER BY instrument, edition, version DESC")
                    .fetch_all(pool)
                    .await?;
                rows.iter().map(|row| summary(row).map(|(s, _)| s)).collect()
            }

            pub async fn one(pool: &$pool, r: &InstrumentRef) -> Result<Option<(VersionSummary, Instrument)>, DbError> {
                let row: Option<$row> = sqlx::query("SELECT instrument, edition, version, status, sha256, builtin, uploaded_at, published_at, retired_at, definition FROM instrument_versions WHERE instrument = $1 AND edition = $2 AND version = $3")
                    .bind(&r.id)
                    .bind(&r.edition)
                    .bind(i64::from(r.version))
                    .fetch_optional(pool)
                    .await?;
                row.as_ref().map(summary).transpose()
            }

            /// The versions in use and the drafts, as the table is in `conn`'s transaction.
            pub async fn in_use(conn: &mut $conn) -> Result<InUseCatalogue, DbError> {
                let rows: Vec<$row> = sqlx::query("SELECT instrument, edition, version, status, sha256, CASE WHEN status = 'draft' THEN '' ELSE definition END AS definition FROM instrument_versions")
                    .fetch_all(&mut *conn)
                    .await?;
                let mut found = InUseCatalogue {
                    catalogue: Catalogue { instruments: Vec::new(), lists: lists().clone() },
                    drafts: BTreeSet::new(),
                    retired: BTreeSet::new(),
                };
                for row in &rows {
                    if status(row)? == Status::Retired {
                        found.retired.insert(reference(row)?);
                    }
                    if status(row)?.in_use() {
                        found.catalogue.instruments.push(parsed(&row.text("sha256")?, &row.text("definition")?)?);
                    } else {
                        found.drafts.insert(reference(row)?);
                    }
                }
                Ok(found)
            }

            pub async fn save_draft(pool: &$pool, d: &Instrument, json: &str, sha: &str, by: &str, now: i64) -> Result<Result<(), DraftRefused>, DbError> {
                let stored: Option<String> = sqlx::query_scalar("INSERT INTO instrument_versions (instrument, edition, version, status, definition, sha256, uploaded_at, uploaded_by) \
                             VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7) \
                             ON CONFLICT (instrument, edition, version) DO UPDATE SET definition = excluded.definition, sha256 = excluded.sha256, \
                             uploaded_at = excluded.uploaded_at, uploaded_by = excluded.uploaded_by WHERE instrument_versions.status = 'draft' RETURNING status")
                    .bind(&d.id)
                    .bind(&d.edition)
                    .bind(i64::from(d.version))
                    .bind(json)
                    .bind(sha)
                    .bind(now)
                    .bind(by)
                    .fetch_optional(pool)
                    .await?;
                if stored.is_some() {
                    return Ok(Ok(()));
                }
                let status: String = sqlx::query_scalar("SELECT status FROM instrument_versions WHERE instrument = $1 AND edition = $2 AND version = $3")
                    .bind(&d.id)
                    .bind(&d.edition)
                    .bind(i64::from(d.version))
                    .fetch_one(pool)
                    .await?;
                Ok(Err(DraftRefused::InUse(Status::parse(&status).ok_or_else(|| corrupt("a status"))?)))
            }

            pub async fn set_status(mut conn: PoolConnection<$db>, r: &InstrumentRef, to: Status, by: &str, now: i64) -> Result<Result<String, StatusRefused>, DbError> {
                // One publisher at a time, on every instance: the check below reads the versions
                // in use, and what it read must still be all of them when the new one lands.
                sqlx::raw_sql($begin).execute(&mut *conn).await?;
                let result: Result<_, DbError> = async {
                    let row: Option<$row> = sqlx::query("SELECT status, sha256, definition FROM instrument_versions WHERE instrument = $1 AND edition = $2 AND version = $3")
                        .bind(&r.id)
                        .bind(&r.edition)
                        .bind(i64::from(r.version))
                        .fetch_optional(&mut *conn)
                        .await?;
                    let Some(row) = row else {
                        return Ok(Err(StatusRefused::NotFound));
                    };
                    let from = status(&row)?;
                    if let Err(why) = from.step(to) {
                        return Ok(Err(StatusRefused::Step(why)));
                    }
                    let sha = row.text("sha256")?;
                    if to == Status::Published {
                        let new = parsed(&sha, &row.text("definition")?)?;
                        let earlier = in_use(&mut *conn).await?.catalogue.instruments;
                        let problems = compat::check(&earlier, &new, lists());
                        if !problems.is_empty() {
                            return Ok(Err(StatusRefused::Incompatible(problems)));
                        }
                    }
                    let sql = match to {
                        Status::Published => "UPDATE instrument_versions SET status = 'published', published_at = $4, published_by = $5 WHERE instrument = $1 AND edition = $2 AND version = $3",
                        _ => "UPDATE instrument_versions SET status = 'retired', retired_at = $4, retired_by = $5 WHERE instrument = $1 AND edition = $2 AND version = $3",
                    };
                    sqlx::query(sql)
                        .bind(&r.id)
                        .bind(&r.edition)
                        .bind(i64::from(r.version))
                        .bind(now)
                        .bind(by)
                        .execute(&mut *conn)
                        .await?;
                    Ok(Ok(sha))
                }
                .await;
                commit_or_rollback!(conn, result)
            }

            pub async fn discard(pool: &$pool, r: &InstrumentRef) -> Result<bool, DbError> {
                let done = sqlx::query("DELETE FROM instrument_versions WHERE instrument = $1 AND edition = $2 AND version = $3 AND status = 'draft'")
                    .bind(&r.id)
                    .bind(&r.edition)
                    .bind(i64::from(r.version))
                    .execute(pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

instruments_backend!(
    sqlite_instruments,
    sqlx::SqlitePool,
    sqlx::SqliteConnection,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow,
    "BEGIN IMMEDIATE"
);
instruments_backend!(
    postgres_instruments,
    sqlx::PgPool,
    sqlx::PgConnection,
    sqlx::Postgres,
    sqlx::postgres::PgRow,
    "BEGIN; SELECT pg_advisory_xact_lock(7142122)"
);
