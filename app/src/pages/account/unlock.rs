//! Opening the data on this device again: after a reload (the password) or after the app was
//! left untouched (the PIN or the password).

use super::super::set_title;
use super::sign_in_problem;
use crate::account::{UnlockError, use_account};
use crate::components::{TextInput, local_action};
use crate::db::use_db;
use crate::i18n::{Key, tr, trn};
use leptos::prelude::*;

/// Shown while someone is signed in but this tab does not hold their keys (the app was closed,
/// reloaded or locked): the password opens the data on this device, offline.
#[component]
pub fn UnlockPage() -> impl IntoView {
    set_title(Key::UnlockTitle);
    let account = use_account();
    let db = use_db();
    let password = RwSignal::new(String::new());
    let stale = move || account.stale.get().is_some();
    // The password opens the keys on this device; it is cleared whatever the outcome.
    let unlock = local_action(move |typed: &String| {
        let typed = typed.clone();
        async move {
            let result = if account.stale.get_untracked().is_some() {
                account.unlock_stale(&typed)
            } else {
                account.unlock(db, typed).await
            };
            password.set(String::new());
            result
        }
    });
    let busy = unlock.pending();
    // The last attempt's error, hidden while the next one runs.
    let problem = move || {
        if busy.get() {
            return None;
        }
        unlock.value().get().and_then(Result::err)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        unlock.dispatch_local(password.get_untracked());
    };
    let start_over = local_action(move |_: &()| async move { account.start_over().await });
    let other = local_action(move |_: &()| async move { account.sign_out().await });
    let unsent = move || {
        account
            .me
            .with(|me| {
                me.as_ref()
                    .map(|m| crate::storage::unsent_sealed_by(m.person))
            })
            .unwrap_or(0)
    };
    view! {
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::UnlockTitle)}</h1>
            <p class="notice" data-testid="unlock-why">
                {move || if stale() {
                    tr(Key::StaleIntro)().to_owned()
                } else {
                    trn(Key::UnlockIntro, account.me.get().map(|m| m.name).unwrap_or_default())
                }}
            </p>
            <form class="card stack" on:submit=submit data-testid="unlock-form">
                {move || if stale() {
                    view! { <TextInput label=Key::StalePasswordLabel value=password kind="password" autocomplete="current-password" testid="unlock-password" /> }.into_any()
                } else {
                    view! { <TextInput label=Key::PasswordLabel value=password kind="password" autocomplete="current-password" testid="unlock-password" /> }.into_any()
                }}
                <Show when=move || problem().is_some()>
                    <p class="sync-error" role="alert" data-testid="unlock-problem">
                        {move || problem().map(|e| match e {
                            UnlockError::WrongPassword => tr(Key::UnlockWrong)().to_owned(),
                            UnlockError::NeedsServer => tr(Key::UnlockNeedsServer)().to_owned(),
                            UnlockError::Server(error) => sign_in_problem(&error),
                            UnlockError::Other(detail) => trn(Key::AdminFailed, detail),
                        })}
                    </p>
                </Show>
                <button type="submit" data-testid="unlock" disabled=move || busy.get()>
                    {move || if busy.get() { tr(Key::SignInBusy)() } else { tr(Key::UnlockButton)() }}
                </button>
            </form>
            <Show when=stale>
                <div class="card stack">
                    <p class="warning">{move || trn(Key::StaleStartOverWarning, unsent())}</p>
                    <button type="button" class="secondary danger" data-testid="start-over" on:click=move |_| { start_over.dispatch_local(()); }>{tr(Key::StaleStartOver)}</button>
                </div>
            </Show>
            <p><button type="button" class="link" data-testid="sign-in-other" on:click=move |_| { other.dispatch_local(()); }>{tr(Key::UnlockOtherAccount)}</button></p>
        </section>
    }
}

/// Shown over every page once the app was left untouched for a while: the keys are still in
/// memory; the PIN (within 12 hours of the password) or the password opens the screen again.
#[component]
pub fn IdleLockPage() -> impl IntoView {
    set_title(Key::IdleTitle);
    let account = use_account();
    let secret = RwSignal::new(String::new());
    let use_password = RwSignal::new(!account.pin_opens());
    let problem = RwSignal::new(None::<Key>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = secret.get_untracked();
        secret.set(String::new());
        let result = if use_password.get_untracked() {
            account
                .unlock_idle_password(&typed)
                .map_err(|_| Key::UnlockWrong)
        } else {
            account.unlock_pin(&typed).map_err(|_| Key::IdlePinWrong)
        };
        problem.set(result.err());
    };
    view! {
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::IdleTitle)}</h1>
            <p class="notice">{tr(Key::IdleIntro)}</p>
            <form class="card stack" on:submit=submit data-testid="idle-form">
                {move || if use_password.get() {
                    view! { <TextInput label=Key::PasswordLabel value=secret kind="password" autocomplete="current-password" testid="idle-password" /> }.into_any()
                } else {
                    view! { <TextInput label=Key::IdlePinLabel value=secret kind="password" testid="idle-pin" /> }.into_any()
                }}
                <Show when=move || problem.get().is_some()>
                    <p class="sync-error" role="alert" data-testid="idle-problem">{move || problem.get().map(|k| tr(k)())}</p>
                </Show>
                <button type="submit" data-testid="idle-unlock">{tr(Key::UnlockButton)}</button>
            </form>
            <Show when=move || !use_password.get()>
                <p><button type="button" class="link" data-testid="idle-use-password"
                    on:click=move |_| use_password.set(true)>{tr(Key::IdleUsePassword)}</button></p>
            </Show>
        </section>
    }
}
