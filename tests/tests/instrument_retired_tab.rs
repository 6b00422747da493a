//! A new record under a retired version from a tablet that had been told of the retirement
//! (issue 22): a tab opened before the tablet heard of it still offered the old version; the
//! server sets the record aside, the tablet says why and what to do, and moving the draft to the
//! newer version sends the record again whole, so nothing written is lost.

use yorisoi_e2e::flows::sync_now;
use yorisoi_e2e::forms::{self, notes_then_mood};
use yorisoi_e2e::{Stack, api_session, new_device_id};

/// Version `version` of this test's form.
fn test_form(version: u32) -> String {
    notes_then_mood("test-stale", ("古い版の様式", "Stale form"), version, 2)
}

/// Publishes (after uploading) or retires version `version`.
async fn act(stack: &Stack, cookie: &str, version: u32, action: &str) {
    if action == "publish" {
        forms::upload(stack, cookie, &test_form(version)).await;
    }
    forms::act(stack, cookie, "test-stale", version, action).await;
}

/// How many times the server's log names version `version` of the test form as a record's.
async fn in_log(stack: &Stack, version: u64) -> usize {
    stack
        .server_log()
        .await
        .iter()
        .filter(|e| {
            e["change"]["field"] == "instrument"
                && e["change"]["value"]["id"] == "test-stale"
                && e["change"]["value"]["version"] == version
        })
        .count()
}

#[tokio::test]
async fn a_new_record_of_a_retired_version_is_set_aside_shown_and_sent_again_when_moved() {
    let stack = Stack::start().await;
    let admin = api_session(&stack.server.url(""), "admin", &new_device_id()).await;
    act(&stack, &admin, 1, "publish").await;
    let coach = stack.browser().await;
    coach.goto(&stack.url("/clients")).await;
    sync_now(&coach).await;
    let first = coach.tab().await;
    coach.click("[data-testid=add-client]").await;
    coach
        .type_into("[data-testid=client-name]", "山田 花子")
        .await;
    coach.testid("new-record-test-stale").await;
    let client_page = coach.client.current_url().await.unwrap().to_string();
    // A second tab on the client's page, opened while version 1 is the newest.
    let stale = coach.open_tab(&client_page).await;
    coach.testid("new-record-test-stale").await;

    // Version 2 published and version 1 retired; the first tab's sync hears of it.
    act(&stack, &admin, 2, "publish").await;
    act(&stack, &admin, 1, "retire").await;
    coach.switch_to(&first).await;
    sync_now(&coach).await;

    // The tab opened before still offers version 1: the server sets the new record aside.
    coach.switch_to(&stale).await;
    coach.click("[data-testid=new-record-test-stale]").await;
    coach.testid("supporter-mode").await;
    coach
        .type_into("#q-items-notes-line0", "古い版で書いた")
        .await;
    let record_url = coach.client.current_url().await.unwrap().to_string();
    assert!(record_url.contains("/assessments/"), "{record_url}");
    coach.switch_to(&first).await;
    sync_now(&coach).await;
    assert_eq!(
        in_log(&stack, 2).await + in_log(&stack, 1).await,
        0,
        "a new record of the retired version is not stored"
    );
    coach.goto(&stack.url("/sync")).await;
    coach
        .wait_for_text_containing("refused-list", "使用終了")
        .await;

    // Moved to version 2 by the coach: the whole record goes again and is stored.
    coach.goto(&record_url).await;
    coach.click("[data-testid=move-version-button]").await;
    coach.css("section[data-field='items.mood']").await;
    sync_now(&coach).await;
    assert_eq!(in_log(&stack, 2).await, 1, "stored under version 2");
    let notes: Vec<serde_json::Value> = stack
        .server_log()
        .await
        .into_iter()
        .filter(|e| e["change"]["field"] == "answers.items.notes")
        .map(|e| e["change"]["value"].clone())
        .collect();
    assert!(
        notes.iter().any(|v| v["lines"][0] == "古い版で書いた"),
        "what was written reached the server: {notes:?}"
    );
}
