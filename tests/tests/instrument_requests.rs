//! Forms as data (issue 22) without an extra request per sync: the versions reach the tablet
//! through the pull, which carries the fingerprint of the versions in use. A sync with nothing
//! newly published or retired asks the server for no versions; a version published meanwhile
//! still arrives at the next sync. The requests are counted in the page itself (the browser's
//! resource timing of every fetch it made).

use serde_json::json;
use yorisoi_e2e::flows::sync_now;
use yorisoi_e2e::{Browser, Engine, Stack, api_session, new_device_id};

/// Version `version` of a test form written for this test: notes, and from version 2 a mood.
fn test_form(version: u32) -> String {
    let mut questions = vec![
        json!({"id": "notes", "prompt": {"ja": "様子", "en": "How it went"},
        "answer": {"type": "text", "lines": 2}}),
    ];
    if version >= 2 {
        questions.push(json!({"id": "mood", "prompt": {"ja": "気分", "en": "Mood"},
            "answer": {"type": "single", "options": [{"id": "good", "label": {"ja": "良い", "en": "Good"}}]}}));
    }
    json!({"format": 1, "id": "test-count", "edition": "1", "version": version, "kind": "assessment",
        "title": {"ja": "数える様式", "en": "Counted form"},
        "sheets": [{"id": "items", "title": {"ja": "項目", "en": "Items"}, "questions": questions}]})
    .to_string()
}

/// Uploads and publishes `version` as the administrator, straight to the server.
async fn publish(stack: &Stack, cookie: &str, version: u32) {
    let http = reqwest::Client::new();
    let uploaded = http
        .post(stack.server.url("/api/v1/instruments"))
        .header("cookie", cookie)
        .header("content-type", "application/json")
        .body(test_form(version))
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status().as_u16(), 201);
    let url = format!("/api/v1/instruments/test-count/1/{version}/publish");
    let published = http
        .post(stack.server.url(&url))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(published.status().as_u16(), 200);
}

/// How many requests the page made to a path containing `path` since the count was reset.
async fn requests(browser: &Browser, path: &str) -> u64 {
    browser
        .eval(
            "return performance.getEntriesByType('resource').filter(e => e.name.includes(arguments[0])).length;",
            vec![json!(path)],
        )
        .await
        .as_u64()
        .unwrap()
}

async fn reset_count(browser: &Browser) {
    browser
        .eval(
            "performance.setResourceTimingBufferSize(10000); performance.clearResourceTimings(); return null;",
            vec![],
        )
        .await;
}

#[tokio::test]
async fn a_sync_with_nothing_newly_published_asks_for_no_versions_and_a_new_version_still_arrives()
{
    syncs_in(Engine::Chromium).await;
}

#[tokio::test]
async fn a_sync_with_nothing_newly_published_asks_for_no_versions_and_a_new_version_still_arrives_in_webkit()
 {
    syncs_in(Engine::WebKit).await;
}

async fn syncs_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let admin = api_session(&stack.server.url(""), "admin", &new_device_id()).await;
    publish(&stack, &admin, 1).await;
    let coach = stack.browser().await;
    coach.goto(&stack.url("/clients")).await;
    sync_now(&coach).await;
    coach.click("[data-testid=add-client]").await;
    coach
        .type_into("[data-testid=client-name]", "山田 花子")
        .await;
    coach.testid("new-record-test-count").await;
    let client_page = coach.client.current_url().await.unwrap().to_string();

    // Nothing published since: two syncs pull, and ask for no versions.
    reset_count(&coach).await;
    sync_now(&coach).await;
    sync_now(&coach).await;
    assert!(
        requests(&coach, "/api/v1/sync/pull").await >= 2,
        "the syncs pulled"
    );
    assert_eq!(
        requests(&coach, "/api/v1/sync/instruments").await,
        0,
        "no request for versions when nothing was published"
    );

    // Version 2 published: the next sync asks once, and new records are of version 2.
    publish(&stack, &admin, 2).await;
    reset_count(&coach).await;
    sync_now(&coach).await;
    assert_eq!(
        requests(&coach, "/api/v1/sync/instruments").await,
        1,
        "the new version is asked for once"
    );
    coach.goto(&client_page).await;
    coach.click("[data-testid=new-record-test-count]").await;
    coach.css("section[data-field='items.mood']").await;
}
