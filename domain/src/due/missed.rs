//! Months that ended without the face-to-face contact the plan asks for (「11月は対面なし」).
//!
//! The rule, in plain words (ARCHITECTURE.md says the same):
//! - Each of the `months_back` (`Rules::missed_months_back`) calendar months before today's month is checked
//!   while the plan (its current values, as merged) asks for `n` face-to-face contacts a month
//!   and was in force on some day of that month (a plan that started or ended mid-month covers
//!   the whole month, as the current month's rule does).
//! - Months before the support began are not checked: before the plan's `start`, or, when the
//!   plan has no settled start, before the client's first dated visit note.
//! - The face-to-face contacts dated in the month are counted (a note synced late counts as soon
//!   as it arrives). Short of `n`, the month is listed as missed, and stays listed while it is
//!   within the window: a later visit does not undo a month without one, a note dated in it does.
//! - A note in that month whose date or mode is in conflict and could make up for it is not
//!   guessed at: the month is not listed, the note is (to be reviewed, like the current month's).

use super::count::count_face_to_face;
use super::facts::{ClientFacts, Note};
use crate::date::Date;
use crate::ids::RecordId;
use crate::plan::Fact;

/// A month that ended with fewer face-to-face contacts than the plan asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Missed {
    /// The month's first day.
    pub month: Date,
    pub done: u8,
    pub required: u8,
}

impl Missed {
    /// The month's last day.
    pub fn last_day(&self) -> Date {
        self.month.last_of_month()
    }
}

/// The first day support can be said to have run: the plan's start, or when it has no settled
/// start the first dated visit note (`None`: nothing to go by, no past month is checked).
fn support_began(facts: &ClientFacts) -> Option<Date> {
    if let Fact::Known(start) = facts.plan.start {
        return Some(start);
    }
    facts
        .notes
        .iter()
        .filter_map(|n| n.date.known())
        .min()
        .copied()
}

/// Whether the plan is in force on some day between `first` and `last` (a start or end in
/// conflict counts as in force, as on the current month).
fn in_force_within(facts: &ClientFacts, first: Date, last: Date) -> bool {
    !(matches!(facts.plan.start, Fact::Known(start) if start > last)
        || matches!(facts.plan.end, Fact::Known(end) if end < first))
}

/// The months missed among the `months_back` before `today`'s month, oldest first, and the notes
/// in conflict that could make up for a month otherwise missed.
pub fn missed_months(
    facts: &ClientFacts,
    today: Date,
    months_back: u8,
) -> (Vec<Missed>, Vec<RecordId>) {
    let (mut missed, mut review) = (Vec::new(), Vec::new());
    let Fact::Known(required) = facts.plan.face_to_face_per_month else {
        return (missed, review);
    };
    let Some(began) = support_began(facts) else {
        return (missed, review);
    };
    let mut months = Vec::new();
    let mut first = today.first_of_month();
    for _ in 0..months_back {
        let Some(previous) = first.add_days(-1).map(Date::first_of_month) else {
            break;
        };
        first = previous;
        months.push(first);
    }
    months.reverse();
    for first in months {
        let last = first.last_of_month();
        if last < began || !in_force_within(facts, first, last) {
            continue;
        }
        let notes: &[Note] = &facts.notes;
        let (done, uncertain) = count_face_to_face(notes, first, last);
        if done >= required {
            continue;
        }
        if uncertain.is_empty() {
            missed.push(Missed {
                month: first,
                done,
                required,
            });
        } else {
            review.extend(uncertain);
        }
    }
    (missed, review)
}
