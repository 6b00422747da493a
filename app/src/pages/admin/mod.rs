//! The administrator's pages: people, assignments, devices, and the changes set aside. They talk
//! to the server directly (administration needs the network) and read no client data beyond a
//! client's name, which assigning needs.

mod assignments;
mod audit_log;
mod devices;
mod disclosure;
mod disclosure_support;
mod people;
mod quarantine;
mod stop_erase;

pub use disclosure::DisclosurePage;

use super::set_title;
use crate::api::{self, ApiError};
use crate::components::{Failed, failed_view, local_action, local_resource, problem_text};
use crate::i18n::{Key, tr};
use futures_util::future::{FutureExt, LocalBoxFuture};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
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

/// An administrator's action: a call to the server, run by the page's [`Action`]. It is taken
/// out when the action runs (a future runs once).
#[derive(Clone)]
pub(super) struct Job(Rc<RefCell<Option<Call>>>);

/// A call to the server that says only whether it went through.
type Call = LocalBoxFuture<'static, Result<(), ApiError>>;

#[derive(Clone, Copy)]
pub(super) struct Page {
    /// What the last load brought (and the set-aside pages read since).
    pub data: RwSignal<Loaded>,
    /// The administrator's last action and how it went; the page loads again after each.
    action: Action<Job, Result<(), ApiError>>,
}

impl Page {
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
        let job = Job(Rc::new(RefCell::new(Some(action.boxed_local()))));
        self.action.dispatch_local(job);
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    set_title(Key::AdminTitle);
    let action = local_action(|job: &Job| {
        let run = job.0.borrow_mut().take();
        async move {
            match run {
                Some(run) => run.await,
                None => Ok(()),
            }
        }
    });
    let data = RwSignal::new(Loaded::default());
    // Loaded when the page opens and again after every action (each bumps its version).
    let loaded = local_resource(move || {
        action.version().track();
        async move {
            data.set(load().await.map_err(Failed)?);
            Ok::<(), Failed>(())
        }
    });
    let page = Page { data, action };
    provide_context(page);
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::AdminTitle)}</h1>
            <Transition fallback=|| view! { <p class="loading" role="status">{tr(Key::Loading)}</p> }>
                <div aria-live="polite" data-testid="admin-message">
                    {move || action.value().get().map(|m| match m {
                        Ok(()) => view! { <p class="notice">{tr(Key::AdminDone)}</p> }.into_any(),
                        Err(error) => view! { <p class="sync-error" role="alert">{problem_text(&error)}</p> }.into_any(),
                    })}
                    // A load that fails says why here; the lists keep what they last showed.
                    <ErrorBoundary fallback=failed_view>
                        {move || Suspend::new(async move { loaded.await })}
                    </ErrorBoundary>
                </div>
                <people::People />
                <assignments::Assignments />
                <devices::Devices />
                <quarantine::Quarantine />
                <audit_log::AuditLog />
                <stop_erase::StopAndErase />
            </Transition>
        </section>
    }
}
