//! IndexedDB, reduced to what the store needs: one database with a `chunks` store (large values
//! by key), a `meta` store (the pull cursor and friends) and, from the release before chunks, the
//! `changes` store (one entry per change) that is read once, migrated and emptied. Every write is
//! one transaction of several operations, issued without awaiting each: either all of it is
//! stored or none of it.
//!
//! Only this module touches IndexedDB; it knows nothing of what the values mean.
//!
//! Every open request and transaction is handed to `js/page_cache.js`: a page going into the
//! browser's back/forward cache aborts what is in flight and closes its connections (WebKit
//! would keep them frozen, and the app opened again would wait on them forever), and loads again
//! when it comes back, so a connection is never opened again behind another page's upgrade.

use crate::storage::StorageError;
use js_sys::{Array, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbKeyRange, IdbRequest, IdbTransaction, IdbTransactionMode};

#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/page_cache.js")]
extern "C" {
    /// An open request or a transaction, given up if the page goes into the cache.
    fn track(work: &JsValue);
}

const NAME: &str = "yorisoi";
/// 1: `changes` and `meta`; 2: `chunks` added.
const VERSION: u32 = 2;
pub const LEGACY: &str = "changes";
pub const META: &str = "meta";
pub const CHUNKS: &str = "chunks";
const STORES: [&str; 3] = [LEGACY, META, CHUNKS];

#[derive(Clone, Debug)]
pub struct Idb {
    db: IdbDatabase,
}

