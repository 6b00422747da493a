//! Forms as data (issue 22) without an extra request per sync: the versions reach the tablet
//! through the pull, which carries the fingerprint of the versions in use. A sync with nothing
//! newly published or retired asks the server for no versions; a version published meanwhile
//! still arrives at the next sync. The requests are counted in the page itself (the browser's
//! resource timing of every fetch it made).

use serde_json::json;
use yorisoi_e2e::flows::sync_now;
use yorisoi_e2e::forms::{self, notes_then_mood};
use yorisoi_e2e::{Browser, Engine, Stack, api_session, new_device_id};

/// Version `version` of this test's form.
fn test_form(version: u32) -> String {
    notes_then_mood("test-count", ("数える様式", "Counted form"), version, 2)
}

async fn publish(stack: &Stack, cookie: &str, version: u32) {
    forms::publish(stack, cookie, &test_form(version)).await;
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
    let coach = forms::coach_with_a_new_client(&stack).await;
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
