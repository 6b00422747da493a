//! The client list (search by name or kana, add a client, import a client's records) and one
//! client's page (profile, records timeline, start a new MSFAS or visit note, export).

use super::set_title;
use crate::clock;
use crate::components::{ConflictReview, ExportButtons, ImportButton};
use crate::db::{catalogue, use_db};
use crate::forms::text_view;
use crate::i18n::{Key, age_text, tr, use_i18n};
use crate::records;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::record::{Client, Status};
use yorisoi_domain::sync::Entity;

#[component]
pub fn ClientList() -> impl IntoView {
    set_title(Key::ClientsTitle);
    let db = use_db();
    let i18n = use_i18n();
    let (query, set_query) = signal(String::new());
    let navigate = use_navigate();
    let add = move |_| {
        let now = clock::now_ms();
        let client = Client {
            id: clock::new_client_id(),
            name: String::new(),
            kana: String::new(),
            birth_date: None,
            workplace: String::new(),
            notes: String::new(),
            consents: Default::default(),
            created_at: now,
            updated_at: now,
        };
        let id = client.id;
        db.put_client(client);
        navigate(&format!("/clients/{id}"), Default::default());
    };
    let matches = move || {
        let query = query.get();
        db.clients()
            .into_iter()
            .filter(|c| c.matches(query.trim()))
            .collect::<Vec<_>>()
    };
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::ClientsTitle)}</h1>
            <super::due::DueSection />
            <div class="toolbar">
                <label class="search">
                    <span class="visually-hidden">{tr(Key::ClientsSearch)}</span>
                    <input
                        type="search"
                        class="input"
                        data-testid="client-search"
                        placeholder=tr(Key::ClientsSearch)
                        on:input=move |ev| set_query.set(event_target_value(&ev))
                    />
                </label>
                <button type="button" data-testid="add-client" on:click=add>{tr(Key::ClientsNew)}</button>
                <ImportButton />
            </div>
            {move || {
                let clients = matches();
                if db.clients().is_empty() {
                    view! { <p class="empty-state" data-testid="clients-empty">{tr(Key::ClientsEmpty)}</p> }.into_any()
                } else if clients.is_empty() {
                    view! { <p class="empty-state">{tr(Key::ClientsNoMatch)}</p> }.into_any()
                } else {
                    let today = clock::today();
                    let items = clients
                        .into_iter()
                        .map(|c| {
                            let name = display_name(&c);
                            let age = c.age_on(today).map(|age| age_text(i18n.lang.get(), age));
                            view! {
                                <li>
                                    <A href=format!("/clients/{}", c.id) attr:class="client-link" attr:data-testid="client-link">
                                        <span class="client-name">{name}</span>
                                        <span class="client-kana">{c.kana.clone()}</span>
                                        <span class="client-age">{age}</span>
                                    </A>
                                </li>
                            }
                        })
                        .collect_view();
                    view! { <ul class="client-list" data-testid="client-list">{items}</ul> }.into_any()
                }
            }}
        </section>
    }
}

fn display_name(client: &Client) -> String {
    if client.name.trim().is_empty() {
        text_for(Key::UnnamedClient)
    } else {
        client.name.clone()
    }
}

fn text_for(key: Key) -> String {
    use_i18n().t(key).to_owned()
}

#[component]
pub fn ClientPage() -> impl IntoView {
    set_title(Key::ClientTitle);
    let db = use_db();
    let client_id = super::route_id::<ClientId>("client");
    move || match client_id().and_then(|id| untrack(|| db.client(id))) {
        None => view! {
            <section class="page">
                <h1 id="page-title" data-testid="page-title">{tr(Key::ClientTitle)}</h1>
                <p class="empty-state">{tr(Key::RecordNotFound)}</p>
                <p><A href="/clients">{tr(Key::BackToClients)}</A></p>
            </section>
        }
        .into_any(),
        Some(client) => view! { <ClientView client=client /> }.into_any(),
    }
}

