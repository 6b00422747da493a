//! A published form in client mode (issue 22): a small test form written for this test, its
//! Japanese with furigana marks and plain wording, published by an administrator. The coach
//! opens a record of it in client mode on the tablet; the client sees the definition's Japanese
//! with furigana as `<ruby>`/`<rt>`, and its English labels when the language is English: the
//! same views that draw the built-in MSFAS.

use serde_json::json;
use yorisoi_e2e::flows::enter_client_mode;
use yorisoi_e2e::forms;
use yorisoi_e2e::{Browser, Engine, Stack, api_session, new_device_id};

/// An assessment (so client mode is offered) of one question, with readings and plain wording.
fn test_form() -> String {
    json!({"format": 1, "id": "test-ruby", "edition": "1", "version": 1, "kind": "assessment",
        "title": {"ja": "振り返り", "en": "Looking back", "ruby": "{振|ふ}り{返|かえ}り"},
        "sheets": [{"id": "items", "title": {"ja": "項目", "en": "Items"}, "questions": [
            {"id": "mood", "prompt": {"ja": "今日の気分", "en": "Today's mood", "ruby": "{今日|きょう}の{気分|きぶん}"},
             "plain": {"ja": "いまの 気持ち", "en": "How you feel now", "ruby": "いまの {気持|きも}ち"},
             "answer": {"type": "single", "options": [
                 {"id": "good", "label": {"ja": "良い", "en": "Good", "ruby": "{良|よ}い"}},
                 {"id": "tired", "label": {"ja": "疲れた", "en": "Tired", "ruby": "{疲|つか}れた"}}]}}
        ]}]})
    .to_string()
}

/// Publishes the test form as the administrator.
async fn publish(stack: &Stack, cookie: &str) {
    forms::publish(stack, cookie, &test_form()).await;
}

/// The readings (`<rt>`) shown in the client's question, in order.
async fn readings(browser: &Browser) -> Vec<String> {
    let found = browser
        .eval(
            "return [...document.querySelectorAll('[data-testid=client-question] ruby rt')].map(r => r.textContent);",
            vec![],
        )
        .await;
    serde_json::from_value(found).unwrap()
}

#[tokio::test]
async fn a_published_form_in_client_mode_shows_its_furigana_and_its_english() {
    client_mode_in(Engine::Chromium).await;
}

#[tokio::test]
async fn a_published_form_in_client_mode_shows_its_furigana_and_its_english_in_webkit() {
    client_mode_in(Engine::WebKit).await;
}

async fn client_mode_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let admin = api_session(&stack.server.url(""), "admin", &new_device_id()).await;
    publish(&stack, &admin).await;
    let coach = forms::coach_with_a_new_client(&stack).await;
    forms::start_record(&coach, "test-ruby").await;

    // The tablet handed to the client: one question, the definition's words.
    enter_client_mode(&coach).await;
    coach
        .wait_for_text_containing("client-question", "今日の気分")
        .await;
    coach
        .wait_for_text_containing("plain-wording", "いまの 気持ち")
        .await;
    assert!(readings(&coach).await.is_empty(), "furigana are off");
    coach.click("[data-testid=furigana]").await;
    let mut shown = Vec::new();
    for _ in 0..50 {
        shown = readings(&coach).await;
        if !shown.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for reading in ["きょう", "きぶん", "きも", "よ", "つか"] {
        assert!(
            shown.iter().any(|r| r == reading),
            "the reading {reading} over its kanji: {shown:?}"
        );
    }

    // In English: the definition's English, no readings.
    coach.click("[data-testid=lang-switch]").await;
    coach
        .wait_for_text_containing("client-question", "Today's mood")
        .await;
    coach
        .wait_for_text_containing("plain-wording", "How you feel now")
        .await;
    coach
        .wait_for_text_containing("client-question", "Tired")
        .await;
    assert!(
        readings(&coach).await.is_empty(),
        "{:?}",
        readings(&coach).await
    );
    coach
        .click("[data-testid=client-question] input[value=tired]")
        .await;
    assert!(
        coach
            .is_checked("[data-testid=client-question] input[value=tired]")
            .await
    );
}
