//! The `report_shared` audit entries the server writes when it stores a monthly report's
//! `shared_person` / `shared_employer` part: one per change that alters the part's merged value
//! (a re-push of the same value, or a merge that leaves it as it was, writes none). The entry
//! names the month and who it was shared with, never the day or the sharer's name. No SQL here.

use std::collections::{BTreeMap, BTreeSet};
use yorisoi_domain::audit::{Action, Event};
use yorisoi_domain::ids::{ClientId, DeviceId, PersonId};
use yorisoi_domain::plan::Fact;
use yorisoi_domain::report::Part;
use yorisoi_domain::sync::{Change, Replica};

/// The report month and recipient a change's field names, if it is a share.
fn share_of(change: &Change) -> Option<(String, &'static str)> {
    match Part::of_field(&change.field)? {
        (month, Part::Shared(recipient)) => Some((month.to_string(), recipient.as_str())),
        _ => None,
    }
}

/// The share fields among `stored`, with the clients whose stored history of each is needed.
pub(super) fn share_fields(stored: &[&Change]) -> BTreeMap<String, BTreeSet<ClientId>> {
    let mut fields: BTreeMap<String, BTreeSet<ClientId>> = BTreeMap::new();
    for change in stored.iter().filter(|c| share_of(c).is_some()) {
        fields
            .entry(change.field.clone())
            .or_default()
            .insert(change.client);
    }
    fields
}

/// The entries for the share changes among `stored` (in order), given every change of those
/// fields already stored (`prior`, in the log's order). `person` on `device` made them.
pub(super) fn share_events(
    prior: &[Change],
    stored: &[&Change],
    person: PersonId,
    device: DeviceId,
) -> Vec<Event> {
    let mut replica = Replica::default();
    for change in prior {
        replica.apply(change);
    }
    let mut events = Vec::new();
    for &change in stored {
        let Some((month, recipient)) = share_of(change) else {
            continue;
        };
        let value = |replica: &Replica| {
            Fact::<serde_json::Value>::from_register(replica.field(change.entity, &change.field))
        };
        let before = value(&replica);
        replica.apply(change);
        if value(&replica) == before {
            continue;
        }
        let mut event = Event::new(Action::ReportShared);
        event.person = Some(person);
        event.device = Some(device);
        event.client = Some(change.client);
        event.entity = Some(change.entity.to_string());
        event.detail = vec![month, recipient.to_owned()];
        if change.value.is_null() {
            event.detail.push("cleared".to_owned());
        }
        events.push(event);
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use yorisoi_domain::sync::{ChangeId, Entity};

    fn change(seq: u64, field: &str, base: Vec<ChangeId>, value: serde_json::Value) -> Change {
        let client = ClientId::new_v7(1, [1; 10]);
        Change {
            id: ChangeId {
                device: DeviceId::new_v7(2, [2; 10]),
                seq,
            },
            entity: Entity::Client(client),
            client,
            field: field.into(),
            base,
            value,
        }
    }

    #[test]
    fn only_a_change_of_the_merged_value_is_audited() {
        let (person, device) = (PersonId::new_v7(3, [3; 10]), DeviceId::new_v7(2, [2; 10]));
        let field = "report.2026-12.shared_person";
        let share = json!({"on": "2026-12-28", "by": person, "by_name": "佐藤"});
        let first = change(1, field, vec![], share.clone());
        let same = change(2, field, vec![first.id], share.clone());
        let text = change(3, "report.2026-12.done", vec![], json!("x"));
        let cleared = change(4, field, vec![same.id], json!(null));
        let details = |events: Vec<Event>| -> Vec<Vec<String>> {
            events.into_iter().map(|e| e.detail).collect()
        };
        assert_eq!(
            details(share_events(&[], &[&first, &same, &text], person, device)),
            [["2026-12", "person"]],
            "the same value again is not a change"
        );
        assert!(share_events(std::slice::from_ref(&first), &[&same], person, device).is_empty());
        assert_eq!(
            details(share_events(&[first, same], &[&cleared], person, device)),
            [["2026-12", "person", "cleared"]]
        );
    }
}
