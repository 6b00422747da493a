//! Conflict review: a field two people changed while offline shows both values side by side; the
//! person picks one or writes a merged value, and that resolution syncs like any edit.

use crate::db::{catalogue, use_db};
use crate::i18n::{Key, Lang, tr, trn, use_i18n};
use leptos::prelude::*;
use serde_json::Value;
use yorisoi_domain::answer::Answer;
use yorisoi_domain::export::answer_text;
use yorisoi_domain::instrument::Instrument;
use yorisoi_domain::record::{AnsweredBy, Status};
use yorisoi_domain::sync::Entity;
use yorisoi_domain::sync::fields::ANSWER_PREFIX;

/// What a field is called on screen: the question's prompt for an answer.
pub fn field_label(instrument: Option<&Instrument>, field: &str, lang: Lang) -> String {
    let key = |k: Key| crate::i18n::text(lang, k).to_owned();
    if let Some(question) = field
        .strip_prefix(ANSWER_PREFIX)
        .and_then(|q| instrument?.question(q))
    {
        let prompt = match lang {
            Lang::Ja => &question.prompt.ja,
            Lang::En => &question.prompt.en,
        };
        return match &question.number {
            Some(number) => format!("{number} {prompt}"),
            None => prompt.clone(),
        };
    }
    match field {
        "status" => key(Key::FieldStatus),
        "answered_by" => key(Key::AnsweredBy),
        "name" => key(Key::FieldName),
        "kana" => key(Key::FieldKana),
        "birth_date" => key(Key::FieldBirthDate),
        "workplace" => key(Key::FieldWorkplace),
        "notes" => key(Key::FieldNotes),
        _ => crate::support::plan_field_label(field, lang)
            .or_else(|| crate::support::report_field_label(field, lang))
            .unwrap_or_else(|| format!("{} ({field})", key(Key::FieldOther))),
    }
}

/// A field's value as a person reads it.
pub fn value_text(
    instrument: Option<&Instrument>,
    field: &str,
    value: &Value,
    lang: Lang,
) -> String {
    let key = |k: Key| crate::i18n::text(lang, k).to_owned();
    if value.is_null() {
        return key(Key::ConflictEmpty);
    }
    if let Some(question) = field
        .strip_prefix(ANSWER_PREFIX)
        .and_then(|q| instrument?.question(q))
        && let Ok(answer) = serde_json::from_value::<Answer>(value.clone())
    {
        let text = answer_text(&answer, &question.answer, &catalogue().lists, lang.into());
        return if text.trim().is_empty() {
            key(Key::ConflictEmpty)
        } else {
            text
        };
    }
    if let Ok(status) = serde_json::from_value::<Status>(value.clone()) {
        return key(match status {
            Status::Draft => Key::StatusDraft,
            Status::Complete => Key::StatusComplete,
        });
    }
    if let Ok(by) = serde_json::from_value::<AnsweredBy>(value.clone()) {
        return key(match by {
            AnsweredBy::Person => Key::AnsweredPerson,
            AnsweredBy::PersonWithSupporter => Key::AnsweredWithSupporter,
            AnsweredBy::SupporterInterview => Key::AnsweredInterview,
        });
    }
    match value {
        Value::String(s) if s.is_empty() => key(Key::ConflictEmpty),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The text a merged value starts from, and how to turn the person's text back into a value;
/// `None` for a field that is not free text (those are resolved by picking).
fn merge_start(values: &[Value]) -> Option<(String, bool)> {
    let mut parts = Vec::new();
    let mut is_answer = false;
    for value in values {
        match value {
            Value::Null => {}
            Value::String(s) => parts.push(s.clone()),
            other => match serde_json::from_value::<Answer>(other.clone()).ok()? {
                Answer::Text { lines } => {
                    is_answer = true;
                    parts.push(lines.join("\n"));
                }
                _ => return None,
            },
        }
    }
    Some((parts.join("\n"), is_answer))
}

#[component]
pub fn ConflictReview(entity: Entity) -> impl IntoView {
    let db = use_db();
    let i18n = use_i18n();
    // Built again only when the conflicts change, never on an edit elsewhere in the record, so a
    // merged answer being written is not lost.
    let conflicts = Memo::new(move |_| db.conflicts_of(entity));
    move || {
        let lang = i18n.lang.get();
        let conflicts = conflicts.get();
        if conflicts.is_empty() {
            return ().into_any();
        }
        let instrument = match entity {
            Entity::Record(id) => untrack(|| db.record_with_instrument(id)).map(|(_, i)| i),
            Entity::Client(_) => None,
        };
        let items = conflicts
            .into_iter()
            .map(|(field, values)| {
                let label = field_label(instrument, &field, lang);
                let plain: Vec<Value> = values.iter().map(|(_, v)| v.clone()).collect();
                let options = values
                    .into_iter()
                    .enumerate()
                    .map(|(n, (_, value))| {
                        let text = value_text(instrument, &field, &value, lang);
                        let field = field.clone();
                        view! {
                            <div class="conflict-value" data-testid="conflict-value">
                                <p class="conflict-value-label">{trn(Key::ConflictValue, n + 1)}</p>
                                <p class="conflict-value-text">{text}</p>
                                <button type="button" data-testid="conflict-pick"
                                    on:click=move |_| db.resolve(entity, &field, value.clone())>
                                    {tr(Key::ConflictPick)}
                                </button>
                            </div>
                        }
                    })
                    .collect_view();
                let merged = merge_start(&plain).map(|(start, is_answer)| {
                    let text = RwSignal::new(start.clone());
                    let field = field.clone();
                    let id = format!("merge-{}", field.replace('.', "-"));
                    let save = move |_| {
                        let typed = text.get_untracked();
                        let value = if is_answer {
                            serde_json::to_value(Answer::Text {
                                lines: typed.lines().map(str::to_owned).collect(),
                            })
                            .unwrap_or(Value::Null)
                        } else {
                            Value::String(typed)
                        };
                        db.resolve(entity, &field, value);
                    };
                    view! {
                        <div class="conflict-merge">
                            <label for=id.clone()>{tr(Key::ConflictMerged)}</label>
                            <textarea id=id class="input text" rows="3" data-testid="conflict-merged"
                                prop:value=start
                                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                            <button type="button" data-testid="conflict-save-merged" on:click=save>
                                {tr(Key::ConflictSaveMerged)}
                            </button>
                        </div>
                    }
                });
                view! {
                    <li class="conflict" data-testid="conflict" data-field=field.clone()>
                        <h3>{label}</h3>
                        <div class="conflict-values">{options}</div>
                        {merged}
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="conflicts" aria-labelledby="conflicts-title" data-testid="conflicts">
                <h2 id="conflicts-title">{tr(Key::ConflictTitle)}</h2>
                <p>{tr(Key::ConflictIntro)}</p>
                <ul class="conflict-list">{items}</ul>
            </section>
        }
        .into_any()
    }
}
