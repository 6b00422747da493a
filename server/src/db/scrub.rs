//! An erase's last step: the deleted rows' bytes out of the database's files (see `scrub`).

use super::database::{Backend, Db, DbError};
use sqlx::Row;

impl Db {
    /// Removes deleted rows' bytes from the database's files after an erase.
    ///
    /// SQLite (`secure_delete` is on for every connection, so a deletion zeroes what it frees):
    /// `VACUUM` rebuilds the file, so no free page or free block keeps a copy written before
    /// (a row moved by an update, a page split, a database older than `secure_delete`); then a
    /// `TRUNCATE` checkpoint copies the write-ahead log into the file and empties it, since the
    /// log holds the pages as they were before the erase.
    ///
    /// PostgreSQL: `VACUUM FULL` of the tables the erase deleted from rewrites each into a new
    /// file without the dead rows (a plain `VACUUM` leaves their bytes in the file: measured on
    /// PostgreSQL 15, 295 of 300 deleted rows still readable). It locks each table while it
    /// rewrites it (0.6 s for 166 MB), so syncs wait meanwhile. What it cannot reach (`pg_wal`
    /// until its segments are recycled, WAL archives, base backups) is in the README.
    pub async fn scrub(&self) -> Result<(), DbError> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                sqlx::raw_sql("VACUUM").execute(&mut *conn).await?;
                // A reader in the middle of a read holds the log back: wait for it, briefly.
                for _ in 0..100 {
                    let row = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                        .fetch_one(&mut *conn)
                        .await?;
                    let busy: i64 = row.try_get(0)?;
                    if busy == 0 {
                        return Ok(());
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(DbError::Corrupt(
                    "the write-ahead log stayed busy: it is emptied at the next clean stop".into(),
                ))
            }
            Backend::Postgres(pool) => {
                // One statement each: VACUUM runs outside any transaction block.
                for sql in [
                    "VACUUM FULL changes",
                    "VACUUM FULL state",
                    "VACUUM FULL entities",
                    "VACUUM FULL quarantine",
                    "VACUUM FULL assignments",
                ] {
                    sqlx::raw_sql(sql).execute(pool).await?;
                }
                Ok(())
            }
        }
    }
}
