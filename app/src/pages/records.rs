//! A record's page: an MSFAS self-assessment (supporter mode: the whole sheet; client mode: one
//! question per screen) or a visit note. Every change is saved as it is made.

mod client_mode;

use super::set_title;
use crate::components::{ConflictReview, SaveStatus};
use crate::db::{Db, catalogue, use_db};
use crate::forms::{QuestionField, text_view};
use crate::i18n::{Key, tr, use_i18n};
use client_mode::{ClientMode, EnterClientMode, LeaveClientMode};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use yorisoi_domain::audit::Action;
use yorisoi_domain::ids::RecordId;
use yorisoi_domain::instrument::{Instrument, RecordKind};
use yorisoi_domain::record::{AnsweredBy, CompletionProblem, Status};
use yorisoi_domain::sync::Entity;

#[component]
pub fn AssessmentPage() -> impl IntoView {
    record_page(Key::AssessmentTitle)
}

#[component]
pub fn VisitNotePage() -> impl IntoView {
    record_page(Key::VisitNoteTitle)
}

fn record_page(title: Key) -> impl IntoView {
    set_title(title);
    let db = use_db();
    let record_id = super::route_id::<RecordId>("record");
    // Whether the record is here (it may arrive by sync while the page is open); the form is
    // built again only when that changes, or its version does (a draft moved), never on an edit.
    let present = Memo::new(move |_| {
        record_id()
            .filter(|id| db.has_record(*id))
            .map(|id| (id, db.record(id).map(|r| r.instrument)))
    });
    // Which record this page noted as opened: a form built again (a draft moved to a newer
    // version, here or in another tab) is not another opening, so it is not noted again.
    let noted = StoredValue::new(None::<RecordId>);
    move || {
        let found = present.get().and_then(|(id, _)| {
            untrack(|| db.record_with_instrument(id)).map(|(_, i)| (id, i.clone()))
        });
        match found {
            Some((id, instrument)) => {
                if noted.get_value() != Some(id)
                    && let Some(client) = untrack(|| db.record(id)).map(|r| r.client)
                {
                    noted.set_value(Some(id));
                    db.note(Entity::Record(id), client, Action::RecordOpened, &[]);
                }
                view! { <RecordForm id=id instrument=instrument /> }.into_any()
            }
            None => view! {
                <section class="page">
                    <h1 id="page-title" data-testid="page-title">{tr(title)}</h1>
                    <p class="empty-state">{tr(Key::RecordNotFound)}</p>
                    <p><A href="/clients">{tr(Key::BackToClients)}</A></p>
                </section>
            }
            .into_any(),
        }
    }
}

#[component]
fn RecordForm(id: RecordId, instrument: Instrument) -> impl IntoView {
    let db = use_db();
    let i18n = use_i18n();
    let query = use_query_map();
    let is_assessment = instrument.kind == RecordKind::Assessment;
    let lock = crate::lock::use_lock();
    // Client mode is the locked tablet: the address alone does not make it.
    let client_mode = move || {
        is_assessment
            && query.read().get("mode").as_deref() == Some("client")
            && lock.lock.with(Option::is_some)
    };
    let client = untrack(|| db.record(id)).map(|r| r.client);
    let base = client
        .map(|c| {
            format!(
                "/clients/{c}/{}/{id}",
                if is_assessment {
                    "assessments"
                } else {
                    "notes"
                }
            )
        })
        .unwrap_or_default();
    let (supporter_href, client_href, print_href) = (
        base.clone(),
        format!("{base}?mode=client"),
        format!("{base}/print"),
    );
    let leave_href = supporter_href.clone();
    let history_href = client
        .map(|c| format!("/clients/{c}/records/{id}/history"))
        .unwrap_or_default();
    let body = {
        let instrument = instrument.clone();
        move || {
            if client_mode() {
                view! { <ClientMode id=id instrument=instrument.clone() /> }.into_any()
            } else {
                supporter_mode(id, &instrument).into_any()
            }
        }
    };
    view! {
        <section class="page record" aria-labelledby="page-title">
            <header class="record-header">
                <h1 id="page-title" data-testid="page-title">{text_view(&instrument.title)}</h1>
                <p class="record-client">{move || client.and_then(|c| db.client(c)).map(|c| c.name)}</p>
                <SaveStatus />
            </header>
            <div class="toolbar" role="group">
                <Show when=move || is_assessment && !client_mode()>
                    // Plain links: the router's <A> marks the current page by path alone and would
                    // ignore ?mode=client. aria-current tells which mode is on.
                    <a href=supporter_href.clone() class="button secondary"
                        aria-current="page" data-testid="mode-supporter">
                        {tr(Key::ModeSupporter)}
                    </a>
                    <EnterClientMode href=client_href.clone() client=client />
                </Show>
                <label class="toggle">
                    <input type="checkbox" data-testid="furigana" prop:checked=move || i18n.furigana.get()
                        on:change=move |ev| i18n.furigana.set(event_target_checked(&ev)) />
                    <span>{tr(Key::Furigana)}</span>
                </label>
                <Show when=move || !client_mode()>
                    <A href=print_href.clone() attr:class="button secondary" attr:data-testid="print-link">{tr(Key::PrintView)}</A>
                    <A href=history_href.clone() attr:class="button secondary" attr:data-testid="history-link">{tr(Key::HistoryLink)}</A>
                </Show>
                <Show when=client_mode>
                    <LeaveClientMode href=leave_href.clone() />
                </Show>
            </div>
            <ConflictReview entity=Entity::Record(id) />
            <crate::components::MoveVersion id=id />
            {body}
            <Completion id=id instrument=instrument.clone() />
        </section>
    }
}

