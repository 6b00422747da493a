//! One-time codes: the set-up code and device enrolment codes. The SQL is written once for both
//! backends (see the macro at the end).

use super::database::{Backend, Db, DbError};
use yorisoi_domain::ids::PersonId;

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

impl Db {
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
        on_backend!(self, sqlite_codes, postgres_codes, pool, m => m::new_code(pool, purpose.as_str(), code_hash, by, now, expires_at, label).await)
    }

    /// Uses a one-time code: its label if it was valid (and now is not).
    pub async fn use_code(
        &self,
        purpose: Purpose,
        code_hash: &str,
        now: i64,
    ) -> Result<Option<String>, DbError> {
        on_backend!(self, sqlite_codes, postgres_codes, pool, m => m::use_code(pool, purpose.as_str(), code_hash, now).await)
    }
}

macro_rules! codes_backend {
    ($module:ident, $pool:ty, $row:ty) => {
        mod $module {
            use super::*;

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
        }
    };
}

codes_backend!(sqlite_codes, sqlx::SqlitePool, sqlx::sqlite::SqliteRow);
codes_backend!(postgres_codes, sqlx::PgPool, sqlx::postgres::PgRow);
