//! The monthly 支援レポート: for a client and a calendar month, a summary of that month's visit
//! notes (contacts by mode, what was done, the person's state, next steps) that the coach edits,
//! marks final, then marks as shared with the person (本人) and, with consent, the employer.
//!
//! Storage: each part is one client field `report.<YYYY-MM>.<part>` (like `plan.<part>` and
//! `consent.<purpose>`), so a report syncs, merges per part and shows its history like every
//! field, and the server checks each value's shape. A report is one per client and month, has
//! no questions of its own to version, and its numbers are always recomputed from the notes, so
//! it is not an instrument record. The shapes are small and closed; a new shape would be a new
//! part name.

pub mod activity;
pub mod held;
mod month;
mod summary;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_activity;

pub use month::Month;
pub use summary::{MODES, NoteLine, Summary, draft, summary};

use crate::date::Date;
use crate::ids::{ClientId, PersonId};
use crate::plan::Fact;
use crate::privacy::Purpose;
use crate::record::Client;
use crate::sync::{Entity, Replica};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Client fields `report.<YYYY-MM>.<part>`.
pub const REPORT_PREFIX: &str = "report.";

/// The longest text part a report holds (characters).
pub const MAX_TEXT: usize = 8000;

/// Who a report is shared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// 本人
    Person,
    /// 事業主 (the employer): only with the client's consent to share with the employer.
    Employer,
}

impl Recipient {
    pub const ALL: [Recipient; 2] = [Recipient::Person, Recipient::Employer];

    pub fn as_str(self) -> &'static str {
        match self {
            Recipient::Person => "person",
            Recipient::Employer => "employer",
        }
    }
}

/// The parts of a report, by field name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// What was done (text).
    Done,
    /// The person's state (text).
    State,
    /// Next steps (text).
    Next,
    /// Marked final: the coach has checked it ([`Finalised`]).
    Final,
    /// Shared with someone ([`Share`]).
    Shared(Recipient),
}

impl Part {
    pub const ALL: [Part; 6] = [
        Part::Done,
        Part::State,
        Part::Next,
        Part::Final,
        Part::Shared(Recipient::Person),
        Part::Shared(Recipient::Employer),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Done => "done",
            Part::State => "state",
            Part::Next => "next",
            Part::Final => "final",
            Part::Shared(Recipient::Person) => "shared_person",
            Part::Shared(Recipient::Employer) => "shared_employer",
        }
    }

    /// The client field that holds this part of `month`'s report.
    pub fn field(self, month: Month) -> String {
        format!("{REPORT_PREFIX}{month}.{}", self.as_str())
    }

    /// The month and part a client field names, if it is a report's.
    pub fn of_field(field: &str) -> Option<(Month, Part)> {
        let rest = field.strip_prefix(REPORT_PREFIX)?;
        let (month, part) = rest.split_once('.')?;
        let month = month.parse().ok()?;
        let part = Part::ALL.into_iter().find(|p| p.as_str() == part)?;
        Some((month, part))
    }
}

/// Who marked a report final, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finalised {
    pub on: Date,
    pub by: PersonId,
    pub by_name: String,
}

/// A report shared with someone: the day, and who shared it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub on: Date,
    pub by: PersonId,
    pub by_name: String,
}

fn decode<T: DeserializeOwned>(value: &Value) -> Result<Option<T>, String> {
    Option::<T>::deserialize(value).map_err(|e| e.to_string())
}

fn named(name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        Err("who did it is missing".into())
    } else {
        Ok(())
    }
}

