//! Which coach supports which client.

use super::Page;
use crate::api;
use crate::components::ChooseOne;
use crate::i18n::{Key, tr};
use leptos::prelude::*;
use yorisoi_domain::accounts::{Assignment, Role};
use yorisoi_domain::ids::{ClientId, PersonId};

#[component]
pub(super) fn Assignments() -> impl IntoView {
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
