//! Instrument versions as data: an agency's administrator uploads a definition (the same JSON
//! format as `domain/instruments/`), sees what changed since the newest published version, and
//! publishes it. This module holds the pure parts of that: reading an uploaded definition with
//! errors that name the line ([`definition`]), the content hash of its canonical form, the
//! compatibility check between a version and the versions before it ([`compat`]), the diff the
//! administrator confirms ([`diff`]), the check before a draft record moves to a newer version
//! ([`moving`]), and the lifecycle draft → published → retired ([`Status`]).
//!
//! Architecture invariant: a published version never changes. Question ids and option values
//! are the stable keys of every record, report and chart, so a new version may relabel, reorder
//! and add, but never give an id a new answer type or a removed id a new meaning.

pub mod compat;
pub mod definition;
pub mod diff;
mod diff_read;
pub mod moving;
pub mod wire;

use serde::{Deserialize, Serialize};

/// Where a version is in its life: uploaded and still editable, in use, or no longer offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Uploaded by an administrator; replaced by a new upload of the same version; on no device
    /// and accepted in no record.
    Draft,
    /// On every device; new records use the newest published version of an instrument.
    Published,
    /// No longer offered for new records, but its records still open, print, export and sync.
    Retired,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Retired => "retired",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        [Status::Draft, Status::Published, Status::Retired]
            .into_iter()
            .find(|s| s.as_str() == text)
    }

    /// Whether records may use a version in this state (the server accepts their changes and
    /// devices keep it): a published or a retired one, never a draft.
    pub fn in_use(self) -> bool {
        matches!(self, Status::Published | Status::Retired)
    }

    /// Whether a version may go from `self` to `to`; why not otherwise. The life only goes
    /// forward: a published version is never a draft again, a retired one never comes back.
    pub fn step(self, to: Status) -> Result<(), String> {
        match (self, to) {
            (Status::Draft, Status::Published) | (Status::Published, Status::Retired) => Ok(()),
            (Status::Draft, Status::Retired) => Err(
                "a draft was never published, so it cannot be retired: discard it instead".into(),
            ),
            (from, to) if from == to => Err(format!("this version is already {}", from.as_str())),
            (from, to) => Err(format!(
                "a {} version cannot become {} again: versions only go draft → published → retired; upload a new version instead",
                from.as_str(),
                to.as_str()
            )),
        }
    }
}

#[cfg(test)]
mod tests;
