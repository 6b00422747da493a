//! The audit log: who did what, to whose data, when. An entry holds ids and an action, never a
//! field's value, so it can be kept after a client is erased and shown to whoever audits.
//!
//! Entries are hash-chained: each entry's hash covers its own content and the hash of the entry
//! before it, so an entry altered, removed or put out of order breaks the chain at that place,
//! and [`verify`] says where. The chain starts from [`GENESIS`].

use crate::ids::{ClientId, DeviceId, PersonId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash the first entry's `prev` names.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened. Stored and sent as its snake_case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    SignIn,
    SignInFailed,
    LockedOut,
    SignOut,
    /// A person's account made (their id and role in the detail).
    PersonAdded,
    /// A person's account changed other than in role: disabled, enabled, renamed, a password.
    AccountChanged,
    Enrolled,
    DeviceRevoked,
    DeviceRetired,
    RoleChanged,
    AssignmentChanged,
    ConsentChanged,
    QuarantineDecided,
    UseStopped,
    Erased,
    Exported,
    Printed,
    /// A client's data sent to a device (a pull or bootstrap page that held it).
    Delivered,
    /// Recorded on a device: a record opened, client mode started or ended.
    RecordOpened,
    ClientModeStarted,
    ClientModeEnded,
    /// A change set aside shown whole, its value with it (the id in the detail).
    SetAsideViewed,
    /// An instrument definition uploaded as a draft (id, edition, version in the detail).
    InstrumentUploaded,
    /// An instrument version published (id, edition, version and its content hash).
    InstrumentPublished,
    /// An instrument version retired: no new records, old ones still open.
    InstrumentRetired,
    /// A draft definition discarded before it was published.
    InstrumentDiscarded,
    /// Recorded on a device: a draft record moved to a newer version of its form (the versions
    /// in the detail), by its person's explicit choice.
    RecordVersionMoved,
    /// A monthly 支援レポート marked as shared, or the mark cleared (written by the server when
    /// it stores a change of the mark's merged value; the month, who it was shared with, and
    /// `cleared` if so, in the detail). Never taken from a device's note.
    ReportShared,
    /// A part of a client's follow-up plan changed (written by the server when it stores the
    /// change; the part in the detail).
    PlanChanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign_in",
            Action::SignInFailed => "sign_in_failed",
            Action::LockedOut => "locked_out",
            Action::SignOut => "sign_out",
            Action::PersonAdded => "person_added",
            Action::AccountChanged => "account_changed",
            Action::Enrolled => "enrolled",
            Action::DeviceRevoked => "device_revoked",
            Action::DeviceRetired => "device_retired",
            Action::RoleChanged => "role_changed",
            Action::AssignmentChanged => "assignment_changed",
            Action::ConsentChanged => "consent_changed",
            Action::QuarantineDecided => "quarantine_decided",
            Action::UseStopped => "use_stopped",
            Action::Erased => "erased",
            Action::Exported => "exported",
            Action::Printed => "printed",
            Action::Delivered => "delivered",
            Action::RecordOpened => "record_opened",
            Action::ClientModeStarted => "client_mode_started",
            Action::ClientModeEnded => "client_mode_ended",
            Action::SetAsideViewed => "set_aside_viewed",
            Action::InstrumentUploaded => "instrument_uploaded",
            Action::InstrumentPublished => "instrument_published",
            Action::InstrumentRetired => "instrument_retired",
            Action::InstrumentDiscarded => "instrument_discarded",
            Action::RecordVersionMoved => "record_version_moved",
            Action::ReportShared => "report_shared",
            Action::PlanChanged => "plan_changed",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// What an entry says, before it has a place in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub action: Action,
    /// Who did it (none: a failed sign-in of an unknown login).
    pub person: Option<PersonId>,
    pub device: Option<DeviceId>,
    /// Whose data it concerns.
    pub client: Option<ClientId>,
    /// Which record or client entry (`record:<id>`, `client:<id>`), if one.
    pub entity: Option<String>,
    /// When the device says it happened (milliseconds), for what a device recorded offline.
    pub device_at: Option<i64>,
    /// Ids and short codes only (a role's name, the clients a page delivered), never a value.
    pub detail: Vec<String>,
}

impl Event {
    pub fn new(action: Action) -> Self {
        Self {
            action,
            person: None,
            device: None,
            client: None,
            entity: None,
            device_at: None,
            detail: Vec::new(),
        }
    }
}

/// One entry of the log: an event at its place (`seq`, from 1), when the server wrote it, and
/// its chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    /// When the server wrote it (milliseconds, the server's clock).
    pub at: i64,
    #[serde(flatten)]
    pub event: Event,
    /// The hash of the entry before (hex), or [`GENESIS`].
    pub prev: String,
    /// This entry's hash (hex): SHA-256 over `prev` and its content.
    pub hash: String,
}

