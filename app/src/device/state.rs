//! The replica as this tab holds it: every field's values and every change as history, when
//! each change was made and received, when each entity last changed, where the pull stands.
//! Nothing here touches storage or the page: the device reads chunks and pulled pages into it,
//! and the views are computed from it (see [`super::view`]). Its outbox half is in
//! [`super::outbox`].

use std::collections::{BTreeMap, BTreeSet};
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::sync::local::{Chunk, Synced, Unsent};
use yorisoi_domain::sync::protocol::{ClientState, FieldState, Pulled};
use yorisoi_domain::sync::{Change, ChangeId, Entity, Outbox, Replica};

/// A client whose stored chunks number more than this is folded into one snapshot.
pub const COMPACT_AFTER: usize = 8;

/// When a change was made and received, for the history.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stamp {
    pub received_at: Option<i64>,
    pub made_at: Option<i64>,
}

impl Stamp {
    pub fn time(self) -> Option<i64> {
        self.received_at.or(self.made_at)
    }

    /// Made on this device (or in one of its tabs) at `at`.
    pub fn made(at: i64) -> Self {
        Self {
            received_at: None,
            made_at: Some(at),
        }
    }
}

/// A bootstrap under way: what its pages so far said, and where the next starts.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Progress {
    /// The next page's cursor (`None` before the first page).
    pub after: Option<String>,
    /// The smallest log position of the pages so far: the pull after the bootstrap starts here.
    pub base: Option<u64>,
    /// The hand-over of a coach's clients, from the first page.
    pub token: Option<u64>,
    pub pages: u32,
    /// Fields received so far, and how many the first page said there are.
    #[serde(default)]
    pub received: u64,
    #[serde(default)]
    pub total: Option<u64>,
}

/// Where this device is with its first sync.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// Nothing pulled yet: the first sync bootstraps.
    Fresh,
    /// A bootstrap is under way (a tab closed part-way through it): it goes on from here.
    Bootstrapping(Progress),
    /// Bootstrapped, or pulled from the start: the ordinary pull goes on from the cursor.
    Pulling,
}

/// Everything sync knows on this device, as this tab sees it.
#[derive(Debug)]
pub struct DeviceState {
    pub replica: Replica,
    /// This tab's own unsent changes, numbered by its writer.
    pub outbox: Outbox,
    /// Every other writer's unsent changes as localStorage holds them, with their keys.
    pub others: BTreeMap<ChangeId, (String, Unsent)>,
    /// Each writer's seal: its highest number that is final (see `Writer`).
    pub sealed: BTreeMap<DeviceId, u64>,
    /// This device's id.
    pub device: DeviceId,
    pub stamps: BTreeMap<ChangeId, Stamp>,
    /// When each entity last changed, as this device knows it.
    pub updated: BTreeMap<Entity, i64>,
    pub cursor: u64,
    /// The last scope hand-over this device finished.
    pub scope: u64,
    /// Where this device is with its first sync.
    pub start: Start,
    /// The database instance this device last synced with.
    pub instance: String,
}

impl DeviceState {
    /// A tab's state before anything is read: `writer` numbers its changes.
    pub fn new(writer: DeviceId, device: DeviceId) -> Self {
        Self {
            replica: Replica::default(),
            outbox: Outbox::new(writer, 1, Vec::new()),
            others: BTreeMap::new(),
            sealed: BTreeMap::new(),
            device,
            stamps: BTreeMap::new(),
            updated: BTreeMap::new(),
            cursor: 0,
            scope: 0,
            start: Start::Fresh,
            instance: String::new(),
        }
    }

    /// Every change of this device not yet on the server, whichever tab made it.
    pub fn unsent(&self) -> usize {
        self.outbox.len() + self.others.len()
    }

    pub fn stamp(&mut self, change: &Change, stamp: Stamp) {
        let entry = self.stamps.entry(change.id).or_default();
        entry.received_at = stamp.received_at.or(entry.received_at);
        entry.made_at = stamp.made_at.or(entry.made_at);
        if let Some(time) = entry.time() {
            let updated = self.updated.entry(change.entity).or_insert(time);
            *updated = (*updated).max(time);
        }
    }

    /// When `change` was made, if on this device.
    pub fn made_at(&self, change: &ChangeId) -> Option<i64> {
        self.stamps.get(change).and_then(|t| t.made_at)
    }

    /// Reads one stored (or bootstrapped) chunk into the replica; the entities it touched.
    pub fn take_chunk(&mut self, chunk: Chunk) -> BTreeSet<Entity> {
        match chunk {
            Chunk::State { fields } => self.take_fields(fields),
            Chunk::Changes { changes } => {
                yorisoi_domain::order::set_of(changes.iter().map(|s| self.take_synced(s)))
            }
            Chunk::Entities { client, entities } => {
                self.take_clients(vec![ClientState { client, entities }])
            }
        }
    }

    /// Reads clients' state (a bootstrap page's, a stored chunk's) into the replica; the
    /// entities it touched.
    pub fn take_clients(&mut self, clients: Vec<ClientState>) -> BTreeSet<Entity> {
        let mut touched = BTreeSet::new();
        for state in clients {
            for e in state.entities {
                if e.at > 0 {
                    let updated = self.updated.entry(e.entity).or_insert(e.at);
                    *updated = (*updated).max(e.at);
                }
                touched.insert(e.entity);
                for (field, register) in e.fields {
                    self.replica.load(e.entity, state.client, field, register);
                }
            }
        }
        touched
    }

