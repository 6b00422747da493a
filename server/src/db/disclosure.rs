//! The disclosure (開示) of everything held about one client. The SQL is written once for both
//! backends (see the macro at the end).

use super::audit::AuditQuery;
use super::database::{Backend, Db, DbError};
use sqlx::Row;
use std::collections::BTreeMap;
use yorisoi_domain::accounts::Decision;
use yorisoi_domain::ids::{ClientId, PersonId};
use yorisoi_domain::privacy::{DISCLOSURE_FORMAT, Disclosure};
use yorisoi_domain::sync::fields::{client_from, record_from};
use yorisoi_domain::sync::protocol::Pulled;
use yorisoi_domain::sync::quarantine::SetAside;
use yorisoi_domain::sync::{Change, Entity, Replica};

impl Db {
    /// Everything held about one client (開示): its changes replayed into the profile, the
    /// records, the follow-up plan and the monthly reports, every change, what was set aside,
    /// coaches, the stop, and its audit entries.
    pub async fn disclosure(&self, client: ClientId, now: i64) -> Result<Disclosure, DbError> {
        let (history, set_aside, coaches) = match &self.backend {
            Backend::Sqlite(pool) => sqlite_disclosure::held_about(pool, client).await,
            Backend::Postgres(pool) => postgres_disclosure::held_about(pool, client).await,
        }?;
        let mut replica = Replica::default();
        let mut updated: BTreeMap<Entity, i64> = BTreeMap::new();
        for pulled in &history {
            replica.apply(&pulled.change);
            let at = updated
                .entry(pulled.change.entity)
                .or_insert(pulled.received_at);
            *at = (*at).max(pulled.received_at);
        }
        let profile = client_from(
            &replica,
            client,
            updated.get(&Entity::Client(client)).copied().unwrap_or(0),
        );
        let records = updated
            .iter()
            .filter_map(|(entity, at)| match entity {
                Entity::Record(id) => record_from(&replica, *id, *at),
                Entity::Client(_) => None,
            })
            .collect();
        let mut audit = self
            .audit_entries(&AuditQuery {
                client: Some(client),
                limit: u32::MAX,
                ..Default::default()
            })
            .await?;
        audit.reverse();
        let (plan, reports) = yorisoi_domain::report::held::held(&replica, client);
        Ok(Disclosure {
            format: DISCLOSURE_FORMAT,
            client,
            made_at: now,
            profile,
            records,
            history,
            set_aside,
            coaches,
            stopped: self.stopped_client(client).await?,
            audit,
            plan,
            reports,
        })
    }
}

macro_rules! disclosure_backend {
    ($module:ident, $pool:ty, $row:ty) => {
        mod $module {
            use super::*;

            /// A client's every change (oldest first), its changes set aside, its coaches.
            pub async fn held_about(pool: &$pool, client: ClientId) -> Result<(Vec<Pulled>, Vec<SetAside>, Vec<PersonId>), DbError> {
                let id = client.to_string();
                let rows: Vec<$row> = sqlx::query("SELECT seq, body, received_at FROM changes WHERE client = $1 ORDER BY seq")
                    .bind(&id)
                    .fetch_all(pool)
                    .await?;
                let mut history = Vec::with_capacity(rows.len());
                for row in &rows {
                    let seq: i64 = row.try_get("seq")?;
                    let change: Change = serde_json::from_str(&row.try_get::<String, _>("body")?)
                        .map_err(|e| DbError::Corrupt(format!("change {seq}: {e}")))?;
                    history.push(Pulled { seq: u64::try_from(seq).unwrap_or(0), received_at: row.try_get("received_at")?, change });
                }
                let rows: Vec<$row> = sqlx::query("SELECT id, body, refusal, received_at, decision FROM quarantine WHERE client = $1 ORDER BY id")
                    .bind(&id)
                    .fetch_all(pool)
                    .await?;
                let mut set_aside = Vec::with_capacity(rows.len());
                for row in &rows {
                    let n: i64 = row.try_get("id")?;
                    let corrupt = |e: serde_json::Error| DbError::Corrupt(format!("set-aside change {n}: {e}"));
                    let decision: Option<String> = row.try_get("decision")?;
                    set_aside.push(SetAside {
                        id: n,
                        change: serde_json::from_str(&row.try_get::<String, _>("body")?).map_err(corrupt)?,
                        refusal: serde_json::from_str(&row.try_get::<String, _>("refusal")?).map_err(corrupt)?,
                        received_at: row.try_get("received_at")?,
                        decision: match decision.as_deref() {
                            Some("accepted") => Some(Decision::Accepted),
                            Some(_) => Some(Decision::Discarded),
                            None => None,
                        },
                    });
                }
                let coaches: Vec<String> = sqlx::query_scalar("SELECT person FROM assignments WHERE client = $1 ORDER BY person")
                    .bind(&id)
                    .fetch_all(pool)
                    .await?;
                let coaches = coaches
                    .iter()
                    .map(|p| p.parse().map_err(|_| DbError::Corrupt(format!("an assignment's person {p}"))))
                    .collect::<Result<_, _>>()?;
                Ok((history, set_aside, coaches))
            }
        }
    };
}

disclosure_backend!(sqlite_disclosure, sqlx::SqlitePool, sqlx::sqlite::SqliteRow);
disclosure_backend!(postgres_disclosure, sqlx::PgPool, sqlx::postgres::PgRow);
