//! The timeline's charts, drawn as SVG by our own code (no chart library), each hidden from
//! screen readers and followed by a real table with the same numbers. Marks carry a symbol or a
//! number as well as a colour, never colour alone.

use super::{answered_by_text, category_key, column_head, fact_text, option_label};
use crate::i18n::{Key, tr, use_i18n};
use leptos::prelude::*;
use yorisoi_domain::timeline::Fact;
use yorisoi_domain::timeline::msfas::{COPING, MSFAS, Mark, Progress, SIGNS};

/// Width of one assessment's column in the charts, and of the label column.
const CELL: f64 = 28.0;
const LABEL: f64 = 210.0;
const ROW: f64 = 24.0;

fn mark_key(mark: Mark) -> Key {
    match mark {
        Mark::Yes => Key::MarkYes,
        Mark::No => Key::MarkNo,
        Mark::Conflict => Key::TimelineConflict,
        Mark::NotAnswered => Key::NotAnswered,
    }
}

fn mark_name(mark: Mark) -> &'static str {
    match mark {
        Mark::Yes => "yes",
        Mark::No => "no",
        Mark::Conflict => "conflict",
        Mark::NotAnswered => "unanswered",
    }
}

/// The table's head row: one column per assessment.
fn head(progress: &Progress, first: Key) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let columns = progress
        .columns
        .iter()
        .map(|c| view! { <th scope="col" data-record=c.record.to_string()>{column_head(i18n, c)}</th> })
        .collect_view();
    view! { <thead><tr><th scope="col">{tr(first)}</th>{columns}</tr></thead> }
}

