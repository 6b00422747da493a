//! The server's database: SQLite (embedded, in the data folder) by default, PostgreSQL when
//! given a `postgres://` URL. Migrations for both are compiled in and applied at start.
//!
//! The two backends run the same SQL (numbered `$n` parameters work in both); one macro writes
//! the code once for each pool type, so they cannot drift apart.

/// Ends a transaction begun with raw SQL (see `backend!`): COMMIT when the work in it succeeded,
/// ROLLBACK when it failed (the rollback's own failure is ignored: the work's error is the one to
/// report).
macro_rules! commit_or_rollback {
    ($conn:ident, $result:expr) => {
        match $result {
            Ok(done) => {
                sqlx::raw_sql("COMMIT").execute(&mut *$conn).await?;
                Ok(done)
            }
            Err(error) => {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *$conn).await;
                Err(error)
            }
        }
    };
}

/// Runs `$body` with `$pool` bound to this database's pool and `$m` to the module the calling
/// file's macro wrote for its backend (`$sqlite` or `$postgres`).
macro_rules! on_backend {
    ($self:expr, $sqlite:ident, $postgres:ident, $pool:ident, $m:ident => $body:expr) => {
        match &$self.backend {
            Backend::Sqlite($pool) => {
                use $sqlite as $m;
                $body
            }
            Backend::Postgres($pool) => {
                use $postgres as $m;
                $body
            }
        }
    };
}

mod assignments;
mod audit;
mod codes;
mod database;
mod devices;
mod disclosure;
mod hand_over;
mod instance;
mod instruments;
mod instruments_held;
mod lockout;
mod log;
mod people;
mod privacy;
mod push;
mod push_check;
mod push_retired;
mod quarantine;
mod report_audit;
mod rows;
mod scope;
mod scrub;
mod sessions;
mod state;

pub use audit::{AuditCheck, AuditQuery};
pub use codes::Purpose;
pub use database::{Db, DbError, SET_ASIDE_LIMIT};
pub use devices::hashes_match;
pub use hand_over::ENTER_PAGE;
pub use instruments::{DraftRefused, StatusRefused, lists as instrument_lists};
pub use lockout::{FAILURE_WINDOW_MS, Failure, LOCK_MS, MAX_FAILURES};
pub use log::Page;
pub use people::PersonRow;
pub use privacy::{DEFAULT_RETENTION_YEARS, EraseError, Erasure};
pub use push::Pushed;
pub use quarantine::Unaccepted;
pub use scope::Scope;
pub use sessions::{Principal, SessionPolicy};
