//! The follow-up plan and the monthly 支援レポート in the disclosure (開示) page, part by part as
//! held (a part in conflict shows every value, marked as needing review).

use crate::i18n::{Key, tr, use_i18n};
use crate::support::phase_key;
use leptos::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use yorisoi_domain::plan::{Frequency, Period, Phase};
use yorisoi_domain::privacy::Held;

/// A held value in words (in the current language, tracked): a phase or planned visits as the
/// plan page says them, a text as it is, a share or a final mark as its day and who, anything
/// else as its JSON.
fn value_text(part: &str, value: &Value) -> String {
    let i18n = use_i18n();
    if part == "phase"
        && let Ok(phase) = serde_json::from_value::<Phase>(value.clone())
    {
        return i18n.t(phase_key(phase)).to_owned();
    }
    if part == "visits"
        && let Ok(f) = serde_json::from_value::<Frequency>(value.clone())
    {
        let per = match f.per {
            Period::Week => Key::PlanPerWeek,
            Period::Month => Key::PlanPerMonth,
        };
        return format!("{} {}", i18n.t(per), f.count);
    }
    match value {
        Value::String(text) => text.clone(),
        Value::Object(o) if o.contains_key("on") => format!(
            "{} {}",
            o.get("on").and_then(Value::as_str).unwrap_or_default(),
            o.get("by_name").and_then(Value::as_str).unwrap_or_default()
        ),
        other => other.to_string(),
    }
}

fn part_key(part: &str) -> Option<Key> {
    Some(match part {
        "phase" => Key::PlanPhase,
        "face_to_face_per_month" => Key::PlanFaceToFace,
        "visits" => Key::PlanVisits,
        "start" => Key::PlanStart,
        "end" => Key::PlanEnd,
        "done" => Key::ReportDone,
        "state" => Key::ReportState,
        "next" => Key::ReportNext,
        "final" => Key::DisclosureReportFinal,
        "shared_person" => Key::ReportToPerson,
        "shared_employer" => Key::ReportToEmployer,
        _ => return None,
    })
}

fn rows(held: &Held) -> impl IntoView + use<> {
    held.iter()
        .map(|(part, values)| {
            let label = part_key(part);
            let (part, attr) = (part.clone(), part.clone());
            let conflict = values.len() > 1;
            let values = values.clone();
            let shown = part.clone();
            let text = move || {
                values
                    .iter()
                    .map(|v| value_text(&shown, v))
                    .collect::<Vec<_>>()
                    .join(" / ")
            };
            view! {
                <tr data-testid="disclosure-part" data-part=attr>
                    <th scope="row">{move || label.map_or_else(|| part.clone(), |k| tr(k)().to_owned())}</th>
                    <td>{text}{conflict.then(|| view! { " " <strong>{tr(Key::TimelineConflict)}</strong> })}</td>
                </tr>
            }
        })
        .collect_view()
}

/// The plan and every month's report, as held.
#[component]
pub fn HeldSupport(plan: Held, reports: BTreeMap<String, Held>) -> impl IntoView {
    let none = plan.is_empty();
    let months = reports
        .iter()
        .map(|(month, held)| {
            view! {
                <section class="print-sheet" data-testid="disclosure-report" data-month=month.clone()>
                    <h3>{tr(Key::ReportTitle)}" "{month.clone()}</h3>
                    <table class="audit-table"><tbody>{rows(held)}</tbody></table>
                </section>
            }
        })
        .collect_view();
    view! {
        <section class="print-sheet" data-testid="disclosure-plan">
            <h2>{tr(Key::PlanHeading)}</h2>
            {none.then(|| view! { <p>{tr(Key::PlanNotSet)}</p> })}
            <table class="audit-table"><tbody>{rows(&plan)}</tbody></table>
        </section>
        <h2>{tr(Key::DisclosureReports)}</h2>
        {reports.is_empty().then(|| view! { <p>{tr(Key::DisclosureNoReports)}</p> })}
        {months}
    }
}
