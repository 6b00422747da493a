//! The change log as it is read: a pull in order, and what the server knows of the entities
//! and clients changes touch. The SQL is written once for both backends (see `log_backend!` at
//! the end).

use super::database::{Backend, Db, DbError, as_i64, entity_key};
use sqlx::Row;
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use std::collections::{BTreeMap, BTreeSet};
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::sync::Change;
use yorisoi_domain::sync::check::Known;
use yorisoi_domain::sync::protocol::Pulled;

/// A row of `entities` as the check reads it; `None` for a row it cannot read.
fn known_from(client: &str, instrument: Option<&str>) -> Option<Known> {
    Some(Known {
        client: client.parse().ok()?,
        instrument: match instrument {
            Some(json) => Some(serde_json::from_str(json).ok()?),
            None => None,
        },
    })
}

/// One page of the change log.
#[derive(Debug)]
pub struct Page {
    pub changes: Vec<Pulled>,
    pub cursor: u64,
    pub more: bool,
    /// The newest change in the log: with `cursor`, how far a long pull has come.
    pub head: u64,
    /// Clients entering or leaving the device's scope.
    pub scope: Option<yorisoi_domain::sync::protocol::ScopeChange>,
}

impl Db {
    /// The changes after `since` in the server's sequence, at most `limit`.
    pub async fn pull(&self, since: u64, limit: u32) -> Result<Page, DbError> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlite_log::pull(pool, since, limit).await,
            Backend::Postgres(pool) => postgres_log::pull(pool, since, limit).await,
        }
    }
}

macro_rules! log_backend {
    ($module:ident, $pool:ty, $db:ty) => {
        pub(super) mod $module {
            use super::*;

            /// What the server knows of the entities `changes` touch, and which of the clients
            /// they name it already has (any entity of theirs), in one query.
            pub(in crate::db) async fn known_entities(conn: &mut PoolConnection<$db>, changes: &[&Change]) -> Result<(BTreeMap<String, Known>, BTreeSet<ClientId>), DbError> {
                let mut known = BTreeMap::new();
                let mut existing = BTreeSet::new();
                if changes.is_empty() {
                    return Ok((known, existing));
                }
                let keys: BTreeSet<String> = changes.iter().map(|c| entity_key(c.entity)).collect();
                let clients: BTreeSet<String> = changes.iter().map(|c| c.client.to_string()).collect();
                let mut select = sqlx::QueryBuilder::<$db>::new("SELECT entity, client, instrument FROM entities WHERE entity IN (");
                let mut list = select.separated(", ");
                for key in keys {
                    list.push_bind(key);
                }
                // A row with an empty entity says the client has some entity on the server.
                select.push(") UNION ALL SELECT '' AS entity, client, NULL AS instrument FROM entities WHERE client IN (");
                let mut list = select.separated(", ");
                for client in clients {
                    list.push_bind(client);
                }
                select.push(") GROUP BY client");
                for row in select.build().fetch_all(&mut **conn).await? {
                    let entity: String = row.try_get("entity")?;
                    let client: String = row.try_get("client")?;
                    if entity.is_empty() {
                        existing.insert(client.parse().map_err(|_| DbError::Corrupt(format!("entity client {client}")))?);
                        continue;
                    }
                    let instrument: Option<String> = row.try_get("instrument")?;
                    let facts = known_from(&client, instrument.as_deref())
                        .ok_or_else(|| DbError::Corrupt(format!("entity {entity}")))?;
                    known.insert(entity, facts);
                }
                Ok((known, existing))
            }

            /// Every stored change of `field` of `clients`' client entries, in the log's order
            /// (what a check that reads a field's merged value needs, e.g. a consent).
            pub(in crate::db) async fn client_field_changes(conn: &mut PoolConnection<$db>, clients: &BTreeSet<ClientId>, field: &str) -> Result<Vec<Change>, DbError> {
                if clients.is_empty() {
                    return Ok(Vec::new());
                }
                let mut select = sqlx::QueryBuilder::<$db>::new("SELECT body FROM changes WHERE field = ");
                select.push_bind(field.to_owned());
                select.push(" AND client IN (");
                let mut list = select.separated(", ");
                for client in clients {
                    list.push_bind(client.to_string());
                }
                select.push(") ORDER BY seq");
                let mut changes = Vec::new();
                for row in select.build().fetch_all(&mut **conn).await? {
                    let body: String = row.try_get("body")?;
                    changes.push(serde_json::from_str(&body).map_err(|e| DbError::Corrupt(format!("change body: {e}")))?);
                }
                Ok(changes)
            }

            pub async fn pull(pool: &$pool, since: u64, limit: u32) -> Result<Page, DbError> {
                // Every client's changes but a stopped client's (利用停止).
                let rows = sqlx::query("SELECT seq, body, received_at FROM changes WHERE seq > $1 AND client NOT IN (SELECT client FROM stopped) ORDER BY seq LIMIT $2")
                    .bind(as_i64(since))
                    .bind(i64::from(limit) + 1)
                    .fetch_all(pool)
                    .await?;
                let more = rows.len() > limit as usize;
                let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
                for row in rows.iter().take(limit as usize) {
                    let seq: i64 = row.try_get("seq")?;
                    let body: String = row.try_get("body")?;
                    let change: Change = serde_json::from_str(&body).map_err(|e| DbError::Corrupt(format!("change {seq}: {e}")))?;
                    changes.push(Pulled { seq: u64::try_from(seq).unwrap_or(0), received_at: row.try_get("received_at")?, change });
                }
                let cursor = changes.last().map_or(since, |c| c.seq);
                let head = if more {
                    let head: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM changes").fetch_one(pool).await?;
                    u64::try_from(head).unwrap_or(cursor).max(cursor)
                } else {
                    cursor
                };
                Ok(Page { changes, cursor, more, head, scope: None })
            }
        }
    };
}

log_backend!(sqlite_log, SqlitePool, sqlx::Sqlite);
log_backend!(postgres_log, PgPool, sqlx::Postgres);
