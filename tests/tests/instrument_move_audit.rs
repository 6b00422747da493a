//! A draft moved to a newer version of its form (issue 22) is audited once: one move, one entry
//! (`record_version_moved`), and the form drawn again from the new version is not noted as
//! another opening of the record.

use serde_json::Value;
use yorisoi_e2e::flows::sync_now;
use yorisoi_e2e::forms::{self, notes_then_mood};
use yorisoi_e2e::{Engine, Stack, api_session, new_device_id};

/// Version `version` of this test's form.
fn test_form(version: u32) -> String {
    notes_then_mood("test-move", ("移す様式", "Moved form"), version, 2)
}

async fn publish(stack: &Stack, cookie: &str, version: u32) {
    forms::publish(stack, cookie, &test_form(version)).await;
}

/// The audit log's actions about `record`, oldest first.
async fn actions_on(stack: &Stack, cookie: &str, record: &str) -> Vec<String> {
    let entries: Vec<Value> = reqwest::Client::new()
        .get(stack.server.url("/api/v1/audit?limit=1000"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut about: Vec<&Value> = entries
        .iter()
        .filter(|e| e["entity"].as_str().is_some_and(|e| e.ends_with(record)))
        .collect();
    about.sort_by_key(|e| e["seq"].as_u64());
    about
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_draft_moved_to_a_newer_version_is_audited_once() {
    audited_once_in(Engine::Chromium).await;
}

#[tokio::test]
async fn a_draft_moved_to_a_newer_version_is_audited_once_in_webkit() {
    audited_once_in(Engine::WebKit).await;
}

async fn audited_once_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let admin = api_session(&stack.server.url(""), "admin", &new_device_id()).await;
    publish(&stack, &admin, 1).await;
    let coach = forms::coach_with_a_new_client(&stack).await;
    forms::start_record(&coach, "test-move").await;
    coach
        .type_into("#q-items-notes-line0", "午前は落ち着いていた")
        .await;
    let record_url = coach.client.current_url().await.unwrap().to_string();
    let record = record_url.rsplit('/').next().unwrap().to_owned();
    publish(&stack, &admin, 2).await;
    sync_now(&coach).await;

    coach.goto(&record_url).await;
    coach.testid("move-version").await;
    sync_now(&coach).await;
    let before = actions_on(&stack, &admin, &record).await;
    assert_eq!(
        before.last().map(String::as_str),
        Some("record_opened"),
        "{before:?}"
    );

    coach.click("[data-testid=move-version-button]").await;
    coach.css("section[data-field='items.mood']").await;
    sync_now(&coach).await;
    let after = actions_on(&stack, &admin, &record).await;
    assert_eq!(
        after[before.len()..],
        ["record_version_moved".to_owned()],
        "one move, one audit entry: {after:?}"
    );
}