impl Entry {
    /// The entry after one whose hash is `prev`, at `seq`, written at `at`.
    pub fn chained(seq: u64, at: i64, event: Event, prev: &str) -> Self {
        let hash = hash_of(seq, at, &event, prev);
        Self {
            seq,
            at,
            event,
            prev: prev.to_owned(),
            hash,
        }
    }
}

/// The hash of an entry's content and the hash before it: SHA-256 over a fixed JSON form.
pub fn hash_of(seq: u64, at: i64, event: &Event, prev: &str) -> String {
    let content = serde_json::to_vec(&(prev, seq, at, event)).expect("events serialize");
    Sha256::digest(&content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where a chain is broken, and how.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Break {
    #[error("entry {expected} is missing (the next one is {found})")]
    Missing { expected: u64, found: u64 },
    #[error(
        "entry {0} does not follow the entry before it (an entry before it was changed or removed)"
    )]
    Unlinked(u64),
    #[error("entry {0} was changed after it was written")]
    Altered(u64),
    #[error("the log ends at entry {found}, but {expected} entries were written")]
    Truncated { expected: u64, found: u64 },
}

/// Checks a whole log, oldest first: every entry in place, linked to the one before, and
/// unchanged; and, when the number of entries written is known apart (`written`), none missing
/// at the end.
pub fn verify(entries: &[Entry], written: Option<u64>) -> Result<(), Break> {
    let mut verifier = Verifier::new();
    for entry in entries {
        verifier.next(entry)?;
    }
    verifier.finish(written)
}

/// Checks a log entry by entry, oldest first, without holding it all in memory: what
/// [`verify`] does for a whole slice.
#[derive(Clone, Debug)]
pub struct Verifier {
    prev: String,
    count: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Verifier {
    pub fn new() -> Self {
        Self {
            prev: GENESIS.to_owned(),
            count: 0,
        }
    }

    /// Checks the next entry: in place, linked to the one before, unchanged.
    pub fn next(&mut self, entry: &Entry) -> Result<(), Break> {
        let expected = self.count + 1;
        if entry.seq != expected {
            return Err(Break::Missing {
                expected,
                found: entry.seq,
            });
        }
        if entry.prev != self.prev {
            return Err(Break::Unlinked(entry.seq));
        }
        if hash_of(entry.seq, entry.at, &entry.event, &entry.prev) != entry.hash {
            return Err(Break::Altered(entry.seq));
        }
        self.prev = entry.hash.clone();
        self.count = expected;
        Ok(())
    }

    /// Ends the check: with the number of entries written known apart (`written`), none may be
    /// missing at the end.
    pub fn finish(&self, written: Option<u64>) -> Result<(), Break> {
        match written {
            Some(expected) if expected != self.count => Err(Break::Truncated {
                expected,
                found: self.count,
            }),
            _ => Ok(()),
        }
    }

    /// How many entries were checked.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The hash of the last entry checked ([`GENESIS`] before any).
    pub fn head(&self) -> &str {
        &self.prev
    }
}

/// What the check of the server's whole log found, as the admin API answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCheckReport {
    pub entries: u64,
    pub head: String,
    /// Where and how the chain is broken, in words; none when it is whole.
    pub broken: Option<String>,
}

/// The field of a change that is an audit note, not data: what a device records of an access
/// (a record opened, printed or exported; client mode started or ended) travels in its outbox
/// as a change of the client or record it concerns, with this field and a [`Note`] as its value.
/// The server writes it to the audit log, never to the data, and the device never applies it.
pub const NOTE_FIELD: &str = "audit";

/// An access a device recorded, with the device's time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub action: Action,
    /// When it happened by the device's clock (ms).
    pub at: i64,
    /// Ids and short codes only (e.g. `csv`, `json`, `print`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detail: Vec<String>,
}

impl Note {
    /// Reads a note from a change's value, and checks that a device may record its action and
    /// that it holds no more than codes.
    pub fn from_value(value: &serde_json::Value) -> Result<Note, String> {
        let note: Note =
            serde_json::from_value(value.clone()).map_err(|e| format!("not an audit note: {e}"))?;
        if !note.action.device_records() {
            return Err(format!(
                "{} is recorded by the server, not by a device",
                note.action.as_str()
            ));
        }
        if note.detail.len() > 8
            || note
                .detail
                .iter()
                .any(|d| d.len() > 64 || !d.chars().all(|c| c.is_ascii_graphic()))
        {
            return Err("an audit note holds short codes only".into());
        }
        Ok(note)
    }

    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("notes serialize")
    }
}

impl Action {
    /// Whether a device records this action itself (what happens on it, offline too).
    pub fn device_records(self) -> bool {
        matches!(
            self,
            Action::RecordOpened
                | Action::RecordVersionMoved
                | Action::Printed
                | Action::Exported
                | Action::ClientModeStarted
                | Action::ClientModeEnded
        )
    }
}

#[cfg(test)]
mod tests;
