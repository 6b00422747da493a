//! Two records of one client and one instrument side by side, any versions of it, keyed by
//! question id (`domain::timeline::compare`): what changed is said in words, a question only one
//! record's version asks is said to be so. Any two, picked here or from the timeline; the address
//! names both (`?a=…&b=…`), so a comparison can be bookmarked and printed. Without them, the two
//! newest MSFAS (or of the instrument with two or more records).

use crate::db::{catalogue, use_db};
use crate::forms::text_view;
use crate::i18n::{Key, tr, trn, use_i18n};
use crate::records::day_of;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use yorisoi_domain::export;
use yorisoi_domain::ids::{ClientId, RecordId};
use yorisoi_domain::record::{Record, Status};
use yorisoi_domain::timeline::compare::{Side, compare};

/// The instrument compared at first: MSFAS if there are two, else the one of the newest record
/// that has another of its kind.
fn first_instrument(records: &[Record]) -> Option<String> {
    let count = |id: &str| records.iter().filter(|r| r.instrument.id == id).count();
    if count("msfas") >= 2 {
        return Some("msfas".to_owned());
    }
    records
        .iter()
        .find(|r| count(&r.instrument.id) >= 2)
        .map(|r| r.instrument.id.clone())
}

/// The two to compare, earlier first: the two named in the address if both are this client's,
/// of one instrument and not the same, else the two newest of `instrument`.
fn chosen(
    records: &[Record],
    instrument: Option<&str>,
    a: Option<RecordId>,
    b: Option<RecordId>,
) -> Option<(Record, Record)> {
    let find = |id: Option<RecordId>| id.and_then(|id| records.iter().find(|r| r.id == id));
    let of: Vec<&Record> = records
        .iter()
        .filter(|r| Some(r.instrument.id.as_str()) == instrument)
        .collect();
    let (first, second) = match (find(a), find(b)) {
        (Some(x), Some(y)) if x.id != y.id && x.instrument.id == y.instrument.id => (x, y),
        _ if of.len() >= 2 => (of[1], of[0]),
        _ => return None,
    };
    let order = |r: &Record| (day_of(r), r.created_at, r.id);
    if order(first) <= order(second) {
        Some((first.clone(), second.clone()))
    } else {
        Some((second.clone(), first.clone()))
    }
}

