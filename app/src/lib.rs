//! Yorisoi's app: a Leptos client-side app that keeps everything on the device first.

pub mod clock;
pub mod db;
pub mod i18n;
pub mod idb;
pub mod pwa;
pub mod records;
pub mod settings;
pub mod storage;
pub mod sync;
pub mod tabs;

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
    leptos::mount::mount_to_body(App);
}

#[component]
pub fn App() -> impl IntoView {
    i18n::provide();
    pwa::provide();
    let db = db::Db::provide();
    sync::SyncEngine::provide(db);
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
                    <A href="/clients">{tr(Key::NavClients)}</A>
                    <A href="/sync">{tr(Key::NavSync)}</A>
                    <A href="/settings">{tr(Key::NavSettings)}</A>
                </nav>
                <LanguageSwitch />
            </header>
            <SyncStatusBar />
            <UpdateBanner />
            <main id="main" tabindex="-1">
                <SetAsideNotice />
                <Show when=move || db.loading.get() == db::Loading::Ready
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
                    <Route path=path!("/sync") view=pages::SyncPage />
                    <Route path=path!("/settings") view=pages::SettingsPage />
                    <Route path=path!("/clients/:client/records/:record/history") view=pages::HistoryPage />
                </Routes>
                </Show>
            </main>
        </Router>
    }
}
