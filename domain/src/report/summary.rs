//! What a month's visit notes say, for the report: contacts by mode and the notes' words on what
//! was done, the person's state and next steps, in date order. Built from records as they are
//! (a field in conflict is already left out of a record, and the page asks to review it).

use super::month::Month;
use crate::catalogue::Catalogue;
use crate::date::Date;
use crate::due::{Mode, note_of_record};
use crate::export::{Lang, answer_text};
use crate::ids::{ClientId, RecordId};
use crate::plan::Phase;
use crate::record::Record;

/// The questions whose answers say what was done.
const DONE: [&str; 4] = [
    "purpose.purpose",
    "support.to_client",
    "support.to_employer",
    "support.to_family",
];
/// The questions whose answers say how the person is.
const STATE: [&str; 5] = [
    "observations.communication",
    "observations.signs",
    "observations.breaks",
    "comments.client",
    "comments.employer",
];
/// The questions whose answers say what comes next.
const NEXT: [&str; 2] = ["agreements.next_actions", "next.next_visit"];

/// One visit note of the month: its day, mode and phase, and its words, each with the
/// question's prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteLine {
    pub record: RecordId,
    pub date: Date,
    pub mode: Option<Mode>,
    pub phase: Option<Phase>,
    pub done: Vec<(String, String)>,
    pub state: Vec<(String, String)>,
    pub next: Vec<(String, String)>,
}

/// A client's month of visit notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    pub month: Month,
    /// Contacts by mode, in the order 訪問・電話・オンライン・来所.
    pub by_mode: [(Mode, u32); 4],
    /// Notes of the month with no mode given.
    pub no_mode: u32,
    /// Contacts in person (訪問 and 来所).
    pub face_to_face: u32,
    /// The notes, oldest first.
    pub notes: Vec<NoteLine>,
}

impl Summary {
    /// Every contact of the month.
    pub fn contacts(&self) -> u32 {
        self.by_mode.iter().map(|(_, n)| n).sum::<u32>() + self.no_mode
    }
}

/// The modes in the order reports and counts show them.
pub const MODES: [Mode; 4] = [Mode::Visit, Mode::Phone, Mode::Online, Mode::Office];

/// The visit notes of `client` dated in `month`, summarised in `lang`.
pub fn summary(
    client: ClientId,
    records: &[Record],
    month: Month,
    catalogue: &Catalogue,
    lang: Lang,
) -> Summary {
    let mut by_mode = MODES.map(|m| (m, 0u32));
    let (mut no_mode, mut face_to_face) = (0, 0);
    let mut notes = Vec::new();
    for record in records.iter().filter(|r| r.client == client) {
        let Some(note) = note_of_record(record) else {
            continue;
        };
        let Some(date) = note.date.known().copied().filter(|d| month.contains(*d)) else {
            continue;
        };
        let mode = note.mode.known().copied();
        match mode {
            Some(mode) => {
                if let Some(slot) = by_mode.iter_mut().find(|(m, _)| *m == mode) {
                    slot.1 += 1;
                }
                if mode.face_to_face() {
                    face_to_face += 1;
                }
            }
            None => no_mode += 1,
        }
        let words = |keys: &[&str]| -> Vec<(String, String)> {
            let Some(instrument) = catalogue.get(&record.instrument) else {
                return Vec::new();
            };
            keys.iter()
                .filter_map(|key| {
                    let question = instrument.question(key)?;
                    let answer = record.answers.get(*key)?;
                    let text = answer_text(answer, &question.answer, &catalogue.lists, lang);
                    let text = text.trim();
                    let prompt = match lang {
                        Lang::Ja => &question.prompt.ja,
                        Lang::En => &question.prompt.en,
                    };
                    (!text.is_empty()).then(|| (prompt.clone(), text.to_owned()))
                })
                .collect()
        };
        notes.push(NoteLine {
            record: record.id,
            date,
            mode,
            phase: note.phase.known().copied(),
            done: words(&DONE),
            state: words(&STATE),
            next: words(&NEXT),
        });
    }
    crate::order::sort_by_key(&mut notes, |n| (n.date, n.record));
    Summary {
        month,
        by_mode,
        no_mode,
        face_to_face,
        notes,
    }
}

/// A first draft of the report's three texts (what was done, the person's state, next steps)
/// from the notes, for the coach to edit: one paragraph per note that says something, headed by
/// its day.
pub fn draft(summary: &Summary) -> [String; 3] {
    let part = |pick: fn(&NoteLine) -> &Vec<(String, String)>| {
        summary
            .notes
            .iter()
            .filter(|n| !pick(n).is_empty())
            .map(|n| {
                let lines: Vec<String> = pick(n)
                    .iter()
                    .map(|(prompt, text)| format!("{prompt}: {}", text.replace('\n', " / ")))
                    .collect();
                format!("{}\n{}", n.date, lines.join("\n"))
            })
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    [part(|n| &n.done), part(|n| &n.state), part(|n| &n.next)]
}
