//! IndexedDB, the home of synced changes: the server's log as this device has pulled it, one
//! entry per change, and the pull cursor. A pulled page and its cursor are written in one
//! transaction, so the cursor never runs ahead of the changes it stands for.
//!
//! Only this module touches IndexedDB; it knows nothing of what the entries mean.

use crate::storage::StorageError;
use js_sys::{Array, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction, IdbTransactionMode};

const NAME: &str = "yorisoi";
const VERSION: u32 = 1;
const CHANGES: &str = "changes";
const META: &str = "meta";
const CURSOR: &str = "cursor";
/// The last scope hand-over this device finished (see the server's `db/scope.rs`).
const SCOPE: &str = "scope";

#[derive(Clone, Debug)]
pub struct Idb {
    db: IdbDatabase,
}

/// What was stored: every change entry (as written), the cursor and the last hand-over.
#[derive(Debug, Default)]
pub struct Contents {
    pub changes: Vec<String>,
    pub cursor: u64,
    pub scope: u64,
}

fn error(value: JsValue) -> StorageError {
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

impl Idb {
    /// Opens the database, creating its stores on first use.
    pub async fn open() -> Result<Self, StorageError> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or_else(|| StorageError::Unavailable("IndexedDB is not available".into()))?;
        let request = factory.open_with_u32(NAME, VERSION).map_err(error)?;
        let upgrading = request.clone();
        let on_upgrade = Closure::once_into_js(move || {
            if let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
                let names = db.object_store_names();
                for store in [CHANGES, META] {
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
        Ok(Self { db })
    }

    fn transaction(&self, mode: IdbTransactionMode) -> Result<IdbTransaction, StorageError> {
        let stores = Array::of2(&CHANGES.into(), &META.into());
        self.db
            .transaction_with_str_sequence_and_mode(&stores, mode)
            .map_err(error)
    }

    /// Reads every change entry and the cursor, in one transaction.
    pub async fn load(&self) -> Result<Contents, StorageError> {
        let transaction = self.transaction(IdbTransactionMode::Readonly)?;
        let all = transaction
            .object_store(CHANGES)
            .and_then(|s| s.get_all())
            .map_err(error)?;
        let meta = transaction.object_store(META).map_err(error)?;
        let cursor = meta.get(&CURSOR.into()).map_err(error)?;
        let scope = meta.get(&SCOPE.into()).map_err(error)?;
        let all = finished(&all).await?;
        let cursor = finished(&cursor).await?;
        let scope = finished(&scope).await?;
        let changes = Array::from(&all)
            .iter()
            .filter_map(|v| v.as_string())
            .collect();
        Ok(Contents {
            changes,
            cursor: cursor.as_f64().map_or(0, |c| c as u64),
            scope: scope.as_f64().map_or(0, |c| c as u64),
        })
    }

    /// Writes change entries (key, text), deletes entries by key, and, if given, sets the new
    /// cursor and hand-over, in one transaction: either all of it is stored or none of it.
    pub async fn write(
        &self,
        entries: &[(String, String)],
        deleted: &[String],
        cursor: Option<u64>,
        scope: Option<u64>,
    ) -> Result<(), StorageError> {
        let transaction = self.transaction(IdbTransactionMode::Readwrite)?;
        let changes = transaction.object_store(CHANGES).map_err(error)?;
        for (key, text) in entries {
            changes
                .put_with_key(&JsValue::from_str(text), &JsValue::from_str(key))
                .map_err(error)?;
        }
        for key in deleted {
            changes.delete(&JsValue::from_str(key)).map_err(error)?;
        }
        let meta = transaction.object_store(META).map_err(error)?;
        for (key, value) in [(CURSOR, cursor), (SCOPE, scope)] {
            if let Some(value) = value {
                meta.put_with_key(&JsValue::from_f64(value as f64), &key.into())
                    .map_err(error)?;
            }
        }
        committed(&transaction).await
    }

    /// Deletes every entry and the cursor: a wiped device, or another person's start.
    pub async fn clear(&self) -> Result<(), StorageError> {
        let transaction = self.transaction(IdbTransactionMode::Readwrite)?;
        for store in [CHANGES, META] {
            transaction
                .object_store(store)
                .and_then(|s| s.clear())
                .map_err(error)?;
        }
        committed(&transaction).await
    }
}
