//! The administrator's list of changes set aside (part of the admin page).

use super::Page;
use crate::api::{self, ApiError};
use crate::clock::format_time;
use crate::components::{local_action, problem_text};
use crate::i18n::{Key, tr, trn};
use leptos::prelude::*;
use yorisoi_domain::accounts::Decision;

/// The changes set aside, newest first, a page at a time: whose, which field, who sent it from
/// which device, when and why; never the value (see ARCHITECTURE.md).
#[component]
pub(super) fn Quarantine() -> impl IntoView {
    let page = expect_context::<Page>();
    // The next page of the list, after the last entry shown.
    let more = local_action(move |_: &()| {
        let last = page
            .data
            .with_untracked(|d| d.set_aside.entries.last().map(|e| e.id));
        async move {
            let next = api::quarantine(last).await?;
            page.data.update(|d| {
                d.set_aside.entries.extend(next.entries);
                d.set_aside.more = next.more;
                d.set_aside.undecided = next.undecided;
            });
            Ok::<(), ApiError>(())
        }
    });
    view! {
        <section class="card" aria-labelledby="quarantine-heading">
            <h2 id="quarantine-heading">{tr(Key::AdminQuarantine)}</h2>
            <p class="hint">{tr(Key::QuarantineIntro)}</p>
            {move || {
                let all = page.data.get().set_aside;
                if all.entries.is_empty() {
                    return view! { <p class="hint" data-testid="quarantine-empty">{tr(Key::QuarantineEmpty)}</p> }.into_any();
                }
                view! {
                    <p class="hint" data-testid="quarantine-undecided">{trn(Key::QuarantineUndecided, all.undecided)}</p>
                    <ul class="admin-list" data-testid="quarantine">
                        {all.entries.into_iter().map(|q| {
                            let id = q.id;
                            let client = q.client_name.clone().filter(|n| !n.trim().is_empty());
                            let by = [q.pushed_by_name.clone(), q.device_name.clone()]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(" / ");
                            view! {
                                <li class="admin-item" data-testid="set-aside">
                                    <p class="admin-item-title">
                                        {format_time(q.received_at)} " — "
                                        {match client {
                                            Some(name) => name.into_any(),
                                            None => tr(Key::QuarantineNameless).into_any(),
                                        }}
                                        " — " <code>{q.field.clone()}</code>
                                    </p>
                                    {(!by.is_empty()).then(|| view! { <p class="hint" data-testid="set-aside-by">{trn(Key::QuarantineBy, by)}</p> })}
                                    <p class="refused-why" data-testid="set-aside-why">{q.refusal.to_string()}</p>
                                    {match q.decision {
                                        Some(Decision::Accepted) => view! { <p class="hint">{tr(Key::AcceptedMark)}</p> }.into_any(),
                                        Some(Decision::Discarded) => view! { <p class="hint">{tr(Key::DiscardedMark)}</p> }.into_any(),
                                        None => view! {
                                            <button type="button" data-testid="set-aside-accept"
                                                on:click=move |_| page.act(async move { api::decide(id, "accept").await })>
                                                {tr(Key::Accept)}
                                            </button>
                                            <button type="button" class="secondary" data-testid="set-aside-discard"
                                                on:click=move |_| page.act(async move { api::decide(id, "discard").await })>
                                                {tr(Key::Discard)}
                                            </button>
                                        }.into_any(),
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {all.more.then(|| view! {
                        <button type="button" class="secondary" data-testid="quarantine-more"
                            disabled=move || more.pending().get()
                            on:click=move |_| { more.dispatch_local(()); }>
                            {tr(Key::QuarantineMore)}
                        </button>
                    })}
                    {move || more.value().get().and_then(Result::err).map(|error| view! {
                        <p class="sync-error" role="alert">{problem_text(&error)}</p>
                    })}
                }.into_any()
            }}
        </section>
    }
}
