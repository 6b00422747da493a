//! What comes back from the server, stored in order: acknowledged pushes (IndexedDB first, the
//! localStorage entry only once that is written), pulled pages (with their cursor in one
//! transaction), bootstrap pages, clients that left the device's scope, a fetched history.
//! Each returns what it touched; the other tabs are told here, as the storage steps finish.

use super::{Device, Touched};
use crate::device::errors::{SetAside, StorageError};
use crate::device::state::Progress;
use crate::storage;
use crate::tabs;
use std::collections::BTreeSet;
use yorisoi_domain::date::Date;
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::instrument::{RecordKind, Role};
use yorisoi_domain::record::Record;
use yorisoi_domain::sync::fields::{client_from, record_from};
use yorisoi_domain::sync::local::{RefusedChange, Synced};
use yorisoi_domain::sync::protocol::{FramedPage, Pulled, Refused};
use yorisoi_domain::sync::refused::RefusedContext;
use yorisoi_domain::sync::{Change, Entity};

/// A bootstrap page stored: whether it was the last, and the clients it had chunks of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bootstrapped {
    pub last: bool,
    pub clients: BTreeSet<ClientId>,
}

/// Clients' profiles read from the store: the entities they touched, and any chunk that could
/// not be read (left where it is).
#[derive(Debug, Default)]
pub struct ReadIn {
    pub touched: Touched,
    pub set_aside: Vec<SetAside>,
}

impl Device {
    /// The server stored `writer`'s changes up to `through`: they move from the outbox to
    /// synced storage (IndexedDB first; the localStorage entry goes only once that is written,
    /// and its removal tells the other tabs). The server's `refused` changes among them are
    /// kept, with why, before anything is removed. Returns what changed (whatever storage said)
    /// and how many changes were acknowledged.
    pub async fn acknowledged(
        &self,
        writer: DeviceId,
        through: u64,
        refused: &[Refused],
    ) -> (Touched, Result<usize, StorageError>) {
        let acked = self
            .with_state(|s| s.acknowledge(writer, through))
            .unwrap_or_default();
        let mut touched = Touched::default();
        if acked.is_empty() {
            return (touched, Ok(0));
        }
        for refusal in refused {
            if let Some(acked) = acked.iter().find(|a| a.change.id == refusal.id) {
                let kept = RefusedChange {
                    change: acked.change.clone(),
                    refusal: refusal.refusal.clone(),
                    made_at: acked.made_at,
                    context: self.refused_context(&acked.change),
                };
                if let Err(error) = storage::save_refused(&kept) {
                    return (touched, Err(error));
                }
                touched.refused.push(kept);
            }
        }
        // Audit notes went to the server's audit log: they are no data to keep.
        let synced: Vec<Synced> = acked
            .iter()
            .filter(|a| !a.change.is_note())
            .map(|a| Synced {
                change: a.change.clone(),
                received_at: None,
                made_at: a.made_at,
            })
            .collect();
        let stored = match self.store_or_fail() {
            Ok(store) => store.acknowledged(synced, writer, through).await,
            Err(error) => Err(error),
        };
        if let Err(error) = stored {
            return (touched, Err(error));
        }
        for a in &acked {
            storage::remove(&a.key);
        }
        (touched, Ok(acked.len()))
    }

    /// A pulled page: written with its cursor (and the hand-over it finishes, if any) in one
    /// IndexedDB transaction, then told to the other tabs and applied.
    pub async fn pulled(
        &self,
        changes: Vec<Pulled>,
        cursor: u64,
        scope: Option<u64>,
    ) -> Result<Touched, StorageError> {
        let synced = self
            .with_state(|s| s.synced_of(&changes))
            .unwrap_or_default();
        let store = self.store_or_fail()?;
        let instance = self.instance();
        store.pulled_in(synced, cursor, scope, &instance).await?;
        if let Some(scope) = scope {
            self.with_state(|s| s.scope = s.scope.max(scope));
        }
        tabs::post_pulled(&changes, cursor);
        Ok(self.apply_pulled(&changes, cursor))
    }

    /// A page the syncing tab pulled (or this one), applied to the replica.
    pub fn apply_pulled(&self, changes: &[Pulled], cursor: u64) -> Touched {
        let touched = self
            .with_state(|s| s.apply_pulled(changes, cursor))
            .unwrap_or_default();
        Touched::entities(touched)
    }

