//! A client's timeline (経過): every record in date order with its key values, and MSFAS's signs,
//! counts and coping over time as charts, each beside a table with the same numbers
//! (`charts.rs`). Computed on the device by `domain::timeline`; printable.

mod charts;
mod list;

use crate::clock;
use crate::db::{Db, catalogue, use_db};
use crate::i18n::{I18n, Key, tr, trn, use_i18n};
use charts::{CopingChart, CountChart, SignChart};
use leptos::prelude::*;
use leptos_router::components::A;
use list::{LATEST_ROWS, record_list};
use yorisoi_domain::date::Date;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::instrument::AnswerKind;
use yorisoi_domain::record::AnsweredBy;
use yorisoi_domain::sync::Entity;
use yorisoi_domain::text::Text;
use yorisoi_domain::timeline::msfas::{self, Category, progress};
use yorisoi_domain::timeline::{Fact, RecordFacts, Summary, timeline};

/// How many of the newest assessments the charts and their tables show at first.
const LATEST_COLUMNS: usize = 12;

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
    // The newest records and assessments first (a page a coach reads at once, drawn in one
    // frame); everything on request, and always when printed.
    let all = RwSignal::new(false);
    let rows = Memo::new(move |_| timeline(&facts.get(), catalogue(), clock::offset_minutes()));
    let table = move || {
        i18n.lang.track();
        rows.with(|rows| record_list(i18n, client(), rows, all.get()))
    };
    let charts = move || {
        // The charts' words are put in once: drawn again when the language changes.
        i18n.lang.track();
        let p = progress(&facts.get(), catalogue(), clock::offset_minutes());
        if p.columns.is_empty() {
            return view! { <p class="empty-state">{tr(Key::TimelineNoAssessment)}</p> }.into_any();
        }
        let total = p.columns.len();
        let p = if all.get() {
            p
        } else {
            p.latest(LATEST_COLUMNS)
        };
        let cut = (p.columns.len() < total).then(|| {
            view! {
                <p class="timeline-showing" data-testid="timeline-columns-showing">
                    {trn(Key::TimelineShowingColumns, LATEST_COLUMNS)}" "{trn(Key::TimelineOfAll, total)}
                </p>
            }
        });
        view! {
            {cut}
            <SignChart progress=p.clone() />
            <CountChart progress=p.clone() />
            <CopingChart progress=p />
        }
        .into_any()
    };
    // Is anything left out of the first view?
    let cut = move || {
        !all.get()
            && (rows.with(Vec::len) > LATEST_ROWS
                || rows.with(|r| {
                    r.iter()
                        .filter(|row| matches!(row.summary, Summary::Assessment { .. }))
                        .count()
                }) > LATEST_COLUMNS)
    };
    // Printing prints everything: the browser's own print command too (what `beforeprint`
    // changes is drawn before the page is laid out for paper).
    let before_print = window_event_listener(leptos::ev::beforeprint, move |_| all.set(true));
    on_cleanup(move || before_print.remove());
    let print = move |_| {
        all.set(true);
        // Drawn in full first, then the print dialog.
        request_animation_frame(|| {
            set_timeout(
                || {
                    let _ = window().print();
                },
                std::time::Duration::ZERO,
            );
        });
    };
    // The button goes once pressed: focus moves to the list it filled, not to the page's start.
    let records_heading = NodeRef::<leptos::html::H2>::new();
    let show_all = move |_| {
        all.set(true);
        request_animation_frame(move || {
            if let Some(heading) = records_heading.get_untracked() {
                let _ = heading.focus();
            }
        });
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
    let showing = move || {
        let total = rows.with(Vec::len);
        (!all.get() && total > LATEST_ROWS).then(|| {
            view! {
                <p class="timeline-showing" data-testid="timeline-rows-showing">
                    {trn(Key::TimelineShowingRows, LATEST_ROWS)}" "{trn(Key::TimelineOfAll, total)}
                </p>
            }
        })
    };
    view! {
        <section class="page timeline-page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::TimelineTitle)}" "{name}</h1>
            <div class="toolbar no-print">
                {move || client().map(|c| view! {
                    <A href=format!("/clients/{c}") attr:class="button secondary">{tr(Key::ClientTitle)}</A>
                    <A href=format!("/clients/{c}/compare") attr:class="button secondary">{tr(Key::CompareTitle)}</A>
                })}
                <button type="button" data-testid="timeline-print" on:click=print>
                    {tr(Key::TimelinePrint)}
                </button>
            </div>
            <Show when=cut>
                <div class="toolbar no-print">
                    <button type="button" class="secondary" data-testid="timeline-show-all" on:click=show_all>
                        {move || trn(Key::TimelineShowAll, rows.with(Vec::len))}
                    </button>
                </div>
            </Show>
            <section aria-labelledby="timeline-records">
                <h2 id="timeline-records" tabindex="-1" node_ref=records_heading>{tr(Key::TimelineRecords)}</h2>
                {showing}
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
