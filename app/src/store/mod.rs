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

use crate::storage::{SetAside, StorageError};
use crate::vault;
use idb::{Idb, Op};
use std::collections::BTreeMap;
use wasm_bindgen::JsValue;
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::stored;
use yorisoi_domain::sync::Entity;
use yorisoi_domain::sync::local::{Chunk, EntitiesView, Synced};
use yorisoi_domain::sync::protocol::{ClientState, FramedPage};

const CURSOR: &str = "cursor";
const SCOPE: &str = "scope";
const BOOTSTRAP: &str = "bootstrap";
const BOOTSTRAPPED: &str = "bootstrapped";
/// The database instance this device last synced with (see `restore.rs`).
const INSTANCE: &str = "instance";
/// `writer.<id>`: one of this device's writers had a batch acknowledged (see `restore.rs`).
const WRITER_META_PREFIX: &str = "writer.";

/// The meta entry that says `writer` is one of this device's writers.
fn writer_op(writer: DeviceId) -> Op {
    Op::MetaAt {
        key: format!("{WRITER_META_PREFIX}{writer}"),
        value: JsValue::TRUE,
    }
}

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

/// A chunk as stored: sealed under its client's bulk key (see [`crate::vault::seal_bulk`]), with
/// its key as associated data, as bytes.
async fn value_of(key: &str, chunk: &Chunk) -> Result<JsValue, StorageError> {
    let start = crate::clock::precise_now();
    let text = stored::encode_direct(chunk);
    crate::clock::spent("encode", start);
    sealed(key, text.as_bytes()).await
}

/// A chunk's stored text (or, as a bootstrap page brought it, gzipped), sealed under its client's
/// bulk key, as bytes.
async fn sealed(key: &str, text: &[u8]) -> Result<JsValue, StorageError> {
    let client = client_of_key(key)
        .ok_or_else(|| StorageError::Unavailable(format!("a chunk key without a client: {key}")))?;
    let start = crate::clock::precise_now();
    let sealed = vault::seal_bulk(client, key, text)
        .await
        .map_err(|e| StorageError::Unavailable(format!("{e:?}")))?;
    crate::clock::spent("encrypt", start);
    Ok(js_sys::Uint8Array::from(sealed.as_slice()).into())
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/gzip.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn gunzip(bytes: &[u8]) -> Result<JsValue, JsValue>;
}

/// gzip's first two bytes: a chunk as a bootstrap page brought it (a chunk's text is JSON, `{`).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// An opened chunk's text: inflated if it came gzipped.
async fn text_of(plain: Vec<u8>) -> Result<String, String> {
    if plain.starts_with(&GZIP_MAGIC) {
        let start = crate::clock::precise_now();
        let text = gunzip(&plain)
            .await
            .map_err(|e| format!("a gzipped chunk does not inflate: {e:?}"))?
            .as_string()
            .ok_or("a gzipped chunk inflated to no text")?;
        crate::clock::spent("inflate", start);
        Ok(text)
    } else {
        String::from_utf8(plain).map_err(|e| e.to_string())
    }
}

/// A chunk read from its text; a state chunk must be of the client its key names.
fn chunk_from(key: &str, text: &str) -> Result<Chunk, String> {
    let chunk = stored::decode_direct::<Chunk>(text).map_err(|e| e.to_string())?;
    match &chunk {
        Chunk::Entities { client, .. } if Some(*client) != client_of_key(key) => {
            Err(format!("a chunk of client {client} stored under {key}"))
        }
        _ => Ok(chunk),
    }
}

/// A stored value as a chunk (`true`: stored before sealing, as text), or why it cannot be read.
async fn chunk_of(key: &str, value: &JsValue) -> Result<(Chunk, bool), String> {
    if let Some(text) = value.as_string() {
        return chunk_from(key, &text).map(|chunk| (chunk, true));
    }
    let client = client_of_key(key).ok_or_else(|| "a chunk key without a client".to_owned())?;
    let bytes = js_sys::Uint8Array::new(value).to_vec();
    let plain = match vault::open_bulk(client, key, &bytes).await {
        Ok(plain) => plain,
        // Sealed by the first sealing builds (XChaCha20-Poly1305 in WebAssembly).
        Err(_) => vault::open(client, key, &bytes).map_err(|e| format!("{e:?}"))?,
    };
    let text = text_of(plain).await?;
    let start = crate::clock::precise_now();
    let chunk = chunk_from(key, &text);
    crate::clock::spent("decode", start);
    chunk.map(|chunk| (chunk, false))
}