/// "2026-04-10（第2版）": a record's day and the version it was made with.
fn head(record: &Record) -> String {
    format!(
        "{} {}",
        day_of(record),
        trn(Key::CompareVersion, record.instrument.version)
    )
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
    let records = move || client().map(|c| db.records_of(c)).unwrap_or_default();
    // The instrument picked here; until then the named records', or the first with two.
    let instrument_choice = RwSignal::new(None::<String>);
    let instrument = Signal::derive(move || {
        instrument_choice.get().or_else(|| {
            let records = records();
            picked("a")
                .and_then(|a| records.iter().find(|r| r.id == a))
                .map(|r| r.instrument.id.clone())
                .or_else(|| first_instrument(&records))
        })
    });
    let table = move || {
        let records = records();
        let instrument = instrument.get();
        let Some((earlier, later)) =
            chosen(&records, instrument.as_deref(), picked("a"), picked("b"))
        else {
            return view! { <p class="empty-state" data-testid="compare-need-two">{tr(Key::CompareNeedTwo)}</p> }.into_any();
        };
        let lang = export::Lang::from(i18n.lang.get());
        let Ok(lines) = compare(catalogue(), &earlier, &later, lang) else {
            return view! { <p class="error" role="alert">{tr(Key::CompareSameForm)}</p> }
                .into_any();
        };
        let rows = lines
            .into_iter()
            .map(|line| {
                let one_only = line.in_one_version_only();
                let cell = |side: &Side| match side {
                    Side::Answered(text) => view! { <td class="pre">{text.clone()}</td> }.into_any(),
                    Side::NotAnswered => view! { <td class="pre">{tr(Key::NotAnswered)}</td> }.into_any(),
                    Side::NotInVersion => view! { <td class="pre not-in-version" data-testid="compare-not-in-version">{tr(Key::CompareNotInVersion)}</td> }.into_any(),
                };
                let mark = if line.changed {
                    Some(view! { <span class="badge changed">{tr(Key::CompareChanged)}</span> }.into_any())
                } else if one_only {
                    Some(view! { <span class="badge">{tr(Key::CompareOneVersionOnly)}</span> }.into_any())
                } else {
                    None
                };
                view! {
                    <tr class:changed=line.changed data-field=line.key.clone() data-changed=line.changed.to_string()
                        data-one-version=one_only.to_string()>
                        <th scope="row">{line.number.clone()}{text_view(&line.prompt)}</th>
                        {cell(&line.earlier)}
                        {cell(&line.later)}
                        <td>{mark}</td>
                    </tr>
                }
            })
            .collect_view();
        let title = catalogue()
            .latest(&later.instrument.id)
            .map(|i| super::timeline::pick(i18n, &i.title))
            .unwrap_or_else(|| later.instrument.id.clone());
        view! {
            <table class="compare-table" data-testid="compare-table"
                data-earlier=earlier.id.to_string() data-later=later.id.to_string()>
                <caption data-testid="compare-instrument-title">{title}</caption>
                <thead>
                    <tr>
                        <th scope="col"></th>
                        <th scope="col">{tr(Key::Earlier)}" "{head(&earlier)}</th>
                        <th scope="col">{tr(Key::Later)}" "{head(&later)}</th>
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
            <Picker client records=Signal::derive(records) instrument instrument_choice
                picked=Signal::derive(move || (picked("a"), picked("b"))) />
            {table}
        </section>
    }
}

/// Which form, then two lists of its records (day, version, draft or complete); 比べる puts the
/// two in the address.
#[component]
fn Picker(
    client: impl Fn() -> Option<ClientId> + Send + Sync + Copy + 'static,
    records: Signal<Vec<Record>>,
    instrument: Signal<Option<String>>,
    instrument_choice: RwSignal<Option<String>>,
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
    let of_instrument = move || {
        let id = instrument.get();
        records
            .get()
            .into_iter()
            .filter(|r| Some(&r.instrument.id) == id.as_ref())
            .collect::<Vec<_>>()
    };
    let current = move |slot: usize| {
        choice[slot].get().or_else(|| {
            chosen(
                &records.get(),
                instrument.get().as_deref(),
                picked.get().0,
                picked.get().1,
            )
            .map(|(a, b)| if slot == 0 { a.id } else { b.id })
        })
    };
    // Every instrument with two or more records of this client.
    let forms = move || {
        let records = records.get();
        let mut ids: Vec<String> = Vec::new();
        for r in &records {
            if !ids.contains(&r.instrument.id)
                && records
                    .iter()
                    .filter(|o| o.instrument.id == r.instrument.id)
                    .count()
                    >= 2
            {
                ids.push(r.instrument.id.clone());
            }
        }
        ids
    };
    let form_options = move || {
        let shown = instrument.get();
        forms()
            .into_iter()
            .map(|id| {
                let title = catalogue()
                    .latest(&id)
                    .map(|i| super::timeline::pick(i18n, &i.title))
                    .unwrap_or_else(|| id.clone());
                let selected = shown.as_ref() == Some(&id);
                view! { <option value=id selected=selected>{title}</option> }
            })
            .collect_view()
    };
    let options = move |slot: usize| {
        let shown = current(slot);
        of_instrument()
            .iter()
            .map(|r| {
                let state = i18n.t(if r.status == Status::Complete { Key::StatusComplete } else { Key::StatusDraft });
                let label = format!("{} （{state}）", head(r));
                view! { <option value=r.id.to_string() selected={shown == Some(r.id)}>{label}</option> }
            })
            .collect_view()
    };
    let pick = move |slot: usize| {
        move |ev: leptos::ev::Event| choice[slot].set(event_target_value(&ev).parse().ok())
    };
    let pick_form = move |ev: leptos::ev::Event| {
        instrument_choice.set(Some(event_target_value(&ev)));
        // The two newest of that form, until others are chosen.
        let of = of_instrument();
        choice[0].set(of.get(1).map(|r| r.id));
        choice[1].set(of.first().map(|r| r.id));
        set_problem.set(false);
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
        <Show when=move || { of_instrument().len() >= 2 }>
            <fieldset class="card compare-picker no-print">
                <legend>{tr(Key::ComparePick)}</legend>
                <div class="field-grid">
                    <label class="field">
                        <span class="field-label">{tr(Key::CompareForm)}</span>
                        <select class="input" data-testid="compare-instrument" on:change=pick_form>{form_options}</select>
                    </label>
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
