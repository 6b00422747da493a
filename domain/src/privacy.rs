//! 利用停止 (stop use), erase and disclosure (開示) as the server and the app exchange them, and
//! the rules both read: what a missing or withdrawn consent ([`crate::consent`]) blocks.

use crate::audit::Entry;
use crate::ids::{ClientId, PersonId};
use crate::record::{Client, Record};
use crate::sync::protocol::Pulled;
use crate::sync::quarantine::SetAside;
use serde::{Deserialize, Serialize};

// The consent types live in `consent` (a leaf the record and the checks use); named here too, as
// they were before, for code that reads them beside the rules below.
pub use crate::consent::{CONSENT_PREFIX, Consent, Method, Purpose};

/// What the state of a client's consents blocks, in the order the app says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    /// No consent to use the records for support: an MSFAS cannot be completed.
    NoSupportConsent,
    /// The consent to use them was withdrawn: nothing new may be completed, and an administrator
    /// should stop use (利用停止).
    SupportWithdrawn,
    /// Not to be shared with the employer.
    NoEmployerSharing,
    /// Not to be shared with other agencies.
    NoAgencySharing,
}

/// What `client`'s consents block now.
pub fn blocks(client: &Client) -> Vec<Block> {
    let mut blocks = Vec::new();
    match client.consents.get(&Purpose::Support) {
        None => blocks.push(Block::NoSupportConsent),
        Some(consent) if !consent.holds() => blocks.push(Block::SupportWithdrawn),
        Some(_) => {}
    }
    if !client
        .consents
        .get(&Purpose::Employer)
        .is_some_and(Consent::holds)
    {
        blocks.push(Block::NoEmployerSharing);
    }
    if !client
        .consents
        .get(&Purpose::Agencies)
        .is_some_and(Consent::holds)
    {
        blocks.push(Block::NoAgencySharing);
    }
    blocks
}

/// Whether an assessment of `client` may be completed as far as the client's consents go: not
/// after the consent to use the records was withdrawn. (A client with no consent recorded here
/// may still be completed with the consent date on the MSFAS cover, as on paper.)
pub fn may_complete(client: &Client) -> bool {
    !blocks(client).contains(&Block::SupportWithdrawn)
}

/// Where a client's use stands on the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Halt {
    /// 利用停止: kept for the retention period, served to no device.
    Stopped,
    /// Erased: nothing of it is left but ids.
    Erased,
}

/// A client whose use is stopped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stopped {
    pub client: ClientId,
    pub stopped_at: i64,
    pub stopped_by: Option<PersonId>,
    /// Until when its data is kept (then it may be erased).
    pub retain_until: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased_by: Option<PersonId>,
}

/// The second confirmation of an erase: the client's name, typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erase {
    pub name: String,
}

/// What an erase deleted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erased {
    pub client: ClientId,
    pub changes: u64,
    pub entities: u64,
    pub set_aside: u64,
}

/// Everything held about one client (開示), as one JSON document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Disclosure {
    pub format: u32,
    pub client: ClientId,
    /// When it was made (the server's clock, ms).
    pub made_at: i64,
    /// The profile as it stands (with its consents), if it has one.
    pub profile: Option<Client>,
    pub records: Vec<Record>,
    /// Every change of the client, oldest first: who wrote what, when.
    pub history: Vec<Pulled>,
    /// Changes of the client the server set aside, with why.
    pub set_aside: Vec<SetAside>,
    /// The coaches assigned to the client.
    pub coaches: Vec<PersonId>,
    pub stopped: Option<Stopped>,
    /// Who accessed the client's data, when: every audit entry naming the client, oldest first.
    pub audit: Vec<Entry>,
    /// The follow-up plan as it stands, part by part (`phase`, `face_to_face_per_month`, ...).
    #[serde(default)]
    pub plan: Held,
    /// The monthly 支援レポート, by month (`YYYY-MM`), part by part (`done`, `state`, `next`,
    /// `final`, `shared_person`, `shared_employer`).
    #[serde(default)]
    pub reports: std::collections::BTreeMap<String, Held>,
}

/// Client fields as held, by part: every value the merged field holds (more than one when two
/// people's edits are in conflict; a part cleared or never set is left out).
pub type Held = std::collections::BTreeMap<String, Vec<serde_json::Value>>;

/// The disclosure document's format.
pub const DISCLOSURE_FORMAT: u32 = 1;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::tests::consent;

    fn client() -> Client {
        Client {
            id: ClientId::new_v7(1_795_000_000_000, [1; 10]),
            name: "山田 花子".into(),
            kana: String::new(),
            birth_date: None,
            workplace: String::new(),
            notes: String::new(),
            consents: Default::default(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn a_withdrawn_consent_to_use_blocks_completion_and_a_missing_one_says_so() {
        let mut c = client();
        assert!(blocks(&c).contains(&Block::NoSupportConsent));
        assert!(
            may_complete(&c),
            "the MSFAS cover's consent date still serves"
        );
        c.consents.insert(Purpose::Support, consent(None));
        assert!(!blocks(&c).contains(&Block::NoSupportConsent));
        assert!(may_complete(&c));
        c.consents
            .insert(Purpose::Support, consent(Some("2026-06-01")));
        assert!(blocks(&c).contains(&Block::SupportWithdrawn));
        assert!(!may_complete(&c));
    }

    #[test]
    fn sharing_is_blocked_until_consented() {
        let mut c = client();
        assert!(blocks(&c).contains(&Block::NoEmployerSharing));
        c.consents.insert(Purpose::Employer, consent(None));
        assert!(!blocks(&c).contains(&Block::NoEmployerSharing));
        assert!(blocks(&c).contains(&Block::NoAgencySharing));
    }

    #[test]
    fn a_consent_travels_as_one_field_of_the_client_and_the_server_checks_it() {
        use crate::sync::check::{Refusal, check};
        use crate::sync::fields::{client_fields, client_from};
        use crate::sync::{Change, ChangeId, Entity, Replica};
        let mut c = client();
        c.consents
            .insert(Purpose::Employer, consent(Some("2026-05-01")));
        let device = crate::ids::DeviceId(uuid::Uuid::nil());
        let catalogue = crate::catalogue::Catalogue::builtin().unwrap();
        let mut replica = Replica::default();
        for (n, (field, value)) in client_fields(&c).into_iter().enumerate() {
            let change = Change {
                id: ChangeId {
                    device,
                    seq: n as u64 + 1,
                },
                entity: Entity::Client(c.id),
                client: c.id,
                field,
                base: Vec::new(),
                value,
            };
            check(&change, None, &catalogue).unwrap();
            replica.apply(&change);
        }
        assert_eq!(client_from(&replica, c.id, 0).unwrap().consents, c.consents);
        let change = |field: &str, value: serde_json::Value| Change {
            id: ChangeId { device, seq: 99 },
            entity: Entity::Client(c.id),
            client: c.id,
            field: field.into(),
            base: Vec::new(),
            value,
        };
        let backwards = serde_json::to_value(consent(Some("2026-01-01"))).unwrap();
        assert!(matches!(
            check(&change("consent.support", backwards), None, &catalogue),
            Err(Refusal::BadValue { .. })
        ));
        let fine = serde_json::to_value(consent(None)).unwrap();
        assert!(matches!(
            check(&change("consent.landlord", fine), None, &catalogue),
            Err(Refusal::UnknownField { .. })
        ));
        assert!(
            check(
                &change("consent.support", serde_json::Value::Null),
                None,
                &catalogue
            )
            .is_ok()
        );
    }
}
