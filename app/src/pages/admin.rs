//! The administrator's pages: people, assignments, devices, and the changes set aside. They talk
//! to the server directly (administration needs the network) and read no client data beyond a
//! client's name, which assigning needs.

use super::account::TextInput;
use super::set_title;
use crate::api::{self, ApiError};
use crate::clock::format_time;
use crate::i18n::{Key, tr, trn};
use leptos::prelude::*;
use yorisoi_domain::accounts::{
    Assignment, ClientEntry, Device, DeviceState, NewPerson, Person, PersonUpdate, Role,
    SetAsidePage,
};
use yorisoi_domain::ids::{ClientId, PersonId};

fn role_key(role: Role) -> Key {
    match role {
        Role::Admin => Key::RoleAdmin,
        Role::Coach => Key::RoleCoach,
        Role::Office => Key::RoleOffice,
    }
}

/// A labelled choice of one of `choices` (id, name), nothing chosen at first; the chosen id,
/// parsed, goes to `chosen`.
#[component]
pub(super) fn ChooseOne<T, C>(
    label: Key,
    testid: &'static str,
    choices: C,
    chosen: RwSignal<Option<T>>,
) -> impl IntoView
where
    T: std::str::FromStr + Send + Sync + 'static,
    C: Fn() -> Vec<(String, String)> + Send + Sync + 'static,
{
    view! {
        <label class="field">
            <span class="field-label">{tr(label)}</span>
            <select class="input" data-testid=testid
                on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())>
                <option value="">"—"</option>
                {move || choices().into_iter().map(|(id, name)| view! {
                    <option value=id>{name}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// What went wrong, in words; called in views (where the language is known), never in tasks.
pub(super) fn problem_text(error: &ApiError) -> String {
    match error {
        ApiError::Offline | ApiError::Stalled => tr(Key::AdminOffline)().to_owned(),
        other => trn(Key::AdminFailed, other.message()),
    }
}

/// Everything the page shows, loaded together and again after every action.
#[derive(Clone, Debug, Default)]
pub(super) struct Loaded {
    pub people: Vec<Person>,
    pub clients: Vec<ClientEntry>,
    pub devices: Vec<Device>,
    pub set_aside: SetAsidePage,
    pub stopped: Vec<yorisoi_domain::privacy::Stopped>,
}

async fn load() -> Result<Loaded, ApiError> {
    Ok(Loaded {
        people: api::people().await?,
        clients: api::clients().await?,
        devices: api::devices().await?,
        set_aside: api::quarantine(None).await?,
        stopped: api::stopped().await?,
    })
}

#[derive(Clone, Copy)]
pub(super) struct Page {
    pub data: RwSignal<Loaded>,
    pub message: RwSignal<Option<Result<(), ApiError>>>,
}

impl Page {
    fn reload(self) {
        leptos::task::spawn_local(async move {
            match load().await {
                Ok(loaded) => self.data.set(loaded),
                Err(error) => self.message.set(Some(Err(error))),
            }
        });
    }

    /// Every client, as (id, name) choices.
    pub fn clients(self) -> Vec<(String, String)> {
        self.data.with(|d| {
            d.clients
                .iter()
                .map(|c| {
                    // A client with no name is chosen by its id.
                    let name = if c.name.trim().is_empty() {
                        c.id.to_string()
                    } else {
                        c.name.clone()
                    };
                    (c.id.to_string(), name)
                })
                .collect()
        })
    }

    /// Runs an action, says how it went, and reloads.
    pub fn act(self, action: impl Future<Output = Result<(), ApiError>> + 'static) {
        leptos::task::spawn_local(async move {
            self.message.set(Some(action.await));
            self.reload();
        });
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    set_title(Key::AdminTitle);
    let page = Page {
        data: RwSignal::new(Loaded::default()),
        message: RwSignal::new(None),
    };
    provide_context(page);
    page.reload();
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::AdminTitle)}</h1>
            <div aria-live="polite" data-testid="admin-message">
                {move || page.message.get().map(|m| match m {
                    Ok(()) => view! { <p class="notice">{tr(Key::AdminDone)}</p> }.into_any(),
                    Err(error) => view! { <p class="sync-error" role="alert">{problem_text(&error)}</p> }.into_any(),
                })}
            </div>
            <People />
            <Assignments />
            <Devices />
            <super::set_aside::Quarantine />
            <super::accountability::AuditLog />
            <super::accountability::StopAndErase />
        </section>
    }
}

#[component]
fn People() -> impl IntoView {
    let page = expect_context::<Page>();
    let (login, name, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let role = RwSignal::new(Role::Coach);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = NewPerson {
            login: login.get_untracked(),
            name: name.get_untracked(),
            role: role.get_untracked(),
            password: password.get_untracked(),
        };
        page.act(async move {
            api::add_person(&request).await?;
            login.set(String::new());
            name.set(String::new());
            password.set(String::new());
            Ok(())
        });
    };
    view! {
        <section class="card" aria-labelledby="people-heading">
            <h2 id="people-heading">{tr(Key::AdminPeople)}</h2>
            <ul class="admin-list" data-testid="people">
                <For each=move || page.data.get().people key=|p| (p.id, p.role, p.disabled, p.locked_until) let:person>
                    <PersonRow person />
                </For>
            </ul>
            <h3>{tr(Key::AdminAddPerson)}</h3>
            <form class="stack" on:submit=add data-testid="add-person">
                <TextInput label=Key::NameLabel value=name testid="person-name" />
                <TextInput label=Key::LoginLabel value=login testid="person-login" />
                <RoleSelect role testid="person-role" />
                <TextInput label=Key::NewPasswordLabel value=password kind="password" autocomplete="new-password" testid="person-password" />
                <button type="submit" data-testid="person-add">{tr(Key::AddButton)}</button>
            </form>
        </section>
    }
}

#[component]
fn RoleSelect(role: RwSignal<Role>, testid: &'static str) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{tr(Key::RoleLabel)}</span>
            <select
                class="input"
                data-testid=testid
                on:change=move |ev| {
                    if let Some(r) = Role::parse(&event_target_value(&ev)) {
                        role.set(r);
                    }
                }
            >
                {Role::ALL
                    .into_iter()
                    .map(|r| view! {
                        <option value=r.as_str() selected=move || role.get() == r>{tr(role_key(r))}</option>
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn PersonRow(person: Person) -> impl IntoView {
    let page = expect_context::<Page>();
    let id = person.id;
    let role = RwSignal::new(person.role);
    let new_password = RwSignal::new(String::new());
    let update = move |update: PersonUpdate| {
        page.act(async move { api::update_person(id, &update).await.map(drop) });
    };
    let disabled = person.disabled;
    Effect::new(move |previous: Option<Role>| {
        let now = role.get();
        if previous.is_some_and(|p| p != now) {
            update(PersonUpdate {
                role: Some(now),
                ..Default::default()
            });
        }
        now
    });
    let reset = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update(PersonUpdate {
            password: Some(new_password.get_untracked()),
            ..Default::default()
        });
        new_password.set(String::new());
    };
    view! {
        <li class="admin-item" data-testid="person" data-login=person.login.clone()>
            <p class="admin-item-title">
                {person.name.clone()} " (" {person.login.clone()} ") "
                {person.disabled.then(|| tr(Key::DisabledMark))}
                {person.locked_until.map(|_| tr(Key::LockedMark))}
            </p>
            {(person.role == Role::Coach).then(|| {
                let clients = person.clients.clone();
                view! {
                    <p class="hint" data-testid="person-clients">
                        {move || {
                            let names: Vec<String> = page.data.with(|d| {
                                clients
                                    .iter()
                                    .filter_map(|id| d.clients.iter().find(|c| c.id == *id).map(|c| c.name.clone()))
                                    .collect()
                            });
                            if names.is_empty() {
                                tr(Key::NoClients)().to_owned()
                            } else {
                                trn(Key::AssignedClients, names.join("、"))
                            }
                        }}
                    </p>
                }
            })}
            <RoleSelect role testid="person-role-change" />
            <button
                type="button"
                class="secondary"
                data-testid="person-toggle"
                on:click=move |_| update(PersonUpdate { disabled: Some(!disabled), ..Default::default() })
            >
                {if disabled { tr(Key::Enable) } else { tr(Key::Disable) }}
            </button>
            <form class="inline-field" on:submit=reset>
                <TextInput label=Key::ResetPassword value=new_password kind="password" autocomplete="new-password" testid="person-reset-password" />
                <button type="submit" class="secondary">{tr(Key::ResetPassword)}</button>
            </form>
        </li>
    }
}

#[component]
fn Assignments() -> impl IntoView {
    let page = expect_context::<Page>();
    let client = RwSignal::new(None::<ClientId>);
    let coach = RwSignal::new(None::<PersonId>);
    let coaches = move || {
        page.data
            .get()
            .people
            .into_iter()
            .filter(|p| p.role == Role::Coach && !p.disabled)
            .collect::<Vec<_>>()
    };
    let name_of = move |id: PersonId| {
        page.data
            .with(|d| d.people.iter().find(|p| p.id == id).map(|p| p.name.clone()))
            .unwrap_or_else(|| id.to_string())
    };
    let assign = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let (Some(client), Some(person)) = (client.get_untracked(), coach.get_untracked()) {
            page.act(async move { api::assign(&Assignment { person, client }).await });
        }
    };
    view! {
        <section class="card" aria-labelledby="assign-heading">
            <h2 id="assign-heading">{tr(Key::AdminAssignments)}</h2>
            <form class="stack" on:submit=assign data-testid="assign-form">
                <ChooseOne label=Key::ClientLabel testid="assign-client" chosen=client
                    choices=move || page.clients() />
                <ChooseOne label=Key::CoachLabel testid="assign-coach" chosen=coach
                    choices=move || coaches().into_iter().map(|p| (p.id.to_string(), p.name)).collect() />
                <button type="submit" data-testid="assign">{tr(Key::AssignButton)}</button>
            </form>
            <ul class="admin-list" data-testid="assignments">
                {move || page.data.get().clients.into_iter().map(|c| {
                    let client = c.id;
                    let coaches = c.coaches.clone();
                    view! {
                        <li class="admin-item" data-testid="assignment" data-client=client.to_string()>
                            <p class="admin-item-title">{c.name.clone()}</p>
                            {if coaches.is_empty() {
                                view! { <p class="hint">{tr(Key::NobodyAssigned)}</p> }.into_any()
                            } else {
                                coaches.into_iter().map(|person| view! {
                                    <p class="inline-field">
                                        <span data-testid="assigned-coach">{name_of(person)}</span>
                                        <button type="button" class="secondary" data-testid="unassign"
                                            on:click=move |_| page.act(async move { api::unassign(&Assignment { person, client }).await })>
                                            {tr(Key::Unassign)}
                                        </button>
                                    </p>
                                }).collect_view().into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Devices() -> impl IntoView {
    let page = expect_context::<Page>();
    let name = RwSignal::new(String::new());
    let made = RwSignal::new(None::<yorisoi_domain::accounts::Enrolment>);
    let enrol = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = yorisoi_domain::accounts::NewEnrolment {
            name: name.get_untracked(),
        };
        page.act(async move {
            made.set(Some(api::new_enrolment(&request).await?));
            name.set(String::new());
            Ok(())
        });
    };
    view! {
        <section class="card" aria-labelledby="devices-heading">
            <h2 id="devices-heading">{tr(Key::AdminDevices)}</h2>
            <form class="stack" on:submit=enrol data-testid="enrol-form">
                <p class="hint">{tr(Key::EnrolIntro)}</p>
                <TextInput label=Key::DeviceNameLabel value=name testid="enrol-name" />
                <button type="submit" data-testid="enrol-make">{tr(Key::EnrolMake)}</button>
            </form>
            {move || made.get().map(|e| {
                let src = format!(
                    "data:image/svg+xml;charset=utf-8,{}",
                    String::from(js_sys::encode_uri_component(&e.qr_svg))
                );
                view! {
                    <div class="enrolment" data-testid="enrolment">
                        <img src=src alt=tr(Key::EnrolQrAlt) width="240" height="240" />
                        <p><a href=e.link.clone() data-testid="enrol-link">{e.link.clone()}</a></p>
                        <p class="hint">{trn(Key::EnrolExpires, format_time(e.expires_at))}</p>
                    </div>
                }
            })}
            <ul class="admin-list" data-testid="devices">
                {move || page.data.get().devices.into_iter().map(|d| {
                    let id = d.id;
                    let state = match d.state {
                        DeviceState::Active => Key::DeviceActive,
                        DeviceState::Revoked => Key::DeviceRevokedMark,
                        DeviceState::Retired => Key::DeviceRetiredMark,
                    };
                    view! {
                        <li class="admin-item" data-testid="device" data-device=id.to_string()>
                            <p class="admin-item-title">{d.name.clone().unwrap_or_else(|| id.to_string())} " — " {tr(state)}</p>
                            <p class="hint">
                                {d.last_seen.map(|t| trn(Key::LastSeen, format_time(t)))} " "
                                {d.last_person.clone().map(|p| trn(Key::LastUsedBy, p))}
                            </p>
                            {(d.state == DeviceState::Active).then(|| view! {
                                <button type="button" class="secondary" data-testid="device-revoke"
                                    on:click=move |_| page.act(async move { api::device_action(id, "revoke").await })>
                                    {tr(Key::Revoke)}
                                </button>
                                <button type="button" class="secondary" data-testid="device-retire"
                                    on:click=move |_| page.act(async move { api::device_action(id, "retire").await })>
                                    {tr(Key::Retire)}
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
