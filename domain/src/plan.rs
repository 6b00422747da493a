//! A client's follow-up plan: the phase of support, how often the person must be met, and when
//! the plan runs. Each part is one client field `plan.<part>` (like `consent.<purpose>`), so it
//! syncs, merges and is audited like every field: two people changing the same part offline meet
//! as a conflict a person resolves, and two people changing different parts both keep theirs.
//!
//! Versioning: each field's value is a small, closed JSON shape, frozen by the golden test below.
//! A new shape would be a new field name (`plan.<part>_v2`), so a value once stored is always read
//! the way it was written.

use crate::date::Date;
use crate::ids::ClientId;
use crate::sync::{Entity, Register, Replica};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Client fields `plan.phase`, `plan.face_to_face_per_month`, `plan.visits`, `plan.start`,
/// `plan.end`.
pub const PLAN_PREFIX: &str = "plan.";

/// The phase of support (visit note question `visit.phase` has the same ids).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// 集中支援期
    Intensive,
    /// 移行支援期 (fading)
    Transition,
    /// フォローアップ
    FollowUp,
}

/// The period a planned number of visits is counted over: the calendar week or month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Week,
    Month,
}

/// Planned face-to-face visits: `count` per calendar `per`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frequency {
    pub count: u8,
    pub per: Period,
}

impl Frequency {
    /// A count a week or a month can hold: 1..=7 a week (one a day), 1..=31 a month.
    pub fn check(&self) -> Result<(), String> {
        let most = match self.per {
            Period::Week => 7,
            Period::Month => 31,
        };
        if (1..=most).contains(&self.count) {
            Ok(())
        } else {
            Err(format!("planned visits must be 1 to {most} per {:?}", self.per).to_lowercase())
        }
    }
}

/// A client's plan with every part settled (what a person edits, and what `plan_fields` writes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub phase: Option<Phase>,
    /// Face-to-face contacts (訪問 or 来所) required in each calendar month, e.g. 1 for
    /// 就労定着支援. `None`: no monthly requirement.
    pub face_to_face_per_month: Option<u8>,
    /// Planned visits for the phase.
    pub visits: Option<Frequency>,
    /// The first and last day the plan applies (either open).
    pub start: Option<Date>,
    pub end: Option<Date>,
}

/// The parts of a plan, by field name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Phase,
    FaceToFacePerMonth,
    Visits,
    Start,
    End,
}

impl Part {
    pub const ALL: [Part; 5] = [
        Part::Phase,
        Part::FaceToFacePerMonth,
        Part::Visits,
        Part::Start,
        Part::End,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Phase => "phase",
            Part::FaceToFacePerMonth => "face_to_face_per_month",
            Part::Visits => "visits",
            Part::Start => "start",
            Part::End => "end",
        }
    }

    /// The part a client field names, if it is one of the plan's.
    pub fn of_field(field: &str) -> Option<Part> {
        let name = field.strip_prefix(PLAN_PREFIX)?;
        Part::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// The client field that holds this part.
    pub fn field(self) -> String {
        format!("{PLAN_PREFIX}{}", self.as_str())
    }
}

fn decode<T: DeserializeOwned>(value: &Value) -> Result<Option<T>, String> {
    Option::<T>::deserialize(value).map_err(|e| e.to_string())
}

/// Checks a plan field's value as a change carries it (`null` clears the part).
pub fn check_value(part: Part, value: &Value) -> Result<(), String> {
    match part {
        Part::Phase => decode::<Phase>(value).map(drop),
        Part::FaceToFacePerMonth => match decode::<u8>(value)? {
            Some(n) if !(1..=31).contains(&n) => {
                Err("face-to-face contacts per month must be 1 to 31".into())
            }
            _ => Ok(()),
        },
        Part::Visits => decode::<Frequency>(value)?.map_or(Ok(()), |f| f.check()),
        Part::Start | Part::End => decode::<Date>(value).map(drop),
    }
}

fn json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).expect("plan parts serialise")
}

