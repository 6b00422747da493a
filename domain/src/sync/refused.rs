//! What a person needs to recognise a change of theirs that the server refused. A refusal often
//! comes just before the change's client leaves the device (the client moved to another coach:
//! the push is answered, then the hand-over deletes the client), so what the device knew of it
//! is kept with the refused change, sealed with it under the client's key.

use crate::date::Date;
use crate::instrument::InstrumentRef;
use serde::{Deserialize, Serialize};

/// The client and record a refused change was made on, as the device had them when the server
/// answered. The question's label and the value in words come from the instrument's definition
/// (compiled into the app) in whichever language the person reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusedContext {
    /// The client's name.
    #[serde(default)]
    pub client_name: String,
    /// The record's instrument (edition and version), for a change of a record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instrument: Option<InstrumentRef>,
    /// The record's day: its consent or visit date, else the day it was started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_day: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ClientId, DeviceId, RecordId};
    use crate::stored::{decode, encode};
    use crate::sync::check::Refusal;
    use crate::sync::local::RefusedChange;
    use crate::sync::{Change, ChangeId, Entity};
    use serde_json::json;

    fn refused(context: Option<RefusedContext>) -> RefusedChange {
        let device = DeviceId::new_v7(1_795_000_000_000, [1; 10]);
        RefusedChange {
            change: Change {
                id: ChangeId { device, seq: 7 },
                entity: Entity::Record(RecordId::new_v7(1_795_000_000_000, [4; 10])),
                client: ClientId::new_v7(1_795_000_000_000, [3; 10]),
                field: "answers.user1.q5".into(),
                base: vec![],
                value: json!({"type": "text", "value": "x"}),
            },
            refusal: Refusal::NotInScope,
            made_at: Some(5),
            context,
        }
    }

    /// An entry stored by the release before contexts reads (without one), and is written back
    /// exactly as it was; one with a context keeps it.
    #[test]
    fn a_refused_change_keeps_its_context_and_old_entries_still_read() {
        let old = refused(None);
        let text = encode(&old);
        assert!(!text.contains("context"), "{text}");
        assert_eq!(decode::<RefusedChange>(&text).unwrap(), old);

        let kept = refused(Some(RefusedContext {
            client_name: "山本 三郎".into(),
            instrument: Some(InstrumentRef {
                id: "msfas".into(),
                edition: "2006".into(),
                version: 1,
            }),
            record_day: "2026-05-01".parse().ok(),
        }));
        let text = encode(&kept);
        assert!(
            text.contains(r#""context":{"client_name":"山本 三郎","instrument":{"edition":"2006","id":"msfas","version":1},"record_day":"2026-05-01"}"#),
            "{text}"
        );
        assert_eq!(decode::<RefusedChange>(&text).unwrap(), kept);
    }
}