    /// A bootstrap page: its chunks stored as they came, with where the bootstrap is after it
    /// (the last page also sets the cursor and the hand-over); the other tabs are told which
    /// clients it brought. Every tab then reads them in ([`Self::read_profiles`]).
    pub async fn bootstrapped(
        &self,
        page: &FramedPage,
        progress: &mut Progress,
    ) -> Result<Bootstrapped, StorageError> {
        let head = &page.head;
        progress.base = Some(progress.base.map_or(head.base, |b| b.min(head.base)));
        progress.token = progress.token.or(head.scope);
        progress.received += head.fields;
        progress.after = head.next.clone();
        progress.pages += 1;
        progress.total = progress.total.or(head.total);
        let last = progress.after.is_none();
        let store = self.store_or_fail()?;
        store.bootstrap_page(page, progress, last).await?;
        self.with_state(|s| s.bootstrapped(progress, last));
        let clients: BTreeSet<ClientId> =
            yorisoi_domain::order::set_of(head.chunks.iter().map(|c| c.client));
        tabs::post(&tabs::Message::Stored {
            clients: clients.iter().copied().collect(),
            last,
        });
        Ok(Bootstrapped { last, clients })
    }

    /// Reads the stored profiles of `clients` into the replica (a bootstrap page brought them).
    pub async fn read_profiles(
        &self,
        clients: &BTreeSet<ClientId>,
    ) -> Result<ReadIn, StorageError> {
        let store = self.store_or_fail()?;
        let (chunks, set_aside) = store.load_profiles(clients).await?;
        let touched = self
            .with_state(|s| {
                let mut touched = BTreeSet::new();
                for (_, chunk) in chunks {
                    touched.extend(s.take_chunk(chunk));
                }
                touched
            })
            .unwrap_or_default();
        Ok(ReadIn {
            touched: Touched::entities(touched),
            set_aside,
        })
    }

    /// Deletes everything of `clients` from this device (they left its scope, and what it had
    /// unsent for them was sent), and records hand-over `token` as finished, in one IndexedDB
    /// transaction. The other tabs forget them too.
    pub async fn forget_clients(
        &self,
        clients: &[ClientId],
        token: u64,
    ) -> Result<Touched, StorageError> {
        self.store_or_fail()?.forget(clients, token).await?;
        let touched = self.forgot(clients);
        self.with_state(|s| s.scope = s.scope.max(token));
        tabs::post(&tabs::Message::Forgot {
            clients: clients.to_vec(),
        });
        Ok(touched)
    }

    /// Forgets `clients` in memory (the syncing tab deleted them).
    pub fn forgot(&self, clients: &[ClientId]) -> Touched {
        Touched {
            entities: self.with_state(|s| s.forget(clients)).unwrap_or_default(),
            refused: Vec::new(),
            forgot: clients.to_vec(),
        }
    }

    /// Fetches one record's (or client's) history from the server, keeps it for offline use,
    /// and reads it in: what a bootstrapped device shows when a person opens a history.
    pub async fn fetch_history(&self, entity: Entity) -> Result<Touched, crate::api::ApiError> {
        let answer = crate::api::history(entity).await?;
        let Some(client) = answer
            .changes
            .first()
            .map(|p| p.change.client)
            .or_else(|| self.with_state(|s| s.replica.owner(entity)).flatten())
        else {
            return Ok(Touched::default());
        };
        let synced: Vec<Synced> = answer
            .changes
            .iter()
            .map(|p| Synced {
                change: p.change.clone(),
                received_at: Some(p.received_at),
                made_at: None,
            })
            .collect();
        if let Some(store) = self.store() {
            // Kept for offline use if storage allows; shown either way.
            let _ = store.history(client, entity, synced.clone()).await;
        }
        self.with_state(|s| {
            for one in &synced {
                s.take_synced(one);
            }
        });
        Ok(Touched::entities([entity]))
    }

    /// The client and record `change` was made on, as this device holds them now: kept with a
    /// refused change for the person who made it to recognise it.
    pub(super) fn refused_context(&self, change: &Change) -> Option<RefusedContext> {
        let (client_name, record) = self
            .with_state(|s| {
                let updated = |e: Entity| s.updated.get(&e).copied().unwrap_or(0);
                let client = Entity::Client(change.client);
                let name = client_from(&s.replica, change.client, updated(client)).map(|c| c.name);
                let record = match change.entity {
                    Entity::Record(id) => record_from(&s.replica, id, updated(change.entity)),
                    Entity::Client(_) => None,
                };
                (name, record)
            })
            .unwrap_or_default();
        if client_name.is_none() && record.is_none() {
            return None;
        }
        Some(RefusedContext {
            client_name: client_name.unwrap_or_default(),
            instrument: record.as_ref().map(|r| r.instrument.clone()),
            record_day: record.as_ref().and_then(record_day),
        })
    }
}

/// The day a record is about: the visit, the consent, or else the day it was made.
pub fn record_day(record: &Record) -> Option<Date> {
    let role = match record.kind {
        RecordKind::Assessment => Role::ConsentDate,
        RecordKind::VisitNote => Role::VisitDate,
    };
    crate::instruments::catalogue()
        .get(&record.instrument)
        .and_then(|i| record.date_of(i, role))
        .or_else(|| Date::from_unix_millis(record.created_at, crate::clock::offset_minutes()))
}
