//! Two MSFAS answers of one client side by side, with what changed marked.

use crate::db::{catalogue, use_db};
use crate::forms::text_view;
use crate::i18n::{Key, tr, use_i18n};
use crate::records::day_of;
use leptos::prelude::*;
use yorisoi_domain::export::{self, answer_text};
use yorisoi_domain::ids::ClientId;

#[component]
pub fn ComparePage() -> impl IntoView {
    super::set_title(Key::CompareTitle);
    let db = use_db();
    let i18n = use_i18n();
    let client = super::route_id::<ClientId>("client");
    let table = move || {
        // The two newest MSFAS of this client, older first.
        let mut msfas: Vec<_> = client()
            .map(|c| db.records_of(c))
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.instrument.id == "msfas")
            .collect();
        if msfas.len() < 2 {
            return view! { <p class="empty-state" data-testid="compare-need-two">{tr(Key::CompareNeedTwo)}</p> }.into_any();
        }
        msfas.truncate(2);
        msfas.reverse();
        let (earlier, later) = (&msfas[0], &msfas[1]);
        let lang = export::Lang::from(i18n.lang.get());
        let Some(instrument) = catalogue().get(&later.instrument) else {
            return view! { <p>{tr(Key::RecordNotFound)}</p> }.into_any();
        };
        let rows = instrument
            .questions()
            .map(|(key, _, question)| {
                let shown = |r: &yorisoi_domain::record::Record| {
                    r.answers.get(&key).map(|a| answer_text(a, &question.answer, &catalogue().lists, lang))
                };
                let (before, after) = (shown(earlier), shown(later));
                let changed = earlier.answers.get(&key) != later.answers.get(&key);
                let cell = |text: Option<String>| text.unwrap_or_else(|| i18n.t(Key::NotAnswered).to_owned());
                view! {
                    <tr class:changed=changed data-field=key.clone() data-changed=changed.to_string()>
                        <th scope="row">{question.number.clone()}{text_view(&question.prompt)}</th>
                        <td class="pre">{cell(before)}</td>
                        <td class="pre">{cell(after)}</td>
                        <td>{changed.then(|| view! { <span class="badge changed">{tr(Key::CompareChanged)}</span> })}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="compare-table" data-testid="compare-table">
                <thead>
                    <tr>
                        <th scope="col"></th>
                        <th scope="col">{tr(Key::Earlier)}" "{day_of(earlier)}</th>
                        <th scope="col">{tr(Key::Later)}" "{day_of(later)}</th>
                        <th scope="col"><span class="visually-hidden">{tr(Key::CompareChanged)}</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::CompareTitle)}</h1>
            {table}
        </section>
    }
}
