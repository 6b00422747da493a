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

/// The fingerprint of the versions in use, as a pull page carries it: every version's reference,
/// state and content hash, in order, hashed. A device that installed the answer with this
/// fingerprint holds every version there is and knows each one's state, so it asks for versions
/// again only when the fingerprint changes (a version published or retired) or a record of its
/// own names a version it lacks.
pub fn fingerprint<'a>(
    versions: impl IntoIterator<Item = (&'a InstrumentRef, Status, &'a str)>,
) -> String {
    use sha2::{Digest, Sha256};
    let mut lines: Vec<String> = versions
        .into_iter()
        .filter(|(_, status, _)| status.in_use())
        .map(|(r, status, sha)| {
            format!(
                "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{sha}",
                r.id,
                r.edition,
                r.version,
                status.as_str()
            )
        })
        .collect();
    crate::order::sort(&mut lines);
    Sha256::digest(lines.join("\n").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl VersionsResponse {
    /// The fingerprint of the versions this answer lists.
    pub fn fingerprint(&self) -> String {
        fingerprint(
            self.versions
                .iter()
                .map(|v| (&v.instrument, v.status, v.sha256.as_str())),
        )
    }
}
