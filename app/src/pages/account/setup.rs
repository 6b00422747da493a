//! `/setup`: the first administrator.

use super::super::set_title;
use super::sign_in_problem;
use crate::account::use_account;
use crate::api::{self, ApiError};
use crate::components::{TextInput, local_action};
use crate::db::use_db;
use crate::i18n::{Key, tr};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use yorisoi_domain::accounts::Setup;
use yorisoi_domain::errors::ErrorCode;

/// `/setup?code=…`: the first administrator, from the link the server printed.
#[component]
pub fn SetupPage() -> impl IntoView {
    set_title(Key::SetupTitle);
    let account = use_account();
    let db = use_db();
    let query = use_query_map();
    let code = move || query.read().get("code").unwrap_or_default();
    let (login, name, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let navigate = use_navigate();
    // Sets up the first administrator, opens the keys under their password, and goes on to the
    // administration page.
    let set_up = local_action(move |request: &Setup| {
        let request = request.clone();
        let navigate = navigate.clone();
        async move {
            let me = api::set_up(&request).await?;
            account.open_vault(db, &me, &request.password).await;
            account.signed_in(db, me).await;
            navigate("/admin", Default::default());
            Ok::<(), ApiError>(())
        }
    });
    // The last attempt's error, hidden while the next one runs.
    let problem = move || {
        if set_up.pending().get() {
            return None;
        }
        set_up.value().get().and_then(Result::err)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if set_up.pending().get_untracked() {
            return;
        }
        set_up.dispatch_local(Setup {
            code: code(),
            login: login.get_untracked(),
            name: name.get_untracked(),
            password: password.get_untracked(),
            device: crate::storage::device_id(),
        });
    };
    view! {
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::SetupTitle)}</h1>
            <p class="notice">{tr(Key::SetupIntro)}</p>
            <form class="card stack" on:submit=submit data-testid="setup-form">
                <TextInput label=Key::NameLabel value=name autocomplete="name" testid="setup-name" />
                <TextInput label=Key::LoginLabel value=login autocomplete="username" testid="setup-login" />
                <TextInput label=Key::NewPasswordLabel value=password kind="password" autocomplete="new-password" testid="setup-password" />
                <Show when=move || problem().is_some()>
                    <p class="sync-error" role="alert" data-testid="setup-problem">
                        {move || problem().map(|e| match e.code() {
                            Some(ErrorCode::Forbidden) => tr(Key::SetupInvalid)().to_owned(),
                            _ => sign_in_problem(&e),
                        })}
                    </p>
                </Show>
                <button type="submit" data-testid="setup-submit">{tr(Key::SetupButton)}</button>
            </form>
        </section>
    }
}
