//! What the store keeps for a restore of the server (see `yorisoi_domain::sync::resend`): the
//! database instance the device last synced with (meta `instance`, next to the cursor), every
//! writer this device ever had a change acknowledged under (meta `writer.<id>`, written with the
//! acknowledged batch), and, when a new instance is seen, every own change it still holds.

use super::idb::Op;
use super::{CURSOR, INSTANCE, SCOPE, Store, WRITER_META_PREFIX, client_of_key, kind_of_key};
use crate::storage::{SetAside, StorageError};
use std::collections::{BTreeMap, BTreeSet};
use wasm_bindgen::JsValue;
use yorisoi_domain::ids::DeviceId;
use yorisoi_domain::sync::Change;
use yorisoi_domain::sync::resend::Resend;

/// The writer a chunk of this device's acknowledged changes names (`<client>/c/a<writer>.<n>`,
/// or a profile's `<client>/p/a<writer>.<n>`).
fn writer_of_key(key: &str) -> Option<DeviceId> {
    if !matches!(kind_of_key(key), Some("c" | "p")) {
        return None;
    }
    let tag = key.split('/').nth(2)?.strip_prefix('a')?;
    tag.split('.').next()?.parse().ok()
}

impl Store {
    /// Every writer of this device the store knows of: those it recorded with an acknowledged
    /// batch, and those named by acknowledged chunks stored before it recorded them.
    pub async fn own_writers(&self) -> Result<BTreeSet<DeviceId>, StorageError> {
        let contents = self.idb.load(|_| false).await?;
        let mut writers: BTreeSet<DeviceId> = yorisoi_domain::order::set_of(
            contents
                .meta
                .iter()
                .filter_map(|(key, _)| key.strip_prefix(WRITER_META_PREFIX)?.parse().ok()),
        );
        writers.extend(contents.keys.iter().filter_map(|k| writer_of_key(k)));
        Ok(writers)
    }

    /// Every change of `writers` the store holds numbered above what the server holds of its
    /// writer (`server`), as pushes to make: read from every chunk (a chunk that cannot be read
    /// is listed and left where it is).
    pub async fn own_changes(
        &self,
        writers: &BTreeSet<DeviceId>,
        server: &BTreeMap<DeviceId, u64>,
    ) -> Result<(Vec<(DeviceId, Vec<Change>)>, Vec<SetAside>), StorageError> {
        let contents = self.idb.load(|key| client_of_key(key).is_some()).await?;
        let mut set_aside = Vec::new();
        let chunks = self.open_chunks(contents.chunks, &mut set_aside).await?;
        let mut resend = Resend::new(writers, server);
        for (_, chunk) in &chunks {
            resend.read(chunk);
        }
        Ok((resend.pushes(), set_aside))
    }

    /// The device goes on with database `instance` from the start of its log: the cursor and
    /// the last hand-over back to nothing (the server then sends every client in scope whole),
    /// in one transaction.
    pub async fn restart(&self, instance: &str) -> Result<(), StorageError> {
        self.idb
            .write(vec![
                Op::Meta {
                    key: INSTANCE,
                    value: JsValue::from_str(instance),
                },
                Op::Meta {
                    key: CURSOR,
                    value: JsValue::from_f64(0.0),
                },
                Op::Meta {
                    key: SCOPE,
                    value: JsValue::from_f64(0.0),
                },
            ])
            .await
    }

    /// Records the database instance a device that knew none syncs with.
    pub async fn adopt(&self, instance: &str) -> Result<(), StorageError> {
        self.idb
            .write(vec![Op::Meta {
                key: INSTANCE,
                value: JsValue::from_str(instance),
            }])
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledged_chunk_keys_name_their_writer() {
        let writer = "01a1ee56-5e00-7101-8101-010101010101";
        let client = "01a1ee56-5e00-7303-8303-030303030303";
        let expected: DeviceId = writer.parse().unwrap();
        for key in [
            format!("{client}/c/a{writer}.00000000000000000007"),
            format!("{client}/p/a{writer}.00000000000000000007"),
        ] {
            assert_eq!(writer_of_key(&key), Some(expected), "{key}");
        }
        for key in [
            format!("{client}/c/p00000000000000000007"),
            format!("{client}/s/k{writer}.3"),
            format!("{client}/h/a{writer}"),
        ] {
            assert_eq!(writer_of_key(&key), None, "{key}");
        }
    }
}
