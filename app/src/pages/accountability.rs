//! The administrator's accountability for 要配慮個人情報: who accessed whose data and when (the
//! audit log, by client or by person, by period, exported for Excel), 利用停止 and erase, and
//! the disclosure (開示) of everything held about one client, as JSON and as a printable page.
//! Like the rest of administration, these talk to the server directly.

use super::admin::{ChooseOne, Page, problem_text};
use super::set_title;
use crate::api::{self, ApiError};
use crate::clock::format_time;
use crate::components::download;
use crate::db::catalogue;
use crate::i18n::{Key, tr, trn, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;
use yorisoi_domain::audit::{Action, AuditCheckReport, Entry};
use yorisoi_domain::export::{self, answer_text, audit_csv};
use yorisoi_domain::ids::{ClientId, PersonId};
use yorisoi_domain::privacy::{Consent, Disclosure, Purpose, Stopped};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The start of a day (`YYYY-MM-DD`, this device's time zone) in Unix milliseconds.
fn day_start(date: &str) -> Option<i64> {
    if date.is_empty() {
        return None;
    }
    let parsed = js_sys::Date::new(&format!("{date}T00:00:00").into()).get_time();
    (!parsed.is_nan()).then_some(parsed as i64)
}

fn action_key(action: Action) -> Key {
    match action {
        Action::SignIn => Key::AuditSignIn,
        Action::SignInFailed => Key::AuditSignInFailed,
        Action::LockedOut => Key::AuditLockedOut,
        Action::SignOut => Key::AuditSignOut,
        Action::PersonAdded => Key::AuditPersonAdded,
        Action::AccountChanged => Key::AuditAccountChanged,
        Action::Enrolled => Key::AuditEnrolled,
        Action::DeviceRevoked => Key::AuditDeviceRevoked,
        Action::DeviceRetired => Key::AuditDeviceRetired,
        Action::RoleChanged => Key::AuditRoleChanged,
        Action::AssignmentChanged => Key::AuditAssignmentChanged,
        Action::ConsentChanged => Key::AuditConsentChanged,
        Action::QuarantineDecided => Key::AuditQuarantineDecided,
        Action::UseStopped => Key::AuditUseStopped,
        Action::Erased => Key::AuditErased,
        Action::Exported => Key::AuditExported,
        Action::Printed => Key::AuditPrinted,
        Action::Delivered => Key::AuditDelivered,
        Action::RecordOpened => Key::AuditRecordOpened,
        Action::ClientModeStarted => Key::AuditClientModeStarted,
        Action::ClientModeEnded => Key::AuditClientModeEnded,
        Action::SetAsideViewed => Key::AuditSetAsideViewed,
        Action::ReportShared => Key::AuditReportShared,
        Action::PlanChanged => Key::AuditPlanChanged,
    }
}

/// The names the page knows for people, devices and clients, by id; for the table and the CSV.
fn names(page: Page) -> impl Fn(&str) -> Option<String> + Copy {
    move |id: &str| {
        page.data.with_untracked(|d| {
            d.people
                .iter()
                .find(|p| p.id.to_string() == id)
                .map(|p| p.name.clone())
                .or_else(|| {
                    d.devices
                        .iter()
                        .find(|x| x.id.to_string() == id)
                        .and_then(|x| x.name.clone())
                })
                .or_else(|| {
                    d.clients
                        .iter()
                        .find(|c| c.id.to_string() == id)
                        .map(|c| c.name.clone())
                })
        })
    }
}

/// 「誰が、いつ、どの利用者の記録に触れたか」: the audit log by client or by person.
#[component]
pub(super) fn AuditLog() -> impl IntoView {
    let page = expect_context::<Page>();
    let i18n = use_i18n();
    let client = RwSignal::new(None::<ClientId>);
    let person = RwSignal::new(None::<PersonId>);
    let (from, to) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let entries = RwSignal::new(None::<Vec<Entry>>);
    let problem = RwSignal::new(None::<ApiError>);
    let checked = RwSignal::new(None::<AuditCheckReport>);
    let name_of = names(page);
    let show = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (c, p) = (client.get_untracked(), person.get_untracked());
        let from = day_start(&from.get_untracked());
        let to = day_start(&to.get_untracked()).map(|t| t + DAY_MS);
        leptos::task::spawn_local(async move {
            match api::audit(c, p, from, to).await {
                Ok(found) => {
                    problem.set(None);
                    entries.set(Some(found));
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    let export_csv = move |_| {
        let lang = export::Lang::from(i18n.lang.get_untracked());
        let text =
            entries.with_untracked(|e| audit_csv(e.as_deref().unwrap_or(&[]), name_of, lang));
        download("yorisoi-audit.csv", "text/csv;charset=utf-8", &text);
    };
    let check = move |_| {
        leptos::task::spawn_local(async move {
            match api::audit_check().await {
                Ok(report) => checked.set(Some(report)),
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    let named =
        move |id: Option<String>| id.map(|id| name_of(&id).unwrap_or(id)).unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="audit-heading" data-testid="audit">
            <h2 id="audit-heading">{tr(Key::AuditHeading)}</h2>
            <p class="hint">{tr(Key::AuditIntro)}</p>
            <form class="stack" on:submit=show data-testid="audit-form">
                <ChooseOne label=Key::ClientLabel testid="audit-client" chosen=client
                    choices=move || page.clients() />
                <ChooseOne label=Key::AuditPerson testid="audit-person" chosen=person
                    choices=move || page.data.with(|d| {
                        d.people.iter().map(|p| (p.id.to_string(), p.name.clone())).collect()
                    }) />
                <div class="inline-field">
                    <label class="field">
                        <span class="field-label">{tr(Key::AuditFrom)}</span>
                        <input class="input" type="date" data-testid="audit-from"
                            prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                    </label>
                    <label class="field">
                        <span class="field-label">{tr(Key::AuditTo)}</span>
                        <input class="input" type="date" data-testid="audit-to"
                            prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                    </label>
                </div>
                <div class="toolbar">
                    <button type="submit" data-testid="audit-show">{tr(Key::AuditShow)}</button>
                    <button type="button" class="secondary" data-testid="audit-csv"
                        disabled=move || entries.with(|e| e.as_ref().is_none_or(Vec::is_empty))
                        on:click=export_csv>{tr(Key::ExportCsv)}</button>
                    <button type="button" class="secondary" data-testid="audit-check" on:click=check>
                        {tr(Key::AuditCheck)}
                    </button>
                </div>
            </form>
            <div aria-live="polite">
                {move || problem.get().map(|e| view! { <p class="sync-error" role="alert">{problem_text(&e)}</p> })}
                {move || checked.get().map(|report| match report.broken {
                    None => view! {
                        <p class="notice" data-testid="audit-whole">{trn(Key::AuditWhole, report.entries)}</p>
                    }.into_any(),
                    Some(broken) => view! {
                        <p class="sync-error" role="alert" data-testid="audit-broken">{trn(Key::AuditBroken, broken)}</p>
                    }.into_any(),
                })}
            </div>
            {move || entries.get().map(|entries| if entries.is_empty() {
                view! { <p class="empty-state" data-testid="audit-empty">{tr(Key::AuditNone)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="audit-table" data-testid="audit-entries">
                            <thead><tr>
                                <th scope="col">{tr(Key::AuditAt)}</th>
                                <th scope="col">{tr(Key::AuditDeviceAt)}</th>
                                <th scope="col">{tr(Key::AuditAction)}</th>
                                <th scope="col">{tr(Key::AuditPerson)}</th>
                                <th scope="col">{tr(Key::AuditDevice)}</th>
                                <th scope="col">{tr(Key::ClientLabel)}</th>
                                <th scope="col">{tr(Key::AuditDetail)}</th>
                            </tr></thead>
                            <tbody>
                                {entries.into_iter().map(|entry| {
                                    let event = entry.event;
                                    view! {
                                        <tr data-testid="audit-entry" data-action=event.action.as_str()>
                                            <td>{format_time(entry.at)}</td>
                                            <td data-testid="audit-device-at">{event.device_at.map(format_time)}</td>
                                            <td>{tr(action_key(event.action))}</td>
                                            <td>{named(event.person.map(|p| p.to_string()))}</td>
                                            <td>{named(event.device.map(|d| d.to_string()))}</td>
                                            <td>{named(event.client.map(|c| c.to_string()))}</td>
                                            <td>{event.detail.join(" ")}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            })}
        </section>
    }
}

/// 利用停止, erase and disclosure, client by client.
#[component]
pub(super) fn StopAndErase() -> impl IntoView {
    let page = expect_context::<Page>();
    let stop_of = move |client: ClientId| -> Option<Stopped> {
        page.data
            .with(|d| d.stopped.iter().find(|s| s.client == client).cloned())
    };
    let erased = move || {
        page.data.with(|d| {
            d.stopped
                .iter()
                .filter(|s| s.erased_at.is_some())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" aria-labelledby="stop-heading" data-testid="stop-erase">
            <h2 id="stop-heading">{tr(Key::StopHeading)}</h2>
            <p class="hint">{tr(Key::StopIntro)}</p>
            <ul class="admin-list">
                {move || page.data.get().clients.into_iter().map(|c| {
                    let stopped = stop_of(c.id);
                    view! { <StopRow client=c.id name=c.name.clone() stopped=stopped /> }
                }).collect_view()}
            </ul>
            {move || {
                let erased = erased();
                (!erased.is_empty()).then(|| view! {
                    <h3>{tr(Key::ErasedHeading)}</h3>
                    <ul class="admin-list" data-testid="erased">
                        {erased.into_iter().map(|s| view! {
                            <li class="admin-item">
                                <code>{s.client.to_string()}</code>
                                " "{s.erased_at.map(format_time)}
                            </li>
                        }).collect_view()}
                    </ul>
                })
            }}
        </section>
    }
}

#[component]
fn StopRow(client: ClientId, name: String, stopped: Option<Stopped>) -> impl IntoView {
    let page = expect_context::<Page>();
    let i18n = use_i18n();
    let typed = RwSignal::new(String::new());
    let stop = move |_| {
        let sure = window()
            .confirm_with_message(i18n.t(Key::StopConfirm))
            .unwrap_or(false);
        if sure {
            page.act(async move { api::stop_use(client).await.map(drop) });
        }
    };
    let erase = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = typed.get_untracked();
        page.act(async move { api::erase(client, &name).await.map(drop) });
    };
    let status = match &stopped {
        None => view! { <p class="hint">{tr(Key::InUse)}</p> }.into_any(),
        Some(s) => {
            let until = format_time(s.retain_until);
            view! {
                <p class="hint" data-testid="stopped-note">{trn(Key::StoppedUntil, until)}</p>
            }
            .into_any()
        }
    };
    let actions = if stopped.is_none() {
        view! {
            <button type="button" class="secondary" data-testid="stop-use" on:click=stop>
                {tr(Key::StopButton)}
            </button>
        }
        .into_any()
    } else {
        view! {
            <form class="inline-field" on:submit=erase data-testid="erase-form">
                <label class="field">
                    <span class="field-label">{tr(Key::EraseTypeName)}</span>
                    <input class="input" type="text" autocomplete="off" data-testid="erase-name"
                        prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="danger" data-testid="erase"
                    disabled=move || typed.with(|t| t.trim().is_empty())>{tr(Key::EraseButton)}</button>
            </form>
        }
        .into_any()
    };
    view! {
        <li class="admin-item" data-testid="stop-row" data-client=client.to_string()>
            <p class="admin-item-title">
                // A client with no name: its id, which the erase asks to be typed.
                {if name.trim().is_empty() {
                    view! { {tr(Key::QuarantineNameless)} " " <code>{client.to_string()}</code> }.into_any()
                } else {
                    name.into_any()
                }}
            </p>
            {status}
            <div class="toolbar">
                {actions}
                <A href=format!("/admin/disclosure/{client}") attr:data-testid="disclosure-link">
                    {tr(Key::DisclosureLink)}
                </A>
            </div>
        </li>
    }
}

fn purpose_key(purpose: Purpose) -> Key {
    match purpose {
        Purpose::Support => Key::ConsentSupport,
        Purpose::Employer => Key::ConsentEmployer,
        Purpose::Agencies => Key::ConsentAgencies,
    }
}

/// A consent in words: given when, how, by whom; withdrawn when.
pub fn consent_text(consent: &Consent) -> String {
    let i18n = use_i18n();
    let how = match consent.method {
        yorisoi_domain::privacy::Method::Paper => i18n.t(Key::ConsentPaper),
        yorisoi_domain::privacy::Method::Tablet => i18n.t(Key::ConsentTablet),
    };
    let mut text = format!(
        "{} {} ({} {})",
        consent.given_on,
        how,
        i18n.t(Key::ConsentRecordedBy),
        consent.recorded_by_name
    );
    if let Some(withdrawn) = consent.withdrawn_on {
        text.push_str(&format!(
            " — {} {withdrawn}",
            i18n.t(Key::ConsentWithdrawnOn)
        ));
    }
    text
}

/// 開示: everything held about one client, to save as JSON and to print.
#[component]
pub fn DisclosurePage() -> impl IntoView {
    set_title(Key::DisclosureTitle);
    let client = super::route_id::<ClientId>("client");
    let loaded = RwSignal::new(None::<Result<(Disclosure, String), ApiError>>);
    if let Some(client) = client() {
        leptos::task::spawn_local(async move {
            loaded.set(Some(api::disclosure(client).await));
        });
    }
    move || match loaded.get() {
        None => view! { <p class="loading" role="status">{tr(Key::Loading)}</p> }.into_any(),
        Some(Err(error)) => view! {
            <section class="page">
                <h1 id="page-title" data-testid="page-title">{tr(Key::DisclosureTitle)}</h1>
                <p class="sync-error" role="alert">{problem_text(&error)}</p>
            </section>
        }
        .into_any(),
        Some(Ok((disclosure, text))) => {
            view! { <DisclosureView disclosure=disclosure text=text /> }.into_any()
        }
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
