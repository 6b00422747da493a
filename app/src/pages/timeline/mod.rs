//! A client's timeline (経過): every record in date order with its key values, and MSFAS's signs,
//! counts and coping over time as charts, each beside a table with the same numbers
//! (`charts.rs`). Computed on the device by `domain::timeline`; printable.

mod charts;

use crate::clock;
use crate::db::{Db, catalogue, use_db};
use crate::i18n::{I18n, Key, tr, use_i18n};
use charts::{CopingChart, CountChart, SignChart};
use leptos::prelude::*;
use leptos_router::components::A;
use yorisoi_domain::date::Date;
use yorisoi_domain::ids::{ClientId, RecordId};
use yorisoi_domain::instrument::{AnswerKind, RecordKind};
use yorisoi_domain::record::AnsweredBy;
use yorisoi_domain::sync::Entity;
use yorisoi_domain::text::Text;
use yorisoi_domain::timeline::msfas::{self, Category, progress};
use yorisoi_domain::timeline::{Fact, RecordFacts, Row, Summary, timeline};

/// Every record of the client as the device holds it, each with its fields in conflict.
pub fn facts_of(db: Db, client: ClientId) -> Vec<RecordFacts> {
    db.records_of(client)
        .iter()
        .map(|record| {
            let conflicts: Vec<(String, Vec<serde_json::Value>)> = db
                .conflicts_of(Entity::Record(record.id))
                .into_iter()
                .map(|(field, values)| (field, values.into_iter().map(|(_, v)| v).collect()))
                .collect();
            RecordFacts::new(record, &conflicts)
        })
        .collect()
}

/// A text of a definition in the current language.
pub fn pick(i18n: I18n, text: &Text) -> String {
    match i18n.lang.get() {
        crate::i18n::Lang::Ja => text.ja.clone(),
        crate::i18n::Lang::En => text.en.clone(),
    }
}

/// The label of option `id` of question `key` in the newest definition of `instrument`; the id
/// itself if this build does not know it.
pub fn option_label(i18n: I18n, instrument: &str, key: &str, id: &str) -> String {
    if id == yorisoi_domain::instrument::OTHER {
        return i18n.t(Key::Other).to_owned();
    }
    let catalogue = catalogue();
    let choices = catalogue
        .latest(instrument)
        .and_then(|i| i.question(key))
        .map(|q| match &q.answer {
            AnswerKind::Single { options, .. } => options
                .resolve(&catalogue.lists)
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
            AnswerKind::Multi {
                options, exclusive, ..
            } => options
                .resolve(&catalogue.lists)
                .into_iter()
                .flatten()
                .chain(exclusive)
                .collect(),
            _ => Vec::new(),
        })
        .unwrap_or_default();
    choices
        .into_iter()
        .find(|c| c.id == id)
        .map(|c| pick(i18n, &c.label))
        .unwrap_or_else(|| id.to_owned())
}

/// A fact in words: its value, 要確認 with every value, or `unset`.
pub fn fact_text<T>(
    i18n: I18n,
    fact: &Fact<T>,
    unset: &str,
    show: impl Fn(&T) -> String,
) -> String {
    match fact {
        Fact::Unset => unset.to_owned(),
        Fact::Known(v) => show(v),
        Fact::Conflict(vs) => format!(
            "{}: {}",
            i18n.t(Key::TimelineConflict),
            vs.iter().map(show).collect::<Vec<_>>().join(" / ")
        ),
    }
}

pub fn answered_by_text(i18n: I18n, who: &AnsweredBy) -> String {
    i18n.t(match who {
        AnsweredBy::Person => Key::AnsweredPerson,
        AnsweredBy::PersonWithSupporter => Key::AnsweredWithSupporter,
        AnsweredBy::SupporterInterview => Key::AnsweredInterview,
    })
    .to_owned()
}

pub fn category_key(category: Category) -> Key {
    match category {
        Category::Signs => Key::CategorySigns,
        Category::Situations => Key::CategorySituations,
        Category::Tiring => Key::CategoryTiring,
        Category::Buffers => Key::CategoryBuffers,
    }
}