#[component]
fn ClientView(client: Client) -> impl IntoView {
    let db = use_db();
    let id = client.id;
    let navigate = use_navigate();
    let start = move |instrument: &'static str| {
        let navigate = navigate.clone();
        move |_| {
            if let Some(path) = records::start(db, id, instrument) {
                navigate(&path, Default::default());
            }
        }
    };
    let field = move |key: Key,
                      testid: &'static str,
                      read: fn(&Client) -> String,
                      write: fn(&mut Client, String)| {
        let value = untrack(|| db.client(id))
            .map(|c| read(&c))
            .unwrap_or_default();
        let node = NodeRef::<leptos::html::Input>::new();
        crate::forms::follow(node, move || {
            db.client(id).map(|c| read(&c)).unwrap_or_default()
        });
        view! {
            <label class="field">
                <span class="field-label">{tr(key)}</span>
                <input
                    node_ref=node
                    type="text"
                    class="input"
                    data-testid=testid
                    prop:value=value
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        let now = clock::now_ms();
                        db.update_client(id, |c| {
                            write(c, text);
                            c.updated_at = now;
                        });
                    }
                />
            </label>
        }
    };
    let i18n = use_i18n();
    let age = move || {
        db.client(id)
            .and_then(|c| c.age_on(clock::today()))
            .map(|a| age_text(i18n.lang.get(), a))
    };
    let timeline = move || {
        let records = db.records_of(id);
        let review = db.needs_review();
        if records.is_empty() {
            return view! { <p class="empty-state">{tr(Key::TimelineEmpty)}</p> }.into_any();
        }
        let items = records
            .into_iter()
            .map(|r| {
                let instrument = catalogue().get(&r.instrument);
                let title = instrument.map(|i| text_view(&i.title).into_any());
                let day = records::day_of(&r);
                let status = if r.status == Status::Complete { Key::StatusComplete } else { Key::StatusDraft };
                let needs_review = review.contains(&Entity::Record(r.id));
                view! {
                    <li class="timeline-item" data-testid="timeline-item">
                        <A href=records::path(&r)>
                            <span class="timeline-date">{day}</span>
                            <span class="timeline-title">{title}</span>
                            <span class=format!("badge {}", if r.status == Status::Complete { "complete" } else { "draft" })>{tr(status)}</span>
                            {needs_review.then(|| view! {
                                <span class="badge review" data-testid="needs-review">{tr(Key::NeedsReview)}</span>
                            })}
                        </A>
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="timeline" data-testid="timeline">{items}</ol> }.into_any()
    };
    // Two records of one form (MSFAS, a visit note, a published form): something to compare.
    let comparable = move || {
        let records = db.records_of(id);
        let of = |form: &str| records.iter().filter(|r| r.instrument.id == form).count();
        records.iter().any(|r| of(&r.instrument.id) >= 2)
    };
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">
                {move || db.client(id).map(|c| display_name(&c)).unwrap_or_default()}
            </h1>
            <ConflictReview entity=Entity::Client(id) />
            <section class="card" aria-labelledby="profile-heading">
                <h2 id="profile-heading">{tr(Key::ProfileHeading)}</h2>
                <div class="field-grid">
                    {field(Key::FieldName, "client-name", |c| c.name.clone(), |c, v| c.name = v)}
                    {field(Key::FieldKana, "client-kana", |c| c.kana.clone(), |c, v| c.kana = v)}
                    <label class="field">
                        <span class="field-label">{tr(Key::FieldBirthDate)}</span>
                        <span class="inline-field">
                            <input
                                type="date"
                                class="input"
                                data-testid="client-birth-date"
                                prop:value=client.birth_date.map(|d| d.to_string()).unwrap_or_default()
                                on:input=move |ev| {
                                    let date = event_target_value(&ev).parse().ok();
                                    let now = clock::now_ms();
                                    db.update_client(id, |c| {
                                        c.birth_date = date;
                                        c.updated_at = now;
                                    });
                                }
                            />
                            <span class="derived" data-testid="client-age">{age}</span>
                        </span>
                    </label>
                    {field(Key::FieldWorkplace, "client-workplace", |c| c.workplace.clone(), |c, v| c.workplace = v)}
                    {field(Key::FieldNotes, "client-notes", |c| c.notes.clone(), |c, v| c.notes = v)}
                </div>
            </section>
            <super::consent::ConsentCard client=id />
            <super::plan::PlanCard client=id />
            <div class="toolbar">
                <button type="button" data-testid="new-assessment" on:click=start("msfas")>{tr(Key::NewAssessment)}</button>
                <button type="button" data-testid="new-visit-note" on:click=start("visit-note")>{tr(Key::NewVisitNote)}</button>
                <crate::components::PublishedForms client=id />
                <A href=format!("/clients/{id}/reports/{}", yorisoi_domain::report::Month::of(clock::today())) attr:class="button secondary" attr:data-testid="report-link">{tr(Key::ReportLink)}</A>
                // support2: start from the last record, the timeline
                <super::follow_up::StartFromLast client=id instrument="visit-note" />
                <super::follow_up::StartFromLast client=id instrument="msfas" />
                <A href=format!("/clients/{id}/timeline") attr:class="button secondary" attr:data-testid="timeline-link">{tr(Key::TimelineLink)}</A>
                <Show when=comparable>
                    <A href=format!("/clients/{id}/compare") attr:class="button secondary" attr:data-testid="compare-link">{tr(Key::Compare)}</A>
                </Show>
            </div>
            <section aria-labelledby="timeline-heading">
                <h2 id="timeline-heading">{tr(Key::TimelineHeading)}</h2>
                {timeline}
            </section>
            <ExportButtons client=id />
        </section>
    }
}
