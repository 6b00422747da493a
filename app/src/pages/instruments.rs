//! The administrator's publishing screen (issue 22): upload a form definition as a draft, read
//! what changed since the newest published version (or every problem, in words, with its line),
//! then publish; retire a published version; see which versions each device holds. Straight to
//! the server, like the other administrator's pages.

use super::set_title;
use crate::api::instruments::{self as api, Refused};
use crate::clock::format_time;
use crate::components::problem_text;
use crate::i18n::{Key, Lang, tr, use_i18n};
use leptos::prelude::*;
use yorisoi_domain::instrument::InstrumentRef;
use yorisoi_domain::text::Text;
use yorisoi_domain::versions::Status;
use yorisoi_domain::versions::wire::{Review, VersionList};

fn status_key(status: Status) -> Key {
    match status {
        Status::Draft => Key::FormStatusDraft,
        Status::Published => Key::FormStatusPublished,
        Status::Retired => Key::FormStatusRetired,
    }
}

fn name(r: &InstrumentRef) -> String {
    format!("{} {} v{}", r.id, r.edition, r.version)
}

fn in_lang(text: &Text, lang: Lang) -> String {
    match lang {
        Lang::Ja => text.ja.clone(),
        Lang::En => text.en.clone(),
    }
}

#[derive(Clone, Copy)]
struct Publishing {
    list: RwSignal<Option<VersionList>>,
    review: RwSignal<Option<Review>>,
    refused: RwSignal<Option<Refused>>,
    done: RwSignal<bool>,
}

impl Publishing {
    fn reload(self) {
        leptos::task::spawn_local(async move {
            match api::list().await {
                Ok(list) => self.list.set(Some(list)),
                Err(error) => self.refused.set(Some(error.into())),
            }
        });
    }

    fn act(self, reference: InstrumentRef, action: &'static str) {
        leptos::task::spawn_local(async move {
            self.done.set(false);
            match api::act(&reference, action).await {
                Ok(()) => {
                    self.refused.set(None);
                    self.done.set(true);
                    let review = match action {
                        "discard" => None,
                        _ => api::view(&reference).await.ok(),
                    };
                    self.review.set(review);
                }
                Err(refused) => self.refused.set(Some(refused)),
            }
            self.reload();
        });
    }
}

#[component]
pub fn PublishingPage() -> impl IntoView {
    set_title(Key::FormsTitle);
    let page = Publishing {
        list: RwSignal::new(None),
        review: RwSignal::new(None),
        refused: RwSignal::new(None),
        done: RwSignal::new(false),
    };
    page.reload();
    let definition = RwSignal::new(String::new());
    let upload = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = definition.get_untracked();
        leptos::task::spawn_local(async move {
            page.done.set(false);
            match api::upload(text).await {
                Ok(review) => {
                    page.refused.set(None);
                    page.review.set(Some(review));
                }
                Err(refused) => {
                    page.review.set(None);
                    page.refused.set(Some(refused));
                }
            }
            page.reload();
        });
    };
    view! {
        <section class="page" aria-labelledby="page-title">
            <h1 id="page-title" data-testid="page-title">{tr(Key::FormsTitle)}</h1>
            <p>{tr(Key::FormsIntro)}</p>
            <div aria-live="polite" data-testid="forms-message">
                {move || page.done.get().then(|| view! { <p class="notice">{tr(Key::AdminDone)}</p> })}
                {move || page.refused.get().map(|refused| view! {
                    <div class="sync-error" role="alert" data-testid="forms-refused">
                        <p>{problem_text(&refused.error)}</p>
                        <ul>{refused.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
                    </div>
                })}
            </div>
            <form class="stack card" on:submit=upload data-testid="form-upload">
                <label class="field">
                    <span class="field-label">{tr(Key::FormsDefinition)}</span>
                    <textarea class="input" rows="12" spellcheck="false" data-testid="form-definition"
                        on:input=move |ev| definition.set(event_target_value(&ev))></textarea>
                </label>
                <button type="submit" data-testid="form-check">{tr(Key::FormsCheck)}</button>
            </form>
            {move || page.review.get().map(|review| view! { <ReviewCard review page /> })}
            <Versions page />
        </section>
    }
}

