//! 開示: everything held about one client, as JSON and as a printable page.

use super::audit_log::action_key;
use super::disclosure_support::HeldSupport;
use crate::api;
use crate::clock::format_time;
use crate::components::{Failed, download, failed_view, local_resource};
use crate::db::catalogue;
use crate::i18n::{Key, tr, trn, use_i18n};
use crate::pages::consent::{consent_text, purpose_key};
use leptos::prelude::*;
use leptos_router::components::A;
use yorisoi_domain::consent::Purpose;
use yorisoi_domain::export::{self, answer_text};
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::privacy::Disclosure;

/// 開示: everything held about one client, to save as JSON and to print.
#[component]
pub fn DisclosurePage() -> impl IntoView {
    super::super::set_title(Key::DisclosureTitle);
    let client = super::super::route_id::<ClientId>("client");
    // Read once the route names a client (a malformed address stays on "loading").
    let loaded = local_resource(move || {
        let client = client();
        async move {
            let Some(client) = client else {
                return std::future::pending().await;
            };
            api::disclosure(client).await.map_err(Failed)
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">{tr(Key::Loading)}</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <section class="page">
                    <h1 id="page-title" data-testid="page-title">{tr(Key::DisclosureTitle)}</h1>
                    {failed_view(errors)}
                </section>
            }>
                {move || Suspend::new(async move {
                    loaded
                        .await
                        .map(|(disclosure, text)| view! { <DisclosureView disclosure=disclosure text=text /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn DisclosureView(disclosure: Disclosure, text: String) -> impl IntoView {
    let i18n = use_i18n();
    let client = disclosure.client;
    let save = move |_| {
        download(
            &format!("yorisoi-disclosure-{client}.json"),
            "application/json",
            &text,
        )
    };
    let lang = move || export::Lang::from(i18n.lang.get());
    let profile = disclosure.profile.clone().map(|p| {
        let consents = Purpose::ALL
            .into_iter()
            .map(|purpose| {
                let said = p
                    .consents
                    .get(&purpose)
                    .map_or_else(|| i18n.t(Key::ConsentNone).to_owned(), consent_text);
                view! { <li><strong>{tr(purpose_key(purpose))}</strong>" "{said}</li> }
            })
            .collect_view();
        view! {
            <section class="print-sheet">
                <h2>{tr(Key::DisclosureProfile)}</h2>
                <p data-testid="disclosure-name">{p.name.clone()}" "{p.kana.clone()}</p>
                <p>{p.birth_date.map(|d| d.to_string())}</p>
                <p>{p.workplace.clone()}</p>
                <p>{p.notes.clone()}</p>
                <h3>{tr(Key::ConsentHeading)}</h3>
                <ul>{consents}</ul>
            </section>
        }
    });
    let records = disclosure
        .records
        .iter()
        .map(|record| {
            let instrument = catalogue().get(&record.instrument);
            let title = instrument.map(|i| i.title.clone());
            let rows = instrument
                .map(|i| {
                    i.questions()
                        .filter_map(|(key, _, question)| {
                            let answer = record.answers.get(&key)?;
                            let prompt = question.prompt.clone();
                            let kind = question.answer.clone();
                            let answer = answer.clone();
                            Some(view! {
                                <tr>
                                    <th scope="row">{move || match lang() {
                                        export::Lang::Ja => prompt.ja.clone(),
                                        export::Lang::En => prompt.en.clone(),
                                    }}</th>
                                    <td>{move || answer_text(&answer, &kind, &catalogue().lists, lang())}</td>
                                </tr>
                            })
                        })
                        .collect_view()
                })
                .unwrap_or_default();
            view! {
                <section class="print-sheet" data-testid="disclosure-record">
                    <h3>{title.map(|t| crate::forms::text_view(&t))}" "{format_time(record.created_at)}</h3>
                    <table class="audit-table"><tbody>{rows}</tbody></table>
                </section>
            }
        })
        .collect_view();
    let history = disclosure
        .history
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <td>{format_time(p.received_at)}</td>
                    <td>{p.change.entity.to_string()}</td>
                    <td>{p.change.field.clone()}</td>
                    <td>{p.change.value.to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    let audit = disclosure
        .audit
        .iter()
        .map(|e| {
            view! {
                <tr>
                    <td>{format_time(e.at)}</td>
                    <td>{e.event.device_at.map(format_time)}</td>
                    <td>{tr(action_key(e.event.action))}</td>
                    <td>{e.event.person.map(|p| p.to_string())}</td>
                    <td>{e.event.detail.join(" ")}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <article class="print-page" data-testid="disclosure">
            <div class="no-print toolbar">
                <button type="button" data-testid="disclosure-json" on:click=save>{tr(Key::DisclosureSave)}</button>
                <button type="button" class="secondary" on:click=|_| { let _ = window().print(); }>{tr(Key::Print)}</button>
                <A href="/admin">{tr(Key::AdminTitle)}</A>
            </div>
            <h1 id="page-title" data-testid="page-title">{tr(Key::DisclosureTitle)}</h1>
            <p class="hint">{trn(Key::DisclosureMadeAt, format_time(disclosure.made_at))}</p>
            {disclosure.stopped.as_ref().map(|s| view! {
                <p class="notice">{trn(Key::StoppedUntil, format_time(s.retain_until))}</p>
            })}
            {profile}
            <HeldSupport plan=disclosure.plan.clone() reports=disclosure.reports.clone() />
            <h2>{tr(Key::DisclosureRecords)}</h2>
            {records}
            <section class="print-sheet">
                <h2>{tr(Key::DisclosureHistory)}</h2>
                <table class="audit-table" data-testid="disclosure-history"><tbody>{history}</tbody></table>
            </section>
            <section class="print-sheet">
                <h2>{tr(Key::AuditHeading)}</h2>
                <table class="audit-table" data-testid="disclosure-audit"><tbody>{audit}</tbody></table>
            </section>
        </article>
    }
}
