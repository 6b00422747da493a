//! The `Db` type: backend selection, opening (migrations applied, the instance id made at the
//! first start), and the small helpers every noun's file shares.

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;
use yorisoi_domain::sync::Entity;
use yorisoi_domain::sync::protocol::ProtocolError;

/// The most undecided changes set aside one device may have.
pub const SET_ASIDE_LIMIT: u64 = 10_000;

#[derive(Clone, Debug)]
pub struct Db {
    pub(super) backend: Backend,
    pub(super) instance_id: String,
    /// Wakes this instance's state folder (see `state.rs`) after a push.
    pub(super) folder: std::sync::Arc<tokio::sync::Notify>,
    /// Pushes stored by this instance: the folder stops when it moves.
    pub(super) pushes: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// The most undecided changes set aside one device may have (see `quarantine.rs`).
    pub(super) set_aside_limit: u64,
}

#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL (expected sqlite://PATH or postgres://…): {0}")]
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
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    #[error("a stored change cannot be read: {0}")]
    Corrupt(String),
    #[error("{0}")]
    Backup(String),
    #[error("{0}")]
    NotFound(String),
    #[error("not a bootstrap cursor: {0}")]
    BadCursor(String),
    #[error("changes numbered by {0} belong to another device")]
    NotYours(String),
    #[error("this client is not one you may read")]
    NotInScope,
    #[error(
        "this device has {0} changes set aside that an administrator has not decided on yet: \
         nothing of this push was stored, and the device keeps its changes until they are decided"
    )]
    SetAsideFull(u64),
}

/// An entity as the `entities` table names it (the migration builds the same from the log).
pub(super) fn entity_key(entity: Entity) -> String {
    entity.to_string()
}

impl Db {
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, DbError> {
        let backend = if let Some(path) = url.strip_prefix("sqlite://") {
            Backend::Sqlite(open_sqlite(url, path).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            Backend::Postgres(pool)
        } else {
            return Err(DbError::UnsupportedUrl(url.to_owned()));
        };
        let instance_id = ensure_instance_id(&backend).await?;
        let db = Self {
            backend,
            instance_id,
            folder: std::sync::Arc::new(tokio::sync::Notify::new()),
            pushes: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)),
            set_aside_limit: SET_ASIDE_LIMIT,
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        db.seed_builtin_instruments(now).await?;
        db.start_folder();
        Ok(db)
    }

    /// This database's own id, made once when it was created. A device that syncs with a
    /// database of another id knows the server was replaced, not merely restarted.
    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Closes every connection, letting SQLite checkpoint its write-ahead log: called once the
    /// server has stopped taking requests.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Sqlite(pool) => pool.close().await,
            Backend::Postgres(pool) => pool.close().await,
        }
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Backend::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        }
    }
}

const ADD_ID: &str =
    "INSERT INTO server_info (key, value) VALUES ('instance_id', $1) ON CONFLICT (key) DO NOTHING";
const GET_ID: &str = "SELECT value FROM server_info WHERE key = 'instance_id'";

/// This database's instance id, made at its first start.
async fn ensure_instance_id(backend: &Backend) -> Result<String, sqlx::Error> {
    let fresh = uuid::Uuid::now_v7().to_string();
    match backend {
        Backend::Sqlite(pool) => {
            sqlx::query(ADD_ID).bind(&fresh).execute(pool).await?;
            sqlx::query_scalar(GET_ID).fetch_one(pool).await
        }
        Backend::Postgres(pool) => {
            sqlx::query(ADD_ID).bind(&fresh).execute(pool).await?;
            sqlx::query_scalar(GET_ID).fetch_one(pool).await
        }
    }
}

async fn open_sqlite(url: &str, path: &str) -> Result<SqlitePool, DbError> {
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
        // A deletion zeroes what it frees, so an erased client's bytes stay in no free space.
        .pragma("secure_delete", "ON")
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    sqlx::migrate!("migrations/sqlite").run(&pool).await?;
    Ok(pool)
}

pub(super) fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
