//! The database's instance id after a restore: a backup copy gets an id of its own, and
//! `yorisoi-server restored` gives a restored database a fresh one (PostgreSQL, whose
//! `pg_restore` brings back the dumped id). A device that sees a new id sends again what the
//! server lacks (asking [`Db::writers_of`] how far the server holds each of its writers) and
//! pulls from the start.

use super::{Backend, Db, DbError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection};
use yorisoi_domain::ids::DeviceId;
use yorisoi_domain::sync::protocol::WriterSeq;

const SET_ID: &str = "UPDATE server_info SET value = $1 WHERE key = 'instance_id'";

impl Db {
    /// Gives this database a new instance id (after a restore) and returns it. The servers using
    /// it must be restarted (each reads the id when it opens the database).
    pub async fn renew_instance_id(&self) -> Result<String, DbError> {
        let fresh = uuid::Uuid::now_v7().to_string();
        let renewed = match &self.backend {
            Backend::Sqlite(pool) => sqlx::query(SET_ID)
                .bind(&fresh)
                .execute(pool)
                .await?
                .rows_affected(),
            Backend::Postgres(pool) => sqlx::query(SET_ID)
                .bind(&fresh)
                .execute(pool)
                .await?
                .rows_affected(),
        };
        if renewed != 1 {
            return Err(DbError::Corrupt(
                "the database has no instance id to renew".into(),
            ));
        }
        Ok(fresh)
    }

    /// The writers `owner` (a device) pushed under, with the last number stored of each.
    pub async fn writers_of(&self, owner: DeviceId) -> Result<Vec<WriterSeq>, DbError> {
        const SELECT: &str =
            "SELECT device, last_seq FROM devices WHERE owner = $1 ORDER BY device";
        let rows: Vec<(String, i64)> = match &self.backend {
            Backend::Sqlite(pool) => {
                sqlx::query_as(SELECT)
                    .bind(owner.to_string())
                    .fetch_all(pool)
                    .await?
            }
            Backend::Postgres(pool) => {
                sqlx::query_as(SELECT)
                    .bind(owner.to_string())
                    .fetch_all(pool)
                    .await?
            }
        };
        rows.into_iter()
            .map(|(writer, last)| {
                Ok(WriterSeq {
                    writer: writer
                        .parse()
                        .map_err(|_| DbError::Corrupt(format!("writer {writer}")))?,
                    last_seq: u64::try_from(last).unwrap_or(0),
                })
            })
            .collect()
    }
}

/// Gives the SQLite database file at `path` (a backup copy nobody uses yet) a fresh instance id:
/// a server restored from it is told apart from the one it was copied from.
pub(super) async fn renew_in_copy(path: &std::path::Path) -> Result<(), DbError> {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .journal_mode(SqliteJournalMode::Delete)
        .connect()
        .await?;
    sqlx::query(SET_ID)
        .bind(uuid::Uuid::now_v7().to_string())
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}
