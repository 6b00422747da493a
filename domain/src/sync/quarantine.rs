//! A change the server set aside (quarantine) as the server and the app exchange it: whole, for
//! someone who may read its client, and as the administrator's list shows it, without its value.

use super::change::{Change, ChangeId, Entity};
use super::check::Refusal;
use crate::accounts::Decision;
use crate::ids::{ClientId, DeviceId, PersonId};
use serde::{Deserialize, Serialize};

/// A change the server set aside, whole: shown only to someone who may read its client (the
/// office, or a coach assigned to it now), and every such view is in the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAside {
    pub id: i64,
    pub change: Change,
    pub refusal: Refusal,
    /// When the server received it (ms since the epoch, server clock).
    pub received_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

/// A change the server set aside as the administrator's list shows it: whose, which field, who
/// pushed it from which device, when and why, never its value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAsideEntry {
    pub id: i64,
    /// The change's id (its writer and number), as the device's refusal names it.
    pub change_id: ChangeId,
    pub client: ClientId,
    /// The client's newest name on the server, if it has one.
    #[serde(default)]
    pub client_name: Option<String>,
    pub entity: Entity,
    pub field: String,
    /// Why it was set aside. A value the check quoted is left out (`BadValue`'s reason).
    pub refusal: Refusal,
    pub received_at: i64,
    /// Who pushed it (none: set aside before the server kept that).
    #[serde(default)]
    pub pushed_by: Option<PersonId>,
    #[serde(default)]
    pub pushed_by_name: Option<String>,
    /// The device of the session that pushed it, and its name.
    #[serde(default)]
    pub pushed_device: Option<DeviceId>,
    #[serde(default)]
    pub device_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

/// One page of the set-aside list, newest first: the next page is asked for with
/// `before=<the last entry's id>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAsidePage {
    pub entries: Vec<SetAsideEntry>,
    /// Whether older entries follow.
    pub more: bool,
    /// How many changes set aside wait for a decision, in all.
    pub undecided: u64,
}
