//! The sync wire format: `POST /api/v1/sync/push` and `GET /api/v1/sync/pull`, versioned.
//!
//! A device whose format is older than the server's gets a clear "please update" error, never a
//! half-understood request; the server checks before it reads anything else.

use super::change::{Change, ChangeId};
use super::check::Refusal;
use crate::ids::{ClientId, DeviceId};
use serde::{Deserialize, Serialize};

// Named here too, where they were before the formats, the bootstrap page and the fields' state
// had files of their own, so the server's and the app's paths still read `sync::protocol::…`.
pub use super::bootstrap::{
    BOOTSTRAP_MEDIA_TYPE, BootstrapChunk, BootstrapHead, BootstrapPage, FramedPage, unframe,
};
pub use super::formats::{
    BOOTSTRAP_FORMAT, MAX_BATCH, ProtocolError, WIRE_FORMAT, check_bootstrap_format, check_format,
};
pub use super::state::{ClientState, EntityState, FieldList, FieldState, Fields};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub format: u32,
    pub device: DeviceId,
    /// The device's outbox, oldest first; every change's id names this device.
    pub changes: Vec<Change>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub format: u32,
    /// Every change of this device up to this number is on the server, stored, set aside or
    /// written as an audit note: the device may drop them from its outbox. Never more than the
    /// push's highest number (0 for an empty push).
    pub acked_through: u64,
    /// The changes of this push the server did not store, each with why. The server keeps them
    /// aside (never applied, never dropped) for a person to look at. A device that does not know
    /// this field reads the answer as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refused>,
    /// The database's instance id (see [`Writers`]): absent from older servers (then empty).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instance: String,
}

/// One change the server set aside instead of storing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub id: ChangeId,
    pub refusal: Refusal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    pub format: u32,
    pub changes: Vec<Pulled>,
    /// Where the next pull starts: the server's own sequence, never a device clock.
    pub cursor: u64,
    /// Whether more changes are waiting after this page.
    pub more: bool,
    /// The server's newest change when the page was read: how far a long first sync has come
    /// is `cursor` against `head`. Absent from older servers (then 0).
    #[serde(default)]
    pub head: u64,
    /// Clients entering or leaving this device's scope, when any do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeChange>,
    /// The database's instance id (see [`Writers`]): a device that synced with another id
    /// re-sends what the server lacks and pulls from the start. Empty from older servers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instance: String,
    /// The fingerprint of the instrument versions in use on the server
    /// ([`crate::versions::wire::fingerprint`], issue 22): a device asks for versions only when
    /// it differs from the one it last installed. Empty from older servers (then it asks).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub instruments: String,
}

/// `GET /api/v1/sync/writers`: the database's instance id and how far it holds each writer of
/// the asking device (its last stored number). A restore from a backup gives the database a new
/// instance id; a device that sees one re-sends, writer by writer, every change of its own it
/// still holds above these numbers (same ids, same values), then pulls from the start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Writers {
    pub format: u32,
    pub instance: String,
    pub writers: Vec<WriterSeq>,
}

/// One writer of a device and its last number the server stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriterSeq {
    pub writer: DeviceId,
    pub last_seq: u64,
}

/// The code of the error a push answers (409) when its `instance=` is not the database's: the
/// server was restored from a backup since the device last synced. Nothing of the push is stored.
pub const INSTANCE_CHANGED: &str = "instance_changed";

/// A hand-over of clients to or from a device. The device finishes it and then sends `token` as
/// `scope=` in its next pull, which tells the server it holds the entered clients' history (sent
/// in this page's `changes`, older than the cursor included) and deleted the left ones, after
/// sending what it had unsent for them. Until then the server sends the same hand-over again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeChange {
    pub token: u64,
    /// Clients the device now serves: every change of theirs up to the cursor is in this page.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entered: Vec<ClientId>,
    /// Clients the device no longer serves: send their unsent changes, then delete them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left: Vec<ClientId>,
}

/// `GET /api/v1/sync/history?entity=record:<id>`: every change of one client or record the server
/// holds, oldest first, for a device that holds its state but not its history (after a bootstrap).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryResponse {
    pub format: u32,
    pub changes: Vec<Pulled>,
}

/// A change as the server stored it: its place in the server's sequence and the server's clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pulled {
    pub seq: u64,
    /// Milliseconds since the Unix epoch by the server's clock: for history, never for merging.
    pub received_at: i64,
    pub change: Change,
}

/// What the server does with a push, given the writer's last stored change number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted<'a> {
    /// The changes after the last stored number, in order: new, to store.
    pub fresh: Vec<&'a Change>,
    /// The changes at or below it, in order: stored by an earlier try of the same push (its
    /// answer was lost), or not (they never reached the server: the writer's numbers were
    /// advanced past them). The server looks them up, and stores those it does not hold.
    pub to_check: Vec<&'a Change>,
    /// What to acknowledge once those are on the server: the request's highest number (every
    /// change of it is then stored, set aside or noted), never a number the request did not
    /// carry; 0 for an empty push.
    pub acked: u64,
}

/// What the server does with a push, given the writer's last stored change number (see
/// [`Accepted`]): a retry stores nothing twice, and no change is acknowledged unseen.
pub fn accept(request: &PushRequest, last_stored: u64) -> Result<Accepted<'_>, ProtocolError> {
    check_format(request.format)?;
    if request.changes.len() > MAX_BATCH {
        return Err(ProtocolError::TooMany);
    }
    let mut previous = 0;
    for change in &request.changes {
        if change.id.device != request.device {
            return Err(ProtocolError::ForeignChange(change.id.to_string()));
        }
        if change.id.seq <= previous {
            return Err(ProtocolError::OutOfOrder);
        }
        previous = change.id.seq;
    }
    let (to_check, fresh): (Vec<&Change>, Vec<&Change>) = request
        .changes
        .iter()
        .partition(|c| c.id.seq <= last_stored);
    Ok(Accepted {
        fresh,
        to_check,
        acked: previous,
    })
}

#[cfg(test)]
mod tests;
