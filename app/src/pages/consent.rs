//! A client's consents (同意), on the client's page: one per purpose, each given on a day, in a
//! way (paper or the tablet), recorded by someone, and perhaps withdrawn; the MSFAS covers'
//! consent dates beside them; and what a missing or withdrawn consent blocks, in plain words.
//! A consent is a field of the client, so it syncs, merges and shows its history like one.

use crate::clock;
use crate::db::{catalogue, use_db};
use crate::i18n::{Key, tr, use_i18n};
use leptos::prelude::*;
use yorisoi_domain::consent::{Consent, Method, Purpose};
use yorisoi_domain::date::Date;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::instrument::Role as AnswerRole;
use yorisoi_domain::privacy::{Block, blocks};

fn block_key(block: Block) -> Key {
    match block {
        Block::NoSupportConsent => Key::BlockNoSupportConsent,
        Block::SupportWithdrawn => Key::BlockSupportWithdrawn,
        Block::NoEmployerSharing => Key::BlockNoEmployerSharing,
        Block::NoAgencySharing => Key::BlockNoAgencySharing,
    }
}

pub(super) fn purpose_key(purpose: Purpose) -> Key {
    match purpose {
        Purpose::Support => Key::ConsentSupport,
        Purpose::Employer => Key::ConsentEmployer,
        Purpose::Agencies => Key::ConsentAgencies,
    }
}

/// A consent in words: given when, how, by whom; withdrawn when.
pub(super) fn consent_text(consent: &Consent) -> String {
    let i18n = use_i18n();
    let how = match consent.method {
        Method::Paper => i18n.t(Key::ConsentPaper),
        Method::Tablet => i18n.t(Key::ConsentTablet),
    };
    let mut text = format!(
        "{} {} ({} {})",
        consent.given_on,
        how,
        i18n.t(Key::ConsentRecordedBy),
        consent.recorded_by_name
    );
    if let Some(withdrawn) = consent.withdrawn_on {
        text.push_str(&format!(
            " — {} {withdrawn}",
            i18n.t(Key::ConsentWithdrawnOn)
        ));
    }
    text
}

#[component]
pub fn ConsentCard(client: ClientId) -> impl IntoView {
    let db = use_db();
    let said = move || {
        db.client(client)
            .map(|c| blocks(&c))
            .unwrap_or_default()
            .into_iter()
            .map(|b| {
                let withdrawn = b == Block::SupportWithdrawn;
                view! {
                    <li class=if withdrawn { "sync-error" } else { "" } data-testid="consent-block">
                        {tr(block_key(b))}
                    </li>
                }
            })
            .collect_view()
    };
    // The consent dates on the client's MSFAS covers, newest first.
    let covers = move || {
        db.records_of(client)
            .into_iter()
            .filter_map(|r| {
                let instrument = catalogue().get(&r.instrument)?;
                r.date_of(instrument, AnswerRole::ConsentDate)
            })
            .map(|date| view! { <li data-testid="cover-consent">{date.to_string()}</li> })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="consent-heading" data-testid="consents">
            <h2 id="consent-heading">{tr(Key::ConsentHeading)}</h2>
            <ul class="consent-blocks" aria-live="polite">{said}</ul>
            {Purpose::ALL.into_iter().map(|purpose| view! { <ConsentRow client=client purpose=purpose /> }).collect_view()}
            <h3>{tr(Key::ConsentCover)}</h3>
            <ul>{covers}</ul>
        </section>
    }
}

#[component]
fn ConsentRow(client: ClientId, purpose: Purpose) -> impl IntoView {
    let db = use_db();
    let account = crate::account::use_account();
    let current = move || {
        db.client(client)
            .and_then(|c| c.consents.get(&purpose).cloned())
    };
    let day = RwSignal::new(clock::today().to_string());
    let method = RwSignal::new(Method::Paper);
    let record = move |withdraw: bool| {
        let Some(me) = account.me.get_untracked() else {
            return;
        };
        let Ok(date) = day.get_untracked().parse::<Date>() else {
            return;
        };
        let now = clock::now_ms();
        db.update_client(client, |c| {
            let consent = match (withdraw, c.consents.get(&purpose)) {
                (true, Some(given)) => Consent {
                    withdrawn_on: Some(date.max(given.given_on)),
                    ..given.clone()
                },
                _ => Consent {
                    given_on: date,
                    method: method.get_untracked(),
                    recorded_by: me.person,
                    recorded_by_name: me.name.clone(),
                    withdrawn_on: None,
                },
            };
            c.consents.insert(purpose, consent);
            c.updated_at = now;
        });
    };
    let testid = purpose.as_str();
    view! {
        <div class="consent-row" data-testid=format!("consent-{testid}")>
            <p>
                <strong>{tr(purpose_key(purpose))}</strong>" "
                <span data-testid="consent-state">
                    {move || current().map_or_else(|| tr(Key::ConsentNone)().to_owned(), |c| consent_text(&c))}
                </span>
            </p>
            <div class="inline-field">
                <label class="field">
                    <span class="field-label">{tr(Key::ConsentGivenOn)}</span>
                    <input class="input" type="date" data-testid="consent-date"
                        prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span class="field-label">{tr(Key::ConsentMethod)}</span>
                    <select class="input" data-testid="consent-method"
                        on:change=move |ev| method.set(if event_target_value(&ev) == "tablet" { Method::Tablet } else { Method::Paper })>
                        <option value="paper">{tr(Key::ConsentPaper)}</option>
                        <option value="tablet">{tr(Key::ConsentTablet)}</option>
                    </select>
                </label>
                <button type="button" class="secondary" data-testid="consent-give" on:click=move |_| record(false)>
                    {tr(Key::ConsentRecord)}
                </button>
                <Show when=move || current().is_some_and(|c| c.holds())>
                    <button type="button" class="secondary" data-testid="consent-withdraw" on:click=move |_| record(true)>
                        {tr(Key::ConsentWithdraw)}
                    </button>
                </Show>
            </div>
        </div>
    }
}
