//! Forms built from instrument definitions: one component renders any question of any
//! instrument, by its kind of answer, and writes every change to the store as it is made.
//!
//! Text-like inputs are uncontrolled (their value is set once, when they appear), so a change
//! elsewhere never rewrites a field under the person's fingers or breaks Japanese IME
//! composition; choices are controlled, so exclusive options visibly clear the others.
//!
//! Because a focused input does not follow a change made elsewhere (another tab, a pull), what
//! the person types there replaces only what the input showed them ([`Target::seen`]): a value
//! that arrived meanwhile is kept beside theirs as a conflict, never silently replaced.

mod choice;
mod simple;
mod table;

use crate::db::{catalogue, use_db};
use crate::i18n::{Lang, use_i18n};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use yorisoi_domain::answer::Answer;
use yorisoi_domain::ids::RecordId;
use yorisoi_domain::instrument::{AnswerKind, Question};
use yorisoi_domain::sync::ChangeId;
use yorisoi_domain::text::Text;

/// Renders a definition's text in the current language; Japanese with `<ruby>` readings when
/// furigana are on and the text has them.
pub fn text_view(text: &Text) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let text = text.clone();
    move || match i18n.lang.get() {
        Lang::En => text.en.clone().into_any(),
        Lang::Ja if i18n.furigana.get() && text.ruby.is_some() => text
            .ja_segments()
            .into_iter()
            .map(|segment| match segment.reading {
                Some(reading) => {
                    view! { <ruby>{segment.text.to_owned()}<rt>{reading.to_owned()}</rt></ruby> }
                        .into_any()
                }
                None => segment.text.to_owned().into_any(),
            })
            .collect_view()
            .into_any(),
        Lang::Ja => text.ja.clone().into_any(),
    }
}

/// What every input of one question needs: where its answer lives, and what its inputs show.
#[derive(Clone)]
pub struct Target {
    pub record: RecordId,
    pub field: String,
    /// The revisions of the answer that its followed (uncontrolled) inputs show, and so what a
    /// person typing into them has seen. `None` while the question has no such input: controlled
    /// inputs always show the current value.
    seen: StoredValue<Option<Vec<ChangeId>>>,
}

impl Target {
    pub fn new(record: RecordId, field: String) -> Self {
        Self {
            record,
            field,
            seen: StoredValue::new(None),
        }
    }

    /// The current answer, not tracked: for reading before a change.
    pub fn current(&self) -> Option<Answer> {
        let db = use_db();
        untrack(|| db.answer(self.record, &self.field))
    }

    /// The current answer, tracked: for views that follow it.
    pub fn tracked(&self) -> Option<Answer> {
        use_db().answer(self.record, &self.field)
    }

    /// Writes the answer over what the person saw; from then on the inputs show their change.
    pub fn set(&self, answer: Option<Answer>) {
        let seen = self.seen.get_value();
        let written = use_db().set_answer_seen(self.record, &self.field, answer, seen.clone());
        if let (Some(_), Some(id)) = (seen, written) {
            self.seen.set_value(Some(vec![id]));
        }
    }

    /// The text an uncontrolled input starts with, `show` applied to the answer. The input then
    /// follows the answer when it changes elsewhere, except while the person is typing in one of
    /// this question's inputs: then [`Self::seen`] keeps what they saw until they leave it.
    pub fn shown<E>(
        &self,
        node: NodeRef<E>,
        show: impl Fn(Option<Answer>) -> String + 'static,
    ) -> String
    where
        E: leptos::html::ElementType,
        E::Output: JsCast + Clone + 'static,
    {
        let db = use_db();
        let initial = show(self.current());
        if self.seen.with_value(Option::is_none) {
            let now = db.answer_revisions(self.record, &self.field);
            self.seen.set_value(Some(now));
        }
        let target = self.clone();
        let mark = format!("{}/{}", self.record, self.field);
        let moves = focus_moves();
        Effect::new(move |_| {
            moves.track();
            let value = show(target.tracked());
            let Some(element) = node.get() else { return };
            let element: &web_sys::Element = element.unchecked_ref();
            let _ = element.set_attribute("data-answer", &mark);
            let active = document().active_element();
            let typing_here = active
                .as_ref()
                .and_then(|a| a.get_attribute("data-answer"))
                .is_some_and(|a| a == mark);
            if active.as_ref() != Some(element) {
                show_value(element, value);
            }
            if !typing_here {
                let now = untrack(|| db.answer_revisions(target.record, &target.field));
                target.seen.set_value(Some(now));
            }
        });
        initial
    }

