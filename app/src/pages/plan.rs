//! A client's support plan (支援計画) on the client's page: the phase, the face-to-face contacts
//! needed each month, the planned visits a week or a month, and when it runs. Each part is a
//! client field saved as it is changed, through the same edit path as every client field, so it
//! syncs, merges (a part two devices changed is shown under 要確認 to choose), and its change is
//! written to the audit log by the server.

use crate::db::use_db;
use crate::i18n::{Key, tr};
use crate::support::{part_key, phase_key};
use leptos::prelude::*;
use serde_json::{Value, json};
use yorisoi_domain::date::Date;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::plan::{Frequency, Part, Period, Phase};

#[component]
pub fn PlanCard(client: ClientId) -> impl IntoView {
    let db = use_db();
    let view_of = move || db.plan(client);
    let (problem, set_problem) = signal(None::<Key>);
    let write = move |part: Part, value: Value| {
        set_problem.set(None);
        db.set_plan_part(client, part, value);
    };
    let phase_value = move || {
        view_of()
            .phase
            .known()
            .and_then(|p| {
                serde_json::to_value(p)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
            })
            .unwrap_or_default()
    };
    let f2f_value = move || {
        view_of()
            .face_to_face_per_month
            .known()
            .map(|n| n.to_string())
            .unwrap_or_default()
    };
    let visits = move || view_of().visits.known().copied();
    let date_value = move |part: Part| {
        move || {
            let plan = view_of();
            let fact = if part == Part::Start {
                plan.start
            } else {
                plan.end
            };
            fact.known().map(Date::to_string).unwrap_or_default()
        }
    };
    let count_node = NodeRef::<leptos::html::Input>::new();
    let per_node = NodeRef::<leptos::html::Select>::new();
    let write_visits = move || {
        let count = count_node.get().map(|n| n.value()).unwrap_or_default();
        let per = match per_node.get().map(|n| n.value()).as_deref() {
            Some("month") => Period::Month,
            _ => Period::Week,
        };
        if count.trim().is_empty() {
            write(Part::Visits, Value::Null);
            return;
        }
        match count.trim().parse::<u8>() {
            Ok(count) if (Frequency { count, per }).check().is_ok() => {
                write(Part::Visits, json!(Frequency { count, per }));
            }
            _ => set_problem.set(Some(Key::PlanBadVisits)),
        }
    };
    let conflicts = move || {
        let parts = view_of().conflicts();
        (!parts.is_empty()).then(|| {
            let names = parts
                .into_iter()
                .map(|p| view! { <li>{tr(part_key(p))}</li> })
                .collect_view();
            view! {
                <div class="notice" role="status" data-testid="plan-conflicts">
                    <p>{tr(Key::PlanInConflict)}</p>
                    <ul>{names}</ul>
                </div>
            }
        })
    };
    let end_before_start = move || {
        let plan = view_of();
        matches!((plan.start.known(), plan.end.known()), (Some(s), Some(e)) if e < s)
    };
    let date_input = move |part: Part, testid: &'static str| {
        view! {
            <label class="field">
                <span class="field-label">{tr(part_key(part))}</span>
                <input type="date" class="input" data-testid=testid prop:value=date_value(part)
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        match text.parse::<Date>() {
                            Ok(date) => write(part, json!(date)),
                            Err(_) if text.is_empty() => write(part, Value::Null),
                            Err(_) => {}
                        }
                    } />
            </label>
        }
    };
    view! {
        <section class="card" aria-labelledby="plan-heading" data-testid="plan">
            <h2 id="plan-heading">{tr(Key::PlanHeading)}</h2>
            <p class="hint">{tr(Key::PlanEmptyMeans)}</p>
            {conflicts}
            <div class="field-grid">
                <label class="field">
                    <span class="field-label">{tr(Key::PlanPhase)}</span>
                    <select class="input" data-testid="plan-phase" prop:value=phase_value
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            write(Part::Phase, if value.is_empty() { Value::Null } else { json!(value) });
                        }>
                        <option value="">{tr(Key::PlanNotSet)}</option>
                        {[Phase::Intensive, Phase::Transition, Phase::FollowUp].into_iter().map(|p| {
                            let id = serde_json::to_value(p).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                            view! { <option value=id>{tr(phase_key(p))}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">{tr(Key::PlanFaceToFace)}</span>
                    <input type="number" min="1" max="31" inputmode="numeric" class="input"
                        data-testid="plan-face-to-face" prop:value=f2f_value
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            match text.trim().parse::<u8>() {
                                _ if text.trim().is_empty() => write(Part::FaceToFacePerMonth, Value::Null),
                                Ok(n) if (1..=31).contains(&n) => write(Part::FaceToFacePerMonth, json!(n)),
                                _ => set_problem.set(Some(Key::PlanBadFaceToFace)),
                            }
                        } />
                </label>
                <fieldset class="field">
                    <legend class="field-label">{tr(Key::PlanVisits)}</legend>
                    <span class="inline-field">
                        <select class="input" node_ref=per_node data-testid="plan-visits-per"
                            aria-label=tr(Key::PlanVisits)
                            prop:value=move || if visits().is_some_and(|v| v.per == Period::Month) { "month" } else { "week" }
                            on:change=move |_| write_visits()>
                            <option value="week">{tr(Key::PlanPerWeek)}</option>
                            <option value="month">{tr(Key::PlanPerMonth)}</option>
                        </select>
                        <input type="number" min="1" max="31" inputmode="numeric" class="input" node_ref=count_node
                            aria-label=tr(Key::PlanVisits)
                            data-testid="plan-visits-count"
                            prop:value=move || visits().map(|v| v.count.to_string()).unwrap_or_default()
                            on:change=move |_| write_visits() />
                    </span>
                </fieldset>
                {date_input(Part::Start, "plan-start")}
                {date_input(Part::End, "plan-end")}
            </div>
            <Show when=end_before_start>
                <p class="field-error" role="alert">{tr(Key::PlanEndBeforeStart)}</p>
            </Show>
            {move || problem.get().map(|key| view! { <p class="field-error" role="alert" data-testid="plan-problem">{tr(key)}</p> })}
        </section>
    }
}
