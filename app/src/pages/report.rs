//! The monthly 支援レポート of a client (`/clients/:client/reports/:month`): the month's contacts
//! by mode and the visit notes' words, drafted into three texts the coach rewrites, marked final,
//! then marked as shared with the person and, only with their consent, the employer. The share
//! syncs like every part; the server writes its audit entry when it stores it. Prints on A4.

use super::{route_id, set_title};
use crate::account::use_account;
use crate::clock;
use crate::db::{catalogue, use_db};
use crate::i18n::{Key, tr, trn, use_i18n};
use crate::support::{mode_key, month_text, phase_key, refusal_key};
use leptos::prelude::*;
use leptos_router::components::A;
use serde_json::{Value, json};
use yorisoi_domain::audit::Action;
use yorisoi_domain::date::Date;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::plan::Fact;
use yorisoi_domain::report::{
    Finalised, MODES, Month, Part, Recipient, ReportView, Share, draft, may_share, summary,
};
use yorisoi_domain::sync::Entity;

#[component]
pub fn ReportPage() -> impl IntoView {
    set_title(Key::ReportTitle);
    let client = route_id::<ClientId>("client");
    let month = route_id::<Month>("month");
    move || match (client(), month()) {
        (Some(client), Some(month)) if untrack(|| use_db().client(client)).is_some() => {
            view! { <ReportView client=client month=month /> }.into_any()
        }
        _ => view! {
            <section class="page">
                <h1 id="page-title" data-testid="page-title">{tr(Key::ReportTitle)}</h1>
                <p class="empty-state">{tr(Key::RecordNotFound)}</p>
                <p><A href="/clients">{tr(Key::BackToClients)}</A></p>
            </section>
        }
        .into_any(),
    }
}

fn text_of(fact: &Fact<String>) -> String {
    fact.known().cloned().unwrap_or_default()
}

