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
use yorisoi_domain::plan::Fact;
use yorisoi_domain::report::{Part, Recipient};
use yorisoi_domain::sync::check::{Known, Refusal, check};
use yorisoi_domain::sync::{Change, Entity, Replica};

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
/// pusher on their device (a note that is not one is set aside with why), each consent stored a
/// consent change (which purpose, and whether given or withdrawn; never the dates), and each
/// follow-up plan part stored a plan change (which part; never its value).
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
        if let Some(part) = yorisoi_domain::plan::Part::of_field(&change.field) {
            let mut event = event(Action::PlanChanged, change);
            event.detail = vec![part.as_str().to_owned()];
            events.push(event);
            continue;
        }
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

/// Whether a change marks a monthly report shared with the employer.
pub(super) fn is_employer_share(change: &Change) -> bool {
    !change.value.is_null()
        && yorisoi_domain::report::Part::of_field(&change.field)
            .is_some_and(|(_, part)| part == Part::Shared(Recipient::Employer))
}

/// Sets aside every report marked shared with the employer of a client whose consent to share
/// with the employer does not hold, as merged from the stored consent changes (`consents`, in
/// the log's order) and this push's own, earlier in it. A consent in conflict does not hold
/// until a person chooses. Returns the changes still to store.
pub(super) fn refuse_unconsented_shares<'a>(
    stored: Vec<&'a Change>,
    consents: &[Change],
    refused: &mut Vec<(&'a Change, Refusal)>,
) -> Vec<&'a Change> {
    let field = ConsentPurpose::Employer.field();
    let mut replica = Replica::default();
    for change in consents {
        replica.apply(change);
    }
    let mut kept = Vec::with_capacity(stored.len());
    for change in stored {
        if change.field == field {
            replica.apply(change);
        }
        if is_employer_share(change) {
            let register = replica.field(Entity::Client(change.client), &field);
            let holds = matches!(
                Fact::<Consent>::from_register(register),
                Fact::Known(consent) if consent.holds()
            );
            if !holds {
                refused.push((
                    change,
                    Refusal::BadValue {
                        field: change.field.clone(),
                        reason: "the client has not consented to sharing with the employer".into(),
                    },
                ));
                continue;
            }
        }
        kept.push(change);
    }
    kept
}
