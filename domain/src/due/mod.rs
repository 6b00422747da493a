//! What is due (今日・今週の予定): for each client, from its follow-up plan, its visit notes and
//! `today` (passed in: the core reads no clock), the visits due or overdue and whether the person
//! has been met face to face this month, each with a reason the page puts in words.
//!
//! The rules, in plain words (ARCHITECTURE.md says the same):
//! - A *contact* is a visit note dated on or before today. It is *face to face* when its mode is
//!   訪問 (visit) or 来所 (at the office); 電話 and オンライン are contacts but not face to face, and a
//!   note without a mode is not counted as face to face. Drafts count: the visit happened.
//! - The *next visit* is the `next_visit` of the newest contact. A newer note replaces an older
//!   note's next visit, even when it sets none. Before today it is overdue by the days since.
//! - The plan's current values (as merged) apply from its `start` to its `end`, both included,
//!   open when unset; a plan changed mid-month applies to the whole of the current month, so a
//!   face-to-face contact earlier in the month counts for it.
//! - *Face to face this month*: while the plan asks for `n` a month, the face-to-face contacts of
//!   the calendar month up to today are counted; short of `n`, it is flagged as due on the last
//!   day of the month from `warn_days_before_month_end` days before it (the status is always
//!   there for the page, flagged or not).
//! - *Planned visits*: while the plan asks for `n` visits a week or month, fewer face-to-face
//!   contacts in the current calendar week or month are due by its last day.
//! - *A month without face to face*: each of the few months before this one that ended short of
//!   the plan's monthly face-to-face contacts stays listed while it is in the window (see
//!   `missed.rs`); a note dated in it, synced late, takes it off.
//! - A conflict is never resolved here. A note whose date or mode is in conflict and could
//!   change what is due is listed as such (due today, to be reviewed); a plan part in conflict
//!   is not used, and said so. A conflict never hides a client from the list.

mod count;
mod facts;
mod missed;
mod notes;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_merged;
#[cfg(test)]
mod tests_missed;

use count::{count_face_to_face, face_to_face};
pub use facts::{ClientFacts, Mode, Note};
pub use missed::{Missed, missed_months};
pub use notes::{DATE, MODE, NEXT_VISIT, PHASE, VISIT_NOTE, facts_from, note_from, note_of_record};

use crate::date::{Date, Weekday};
use crate::ids::{ClientId, RecordId};
use crate::plan::{Fact, Part, Period, PlanView};

/// The agency's settings for the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    pub week_starts_on: Weekday,
    /// A missing face-to-face contact is flagged from this many days before the month's last day
    /// (0: on the last day only).
    pub warn_days_before_month_end: u8,
    /// How many calendar months before the current one are checked for a month that ended
    /// without the face-to-face contact the plan asks for (0: none).
    pub missed_months_back: u8,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            week_starts_on: Weekday::Monday,
            warn_days_before_month_end: 7,
            missed_months_back: 3,
        }
    }
}

/// Why something is due, for the page to say in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The next visit the newest note set.
    NextVisit { set_in: RecordId },
    /// The newest note's next visit is in conflict; due on the earliest of its dates.
    NextVisitInConflict { set_in: RecordId, dates: Vec<Date> },
    /// Met face to face fewer times this month than the plan requires.
    FaceToFaceThisMonth { done: u8, required: u8 },
    /// Fewer face-to-face visits than planned this week or month.
    PlannedVisits { per: Period, planned: u8, done: u8 },
    /// A note's date or mode is in conflict, and it could change what is due.
    NoteInConflict { record: RecordId },
    /// Parts of the plan are in conflict: the rules leave them out until a person chooses.
    PlanInConflict { parts: Vec<Part> },
}

/// When, against today.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Overdue { days: u32 },
    Today,
    ThisWeek,
    Later,
}

impl When {
    pub fn of(on: Date, today: Date, rules: &Rules) -> When {
        let days = today.days_since(on);
        if days > 0 {
            When::Overdue {
                days: u32::try_from(days).unwrap_or(u32::MAX),
            }
        } else if days == 0 {
            When::Today
        } else if on <= today.week_end(rules.week_starts_on) {
            When::ThisWeek
        } else {
            When::Later
        }
    }
}

/// One thing due for a client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub on: Date,
    pub when: When,
    pub reason: Reason,
}

/// Whether the person was met face to face this month as the plan requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Monthly {
    /// No plan in force today asks for it.
    NotRequired,
    Met {
        done: u8,
        required: u8,
    },
    NotYet {
        done: u8,
        required: u8,
        days_left: u8,
    },
    /// Short of the requirement as far as is certain, but notes in conflict could make up for
    /// it, or the requirement itself is in conflict (`required: None`).
    Uncertain {
        done: u8,
        required: Option<u8>,
        days_left: u8,
        notes: Vec<RecordId>,
    },
}

/// What is due for one client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientDue {
    pub client: ClientId,
    /// Earliest first.
    pub items: Vec<Due>,
    pub monthly: Monthly,
    /// Months before this one that ended without the face-to-face contact the plan asks for,
    /// oldest first (see `missed.rs`).
    pub missed: Vec<Missed>,
    pub last_contact: Option<Date>,
    pub last_face_to_face: Option<Date>,
}

