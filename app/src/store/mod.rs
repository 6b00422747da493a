//! The device's store of what came from the server, without any of the app's views in it: a
//! few large values instead of one entry per change, because a browser's storage write costs
//! about the same whatever its size (see `../shared/domain/SYNC_SPEED.md`).
//!
//! Every value is a [`Chunk`] of one client: the state of some of its fields (a bootstrap page's
//! share, or its pulled changes folded into a snapshot) or changes the server has (a pulled
//! page's share, this device's own once acknowledged, a history fetched on demand). Keys start
//! with the client, so everything of one client is one key range (a client leaving the
//! device's scope is one range delete), and say what the chunk is:
//!
//! | key | chunk |
//! |---|---|
//! | `<client>/s/b<page>` | state, from bootstrap page `<page>` |
//! | `<client>/s/k<tag>` | state, a snapshot folded on this device |
//! | `<client>/c/p<cursor>` | changes, the pulled page that ends at `<cursor>` |
//! | `<client>/c/a<writer>.<through>` | changes, this device's own, acknowledged |
//! | `<client>/c/m` | changes, migrated from the release before chunks |
//! | `<client>/h/<entity>` | changes, one record's history fetched from the server |
//! | `<client>/p/<tag>` | the client's own fields (its profile), state or changes, any tag above |
//!
//! A client's profile is kept apart from its records so that the app can start from the
//! profiles alone (the client list) and read each client's records in the background after.
//!
//! Reading a chunk of either kind into a replica is idempotent and commutative (a register
//! merges a snapshot of itself, see [`yorisoi_domain::sync::Register::merge`]), so the order
//! chunks are read in never matters, and a chunk read twice changes nothing.
//!
//! Every value is sealed under its client's key with its own key as associated data (see
//! [`crate::vault`]); a value stored as text (before sealing) is read and sealed in place.
//!
//! Meta values: `cursor` (where the next pull starts), `scope` (the last hand-over finished),
//! `bootstrap` (a bootstrap under way: where its next page starts), `bootstrapped` (this
//! device started from a bootstrap or from a pull; it never bootstraps again), `instance` (the
//! server database it last synced with) and `writer.<id>` (each writer of this device that had
//! a batch acknowledged): see `restore.rs`.

pub mod idb;
mod restore;
mod seal;
mod write;

use crate::storage::{SetAside, StorageError};
use idb::Idb;
use seal::{chunk_of, put};
use std::collections::BTreeMap;
use wasm_bindgen::JsValue;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::stored;
use yorisoi_domain::sync::local::{Chunk, Synced};

const CURSOR: &str = "cursor";
const SCOPE: &str = "scope";
const BOOTSTRAP: &str = "bootstrap";
const BOOTSTRAPPED: &str = "bootstrapped";
/// The database instance this device last synced with (see `restore.rs`).
const INSTANCE: &str = "instance";
/// `writer.<id>`: one of this device's writers had a batch acknowledged (see `restore.rs`).
const WRITER_META_PREFIX: &str = "writer.";

pub use crate::device::state::{Progress, Start};

/// Everything stored, read at start.
#[derive(Debug)]
pub struct Loaded {
    /// The chunks of every client's profile.
    pub chunks: Vec<(String, Chunk)>,
    /// Clients whose other chunks are still to be read, with how many there are.
    pub waiting: BTreeMap<ClientId, usize>,
    /// The release-before's entries, one change each: to migrate (see [`Store::migrate`]).
    pub legacy: Vec<Synced>,
    pub set_aside: Vec<SetAside>,
    pub cursor: u64,
    pub scope: u64,
    pub start: Start,
    /// The database instance this device last synced with (empty: none known yet).
    pub instance: String,
}

pub use crate::device::keys::{client_of_key, kind_of_key};

fn prefix(client: ClientId) -> String {
    format!("{client}/")
}

/// Whether a chunk key holds a client's profile.
pub fn is_profile_key(key: &str) -> bool {
    kind_of_key(key) == Some("p")
}

fn number(value: &JsValue) -> u64 {
    value.as_f64().map_or(0, |n| n as u64)
}

#[derive(Clone, Debug)]
pub struct Store {
    idb: Idb,
}

impl Store {
    pub async fn open() -> Result<Self, StorageError> {
        Ok(Self {
            idb: Idb::open().await?,
        })
    }

