//! An A4 print view of a record, laid out like the paper sheet: numbered questions, the table
//! with its example row, and every printed option with the chosen ones circled (○).

use crate::db::{catalogue, use_db};
use crate::forms::text_view;
use crate::i18n::{Key, tr, use_i18n};
use leptos::prelude::*;
use yorisoi_domain::answer::Answer;
use yorisoi_domain::audit::Action;
use yorisoi_domain::export::{self, answer_text};
use yorisoi_domain::ids::RecordId;
use yorisoi_domain::instrument::{AnswerKind, Choice, OTHER, Question};
use yorisoi_domain::sync::Entity;

#[component]
pub fn PrintPage() -> impl IntoView {
    super::set_title(Key::PrintView);
    let db = use_db();
    let i18n = use_i18n();
    let id = super::route_id::<RecordId>("record");
    move || {
        let lang = export::Lang::from(i18n.lang.get());
        let Some((record, instrument)) = id().and_then(|id| db.record_with_instrument(id)) else {
            return view! { <p class="empty-state" data-testid="page-title">{tr(Key::RecordNotFound)}</p> }.into_any();
        };
        let (record_id, client) = (record.id, record.client);
        let sheets = instrument
            .sheets
            .iter()
            .map(|sheet| {
                let questions = sheet
                    .questions
                    .iter()
                    .map(|q| print_question(q, record.answers.get(&format!("{}.{}", sheet.id, q.id)), lang))
                    .collect_view();
                view! {
                    <section class="print-sheet">
                        {sheet.subtitle.as_ref().map(|s| view! { <p class="sheet-subtitle">{text_view(s)}</p> })}
                        <h2>{text_view(&sheet.title)}</h2>
                        {questions}
                    </section>
                }
            })
            .collect_view();
        view! {
            <article class="print-page" data-testid="print-view">
                <div class="no-print toolbar">
                    <button type="button" data-testid="print-button" on:click=move |_| {
                        db.note(Entity::Record(record_id), client, Action::Printed, &[]);
                        let _ = window().print();
                    }>{tr(Key::Print)}</button>
                </div>
                <h1 data-testid="page-title">{text_view(&instrument.title)}</h1>
                {sheets}
            </article>
        }
        .into_any()
    }
}

fn print_question(
    question: &Question,
    answer: Option<&Answer>,
    lang: export::Lang,
) -> impl IntoView + use<> {
    let lists = &catalogue().lists;
    let body = match (&question.answer, answer) {
        (AnswerKind::Single { options, other }, answer) => {
            let (chosen, words) = match answer {
                Some(Answer::Single { choice, other }) => (vec![choice.clone()], other.clone()),
                _ => (vec![], String::new()),
            };
            circled(
                options
                    .resolve(lists)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
                &[],
                *other,
                &chosen,
                &words,
            )
            .into_any()
        }
        (
            AnswerKind::Multi {
                options,
                other,
                exclusive,
            },
            answer,
        ) => {
            let (chosen, words) = match answer {
                Some(Answer::Multi { choices, other }) => (choices.clone(), other.clone()),
                _ => (vec![], String::new()),
            };
            circled(
                options
                    .resolve(lists)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
                exclusive,
                *other,
                &chosen,
                &words,
            )
            .into_any()
        }
        (
            AnswerKind::Table {
                columns,
                rows,
                row_labels,
                example,
            },
            answer,
        ) => {
            let filled = match answer {
                Some(Answer::Table { rows }) => rows.clone(),
                _ => vec![],
            };
            let head = columns
                .iter()
                .map(|c| view! { <th scope="col">{text_view(&c.label)}</th> })
                .collect_view();
            let example_row = example.as_ref().map(|example| {
                let cells = columns
                    .iter()
                    .map(|c| view! { <td class="example">{example.get(&c.id).map(text_view)}</td> })
                    .collect_view();
                view! { <tr><th scope="row">{tr(Key::Example)}</th>{cells}</tr> }
            });
            let body = (0..usize::from(*rows))
                .map(|i| {
                    let label = row_labels
                        .get(i)
                        .map(|t| text_view(t).into_any())
                        .unwrap_or_else(|| (i + 1).to_string().into_any());
                    let cells = columns
                        .iter()
                        .map(|c| {
                            let value = filled
                                .get(i)
                                .and_then(|r| r.get(&c.id))
                                .cloned()
                                .unwrap_or_default();
                            let shown = c
                                .options
                                .iter()
                                .find(|o| o.id == value)
                                .map(|o| text_view(&o.label).into_any())
                                .unwrap_or_else(|| value.into_any());
                            view! { <td>{shown}</td> }
                        })
                        .collect_view();
                    view! { <tr><th scope="row">{label}</th>{cells}</tr> }
                })
                .collect_view();
            view! {
                <table class="print-table">
                    <thead><tr><th scope="col">"№"</th>{head}</tr></thead>
                    <tbody>{example_row}{body}</tbody>
                </table>
            }
            .into_any()
        }
        (kind, Some(answer)) => {
            let text = answer_text(answer, kind, lists, lang);
            view! { <p class="print-answer">{text}</p> }.into_any()
        }
        (_, None) => view! { <p class="print-answer empty">" "</p> }.into_any(),
    };
    view! {
        <section class="print-question">
            <h3>{question.number.clone()}{text_view(&question.prompt)}</h3>
            {question.hint.as_ref().map(|h| view! { <p class="hint">{text_view(h)}</p> })}
            {body}
        </section>
    }
}

/// Every printed option, the chosen ones circled as on paper.
fn circled(
    options: &[Choice],
    exclusive: &[Choice],
    other: bool,
    chosen: &[String],
    words: &str,
) -> impl IntoView + use<> {
    let item = |choice: &Choice| {
        let on = chosen.contains(&choice.id);
        view! { <li class:chosen=on data-chosen=on.to_string()>{text_view(&choice.label)}</li> }
    };
    let items = options.iter().chain(exclusive).map(item).collect_view();
    let other_item = other.then(|| {
        let on = chosen.iter().any(|c| c == OTHER);
        view! { <li class:chosen=on data-chosen=on.to_string()>{tr(Key::Other)}"（"{words.to_owned()}"）"</li> }
    });
    view! { <ul class="print-options">{items}{other_item}</ul> }
}
