//! One's own account on the settings page: who, until when offline, sign out, a new password.

use crate::account::use_account;
use crate::api::{self, ApiError};
use crate::components::{TextInput, local_action};
use crate::db::use_db;
use crate::i18n::{Key, tr, trn};
use leptos::prelude::*;
use yorisoi_domain::accounts::ChangePassword;

/// On the settings page: who is signed in, until when this device works offline, sign out, and
/// a new password.
#[component]
pub fn AccountCard() -> impl IntoView {
    let account = use_account();
    let db = use_db();
    let (current, new) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    // A new password: the server checks the current one; then the keys on this device are
    // wrapped under the new one. The outcome stays shown until the next change.
    let change = local_action(move |request: &ChangePassword| {
        let request = request.clone();
        async move {
            let me = api::change_password(&request).await?;
            // The keys on this device are wrapped under the new password from now on.
            if let Err(error) = crate::vault::rewrap(&request.new) {
                leptos::logging::error!("the keys could not be wrapped again: {error:?}");
            }
            account.signed_in(db, me).await;
            current.set(String::new());
            new.set(String::new());
            Ok::<(), ApiError>(())
        }
    });
    let outcome = change.value();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch_local(ChangePassword {
            current: current.get_untracked(),
            new: new.get_untracked(),
        });
    };
    let sign_out = local_action(move |_: &()| async move { account.sign_out().await });
    view! {
        <section class="card" aria-labelledby="account-heading">
            <h2 id="account-heading">{tr(Key::AccountHeading)}</h2>
            <p data-testid="account-who">
                {move || account.me.get().map(|me| trn(Key::SignedInAs, format!("{} ({})", me.name, me.login)))}
            </p>
            <p data-testid="offline-until">
                {move || account.me.get().map(|me| trn(Key::OfflineUntil, crate::clock::format_time(me.expires_at)))}
            </p>
            <p data-testid="device-name">
                {move || account.me.get().and_then(|me| me.device_name).map(|n| trn(Key::DeviceNameIs, n))}
            </p>
            <p class="hint" data-testid="device-id">
                {move || db.device().map(|d| trn(Key::DeviceIdLabel, d))}
            </p>
            <button type="button" class="secondary" data-testid="sign-out" on:click=move |_| { sign_out.dispatch_local(()); }>{tr(Key::SignOut)}</button>
            <label class="field">
                <span class="field-label">{tr(Key::IdleMinutesLabel)}</span>
                <select class="input" data-testid="idle-minutes"
                    on:change=move |ev| {
                        if let Ok(minutes) = event_target_value(&ev).parse::<u32>() {
                            crate::account::Account::set_idle_seconds(minutes * 60);
                        }
                    }>
                    {[1u32, 3, 5, 10, 15, 30].into_iter().map(|m| {
                        let chosen = crate::account::Account::idle_seconds() == m * 60;
                        view! { <option value=m.to_string() selected=chosen>{m.to_string()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <h3>{tr(Key::PasswordTitle)}</h3>
            <form class="stack" on:submit=submit>
                <TextInput label=Key::CurrentPasswordLabel value=current kind="password" autocomplete="current-password" testid="current-password" />
                <TextInput label=Key::NewPasswordLabel value=new kind="password" autocomplete="new-password" testid="new-password" />
                {move || outcome.get().map(|o| match o {
                    Ok(()) => view! { <p class="notice" role="status">{tr(Key::PasswordChanged)}</p> }.into_any(),
                    Err(error) => view! { <p class="sync-error" role="alert">{crate::components::problem_text(&error)}</p> }.into_any(),
                })}
                <button type="submit" data-testid="change-password">{tr(Key::PasswordChangeButton)}</button>
            </form>
        </section>
    }
}
