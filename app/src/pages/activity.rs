//! 活動集計 for the office (`/activity`): per job coach and month, contacts by mode and phase,
//! planned against face-to-face visits, and the clients not met face to face, computed on the
//! device from every visit note and plan it holds (`domain::report::activity`), shown as a table
//! and downloadable as a CSV for Excel like the other exports.

use super::set_title;
use crate::clock;
use crate::components::download;
use crate::db::use_db;
use crate::i18n::{Key, tr, use_i18n};
use crate::support::{mode_key, month_text, phase_key};
use leptos::prelude::*;
use std::collections::BTreeMap;
use yorisoi_domain::audit::Action;
use yorisoi_domain::export;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::report::activity::{CoachMonth, PHASES, activity};
use yorisoi_domain::report::{MODES, Month};
use yorisoi_domain::sync::Entity;

#[component]
pub fn ActivityPage() -> impl IntoView {
    set_title(Key::ActivityTitle);
    let db = use_db();
    let i18n = use_i18n();
    let month = RwSignal::new(Month::of(clock::today()));
    let rows = Memo::new(move |_| {
        if !db.all_loaded.get() {
            return None;
        }
        let plans: BTreeMap<ClientId, _> = yorisoi_domain::order::map_of(
            db.due_facts()
                .into_iter()
                .map(|f| (f.client, f.plan.plan())),
        );
        Some(activity(&db.all_records(), &plans, month.get()))
    });
    let name_of = move |id: ClientId| db.client(id).map(|c| c.name);
    let export_csv = move |_| {
        let Some(rows) = rows.get_untracked() else {
            return;
        };
        let month = month.get_untracked();
        let lang = export::Lang::from(i18n.lang.get_untracked());
        let text = export::activity_csv(&rows, month, name_of, lang);
        // The names of the clients not met leave the device: each is noted for the audit log.
        for client in rows.iter().flat_map(|r| &r.without_face_to_face) {
            db.note(
                Entity::Client(*client),
                *client,
                Action::Exported,
                &["activity_csv", &month.to_string()],
            );
        }
        download(
            &format!("yorisoi-activity-{month}.csv"),
            "text/csv;charset=utf-8",
            &text,
        );
    };
    let coach_name = move |row: &CoachMonth| {
        if row.coach.is_empty() {
            i18n.t(Key::DueNoCoach).to_owned()
        } else {
            row.coach.clone()
        }
    };
    let table = move || {
        let Some(rows) = rows.get() else {
            return view! { <p class="loading" role="status">{tr(Key::Loading)}</p> }.into_any();
        };
        if rows.is_empty() {
            return view! { <p class="empty-state" data-testid="activity-empty">{tr(Key::ActivityNone)}</p> }.into_any();
        }
        let body = rows
            .iter()
            .map(|row| {
                let names: Vec<String> = row
                    .without_face_to_face
                    .iter()
                    .map(|c| name_of(*c).unwrap_or_else(|| c.to_string()))
                    .collect();
                view! {
                    <tr data-testid="activity-row" data-coach=row.coach.clone()>
                        <th scope="row">{coach_name(row)}</th>
                        {row.by_mode.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                        <td>{row.no_mode}</td>
                        {row.by_phase.iter().map(|n| view! { <td>{*n}</td> }).collect_view()}
                        <td>{row.no_phase}</td>
                        <td data-testid="activity-planned">{row.planned}</td>
                        <td data-testid="activity-actual">{row.face_to_face}</td>
                        <td>{row.clients.len()}</td>
                        <td data-testid="activity-not-met">{names.join("、")}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-scroll">
                <table class="report-table activity-table" data-testid="activity-table">
                    <caption>{move || month_text(i18n.lang.get(), month.get())}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{tr(Key::ActivityCoach)}</th>
                            {MODES.into_iter().map(|m| view! { <th scope="col">{tr(mode_key(m))}</th> }).collect_view()}
                            <th scope="col">{tr(Key::ModeNone)}</th>
                            {PHASES.into_iter().map(|p| view! { <th scope="col">{tr(phase_key(p))}</th> }).collect_view()}
                            <th scope="col">{tr(Key::PhaseNone)}</th>
                            <th scope="col">{tr(Key::ActivityPlanned)}</th>
                            <th scope="col">{tr(Key::ActivityActual)}</th>
                            <th scope="col">{tr(Key::ActivityClients)}</th>
                            <th scope="col">{tr(Key::ActivityNotMet)}</th>
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::ActivityTitle)}</h1>
            <div class="toolbar">
                <label class="field">
                    <span class="field-label">{tr(Key::ReportMonthLabel)}</span>
                    <input type="month" class="input" data-testid="activity-month"
                        prop:value=move || month.get().to_string()
                        on:change=move |ev| {
                            if let Ok(m) = event_target_value(&ev).parse::<Month>() {
                                month.set(m);
                            }
                        } />
                </label>
                <button type="button" class="secondary" data-testid="activity-csv" on:click=export_csv>{tr(Key::ExportCsv)}</button>
            </div>
            <p class="hint">{tr(Key::ActivityHow)}</p>
            {table}
        </section>
    }
}
