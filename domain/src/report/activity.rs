//! Activity counts for the office (the CommCare "worker activity" of a job-coach office): per
//! coach and month, contacts by mode and phase, planned against actual face-to-face visits, and
//! the clients with no face-to-face contact in the month.
//!
//! The device does not hold assignments, so a contact counts for the coach its note names (the
//! first name in ジョブコーチ・同行者), and a client belongs to the coach named in their newest note
//! up to the month's end. A client is counted in a month when their plan is in force on some day
//! of it, or a note is dated in it.

use super::Month;
use super::summary::MODES;
use crate::date::{Date, Weekday};
use crate::due::note_of_record;
use crate::ids::ClientId;
use crate::plan::{Period, Phase, Plan};
use crate::record::Record;
use std::collections::{BTreeMap, BTreeSet};

/// The question naming the coaches of a visit.
pub const STAFF: &str = "visit.staff";

pub const PHASES: [Phase; 3] = [Phase::Intensive, Phase::Transition, Phase::FollowUp];

/// One coach's month.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoachMonth {
    /// As the notes name them; empty when a note names no one.
    pub coach: String,
    /// Contacts by mode, in the order of [`MODES`].
    pub by_mode: [u32; 4],
    pub no_mode: u32,
    /// Contacts by phase, in the order of [`PHASES`].
    pub by_phase: [u32; 3],
    pub no_phase: u32,
    /// Face-to-face visits the plans of the coach's clients ask for this month.
    pub planned: u32,
    /// Face-to-face contacts (訪問 and 来所) with the coach's clients this month.
    pub face_to_face: u32,
    /// The coach's clients counted this month.
    pub clients: Vec<ClientId>,
    /// Those of them with no face-to-face contact in the month.
    pub without_face_to_face: Vec<ClientId>,
}

impl CoachMonth {
    pub fn contacts(&self) -> u32 {
        self.by_mode.iter().sum::<u32>() + self.no_mode
    }
}

/// The coach a note names: the first name in its staff field (names split at 、 , ・ / or a new
/// line), trimmed; empty when it names no one.
pub fn coach_of(record: &Record) -> String {
    match record.answers.get(STAFF) {
        Some(crate::answer::Answer::Text { lines }) => coach_of_lines(lines),
        _ => String::new(),
    }
}

/// The first name in a staff field's lines (see [`coach_of`]).
pub fn coach_of_lines(lines: &[String]) -> String {
    lines
        .iter()
        .flat_map(|line| line.split(['、', ',', '，', '・', '/', '／']))
        .map(str::trim)
        .find(|name| !name.is_empty())
        .unwrap_or_default()
        .to_owned()
}

/// Each client's coach: the one named in their newest visit note dated on or before `until`.
pub fn coaches(records: &[Record], until: Date) -> BTreeMap<ClientId, String> {
    let mut newest: BTreeMap<ClientId, (Date, crate::ids::RecordId, String)> = BTreeMap::new();
    for record in records {
        let Some(note) = note_of_record(record) else {
            continue;
        };
        let Some(date) = note.date.known().copied().filter(|d| *d <= until) else {
            continue;
        };
        let key = (date, record.id);
        let entry = newest.get(&record.client);
        if entry.is_none_or(|(d, id, _)| (*d, *id) < key) {
            newest.insert(record.client, (date, record.id, coach_of(record)));
        }
    }
    crate::order::map_of(newest.into_iter().map(|(c, (_, _, name))| (c, name)))
}

/// Whether `plan` is in force on some day of `month`.
pub fn in_force_in(plan: &Plan, month: Month) -> bool {
    plan.start.is_none_or(|start| start <= month.last())
        && plan.end.is_none_or(|end| end >= month.first())
}

/// The face-to-face visits `plan` asks for in `month`: a monthly count as it is, a weekly count
/// once for every week that starts (on Monday) in the month; `None` when it asks for none then.
pub fn planned_in(plan: &Plan, month: Month) -> Option<u32> {
    let visits = plan.visits?;
    if !in_force_in(plan, month) {
        return None;
    }
    Some(match visits.per {
        Period::Month => u32::from(visits.count),
        Period::Week => {
            let mondays = (0..i64::from(month.first().days_in_month()))
                .filter_map(|d| month.first().add_days(d))
                .filter(|d| d.weekday() == Weekday::Monday)
                .count() as u32;
            u32::from(visits.count) * mondays
        }
    })
}

/// Every coach's counts for `month`, by coach name (a coach with no name last).
pub fn activity(
    records: &[Record],
    plans: &BTreeMap<ClientId, Plan>,
    month: Month,
) -> Vec<CoachMonth> {
    let coach_of_client = coaches(records, month.last());
    let mut rows: BTreeMap<String, CoachMonth> = BTreeMap::new();
    let mut met: BTreeSet<ClientId> = BTreeSet::new();
    let mut active: BTreeSet<ClientId> = crate::order::set_of(
        plans
            .iter()
            .filter(|(_, plan)| in_force_in(plan, month))
            .map(|(client, _)| *client),
    );
    for record in records {
        let Some(note) = note_of_record(record) else {
            continue;
        };
        let Some(_) = note.date.known().filter(|d| month.contains(**d)) else {
            continue;
        };
        active.insert(record.client);
        let coach = coach_of(record);
        let row = rows.entry(coach.clone()).or_default();
        match note.mode.known() {
            Some(mode) => {
                let i = MODES
                    .iter()
                    .position(|m| m == mode)
                    .expect("every mode is listed");
                row.by_mode[i] += 1;
                if mode.face_to_face() {
                    row.face_to_face += 1;
                    met.insert(record.client);
                }
            }
            None => row.no_mode += 1,
        }
        match note.phase.known() {
            Some(phase) => {
                let i = PHASES
                    .iter()
                    .position(|p| p == phase)
                    .expect("every phase is listed");
                row.by_phase[i] += 1;
            }
            None => row.no_phase += 1,
        }
    }
    for client in active {
        let coach = coach_of_client.get(&client).cloned().unwrap_or_default();
        let row = rows.entry(coach).or_default();
        row.clients.push(client);
        if !met.contains(&client) {
            row.without_face_to_face.push(client);
        }
        if let Some(planned) = plans.get(&client).and_then(|p| planned_in(p, month)) {
            row.planned += planned;
        }
    }
    let mut rows: Vec<CoachMonth> = rows
        .into_iter()
        .map(|(coach, mut row)| {
            row.coach = coach;
            row
        })
        .collect();
    crate::order::sort_by_key(&mut rows, |r| (r.coach.is_empty(), r.coach.clone()));
    rows
}