/// Which signs appeared in which assessment: a heat strip, and the same as a table.
#[component]
pub fn SignChart(progress: Progress) -> impl IntoView {
    let i18n = use_i18n();
    let n = progress.columns.len() as f64;
    let height = ROW * progress.signs.len().max(1) as f64 + 4.0;
    let width = LABEL + CELL * n + 8.0;
    let label = move |sign: &str| option_label(i18n, MSFAS, SIGNS, sign);
    let strip = progress
        .signs
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let y = ROW * r as f64 + 2.0;
            let cells = row
                .marks
                .iter()
                .enumerate()
                .map(|(c, mark)| {
                    let x = LABEL + CELL * c as f64;
                    let symbol = match mark {
                        Mark::Yes => "●",
                        Mark::Conflict => "?",
                        _ => "",
                    };
                    // A symbol only where there is one: fewer nodes to draw.
                    let symbol = (!symbol.is_empty()).then(|| view! {
                        <text x={x + CELL / 2.0 - 1.0} y={y + ROW * 0.7} class="cell-symbol" text-anchor="middle">{symbol}</text>
                    });
                    view! {
                        <rect x=x y=y width={CELL - 2.0} height={ROW - 2.0} class=format!("cell {}", mark_name(*mark)) />
                        {symbol}
                    }
                })
                .collect_view();
            view! {
                <text x={LABEL - 6.0} y={y + ROW * 0.7} text-anchor="end" class="chart-label">{label(&row.sign)}</text>
                {cells}
            }
        })
        .collect_view();
    let body = progress
        .signs
        .iter()
        .map(|row| {
            let cells = row
                .marks
                .iter()
                .map(|mark| {
                    let symbol = match mark {
                        Mark::Yes => "● ",
                        Mark::Conflict => "? ",
                        _ => "",
                    };
                    view! {
                        <td data-mark=mark_name(*mark)>
                            <span aria-hidden="true">{symbol}</span>{i18n.t(mark_key(*mark))}
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr data-sign=row.sign.clone()>
                    <th scope="row">{label(&row.sign)}</th>
                    {cells}
                    <td data-times=row.times.to_string()>{row.times}</td>
                </tr>
            }
        })
        .collect_view();
    let columns = progress
        .columns
        .iter()
        .map(|c| view! { <th scope="col" data-record=c.record.to_string()>{column_head(i18n, c)}</th> })
        .collect_view();
    view! {
        <section class="chart-section" aria-labelledby="signs-heading">
            <h2 id="signs-heading">{tr(Key::TimelineSignsHeading)}</h2>
            <p>{tr(Key::TimelineSignsHelp)}</p>
            <div class="chart-scroll">
                <svg class="chart sign-strip" aria-hidden="true" width=width height=height viewBox=format!("0 0 {width} {height}")>
                    {strip}
                </svg>
            </div>
            <div class="table-scroll">
                <table class="data-table chart-table" data-testid="sign-table">
                    <caption class="visually-hidden">{tr(Key::TimelineSignsHeading)}</caption>
                    <thead><tr>
                        <th scope="col">{tr(Key::TimelineSign)}</th>
                        {columns}
                        <th scope="col">{tr(Key::TimelineTimes)}</th>
                    </tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        </section>
    }
}

/// How many entries each part of the sheet holds, per assessment: one row of bars a part, each
/// bar with its number written on it.
#[component]
pub fn CountChart(progress: Progress) -> impl IntoView {
    let i18n = use_i18n();
    let n = progress.columns.len() as f64;
    let max = progress
        .counts
        .iter()
        .flat_map(|(_, counts)| counts.iter())
        .flat_map(|fact| match fact {
            Fact::Known(v) => vec![*v],
            Fact::Conflict(vs) => vs.clone(),
            Fact::Unset => vec![],
        })
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let band = 56.0;
    let height = band * progress.counts.len() as f64 + 4.0;
    let width = LABEL + CELL * n + 8.0;
    let bars = progress
        .counts
        .iter()
        .enumerate()
        .map(|(r, (category, counts))| {
            let base = band * (r as f64 + 1.0) - 4.0;
            let cells = counts
                .iter()
                .enumerate()
                .map(|(c, fact)| {
                    let x = LABEL + CELL * c as f64;
                    let (value, label, class) = match fact {
                        Fact::Known(v) => (*v as f64, v.to_string(), "bar"),
                        Fact::Conflict(_) => (0.0, "?".to_owned(), "bar conflict"),
                        Fact::Unset => (0.0, "–".to_owned(), "bar unanswered"),
                    };
                    let h = (band - 20.0) * value / max;
                    view! {
                        <rect x=x y={base - h} width={CELL - 4.0} height=h class=class />
                        <text x={x + CELL / 2.0 - 2.0} y={base - h - 3.0} text-anchor="middle" class="bar-value">{label}</text>
                    }
                })
                .collect_view();
            view! {
                <text x={LABEL - 6.0} y={base - 8.0} text-anchor="end" class="chart-label">{tr(category_key(*category))}</text>
                <line x1=LABEL y1=base x2={width - 4.0} y2=base class="axis" />
                {cells}
            }
        })
        .collect_view();
    let body = progress
        .counts
        .iter()
        .map(|(category, counts)| {
            let cells = counts
                .iter()
                .map(|fact| {
                    let text = fact_text(i18n, fact, i18n.t(Key::NotAnswered), |n| n.to_string());
                    view! { <td>{text}</td> }
                })
                .collect_view();
            view! {
                <tr data-category=format!("{category:?}").to_lowercase()>
                    <th scope="row">{tr(category_key(*category))}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let who = progress
        .columns
        .iter()
        .map(|c| view! { <td>{fact_text(i18n, &c.answered_by, i18n.t(Key::NotAnswered), |w| answered_by_text(i18n, w))}</td> })
        .collect_view();
    view! {
        <section class="chart-section" aria-labelledby="counts-heading">
            <h2 id="counts-heading">{tr(Key::TimelineCountsHeading)}</h2>
            <p>{tr(Key::TimelineCountsHelp)}</p>
            <div class="chart-scroll">
                <svg class="chart count-bars" aria-hidden="true" width=width height=height viewBox=format!("0 0 {width} {height}")>
                    {bars}
                </svg>
            </div>
            <div class="table-scroll">
                <table class="data-table chart-table" data-testid="count-table">
                    <caption class="visually-hidden">{tr(Key::TimelineCountsHeading)}</caption>
                    {head(&progress, Key::TimelineCategory)}
                    <tbody>
                        <tr data-category="answered_by"><th scope="row">{tr(Key::AnsweredBy)}</th>{who}</tr>
                        {body}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// What the person does when tired, per assessment: a step line over the options of (3) in the
/// sheet's order (from deciding for oneself to not resting), numbered, and the same as a table.
#[component]
pub fn CopingChart(progress: Progress) -> impl IntoView {
    let i18n = use_i18n();
    let catalogue = crate::db::catalogue();
    let options: Vec<String> = catalogue
        .latest(MSFAS)
        .and_then(|i| i.question(COPING))
        .and_then(|q| match &q.answer {
            yorisoi_domain::instrument::AnswerKind::Single { options, .. } => options
                .resolve(&catalogue.lists)
                .map(|o| o.iter().map(|c| c.id.clone()).collect()),
            _ => None,
        })
        .unwrap_or_default();
    let level = |id: &String| options.iter().position(|o| o == id);
    let n = progress.columns.len() as f64;
    let height = ROW * (options.len() as f64 + 1.0) + 8.0;
    let width = LABEL + CELL * n + 8.0;
    let y_of = |level: usize| ROW * level as f64 + ROW * 0.5 + 4.0;
    let mut points = Vec::new();
    let dots = progress
        .coping
        .iter()
        .enumerate()
        .filter_map(|(c, fact)| {
            let x = LABEL + CELL * c as f64 + CELL / 2.0;
            match fact {
                Fact::Known(id) => {
                    let y = y_of(level(id).unwrap_or(options.len()));
                    points.push(format!("{x},{y}"));
                    Some(view! { <circle cx=x cy=y r=6 class="dot" /> }.into_any())
                }
                Fact::Conflict(_) => Some(
                    view! { <text x=x y={y_of(options.len())} text-anchor="middle" class="cell-symbol">"?"</text> }
                        .into_any(),
                ),
                Fact::Unset => None,
            }
        })
        .collect_view();
    let labels = options
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut text = option_label(i18n, MSFAS, COPING, id);
            if text.chars().count() > 14 {
                text = text.chars().take(13).collect::<String>() + "…";
            }
            view! { <text x={LABEL - 6.0} y={y_of(i) + 5.0} text-anchor="end" class="chart-label">{format!("{} {text}", i + 1)}</text> }
        })
        .collect_view();
    let cells = progress
        .coping
        .iter()
        .map(|fact| {
            let text = fact_text(i18n, fact, i18n.t(Key::NotAnswered), |id| match level(id) {
                Some(i) => format!("{} {}", i + 1, option_label(i18n, MSFAS, COPING, id)),
                None => option_label(i18n, MSFAS, COPING, id),
            });
            view! { <td>{text}</td> }
        })
        .collect_view();
    view! {
        <section class="chart-section" aria-labelledby="coping-heading">
            <h2 id="coping-heading">{tr(Key::TimelineCopingHeading)}</h2>
            <div class="chart-scroll">
                <svg class="chart coping-steps" aria-hidden="true" width=width height=height viewBox=format!("0 0 {width} {height}")>
                    {labels}
                    <polyline points=points.join(" ") class="step-line" />
                    {dots}
                </svg>
            </div>
            <div class="table-scroll">
                <table class="data-table chart-table" data-testid="coping-table">
                    <caption class="visually-hidden">{tr(Key::TimelineCopingHeading)}</caption>
                    {head(&progress, Key::TimelineCategory)}
                    <tbody><tr><th scope="row">{tr(Key::TimelineCoping)}</th>{cells}</tr></tbody>
                </table>
            </div>
        </section>
    }
}