fn supporter_mode(id: RecordId, instrument: &Instrument) -> impl IntoView + use<> {
    let answered_by =
        (instrument.kind == RecordKind::Assessment).then(|| view! { <AnsweredByField id=id /> });
    let sheets = instrument
        .sheets
        .iter()
        .map(|sheet| {
            let questions = sheet
                .questions
                .iter()
                .map(|q| view! { <QuestionField record=id field=format!("{}.{}", sheet.id, q.id) question=q.clone() /> })
                .collect_view();
            view! {
                <section class="sheet card" data-sheet=sheet.id.clone()>
                    {sheet.subtitle.as_ref().map(|s| view! { <p class="sheet-subtitle">{text_view(s)}</p> })}
                    <h2 class="sheet-title">{text_view(&sheet.title)}</h2>
                    {questions}
                </section>
            }
        })
        .collect_view();
    view! { <div class="supporter-mode" data-testid="supporter-mode">{answered_by}{sheets}</div> }
}

#[component]
fn AnsweredByField(id: RecordId) -> impl IntoView {
    let db = use_db();
    let option = move |value: AnsweredBy, key: Key, testid: &'static str| {
        view! {
            <label class="choice-option">
                <input type="radio" name="answered-by" data-testid=testid
                    prop:checked=move || db.record(id).and_then(|r| r.answered_by) == Some(value)
                    on:change=move |_| db.update_record(id, |r| r.answered_by = Some(value)) />
                <span>{tr(key)}</span>
            </label>
        }
    };
    view! {
        <fieldset class="answered-by card">
            <legend>{tr(Key::AnsweredBy)}</legend>
            {option(AnsweredBy::Person, Key::AnsweredPerson, "answered-person")}
            {option(AnsweredBy::PersonWithSupporter, Key::AnsweredWithSupporter, "answered-with-supporter")}
            {option(AnsweredBy::SupporterInterview, Key::AnsweredInterview, "answered-interview")}
        </fieldset>
    }
}

#[component]
fn Completion(id: RecordId, instrument: Instrument) -> impl IntoView {
    let db = use_db();
    let (problems, set_problems) = signal(Vec::<CompletionProblem>::new());
    let status = move || db.record(id).map(|r| r.status).unwrap_or_default();
    let complete = move |_| complete(db, id, &instrument, set_problems);
    view! {
        <div class="completion">
            {move || if status() == Status::Complete {
                view! {
                    <p class="badge complete" data-testid="status">{tr(Key::StatusComplete)}</p>
                    <button type="button" class="secondary" on:click=move |_| db.update_record(id, |r| r.status = Status::Draft)>
                        {tr(Key::BackToDraft)}
                    </button>
                }.into_any()
            } else {
                view! {
                    <p class="badge draft" data-testid="status">{tr(Key::StatusDraft)}</p>
                    <button type="button" data-testid="mark-complete" on:click=complete.clone()>{tr(Key::MarkComplete)}</button>
                }.into_any()
            }}
            <Show when=move || !problems.get().is_empty()>
                <div class="problems" role="alert" data-testid="completion-problems">
                    <p>{tr(Key::CannotComplete)}</p>
                    <ul>{move || problems.get().into_iter().map(|p| view! { <li>{problem_text(&p)}</li> }).collect_view()}</ul>
                </div>
            </Show>
        </div>
    }
}

fn complete(
    db: Db,
    id: RecordId,
    instrument: &Instrument,
    set_problems: WriteSignal<Vec<CompletionProblem>>,
) {
    let now = crate::clock::now_ms();
    // Not after the client withdrew the consent to use their records.
    let withdrawn = db
        .record(id)
        .and_then(|r| db.client(r.client))
        .is_some_and(|c| !yorisoi_domain::privacy::may_complete(&c));
    if withdrawn {
        set_problems.set(vec![CompletionProblem::ConsentWithdrawn]);
        return;
    }
    let mut result = Ok(());
    db.update_record(id, |r| {
        result = r.complete(instrument, &catalogue().lists, now)
    });
    set_problems.set(result.err().unwrap_or_default());
}

fn problem_text(problem: &CompletionProblem) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let problem = problem.clone();
    move || match &problem {
        CompletionProblem::NoConsentDate => i18n.t(Key::ProblemConsent).to_owned(),
        CompletionProblem::NoAnsweredBy => i18n.t(Key::ProblemAnsweredBy).to_owned(),
        CompletionProblem::ConsentWithdrawn => i18n.t(Key::BlockSupportWithdrawn).to_owned(),
        other => format!("{} {other}", i18n.t(Key::ProblemAnswer)),
    }
}
