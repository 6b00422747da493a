//! What a push's changes come to, before anything is written: which are stored, which are set
//! aside (with why), and what its notes and consents say for the audit log. No SQL here.

use super::database::entity_key;
use super::instruments::InUseCatalogue;
use super::scope::Scope;
use std::collections::{BTreeMap, BTreeSet};
use yorisoi_domain::accounts::Role;
use yorisoi_domain::audit::{Action, Event, Note};
use yorisoi_domain::consent::{CONSENT_PREFIX, Consent, Purpose as ConsentPurpose};
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::instrument::InstrumentRef;
use yorisoi_domain::sync::Change;
use yorisoi_domain::sync::check::{Known, Refusal, check};

/// A push's fresh changes, checked in order.
pub(super) struct Sorted<'a> {
    /// The ones to store.
    pub(super) stored: Vec<&'a Change>,
    /// The entities whose known facts they change.
    pub(super) touched: BTreeMap<String, Known>,
    /// The ones to set aside, with why.
    pub(super) refused: Vec<(&'a Change, Refusal)>,
}

/// Checks each change against the instrument versions in use (`instruments`, read from the
/// table in the same transaction): a record of a draft version is set aside as unpublished.
pub(super) fn sort_out<'a>(
    fresh: Vec<&'a Change>,
    mut known: BTreeMap<String, Known>,
    instruments: &InUseCatalogue,
    may_write: impl Fn(ClientId) -> bool,
) -> Sorted<'a> {
    let mut sorted = Sorted {
        stored: Vec::new(),
        touched: BTreeMap::new(),
        refused: Vec::new(),
    };
    for change in fresh {
        if !may_write(change.client) {
            sorted.refused.push((change, Refusal::NotInScope));
            continue;
        }
        let key = entity_key(change.entity);
        match check(change, known.get(&key), &instruments.catalogue)
            .map_err(|refusal| unpublished(change, refusal, instruments))
        {
            Ok(after) => {
                if known.get(&key) != Some(&after) {
                    sorted.touched.insert(key.clone(), after.clone());
                    known.insert(key, after);
                }
                sorted.stored.push(change);
            }
            Err(refusal) => sorted.refused.push((change, refusal)),
        }
    }
    sorted
}

/// A refusal of an unknown instrument that is a draft here says so.
fn unpublished(change: &Change, refusal: Refusal, instruments: &InUseCatalogue) -> Refusal {
    match refusal {
        Refusal::UnknownInstrument { instrument }
            if serde_json::from_value::<InstrumentRef>(change.value.clone())
                .is_ok_and(|r| instruments.drafts.contains(&r)) =>
        {
            Refusal::UnpublishedInstrument { instrument }
        }
        other => other,
    }
}

/// What a push's notes and stored changes say for the audit log: each note an access by the
/// pusher on their device (a note that is not one is set aside with why), and each consent
/// stored a consent change (which purpose, and whether given or withdrawn; never the dates).
pub(super) fn audit_events<'a>(
    notes: &[&'a Change],
    stored: &[&'a Change],
    by: &Scope,
    refused: &mut Vec<(&'a Change, Refusal)>,
) -> Vec<Event> {
    let mut events = Vec::new();
    let event = |action: Action, change: &Change| {
        let mut event = Event::new(action);
        event.person = Some(by.person);
        event.device = Some(by.device);
        event.client = Some(change.client);
        event.entity = Some(change.entity.to_string());
        event
    };
    for &change in notes {
        match Note::from_value(&change.value) {
            Ok(note) => {
                let mut event = event(note.action, change);
                event.device_at = Some(note.at);
                event.detail = note.detail;
                events.push(event);
            }
            Err(reason) => refused.push((
                change,
                Refusal::BadValue {
                    field: change.field.clone(),
                    reason,
                },
            )),
        }
    }
    for &change in stored {
        let Some(purpose) = change
            .field
            .strip_prefix(CONSENT_PREFIX)
            .and_then(ConsentPurpose::parse)
        else {
            continue;
        };
        let state = match serde_json::from_value::<Option<Consent>>(change.value.clone()) {
            Ok(Some(consent)) if consent.holds() => "given",
            Ok(Some(_)) => "withdrawn",
            _ => "cleared",
        };
        let mut event = event(Action::ConsentChanged, change);
        event.detail = vec![purpose.as_str().to_owned(), state.to_owned()];
        events.push(event);
    }
    events
}

/// The notes of a push that are about a client its pusher may write: the office any, a coach
/// theirs (`noted`, stopped ones too: a note of an access before the stop still counts) or one
/// this push creates, an administrator none. The others are set aside like any change.
pub(super) fn notes_in_scope<'a>(
    notes: Vec<&'a Change>,
    by: &Scope,
    noted: &BTreeSet<ClientId>,
    created: &BTreeSet<ClientId>,
    refused: &mut Vec<(&'a Change, Refusal)>,
) -> Vec<&'a Change> {
    let (kept, out): (Vec<&Change>, Vec<&Change>) =
        notes.into_iter().partition(|note| match by.role {
            Role::Office => true,
            Role::Admin => false,
            Role::Coach => noted.contains(&note.client) || created.contains(&note.client),
        });
    refused.extend(out.into_iter().map(|note| (note, Refusal::NotInScope)));
    kept
}

/// A change set aside as the quarantine keeps it: whole, but for an erased client, of whom
/// nothing but ids is kept.
pub(super) fn set_aside_body(change: &Change, refusal: &Refusal) -> String {
    if *refusal == Refusal::Erased {
        let mut ids_only = change.clone();
        ids_only.value = serde_json::Value::Null;
        return serde_json::to_string(&ids_only).expect("changes serialize");
    }
    serde_json::to_string(change).expect("changes serialize")
}
