//! The tablets: enrolling a new one (a link and a QR code), revoking and retiring.

use super::Page;
use crate::api;
use crate::clock::format_time;
use crate::components::TextInput;
use crate::i18n::{Key, tr, trn};
use leptos::prelude::*;
use yorisoi_domain::accounts::DeviceState;

#[component]
pub(super) fn Devices() -> impl IntoView {
    let page = expect_context::<Page>();
    let name = RwSignal::new(String::new());
    let made = RwSignal::new(None::<yorisoi_domain::accounts::Enrolment>);
    let enrol = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let request = yorisoi_domain::accounts::NewEnrolment {
            name: name.get_untracked(),
        };
        page.act(async move {
            made.set(Some(api::new_enrolment(&request).await?));
            name.set(String::new());
            Ok(())
        });
    };
    view! {
        <section class="card" aria-labelledby="devices-heading">
            <h2 id="devices-heading">{tr(Key::AdminDevices)}</h2>
            <form class="stack" on:submit=enrol data-testid="enrol-form">
                <p class="hint">{tr(Key::EnrolIntro)}</p>
                <TextInput label=Key::DeviceNameLabel value=name testid="enrol-name" />
                <button type="submit" data-testid="enrol-make">{tr(Key::EnrolMake)}</button>
            </form>
            {move || made.get().map(|e| {
                let src = format!(
                    "data:image/svg+xml;charset=utf-8,{}",
                    String::from(js_sys::encode_uri_component(&e.qr_svg))
                );
                view! {
                    <div class="enrolment" data-testid="enrolment">
                        <img src=src alt=tr(Key::EnrolQrAlt) width="240" height="240" />
                        <p><a href=e.link.clone() data-testid="enrol-link">{e.link.clone()}</a></p>
                        <p class="hint">{trn(Key::EnrolExpires, format_time(e.expires_at))}</p>
                    </div>
                }
            })}
            <ul class="admin-list" data-testid="devices">
                {move || page.data.get().devices.into_iter().map(|d| {
                    let id = d.id;
                    let state = match d.state {
                        DeviceState::Active => Key::DeviceActive,
                        DeviceState::Revoked => Key::DeviceRevokedMark,
                        DeviceState::Retired => Key::DeviceRetiredMark,
                    };
                    view! {
                        <li class="admin-item" data-testid="device" data-device=id.to_string()>
                            <p class="admin-item-title">{d.name.clone().unwrap_or_else(|| id.to_string())} " — " {tr(state)}</p>
                            <p class="hint">
                                {d.last_seen.map(|t| trn(Key::LastSeen, format_time(t)))} " "
                                {d.last_person.clone().map(|p| trn(Key::LastUsedBy, p))}
                            </p>
                            {(d.state == DeviceState::Active).then(|| view! {
                                <button type="button" class="secondary" data-testid="device-revoke"
                                    on:click=move |_| page.act(async move { api::device_action(id, "revoke").await })>
                                    {tr(Key::Revoke)}
                                </button>
                                <button type="button" class="secondary" data-testid="device-retire"
                                    on:click=move |_| page.act(async move { api::device_action(id, "retire").await })>
                                    {tr(Key::Retire)}
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
