//! Yorisoi's app: a Leptos client-side app that keeps everything on the device first.

pub mod api;
pub mod clock;
pub mod context;
pub mod device;
pub mod device_proof;
pub mod i18n;
pub mod instruments;
pub mod lock;
pub mod pwa;
pub mod records;
pub mod settings;
pub mod storage;
pub mod store;
pub mod support;
pub mod tabs;
pub mod vault;

// The reactive handles and the device's screen lock, where pages have always found them.
pub use context::{account, data as db, sync};
pub use device::screen;

mod components;
mod forms;
mod pages;

use components::{LanguageSwitch, SetAsideNotice, SyncStatusBar, UpdateBanner};
use i18n::{Key, tr};
use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

/// Mounts the app on `<body>`, registers the service worker and asks for persistent storage.
pub fn start() {
    console_error_panic_hook::set_once();
    // The static shell of index.html stood in while the app loaded.
    if let Some(shell) = document().get_element_by_id("shell") {
        shell.remove();
    }
    leptos::mount::mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    i18n::provide();
    pwa::provide();
    forms::FocusMoves::provide();
    let (db, account, _) = context::provide_all();
    let lock = lock::ClientLock::provide();
    let locked = move || lock.lock.with(Option::is_some);
    // A memo: the session's check with the server (which waits for the device's secret) sets
    // `me` again, and must not re-create the page someone is typing into.
    let signed_in = Memo::new(move |_| account.me.with(Option::is_some));
    let signed_in = move || signed_in.get();
    // The pages that stand without anyone signed in (and without the device's data).
    let open_path = move || {
        web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .is_some_and(|p| matches!(p.as_str(), "/setup" | "/enrol"))
    };
    let is_admin = move || account.role() == Some(yorisoi_domain::accounts::Role::Admin);
    // Everything is loaded and the first page is on screen: what the start-up benchmark reads.
    Effect::new(move |_| {
        if db.loading.get() == db::Loading::Ready
            && let Some(performance) = web_sys::window().and_then(|w| w.performance())
        {
            let _ = performance.mark("yorisoi-interactive");
        }
    });
    view! {
        <Router>
            <a class="skip-link" href="#main">{tr(Key::SkipToContent)}</a>
            <header class="app-header">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span data-testid="app-name">{tr(Key::AppName)}</span>
                </A>
                <nav class="app-nav" aria-label=tr(Key::NavLabel)>
                    <Show when=move || signed_in() && !locked()>
                        <Show when=is_admin fallback=move || view! {
                            <A href="/clients">{tr(Key::NavClients)}</A>
                            <A href="/sync">{tr(Key::NavSync)}</A>
                            <Show when=move || account.role() == Some(yorisoi_domain::accounts::Role::Office)>
                                <A href="/activity" attr:data-testid="nav-activity">{tr(Key::NavActivity)}</A>
                            </Show>
                        }>
                            <A href="/admin">{tr(Key::NavAdmin)}</A>
                            <A href="/admin/instruments">{tr(Key::NavForms)}</A>
                        </Show>
                        <A href="/settings">{tr(Key::NavSettings)}</A>
                    </Show>
                </nav>
                <p class="signed-in" data-testid="signed-in-as">
                    {move || account.me.get().map(|me| me.name)}
                </p>
                <LanguageSwitch />
            </header>
            <SyncStatusBar />
            <UpdateBanner />
            <main id="main" tabindex="-1">
                <SetAsideNotice />
                <Gate signed_in>
                <Show when=move || db.loading.get() == db::Loading::Ready || open_path()
                    fallback=|| view! { <p class="loading" role="status" data-testid="loading">{tr(Key::Loading)}</p> }>
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::ClientList />
                    <Route path=path!("/clients") view=pages::ClientList />
                    <Route path=path!("/clients/:client") view=pages::ClientPage />
                    <Route path=path!("/clients/:client/assessments/:record") view=pages::AssessmentPage />
                    <Route path=path!("/clients/:client/assessments/:record/print") view=pages::PrintPage />
                    <Route path=path!("/clients/:client/notes/:record") view=pages::VisitNotePage />
                    <Route path=path!("/clients/:client/notes/:record/print") view=pages::PrintPage />
                    <Route path=path!("/clients/:client/compare") view=pages::ComparePage />
                    // support2: the timeline (経過)
                    <Route path=path!("/clients/:client/timeline") view=pages::TimelinePage />
                    <Route path=path!("/sync") view=pages::SyncPage />
                    <Route path=path!("/settings") view=pages::SettingsPage />
                    <Route path=path!("/clients/:client/records/:record/history") view=pages::HistoryPage />
                    <Route path=path!("/admin") view=pages::AdminPage />
                    <Route path=path!("/admin/disclosure/:client") view=pages::DisclosurePage />
                    // support1: monthly report and activity counts (issue 21)
                    <Route path=path!("/clients/:client/reports/:month") view=pages::ReportPage />
                    <Route path=path!("/activity") view=pages::ActivityPage />
                    <Route path=path!("/setup") view=pages::SetupPage />
                    <Route path=path!("/enrol") view=pages::EnrolPage />
                    // instr: publishing forms (issue 22)
                    <Route path=path!("/admin/instruments") view=pages::PublishingPage />
                </Routes>
                </Show>
                </Gate>
            </main>
        </Router>
    }
}

