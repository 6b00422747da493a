//! This tab's edits, made durable before the input handler returns: each changed field becomes
//! a change of this tab's writer, written sealed to localStorage at once; what storage refuses
//! waits in memory and is written by the next [`Device::flush`]. And what another tab wrote to
//! localStorage, read in.

use super::Device;
use crate::device::errors::StorageError;
use crate::device::inbox::{self, StorageOutcome};
use crate::storage;
use serde_json::Value;
use yorisoi_domain::audit::Note;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::sync::local::{RefusedChange, Unsent};
use yorisoi_domain::sync::{ChangeId, Entity};

/// What an edit did: each field's change, and whether storage took every waiting write.
#[derive(Debug)]
pub struct Written {
    pub changes: Vec<(String, ChangeId)>,
    pub saved: Result<(), StorageError>,
}

impl Device {
    /// Turns changed fields into changes: outbox and replica, then localStorage. `seen` names
    /// one field and the revisions the person saw of it; every other field replaces what it
    /// shows now.
    pub fn write(
        &self,
        entity: Entity,
        client: ClientId,
        fields: Vec<(String, Value)>,
        seen: Option<(String, Vec<ChangeId>)>,
        now: i64,
    ) -> Written {
        let changes = self
            .with_state(|s| s.write(entity, client, fields, seen, now))
            .unwrap_or_default();
        self.inner
            .unsaved
            .borrow_mut()
            .extend(changes.iter().map(|(_, id)| id.seq));
        Written {
            changes,
            saved: self.flush(),
        }
    }

    /// Queues an access note for the audit log like a change, and stores it. `None`: the state
    /// is not loaded, nothing was queued.
    pub fn note(
        &self,
        entity: Entity,
        client: ClientId,
        note: &Note,
    ) -> Option<Result<(), StorageError>> {
        let seq = self.with_state(|s| s.note(entity, client, note))?;
        self.inner.unsaved.borrow_mut().insert(seq);
        Some(self.flush())
    }

    /// Writes every waiting change to localStorage; keeps the ones storage refuses (the last
    /// refusal is returned). Pre-sync entries are removed only once nothing waits.
    pub fn flush(&self) -> Result<(), StorageError> {
        let waiting: Vec<u64> = self.inner.unsaved.borrow().iter().copied().collect();
        let entries = self
            .with_state(|s| {
                waiting
                    .iter()
                    .map(|seq| (*seq, s.unsent_entry(*seq)))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let mut failure = None;
        for (seq, unsent) in entries {
            match unsent.map_or(Ok(()), |u| storage::save_unsent(&u)) {
                Err(error) => failure = Some(error),
                Ok(()) => {
                    self.inner.unsaved.borrow_mut().remove(&seq);
                }
            }
        }
        if let Some(error) = failure {
            return Err(error);
        }
        let legacy = std::mem::take(&mut *self.inner.legacy.borrow_mut());
        for key in legacy {
            storage::remove(&key);
        }
        Ok(())
    }

    /// Makes this tab's changes so far final and says so in storage, so the syncing tab may
    /// push them (only as far as every one of them is in storage).
    pub fn seal(&self) {
        let first_unsaved = self.inner.unsaved.borrow().first().copied();
        let Some(writer) = self.with_state(|s| s.seal(first_unsaved)) else {
            return;
        };
        let through = writer.sealed_through;
        if through == self.inner.saved_seal.get() {
            return;
        }
        if storage::save_writer(&writer).is_ok() {
            self.inner.saved_seal.set(through);
        }
    }

    /// A `storage` event of an outbox or writer entry from another tab, read in.
    pub fn storage_event(
        &self,
        key: String,
        old: Option<String>,
        new: Option<String>,
    ) -> StorageOutcome {
        let open = |key: &str, text: &str| {
            storage::open_entry::<Unsent>(key, text)
                .ok()
                .map(|(u, _)| u)
        };
        self.with_state(|s| inbox::storage_event(s, key, old, new, open))
            .unwrap_or_default()
    }

    /// A `storage` event of a change another tab kept as refused: the change, if it opens.
    pub fn refused_event(key: &str, new: Option<String>) -> Option<RefusedChange> {
        new.and_then(|text| storage::open_entry::<RefusedChange>(key, &text).ok())
            .map(|(refused, _)| refused)
    }
}