/// One operation of a write.
#[derive(Debug)]
pub enum Op {
    Put {
        key: String,
        value: JsValue,
    },
    Delete(String),
    /// Every chunk whose key starts with the prefix.
    DeletePrefix(String),
    Meta {
        key: &'static str,
        value: JsValue,
    },
    DeleteMeta(&'static str),
    /// A meta value under a key made at run time (one per writer of this device).
    MetaAt {
        key: String,
        value: JsValue,
    },
    /// Empties the release-before's `changes` store.
    ClearLegacy,
}

/// Everything stored, read in one transaction.
#[derive(Debug, Default)]
pub struct Contents {
    /// The chunks asked for, by key order.
    pub chunks: Vec<(String, JsValue)>,
    /// Every chunk's key, by key order.
    pub keys: Vec<String>,
    /// The release-before's entries, one per change.
    pub legacy: Vec<String>,
    /// Every meta value by key.
    pub meta: Vec<(String, JsValue)>,
}

pub fn error(value: JsValue) -> StorageError {
    if let Some(exception) = value.dyn_ref::<web_sys::DomException>()
        && exception.name() == "QuotaExceededError"
    {
        return StorageError::Quota;
    }
    StorageError::Unavailable(value.dyn_ref::<web_sys::DomException>().map_or_else(
        || format!("{value:?}"),
        |e| format!("{}: {}", e.name(), e.message()),
    ))
}

/// Waits for a request; its result, or its error.
async fn finished(request: &IdbRequest) -> Result<JsValue, StorageError> {
    let promise = Promise::new(&mut |resolve, reject| {
        let done = request.clone();
        let on_success = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = request.clone();
        let on_error = Closure::once_into_js(move || {
            let reason = failed
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::from_str("request failed"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &reason);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(error)
}

/// Waits until a transaction is committed (or says why it was not).
async fn committed(transaction: &IdbTransaction) -> Result<(), StorageError> {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let failed = transaction.clone();
        let on_fail = Closure::once_into_js(move || {
            let reason = failed
                .error()
                .map_or(JsValue::from_str("transaction aborted"), JsValue::from);
            let _ = reject.call1(&JsValue::NULL, &reason);
        });
        transaction.set_oncomplete(Some(on_complete.unchecked_ref()));
        transaction.set_onerror(Some(on_fail.unchecked_ref()));
        transaction.set_onabort(Some(on_fail.unchecked_ref()));
    });
    JsFuture::from(promise).await.map(|_| ()).map_err(error)
}

fn keys(a: &Array) -> Vec<String> {
    a.iter()
        .map(|k| k.as_string().unwrap_or_default())
        .collect()
}

/// Every key from the prefix up to the prefix followed by the highest character: the keys that
/// start with it.
fn prefix_range(prefix: &str) -> Result<IdbKeyRange, StorageError> {
    IdbKeyRange::bound(
        &JsValue::from_str(prefix),
        &JsValue::from_str(&format!("{prefix}\u{10FFFF}")),
    )
    .map_err(error)
}

impl Idb {
    /// Opens the database, creating its stores on first use and adding `chunks` to a database
    /// of the release before (whose `changes` stay until they are migrated).
    pub async fn open() -> Result<Self, StorageError> {
        Self::open_version(VERSION).await
    }

    /// Opens the database at an older version: how a test writes the release-before's format.
    pub async fn open_version(version: u32) -> Result<Self, StorageError> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or_else(|| StorageError::Unavailable("IndexedDB is not available".into()))?;
        let request = factory.open_with_u32(NAME, version).map_err(error)?;
        track(&request);
        let upgrading = request.clone();
        let on_upgrade = Closure::once_into_js(move || {
            if let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
                let names = db.object_store_names();
                let wanted: &[&str] = if version >= 2 { &STORES } else { &STORES[..2] };
                for store in wanted {
                    if !names.contains(store) {
                        let _ = db.create_object_store(store);
                    }
                }
            }
        });
        request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
        let db = finished(&request)
            .await?
            .dyn_into::<IdbDatabase>()
            .map_err(error)?;
        // A newer build (another tab) upgrading, or a deletion, waits on open connections:
        // this one steps aside at once (its writes then fail and are retried or reported).
        let closing = db.clone();
        let on_version_change = Closure::<dyn Fn()>::new(move || closing.close());
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        on_version_change.forget();
        Ok(Self { db })
    }

    /// Deletes the whole database (a test starting from another release's layout).
    pub async fn delete() -> Result<(), StorageError> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or_else(|| StorageError::Unavailable("IndexedDB is not available".into()))?;
        let request = factory.delete_database(NAME).map_err(error)?;
        finished(&request).await.map(|_| ())
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: IdbTransactionMode,
    ) -> Result<IdbTransaction, StorageError> {
        let names = Array::new();
        for store in stores {
            names.push(&JsValue::from_str(store));
        }
        let transaction = self
            .db
            .transaction_with_str_sequence_and_mode(&names, mode)
            .map_err(error)?;
        track(&transaction);
        Ok(transaction)
    }

    /// Reads every chunk's key, the chunks whose key `wanted` says, every legacy entry and every
    /// meta value, in one transaction.
    pub async fn load(&self, wanted: impl Fn(&str) -> bool) -> Result<Contents, StorageError> {
        let transaction = self.transaction(&STORES, IdbTransactionMode::Readonly)?;
        let store = |name| transaction.object_store(name).map_err(error);
        let (chunks, legacy, meta) = (store(CHUNKS)?, store(LEGACY)?, store(META)?);
        let requests = [
            chunks.get_all_keys().map_err(error)?,
            legacy.get_all().map_err(error)?,
            meta.get_all_keys().map_err(error)?,
            meta.get_all().map_err(error)?,
        ];
        let mut results = Vec::with_capacity(requests.len());
        for request in &requests {
            results.push(Array::from(&finished(request).await?));
        }
        let all_keys = keys(&results[0]);
        // Issued together, awaited after: the transaction stays open while they run.
        let mut reads = Vec::new();
        for key in all_keys.iter().filter(|k| wanted(k)) {
            reads.push((
                key.clone(),
                chunks.get(&JsValue::from_str(key)).map_err(error)?,
            ));
        }
        let mut values = Vec::with_capacity(reads.len());
        for (key, request) in reads {
            values.push((key, finished(&request).await?));
        }
        Ok(Contents {
            chunks: values,
            keys: all_keys,
            legacy: results[1].iter().filter_map(|v| v.as_string()).collect(),
            meta: keys(&results[2])
                .into_iter()
                .zip(results[3].iter())
                .collect(),
        })
    }

