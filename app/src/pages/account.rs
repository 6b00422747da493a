//! Signing in, the first administrator's set-up, and changing one's password.

use super::set_title;
use crate::account::{UnlockError, Why, use_account};
use crate::api::{self, ApiError};
use crate::db::use_db;
use crate::i18n::{Key, tr, trn};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use yorisoi_domain::accounts::{ChangePassword, Setup};
use yorisoi_domain::errors::ErrorCode;

/// What a failed sign-in says, in words a person can act on.
fn sign_in_problem(error: &ApiError) -> String {
    match (error, error.code()) {
        (ApiError::Offline | ApiError::Stalled, _) => tr(Key::SignInOffline)().to_owned(),
        (_, Some(ErrorCode::SignInFailed)) => tr(Key::SignInFailed)().to_owned(),
        (_, Some(ErrorCode::TooManyRequests)) => tr(Key::SignInTooMany)().to_owned(),
        (_, Some(ErrorCode::DeviceRevoked)) => tr(Key::SignInRevoked)().to_owned(),
        (_, Some(ErrorCode::DeviceProof)) => tr(Key::SignInDeviceProof)().to_owned(),
        _ => trn(Key::AdminFailed, error.message()),
    }
}

/// A labelled text input bound to a signal.
#[component]
pub fn TextInput(
    label: Key,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-label">{tr(label)}</span>
            <input
                class="input"
                type=kind
                autocomplete=autocomplete
                data-testid=testid
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}

/// Shown instead of every page while nobody is signed in on this device.
#[component]
pub fn SignInPage() -> impl IntoView {
    set_title(Key::SignInTitle);
    let account = use_account();
    let db = use_db();
    let (login, password) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    // The error, not its text: words are looked up in the view, where the language is known.
    let problem = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let result = account
                .sign_in(db, login.get_untracked(), password.get_untracked())
                .await;
            busy.set(false);
            match result {
                Ok(()) => password.set(String::new()),
                Err(error) => problem.set(Some(error)),
            }
        });
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
                <Show when=move || problem.get().is_some()>
                    <p class="sync-error" role="alert" data-testid="sign-in-problem">
                        {move || problem.get().map(|e| sign_in_problem(&e))}
                    </p>
                </Show>
                <button type="submit" data-testid="sign-in" disabled=move || busy.get()>
                    {move || if busy.get() { tr(Key::SignInBusy)() } else { tr(Key::SignInButton)() }}
                </button>
            </form>
        </section>
    }
}

