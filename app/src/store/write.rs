//! What the store writes: pulled pages, acknowledged changes, bootstrap pages, snapshots, fetched
//! histories, the release-before's entries migrated, and clients forgotten; each in one
//! transaction with the meta values it moves.

use super::idb::Op;
use super::seal::{put, sealed};
use super::{BOOTSTRAP, BOOTSTRAPPED, CURSOR, Progress, SCOPE, Store, WRITER_META_PREFIX, prefix};
use crate::storage::StorageError;
use std::collections::BTreeMap;
use wasm_bindgen::JsValue;
use yorisoi_domain::ids::{ClientId, DeviceId};
use yorisoi_domain::sync::Entity;
use yorisoi_domain::sync::local::{Chunk, EntitiesView, Synced};
use yorisoi_domain::sync::protocol::{ClientState, FramedPage};

/// The meta entry that says `writer` is one of this device's writers.
fn writer_op(writer: DeviceId) -> Op {
    Op::MetaAt {
        key: format!("{WRITER_META_PREFIX}{writer}"),
        value: JsValue::TRUE,
    }
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

impl Store {
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
}
