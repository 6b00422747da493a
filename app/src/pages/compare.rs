//! Two MSFAS answers of one client side by side, with what changed marked: any two, picked here
//! or from the timeline; the address names both (`?a=…&b=…`), so a comparison can be bookmarked
//! and printed. Without them, the two newest.

use crate::db::{catalogue, use_db};
use crate::forms::text_view;
use crate::i18n::{Key, tr, use_i18n};
use crate::records::day_of;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use yorisoi_domain::export::{self, answer_text};
use yorisoi_domain::ids::{ClientId, RecordId};
use yorisoi_domain::record::{Record, Status};

/// The client's MSFAS, newest first.
fn assessments(records: Vec<Record>) -> Vec<Record> {
    records
        .into_iter()
        .filter(|r| r.instrument.id == "msfas")
        .collect()
}

/// The two to compare, earlier first: the two named in the address if both are this client's
/// MSFAS and not the same, else the two newest.
fn chosen(msfas: &[Record], a: Option<RecordId>, b: Option<RecordId>) -> Option<(Record, Record)> {
    let find = |id: Option<RecordId>| id.and_then(|id| msfas.iter().find(|r| r.id == id));
    let (first, second) = match (find(a), find(b)) {
        (Some(x), Some(y)) if x.id != y.id => (x, y),
        _ if msfas.len() >= 2 => (&msfas[1], &msfas[0]),
        _ => return None,
    };
    let order = |r: &Record| (day_of(r), r.created_at, r.id);
    if order(first) <= order(second) {
        Some((first.clone(), second.clone()))
    } else {
        Some((second.clone(), first.clone()))
    }
}

#[component]
pub fn ComparePage() -> impl IntoView {
    super::set_title(Key::CompareTitle);
    let db = use_db();
    let i18n = use_i18n();
    let client = super::route_id::<ClientId>("client");
    let query = use_query_map();
    let picked = move |name: &str| {
        query
            .read()
            .get(name)
            .and_then(|v| v.parse::<RecordId>().ok())
    };
    let msfas = move || {
        client()
            .map(|c| assessments(db.records_of(c)))
            .unwrap_or_default()
    };
    let table = move || {
        let msfas = msfas();
        let Some((earlier, later)) = chosen(&msfas, picked("a"), picked("b")) else {
            return view! { <p class="empty-state" data-testid="compare-need-two">{tr(Key::CompareNeedTwo)}</p> }.into_any();
        };
        let lang = export::Lang::from(i18n.lang.get());
        let Some(instrument) = catalogue().get(&later.instrument) else {
            return view! { <p>{tr(Key::RecordNotFound)}</p> }.into_any();
        };
        let rows = instrument
            .questions()
            .map(|(key, _, question)| {
                let shown = |r: &Record| {
                    r.answers.get(&key).map(|a| answer_text(a, &question.answer, &catalogue().lists, lang))
                };
                let (before, after) = (shown(&earlier), shown(&later));
                let changed = earlier.answers.get(&key) != later.answers.get(&key);
                let cell = |text: Option<String>| text.unwrap_or_else(|| i18n.t(Key::NotAnswered).to_owned());
                view! {
                    <tr class:changed=changed data-field=key.clone() data-changed=changed.to_string()>
                        <th scope="row">{question.number.clone()}{text_view(&question.prompt)}</th>
                        <td class="pre">{cell(before)}</td>
                        <td class="pre">{cell(after)}</td>
                        <td>{changed.then(|| view! { <span class="badge changed">{tr(Key::CompareChanged)}</span> })}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="compare-table" data-testid="compare-table"
                data-earlier=earlier.id.to_string() data-later=later.id.to_string()>
                <thead>
                    <tr>
                        <th scope="col"></th>
                        <th scope="col">{tr(Key::Earlier)}" "{day_of(&earlier)}</th>
                        <th scope="col">{tr(Key::Later)}" "{day_of(&later)}</th>
                        <th scope="col"><span class="visually-hidden">{tr(Key::CompareChanged)}</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::CompareTitle)}</h1>
            <Picker client msfas=Signal::derive(msfas) picked=Signal::derive(move || (picked("a"), picked("b"))) />
            {table}
        </section>
    }
}

/// Two lists of the client's MSFAS (day, who answered, draft or complete); 比べる puts the two in
/// the address.
#[component]
fn Picker(
    client: impl Fn() -> Option<ClientId> + Send + Sync + Copy + 'static,
    msfas: Signal<Vec<Record>>,
    picked: Signal<(Option<RecordId>, Option<RecordId>)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    // What the person chose in each list; until then, the two on screen. Kept in signals so a
    // list drawn again (a sync bringing a record) keeps the choice.
    let choice = [
        RwSignal::new(None::<RecordId>),
        RwSignal::new(None::<RecordId>),
    ];
    let (problem, set_problem) = signal(false);
    let current = move |slot: usize| {
        choice[slot].get().or_else(|| {
            chosen(&msfas.get(), picked.get().0, picked.get().1)
                .map(|(a, b)| if slot == 0 { a.id } else { b.id })
        })
    };
    let options = move |slot: usize| {
        let shown = current(slot);
        msfas
            .get()
            .iter()
            .map(|r| {
                let state = i18n.t(if r.status == Status::Complete { Key::StatusComplete } else { Key::StatusDraft });
                let label = format!("{} （{state}）", day_of(r));
                view! { <option value=r.id.to_string() selected={shown == Some(r.id)}>{label}</option> }
            })
            .collect_view()
    };
    let pick = move |slot: usize| {
        move |ev: leptos::ev::Event| choice[slot].set(event_target_value(&ev).parse().ok())
    };
    let compare = move |_| {
        let (Some(a), Some(b)) = (current(0), current(1)) else {
            set_problem.set(true);
            return;
        };
        if a == b {
            set_problem.set(true);
            return;
        }
        set_problem.set(false);
        if let Some(c) = client() {
            navigate(
                &format!("/clients/{c}/compare?a={a}&b={b}"),
                Default::default(),
            );
        }
    };
    view! {
        <Show when=move || msfas.with(|m| m.len() >= 2)>
            <fieldset class="card compare-picker no-print">
                <legend>{tr(Key::ComparePick)}</legend>
                <div class="field-grid">
                    <label class="field">
                        <span class="field-label">{tr(Key::CompareFirst)}</span>
                        <select class="input" data-testid="compare-first" on:change=pick(0)>{move || options(0)}</select>
                    </label>
                    <label class="field">
                        <span class="field-label">{tr(Key::CompareSecond)}</span>
                        <select class="input" data-testid="compare-second" on:change=pick(1)>{move || options(1)}</select>
                    </label>
                </div>
                <button type="button" data-testid="compare-show" on:click=compare.clone()>{tr(Key::CompareShow)}</button>
                <Show when=move || problem.get()>
                    <p class="error" role="alert" data-testid="compare-problem">{tr(Key::ComparePickDifferent)}</p>
                </Show>
            </fieldset>
        </Show>
    }
}