    /// Every chunk whose key starts with `prefix`, by key order.
    pub async fn load_prefix(&self, prefix: &str) -> Result<Vec<(String, JsValue)>, StorageError> {
        let transaction = self.transaction(&[CHUNKS], IdbTransactionMode::Readonly)?;
        let chunks = transaction.object_store(CHUNKS).map_err(error)?;
        let range = prefix_range(prefix)?;
        let keys_request = chunks.get_all_keys_with_key(&range).map_err(error)?;
        let values_request = chunks.get_all_with_key(&range).map_err(error)?;
        let found = keys(&Array::from(&finished(&keys_request).await?));
        let values = Array::from(&finished(&values_request).await?);
        Ok(found.into_iter().zip(values.iter()).collect())
    }

    /// Runs `ops` in one transaction, issued back to back and awaited once.
    pub async fn write(&self, ops: Vec<Op>) -> Result<(), StorageError> {
        if ops.is_empty() {
            return Ok(());
        }
        let transaction = self.transaction(&STORES, IdbTransactionMode::Readwrite)?;
        let chunks = transaction.object_store(CHUNKS).map_err(error)?;
        let meta = transaction.object_store(META).map_err(error)?;
        for op in ops {
            match op {
                Op::Put { key, value } => {
                    chunks
                        .put_with_key(&value, &JsValue::from_str(&key))
                        .map_err(error)?;
                }
                Op::Delete(key) => {
                    chunks.delete(&JsValue::from_str(&key)).map_err(error)?;
                }
                Op::DeletePrefix(prefix) => {
                    chunks
                        .delete(&prefix_range(&prefix)?.into())
                        .map_err(error)?;
                }
                Op::Meta { key, value } => {
                    meta.put_with_key(&value, &key.into()).map_err(error)?;
                }
                Op::DeleteMeta(key) => {
                    meta.delete(&key.into()).map_err(error)?;
                }
                Op::MetaAt { key, value } => {
                    meta.put_with_key(&value, &JsValue::from_str(&key))
                        .map_err(error)?;
                }
                Op::ClearLegacy => {
                    transaction
                        .object_store(LEGACY)
                        .and_then(|s| s.clear())
                        .map_err(error)?;
                }
            }
        }
        committed(&transaction).await
    }

    /// Writes the release-before's entries (key, text) as it did: for the migration's test.
    pub async fn write_legacy(
        &self,
        entries: &[(String, String)],
        cursor: u64,
    ) -> Result<(), StorageError> {
        let transaction = self.transaction(&STORES[..2], IdbTransactionMode::Readwrite)?;
        let changes = transaction.object_store(LEGACY).map_err(error)?;
        for (key, text) in entries {
            changes
                .put_with_key(&JsValue::from_str(text), &JsValue::from_str(key))
                .map_err(error)?;
        }
        transaction
            .object_store(META)
            .and_then(|m| m.put_with_key(&JsValue::from_f64(cursor as f64), &"cursor".into()))
            .map_err(error)?;
        committed(&transaction).await
    }

    /// Deletes everything: a wiped device, or another person's start.
    pub async fn clear(&self) -> Result<(), StorageError> {
        let transaction = self.transaction(&STORES, IdbTransactionMode::Readwrite)?;
        for store in STORES {
            transaction
                .object_store(store)
                .and_then(|s| s.clear())
                .map_err(error)?;
        }
        committed(&transaction).await
    }

    /// Closes the connection (a test reopening at another version).
    pub fn close(&self) {
        self.db.close();
    }
}