/// Checks a report part's value as a change carries it (`null` clears it).
pub fn check_value(month: Month, part: Part, value: &Value) -> Result<(), String> {
    match part {
        Part::Done | Part::State | Part::Next => match decode::<String>(value)? {
            Some(text) if text.chars().count() > MAX_TEXT => Err(format!(
                "a report's text holds at most {MAX_TEXT} characters"
            )),
            _ => Ok(()),
        },
        Part::Final => decode::<Finalised>(value)?.map_or(Ok(()), |f| {
            if f.on < month.first() {
                return Err("a report cannot be final before its month begins".into());
            }
            named(&f.by_name)
        }),
        Part::Shared(_) => decode::<Share>(value)?.map_or(Ok(()), |s| {
            if s.on < month.first() {
                return Err("a report cannot be shared before its month begins".into());
            }
            named(&s.by_name)
        }),
    }
}

/// A client's report for a month as the replica holds it, every part with its conflicts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportView {
    pub month: Month,
    pub done: Fact<String>,
    pub state: Fact<String>,
    pub next: Fact<String>,
    pub finalised: Fact<Finalised>,
    pub shared_person: Fact<Share>,
    pub shared_employer: Fact<Share>,
}

impl ReportView {
    /// Whether any part was ever written (a report no one has started is drafted from the notes).
    pub fn started(&self) -> bool {
        [&self.done, &self.state, &self.next]
            .iter()
            .any(|f| !matches!(f, Fact::Unset))
    }

    pub fn shared(&self, recipient: Recipient) -> &Fact<Share> {
        match recipient {
            Recipient::Person => &self.shared_person,
            Recipient::Employer => &self.shared_employer,
        }
    }

    /// The parts in conflict.
    pub fn conflicts(&self) -> Vec<Part> {
        let conflicted = [
            self.done.is_conflict(),
            self.state.is_conflict(),
            self.next.is_conflict(),
            self.finalised.is_conflict(),
            self.shared_person.is_conflict(),
            self.shared_employer.is_conflict(),
        ];
        Part::ALL
            .into_iter()
            .zip(conflicted)
            .filter_map(|(part, c)| c.then_some(part))
            .collect()
    }
}

/// `client`'s report for `month` as `replica` holds it.
pub fn report_from(replica: &Replica, client: ClientId, month: Month) -> ReportView {
    let entity = Entity::Client(client);
    let field = |part: Part| replica.field(entity, &part.field(month));
    ReportView {
        month,
        done: Fact::from_register(field(Part::Done)),
        state: Fact::from_register(field(Part::State)),
        next: Fact::from_register(field(Part::Next)),
        finalised: Fact::from_register(field(Part::Final)),
        shared_person: Fact::from_register(field(Part::Shared(Recipient::Person))),
        shared_employer: Fact::from_register(field(Part::Shared(Recipient::Employer))),
    }
}

/// Why a report may not be marked shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShareRefused {
    #[error("the report is not final yet: check it and mark it final first")]
    NotFinal,
    #[error("parts of the report are in conflict: choose the values first")]
    InConflict,
    #[error("the client has not consented to sharing with the employer")]
    NoEmployerConsent,
    #[error("the client withdrew the consent to sharing with the employer")]
    EmployerConsentWithdrawn,
    #[error("the day it was shared is before the report's month")]
    BeforeMonth,
}

/// Whether `report` may be marked shared with `recipient` on `on`: final, free of conflicts, and
/// for the employer only while the client's consent to share with the employer holds.
pub fn may_share(
    report: &ReportView,
    client: &Client,
    recipient: Recipient,
    on: Date,
) -> Result<(), ShareRefused> {
    if !report.conflicts().is_empty() {
        return Err(ShareRefused::InConflict);
    }
    if report.finalised.known().is_none() {
        return Err(ShareRefused::NotFinal);
    }
    if on < report.month.first() {
        return Err(ShareRefused::BeforeMonth);
    }
    if recipient == Recipient::Employer {
        match client.consents.get(&Purpose::Employer) {
            None => return Err(ShareRefused::NoEmployerConsent),
            Some(consent) if !consent.holds() => {
                return Err(ShareRefused::EmployerConsentWithdrawn);
            }
            Some(_) => {}
        }
    }
    Ok(())
}