#[component]
fn ReportView(client: ClientId, month: Month) -> impl IntoView {
    let db = use_db();
    let i18n = use_i18n();
    let account = use_account();
    let report = Memo::new(move |_| db.report(client, month));
    let summary = Memo::new(move |_| {
        summary(
            client,
            &db.records_of(client),
            month,
            catalogue(),
            i18n.lang.get().into(),
        )
    });
    Effect::new(move |_| {
        summary.track();
        clock::mark("yorisoi-report-shown");
    });
    let is_final = move || report.with(|r| r.finalised.known().is_some());
    let (said, set_said) = signal(None::<Key>);
    let share_day = RwSignal::new(clock::today().to_string());
    let me = move || account.me.get_untracked();
    let write_text = move |part: Part, text: String| {
        db.set_report(client, month, vec![(part, json!(text))]);
    };
    let make_draft = move |_| {
        let [done, state, next] = draft(&summary.get_untracked());
        db.set_report(
            client,
            month,
            vec![
                (Part::Done, json!(done)),
                (Part::State, json!(state)),
                (Part::Next, json!(next)),
            ],
        );
    };
    let finalise = move |_| {
        let Some(me) = me() else { return };
        let on = clock::today().max(month.first());
        let value = Finalised {
            on,
            by: me.person,
            by_name: me.name,
        };
        db.set_report(client, month, vec![(Part::Final, json!(value))]);
    };
    let unfinalise = move |_| db.set_report(client, month, vec![(Part::Final, Value::Null)]);
    let share = move |recipient: Recipient| {
        let Some(me) = me() else { return };
        let Ok(on) = share_day.get_untracked().parse::<Date>() else {
            set_said.set(Some(Key::ReportRefusedBeforeMonth));
            return;
        };
        let Some(profile) = db.client(client) else {
            return;
        };
        match may_share(&report.get_untracked(), &profile, recipient, on) {
            Err(refusal) => set_said.set(Some(refusal_key(refusal))),
            Ok(()) => {
                set_said.set(None);
                let value = Share {
                    on,
                    by: me.person,
                    by_name: me.name,
                };
                // The server audits the share when it stores it (once per change of it).
                db.set_report(client, month, vec![(Part::Shared(recipient), json!(value))]);
            }
        }
    };
    let text_part = move |part: Part, heading: Key, testid: &'static str| {
        let value = move || {
            report.with(|r| match part {
                Part::Done => text_of(&r.done),
                Part::State => text_of(&r.state),
                _ => text_of(&r.next),
            })
        };
        let id = format!("report-{testid}");
        view! {
            <section class="report-part">
                <h2><label for=id.clone()>{tr(heading)}</label></h2>
                <textarea id=id class="input no-print" rows="6" data-testid=testid
                    prop:value=value readonly=is_final
                    on:input=move |ev| write_text(part, event_target_value(&ev))></textarea>
                <div class="print-only report-text">{value}</div>
            </section>
        }
    };
    let contacts = move || {
        let s = summary.get();
        let rows = MODES
            .into_iter()
            .zip(s.by_mode)
            .map(|(mode, (_, n))| {
                view! { <tr data-testid="report-mode" data-mode=format!("{mode:?}").to_lowercase()><th scope="row">{tr(mode_key(mode))}</th><td data-testid="report-count">{n}</td></tr> }
            })
            .collect_view();
        view! {
            <table class="report-table" data-testid="report-contacts">
                <caption>{tr(Key::ReportContacts)}</caption>
                <thead><tr><th scope="col">{tr(Key::ReportMode)}</th><th scope="col">{tr(Key::ReportCount)}</th></tr></thead>
                <tbody>
                    {rows}
                    {(s.no_mode > 0).then(|| view! { <tr><th scope="row">{tr(Key::ModeNone)}</th><td>{s.no_mode}</td></tr> })}
                    <tr><th scope="row">{tr(Key::ReportFaceToFace)}</th><td data-testid="report-face-to-face">{s.face_to_face}</td></tr>
                    <tr><th scope="row">{tr(Key::ReportTotal)}</th><td data-testid="report-total">{s.contacts()}</td></tr>
                </tbody>
            </table>
        }
    };
    let notes = move || {
        let s = summary.get();
        if s.notes.is_empty() {
            return view! { <p class="empty-state">{tr(Key::ReportNoNotes)}</p> }.into_any();
        }
        let items = s
            .notes
            .into_iter()
            .map(|n| {
                let mode = n.mode.map(|m| tr(mode_key(m))());
                let phase = n.phase.map(|p| tr(phase_key(p))());
                view! {
                    <li data-testid="report-note">
                        <A href=format!("/clients/{client}/notes/{}", n.record)>{n.date.to_string()}</A>
                        " " {mode} " " {phase}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="report-notes">{items}</ul> }.into_any()
    };
    let share_state = move |recipient: Recipient| {
        move || match report.with(|r| r.shared(recipient).clone()) {
            Fact::Known(s) => format!("{}（{}）", trn(Key::ReportSharedOn, s.on), s.by_name),
            _ => i18n.t(Key::ReportNotShared).to_owned(),
        }
    };
    let name = move || db.client(client).map(|c| c.name).unwrap_or_default();
    let final_line = move || match report.with(|r| r.finalised.clone()) {
        Fact::Known(f) => trn(Key::ReportFinalOn, format!("{} {}", f.on, f.by_name)),
        _ => i18n.t(Key::ReportNotFinal).to_owned(),
    };
    let started = move || report.with(ReportView::started);
    view! {
        <article class="page report-page" aria-labelledby="page-title" data-testid="report">
            <nav class="toolbar no-print" aria-label=tr(Key::ReportMonthLabel)>
                {month.previous().map(|m| view! { <A href=format!("/clients/{client}/reports/{m}") attr:class="button secondary">{tr(Key::ReportPrevMonth)}</A> })}
                {month.next().map(|m| view! { <A href=format!("/clients/{client}/reports/{m}") attr:class="button secondary">{tr(Key::ReportNextMonth)}</A> })}
                <A href=format!("/clients/{client}") attr:class="button secondary">{tr(Key::BackToRecord)}</A>
            </nav>
            <h1 id="page-title" data-testid="page-title">
                {tr(Key::ReportTitle)} " " {move || month_text(i18n.lang.get(), month)}
            </h1>
            <p class="report-meta"><strong>{tr(Key::ReportClient)}</strong>" " <span data-testid="report-client">{name}</span></p>
            <p class="report-status" data-testid="report-final" role="status">{final_line}</p>
            {contacts}
            <Show when=move || !is_final()>
                <div class="toolbar no-print">
                    <button type="button" class=move || if started() { "secondary" } else { "" } data-testid="report-draft" on:click=make_draft>{tr(Key::ReportDraft)}</button>
                </div>
                <p class="hint no-print">{tr(Key::ReportDraftHint)}</p>
            </Show>
            {text_part(Part::Done, Key::ReportDone, "report-done")}
            {text_part(Part::State, Key::ReportState, "report-state")}
            {text_part(Part::Next, Key::ReportNext, "report-next")}
            <div class="toolbar no-print">
                <Show when=is_final fallback=move || view! {
                    <button type="button" data-testid="report-mark-final" on:click=finalise>{tr(Key::ReportMarkFinal)}</button>
                }>
                    <button type="button" class="secondary" data-testid="report-unfinal" on:click=unfinalise>{tr(Key::ReportUnfinal)}</button>
                </Show>
                <button type="button" class="secondary" data-testid="report-print" on:click=move |_| {
                    db.note(Entity::Client(client), client, Action::Printed, &["report", &month.to_string()]);
                    let _ = window().print();
                }>{tr(Key::ReportPrint)}</button>
            </div>
            <section class="report-share" aria-labelledby="share-heading">
                <h2 id="share-heading">{tr(Key::ReportShareHeading)}</h2>
                <p><strong>{tr(Key::ReportToPerson)}</strong>" " <span data-testid="report-shared-person">{share_state(Recipient::Person)}</span></p>
                <p><strong>{tr(Key::ReportToEmployer)}</strong>" " <span data-testid="report-shared-employer">{share_state(Recipient::Employer)}</span></p>
                <div class="inline-field no-print">
                    <label class="field">
                        <span class="field-label">{tr(Key::ReportShareDay)}</span>
                        <input type="date" class="input" data-testid="report-share-day"
                            prop:value=move || share_day.get() on:input=move |ev| share_day.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" data-testid="report-share-person" on:click=move |_| share(Recipient::Person)>{tr(Key::ReportSharePerson)}</button>
                    <button type="button" data-testid="report-share-employer" on:click=move |_| share(Recipient::Employer)>{tr(Key::ReportShareEmployer)}</button>
                </div>
                <div aria-live="assertive">
                    {move || said.get().map(|key| view! { <p class="field-error" role="alert" data-testid="report-refused">{tr(key)}</p> })}
                </div>
            </section>
            <section class="report-notes-section" aria-labelledby="notes-heading">
                <h2 id="notes-heading">{tr(Key::ReportNotes)}</h2>
                {notes}
            </section>
        </article>
    }
}
