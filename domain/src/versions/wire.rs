//! What the server and the app send each other about instrument versions: the administrator's
//! list and review, and the small catalogue stream a device asks for at each sync (it says what
//! it holds; the server answers with every version in use, and the definitions it lacks).

use super::Status;
use super::compat::Incompatibility;
use super::diff::Difference;
use crate::ids::DeviceId;
use crate::instrument::{Instrument, InstrumentRef};
use crate::text::Text;
use serde::{Deserialize, Serialize};

/// The version of these shapes; a device sends the one it speaks.
pub const VERSIONS_FORMAT: u32 = 1;

/// One version as the administrator's list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSummary {
    pub instrument: InstrumentRef,
    pub title: Text,
    pub status: Status,
    pub sha256: String,
    /// Compiled into the app and the server (MSFAS 2006, the visit note).
    #[serde(default)]
    pub builtin: bool,
    pub uploaded_at: i64,
    #[serde(default)]
    pub published_at: Option<i64>,
    #[serde(default)]
    pub retired_at: Option<i64>,
}

/// What one device last said it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceHolding {
    pub device: DeviceId,
    #[serde(default)]
    pub name: Option<String>,
    pub held: Vec<InstrumentRef>,
    pub reported_at: i64,
}

/// `GET /api/v1/instruments`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionList {
    pub versions: Vec<VersionSummary>,
    pub devices: Vec<DeviceHolding>,
}

/// A version with what the administrator confirms before publishing it: what changed since the
/// newest published version of the instrument, and what stops it from being published.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub version: VersionSummary,
    pub definition: Instrument,
    /// The version it is compared with; none for an instrument's first version.
    #[serde(default)]
    pub against: Option<InstrumentRef>,
    pub differences: Vec<Difference>,
    pub problems: Vec<Incompatibility>,
}

/// A version a device holds, by its content hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub instrument: InstrumentRef,
    pub sha256: String,
}

/// `POST /api/v1/sync/instruments`: what the device holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionsRequest {
    pub format: u32,
    pub held: Vec<Held>,
}

/// One version in use (published or retired), with its definition when the device lacks it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InUse {
    pub instrument: InstrumentRef,
    pub status: Status,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<Instrument>,
}

/// The answer: every version in use. A device keeps what it holds of those, adds what came,
/// and never drops a version a local record uses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionsResponse {
    pub format: u32,
    pub versions: Vec<InUse>,
}
