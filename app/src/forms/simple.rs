//! Date, time, number and free-text inputs.

use super::Target;
use crate::clock;
use crate::i18n::{Key, age_text, use_i18n};
use leptos::prelude::*;
use yorisoi_domain::answer::Answer;
use yorisoi_domain::date::Date;
use yorisoi_domain::instrument::{LineStyle, Role};

pub fn date(target: Target, labelled_by: &str, role: Option<Role>) -> impl IntoView + use<> {
    let node = NodeRef::<leptos::html::Input>::new();
    let initial = target.shown(node, |answer| match answer {
        Some(Answer::Date { value }) => value.to_string(),
        _ => String::new(),
    });
    let input_target = target.clone();
    // A date of birth shows the age it gives today; the age is never typed.
    let age = (role == Some(Role::BirthDate)).then(|| {
        let i18n = use_i18n();
        move || match target.tracked() {
            Some(Answer::Date { value }) => value
                .age_on(clock::today())
                .map(|age| age_text(i18n.lang.get(), age)),
            _ => None,
        }
    });
    view! {
        <div class="inline-field">
            <input
                type="date"
                node_ref=node
                class="input date"
                id=input_target.dom_id("date")
                aria-labelledby=labelled_by.to_owned()
                prop:value=initial
                on:input=move |ev| {
                    let answer = event_target_value(&ev).parse::<Date>().ok().map(|value| Answer::Date { value });
                    input_target.set(answer);
                }
            />
            {age.map(|age| view! { <span class="derived" data-testid="derived-age">{age}</span> })}
        </div>
    }
}

pub fn time(target: Target, labelled_by: &str) -> impl IntoView + use<> {
    let node = NodeRef::<leptos::html::Input>::new();
    let initial = target.shown(node, |answer| match answer {
        Some(Answer::Time { value }) => value,
        _ => String::new(),
    });
    view! {
        <input
            type="time"
            node_ref=node
            class="input time"
            id=target.dom_id("time")
            aria-labelledby=labelled_by.to_owned()
            prop:value=initial
            on:input=move |ev| {
                let value = event_target_value(&ev);
                target.set((!value.is_empty()).then_some(Answer::Time { value }));
            }
        />
    }
}

pub fn number(
    target: Target,
    labelled_by: &str,
    min: Option<i64>,
    max: Option<i64>,
) -> impl IntoView + use<> {
    let node = NodeRef::<leptos::html::Input>::new();
    let initial = target.shown(node, |answer| match answer {
        Some(Answer::Number { value }) => value.to_string(),
        _ => String::new(),
    });
    view! {
        <input
            type="number"
            node_ref=node
            inputmode="numeric"
            class="input number"
            id=target.dom_id("number")
            aria-labelledby=labelled_by.to_owned()
            min=min.map(|m| m.to_string())
            max=max.map(|m| m.to_string())
            prop:value=initial
            on:input=move |ev| {
                let answer = event_target_value(&ev).trim().parse::<i64>().ok().map(|value| Answer::Number { value });
                target.set(answer);
            }
        />
    }
}

/// `lines` inputs, numbered or bulleted as printed; a single line is one plain input.
pub fn text(
    target: Target,
    labelled_by: &str,
    lines: u8,
    style: LineStyle,
) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let count = usize::from(lines);
    let labelled_by = labelled_by.to_owned();
    let rows = (0..count)
        .map(|i| {
            let target = target.clone();
            let marker = match style {
                LineStyle::Numbered => format!("{}", i + 1),
                LineStyle::Bulleted => "・".to_owned(),
                LineStyle::Plain => String::new(),
            };
            // Each line is named by the prompt and its line number, for screen readers.
            let line_id = target.dom_id(&format!("line{i}-label"));
            let labels = if count > 1 { format!("{labelled_by} {line_id}") } else { labelled_by.clone() };
            let node = NodeRef::<leptos::html::Textarea>::new();
            let initial = target.shown(node, move |answer| match answer {
                Some(Answer::Text { lines }) => lines.get(i).cloned().unwrap_or_default(),
                _ => String::new(),
            });
            view! {
                <div class="text-line">
                    {(!marker.is_empty()).then(|| view! { <span class="line-marker" aria-hidden="true">{marker}</span> })}
                    <span class="visually-hidden" id=line_id>{move || format!("{} {}", i18n.t(Key::Line), i + 1)}</span>
                    <textarea
                        node_ref=node
                        class="input text"
                        rows="1"
                        id=target.dom_id(&format!("line{i}"))
                        aria-labelledby=labels
                        prop:value=initial
                        on:input=move |ev| {
                            let mut lines = match target.current() {
                                Some(Answer::Text { lines }) => lines,
                                _ => Vec::new(),
                            };
                            lines.resize(count, String::new());
                            lines[i] = event_target_value(&ev);
                            target.set(Some(Answer::Text { lines }));
                        }
                    ></textarea>
                </div>
            }
        })
        .collect_view();
    view! { <div class="text-lines">{rows}</div> }
}
