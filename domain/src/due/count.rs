//! Counting face-to-face contacts over a span of days, conflicts included (a leaf the due rules
//! and the missed months both read).

use super::facts::{Mode, Note};
use crate::date::Date;
use crate::ids::RecordId;
use crate::plan::Fact;

/// What the mode says of face to face: `Some(true|false)`, or `None` when in conflict between a
/// face-to-face mode and another (or unreadable).
pub(super) fn face_to_face(mode: &Fact<Mode>) -> Option<bool> {
    match mode {
        Fact::Known(mode) => Some(mode.face_to_face()),
        Fact::Unset => Some(false),
        Fact::Conflict(modes) => {
            let any = modes.iter().any(|m| m.face_to_face());
            let all = !modes.is_empty() && modes.iter().all(|m| m.face_to_face());
            if all {
                Some(true)
            } else if any || modes.is_empty() {
                None
            } else {
                Some(false)
            }
        }
    }
}

/// Face-to-face contacts between `from` and `today` (both included): the certain count, and the
/// notes in conflict that could add to it.
pub(super) fn count_face_to_face(notes: &[Note], from: Date, today: Date) -> (u8, Vec<RecordId>) {
    let (mut done, mut uncertain) = (0u8, Vec::new());
    for note in notes {
        let in_range = |d: &Date| (from..=today).contains(d);
        match (&note.date, face_to_face(&note.mode)) {
            (Fact::Known(d), Some(true)) if in_range(d) => done = done.saturating_add(1),
            (Fact::Known(d), None) if in_range(d) => uncertain.push(note.record),
            (Fact::Conflict(dates), f2f)
                if f2f != Some(false) && (dates.is_empty() || dates.iter().any(in_range)) =>
            {
                uncertain.push(note.record)
            }
            _ => {}
        }
    }
    (done, uncertain)
}