    /// Reads what the app starts from, in one transaction: every chunk's key, the meta values,
    /// the release-before's entries, and the chunks of clients' profiles. A client's other
    /// chunks are read by [`Self::load_client`]. A chunk that cannot be read is listed and left
    /// where it is; everything else loads.
    pub async fn load(&self) -> Result<Loaded, StorageError> {
        let contents = self.idb.load(is_profile_key).await?;
        let mut set_aside = Vec::new();
        let chunks = self.open_chunks(contents.chunks, &mut set_aside).await?;
        let mut legacy = Vec::with_capacity(contents.legacy.len());
        for (n, text) in contents.legacy.iter().enumerate() {
            match stored::decode::<Synced>(text) {
                Ok(synced) => legacy.push(synced),
                Err(error) => set_aside.push(SetAside {
                    key: format!("IndexedDB changes #{n}"),
                    reason: error.to_string(),
                }),
            }
        }
        let meta: BTreeMap<String, JsValue> = yorisoi_domain::order::map_of(contents.meta);
        let cursor = meta.get(CURSOR).map_or(0, number);
        let progress = meta
            .get(BOOTSTRAP)
            .and_then(JsValue::as_string)
            .and_then(|text| serde_json::from_str::<Progress>(&text).ok());
        let bootstrapped = meta.get(BOOTSTRAPPED).is_some_and(JsValue::is_truthy);
        let start = match progress {
            Some(progress) => Start::Bootstrapping(progress),
            // A device of the release before bootstraps only if it never pulled.
            None if bootstrapped || cursor > 0 => Start::Pulling,
            None => Start::Fresh,
        };
        let mut waiting: BTreeMap<ClientId, usize> = BTreeMap::new();
        for key in &contents.keys {
            if !is_profile_key(key)
                && let Some(client) = client_of_key(key)
            {
                *waiting.entry(client).or_default() += 1;
            }
        }
        Ok(Loaded {
            chunks,
            legacy,
            set_aside,
            cursor,
            scope: meta.get(SCOPE).map_or(0, number),
            start,
            waiting,
            instance: meta
                .get(INSTANCE)
                .and_then(JsValue::as_string)
                .unwrap_or_default(),
        })
    }

    /// Every chunk of one client but its profile.
    pub async fn load_client(
        &self,
        client: ClientId,
    ) -> Result<(Vec<(String, Chunk)>, Vec<SetAside>), StorageError> {
        let values = self.idb.load_prefix(&prefix(client)).await?;
        let values = values
            .into_iter()
            .filter(|(key, _)| !is_profile_key(key))
            .collect();
        let mut set_aside = Vec::new();
        let chunks = self.open_chunks(values, &mut set_aside).await?;
        Ok((chunks, set_aside))
    }

    /// How many state and changes chunks each client has (its profile's included; fetched
    /// histories not), from the keys alone.
    pub async fn chunk_counts(&self) -> Result<BTreeMap<ClientId, usize>, StorageError> {
        let contents = self.idb.load(|_| false).await?;
        let mut counts = BTreeMap::new();
        for key in &contents.keys {
            if let (Some(client), Some("s" | "c" | "p")) = (client_of_key(key), kind_of_key(key)) {
                *counts.entry(client).or_default() += 1;
            }
        }
        Ok(counts)
    }

    /// The profile chunks of `clients` (a bootstrap page stored them).
    pub async fn load_profiles(
        &self,
        clients: &std::collections::BTreeSet<ClientId>,
    ) -> Result<(Vec<(String, Chunk)>, Vec<SetAside>), StorageError> {
        let mut values = Vec::new();
        for client in clients {
            values.extend(self.idb.load_prefix(&format!("{client}/p/")).await?);
        }
        let mut set_aside = Vec::new();
        let chunks = self.open_chunks(values, &mut set_aside).await?;
        Ok((chunks, set_aside))
    }

    /// Opens stored values; seals in place any stored before sealing; lists what cannot be read.
    async fn open_chunks(
        &self,
        values: Vec<(String, JsValue)>,
        set_aside: &mut Vec<SetAside>,
    ) -> Result<Vec<(String, Chunk)>, StorageError> {
        let mut chunks = Vec::with_capacity(values.len());
        let mut reseal = Vec::new();
        for (key, value) in values {
            match chunk_of(&key, &value).await {
                Ok((chunk, plain)) => {
                    if plain {
                        reseal.push(put(key.clone(), &chunk).await?);
                    }
                    chunks.push((key, chunk));
                }
                Err(reason) => set_aside.push(SetAside {
                    key: format!("IndexedDB {key}"),
                    reason,
                }),
            }
        }
        // Chunks stored before sealing are sealed in place.
        self.idb.write(reseal).await?;
        Ok(chunks)
    }

    /// Deletes everything stored: a wiped device, or another person's start.
    pub async fn clear(&self) -> Result<(), StorageError> {
        self.idb.clear().await
    }
}
