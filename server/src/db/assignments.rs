//! Assignments: which coach has which clients, and the client directory an administrator assigns
//! from. The SQL is written once for both backends (see the macro at the end).

use super::database::{Backend, Db, DbError};
use super::rows::{RowLike, corrupt};
use std::collections::BTreeSet;
use yorisoi_domain::accounts::ClientEntry;
use yorisoi_domain::ids::{ClientId, PersonId};

impl Db {
    pub async fn assign(
        &self,
        person: PersonId,
        client: ClientId,
        now: i64,
    ) -> Result<(), DbError> {
        on_backend!(self, sqlite_assignments, postgres_assignments, pool, m => m::assign(pool, &person.to_string(), &client.to_string(), now).await)
    }

    pub async fn unassign(&self, person: PersonId, client: ClientId) -> Result<bool, DbError> {
        on_backend!(self, sqlite_assignments, postgres_assignments, pool, m => m::unassign(pool, &person.to_string(), &client.to_string()).await)
    }

    /// Whether the server has any change of this client.
    pub async fn client_known(&self, client: ClientId) -> Result<bool, DbError> {
        on_backend!(self, sqlite_assignments, postgres_assignments, pool, m => m::client_known(pool, &client.to_string()).await)
    }

    /// Every client with its newest name (empty for a client with data but no name) and its
    /// coaches: what an admin needs to assign them.
    pub async fn client_directory(&self) -> Result<Vec<ClientEntry>, DbError> {
        on_backend!(self, sqlite_assignments, postgres_assignments, pool, m => m::client_directory(pool).await)
    }
}

macro_rules! assignments_backend {
    ($module:ident, $pool:ty, $db:ty, $row:ty) => {
        pub(super) mod $module {
            use super::*;

            /// The clients assigned to a person.
            pub async fn assigned_clients<'c, E>(executor: E, person: yorisoi_domain::ids::PersonId) -> Result<BTreeSet<ClientId>, DbError>
            where
                E: sqlx::Executor<'c, Database = $db>,
            {
                // A stopped client (利用停止) is assigned to nobody: it leaves every coach's devices.
                let rows: Vec<String> = sqlx::query_scalar("SELECT client FROM assignments WHERE person = $1 AND client NOT IN (SELECT client FROM stopped)")
                    .bind(person.to_string())
                    .fetch_all(executor)
                    .await?;
                rows.into_iter()
                    .map(|c| c.parse().map_err(|_| DbError::Corrupt(format!("assignment client {c}"))))
                    .collect()
            }

            pub async fn assign(pool: &$pool, person: &str, client: &str, now: i64) -> Result<(), DbError> {
                sqlx::query("INSERT INTO assignments (person, client, assigned_at) VALUES ($1, $2, $3) ON CONFLICT (person, client) DO NOTHING")
                    .bind(person)
                    .bind(client)
                    .bind(now)
                    .execute(pool)
                    .await?;
                Ok(())
            }

            pub async fn unassign(pool: &$pool, person: &str, client: &str) -> Result<bool, DbError> {
                let done = sqlx::query("DELETE FROM assignments WHERE person = $1 AND client = $2")
                    .bind(person)
                    .bind(client)
                    .execute(pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            pub async fn client_known(pool: &$pool, client: &str) -> Result<bool, DbError> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM entities WHERE client = $1")
                    .bind(client)
                    .fetch_one(pool)
                    .await?;
                Ok(n > 0)
            }

            pub async fn client_directory(pool: &$pool) -> Result<Vec<ClientEntry>, DbError> {
                // A client's newest name change (clients are created with one).
                let rows: Vec<$row> = sqlx::query(
                    "SELECT c.client, c.body FROM changes c \
                     JOIN (SELECT client, MAX(seq) AS seq FROM changes WHERE field = 'name' GROUP BY client) n ON n.seq = c.seq \
                     ORDER BY c.client")
                    .fetch_all(pool)
                    .await?;
                let assignments: Vec<$row> = sqlx::query("SELECT person, client FROM assignments")
                    .fetch_all(pool)
                    .await?;
                let mut entries = Vec::with_capacity(rows.len());
                for row in &rows {
                    let client = row.text("client")?;
                    let change: yorisoi_domain::sync::Change = serde_json::from_str(&row.text("body")?)
                        .map_err(|e| corrupt(&format!("a name change: {e}")))?;
                    if !matches!(change.entity, yorisoi_domain::sync::Entity::Client(_)) {
                        continue;
                    }
                    let mut coaches = Vec::new();
                    for a in &assignments {
                        if a.text("client")? == client {
                            coaches.push(a.text("person")?.parse().map_err(|_| corrupt("an assignment's person"))?);
                        }
                    }
                    entries.push(ClientEntry {
                        id: client.parse().map_err(|_| corrupt("a client id"))?,
                        name: change.value.as_str().unwrap_or_default().to_owned(),
                        coaches,
                    });
                }
                // A client with data but no name (its name change never reached the server)
                // is listed too, nameless: it can be assigned, stopped and erased like any.
                let all: Vec<String> = sqlx::query_scalar("SELECT DISTINCT client FROM entities")
                    .fetch_all(pool)
                    .await?;
                let named: std::collections::BTreeSet<ClientId> = entries.iter().map(|e| e.id).collect();
                for client in &all {
                    let id: ClientId = client.parse().map_err(|_| corrupt("a client id"))?;
                    if named.contains(&id) {
                        continue;
                    }
                    let mut coaches = Vec::new();
                    for a in &assignments {
                        if a.text("client")? == *client {
                            coaches.push(a.text("person")?.parse().map_err(|_| corrupt("an assignment's person"))?);
                        }
                    }
                    entries.push(ClientEntry { id, name: String::new(), coaches });
                }
                entries.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(entries)
            }
        }
    };
}

assignments_backend!(
    sqlite_assignments,
    sqlx::SqlitePool,
    sqlx::Sqlite,
    sqlx::sqlite::SqliteRow
);
assignments_backend!(
    postgres_assignments,
    sqlx::PgPool,
    sqlx::Postgres,
    sqlx::postgres::PgRow
);
