//! The audit log (誰が、いつ、どの利用者の記録に触れたか), by client or by person, by period,
//! exported for Excel, and its chain checked.

use super::Page;
use crate::api;
use crate::clock::format_time;
use crate::components::{
    ChooseOne, Failed, download, failed_view, local_action, local_resource, problem_text,
};
use crate::i18n::{Key, tr, trn, use_i18n};
use leptos::prelude::*;
use yorisoi_domain::audit::{Action, AuditCheckReport, Entry};
use yorisoi_domain::export::{self, audit_csv};
use yorisoi_domain::ids::{ClientId, PersonId};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The start of a day (`YYYY-MM-DD`, this device's time zone) in Unix milliseconds.
fn day_start(date: &str) -> Option<i64> {
    if date.is_empty() {
        return None;
    }
    let parsed = js_sys::Date::new(&format!("{date}T00:00:00").into()).get_time();
    (!parsed.is_nan()).then_some(parsed as i64)
}

pub(super) fn action_key(action: Action) -> Key {
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
        Action::InstrumentUploaded => Key::AuditInstrumentUploaded,
        Action::InstrumentPublished => Key::AuditInstrumentPublished,
        Action::InstrumentRetired => Key::AuditInstrumentRetired,
        Action::InstrumentDiscarded => Key::AuditInstrumentDiscarded,
        Action::RecordVersionMoved => Key::AuditRecordVersionMoved,
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

/// One search of the audit log: whose records, by whom, from and to (ms, `to` exclusive).
#[derive(Clone, Debug, PartialEq)]
struct Search {
    client: Option<ClientId>,
    person: Option<PersonId>,
    from: Option<i64>,
    to: Option<i64>,
}

/// 「誰が、いつ、どの利用者の記録に触れたか」: the audit log by client or by person.
#[component]
pub(super) fn AuditLog() -> impl IntoView {
    let page = expect_context::<Page>();
    let i18n = use_i18n();
    let client = RwSignal::new(None::<ClientId>);
    let person = RwSignal::new(None::<PersonId>);
    let (from, to) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    // The entries the table shows: those of the last search that went through.
    let entries = RwSignal::new(None::<Vec<Entry>>);
    // A search: who, whose, from and to (ms); each submit reads the log again.
    let search = RwSignal::new(None::<Search>);
    let found = local_resource(move || {
        let wanted = search.get();
        async move {
            let Some(Search {
                client,
                person,
                from,
                to,
            }) = wanted
            else {
                return Ok(());
            };
            entries.set(Some(
                api::audit(client, person, from, to).await.map_err(Failed)?,
            ));
            Ok::<(), Failed>(())
        }
    });
    // Whether the chain of hashes is whole, checked on the server.
    let check = local_action(|_: &()| api::audit_check());
    let name_of = names(page);
    let show = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        search.set(Some(Search {
            client: client.get_untracked(),
            person: person.get_untracked(),
            from: day_start(&from.get_untracked()),
            to: day_start(&to.get_untracked()).map(|t| t + DAY_MS),
        }));
    };
    let export_csv = move |_| {
        let lang = export::Lang::from(i18n.lang.get_untracked());
        let text =
            entries.with_untracked(|e| audit_csv(e.as_deref().unwrap_or(&[]), name_of, lang));
        download("yorisoi-audit.csv", "text/csv;charset=utf-8", &text);
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
                    <button type="button" class="secondary" data-testid="audit-check"
                        on:click=move |_| { check.dispatch_local(()); }>
                        {tr(Key::AuditCheck)}
                    </button>
                </div>
            </form>
            <div aria-live="polite">
                // A search that fails says why; the table keeps what it last showed.
                <Transition fallback=|| ()>
                    <ErrorBoundary fallback=failed_view>
                        {move || Suspend::new(async move { found.await })}
                    </ErrorBoundary>
                </Transition>
                {move || check.value().get().map(|checked| match checked {
                    Err(error) => view! { <p class="sync-error" role="alert">{problem_text(&error)}</p> }.into_any(),
                    Ok(AuditCheckReport { broken: None, entries, .. }) => view! {
                        <p class="notice" data-testid="audit-whole">{trn(Key::AuditWhole, entries)}</p>
                    }.into_any(),
                    Ok(AuditCheckReport { broken: Some(broken), .. }) => view! {
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
