//! A published form (issue 22 item 5), written for this test, in client mode: the same
//! data-driven views as the built-in MSFAS, one question a screen, its plain wording beside the
//! official one, its furigana from the definition as `<ruby>`, and the answers in the record.
//! In Chromium and WebKit.

use serde_json::json;
use yorisoi_e2e::flows::{enter_client_mode, leave_client_mode};
use yorisoi_e2e::forms;
use yorisoi_e2e::{Engine, Stack, api_session, new_device_id};

/// A self-assessment of two questions; the first with furigana and plain wording.
fn test_form() -> String {
    json!({"format": 1, "id": "test-check", "edition": "1", "version": 1, "kind": "assessment",
    "title": {"ja": "テスト用チェック", "en": "Test check"},
    "sheets": [{"id": "items", "title": {"ja": "項目", "en": "Items"}, "questions": [
        {"id": "mood",
         "prompt": {"ja": "今日の気分", "en": "Mood today", "ruby": "{今日|きょう}の{気分|きぶん}"},
         "plain": {"ja": "いまの きもちを えらんでください", "en": "Choose how you feel now"},
         "answer": {"type": "single", "options": [
            {"id": "good", "label": {"ja": "良い", "en": "Good"}},
            {"id": "tired", "label": {"ja": "疲れた", "en": "Tired"}}]}},
        {"id": "notes", "prompt": {"ja": "ひとこと", "en": "A word"},
         "answer": {"type": "text", "lines": 1}}
    ]}]})
    .to_string()
}

/// Publishes the test form as the administrator.
async fn publish(stack: &Stack) {
    let cookie = api_session(&stack.server.url(""), "admin", &new_device_id()).await;
    forms::publish(stack, &cookie, &test_form()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_form_is_answered_in_client_mode_with_its_furigana_and_plain_wording() {
    client_mode_in(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_form_is_answered_in_client_mode_with_its_furigana_and_plain_wording_in_webkit()
{
    client_mode_in(Engine::WebKit).await;
}

async fn client_mode_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    publish(&stack).await;
    let coach = forms::coach_with_a_new_client(&stack).await;
    forms::start_record(&coach, "test-check").await;

    enter_client_mode(&coach).await;
    coach.wait_for_text("client-progress", "1 / 2").await;
    let shown = coach
        .eval(
            "return document.querySelectorAll('[data-testid=client-question] section.question').length",
            vec![],
        )
        .await;
    assert_eq!(shown, json!(1), "one question a screen");
    let plain = coach.testid("plain-wording").await.text().await.unwrap();
    assert!(
        plain.contains("いまの きもちを えらんでください"),
        "{plain}"
    );
    let readings = || {
        coach.eval(
            "return [...document.querySelectorAll('.client-question ruby rt')].map((rt) => rt.textContent)",
            vec![],
        )
    };
    assert_eq!(readings().await, json!([]), "furigana only when asked for");
    coach.click("[data-testid=furigana]").await;
    let mut seen = json!(null);
    for _ in 0..30 {
        seen = readings().await;
        if seen == json!(["きょう", "きぶん"]) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        seen,
        json!(["きょう", "きぶん"]),
        "the definition's furigana"
    );
    coach
        .click("section[data-field='items.mood'] input[value=tired]")
        .await;
    coach.click("[data-testid=client-next]").await;
    coach.wait_for_text("client-progress", "2 / 2").await;
    coach.type_into("#q-items-notes-line0", "ねむい").await;
    coach.click("[data-testid=client-next]").await;
    coach.testid("client-done").await;

    // Back with the supporter: the answers given one at a time are in the record.
    leave_client_mode(&coach).await;
    assert!(
        coach
            .is_checked("section[data-field='items.mood'] input[value=tired]")
            .await
    );
    assert_eq!(coach.value("#q-items-notes-line0").await, "ねむい");
}
