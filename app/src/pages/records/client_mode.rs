//! Client mode (1問ずつ入力): one question per screen on a tablet locked to the record, entered
//! and left with the coach's PIN.

use super::AnsweredByField;
use crate::components::TextInput;
use crate::db::use_db;
use crate::forms::QuestionField;
use crate::i18n::{Key, tr};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use yorisoi_domain::audit::Action;
use yorisoi_domain::ids::RecordId;
use yorisoi_domain::instrument::Instrument;
use yorisoi_domain::sync::Entity;

/// Where a person stopped in client mode, so they can come back to it.
fn resume_key(id: RecordId) -> String {
    format!("yorisoi.resume.{id}")
}

#[component]
pub(super) fn ClientMode(id: RecordId, instrument: Instrument) -> impl IntoView {
    let questions: Vec<(String, yorisoi_domain::instrument::Question)> = instrument
        .questions()
        .map(|(key, _, q)| (key, q.clone()))
        .collect();
    let total = questions.len();
    let start = LocalStorage::get::<usize>(resume_key(id))
        .unwrap_or(0)
        .min(total);
    let (index, set_index) = signal(start);
    Effect::new(move |_| {
        let _ = LocalStorage::set(resume_key(id), index.get());
    });
    let screen = move || {
        let i = index.get();
        match questions.get(i) {
            Some((field, question)) => view! {
                <div class="client-question" data-testid="client-question" data-field=field.clone()>
                    <QuestionField record=id field=field.clone() question=question.clone() client_mode=true />
                </div>
            }
            .into_any(),
            None => view! {
                <div class="client-done" data-testid="client-done">
                    <p class="big-message">{tr(Key::ClientModeDone)}</p>
                    <AnsweredByField id=id />
                </div>
            }
            .into_any(),
        }
    };
    view! {
        <div class="client-mode" data-testid="client-mode">
            <div class="progress">
                <progress max=total value=move || index.get().min(total)></progress>
                <span data-testid="client-progress">{move || format!("{} / {total}", (index.get() + 1).min(total))}</span>
            </div>
            {screen}
            <div class="pager">
                <button type="button" class="big secondary" data-testid="client-previous"
                    disabled=move || index.get() == 0
                    on:click=move |_| set_index.update(|i| *i = i.saturating_sub(1))>{tr(Key::Previous)}</button>
                <button type="button" class="big" data-testid="client-next"
                    disabled=move || { index.get() >= total }
                    on:click=move |_| set_index.update(|i| *i = (*i + 1).min(total))>{tr(Key::Next)}</button>
            </div>
        </div>
    }
}

/// 1問ずつ入力（本人向け）: locks the tablet to this record, after the coach sets a PIN the first
/// time.
#[component]
pub(super) fn EnterClientMode(
    href: String,
    client: Option<yorisoi_domain::ids::ClientId>,
) -> impl IntoView {
    use crate::lock::{ClientLock, Lock};
    let lock = crate::lock::use_lock();
    let account = crate::account::use_account();
    let db = use_db();
    let navigate = leptos_router::hooks::use_navigate();
    let asking = RwSignal::new(false);
    let (pin, again) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let problem = RwSignal::new(None::<crate::lock::PinError>);
    let start = {
        let href = href.clone();
        move || {
            let (Some(me), Some(client)) = (account.me.get_untracked(), client) else {
                return;
            };
            lock.enter(Lock {
                path: href.clone(),
                client,
                person: me.person,
            });
            db.note(
                Entity::Client(client),
                client,
                Action::ClientModeStarted,
                &[],
            );
            navigate(&href, Default::default());
        }
    };
    let begin = {
        let start = start.clone();
        move |_| {
            let has_pin = account
                .me
                .get_untracked()
                .is_some_and(|me| ClientLock::has_pin(me.person));
            if has_pin {
                start();
            } else {
                asking.set(true);
            }
        }
    };
    let set_pin = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(me) = account.me.get_untracked() else {
            return;
        };
        match ClientLock::set_pin(me.person, &pin.get_untracked(), &again.get_untracked()) {
            Ok(()) => {
                asking.set(false);
                start();
            }
            Err(error) => problem.set(Some(error)),
        }
    };
    view! {
        <button type="button" class="secondary" data-testid="mode-client" on:click=begin>
            {tr(Key::ModeClient)}
        </button>
        <Show when=move || asking.get()>
            <form class="card stack pin-form" on:submit=set_pin.clone() data-testid="pin-setup">
                <p>{tr(Key::PinSetIntro)}</p>
                <TextInput label=Key::PinLabel value=pin kind="password" autocomplete="off" testid="pin-new" />
                <TextInput label=Key::PinAgainLabel value=again kind="password" autocomplete="off" testid="pin-again" />
                {move || problem.get().map(|e| view! { <p class="sync-error" role="alert">{pin_problem(&e)}</p> })}
                <button type="submit" data-testid="pin-start">{tr(Key::PinStart)}</button>
            </form>
        </Show>
    }
}

/// 支援者に戻る: the coach's PIN unlocks the tablet.
#[component]
pub(super) fn LeaveClientMode(href: String) -> impl IntoView {
    let lock = crate::lock::use_lock();
    let db = use_db();
    let navigate = leptos_router::hooks::use_navigate();
    let asking = RwSignal::new(false);
    let pin = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<crate::lock::PinError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let locked = lock.lock.get_untracked().map(|l| l.client);
        match lock.leave(&pin.get_untracked()) {
            Ok(()) => {
                if let Some(client) = locked {
                    db.note(Entity::Client(client), client, Action::ClientModeEnded, &[]);
                }
                pin.set(String::new());
                asking.set(false);
                navigate(&href, Default::default());
            }
            Err(error) => {
                pin.set(String::new());
                problem.set(Some(error));
            }
        }
    };
    view! {
        <button type="button" class="secondary" data-testid="client-leave" on:click=move |_| asking.set(true)>
            {tr(Key::LeaveClientMode)}
        </button>
        <Show when=move || asking.get()>
            <form class="card stack pin-form" on:submit=submit.clone() data-testid="pin-leave-form">
                <TextInput label=Key::PinLabel value=pin kind="password" autocomplete="off" testid="pin-leave" />
                {move || problem.get().map(|e| view! { <p class="sync-error" role="alert" data-testid="pin-problem">{pin_problem(&e)}</p> })}
                <button type="submit" data-testid="pin-submit">{tr(Key::LeaveClientModeButton)}</button>
            </form>
        </Show>
    }
}

fn pin_problem(error: &crate::lock::PinError) -> String {
    use crate::lock::PinError;
    match error {
        PinError::Malformed => tr(Key::PinMalformed)().to_owned(),
        PinError::Mismatch => tr(Key::PinMismatch)().to_owned(),
        PinError::Wrong => tr(Key::PinWrong)().to_owned(),
        PinError::Wait(seconds) => crate::i18n::trn(Key::PinWait, seconds),
        PinError::NoRandom => tr(Key::PinNoRandom)().to_owned(),
    }
}
