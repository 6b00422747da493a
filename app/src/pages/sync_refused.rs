//! The sync page's list of changes the server refused, each in words its maker recognises: the
//! client, the record (its form and day), the question and the value, as the print view writes
//! them. The client may have left the device since (a refusal often comes just before the
//! hand-over deletes it): then what was kept with the refusal says it. An entry kept by the
//! release before has no such context: it shows what it can, never a stored key or raw JSON.

use crate::components::{field_label, value_text};
use crate::db::{Db, catalogue, use_db};
use crate::i18n::{Key, Lang, text, tr, trn, use_i18n};
use leptos::prelude::*;
use serde_json::Value;
use yorisoi_domain::answer::Answer;
use yorisoi_domain::instrument::{Instrument, InstrumentRef};
use yorisoi_domain::sync::Entity;
use yorisoi_domain::sync::check::Refusal;
use yorisoi_domain::sync::fields::ANSWER_PREFIX;
use yorisoi_domain::sync::local::RefusedChange;

/// The refused changes, oldest first; nothing when there are none.
#[component]
pub fn RefusedList() -> impl IntoView {
    let db = use_db();
    let i18n = use_i18n();
    move || {
        let lang = i18n.lang.get();
        let mut all: Vec<RefusedChange> = db.refused.with(|r| r.values().cloned().collect());
        if all.is_empty() {
            return None;
        }
        yorisoi_domain::order::sort_by_key(&mut all, |r| (r.made_at, r.change.id));
        let items: Vec<_> = all
            .into_iter()
            .map(|refused| {
                let Described {
                    client,
                    record,
                    label,
                    value,
                } = describe(db, &refused, lang);
                let place = match record {
                    Some(record) => format!("{client} — {record}"),
                    None => client,
                };
                view! {
                    <li data-testid="refused-item">
                        <p class="refused-what" data-testid="refused-what">{place}</p>
                        <p class="refused-what" data-testid="refused-value">{label}"："{value}</p>
                        <p class="refused-why" data-testid="refused-why">{reason(&refused.refusal)}</p>
                    </li>
                }
            })
            .collect();
        Some(view! {
            <h2>{tr(Key::SyncRefusedTitle)}</h2>
            <p>{tr(Key::SyncRefusedIntro)}</p>
            <ul class="refused-list" data-testid="refused-list">{items}</ul>
        })
    }
}

/// A refused change as a person reads it.
struct Described {
    client: String,
    /// The record's form and day, for a change of a record.
    record: Option<String>,
    label: String,
    value: String,
}

/// What this tab holds of the change's client and record, else what was kept with the refusal.
fn describe(db: Db, refused: &RefusedChange, lang: Lang) -> Described {
    let change = &refused.change;
    let context = refused.context.as_ref();
    let client = db
        .client(change.client)
        .map(|c| c.name)
        .or_else(|| context.map(|c| c.client_name.clone()))
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| text(lang, Key::RefusedClientGone).to_owned());
    let live = match change.entity {
        Entity::Record(id) => db.record(id),
        Entity::Client(_) => None,
    };
    let reference = live
        .as_ref()
        .map(|r| r.instrument.clone())
        .or_else(|| context.and_then(|c| c.instrument.clone()));
    let instrument = match change.entity {
        Entity::Record(_) => reference
            .as_ref()
            .and_then(|r| catalogue().get(r))
            .or_else(|| guess_instrument(&change.field, &change.value)),
        Entity::Client(_) => None,
    };
    let day = live
        .as_ref()
        .map(crate::records::day_of)
        .or_else(|| context.and_then(|c| c.record_day).map(|d| d.to_string()))
        .unwrap_or_default();
    let record = matches!(change.entity, Entity::Record(_)).then(|| {
        let title = instrument.map_or_else(
            || text(lang, Key::RefusedRecord).to_owned(),
            |i| match lang {
                Lang::Ja => i.title.ja.clone(),
                Lang::En => i.title.en.clone(),
            },
        );
        format!("{title} {day}").trim().to_owned()
    });
    Described {
        client,
        record,
        label: label(instrument, &change.field, lang),
        value: value(instrument, &change.field, &change.value, lang),
    }
}

/// For an entry kept without its record's form: the newest form that has this question and
/// takes this answer.
fn guess_instrument(field: &str, value: &Value) -> Option<&'static Instrument> {
    let question = field.strip_prefix(ANSWER_PREFIX)?;
    let answer = serde_json::from_value::<Answer>(value.clone()).ok()?;
    catalogue()
        .instruments
        .iter()
        .filter(|i| {
            i.question(question).is_some_and(|q| {
                answer
                    .problems(&q.answer, &catalogue().lists)
                    .into_iter()
                    .all(|p| !matches!(p, yorisoi_domain::answer::AnswerProblem::WrongKind))
            })
        })
        .max_by(|a, b| (&a.edition, a.version).cmp(&(&b.edition, b.version)))
}