    pub fn take_fields(&mut self, fields: Vec<FieldState>) -> BTreeSet<Entity> {
        let mut touched = BTreeSet::new();
        for f in fields {
            if f.at > 0 {
                let updated = self.updated.entry(f.entity).or_insert(f.at);
                *updated = (*updated).max(f.at);
            }
            touched.insert(f.entity);
            self.replica.load(f.entity, f.client, f.field, f.register);
        }
        touched
    }

    pub fn take_synced(&mut self, synced: &Synced) -> Entity {
        self.replica.apply(&synced.change);
        self.stamp(
            &synced.change,
            Stamp {
                received_at: synced.received_at,
                made_at: synced.made_at,
            },
        );
        synced.change.entity
    }

    /// A pulled page: applied, stamped with when the server received each change, the cursor
    /// moved on. The entities it touched.
    pub fn apply_pulled(&mut self, changes: &[Pulled], cursor: u64) -> BTreeSet<Entity> {
        for pulled in changes {
            self.replica.apply(&pulled.change);
            self.stamp(
                &pulled.change,
                Stamp {
                    received_at: Some(pulled.received_at),
                    made_at: None,
                },
            );
        }
        self.cursor = self.cursor.max(cursor);
        yorisoi_domain::order::set_of(changes.iter().map(|p| p.change.entity))
    }

    /// What a pulled page is stored as: each change with when it was received and, if it was
    /// made here, when.
    pub fn synced_of(&self, changes: &[Pulled]) -> Vec<Synced> {
        changes
            .iter()
            .map(|p| Synced {
                change: p.change.clone(),
                received_at: Some(p.received_at),
                made_at: self.made_at(&p.change.id),
            })
            .collect()
    }

    /// Forgets `clients` (they left this device's scope); their entities, which the views then
    /// drop.
    pub fn forget(&mut self, clients: &[ClientId]) -> Vec<Entity> {
        let entities: Vec<Entity> = self
            .replica
            .entities()
            .filter(|(_, c)| clients.contains(c))
            .map(|(e, _)| e)
            .collect();
        for client in clients {
            for id in self.replica.forget_client(*client) {
                self.stamps.remove(&id);
            }
        }
        for entity in &entities {
            self.updated.remove(entity);
        }
        entities
    }

    /// Every entity of one client.
    pub fn entities_of(&self, client: ClientId) -> Vec<Entity> {
        self.replica
            .entities()
            .filter(|(_, c)| *c == client)
            .map(|(e, _)| e)
            .collect()
    }

    /// The state of `clients`' fields as the replica holds them: their snapshot, by client.
    pub fn snapshot(&self, clients: &BTreeSet<ClientId>) -> Vec<ClientState> {
        let mut by_client: BTreeMap<ClientId, Vec<FieldState>> = BTreeMap::new();
        for (entity, client, field, register) in self.replica.all_fields() {
            if clients.contains(&client) {
                by_client.entry(client).or_default().push(FieldState {
                    entity,
                    client,
                    field: field.to_owned(),
                    register: register.clone(),
                    at: self.updated.get(&entity).copied().unwrap_or(0),
                });
            }
        }
        by_client
            .into_values()
            .flat_map(ClientState::group)
            .collect()
    }

    /// Takes in what another state read (its replica, stamps and times).
    pub fn absorb(&mut self, other: DeviceState) {
        self.replica.absorb(other.replica);
        for (id, stamp) in other.stamps {
            let entry = self.stamps.entry(id).or_default();
            entry.received_at = entry.received_at.or(stamp.received_at);
            entry.made_at = entry.made_at.or(stamp.made_at);
        }
        for (entity, at) in other.updated {
            let updated = self.updated.entry(entity).or_insert(at);
            *updated = (*updated).max(at);
        }
    }

    /// Reads stored chunks by way of a state of their own, then takes that in. Clients with more
    /// than [`COMPACT_AFTER`] of them get a fold: their snapshot (from these chunks alone, so
    /// nothing unsent is in it) and the keys it replaces.
    pub fn read_chunks(
        &mut self,
        chunks: Vec<(String, Chunk)>,
    ) -> Option<(Vec<ClientState>, Vec<String>)> {
        let mut own = DeviceState::new(self.outbox.device(), self.device);
        let mut keys: BTreeMap<ClientId, Vec<String>> = BTreeMap::new();
        for (key, chunk) in chunks {
            own.take_chunk(chunk);
            if let (Some(client), Some("s" | "c" | "p")) = (
                super::keys::client_of_key(&key),
                super::keys::kind_of_key(&key),
            ) {
                keys.entry(client).or_default().push(key);
            }
        }
        keys.retain(|_, keys| keys.len() > COMPACT_AFTER);
        let fold = (!keys.is_empty()).then(|| {
            let clients = yorisoi_domain::order::set_of(keys.keys().copied());
            (
                own.snapshot(&clients),
                keys.into_values().flatten().collect(),
            )
        });
        self.absorb(own);
        fold
    }

    /// A bootstrap page was stored: where the bootstrap is now (the last page also sets the
    /// cursor and the hand-over).
    pub fn bootstrapped(&mut self, progress: &Progress, last: bool) {
        self.start = if last {
            self.cursor = self.cursor.max(progress.base.unwrap_or(0));
            if let Some(token) = progress.token {
                self.scope = self.scope.max(token);
            }
            Start::Pulling
        } else {
            Start::Bootstrapping(progress.clone())
        };
    }

    /// Whether the next sync bootstraps, and from where: `None` once it pulls.
    pub fn bootstrap_progress(&self) -> Option<Progress> {
        match &self.start {
            Start::Fresh => Some(Progress::default()),
            Start::Bootstrapping(progress) => Some(progress.clone()),
            Start::Pulling => None,
        }
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
