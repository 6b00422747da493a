//! A table answer: fixed columns, a fixed number of rows, and a printed example row that helps
//! but is never an answer. On a tablet each row is a card of labelled fields.

use super::{Target, text_view};
use crate::i18n::{Key, tr};
use leptos::prelude::*;
use std::collections::BTreeMap;
use yorisoi_domain::answer::Answer;
use yorisoi_domain::instrument::Column;
use yorisoi_domain::text::Text;

fn rows_of(target: &Target, count: usize) -> Vec<BTreeMap<String, String>> {
    let mut rows = match target.current() {
        Some(Answer::Table { rows }) => rows,
        _ => Vec::new(),
    };
    rows.resize(count, BTreeMap::new());
    rows
}

pub fn table(
    target: Target,
    columns: Vec<Column>,
    rows: u8,
    row_labels: Vec<Text>,
    example: Option<BTreeMap<String, Text>>,
) -> impl IntoView + use<> {
    let count = usize::from(rows);
    let initial = rows_of(&target, count);
    let example_card = example.map(|example| {
        let cells = columns
            .iter()
            .map(|column| {
                let text = example.get(&column.id).cloned();
                view! {
                    <div class="cell">
                        <span class="cell-label">{text_view(&column.label)}</span>
                        <p class="example-text">{text.map(|t| text_view(&t))}</p>
                    </div>
                }
            })
            .collect_view();
        view! {
            <div class="table-row example" data-testid="example-row">
                <h4 class="row-label">{tr(Key::Example)}</h4>
                {cells}
            </div>
        }
    });
    let cards = (0..count)
        .map(|row| {
            let label = match row_labels.get(row) {
                Some(text) => text_view(text).into_any(),
                None => (row + 1).to_string().into_any(),
            };
            let cells = columns
                .iter()
                .map(|column| {
                    let target = target.clone();
                    let shown_target = target.clone();
                    let column_id = column.id.clone();
                    let value = initial[row].get(&column.id).cloned().unwrap_or_default();
                    let input_id = target.dom_id(&format!("r{row}-{}", column.id));
                    let write = move |text: String| {
                        let mut rows = rows_of(&target, count);
                        if text.is_empty() {
                            rows[row].remove(&column_id);
                        } else {
                            rows[row].insert(column_id.clone(), text);
                        }
                        target.set(Some(Answer::Table { rows }));
                    };
                    let input = if column.options.is_empty() {
                        let node = NodeRef::<leptos::html::Textarea>::new();
                        let shown_column = column.id.clone();
                        let value = shown_target.shown(node, move |answer| match answer {
                            Some(Answer::Table { rows }) => rows
                                .get(row)
                                .and_then(|r| r.get(&shown_column).cloned())
                                .unwrap_or_default(),
                            _ => String::new(),
                        });
                        view! {
                            <textarea node_ref=node class="input cell-text" id=input_id.clone() rows="2" prop:value=value
                                on:input=move |ev| write(event_target_value(&ev))></textarea>
                        }
                        .into_any()
                    } else {
                        let options = column
                            .options
                            .iter()
                            .map(|o| view! { <option value=o.id.clone() selected=o.id == value>{text_view(&o.label)}</option> })
                            .collect_view();
                        view! {
                            <select class="input cell-choice" id=input_id.clone() on:change=move |ev| write(event_target_value(&ev))>
                                <option value="">"—"</option>
                                {options}
                            </select>
                        }
                        .into_any()
                    };
                    view! {
                        <div class="cell">
                            <label class="cell-label" for=input_id>{text_view(&column.label)}</label>
                            {input}
                        </div>
                    }
                })
                .collect_view();
            view! {
                <div class="table-row" role="group" aria-label=format!("{}", row + 1)>
                    <h4 class="row-label">{label}</h4>
                    {cells}
                </div>
            }
        })
        .collect_view();
    view! { <div class="table-answer">{example_card}{cards}</div> }
}