async fn put(key: String, chunk: &Chunk) -> Result<Op, StorageError> {
    Ok(Op::Put {
        value: value_of(&key, chunk).await?,
        key,
    })
}

/// Where one client's chunk of `kind` goes: its profile (the client's own fields) apart.
fn chunk_key(client: ClientId, profile: bool, kind: &str, tag: &str) -> String {
    if profile {
        format!("{client}/p/{tag}")
    } else {
        format!("{client}/{kind}/{tag}")
    }
}

fn is_profile(entity: Entity) -> bool {
    matches!(entity, Entity::Client(_))
}

async fn changes_ops(changes: Vec<Synced>, tag: &str) -> Result<Vec<Op>, StorageError> {
    let mut groups: BTreeMap<(ClientId, bool), Vec<Synced>> = BTreeMap::new();
    for synced in changes {
        let key = (synced.change.client, is_profile(synced.change.entity));
        groups.entry(key).or_default().push(synced);
    }
    let mut ops = Vec::with_capacity(groups.len());
    for ((client, profile), changes) in groups {
        let key = chunk_key(client, profile, "c", tag);
        ops.push(put(key, &Chunk::Changes { changes }).await?);
    }
    Ok(ops)
}

/// Each client's state as its chunks: its profile apart from its records, written from the
/// borrowed state (a bootstrap page is not copied to be stored).
async fn state_ops(clients: &[ClientState], tag: &str) -> Result<Vec<Op>, StorageError> {
    let mut ops = Vec::with_capacity(clients.len() + 1);
    for state in clients {
        let (profile, records): (Vec<_>, Vec<_>) =
            state.entities.iter().partition(|e| is_profile(e.entity));
        for (is_profile, entities) in [(true, profile), (false, records)] {
            if entities.is_empty() {
                continue;
            }
            // A client split over two pages gets a chunk from each: the tag names the page.
            let key = chunk_key(state.client, is_profile, "s", tag);
            let start = crate::clock::precise_now();
            let text = EntitiesView {
                client: state.client,
                entities,
            }
            .encode();
            crate::clock::spent("encode", start);
            ops.push(Op::Put {
                value: sealed(&key, text.as_bytes()).await?,
                key,
            });
        }
    }
    Ok(ops)
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
        let meta: BTreeMap<String, JsValue> = contents.meta.into_iter().collect();
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

    /// Moves the release-before's entries into chunks and empties its store, in one transaction:
    /// a tab closed part-way leaves the old entries, read and migrated again next time.
    pub async fn migrate(&self, legacy: Vec<Synced>) -> Result<(), StorageError> {
        let mut ops = changes_ops(legacy, "m").await?;
        ops.push(Op::ClearLegacy);
        ops.push(Op::Meta {
            key: BOOTSTRAPPED,
            value: JsValue::TRUE,
        });
        self.idb.write(ops).await
    }

    /// A pulled page, with its cursor and the hand-over it finishes, if any.
    pub async fn pulled(
        &self,
        changes: Vec<Synced>,
        cursor: u64,
        scope: Option<u64>,
    ) -> Result<(), StorageError> {
        self.pulled_in(changes, cursor, scope, "").await
    }

    /// [`Self::pulled`], from database `instance`.
    pub async fn pulled_in(
        &self,
        changes: Vec<Synced>,
        cursor: u64,
        scope: Option<u64>,
        instance: &str,
    ) -> Result<(), StorageError> {
        // After a restore the log's numbers start again: a page's tag names the database too,
        // so it never replaces a page pulled from the one before.
        let tag = match instance {
            "" => format!("p{cursor:020}"),
            instance => format!("p{cursor:020}.{instance}"),
        };
        let mut ops = changes_ops(changes, &tag).await?;
        ops.push(Op::Meta {
            key: CURSOR,
            value: JsValue::from_f64(cursor as f64),
        });
        ops.push(Op::Meta {
            key: BOOTSTRAPPED,
            value: JsValue::TRUE,
        });
        if let Some(scope) = scope {
            ops.push(Op::Meta {
                key: SCOPE,
                value: JsValue::from_f64(scope as f64),
            });
        }
        self.idb.write(ops).await
    }

    /// This device's own changes the server acknowledged (writer `writer`, through `through`).
    pub async fn acknowledged(
        &self,
        changes: Vec<Synced>,
        writer: DeviceId,
        through: u64,
    ) -> Result<(), StorageError> {
        let mut ops = changes_ops(changes, &format!("a{writer}.{through:020}")).await?;
        // Which writers are this device's, for a restore of the server (see `restore.rs`).
        ops.push(writer_op(writer));
        self.idb.write(ops).await
    }

    /// One bootstrap page: its chunks, sealed as they came (never parsed here), and where the
    /// bootstrap is after it. The last page also sets the cursor to the smallest base and
    /// finishes the hand-over, in the same transaction: until then the bootstrap is under way and
    /// goes on from `progress` after a reload.
    pub async fn bootstrap_page(
        &self,
        page: &FramedPage,
        progress: &Progress,
        last: bool,
    ) -> Result<(), StorageError> {
        let tag = format!("b{:06}", progress.pages);
        let mut ops = Vec::with_capacity(page.chunks.len() + 4);
        for (chunk, bytes) in page.head.chunks.iter().zip(&page.chunks) {
            // A client split over two pages gets a chunk from each: the tag names the page.
            let key = chunk_key(chunk.client, chunk.profile, "s", &tag);
            ops.push(Op::Put {
                value: sealed(&key, bytes).await?,
                key,
            });
        }
        if last {
            ops.push(Op::DeleteMeta(BOOTSTRAP));
            ops.push(Op::Meta {
                key: BOOTSTRAPPED,
                value: JsValue::TRUE,
            });
            ops.push(Op::Meta {
                key: CURSOR,
                value: JsValue::from_f64(progress.base.unwrap_or(0) as f64),
            });
            if let Some(token) = progress.token {
                ops.push(Op::Meta {
                    key: SCOPE,
                    value: JsValue::from_f64(token as f64),
                });
            }
        } else {
            ops.push(Op::Meta {
                key: BOOTSTRAP,
                value: JsValue::from_str(
                    &serde_json::to_string(progress).expect("progress serializes"),
                ),
            });
        }
        let start = crate::clock::precise_now();
        let written = self.idb.write(ops).await;
        crate::clock::spent("store", start);
        written
    }

    /// Replaces `replaced` (every chunk a snapshot was folded from) by the snapshot, one per
    /// client, in one transaction. Chunks written since the fold was read are not named, so
    /// they stay.
    pub async fn compact(
        &self,
        clients: Vec<ClientState>,
        replaced: Vec<String>,
        tag: &str,
    ) -> Result<(), StorageError> {
        let mut ops: Vec<Op> = replaced.into_iter().map(Op::Delete).collect();
        ops.extend(state_ops(&clients, &format!("k{tag}")).await?);
        self.idb.write(ops).await
    }

    /// One record's history, as fetched: kept for offline use, replacing what was fetched before.
    pub async fn history(
        &self,
        client: ClientId,
        entity: Entity,
        changes: Vec<Synced>,
    ) -> Result<(), StorageError> {
        self.idb
            .write(vec![
                put(format!("{client}/h/{entity}"), &Chunk::Changes { changes }).await?,
            ])
            .await
    }

    /// Deletes everything of `clients` (they left this device's scope) and records hand-over
    /// `token` as finished, in one transaction.
    pub async fn forget(&self, clients: &[ClientId], token: u64) -> Result<(), StorageError> {
        let mut ops: Vec<Op> = clients
            .iter()
            .map(|c| Op::DeletePrefix(prefix(*c)))
            .collect();
        ops.push(Op::Meta {
            key: SCOPE,
            value: JsValue::from_f64(token as f64),
        });
        self.idb.write(ops).await
    }

    /// Deletes everything stored: a wiped device, or another person's start.
    pub async fn clear(&self) -> Result<(), StorageError> {
        self.idb.clear().await
    }
}
