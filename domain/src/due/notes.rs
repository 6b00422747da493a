//! What the due rules read of visit notes: each note's date, mode, phase and next visit, with
//! their conflicts, straight from the replica (a `Record` has already left a field in conflict
//! out, so it cannot say "uncertain").

use super::facts::{ClientFacts, Mode, Note};
use crate::ids::{ClientId, RecordId};
use crate::instrument::{InstrumentRef, RecordKind};
use crate::plan::{Fact, plan_from};
use crate::record::Record;
use crate::sync::fields::ANSWER_PREFIX;
use crate::sync::{Entity, Register, Replica};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// The visit note instrument's id, in every version.
pub const VISIT_NOTE: &str = "visit-note";
/// The questions the due rules read (`sheet.question`), stable across the instrument's versions
/// (a test checks the built-in definition still has them, with these answer kinds).
pub const DATE: &str = "visit.date";
pub const MODE: &str = "visit.mode";
pub const PHASE: &str = "visit.phase";
pub const NEXT_VISIT: &str = "next.next_visit";

/// An answer register's values read as `T`: a date answer's `value`, a single choice's `choice`.
fn answer_fact<T: DeserializeOwned>(register: Option<&Register>) -> Fact<T> {
    let Some(register) = register else {
        return Fact::Unset;
    };
    let read = |v: &serde_json::Value| {
        let inner = v.get("value").or_else(|| v.get("choice"))?;
        T::deserialize(inner).ok()
    };
    let mut values: Vec<T> = register.values().filter_map(|(_, v)| read(v)).collect();
    if register.is_conflict() {
        // One side cleared the answer (or wrote what cannot be read): what the note says is
        // unknown, never just the other side's value.
        if values.len() < register.values().count() {
            values.clear();
        }
        Fact::Conflict(values)
    } else {
        values.pop().map_or(Fact::Unset, Fact::Known)
    }
}

fn first<T: DeserializeOwned>(register: Option<&Register>) -> Option<T> {
    register?.values().find_map(|(_, v)| T::deserialize(v).ok())
}

/// The visit note `id` as the replica holds it; `None` if it is not a visit note (or its kind and
/// instrument have not arrived).
pub fn note_from(replica: &Replica, id: RecordId) -> Option<Note> {
    // One walk over the record's fields (a range of the replica's map), no lookups by name.
    let (mut kind, mut instrument) = (None, None);
    let (mut date, mut mode, mut phase, mut next) = (None, None, None, None);
    for (field, register) in replica.fields_of(Entity::Record(id)) {
        match field {
            "kind" => kind = Some(register),
            "instrument" => instrument = Some(register),
            _ => match field.strip_prefix(ANSWER_PREFIX) {
                Some(DATE) => date = Some(register),
                Some(MODE) => mode = Some(register),
                Some(PHASE) => phase = Some(register),
                Some(NEXT_VISIT) => next = Some(register),
                _ => {}
            },
        }
    }
    let kind: RecordKind = first(kind)?;
    let instrument: InstrumentRef = first(instrument)?;
    (kind == RecordKind::VisitNote && instrument.id == VISIT_NOTE).then(|| Note {
        record: id,
        date: answer_fact(date),
        mode: answer_fact(mode),
        phase: answer_fact(phase),
        next_visit: answer_fact(next),
    })
}

/// A visit note from a `Record` (a record holds no conflicts: a field in conflict is already left
/// out of it, so prefer [`note_from`] wherever the replica is at hand).
pub fn note_of_record(record: &Record) -> Option<Note> {
    if record.kind != RecordKind::VisitNote || record.instrument.id != VISIT_NOTE {
        return None;
    }
    let answer = |key: &str| {
        record
            .answers
            .get(key)
            .and_then(|a| serde_json::to_value(a).ok())
    };
    let fact = |key: &str| -> Fact<serde_json::Value> {
        answer(key)
            .and_then(|v| v.get("value").or_else(|| v.get("choice")).cloned())
            .map_or(Fact::Unset, Fact::Known)
    };
    fn typed<T: DeserializeOwned>(fact: Fact<serde_json::Value>) -> Fact<T> {
        match fact {
            Fact::Known(v) => T::deserialize(v).map_or(Fact::Unset, Fact::Known),
            _ => Fact::Unset,
        }
    }
    Some(Note {
        record: record.id,
        date: typed(fact(DATE)),
        mode: typed::<Mode>(fact(MODE)),
        phase: typed(fact(PHASE)),
        next_visit: typed(fact(NEXT_VISIT)),
    })
}

/// Every client of the replica with its plan and visit notes, in one pass over the entities.
pub fn facts_from(replica: &Replica) -> Vec<ClientFacts> {
    let mut notes: BTreeMap<ClientId, Vec<Note>> = BTreeMap::new();
    for (entity, client) in replica.entities() {
        if let Entity::Record(id) = entity
            && let Some(note) = note_from(replica, id)
        {
            notes.entry(client).or_default().push(note);
        }
    }
    replica
        .clients()
        .into_iter()
        .map(|client| ClientFacts {
            client,
            plan: plan_from(replica, client),
            notes: notes.remove(&client).unwrap_or_default(),
        })
        .collect()
}
