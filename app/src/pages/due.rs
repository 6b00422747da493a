//! 今日・今週の予定 on the home screen: the clients with a visit due today or this week, overdue
//! (said in words beside the colour), not yet met face to face this month, or not met in a month
//! that has ended (「11月は対面なし」, for the few months after), computed on the
//! device from each client's plan and visit notes (`domain::due`), so it works offline. The office
//! sees every client, grouped by job coach (the first name in the newest note's staff field) and
//! filterable by one.

use crate::account::use_account;
use crate::clock;
use crate::db::use_db;
use crate::i18n::{Key, tr, trn, use_i18n};
use crate::support::month_text;
use leptos::prelude::*;
use leptos_router::components::A;
use std::collections::BTreeMap;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::date::Date;
use yorisoi_domain::due::{ClientDue, Missed, Monthly, Reason, Rules, When, due};
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::plan::Period;
use yorisoi_domain::report::Month;

/// Whether a client belongs on the list today: something due up to this week, a monthly
/// face-to-face contact not yet made, or a month that ended without one.
fn listed(d: &ClientDue) -> bool {
    d.items.iter().any(|i| i.when != When::Later)
        || !d.missed.is_empty()
        || matches!(
            d.monthly,
            Monthly::NotYet { .. } | Monthly::Uncertain { .. }
        )
}

/// The order of the list: the most overdue first, then by the day due; a monthly contact still
/// to make sorts by the month's last day, a month missed by its own last day.
fn sort_key(d: &ClientDue, today: Date) -> (Date, ClientId) {
    let first = d
        .items
        .iter()
        .find(|i| i.when != When::Later)
        .map(|i| i.on)
        .unwrap_or_else(|| today.last_of_month());
    let missed = d.missed.first().map(Missed::last_day);
    (missed.map_or(first, |m| m.min(first)), d.client)
}

/// The months that ended without the face-to-face contact the plan asks for, each in words
/// beside its mark (「2026年11月は対面なし（0/1回）」).
fn missed_lines(d: &ClientDue) -> impl IntoView + use<> {
    let lang = use_i18n().lang.get();
    d.missed
        .iter()
        .map(|m| {
            let text = format!(
                "{}{}",
                trn(Key::DueMonthMissed, month_text(lang, Month::of(m.month))),
                trn(
                    Key::DueMonthMissedCount,
                    format!("{}/{}", m.done, m.required)
                )
            );
            view! {
                <li data-testid="due-missed" class="due-flagged">
                    <span class="badge overdue">"!"</span> " " {text}
                    <span class="hint due-missed-hint">" " {tr(Key::DueMonthMissedHint)}</span>
                </li>
            }
        })
        .collect_view()
}

/// Every listed client's due, in order (what the page shows; also what the benchmark times).
pub fn due_today(db: crate::db::Db, today: Date) -> (Vec<ClientDue>, BTreeMap<ClientId, String>) {
    let facts = db.due_facts();
    let rules = Rules::default();
    let mut list: Vec<ClientDue> = facts
        .iter()
        .map(|f| due(f, today, &rules))
        .filter(listed)
        .collect();
    yorisoi_domain::order::sort_by_key(&mut list, |d| sort_key(d, today));
    let coaches = db.coaches_of(&facts, today);
    (list, coaches)
}

fn when_badge(when: When) -> impl IntoView {
    let (class, text) = match when {
        When::Overdue { days } => ("badge overdue", trn(Key::DueOverdue, days)),
        When::Today => ("badge due-today", use_i18n().t(Key::DueToday).to_owned()),
        When::ThisWeek => ("badge due-week", use_i18n().t(Key::DueThisWeek).to_owned()),
        When::Later => ("badge", String::new()),
    };
    view! { <span class=class data-testid="due-when">{text}</span> }
}

fn reason_text(reason: &Reason, on: Date) -> String {
    match reason {
        Reason::NextVisit { .. } => trn(Key::DueNextVisit, on),
        Reason::NextVisitInConflict { dates, .. } => {
            let dates: Vec<String> = dates.iter().map(Date::to_string).collect();
            trn(Key::DueNextVisitConflict, dates.join(" / "))
        }
        Reason::FaceToFaceThisMonth { done, required } => {
            trn(Key::DueMonthlyNotYet, format!("{done}/{required}"))
        }
        Reason::PlannedVisits { per, planned, done } => trn(
            match per {
                Period::Week => Key::DuePlannedWeek,
                Period::Month => Key::DuePlannedMonth,
            },
            format!("{done}/{planned}"),
        ),
        Reason::NoteInConflict { .. } => use_i18n().t(Key::DueNoteConflict).to_owned(),
        Reason::PlanInConflict { .. } => use_i18n().t(Key::DuePlanConflict).to_owned(),
    }
}