/// Shown while someone is signed in but this tab does not hold their keys (the app was closed,
/// reloaded or locked): the password opens the data on this device, offline.
#[component]
pub fn UnlockPage() -> impl IntoView {
    set_title(Key::UnlockTitle);
    let account = use_account();
    let db = use_db();
    let password = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<UnlockError>);
    let busy = RwSignal::new(false);
    let stale = move || account.stale.get().is_some();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let typed = password.get_untracked();
            let result = if account.stale.get_untracked().is_some() {
                account.unlock_stale(&typed)
            } else {
                account.unlock(db, typed).await
            };
            busy.set(false);
            password.set(String::new());
            if let Err(error) = result {
                problem.set(Some(error));
            }
        });
    };
    let start_over = move |_| {
        leptos::task::spawn_local(async move { account.start_over().await });
    };
    let other = move |_| {
        leptos::task::spawn_local(async move { account.sign_out().await });
    };
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
                <Show when=move || problem.get().is_some()>
                    <p class="sync-error" role="alert" data-testid="unlock-problem">
                        {move || problem.get().map(|e| match e {
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
                    <button type="button" class="secondary danger" data-testid="start-over" on:click=start_over>{tr(Key::StaleStartOver)}</button>
                </div>
            </Show>
            <p><button type="button" class="link" data-testid="sign-in-other" on:click=other>{tr(Key::UnlockOtherAccount)}</button></p>
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
    let problem = RwSignal::new(None::<ApiError>);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.set(None);
        let device = crate::storage::device_id();
        let request = Setup {
            code: code(),
            login: login.get_untracked(),
            name: name.get_untracked(),
            password: password.get_untracked(),
            device,
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let typed = request.password.clone();
            match api::set_up(&request).await {
                Ok(me) => {
                    account.open_vault(db, &me, &typed).await;
                    account.signed_in(db, me).await;
                    navigate("/admin", Default::default());
                }
                Err(error) => problem.set(Some(error)),
            }
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
                <Show when=move || problem.get().is_some()>
                    <p class="sync-error" role="alert" data-testid="setup-problem">
                        {move || problem.get().map(|e| match e.code() {
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

/// On the settings page: who is signed in, until when this device works offline, sign out, and
/// a new password.
#[component]
pub fn AccountCard() -> impl IntoView {
    let account = use_account();
    let db = use_db();
    let (current, new) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let outcome = RwSignal::new(None::<Result<(), ApiError>>);
    let change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = ChangePassword {
            current: current.get_untracked(),
            new: new.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::change_password(&request).await {
                Ok(me) => {
                    // The keys on this device are wrapped under the new password from now on.
                    if let Err(error) = crate::vault::rewrap(&request.new) {
                        leptos::logging::error!("the keys could not be wrapped again: {error:?}");
                    }
                    account.signed_in(db, me).await;
                    current.set(String::new());
                    new.set(String::new());
                    outcome.set(Some(Ok(())));
                }
                Err(error) => outcome.set(Some(Err(error))),
            }
        });
    };
    let sign_out = move |_| {
        leptos::task::spawn_local(async move { account.sign_out().await });
    };
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
            <button type="button" class="secondary" data-testid="sign-out" on:click=sign_out>{tr(Key::SignOut)}</button>
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
            <form class="stack" on:submit=change>
                <TextInput label=Key::CurrentPasswordLabel value=current kind="password" autocomplete="current-password" testid="current-password" />
                <TextInput label=Key::NewPasswordLabel value=new kind="password" autocomplete="new-password" testid="new-password" />
                {move || outcome.get().map(|o| match o {
                    Ok(()) => view! { <p class="notice" role="status">{tr(Key::PasswordChanged)}</p> }.into_any(),
                    Err(error) => view! { <p class="sync-error" role="alert">{super::admin::problem_text(&error)}</p> }.into_any(),
                })}
                <button type="submit" data-testid="change-password">{tr(Key::PasswordChangeButton)}</button>
            </form>
        </section>
    }
}

/// `/enrol?code=…`: a tablet opened the link (or QR code) an administrator made: it registers
/// itself under the name given there, then someone signs in.
#[component]
pub fn EnrolPage() -> impl IntoView {
    set_title(Key::EnrolTitle);
    let db = use_db();
    let query = use_query_map();
    let outcome = RwSignal::new(None::<Result<String, ApiError>>);
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let Some(device) = db.device() else {
            return false;
        };
        let code = query.read_untracked().get("code").unwrap_or_default();
        leptos::task::spawn_local(async move {
            let result = api::enrol(&yorisoi_domain::accounts::Enrol { code, device })
                .await
                .map(|e| e.name);
            outcome.set(Some(result));
        });
        true
    });
    view! {
        <section class="page narrow" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::EnrolTitle)}</h1>
            <div aria-live="polite" data-testid="enrol-outcome">
                {move || match outcome.get() {
                    None => view! { <p>{tr(Key::SignInBusy)}</p> }.into_any(),
                    Some(Ok(name)) => view! {
                        <p class="notice">{trn(Key::EnrolDone, name)}</p>
                        <p><a href="/" class="button" data-testid="enrol-continue">{tr(Key::SignInButton)}</a></p>
                    }.into_any(),
                    Some(Err(error)) => view! {
                        <p class="sync-error" role="alert">{match error.code() {
                            Some(ErrorCode::Forbidden) => tr(Key::EnrolInvalid)().to_owned(),
                            _ => sign_in_problem(&error),
                        }}</p>
                    }.into_any(),
                }}
            </div>
        </section>
    }
}
