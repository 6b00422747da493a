//! A client's consents (同意) as a field type: for what, given when and how, recorded by whom,
//! perhaps withdrawn. A leaf: the client record, the checks and the field codec use it; what a
//! consent blocks is in [`crate::privacy`].

use crate::date::Date;
use crate::ids::PersonId;
use serde::{Deserialize, Serialize};

/// What a client consents to. Each is one field of the client (`consent.<purpose>`), so two
/// people recording the same purpose offline meet as a conflict a person resolves, never as a
/// silent overwrite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Using the MSFAS and the visit records for the client's support.
    Support,
    /// Sharing them with the employer.
    Employer,
    /// Sharing them with other agencies (ハローワーク, 区市町村障害者就労支援センター).
    Agencies,
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::Support, Purpose::Employer, Purpose::Agencies];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Support => "support",
            Purpose::Employer => "employer",
            Purpose::Agencies => "agencies",
        }
    }

    pub fn parse(text: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The client field that holds this consent.
    pub fn field(self) -> String {
        format!("{CONSENT_PREFIX}{}", self.as_str())
    }
}

/// Client fields `consent.support`, `consent.employer`, `consent.agencies`.
pub const CONSENT_PREFIX: &str = "consent.";

/// How a consent was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// A signed paper form, kept by the agency.
    Paper,
    /// On the tablet, with the coach.
    Tablet,
}

/// One consent of a client: given on a day, recorded by someone, and perhaps withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    pub given_on: Date,
    pub method: Method,
    /// Who recorded it (their id, and their name as it was then, for the printed page).
    pub recorded_by: PersonId,
    pub recorded_by_name: String,
    /// The day it was withdrawn, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_on: Option<Date>,
}

impl Consent {
    /// Whether it holds (given and not withdrawn).
    pub fn holds(&self) -> bool {
        self.withdrawn_on.is_none()
    }

    /// Checks a consent as a change carries it: a withdrawal is not before the consent.
    pub fn check(&self) -> Result<(), String> {
        if let Some(withdrawn) = self.withdrawn_on
            && withdrawn < self.given_on
        {
            return Err("a consent cannot be withdrawn before the day it was given".into());
        }
        if self.recorded_by_name.trim().is_empty() {
            return Err("who recorded the consent is missing".into());
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A consent given on paper on 2026-04-01, withdrawn on the date given.
    pub(crate) fn consent(withdrawn: Option<&str>) -> Consent {
        Consent {
            given_on: "2026-04-01".parse().unwrap(),
            method: Method::Paper,
            recorded_by: PersonId(uuid::Uuid::nil()),
            recorded_by_name: "佐藤".into(),
            withdrawn_on: withdrawn.map(|d| d.parse().unwrap()),
        }
    }

    #[test]
    fn a_consent_is_not_withdrawn_before_it_was_given() {
        assert!(consent(Some("2026-03-31")).check().is_err());
        assert!(consent(Some("2026-04-01")).check().is_ok());
        assert_eq!(Purpose::parse("employer"), Some(Purpose::Employer));
        assert_eq!(Purpose::Agencies.field(), "consent.agencies");
    }
}