/// The item's name: the question's number and prompt; never the stored key.
fn label(instrument: Option<&Instrument>, field: &str, lang: Lang) -> String {
    let known = match field.strip_prefix(ANSWER_PREFIX) {
        Some(question) => instrument.and_then(|i| i.question(question)).is_some(),
        None => matches!(
            field,
            "status" | "answered_by" | "name" | "kana" | "birth_date" | "workplace" | "notes"
        ),
    };
    if known {
        return field_label(instrument, field, lang);
    }
    let key = if field.starts_with(ANSWER_PREFIX) {
        Key::RefusedAnswer
    } else if matches!(field, "instrument" | "kind" | "created_at") {
        Key::RefusedRecordStarted
    } else {
        Key::FieldOther
    };
    text(lang, key).to_owned()
}

/// The value in words (an answer as the print view writes it); never raw JSON.
fn value(instrument: Option<&Instrument>, field: &str, value: &Value, lang: Lang) -> String {
    let unshown = || text(lang, Key::RefusedValueUnshown).to_owned();
    if field == "instrument" {
        return serde_json::from_value::<InstrumentRef>(value.clone())
            .ok()
            .and_then(|r| catalogue().get(&r).or_else(|| catalogue().latest(&r.id)))
            .map_or_else(unshown, |i| match lang {
                Lang::Ja => i.title.ja.clone(),
                Lang::En => i.title.en.clone(),
            });
    }
    if let Some(question) = field.strip_prefix(ANSWER_PREFIX)
        && instrument.and_then(|i| i.question(question)).is_none()
    {
        // Without the question, only what reads the same whatever it asked.
        return match serde_json::from_value::<Answer>(value.clone()) {
            Ok(Answer::Text { lines }) => lines.join("\n"),
            Ok(Answer::Date { value }) => value.to_string(),
            Ok(Answer::Time { value }) => value,
            Ok(Answer::Number { value }) => value.to_string(),
            _ => match value {
                Value::Null => text(lang, Key::ConflictEmpty).to_owned(),
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => unshown(),
            },
        };
    }
    // An answer to a known question is in words (as the print view writes it); any other
    // object is nothing a person could read.
    let readable = match value {
        Value::Object(_) | Value::Array(_) => {
            field.starts_with(ANSWER_PREFIX)
                && serde_json::from_value::<Answer>(value.clone()).is_ok()
        }
        _ => true,
    };
    if readable {
        value_text(instrument, field, value, lang)
    } else {
        unshown()
    }
}

/// Why the server set a change aside, in words a person can act on.
fn reason(refusal: &Refusal) -> String {
    match refusal {
        Refusal::WrongClient => tr(Key::RefusedWrongClient)().to_owned(),
        Refusal::UnknownField { .. } => tr(Key::RefusedUnknownField)().to_owned(),
        Refusal::BadValue { reason, .. } => trn(Key::RefusedBadValue, reason),
        Refusal::UnknownInstrument { .. } => tr(Key::RefusedUnknownInstrument)().to_owned(),
        Refusal::UnpublishedInstrument { .. } => tr(Key::RefusedUnpublishedInstrument)().to_owned(),
        Refusal::RetiredInstrument { .. } => tr(Key::RefusedRetiredInstrument)().to_owned(),
        Refusal::NoInstrument => tr(Key::RefusedNoInstrument)().to_owned(),
        Refusal::InstrumentChanged => tr(Key::RefusedInstrumentChanged)().to_owned(),
        Refusal::NotInScope => tr(Key::RefusedNotInScope)().to_owned(),
        Refusal::UseStopped => tr(Key::RefusedUseStopped)().to_owned(),
        Refusal::Erased => tr(Key::RefusedErased)().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shown(field: &str, stored: Value) -> (String, String) {
        let instrument = guess_instrument(field, &stored);
        (
            label(instrument, field, Lang::Ja),
            value(instrument, field, &stored, Lang::Ja),
        )
    }

    /// An entry kept by the release before (no context: its client and record are gone) still
    /// names the question and the value in words where the forms tell them, and otherwise says
    /// so plainly: never the stored key, an option's id or JSON.
    #[test]
    fn an_entry_without_context_shows_words_never_keys_or_json() {
        let (label, value) = shown(
            "answers.user1.q3",
            json!({"type": "single", "choice": "ask_supervisor"}),
        );
        assert!(label.contains("疲れを感じた時に"), "{label}");
        assert_eq!(value, "休憩を取ってよいか、上司に聞く");
        let (label, value) = shown(
            "answers.user1.q2",
            json!({"type": "text", "lines": ["午後の作業", "", ""]}),
        );
        assert!(label.contains("疲れが生じやすい"), "{label}");
        assert!(value.starts_with("午後の作業"), "{value}");
        for (field, stored) in [
            (
                "answers.nowhere.q9",
                json!({"type": "single", "choice": "x_id"}),
            ),
            (
                "consent.support",
                json!({"given": "2026-11-20", "method": "paper"}),
            ),
            ("answers.user1.q3", json!({"broken": true})),
        ] {
            let (label, value) = shown(field, stored);
            let both = format!("{label} {value}");
            for internal in [field, "x_id", "{", "\""] {
                assert!(!both.contains(internal), "{field}: {both}");
            }
        }
    }
}
