//! Instruments as data: a definition names its sheets, their questions and each question's kind
//! of answer, in Japanese and English. Definitions are JSON files under `domain/instruments/`
//! (shared option lists under `domain/instruments/lists/`), compiled in by `build.rs`: adding a
//! sheet or an instrument is adding or editing a file, never Rust code.

mod check;

use crate::text::Text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the definition file format itself.
pub const DEFINITION_FORMAT: u32 = 1;

/// Which instrument edition and definition version an answer answers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct InstrumentRef {
    pub id: String,
    pub edition: String,
    pub version: u32,
}

/// What a record made with this instrument is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A self-assessment, answered by the person (or with their supporter).
    Assessment,
    /// A job coach's record of one visit.
    VisitNote,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    pub format: u32,
    pub id: String,
    pub edition: String,
    pub version: u32,
    pub kind: RecordKind,
    pub title: Text,
    /// Where the wording comes from, for the people who maintain the definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub sheets: Vec<Sheet>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sheet {
    pub id: String,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<Text>,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    /// The number printed on the sheet, e.g. "(1)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The official wording.
    pub prompt: Text,
    /// A note printed under the prompt, e.g. "（具体的に記入してください）".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<Text>,
    /// Plain wording shown alongside the official one in client mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plain: Option<Text>,
    pub answer: AnswerKind,
    /// What the answer means to the app beyond the form, e.g. the consent date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// A follow-up record started from the last one copies this answer (see
    /// [`crate::carry`]); absent means asked afresh, as before this field existed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carry: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The day the person consented: required before a record can be completed.
    ConsentDate,
    /// Prefilled from the client's profile.
    ClientName,
    /// Prefilled from the client's profile; the age is derived from it, never typed.
    BirthDate,
    /// The day of a visit: prefilled with today.
    VisitDate,
    /// Prefilled with the current time.
    StartTime,
    /// Prefilled with the workplace of the client's last note.
    Workplace,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// No `deny_unknown_fields` here: serde cannot combine it with the flattened options.
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AnswerKind {
    Date,
    Time,
    /// A whole number, e.g. the visit number.
    Number {
        #[serde(default)]
        min: Option<i64>,
        #[serde(default)]
        max: Option<i64>,
    },
    /// Free text on `lines` lines (one line: a short field).
    Text {
        lines: u8,
        #[serde(default)]
        style: LineStyle,
    },
    /// One choice, optionally "other" with free text.
    Single {
        #[serde(flatten)]
        options: Options,
        #[serde(default)]
        other: bool,
    },
    /// Any number of choices, optionally "other" with free text; an exclusive choice (ない,
    /// 分からない) stands alone.
    Multi {
        #[serde(flatten)]
        options: Options,
        #[serde(default)]
        other: bool,
        #[serde(default)]
        exclusive: Vec<Choice>,
    },
    /// A table with fixed columns and `rows` rows, and a printed, read-only example row.
    Table {
        columns: Vec<Column>,
        rows: u8,
        /// Labels for the rows (e.g. planned / actual); without them rows are numbered.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        row_labels: Vec<Text>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        example: Option<BTreeMap<String, Text>>,
    },
}

/// Options given in place, or named from a shared list (so a visit note and MSFAS share the
/// list of stress signs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Options {
    Inline { options: Vec<Choice> },
    Shared { options_from: String },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStyle {
    #[default]
    Plain,
    Numbered,
    Bulleted,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: Text,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub id: String,
    pub label: Text,
    /// With options the cell is a choice; without, free text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
}

/// The id a single or multiple choice records for "other".
pub const OTHER: &str = "other";

/// Shared option lists by name.
pub type Lists = BTreeMap<String, Vec<Choice>>;

impl Instrument {
    pub fn reference(&self) -> InstrumentRef {
        InstrumentRef {
            id: self.id.clone(),
            edition: self.edition.clone(),
            version: self.version,
        }
    }

    /// Every question with its field key `sheet.question`, in order.
    pub fn questions(&self) -> impl Iterator<Item = (String, &Sheet, &Question)> {
        self.sheets.iter().flat_map(|sheet| {
            sheet
                .questions
                .iter()
                .map(move |q| (field_key(&sheet.id, &q.id), sheet, q))
        })
    }

    pub fn question(&self, key: &str) -> Option<&Question> {
        let (sheet, question) = key.split_once('.')?;
        self.sheets
            .iter()
            .find(|s| s.id == sheet)?
            .questions
            .iter()
            .find(|q| q.id == question)
    }

    /// The field key of the question with `role`, if the instrument has one.
    pub fn role_key(&self, role: Role) -> Option<String> {
        self.questions()
            .find(|(_, _, q)| q.role == Some(role))
            .map(|(key, _, _)| key)
    }
}

impl Options {
    /// The choices, looked up in `lists` when shared; `None` if the list does not exist.
    pub fn resolve<'a>(&'a self, lists: &'a Lists) -> Option<&'a Vec<Choice>> {
        match self {
            Options::Inline { options } => Some(options),
            Options::Shared { options_from } => lists.get(options_from),
        }
    }
}

/// The key of one answer in a record: `sheet.question`.
pub fn field_key(sheet: &str, question: &str) -> String {
    format!("{sheet}.{question}")
}