    /// A DOM id for one part of this question's inputs.
    pub fn dom_id(&self, part: &str) -> String {
        format!("q-{}-{part}", self.field.replace('.', "-"))
    }
}

/// One question: its number and prompt, its hint and plain wording, and its inputs. In client
/// mode the question is the page's only content: its prompt is the page's second heading level,
/// and plain wording is shown beside the official one.
#[component]
pub fn QuestionField(
    record: RecordId,
    field: String,
    question: Question,
    #[prop(optional)] client_mode: bool,
) -> impl IntoView {
    let target = Target::new(record, field.clone());
    let heading_id = target.dom_id("prompt");
    let plain_view = question
        .plain
        .as_ref()
        .filter(|_| client_mode)
        .map(|plain| {
            view! { <p class="plain-wording" data-testid="plain-wording">{text_view(plain)}</p> }
        });
    let hint = question
        .hint
        .as_ref()
        .map(|hint| view! { <p class="hint">{text_view(hint)}</p> });
    let inputs = inputs(&question, target, &heading_id);
    let prompt = view! {
        {question.number.clone().map(|n| view! { <span class="number">{n}</span> })}
        {text_view(&question.prompt)}
    };
    let heading_id = heading_id.clone();
    view! {
        <section class="question" data-field=field aria-labelledby=heading_id.clone()>
            {if client_mode {
                view! { <h2 class="prompt" id=heading_id.clone()>{prompt}</h2> }.into_any()
            } else {
                view! { <h3 class="prompt" id=heading_id.clone()>{prompt}</h3> }.into_any()
            }}
            {hint}
            {plain_view}
            {inputs}
        </section>
    }
}

fn inputs(question: &Question, target: Target, labelled_by: &str) -> AnyView {
    let lists = &catalogue().lists;
    match &question.answer {
        AnswerKind::Date => simple::date(target, labelled_by, question.role).into_any(),
        AnswerKind::Time => simple::time(target, labelled_by).into_any(),
        AnswerKind::Number { min, max } => {
            simple::number(target, labelled_by, *min, *max).into_any()
        }
        AnswerKind::Text { lines, style } => {
            simple::text(target, labelled_by, *lines, *style).into_any()
        }
        AnswerKind::Single { options, other } => choice::single(
            target,
            options.resolve(lists).cloned().unwrap_or_default(),
            *other,
        )
        .into_any(),
        AnswerKind::Multi {
            options,
            other,
            exclusive,
        } => choice::multi(
            target,
            options.resolve(lists).cloned().unwrap_or_default(),
            *other,
            exclusive.clone(),
        )
        .into_any(),
        AnswerKind::Table {
            columns,
            rows,
            row_labels,
            example,
        } => table::table(
            target,
            columns.clone(),
            *rows,
            row_labels.clone(),
            example.clone(),
        )
        .into_any(),
    }
}

/// Keeps an uncontrolled input in step with its stored value when that changes from elsewhere (a
/// sync, a resolved conflict), unless the person has the input focused: typing and Japanese IME
/// composition are never disturbed.
pub fn follow<E>(node: NodeRef<E>, value: impl Fn() -> String + 'static)
where
    E: leptos::html::ElementType,
    E::Output: JsCast + Clone + 'static,
{
    let moves = focus_moves();
    Effect::new(move |_| {
        moves.track();
        let value = value();
        let Some(element) = node.get() else { return };
        let element: &web_sys::Element = element.unchecked_ref();
        if document().active_element().as_ref() != Some(element) {
            show_value(element, value);
        }
    });
}

/// Puts `value` into an input, unless it already shows it.
fn show_value(element: &web_sys::Element, value: String) {
    let key = wasm_bindgen::JsValue::from_str("value");
    let shown = js_sys::Reflect::get(element, &key)
        .ok()
        .and_then(|v| v.as_string());
    if shown.as_deref() != Some(value.as_str()) {
        let _ = js_sys::Reflect::set(element, &key, &value.into());
    }
}

/// A count that moves whenever focus leaves an element: an input that held back a change while
/// focused catches up then. One per page, in context ([`FocusMoves::provide`]).
#[derive(Clone, Copy)]
pub struct FocusMoves(RwSignal<u32>);

impl FocusMoves {
    /// Listens to the window's `focusout` for the page's life and puts the count in context.
    pub fn provide() {
        let moves = RwSignal::new(0u32);
        let listener = window_event_listener(leptos::ev::focusout, move |_| {
            moves.update(|m| *m = m.wrapping_add(1));
        });
        std::mem::forget(listener);
        provide_context(FocusMoves(moves));
    }
}

fn focus_moves() -> RwSignal<u32> {
    expect_context::<FocusMoves>().0
}
