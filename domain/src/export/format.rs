//! What the export files are: the bundle's format and kind, what an import refuses and why, the
//! language of the CSV's words, and the names both files give records and instruments.

use crate::ids::{ClientId, RecordId};
use crate::instrument::{InstrumentRef, RecordKind};
use crate::record::{Client, CompletionProblem, Record};
use crate::text::Text;
use serde::Serialize;
use serde_json::Value;

/// The bundle format this build writes. Records inside have their stored shape
/// ([`crate::stored`]), so a change there is a change here too: bump both, with a migration.
pub const FORMAT: u32 = 1;

/// The bundle's `kind`, so that some other JSON file is refused rather than misread.
pub const KIND: &str = "yorisoi-export";

/// One client and their records, as read from an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    pub client: Client,
    pub records: Vec<Record>,
}

/// Why an export cannot be imported. Nothing of a refused file is imported, so the person can
/// fix the cause (usually: update the app, or pick the right file) and import it again.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("not a Yorisoi export: the file is not JSON ({0})")]
    NotJson(String),
    #[error("not a Yorisoi export: \"kind\" is {0}, not \"yorisoi-export\"")]
    WrongKind(String),
    #[error("the export has no format version")]
    NoFormat,
    #[error(
        "export format {0} was written by a newer version of the app; update the app to import it"
    )]
    Newer(u64),
    #[error("export format {0} is not one this app has ever written")]
    Unknown(u64),
    #[error("unreadable {what} in the export: {message}")]
    Invalid { what: String, message: String },
    #[error("record {record} belongs to client {found}, not to the exported client {expected}")]
    ForeignRecord {
        record: RecordId,
        found: ClientId,
        expected: ClientId,
    },
    #[error("record {0} appears twice in the export")]
    Duplicate(RecordId),
    #[error(
        "record {record} was made with {}, which this version of the app does not know; update the app",
        instrument_name(.instrument)
    )]
    UnknownInstrument {
        record: RecordId,
        instrument: InstrumentRef,
    },
    #[error(
        "record {record} says it is a {} record, but its instrument makes {} records",
        serde_name(.found),
        serde_name(.expected)
    )]
    WrongRecordKind {
        record: RecordId,
        found: RecordKind,
        expected: RecordKind,
    },
    #[error("record {record}: {problem}")]
    Answer {
        record: RecordId,
        problem: CompletionProblem,
    },
}

/// The language of a CSV's headers, labels and joining words. (The app has its own `Lang` and
/// maps it: this crate does not depend on the app.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    pub(super) fn say(self, ja: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    pub(super) fn pick(self, text: &Text) -> &str {
        match self {
            Lang::Ja => &text.ja,
            Lang::En => &text.en,
        }
    }
}

/// The client's records in a fixed order, so the same data always exports as the same text.
/// Records of any other client are left out, so an export never carries another person's data.
pub(super) fn own_records<'a>(client: &Client, records: &'a [Record]) -> Vec<&'a Record> {
    let mut own: Vec<_> = records.iter().filter(|r| r.client == client.id).collect();
    crate::order::sort_by_key(&mut own, |r| (r.created_at, r.id));
    own
}

/// The name serde gives a unit variant, e.g. `visit_note`, so the CSV says what the JSON says.
pub(super) fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        _ => String::new(),
    }
}

/// "msfas 2006 v1": how an instrument is named in messages and in the CSV.
pub(super) fn instrument_name(instrument: &InstrumentRef) -> String {
    format!(
        "{} {} v{}",
        instrument.id, instrument.edition, instrument.version
    )
}
