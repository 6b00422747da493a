//! Starting records and naming them: what a new MSFAS or visit note is filled with, where a
//! record lives in the app, and which day it is about.

use crate::clock;
use crate::db::{Db, catalogue};
use std::collections::BTreeMap;
use yorisoi_domain::answer::Answer;
use yorisoi_domain::carry;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::instrument::{RecordKind, Role};
use yorisoi_domain::record::Record;

/// Creates a record of the newest version of `instrument` for `client`, prefilled from what the
/// app already knows, and returns the path of its page.
pub fn start(db: Db, client: ClientId, instrument: &str) -> Option<String> {
    start_with(db, client, instrument, BTreeMap::new())
}

/// Like [`start`], and then the answers the definition carries over (`"carry": true`) are copied
/// from the client's last record of the same instrument (`domain::carry`); the rest is asked
/// afresh. `None` if there is no last record.
pub fn start_from_last(db: Db, client: ClientId, instrument: &str) -> Option<String> {
    // The newest version not retired; the carried answers are matched by question id.
    let definition = crate::instruments::offered(instrument)?;
    let records = db.records_of(client);
    let last = carry::last_of(&records, instrument, day_of)?;
    let carried = carry::carry_from(definition, &catalogue().lists, last);
    start_with(db, client, instrument, carried)
}

fn start_with(
    db: Db,
    client: ClientId,
    instrument: &str,
    carried: BTreeMap<String, Answer>,
) -> Option<String> {
    // The newest version not retired; an existing record keeps the version it names.
    let definition = crate::instruments::offered(instrument)?;
    let profile = db.client(client)?;
    let now = clock::now_ms();
    let mut record = Record::new(clock::new_record_id(), client, definition, now);
    let mut prefill = |role: Role, answer: Option<Answer>| {
        if let (Some(key), Some(answer)) = (definition.role_key(role), answer) {
            record.set_answer(&key, Some(answer), now);
        }
    };
    prefill(
        Role::ClientName,
        Some(Answer::Text {
            lines: vec![profile.name.clone()],
        }),
    );
    prefill(
        Role::BirthDate,
        profile.birth_date.map(|value| Answer::Date { value }),
    );
    prefill(
        Role::VisitDate,
        Some(Answer::Date {
            value: clock::today(),
        }),
    );
    prefill(
        Role::StartTime,
        Some(Answer::Time {
            value: clock::time_of_day(),
        }),
    );
    prefill(
        Role::Workplace,
        Some(Answer::Text {
            lines: vec![last_workplace(db, client).unwrap_or(profile.workplace)],
        }),
    );
    for (key, answer) in carried {
        record.set_answer(&key, Some(answer), now);
    }
    let path = path(&record);
    db.put_record(record);
    Some(path)
}

/// The workplace written in the client's latest visit note: coaches usually return there.
fn last_workplace(db: Db, client: ClientId) -> Option<String> {
    db.records_of(client)
        .into_iter()
        .filter(|r| r.kind == RecordKind::VisitNote)
        .find_map(|r| {
            let key = catalogue().get(&r.instrument)?.role_key(Role::Workplace)?;
            match r.answers.get(&key)? {
                Answer::Text { lines } => lines.first().filter(|l| !l.trim().is_empty()).cloned(),
                _ => None,
            }
        })
}

pub fn path(record: &Record) -> String {
    let place = match record.kind {
        RecordKind::Assessment => "assessments",
        RecordKind::VisitNote => "notes",
    };
    format!("/clients/{}/{place}/{}", record.client, record.id)
}

/// The day a record is about: the visit, the consent, or else the day it was made.
pub fn day_of(record: &Record) -> String {
    crate::device::engine::synced::record_day(record)
        .map(|d| d.to_string())
        .unwrap_or_default()
}