/// One client's line: name, each thing due with its day in words, and the month's contact.
fn due_item(d: ClientDue, name: String) -> impl IntoView {
    let overdue = d
        .items
        .iter()
        .any(|i| matches!(i.when, When::Overdue { .. }));
    let items = d
        .items
        .iter()
        .filter(|i| i.when != When::Later)
        // The monthly line below says it already.
        .filter(|i| !matches!(i.reason, Reason::FaceToFaceThisMonth { .. }))
        .map(|i| {
            let text = reason_text(&i.reason, i.on);
            view! { <li data-testid="due-reason">{when_badge(i.when)}" "{text}</li> }
        })
        .collect_view();
    let monthly = match &d.monthly {
        Monthly::NotYet {
            done,
            required,
            days_left,
        } => Some((
            format!(
                "{} {}",
                trn(Key::DueMonthlyNotYet, format!("{done}/{required}")),
                trn(Key::DueMonthEnd, days_left)
            ),
            d.items
                .iter()
                .any(|i| matches!(i.reason, Reason::FaceToFaceThisMonth { .. })),
        )),
        Monthly::Uncertain {
            done,
            required,
            days_left,
            ..
        } => Some((
            format!(
                "{} {}",
                trn(
                    Key::DueMonthlyUncertain,
                    format!(
                        "{done}/{}",
                        required.map_or("?".to_owned(), |r| r.to_string())
                    )
                ),
                trn(Key::DueMonthEnd, days_left)
            ),
            true,
        )),
        _ => None,
    };
    let monthly = monthly.map(|(text, flagged)| {
        view! {
            <li data-testid="due-monthly" class=if flagged { "due-flagged" } else { "" }>
                {flagged.then(|| view! { <span class="badge overdue">"!"</span> " " })}
                {text}
            </li>
        }
    });
    let last = d
        .last_contact
        .map(|day| view! { <p class="due-last">{trn(Key::DueLastContact, day)}</p> });
    view! {
        <li class=if overdue { "due-item is-overdue" } else { "due-item" } data-testid="due-item" data-client=d.client.to_string()>
            <A href=format!("/clients/{}", d.client) attr:class="due-name" attr:data-testid="due-client">{name}</A>
            <ul class="due-reasons">{missed_lines(&d)}{items}{monthly}</ul>
            {last}
        </li>
    }
}

#[component]
pub fn DueSection() -> impl IntoView {
    let db = use_db();
    let account = use_account();
    let office = move || account.role() == Some(Role::Office);
    let (coach, set_coach) = signal(None::<String>);
    let computed = Memo::new(move |_| {
        if !db.all_loaded.get() {
            return None;
        }
        clock::mark("yorisoi-due-start");
        let result = due_today(db, clock::today());
        clock::mark("yorisoi-due-end");
        Some(result)
    });
    Effect::new(move |_| {
        if computed.with(Option::is_some) {
            clock::mark("yorisoi-due-shown");
        }
    });
    let name_of = move |id: ClientId| {
        db.client(id)
            .map(|c| c.name)
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| use_i18n().t(Key::UnnamedClient).to_owned())
    };
    let list = move || {
        let Some((list, coaches)) = computed.get() else {
            return view! { <p class="loading" role="status">{tr(Key::Loading)}</p> }.into_any();
        };
        if list.is_empty() {
            return view! { <p class="empty-state" data-testid="due-empty">{tr(Key::DueNone)}</p> }
                .into_any();
        }
        if !office() {
            let items = list
                .into_iter()
                .map(|d| {
                    let name = name_of(d.client);
                    due_item(d, name)
                })
                .collect_view();
            return view! { <ul class="due-list" data-testid="due-list">{items}</ul> }.into_any();
        }
        // The office: one group per coach, or the one chosen.
        let mut groups: BTreeMap<(bool, String), Vec<ClientDue>> = BTreeMap::new();
        for d in list {
            let name = coaches.get(&d.client).cloned().unwrap_or_default();
            groups.entry((name.is_empty(), name)).or_default().push(d);
        }
        let names: Vec<String> = groups.keys().map(|(_, n)| n.clone()).collect();
        let chosen = coach.get();
        let options = names
            .iter()
            .map(|n| {
                let label = if n.is_empty() {
                    use_i18n().t(Key::DueNoCoach).to_owned()
                } else {
                    n.clone()
                };
                let selected = chosen.as_deref() == Some(n.as_str());
                view! { <option value=n.clone() selected=selected>{label}</option> }
            })
            .collect_view();
        let shown = groups
            .into_iter()
            .filter(|((_, n), _)| chosen.as_ref().is_none_or(|c| c == n))
            .map(|((_, n), list)| {
                let heading = if n.is_empty() {
                    use_i18n().t(Key::DueNoCoach).to_owned()
                } else {
                    n.clone()
                };
                let items = list
                    .into_iter()
                    .map(|d| {
                        let name = name_of(d.client);
                        due_item(d, name)
                    })
                    .collect_view();
                view! {
                    <section class="due-group" data-testid="due-group" data-coach=n>
                        <h3>{heading}</h3>
                        <ul class="due-list" data-testid="due-list">{items}</ul>
                    </section>
                }
            })
            .collect_view();
        view! {
            <label class="field">
                <span class="field-label">{tr(Key::DueCoachFilter)}</span>
                <select class="input" data-testid="due-coach-filter"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        set_coach.set((value != "*").then_some(value));
                    }>
                    <option value="*" selected=chosen.is_none()>{tr(Key::DueAllCoaches)}</option>
                    {options}
                </select>
            </label>
            <p class="hint">{tr(Key::DueCoachHow)}</p>
            {shown}
        }
        .into_any()
    };
    view! {
        <section class="card due" aria-labelledby="due-heading" data-testid="due">
            <h2 id="due-heading">{tr(Key::DueHeading)}</h2>
            <div aria-live="polite">{list}</div>
        </section>
    }
}
