//! Client mode end to end (1問ずつ入力): one question per screen, plain wording, and a person who
//! stops comes back to the question they left, in Chromium and in WebKit (the iPad's engine).

use serde_json::json;
use yorisoi_e2e::flows::new_msfas;
use yorisoi_e2e::{Engine, Stack};

const Q4: &str = "section[data-field='user1.q4']";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_mode_shows_one_question_at_a_time_and_resumes_where_the_person_stopped() {
    client_mode_shows_one_question_at_a_time_and_resumes_where_the_person_stopped_in(
        Engine::Chromium,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_mode_shows_one_question_at_a_time_and_resumes_where_the_person_stopped_in_webkit() {
    client_mode_shows_one_question_at_a_time_and_resumes_where_the_person_stopped_in(
        Engine::WebKit,
    )
    .await;
}

async fn client_mode_shows_one_question_at_a_time_and_resumes_where_the_person_stopped_in(
    engine: Engine,
) {
    let stack = Stack::start_in(engine).await;
    let browser = stack.browser().await;
    new_msfas(&stack, &browser).await;
    yorisoi_e2e::flows::enter_client_mode(&browser).await;
    browser.wait_for_text("client-progress", "1 / 8").await;
    assert_eq!(browser.eval("return document.querySelectorAll('[data-testid=client-question] section.question').length", vec![]).await, json!(1));
    browser
        .set_value("#q-cover-consent_date-date", "2026-11-20")
        .await;
    for _ in 0..3 {
        browser.click("[data-testid=client-next]").await;
    }
    browser.wait_for_text("client-progress", "4 / 8").await;
    browser
        .type_into("#q-user1-q1-r0-situation", "急がされるとき")
        .await;
    browser.click("[data-testid=client-next]").await;
    browser
        .type_into("#q-user1-q2-line0", "午後のピッキング")
        .await;
    browser.click("[data-testid=client-next]").await;
    browser
        .click("section[data-field='user1.q3'] input[value=endure]")
        .await;
    browser.click("[data-testid=client-next]").await;
    // Plain wording is shown beside the official one; furigana render as <ruby>.
    assert!(
        browser
            .testid("plain-wording")
            .await
            .text()
            .await
            .unwrap()
            .contains("つかれたとき")
    );
    browser.click("[data-testid=furigana]").await;
    assert!(
        browser
            .eval(
                "return document.querySelectorAll('.client-question ruby rt').length",
                vec![]
            )
            .await
            .as_u64()
            .unwrap()
            > 10
    );
    browser.click(&format!("{Q4} input[value=sighing]")).await;

    // Stop here; come back later.
    browser.reload().await;
    browser.wait_for_text("client-progress", "7 / 8").await;
    assert!(
        browser
            .is_checked(&format!("{Q4} input[value=sighing]"))
            .await
    );
    browser.click("[data-testid=client-next]").await;
    browser
        .type_into("#q-user1-q5-line0", "慣れた作業のとき")
        .await;
    browser.click("[data-testid=client-next]").await;
    browser.testid("client-done").await;
    browser.click("[data-testid=answered-person]").await;
    browser.click("[data-testid=mark-complete]").await;
    browser.wait_for_text("status", "完了").await;

    // Every answer given one at a time is in the record, as the whole sheet shows it.
    yorisoi_e2e::flows::leave_client_mode(&browser).await;
    assert_eq!(
        browser.value("#q-cover-consent_date-date").await,
        "2026-11-20"
    );
    assert_eq!(
        browser.value("#q-user1-q1-r0-situation").await,
        "急がされるとき"
    );
    assert_eq!(browser.value("#q-user1-q2-line0").await, "午後のピッキング");
    assert!(
        browser
            .is_checked("section[data-field='user1.q3'] input[value=endure]")
            .await
    );
    assert!(
        browser
            .is_checked(&format!("{Q4} input[value=sighing]"))
            .await
    );
    assert_eq!(browser.value("#q-user1-q5-line0").await, "慣れた作業のとき");
}
