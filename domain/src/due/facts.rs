//! What the due rules read of a client: their plan and, of each visit note, its date, how the
//! person was met, the phase and the next visit (as [`Fact`]s: a field in conflict says so).

use crate::date::Date;
use crate::ids::{ClientId, RecordId};
use crate::plan::{Fact, Phase, PlanView};
use serde::{Deserialize, Serialize};

/// How the person was met (visit note question `visit.mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 訪問
    Visit,
    /// 電話
    Phone,
    /// オンライン
    Online,
    /// 来所
    Office,
}

impl Mode {
    /// 訪問 and 来所 meet the person face to face; phone and online do not.
    pub fn face_to_face(self) -> bool {
        matches!(self, Mode::Visit | Mode::Office)
    }
}

/// What the rules read of one visit note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub record: RecordId,
    pub date: Fact<Date>,
    pub mode: Fact<Mode>,
    pub phase: Fact<Phase>,
    pub next_visit: Fact<Date>,
}

/// One client's plan and visit notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientFacts {
    pub client: ClientId,
    pub plan: PlanView,
    pub notes: Vec<Note>,
}
