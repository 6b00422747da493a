//! Forms built from instrument definitions: one component renders any question of any
//! instrument, by its kind of answer, and writes every change to the store as it is made.
//!
//! Text-like inputs are uncontrolled (their value is set once, when they appear), so a change
//! elsewhere never rewrites a field under the person's fingers or breaks Japanese IME
//! composition; choices are controlled, so exclusive options visibly clear the others.

mod choice;
mod simple;
mod table;

use crate::db::{catalogue, use_db};
use crate::i18n::{Lang, use_i18n};
use leptos::prelude::*;
use yorisoi_domain::answer::Answer;
use yorisoi_domain::ids::RecordId;
use yorisoi_domain::instrument::{AnswerKind, Question};
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

/// What every input of one question needs: where its answer lives.
#[derive(Clone)]
pub struct Target {
    pub record: RecordId,
    pub field: String,
}

impl Target {
    /// The current answer, not tracked: for reading before a change.
    pub fn current(&self) -> Option<Answer> {
        let db = use_db();
        untrack(|| db.answer(self.record, &self.field))
    }

    /// The current answer, tracked: for views that follow it.
    pub fn tracked(&self) -> Option<Answer> {
        use_db().answer(self.record, &self.field)
    }

    pub fn set(&self, answer: Option<Answer>) {
        use_db().set_answer(self.record, &self.field, answer);
    }

    /// The text an uncontrolled input starts with, `show` applied to the answer; the input is
    /// then kept showing it when the answer changes elsewhere (see [`follow`]).
    pub fn shown<E>(
        &self,
        node: NodeRef<E>,
        show: impl Fn(Option<Answer>) -> String + 'static,
    ) -> String
    where
        E: leptos::html::ElementType,
        E::Output: wasm_bindgen::JsCast + Clone + 'static,
    {
        let initial = show(self.current());
        let target = self.clone();
        follow(node, move || show(target.tracked()));
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
    let target = Target {
        record,
        field: field.clone(),
    };
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
    E::Output: wasm_bindgen::JsCast + Clone + 'static,
{
    use wasm_bindgen::JsCast;
    Effect::new(move |_| {
        let value = value();
        let Some(element) = node.get() else { return };
        let element: &web_sys::Element = element.unchecked_ref();
        if document().active_element().as_ref() == Some(element) {
            return;
        }
        let key = wasm_bindgen::JsValue::from_str("value");
        let shown = js_sys::Reflect::get(element, &key)
            .ok()
            .and_then(|v| v.as_string());
        if shown.as_deref() != Some(value.as_str()) {
            let _ = js_sys::Reflect::set(element, &key, &value.into());
        }
    });
}
