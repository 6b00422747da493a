//! The people who use the app: adding one, their role, disabling, a new password.

use super::Page;
use crate::api;
use crate::components::TextInput;
use crate::i18n::{Key, tr, trn};
use leptos::prelude::*;
use yorisoi_domain::accounts::{NewPerson, Person, PersonUpdate, Role};

fn role_key(role: Role) -> Key {
    match role {
        Role::Admin => Key::RoleAdmin,
        Role::Coach => Key::RoleCoach,
        Role::Office => Key::RoleOffice,
    }
}

#[component]
pub(super) fn People() -> impl IntoView {
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
