//! 利用停止 and erase, client by client, with the link to each client's disclosure.

use super::Page;
use crate::api::{self};
use crate::clock::format_time;
use crate::i18n::{Key, tr, trn, use_i18n};
use leptos::prelude::*;
use leptos_router::components::A;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::privacy::Stopped;

/// 利用停止, erase and disclosure, client by client.
#[component]
pub(super) fn StopAndErase() -> impl IntoView {
    let page = expect_context::<Page>();
    let stop_of = move |client: ClientId| -> Option<Stopped> {
        page.data
            .with(|d| d.stopped.iter().find(|s| s.client == client).cloned())
    };
    let erased = move || {
        page.data.with(|d| {
            d.stopped
                .iter()
                .filter(|s| s.erased_at.is_some())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card" aria-labelledby="stop-heading" data-testid="stop-erase">
            <h2 id="stop-heading">{tr(Key::StopHeading)}</h2>
            <p class="hint">{tr(Key::StopIntro)}</p>
            <ul class="admin-list">
                {move || page.data.get().clients.into_iter().map(|c| {
                    let stopped = stop_of(c.id);
                    view! { <StopRow client=c.id name=c.name.clone() stopped=stopped /> }
                }).collect_view()}
            </ul>
            {move || {
                let erased = erased();
                (!erased.is_empty()).then(|| view! {
                    <h3>{tr(Key::ErasedHeading)}</h3>
                    <ul class="admin-list" data-testid="erased">
                        {erased.into_iter().map(|s| view! {
                            <li class="admin-item">
                                <code>{s.client.to_string()}</code>
                                " "{s.erased_at.map(format_time)}
                            </li>
                        }).collect_view()}
                    </ul>
                })
            }}
        </section>
    }
}

#[component]
fn StopRow(client: ClientId, name: String, stopped: Option<Stopped>) -> impl IntoView {
    let page = expect_context::<Page>();
    let i18n = use_i18n();
    let typed = RwSignal::new(String::new());
    let stop = move |_| {
        let sure = window()
            .confirm_with_message(i18n.t(Key::StopConfirm))
            .unwrap_or(false);
        if sure {
            page.act(async move { api::stop_use(client).await.map(drop) });
        }
    };
    let erase = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = typed.get_untracked();
        page.act(async move { api::erase(client, &name).await.map(drop) });
    };
    let status = match &stopped {
        None => view! { <p class="hint">{tr(Key::InUse)}</p> }.into_any(),
        Some(s) => {
            let until = format_time(s.retain_until);
            view! {
                <p class="hint" data-testid="stopped-note">{trn(Key::StoppedUntil, until)}</p>
            }
            .into_any()
        }
    };
    let actions = if stopped.is_none() {
        view! {
            <button type="button" class="secondary" data-testid="stop-use" on:click=stop>
                {tr(Key::StopButton)}
            </button>
        }
        .into_any()
    } else {
        view! {
            <form class="inline-field" on:submit=erase data-testid="erase-form">
                <label class="field">
                    <span class="field-label">{tr(Key::EraseTypeName)}</span>
                    <input class="input" type="text" autocomplete="off" data-testid="erase-name"
                        prop:value=move || typed.get() on:input=move |ev| typed.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="danger" data-testid="erase"
                    disabled=move || typed.with(|t| t.trim().is_empty())>{tr(Key::EraseButton)}</button>
            </form>
        }
        .into_any()
    };
    view! {
        <li class="admin-item" data-testid="stop-row" data-client=client.to_string()>
            <p class="admin-item-title">
                // A client with no name: its id, which the erase asks to be typed.
                {if name.trim().is_empty() {
                    view! { {tr(Key::QuarantineNameless)} " " <code>{client.to_string()}</code> }.into_any()
                } else {
                    name.into_any()
                }}
            </p>
            {status}
            <div class="toolbar">
                {actions}
                <A href=format!("/admin/disclosure/{client}") attr:data-testid="disclosure-link">
                    {tr(Key::DisclosureLink)}
                </A>
            </div>
        </li>
    }
}
