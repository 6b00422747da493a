//! One change to one field of one client's profile or record.

use crate::ids::{ClientId, DeviceId, RecordId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// A change's identity: the device that made it and its number in that device's outbox. Also the
/// field's revision once the change is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ChangeId {
    pub device: DeviceId,
    pub seq: u64,
}

impl fmt::Display for ChangeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}", self.device, self.seq)
    }
}

/// What a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Entity {
    Client(ClientId),
    Record(RecordId),
}

/// `client:<id>` or `record:<id>`: how the server's tables and the history route name an entity.
impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Client(id) => write!(f, "client:{id}"),
            Self::Record(id) => write!(f, "record:{id}"),
        }
    }
}

impl std::str::FromStr for Entity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("not a client or record: {s:?} (expected client:<id> or record:<id>)");
        let (kind, id) = s.split_once(':').ok_or_else(bad)?;
        match kind {
            "client" => Ok(Self::Client(id.parse().map_err(|_| bad())?)),
            "record" => Ok(Self::Record(id.parse().map_err(|_| bad())?)),
            _ => Err(bad()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub id: ChangeId,
    pub entity: Entity,
    /// Whose data this is: the unit of access (only people assigned to the client see it).
    pub client: ClientId,
    /// The field, e.g. `name`, `status`, `answers.user1.q2`.
    pub field: String,
    /// The revisions this change replaces: the field's values as the device saw them when the
    /// person made the edit. Empty for a field the device had never seen set.
    pub base: Vec<ChangeId>,
    /// The new value; `null` clears the field (a delete is a change like any other).
    pub value: Value,
}

impl Change {
    /// Whether this is an audit note (an access a device recorded), not data.
    pub fn is_note(&self) -> bool {
        self.field == crate::audit::NOTE_FIELD
    }
}