/// The day a column or row is shown under: its date, or the day it was made, marked.
pub fn day_text(i18n: I18n, day: &Fact<Date>, placed_on: Option<Date>) -> String {
    match day {
        Fact::Unset => format!(
            "{} {}",
            placed_on.map(|d| d.to_string()).unwrap_or_default(),
            i18n.t(Key::TimelineNoDay)
        ),
        _ => fact_text(i18n, day, "", |d| d.to_string()),
    }
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
        Summary::Other => String::new(),
    }
}

#[component]
pub fn TimelinePage() -> impl IntoView {
    super::set_title(Key::TimelineTitle);
    // The page has started (the benchmark's split between opening and drawing).
    if let Some(performance) = window().performance() {
        let _ = performance.mark("yorisoi-timeline-open");
    }
    let db = use_db();
    let i18n = use_i18n();
    let client = super::route_id::<ClientId>("client");
    let facts = Memo::new(move |_| client().map(|c| facts_of(db, c)).unwrap_or_default());
    let rows = move || timeline(&facts.get(), catalogue(), clock::offset_minutes());
    let table = move || {
        let rows = rows();
        if rows.is_empty() {
            return view! { <p class="empty-state">{tr(Key::TimelineEmpty)}</p> }.into_any();
        }
        // The MSFAS before each one, for 前回と比べる.
        let mut previous: Option<RecordId> = None;
        let body = rows
            .iter()
            .map(|row| {
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
                let compare = match (&row.summary, previous, client()) {
                    (Summary::Assessment { .. }, Some(before), Some(c)) => {
                        Some(format!("/clients/{c}/compare?a={before}&b={}", row.record))
                    }
                    _ => None,
                };
                if matches!(row.summary, Summary::Assessment { .. }) {
                    previous = Some(row.record);
                }
                let path = client().map(|c| {
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
                <table class="data-table" data-testid="timeline-table">
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
    };
    let charts = move || {
        // The charts' words are put in once: drawn again when the language changes.
        i18n.lang.track();
        let p = progress(&facts.get(), catalogue(), clock::offset_minutes());
        if p.columns.is_empty() {
            return view! { <p class="empty-state">{tr(Key::TimelineNoAssessment)}</p> }.into_any();
        }
        view! {
            <SignChart progress=p.clone() />
            <CountChart progress=p.clone() />
            <CopingChart progress=p />
        }
        .into_any()
    };
    // On screen: what the timeline benchmark reads.
    Effect::new(move |_| {
        if !facts.with(Vec::is_empty) {
            // The frame it is drawn in, then after its paint.
            request_animation_frame(|| {
                set_timeout(
                    || {
                        if let Some(performance) = window().performance() {
                            let _ = performance.mark("yorisoi-timeline");
                        }
                    },
                    std::time::Duration::ZERO,
                );
            });
        }
    });
    let name = move || {
        client()
            .and_then(|c| db.client(c))
            .map(|c| c.name)
            .unwrap_or_default()
    };
    view! {
        <section class="page timeline-page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::TimelineTitle)}" "{name}</h1>
            <div class="toolbar no-print">
                {move || client().map(|c| view! {
                    <A href=format!("/clients/{c}") attr:class="button secondary">{tr(Key::ClientTitle)}</A>
                    <A href=format!("/clients/{c}/compare") attr:class="button secondary">{tr(Key::CompareTitle)}</A>
                })}
                <button type="button" data-testid="timeline-print" on:click=move |_| { let _ = window().print(); }>
                    {tr(Key::TimelinePrint)}
                </button>
            </div>
            <section aria-labelledby="timeline-records">
                <h2 id="timeline-records">{tr(Key::TimelineRecords)}</h2>
                {table}
            </section>
            {charts}
        </section>
    }
}

/// A status in conflict or a draft reads as such; used by the charts' column heads.
pub fn column_head(i18n: I18n, column: &msfas::Column) -> String {
    let mut text = day_text(i18n, &column.day, column.placed_on);
    if column.draft {
        text.push_str(&format!("（{}）", i18n.t(Key::StatusDraft)));
    }
    text
}