impl ClientDue {
    /// The earliest day something is due (a missed month: its last day).
    pub fn first_due(&self) -> Option<Date> {
        let missed = self.missed.first().map(Missed::last_day);
        match (self.items.first().map(|d| d.on), missed) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Whether the plan is in force on `today` (a start or end in conflict counts as in force: the
/// client is shown rather than hidden, and the conflict is listed).
fn in_force(plan: &PlanView, today: Date) -> bool {
    !(matches!(plan.start, Fact::Known(start) if start > today)
        || matches!(plan.end, Fact::Known(end) if end < today))
}

/// What is due for one client on `today`.
pub fn due(facts: &ClientFacts, today: Date, rules: &Rules) -> ClientDue {
    let mut items = Vec::new();
    let mut push = |on: Date, reason: Reason| {
        items.push(Due {
            on,
            when: When::of(on, today, rules),
            reason,
        });
    };
    let contacts: Vec<(&Note, Date)> = facts
        .notes
        .iter()
        .filter_map(|n| n.date.known().filter(|d| **d <= today).map(|d| (n, *d)))
        .collect();
    let newest = contacts.iter().max_by_key(|(n, d)| (*d, n.record)).copied();
    let last_face_to_face = contacts
        .iter()
        .filter(|(n, _)| face_to_face(&n.mode) == Some(true))
        .map(|(_, d)| *d)
        .max();

    // The next visit, from the newest contact.
    if let Some((note, _)) = newest {
        match &note.next_visit {
            Fact::Known(on) => push(
                *on,
                Reason::NextVisit {
                    set_in: note.record,
                },
            ),
            Fact::Conflict(dates) => push(
                dates.iter().min().copied().unwrap_or(today),
                Reason::NextVisitInConflict {
                    set_in: note.record,
                    dates: dates.clone(),
                },
            ),
            Fact::Unset => {}
        }
    }
    // Notes whose date is in conflict and might be the newest contact.
    let mut review: Vec<RecordId> = facts
        .notes
        .iter()
        .filter(|n| match &n.date {
            Fact::Conflict(dates) => {
                dates.is_empty()
                    || dates
                        .iter()
                        .any(|d| *d <= today && newest.is_none_or(|(_, newest)| *d >= newest))
            }
            _ => false,
        })
        .map(|n| n.record)
        .collect();

    let plan = &facts.plan;
    let conflicts = plan.conflicts();
    if !conflicts.is_empty() {
        push(today, Reason::PlanInConflict { parts: conflicts });
    }
    let force = in_force(plan, today);
    let month_end = today.last_of_month();
    let days_left = u8::try_from(month_end.days_since(today)).unwrap_or(u8::MAX);
    let (month_done, month_uncertain) =
        count_face_to_face(&facts.notes, today.first_of_month(), today);
    let monthly = match (&plan.face_to_face_per_month, force) {
        (Fact::Known(required), true) if month_done >= *required => Monthly::Met {
            done: month_done,
            required: *required,
        },
        (Fact::Known(required), true) if month_uncertain.is_empty() => Monthly::NotYet {
            done: month_done,
            required: *required,
            days_left,
        },
        (Fact::Known(_), true) | (Fact::Conflict(_), true) => Monthly::Uncertain {
            done: month_done,
            required: plan.face_to_face_per_month.known().copied(),
            days_left,
            notes: month_uncertain.clone(),
        },
        _ => Monthly::NotRequired,
    };
    match &monthly {
        Monthly::NotYet { required, .. }
        | Monthly::Uncertain {
            required: Some(required),
            ..
        } if days_left <= rules.warn_days_before_month_end => {
            push(
                month_end,
                Reason::FaceToFaceThisMonth {
                    done: month_done,
                    required: *required,
                },
            );
        }
        _ => {}
    }
    if let Monthly::Uncertain { notes, .. } = &monthly {
        review.extend(notes);
    }

    if let (Fact::Known(planned), true) = (&plan.visits, force) {
        let (from, to) = match planned.per {
            Period::Week => (
                today.week_start(rules.week_starts_on),
                today.week_end(rules.week_starts_on),
            ),
            Period::Month => (today.first_of_month(), month_end),
        };
        let (done, uncertain) = count_face_to_face(&facts.notes, from, today);
        if done < planned.count {
            push(
                to,
                Reason::PlannedVisits {
                    per: planned.per,
                    planned: planned.count,
                    done,
                },
            );
            review.extend(uncertain);
        }
    }

    let (missed, unsure) = missed_months(facts, today, rules.missed_months_back);
    review.extend(unsure);
    crate::order::sort(&mut review);
    review.dedup();
    for record in review {
        push(today, Reason::NoteInConflict { record });
    }
    crate::order::sort_by_key(&mut items, |d| d.on);
    ClientDue {
        client: facts.client,
        items,
        monthly,
        missed,
        last_contact: newest.map(|(_, d)| d),
        last_face_to_face,
    }
}

/// The coach's (or the office's) list: every client with something due, earliest first, so the
/// most overdue lead; clients due on the same day keep a stable order by id.
pub fn due_list(clients: &[ClientFacts], today: Date, rules: &Rules) -> Vec<ClientDue> {
    let mut list: Vec<ClientDue> = clients
        .iter()
        .map(|facts| due(facts, today, rules))
        .filter(|d| !d.items.is_empty() || !d.missed.is_empty())
        .collect();
    crate::order::sort_by_key(&mut list, |d| (d.first_due(), d.client));
    list
}
