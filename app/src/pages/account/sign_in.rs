//! The sign-in page, shown while nobody is signed in on this device.

use super::super::set_title;
use super::sign_in_problem;
use crate::account::{Why, use_account};
use crate::components::{TextInput, local_action};
use crate::db::use_db;
use crate::i18n::{Key, tr};
use leptos::prelude::*;

/// Shown instead of every page while nobody is signed in on this device.
#[component]
pub fn SignInPage() -> impl IntoView {
    set_title(Key::SignInTitle);
    let account = use_account();
    let db = use_db();
    let (login, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    // The result keeps the error, not its text: words are looked up in the view, where the
    // language is known. A successful sign-in clears the password it was given.
    let sign_in = local_action(move |(login, typed): &(String, String)| {
        let (login, typed) = (login.clone(), typed.clone());
        async move {
            let result = account.sign_in(db, login, typed).await;
            if result.is_ok() {
                password.set(String::new());
            }
            result
        }
    });
    let busy = sign_in.pending();
    // The last attempt's error, hidden while the next one runs.
    let problem = move || {
        if busy.get() {
            return None;
        }
        sign_in.value().get().and_then(Result::err)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        sign_in.dispatch_local((login.get_untracked(), password.get_untracked()));
    };
    view! {
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::SignInTitle)}</h1>
            <p class="notice" data-testid="sign-in-why">
                {move || match account.why.get() {
                    Why::SignedOut => tr(Key::SignInIntro)(),
                    Why::Expired => tr(Key::SignInExpired)(),
                    Why::Ended => tr(Key::SignInEnded)(),
                }}
            </p>
            <form class="card stack" on:submit=submit data-testid="sign-in-form">
                <TextInput label=Key::LoginLabel value=login autocomplete="username" testid="login" />
                <TextInput label=Key::PasswordLabel value=password kind="password" autocomplete="current-password" testid="password" />
                <Show when=move || problem().is_some()>
                    <p class="sync-error" role="alert" data-testid="sign-in-problem">
                        {move || problem().map(|e| sign_in_problem(&e))}
                    </p>
                </Show>
                <button type="submit" data-testid="sign-in" disabled=move || busy.get()>
                    {move || if busy.get() { tr(Key::SignInBusy)() } else { tr(Key::SignInButton)() }}
                </button>
            </form>
        </section>
    }
}