/// Shows `children` once `ready`, a calm loading line until then.
#[component]
fn ClientReady(
    ready: impl Fn() -> bool + Send + Sync + Copy + 'static,
    children: ChildrenFn,
) -> impl IntoView {
    view! {
        <Show when=ready
            fallback=|| view! { <p class="loading" role="status" data-testid="loading">{tr(Key::Loading)}</p> }>
            {children()}
        </Show>
    }
}

/// Every page but the set-up link needs someone signed in on this device; until then the
/// sign-in page stands in for it (nothing on the device is touched).
#[component]
fn Gate(
    signed_in: impl Fn() -> bool + Send + Sync + Copy + 'static,
    children: ChildrenFn,
) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let account = account::use_account();
    let free = move || matches!(location.pathname.get().as_str(), "/setup" | "/enrol");
    // Signed in, and this tab holds the keys, and the screen is not locked: the app itself.
    let open = move || free() || (signed_in() && account.unlocked.get() && !account.idle.get());
    // A tab without the keys asks for the password, unless the device's screen is locked and
    // the PIN may open it (another tab may hold the keys, and share them once it is open).
    let unlocking = move || {
        signed_in() && !account.unlocked.get() && !(account.idle.get() && account.pin_opens())
    };
    // A client's pages wait until that client's records are read (the app starts from the
    // client list; records are read in the background, the one asked for first).
    let db = db::use_db();
    let client_here = move || {
        let path = location.pathname.get();
        path.strip_prefix("/clients/")
            .and_then(|rest| rest.split('/').next())
            .and_then(|id| id.parse::<yorisoi_domain::ids::ClientId>().ok())
    };
    Effect::new(move |_| {
        if let Some(client) = client_here()
            && !db.client_ready(client)
        {
            db.want(client);
        }
    });
    let client_ready = move || client_here().is_none_or(|client| db.client_ready(client));
    // In client mode the one record is all there is: any other address leads back to it.
    let lock = lock::use_lock();
    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| {
        let here = format!("{}{}", location.pathname.get(), location.search.get());
        if let Some(locked) = lock.lock.get()
            && here != locked.path
        {
            navigate(
                &locked.path,
                leptos_router::NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    view! {
        <Show when=open fallback=move || {
            if unlocking() {
                view! { <pages::UnlockPage /> }.into_any()
            } else if signed_in() {
                view! { <pages::IdleLockPage /> }.into_any()
            } else {
                view! { <pages::SignInPage /> }.into_any()
            }
        }>
            <ClientReady ready=client_ready children=children.clone() />
        </Show>
    }
}
