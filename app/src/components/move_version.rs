//! On a draft whose form has a newer published version: says so, and moves the draft only when
//! its person asks (a draft keeps the version it was started with otherwise), after checking
//! every answer; the move is noted in the audit log.

use crate::db::use_db;
use crate::i18n::{Key, tr, trn};
use leptos::prelude::*;
use yorisoi_domain::audit::Action;
use yorisoi_domain::ids::RecordId;
use yorisoi_domain::record::Status;
use yorisoi_domain::sync::Entity;
use yorisoi_domain::versions::moving::{may_move, move_to};

#[component]
pub fn MoveVersion(id: RecordId) -> impl IntoView {
    let db = use_db();
    let runtime = crate::instruments::current();
    let lists = &runtime.catalogue.lists;
    let offer = untrack(|| db.record(id))
        .filter(|r| r.status == Status::Draft)
        .and_then(|r| {
            let from = runtime.catalogue.get(&r.instrument)?;
            let to = runtime.newer(&r.instrument)?;
            // Only a move the server accepts whatever the answers are is offered.
            may_move(from, to, lists).then(|| (from.version, to.clone()))
        });
    offer.map(|(from_version, to)| offered(id, from_version, to))
}

fn offered(
    id: RecordId,
    from_version: u32,
    to: yorisoi_domain::instrument::Instrument,
) -> impl IntoView {
    let db = use_db();
    let lists = &crate::instruments::current().catalogue.lists;
    let problems = RwSignal::new(Vec::<String>::new());
    let to_version = to.version;
    let on_click = move |_| {
        let Some(record) = untrack(|| db.record(id)) else {
            return;
        };
        match move_to(&record, &to, lists, crate::clock::now_ms()) {
            Ok(moved) => {
                db.update_record(id, |r| {
                    r.instrument = moved.instrument;
                    r.updated_at = moved.updated_at;
                });
                // A record the server set aside (new under a retired version) goes again whole,
                // under the new version: what was set aside is not on the server.
                if db.has_refused(Entity::Record(id)) {
                    db.write_record_again(id);
                }
                let (from, to) = (from_version.to_string(), to_version.to_string());
                db.note(
                    Entity::Record(id),
                    record.client,
                    Action::RecordVersionMoved,
                    &[&from, &to],
                );
                // The record page draws the form again from the new version's definition.
            }
            Err(found) => problems.set(found.iter().map(ToString::to_string).collect()),
        }
    };
    view! {
        <div class="notice" role="status" data-testid="move-version">
            <p>{move || trn(Key::MoveVersionNotice, to_version)}</p>
            <button type="button" class="secondary" data-testid="move-version-button" on:click=on_click>
                {tr(Key::MoveVersionButton)}
            </button>
            {move || (!problems.get().is_empty()).then(|| view! {
                <div class="sync-error" role="alert">
                    <p>{tr(Key::MoveVersionProblems)}</p>
                    <ul>{problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                </div>
            })}
        </div>
    }
}