/// The plan as client fields, for `sync::fields::changed_fields` (an unset part is `null`).
pub fn plan_fields(plan: &Plan) -> Vec<(String, Value)> {
    vec![
        (Part::Phase.field(), json(&plan.phase)),
        (
            Part::FaceToFacePerMonth.field(),
            json(&plan.face_to_face_per_month),
        ),
        (Part::Visits.field(), json(&plan.visits)),
        (Part::Start.field(), json(&plan.start)),
        (Part::End.field(), json(&plan.end)),
    ]
}

/// One part of a plan as a replica holds it: never silently one of two values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact<T> {
    /// Never set, or cleared.
    Unset,
    Known(T),
    /// Concurrent edits left more than one value (those that can be read, in device order): a
    /// person must choose. The due rules treat the part as unknown and say so.
    Conflict(Vec<T>),
}

impl<T> Fact<T> {
    /// The value if it is settled.
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(value) => Some(value),
            _ => None,
        }
    }

    pub fn is_conflict(&self) -> bool {
        matches!(self, Fact::Conflict(_))
    }

    pub fn from_register(register: Option<&Register>) -> Self
    where
        T: DeserializeOwned,
    {
        let Some(register) = register else {
            return Fact::Unset;
        };
        let mut values: Vec<T> = register
            .values()
            .filter(|(_, v)| !v.is_null())
            .filter_map(|(_, v)| T::deserialize(v).ok())
            .collect();
        if register.is_conflict() {
            Fact::Conflict(values)
        } else {
            values.pop().map_or(Fact::Unset, Fact::Known)
        }
    }
}

/// A client's plan as the replica holds it, every part with its conflicts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanView {
    pub phase: Fact<Phase>,
    pub face_to_face_per_month: Fact<u8>,
    pub visits: Fact<Frequency>,
    pub start: Fact<Date>,
    pub end: Fact<Date>,
}

impl Default for PlanView {
    fn default() -> Self {
        Self {
            phase: Fact::Unset,
            face_to_face_per_month: Fact::Unset,
            visits: Fact::Unset,
            start: Fact::Unset,
            end: Fact::Unset,
        }
    }
}

impl PlanView {
    /// Every part settled (a plan no one has disagreed on).
    pub fn settled(plan: &Plan) -> Self {
        fn fact<T: Clone>(value: &Option<T>) -> Fact<T> {
            value.clone().map_or(Fact::Unset, Fact::Known)
        }
        Self {
            phase: fact(&plan.phase),
            face_to_face_per_month: fact(&plan.face_to_face_per_month),
            visits: fact(&plan.visits),
            start: fact(&plan.start),
            end: fact(&plan.end),
        }
    }

    /// The parts in conflict.
    pub fn conflicts(&self) -> Vec<Part> {
        let conflicted = [
            self.phase.is_conflict(),
            self.face_to_face_per_month.is_conflict(),
            self.visits.is_conflict(),
            self.start.is_conflict(),
            self.end.is_conflict(),
        ];
        Part::ALL
            .into_iter()
            .zip(conflicted)
            .filter_map(|(part, c)| c.then_some(part))
            .collect()
    }

    /// The settled parts as a `Plan`, for an edit form (a part in conflict is left empty: the form
    /// shows both values for a person to choose).
    pub fn plan(&self) -> Plan {
        Plan {
            phase: self.phase.known().copied(),
            face_to_face_per_month: self.face_to_face_per_month.known().copied(),
            visits: self.visits.known().copied(),
            start: self.start.known().copied(),
            end: self.end.known().copied(),
        }
    }
}

/// `client`'s plan as `replica` holds it.
pub fn plan_from(replica: &Replica, client: ClientId) -> PlanView {
    let entity = Entity::Client(client);
    let field = |part: Part| replica.field(entity, &part.field());
    PlanView {
        phase: Fact::from_register(field(Part::Phase)),
        face_to_face_per_month: Fact::from_register(field(Part::FaceToFacePerMonth)),
        visits: Fact::from_register(field(Part::Visits)),
        start: Fact::from_register(field(Part::Start)),
        end: Fact::from_register(field(Part::End)),
    }
}

#[cfg(test)]
mod tests;
