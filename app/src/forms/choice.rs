//! Single and multiple choice, with "other" in the person's own words and exclusive options.

use super::{Target, text_view};
use crate::i18n::{Key, tr};
use leptos::prelude::*;
use yorisoi_domain::answer::{Answer, toggle_choice};
use yorisoi_domain::instrument::{Choice, OTHER};

fn chosen_single(target: &Target) -> (Option<String>, String) {
    match target.tracked() {
        Some(Answer::Single { choice, other }) => (Some(choice), other),
        _ => (None, String::new()),
    }
}

/// Radio buttons; "other" selects itself when its words are typed.
pub fn single(target: Target, options: Vec<Choice>, other: bool) -> impl IntoView + use<> {
    let name = target.dom_id("single");
    let buttons = options
        .into_iter()
        .map(|option| {
            let target = target.clone();
            let id = option.id.clone();
            let checked = {
                let target = target.clone();
                let id = id.clone();
                move || chosen_single(&target).0.as_deref() == Some(id.as_str())
            };
            view! {
                <label class="choice-option">
                    <input
                        type="radio"
                        name=name.clone()
                        value=id.clone()
                        prop:checked=checked
                        on:change=move |_| target.set(Some(Answer::Single { choice: id.clone(), other: String::new() }))
                    />
                    <span>{text_view(&option.label)}</span>
                </label>
            }
        })
        .collect_view();
    let other_field = other.then(|| {
        let checked = {
            let target = target.clone();
            move || chosen_single(&target).0.as_deref() == Some(OTHER)
        };
        let initial = chosen_single(&target).1;
        let on_radio = target.clone();
        view! {
            <div class="choice-option other">
                <label>
                    <input
                        type="radio"
                        name=name.clone()
                        value=OTHER
                        prop:checked=checked
                        on:change=move |_| {
                            let words = on_radio.current().and_then(|a| match a { Answer::Single { other, .. } => Some(other), _ => None }).unwrap_or_default();
                            on_radio.set(Some(Answer::Single { choice: OTHER.into(), other: words }));
                        }
                    />
                    <span>{tr(Key::Other)}</span>
                </label>
                <input
                    type="text"
                    class="input other-text"
                    aria-label=tr(Key::OtherWords)
                    prop:value=initial
                    on:input=move |ev| {
                        let words = event_target_value(&ev);
                        target.set(Some(Answer::Single { choice: OTHER.into(), other: words }));
                    }
                />
            </div>
        }
    });
    view! { <div class="choices" role="radiogroup">{buttons}{other_field}</div> }
}

fn chosen_multi(target: &Target) -> (Vec<String>, String) {
    match target.current() {
        Some(Answer::Multi { choices, other }) => (choices, other),
        _ => (Vec::new(), String::new()),
    }
}

/// Checkboxes; an exclusive option (ない, 分からない) clears the others and vice versa.
pub fn multi(
    target: Target,
    options: Vec<Choice>,
    other: bool,
    exclusive: Vec<Choice>,
) -> impl IntoView + use<> {
    let mut order: Vec<String> = options.iter().map(|o| o.id.clone()).collect();
    if other {
        order.push(OTHER.into());
    }
    order.extend(exclusive.iter().map(|o| o.id.clone()));
    let toggle = {
        let target = target.clone();
        let exclusive = exclusive.clone();
        move |id: &str| {
            let (choices, words) = chosen_multi(&target);
            let order: Vec<&str> = order.iter().map(String::as_str).collect();
            let (choices, words) = toggle_choice(&choices, &words, id, &exclusive, &order);
            let answer = Answer::Multi {
                choices,
                other: words,
            };
            target.set(Some(answer));
        }
    };
    let is_checked = |target: &Target, id: &str| {
        let target = target.clone();
        let id = id.to_owned();
        move || matches!(target.tracked(), Some(Answer::Multi { choices, .. }) if choices.contains(&id))
    };
    let checkbox = |option: &Choice, class: &'static str| {
        let id = option.id.clone();
        let toggle = toggle.clone();
        view! {
            <label class=class>
                <input type="checkbox" value=id.clone() prop:checked=is_checked(&target, &id) on:change=move |_| toggle(&id) />
                <span>{text_view(&option.label)}</span>
            </label>
        }
    };
    let boxes = options
        .iter()
        .map(|o| checkbox(o, "choice-option"))
        .collect_view();
    let exclusive_boxes = exclusive
        .iter()
        .map(|o| checkbox(o, "choice-option exclusive"))
        .collect_view();
    let other_field = other.then(|| {
        let toggle_other = toggle.clone();
        let initial = chosen_multi(&target).1;
        let words_target = target.clone();
        let order_other = OTHER;
        view! {
            <div class="choice-option other">
                <label>
                    <input type="checkbox" value=OTHER prop:checked=is_checked(&target, OTHER) on:change=move |_| toggle_other(order_other) />
                    <span>{tr(Key::Other)}</span>
                </label>
                <input
                    type="text"
                    class="input other-text"
                    aria-label=tr(Key::OtherWords)
                    prop:value=initial
                    on:input=move |ev| {
                        // Writing "other" words chooses "other" (and so clears an exclusive choice).
                        let words = event_target_value(&ev);
                        let (mut choices, _) = chosen_multi(&words_target);
                        if !choices.iter().any(|c| c == OTHER) {
                            choices.retain(|c| !exclusive.iter().any(|e| &e.id == c));
                            choices.push(OTHER.into());
                        }
                        words_target.set(Some(Answer::Multi { choices, other: words }));
                    }
                />
            </div>
        }
    });
    view! {
        <div class="choices multi">
            {boxes}
            {other_field}
            <div class="exclusive-options">{exclusive_boxes}</div>
        </div>
    }
}
