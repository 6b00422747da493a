//! The account lock-out, counted in the database in single statements, so that wrong passwords
//! sent at once (to one server or to several on the same database) are each counted, and a lock
//! set while a right password was being checked still holds.

use super::database::{Backend, Db, DbError};
use yorisoi_domain::ids::PersonId;

/// How many failures in how long lock an account, and for how long.
pub const MAX_FAILURES: i64 = 5;
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;
pub const LOCK_MS: i64 = 15 * 60 * 1000;

/// What counting one wrong password did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failure {
    /// This failure locked the account (it was the `MAX_FAILURES`th in the window).
    pub locked_now: bool,
    /// Until when the account is locked (0 or past: not locked).
    pub locked_until: i64,
}

/// One wrong password, counted in one statement: a failure after the window starts a new count;
/// the `MAX_FAILURES`th locks the account for `LOCK_MS` and starts the count afresh. Every
/// right-hand side reads the row as it was before this statement, and the database runs such
/// statements on one row one after another, so concurrent failures each count.
const COUNT_FAILURE: &str = "UPDATE people SET \
    failures = CASE WHEN (CASE WHEN $1 - failed_since > $2 THEN 1 ELSE failures + 1 END) >= $3 THEN 0 \
                    ELSE (CASE WHEN $1 - failed_since > $2 THEN 1 ELSE failures + 1 END) END, \
    failed_since = CASE WHEN (CASE WHEN $1 - failed_since > $2 THEN 1 ELSE failures + 1 END) >= $3 THEN 0 \
                        WHEN $1 - failed_since > $2 THEN $1 ELSE failed_since END, \
    locked_until = CASE WHEN (CASE WHEN $1 - failed_since > $2 THEN 1 ELSE failures + 1 END) >= $3 THEN $1 + $4 \
                        ELSE locked_until END \
    WHERE id = $5 \
    RETURNING CAST(CASE WHEN locked_until = $1 + $4 THEN 1 ELSE 0 END AS BIGINT) AS locked_now, \
              locked_until";

/// A right password clears the count, in the same statement that checks the account is neither
/// locked nor disabled now: no row means a lock (or a disable) came first.
const CLEAR_FAILURES: &str = "UPDATE people SET failures = 0, failed_since = 0, locked_until = 0 \
    WHERE id = $1 AND locked_until <= $2 AND disabled = 0 RETURNING id";

/// Runs `$sql` with `$binds` on whichever backend `$db` has, fetching at most one row as `$t`.
macro_rules! one_row {
    ($db:expr, $t:ty, $sql:expr, $($bind:expr),+) => {
        match &$db.backend {
            Backend::Sqlite(pool) => {
                sqlx::query_as::<_, $t>($sql)$(.bind($bind))+.fetch_optional(pool).await?
            }
            Backend::Postgres(pool) => {
                sqlx::query_as::<_, $t>($sql)$(.bind($bind))+.fetch_optional(pool).await?
            }
        }
    };
}

impl Db {
    /// Counts a wrong password against `person` at `now`. `None` if there is no such person.
    pub async fn count_failure(
        &self,
        person: PersonId,
        now: i64,
    ) -> Result<Option<Failure>, DbError> {
        let id = person.to_string();
        let row = one_row!(
            self,
            (i64, i64),
            COUNT_FAILURE,
            now,
            FAILURE_WINDOW_MS,
            MAX_FAILURES,
            LOCK_MS,
            &id
        );
        Ok(row.map(|(locked_now, locked_until)| Failure {
            locked_now: locked_now != 0,
            locked_until,
        }))
    }

    /// A right password for `person` at `now`: clears their failures if the account is neither
    /// locked nor disabled at this moment, and says whether it was.
    pub async fn clear_failures(&self, person: PersonId, now: i64) -> Result<bool, DbError> {
        let id = person.to_string();
        let row = one_row!(self, (String,), CLEAR_FAILURES, &id, now);
        Ok(row.is_some())
    }
}
