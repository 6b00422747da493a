//! The timeline's list of records: one row a record, in date order, with its kind, key values
//! and state; the newest [`LATEST_ROWS`] unless everything is asked for (the rest is one press
//! away, and printing shows it all).

use super::{answered_by_text, category_key, day_text, fact_text, option_label, pick};
use crate::db::catalogue;
use crate::i18n::{I18n, Key, tr};
use leptos::prelude::*;
use leptos_router::components::A;
use yorisoi_domain::export::{self, answer_text};
use yorisoi_domain::ids::{ClientId, RecordId};
use yorisoi_domain::instrument::RecordKind;
use yorisoi_domain::timeline::{Row, Summary};

/// How many of the newest records the list shows at first.
pub const LATEST_ROWS: usize = 20;

/// At most `max` characters, cut with "…".
fn short(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        text.chars().take(max - 1).collect::<String>() + "…"
    } else {
        text.to_owned()
    }
}

/// The key values of a record of any instrument: its first answered questions, each as the
/// newest wording of its question and the answer as its own version words it.
fn answers_text(
    i18n: I18n,
    row: &Row,
    values: &[(
        String,
        yorisoi_domain::timeline::Fact<yorisoi_domain::answer::Answer>,
    )],
) -> String {
    let catalogue = catalogue();
    let own = catalogue.get(&row.instrument);
    let newest = catalogue.latest(&row.instrument.id);
    let lang = export::Lang::from(i18n.lang.get());
    values
        .iter()
        .map(|(key, fact)| {
            let asked = newest
                .and_then(|i| i.question(key))
                .or_else(|| own.and_then(|i| i.question(key)));
            let kind = own
                .and_then(|i| i.question(key))
                .or(asked)
                .map(|q| &q.answer);
            let label = asked.map_or_else(|| key.clone(), |q| short(&pick(i18n, &q.prompt), 16));
            let value = fact_text(i18n, fact, i18n.t(Key::NotAnswered), |a| match kind {
                Some(kind) => answer_text(a, kind, &catalogue.lists, lang),
                None => String::new(),
            });
            format!("{label}: {}", short(&value.replace('\n', " "), 40))
        })
        .collect::<Vec<_>>()
        .join(" ／ ")
}

fn key_values(i18n: I18n, row: &Row) -> String {
    let unset = i18n.t(Key::NotAnswered);
    match &row.summary {
        Summary::VisitNote {
            mode,
            phase,
            next_visit,
        } => {
            let label = |key: &'static str| {
                move |id: &String| option_label(i18n, &row.instrument.id, key, id)
            };
            [
                fact_text(
                    i18n,
                    mode,
                    unset,
                    label(yorisoi_domain::timeline::VISIT_MODE),
                ),
                fact_text(
                    i18n,
                    phase,
                    unset,
                    label(yorisoi_domain::timeline::VISIT_PHASE),
                ),
                format!(
                    "{} {}",
                    i18n.t(Key::TimelineNextVisit),
                    fact_text(i18n, next_visit, unset, |d| d.to_string())
                ),
            ]
            .join(" ／ ")
        }
        Summary::Assessment {
            answered_by,
            counts,
        } => {
            let mut parts = vec![format!(
                "{}: {}",
                i18n.t(Key::AnsweredBy),
                fact_text(i18n, answered_by, unset, |w| answered_by_text(i18n, w))
            )];
            parts.extend(counts.iter().map(|(category, count)| {
                format!(
                    "{} {}",
                    i18n.t(category_key(*category)),
                    fact_text(i18n, count, "—", |n| n.to_string())
                )
            }));
            parts.join(" ／ ")
        }
        Summary::Other { values } => answers_text(i18n, row, values),
    }
}

/// The list: every row given, each with the record before it of the same instrument to compare
/// with; only the newest [`LATEST_ROWS`] unless `all`.
pub fn record_list(i18n: I18n, client: Option<ClientId>, rows: &[Row], all: bool) -> AnyView {
    if rows.is_empty() {
        return view! { <p class="empty-state">{tr(Key::TimelineEmpty)}</p> }.into_any();
    }
    // The record before each one of the same instrument, for 前回と比べる.
    let mut previous: std::collections::BTreeMap<&str, RecordId> = Default::default();
    let compare_with: Vec<Option<RecordId>> = rows
        .iter()
        .map(|row| previous.insert(&row.instrument.id, row.record))
        .collect();
    let skip = if all {
        0
    } else {
        rows.len().saturating_sub(LATEST_ROWS)
    };
    let body = rows
        .iter()
        .zip(compare_with)
        .skip(skip)
        .map(|(row, before)| {
            let instrument = catalogue()
                .get(&row.instrument)
                .or_else(|| catalogue().latest(&row.instrument.id));
            let title = instrument.map(|i| pick(i18n, &i.title)).unwrap_or_else(|| row.instrument.id.clone());
            let state = if row.status.is_conflict() {
                Key::TimelineConflict
            } else if row.draft {
                Key::StatusDraft
            } else {
                Key::StatusComplete
            };
            let compare = before.zip(client).map(|(before, c)| format!("/clients/{c}/compare?a={before}&b={}", row.record));
            let path = client.map(|c| {
                let place = if row.kind == RecordKind::Assessment { "assessments" } else { "notes" };
                format!("/clients/{c}/{place}/{}", row.record)
            });
            view! {
                <tr data-testid="timeline-row" data-record=row.record.to_string() data-draft=row.draft.to_string()>
                    <th scope="row">{day_text(i18n, &row.day, row.placed_on)}</th>
                    <td>{title}</td>
                    <td class="key-values" data-testid="timeline-key-values">{key_values(i18n, row)}</td>
                    <td>
                        <span class=if row.draft { "badge draft" } else { "badge complete" }>{tr(state)}</span>
                        {row.in_conflict.then(|| view! { <span class="badge review" data-testid="timeline-needs-review">{tr(Key::NeedsReview)}</span> })}
                    </td>
                    <td class="no-print">
                        {path.map(|p| view! { <A href=p>{tr(Key::TimelineOpen)}</A> })}
                        {compare.map(|href| view! { " " <A href=href attr:data-testid="timeline-compare">{tr(Key::TimelineCompareWithPrevious)}</A> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="timeline-table" data-total=rows.len().to_string()>
                <thead><tr>
                    <th scope="col">{tr(Key::TimelineDate)}</th>
                    <th scope="col">{tr(Key::TimelineKind)}</th>
                    <th scope="col">{tr(Key::TimelineKeyValues)}</th>
                    <th scope="col">{tr(Key::TimelineState)}</th>
                    <th scope="col" class="no-print"><span class="visually-hidden">{tr(Key::TimelineOpen)}</span></th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}
