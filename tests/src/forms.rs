//! Forms as data (issue 22) in the end-to-end tests: small test forms written for the tests
//! (never real instrument content), and the administrator's calls that upload, publish and
//! retire them straight on the server.

use crate::Stack;
use serde_json::json;

/// Version `version` of a test form `id` titled `title` (ja, en): notes on `lines` lines, and
/// from version 2 a mood (the compatible change the tests publish).
pub fn notes_then_mood(id: &str, title: (&str, &str), version: u32, lines: u32) -> String {
    let mut questions = vec![
        json!({"id": "notes", "prompt": {"ja": "様子", "en": "How it went"},
        "answer": {"type": "text", "lines": lines}}),
    ];
    if version >= 2 {
        questions.push(json!({"id": "mood", "prompt": {"ja": "気分", "en": "Mood"},
            "answer": {"type": "single", "options": [{"id": "good", "label": {"ja": "良い", "en": "Good"}}]}}));
    }
    json!({"format": 1, "id": id, "edition": "1", "version": version, "kind": "assessment",
        "title": {"ja": title.0, "en": title.1},
        "sheets": [{"id": "items", "title": {"ja": "項目", "en": "Items"}, "questions": questions}]})
    .to_string()
}

/// Uploads `definition` as a draft, as the administrator whose session is `cookie`.
pub async fn upload(stack: &Stack, cookie: &str, definition: &str) {
    let uploaded = reqwest::Client::new()
        .post(stack.server.url("/api/v1/instruments"))
        .header("cookie", cookie)
        .header("content-type", "application/json")
        .body(definition.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(
        uploaded.status().as_u16(),
        201,
        "{}",
        uploaded.text().await.unwrap()
    );
}

/// Publishes or retires (`action`) version `version` of form `id`, edition 1.
pub async fn act(stack: &Stack, cookie: &str, id: &str, version: u32, action: &str) {
    let url = format!("/api/v1/instruments/{id}/1/{version}/{action}");
    let done = reqwest::Client::new()
        .post(stack.server.url(&url))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        done.status().as_u16(),
        200,
        "{action} {id} version {version}"
    );
}

/// Uploads `definition` and publishes it (its id and version read from it).
pub async fn publish(stack: &Stack, cookie: &str, definition: &str) {
    let read: serde_json::Value = serde_json::from_str(definition).unwrap();
    let (id, version) = (
        read["id"].as_str().unwrap(),
        read["version"].as_u64().unwrap(),
    );
    upload(stack, cookie, definition).await;
    act(stack, cookie, id, version as u32, "publish").await;
}

/// A coach's tablet that has synced (so it holds what is published) and added a client,
/// 山田 花子, whose page it is on.
pub async fn coach_with_a_new_client(stack: &Stack) -> crate::Browser {
    let coach = stack.browser().await;
    coach.goto(&stack.url("/clients")).await;
    crate::flows::sync_now(&coach).await;
    coach.click("[data-testid=add-client]").await;
    coach
        .type_into("[data-testid=client-name]", "山田 花子")
        .await;
    coach
}

/// Starts a new record of published form `id` on the client's page, in supporter mode.
pub async fn start_record(coach: &crate::Browser, id: &str) {
    coach.click(&format!("[data-testid=new-record-{id}]")).await;
    coach.testid("supporter-mode").await;
}