#[component]
fn ReviewCard(review: Review, page: Publishing) -> impl IntoView {
    let lang = use_i18n().lang;
    let reference = review.version.instrument.clone();
    let draft = review.version.status == Status::Draft;
    let publishable = draft && review.problems.is_empty();
    let title = review.definition.title.clone();
    let against = review.against.as_ref().map(name);
    view! {
        <section class="card" aria-labelledby="review-heading" data-testid="form-review">
            <h2 id="review-heading">{move || format!("{} ({})", in_lang(&title, lang.get()), name(&reference))}</h2>
            <p>{tr(status_key(review.version.status))}" · "<code>{review.version.sha256.chars().take(12).collect::<String>()}</code></p>
            <h3>{tr(Key::FormsChanges)}</h3>
            {match against {
                None => view! { <p>{tr(Key::FormsFirstVersion)}</p> }.into_any(),
                Some(against) => view! {
                    <p>{tr(Key::FormsComparedWith)}" "{against}</p>
                    <ul data-testid="form-differences">
                        {review.differences.iter().map(|d| view! { <li>{d.to_string()}</li> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            {(!review.problems.is_empty()).then(|| view! {
                <div class="sync-error" role="alert">
                    <p>{tr(Key::FormsCannotPublish)}</p>
                    <ul data-testid="form-problems">
                        {review.problems.iter().map(|p| view! { <li>{p.to_string()}</li> }).collect_view()}
                    </ul>
                </div>
            })}
            {publishable.then(|| {
                let reference = review.version.instrument.clone();
                view! {
                    <button type="button" data-testid="form-publish"
                        on:click=move |_| page.act(reference.clone(), "publish")>{tr(Key::FormsPublish)}</button>
                }
            })}
        </section>
    }
}

#[component]
fn Versions(page: Publishing) -> impl IntoView {
    let lang = use_i18n().lang;
    view! {
        <section class="card" aria-labelledby="versions-heading">
            <h2 id="versions-heading">{tr(Key::FormsVersions)}</h2>
            <table data-testid="form-versions">
                <thead><tr>
                    <th scope="col">{tr(Key::FormsForm)}</th>
                    <th scope="col">{tr(Key::FormsVersion)}</th>
                    <th scope="col">{tr(Key::FormsState)}</th>
                    <th scope="col">{tr(Key::FormsActions)}</th>
                </tr></thead>
                <tbody>
                    {move || page.list.get().map(|list| list.versions.into_iter().map(|v| {
                        let reference = v.instrument.clone();
                        let (view_ref, act_ref) = (reference.clone(), reference.clone());
                        let title = v.title.clone();
                        view! {
                            <tr data-testid=format!("form-version-{}-{}", v.instrument.id, v.instrument.version)>
                                <td>{move || in_lang(&title, lang.get())}</td>
                                <td>{name(&v.instrument)}</td>
                                <td>{tr(status_key(v.status))}</td>
                                <td>
                                    <button type="button" class="secondary"
                                        on:click=move |_| {
                                            let r = view_ref.clone();
                                            leptos::task::spawn_local(async move {
                                                if let Ok(review) = api::view(&r).await { page.review.set(Some(review)); }
                                            });
                                        }>{tr(Key::FormsShow)}</button>
                                    {match v.status {
                                        Status::Published => Some(view! {
                                            <button type="button" class="secondary" data-testid="form-retire"
                                                on:click=move |_| page.act(act_ref.clone(), "retire")>{tr(Key::FormsRetire)}</button>
                                        }.into_any()),
                                        Status::Draft => Some(view! {
                                            <button type="button" class="secondary" data-testid="form-discard"
                                                on:click=move |_| page.act(act_ref.clone(), "discard")>{tr(Key::FormsDiscard)}</button>
                                        }.into_any()),
                                        Status::Retired => None,
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view())}
                </tbody>
            </table>
            <h2>{tr(Key::FormsDevices)}</h2>
            <table data-testid="form-devices">
                <thead><tr>
                    <th scope="col">{tr(Key::FormsDevice)}</th>
                    <th scope="col">{tr(Key::FormsHeld)}</th>
                    <th scope="col">{tr(Key::FormsReported)}</th>
                </tr></thead>
                <tbody>
                    {move || page.list.get().map(|list| list.devices.into_iter().map(|d| view! {
                        <tr>
                            <td>{d.name.clone().unwrap_or_else(|| d.device.to_string())}</td>
                            <td>{d.held.iter().map(name).collect::<Vec<_>>().join(", ")}</td>
                            <td>{format_time(d.reported_at)}</td>
                        </tr>
                    }).collect_view())}
                </tbody>
            </table>
        </section>
    }
}
