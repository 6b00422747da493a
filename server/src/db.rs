//! The server's database. SQLite (embedded, in the data folder) is the default; migrations are
//! compiled in and applied at start, so a new or older database is brought up to date before the
//! first request.

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Db {
    pool: SqlitePool,
    instance_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL (expected sqlite://PATH): {0}")]
    UnsupportedUrl(String),
    #[error("cannot create the data folder {path}: {source}")]
    DataFolder {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, DbError> {
        let Some(path) = url.strip_prefix("sqlite://") else {
            return Err(DbError::UnsupportedUrl(url.to_owned()));
        };
        if let Some(parent) = std::path::Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| DbError::DataFolder {
                path: parent.display().to_string(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        let instance_id = Self::ensure_instance_id(&pool).await?;
        Ok(Self { pool, instance_id })
    }

    /// This database's own id, made once when it was created. A device that syncs with a
    /// database of another id knows the server was replaced, not merely restarted.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    async fn ensure_instance_id(pool: &SqlitePool) -> Result<String, sqlx::Error> {
        let fresh = uuid::Uuid::now_v7().to_string();
        sqlx::query("INSERT INTO server_info (key, value) VALUES ('instance_id', ?) ON CONFLICT (key) DO NOTHING")
            .bind(&fresh)
            .execute(pool)
            .await?;
        sqlx::query_scalar("SELECT value FROM server_info WHERE key = 'instance_id'")
            .fetch_one(pool)
            .await
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop)
    }
}
