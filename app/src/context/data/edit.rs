//! A person's edits, written durably before the handler returns: each changed field becomes a
//! change of this tab's writer ([`crate::device::outbox`]), sealed into localStorage at once;
//! what storage refuses waits in memory and is retried every few seconds.

use super::{Db, FailKind, SaveState};
use crate::device::errors::StorageError;
use leptos::prelude::*;
use serde_json::Value;
use yorisoi_domain::answer::Answer;
use yorisoi_domain::audit::{Action, Note};
use yorisoi_domain::ids::{ClientId, RecordId};
use yorisoi_domain::record::{Client, Record};
use yorisoi_domain::sync::fields::ANSWER_PREFIX;
use yorisoi_domain::sync::fields::{changed_fields, client_fields, record_fields};
use yorisoi_domain::sync::{ChangeId, Entity};

impl Db {
    pub fn put_client(self, client: Client) {
        let old = self
            .clients
            .with_untracked(|c| c.get(&client.id).map(client_fields));
        let changed = changed_fields(&old.unwrap_or_default(), &client_fields(&client));
        self.write(Entity::Client(client.id), client.id, changed);
    }

    pub fn put_record(self, record: Record) {
        self.put_record_seen(record, None);
    }

    fn put_record_seen(
        self,
        record: Record,
        seen: Option<(String, Vec<ChangeId>)>,
    ) -> Vec<(String, ChangeId)> {
        let old = self
            .records
            .with_untracked(|r| r.get(&record.id).map(record_fields));
        let changed = changed_fields(&old.unwrap_or_default(), &record_fields(&record));
        self.write_seen(Entity::Record(record.id), record.client, changed, seen)
    }

    pub fn update_client(self, id: ClientId, change: impl FnOnce(&mut Client)) {
        if let Some(mut client) = self.clients.with_untracked(|c| c.get(&id).cloned()) {
            change(&mut client);
            self.put_client(client);
        }
    }

    pub fn update_record(self, id: RecordId, change: impl FnOnce(&mut Record)) {
        if let Some(mut record) = self.records.with_untracked(|r| r.get(&id).cloned()) {
            change(&mut record);
            self.put_record(record);
        }
    }

    pub fn set_answer(self, id: RecordId, field: &str, answer: Option<Answer>) {
        self.set_answer_seen(id, field, answer, None);
    }

    /// Sets an answer as a person typed it over `seen`, the revisions their input showed
    /// (`None`: what the answer is now). Returns the change that now holds their value, if the
    /// answer changed: what the input shows from then on.
    pub fn set_answer_seen(
        self,
        id: RecordId,
        field: &str,
        answer: Option<Answer>,
        seen: Option<Vec<ChangeId>>,
    ) -> Option<ChangeId> {
        let now = crate::clock::now_ms();
        let mut record = self.records.with_untracked(|r| r.get(&id).cloned())?;
        record.set_answer(field, answer, now);
        let key = format!("{ANSWER_PREFIX}{field}");
        let written = self.put_record_seen(record, seen.map(|seen| (key.clone(), seen)));
        written
            .into_iter()
            .find_map(|(field, id)| (field == key).then_some(id))
    }

    /// The changes an answer's value comes from now, not tracked: what an input showing it saw.
    pub fn answer_revisions(self, id: RecordId, field: &str) -> Vec<ChangeId> {
        let key = format!("{ANSWER_PREFIX}{field}");
        self.with_state(|s| s.replica.revisions(Entity::Record(id), &key))
            .unwrap_or_default()
    }

    /// Resolves a field in conflict (or edits any field) with one value that replaces every
    /// value the person saw: the resolution is an ordinary change and syncs like one.
    pub fn resolve(self, entity: Entity, field: &str, value: Value) {
        let Some(client) = self.with_state(|s| s.replica.owner(entity)).flatten() else {
            return;
        };
        self.write(entity, client, vec![(field.to_owned(), value)]);
    }

    pub(super) fn write(self, entity: Entity, client: ClientId, fields: Vec<(String, Value)>) {
        self.write_seen(entity, client, fields, None);
    }

    /// Turns changed fields into changes: outbox, replica, localStorage (the engine's
    /// [`Device::write`](crate::device::engine::Device::write)), then the pages. `seen` names one
    /// field and the revisions the person saw of it; every other field replaces what it shows
    /// now. Returns each field's change.
    fn write_seen(
        self,
        entity: Entity,
        client: ClientId,
        fields: Vec<(String, Value)>,
        seen: Option<(String, Vec<ChangeId>)>,
    ) -> Vec<(String, ChangeId)> {
        if fields.is_empty() {
            return Vec::new();
        }
        let now = crate::clock::now_ms();
        let written = self.engine().write(entity, client, fields, seen, now);
        self.saved(written.saved);
        self.rebuild(&[entity]);
        self.set.unsent.set(self.outbox_len());
        self.edits.update(|n| *n += 1);
        written.changes
    }

    /// Records an access for the audit log (a record opened, printed or exported; client mode
    /// started or ended), with this device's time: queued in the outbox like a change, sealed
    /// and stored at once, sent with the next push (offline, whenever the device is next online).
    /// It is applied to nothing: the server writes it to its audit log, never to the data.
    pub fn note(self, entity: Entity, client: ClientId, action: Action, detail: &[&str]) {
        let now = crate::clock::now_ms();
        let note = Note {
            action,
            at: now,
            detail: detail.iter().map(|d| (*d).to_owned()).collect(),
        };
        if let Some(saved) = self.engine().note(entity, client, &note) {
            self.saved(saved);
            self.set.unsent.set(self.outbox_len());
            self.edits.update(|n| *n += 1);
        }
    }

    /// Writes every waiting change to localStorage; keeps the ones storage refuses. Pre-sync
    /// entries are removed only once nothing waits.
    pub(super) fn flush(self) {
        self.saved(self.engine().flush());
    }

    /// What storage said of the last writes, as the save state pages show.
    fn saved(self, saved: Result<(), StorageError>) {
        self.set.save_state.set(match saved {
            Ok(()) => SaveState::Saved,
            Err(error) => SaveState::Failed(FailKind::from(&error)),
        });
    }
}

impl Db {
    /// The instrument versions this device's records use: a device never drops one of them
    /// (`crate::instruments::merge`).
    pub fn instruments_used(
        self,
    ) -> std::collections::BTreeSet<yorisoi_domain::instrument::InstrumentRef> {
        self.engine().instruments_used()
    }
}

impl Db {
    /// Writes every field of record `id` again as it is now, each a new change replacing what
    /// it shows: after the server set aside its changes (a new record under a retired version),
    /// moving the draft sends the whole record again, under its new version.
    pub fn write_record_again(self, id: RecordId) {
        if let Some(record) = self.records.with_untracked(|r| r.get(&id).cloned()) {
            self.write(Entity::Record(id), record.client, record_fields(&record));
        }
    }

    /// Whether the server set aside any change of `entity` that this device made.
    pub fn has_refused(self, entity: Entity) -> bool {
        self.refused
            .with_untracked(|all| all.values().any(|r| r.change.entity == entity))
    }
}
