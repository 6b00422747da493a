//! The administrator's pages: people, assignments, devices, and the changes set aside. They talk
//! to the server directly (administration needs the network) and read no client data beyond a
//! client's name, which assigning needs.

mod assignments;
mod audit_log;
mod devices;
mod disclosure;
mod people;
mod quarantine;
mod stop_erase;

pub use disclosure::DisclosurePage;

use super::set_title;
use crate::api::{self, ApiError};
use crate::components::problem_text;
use crate::i18n::{Key, tr};
use leptos::prelude::*;
use yorisoi_domain::accounts::{ClientEntry, Device, Person};
use yorisoi_domain::sync::quarantine::SetAsidePage;

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
            <people::People />
            <assignments::Assignments />
            <devices::Devices />
            <quarantine::Quarantine />
            <audit_log::AuditLog />
            <stop_erase::StopAndErase />
        </section>
    }
}
