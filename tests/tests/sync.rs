//! Sync end to end: two real Chromium profiles (a coach's tablet and a client's device) and the
//! real server, with the network taken away by cutting the proxy in front of the server.

use std::collections::BTreeSet;
use yorisoi_e2e::flows::{
    client_count, fill_sheet_1, new_msfas, one_synced_msfas, open_first_record, sync_now,
    wait_for_value,
};
use yorisoi_e2e::{Browser, Engine, Stack};

const Q2_LINE0: &str = "#q-user1-q2-line0";
const Q2_LINE1: &str = "#q-user1-q2-line1";
const Q5: &str = "#q-user1-q5-line0";
const Q1_SITUATION: &str = "#q-user1-q1-r0-situation";

/// The texts of the values a conflict shows side by side.
async fn conflict_values(browser: &Browser) -> Vec<String> {
    let mut texts = Vec::new();
    for element in browser
        .client
        .find_all(fantoccini::Locator::Css(
            "[data-testid=conflict][data-field='answers.user1.q2'] .conflict-value-text",
        ))
        .await
        .unwrap()
    {
        texts.push(element.text().await.unwrap());
    }
    texts.sort();
    texts
}

async fn conflict_count(browser: &Browser) -> usize {
    browser
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=conflict]"))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn offline_edits_on_two_devices_merge_and_a_conflict_is_resolved_by_a_person_everywhere() {
    offline_edits_on_two_devices_merge_and_a_conflict_is_resolved_by_a_person_everywhere_in(
        Engine::Chromium,
    )
    .await;
}

#[tokio::test]
async fn offline_edits_on_two_devices_merge_and_a_conflict_is_resolved_by_a_person_everywhere_in_webkit()
 {
    offline_edits_on_two_devices_merge_and_a_conflict_is_resolved_by_a_person_everywhere_in(
        Engine::WebKit,
    )
    .await;
}

async fn offline_edits_on_two_devices_merge_and_a_conflict_is_resolved_by_a_person_everywhere_in(
    engine: Engine,
) {
    let stack = Stack::start_in(engine).await;
    let (coach, client) = (stack.browser().await, stack.browser().await);
    new_msfas(&stack, &coach).await;
    coach.type_into(Q2_LINE0, "午後のピッキング").await;
    sync_now(&coach).await;
    client.goto(&stack.url("/clients")).await;
    sync_now(&client).await;
    open_first_record(&stack, &client).await;
    wait_for_value(&client, Q2_LINE0, "午後のピッキング").await;

    // Both offline: different fields on each, and the same answer on both.
    stack.proxy.cut();
    coach.type_into(Q5, "慣れた作業のとき").await;
    client.type_into(Q1_SITUATION, "急がされるとき").await;
    coach.type_into(Q2_LINE1, "倉庫の寒さ").await;
    client.type_into(Q2_LINE1, "倉庫の暑さ").await;

    stack.proxy.connect_to(stack.server.addr);
    sync_now(&coach).await;
    sync_now(&client).await;
    sync_now(&coach).await;
    for device in [&coach, &client] {
        wait_for_value(device, Q5, "慣れた作業のとき").await;
        wait_for_value(device, Q1_SITUATION, "急がされるとき").await;
        device.testid("conflicts").await;
        assert_eq!(
            conflict_values(device).await,
            [
                "午後のピッキング\n倉庫の寒さ",
                "午後のピッキング\n倉庫の暑さ"
            ],
            "both values are shown side by side, neither is chosen"
        );
        assert_eq!(
            conflict_count(device).await,
            1,
            "only the one answer conflicts"
        );
    }

    // The coach and the client agree on 暑さ; the coach picks it.
    let picks = coach
        .client
        .find_all(fantoccini::Locator::Css(
            "[data-testid=conflict][data-field='answers.user1.q2'] [data-testid=conflict-value]",
        ))
        .await
        .unwrap();
    let mut picked = false;
    for value in picks {
        if value.text().await.unwrap().contains("暑さ") {
            value
                .find(fantoccini::Locator::Css("[data-testid=conflict-pick]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            picked = true;
        }
    }
    assert!(picked);
    wait_for_value(&coach, Q2_LINE1, "倉庫の暑さ").await;
    assert_eq!(conflict_count(&coach).await, 0);
    sync_now(&coach).await;
    sync_now(&client).await;
    wait_for_value(&client, Q2_LINE1, "倉庫の暑さ").await;
    assert_eq!(
        conflict_count(&client).await,
        0,
        "the resolution reached the client"
    );

    // The losing value is not gone: it is in the record's history, on both devices.
    client.click("[data-testid=history-link]").await;
    client.testid("history").await;
    let history = client
        .eval(
            "return [...document.querySelectorAll('[data-testid=history-row][data-field=\"answers.user1.q2\"] [data-testid=history-after]')].map(e => e.textContent)",
            vec![],
        )
        .await;
    let after: Vec<String> = serde_json::from_value(history).unwrap();
    let violations = yorisoi_e2e::serious_violations(&client).await;
    assert!(violations.is_empty(), "history: {violations:#?}");
    assert!(after.iter().any(|t| t.contains("寒さ")), "{after:?}");
    assert!(after.iter().any(|t| t.contains("暑さ")), "{after:?}");
}

#[tokio::test]
async fn a_server_killed_after_storing_a_push_loses_nothing_and_stores_nothing_twice() {
    a_server_killed_after_storing_a_push_loses_nothing_and_stores_nothing_twice_in(
        Engine::Chromium,
    )
    .await;
}

#[tokio::test]
async fn a_server_killed_after_storing_a_push_loses_nothing_and_stores_nothing_twice_in_webkit() {
    a_server_killed_after_storing_a_push_loses_nothing_and_stores_nothing_twice_in(Engine::WebKit)
        .await;
}

async fn a_server_killed_after_storing_a_push_loses_nothing_and_stores_nothing_twice_in(
    engine: Engine,
) {
    let mut stack = Stack::start_in(engine).await;
    let (coach, other) = (stack.browser().await, stack.browser().await);
    new_msfas(&stack, &coach).await;
    // From now on every push reaches the server and is stored, but no answer comes back.
    stack.proxy.swallow_answers();
    fill_sheet_1(&coach).await;
    coach.click("[data-testid=sync-now]").await;
    coach.testid("sync-error").await;
    let unsent: usize = coach
        .testid("sync-unsent")
        .await
        .attr("data-count")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    assert!(unsent > 0, "without an answer nothing leaves the outbox");

    // The server dies; a new one starts on the same database.
    let data = stack.data.path().to_owned();
    stack.server.stop();
    stack.server = yorisoi_e2e::Server::start(&yorisoi_e2e::dist(), &data).await;
    stack.proxy.connect_to(stack.server.addr);
    sync_now(&coach).await;

    let log = stack.server_log().await;
    let ids: Vec<(String, u64)> = log
        .iter()
        .map(|p| {
            let id = &p["change"]["id"];
            (
                id["device"].as_str().unwrap().to_owned(),
                id["seq"].as_u64().unwrap(),
            )
        })
        .collect();
    let distinct: BTreeSet<_> = ids.iter().cloned().collect();
    assert_eq!(distinct.len(), ids.len(), "no change is stored twice");
    let seqs: Vec<u64> = ids.iter().map(|(_, s)| *s).collect();
    assert!(seqs.is_sorted(), "in order: {seqs:?}");
    // The device's audit notes (the record opened) take sequence numbers too, and go to the
    // audit log instead of the change log: together they are every number, none missing.
    let client = log[0]["change"]["client"].as_str().unwrap().to_owned();
    let notes = yorisoi_e2e::admin::Admin::sign_in(&stack)
        .await
        .audit_of(&client)
        .await
        .into_iter()
        // Only the coach's tablet has touched the client so far.
        .filter(|e| !e["device_at"].is_null())
        .count();
    assert_eq!(
        seqs.len() + notes,
        *seqs.last().unwrap() as usize,
        "every change of the device is there, none missing: {seqs:?} and {notes} notes"
    );

    // Another device receives every answer.
    other.goto(&stack.url("/clients")).await;
    sync_now(&other).await;
    open_first_record(&stack, &other).await;
    wait_for_value(&other, Q2_LINE0, "午後のピッキング").await;
    wait_for_value(&other, "#q-user1-q2-line2", "残業").await;
    wait_for_value(&other, Q5, "慣れた作業のとき").await;
    wait_for_value(&other, "#q-user1-q1-r4-situation", "電話が続くとき").await;
    assert!(
        other
            .is_checked("section[data-field='user1.q4'] input[value=stiff_shoulders]")
            .await
    );
}

#[tokio::test]
async fn a_device_clock_thirty_days_behind_changes_nothing() {
    let stack = Stack::start().await;
    let (behind, ahead) = (stack.browser().await, stack.browser().await);
    behind.shift_clock_days(-30).await;
    ahead.shift_clock_days(30).await;
    new_msfas(&stack, &ahead).await;
    ahead.type_into(Q5, "先に書いた答え").await;
    sync_now(&ahead).await;

    behind.goto(&stack.url("/clients")).await;
    sync_now(&behind).await;
    open_first_record(&stack, &behind).await;
    wait_for_value(&behind, Q5, "先に書いた答え").await;
    let clock: i64 =
        serde_json::from_value(behind.eval("return Date.now()", vec![]).await).unwrap();
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!(real - clock > 29 * 86_400_000, "the clock really is behind");

    // The later edit, made on the device whose clock says it is a month earlier, wins: it was
    // made with the earlier answer in view. A timestamp would have thrown it away.
    behind.set_value(Q5, "あとで直した答え").await;
    sync_now(&behind).await;
    sync_now(&ahead).await;
    for device in [&behind, &ahead] {
        wait_for_value(device, Q5, "あとで直した答え").await;
        assert_eq!(conflict_count(device).await, 0);
    }
}

#[tokio::test]
async fn a_stalled_request_is_dropped_by_the_watchdog_and_sync_recovers() {
    a_stalled_request_is_dropped_by_the_watchdog_and_sync_recovers_in(Engine::Chromium).await;
}

#[tokio::test]
async fn a_stalled_request_is_dropped_by_the_watchdog_and_sync_recovers_in_webkit() {
    a_stalled_request_is_dropped_by_the_watchdog_and_sync_recovers_in(Engine::WebKit).await;
}

async fn a_stalled_request_is_dropped_by_the_watchdog_and_sync_recovers_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let coach = stack.browser().await;
    new_msfas(&stack, &coach).await;
    sync_now(&coach).await;
    // The network stalls: connections open, nothing ever comes back.
    stack.proxy.hang();
    coach.type_into(Q5, "止まったネットワーク").await;
    coach.click("[data-testid=sync-now]").await;
    let mut error = String::new();
    for _ in 0..60 {
        if let Ok(element) = coach
            .client
            .find(fantoccini::Locator::Css("[data-testid=sync-error]"))
            .await
        {
            error = element.text().await.unwrap_or_default();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert!(
        error.contains("応答が止まりました"),
        "the watchdog reports the stall in plain words: {error:?}"
    );
    assert_ne!(
        coach
            .testid("sync-unsent")
            .await
            .attr("data-count")
            .await
            .unwrap()
            .as_deref(),
        Some("0"),
        "the edit is still waiting to be sent"
    );
    stack.proxy.connect_to(stack.server.addr);
    sync_now(&coach).await;
    let log = stack.server_log().await;
    assert!(
        log.iter()
            .any(|p| p["change"]["value"]["lines"][0] == "止まったネットワーク"),
        "the edit reached the server once the network came back"
    );
}

#[tokio::test]
async fn a_long_first_sync_shows_its_progress_and_brings_every_client() {
    let stack = Stack::start().await;
    one_synced_msfas(&stack).await;
    stack.seed_copies(20, 1_000).await;

    // The office reads every client: the seeded ones are nobody's coach's.
    let fresh = stack.browser_as("office").await;
    fresh.goto(&stack.url("/sync")).await;
    let progress = fresh.testid("sync-progress").await;
    let shown = progress.text().await.unwrap();
    assert!(shown.contains("受信中"), "{shown:?}");
    // When the sync is over the progress goes and every client is on the device.
    for _ in 0..600 {
        if fresh
            .client
            .find(fantoccini::Locator::Css("[data-testid=sync-progress]"))
            .await
            .is_err()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    fresh.goto(&stack.url("/clients")).await;
    assert_eq!(client_count(&fresh).await, 21);
}

#[tokio::test]
async fn an_edit_reaches_the_server_by_itself_moments_after_it_is_made() {
    an_edit_reaches_the_server_by_itself_moments_after_it_is_made_in(Engine::Chromium).await;
}

#[tokio::test]
async fn an_edit_reaches_the_server_by_itself_moments_after_it_is_made_in_webkit() {
    an_edit_reaches_the_server_by_itself_moments_after_it_is_made_in(Engine::WebKit).await;
}

async fn an_edit_reaches_the_server_by_itself_moments_after_it_is_made_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let coach = stack.browser().await;
    new_msfas(&stack, &coach).await;
    coach.type_into(Q5, "ひとりでに届く").await;
    // Nobody presses 今すぐ同期; the next periodic sync is a minute away.
    for _ in 0..100 {
        let log = stack.server_log().await;
        if log
            .iter()
            .any(|p| p["change"]["value"]["lines"][0] == "ひとりでに届く")
        {
            coach.wait_for_text("sync-unsent", "すべて送信済み").await;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the edit did not reach the server within 10 s");
}

/// A change the server will not store (here a wrong kind of answer, as an older or broken app
/// might write) is set aside on the server, leaves the outbox, and is shown on the device with
/// why, also after a reload; nothing else is held back.
#[tokio::test]
async fn a_change_the_server_refuses_is_shown_on_the_device_with_why_and_holds_nothing_back() {
    a_change_the_server_refuses_is_shown_on_the_device_with_why_and_holds_nothing_back_in(
        Engine::Chromium,
    )
    .await;
}

#[tokio::test]
async fn a_change_the_server_refuses_is_shown_on_the_device_with_why_and_holds_nothing_back_in_webkit()
 {
    a_change_the_server_refuses_is_shown_on_the_device_with_why_and_holds_nothing_back_in(
        Engine::WebKit,
    )
    .await;
}

async fn a_change_the_server_refuses_is_shown_on_the_device_with_why_and_holds_nothing_back_in(
    engine: Engine,
) {
    let stack = Stack::start_in(engine).await;
    let coach = stack.browser().await;
    new_msfas(&stack, &coach).await;
    sync_now(&coach).await;
    let url = coach.client.current_url().await.unwrap();
    let ids: Vec<String> = url
        .path()
        .split('/')
        .filter(|part| part.len() == 36)
        .map(str::to_owned)
        .collect();
    let (client, record) = (&ids[0], &ids[1]);
    // What a closed tab of a broken app left unsent: a number where the answer's text goes.
    let writer = "01a1ee56-5e00-7999-8999-999999999999";
    let unsent = serde_json::json!({"format": 1, "unsent": {
        "change": {
            "id": {"device": writer, "seq": 1},
            "entity": {"type": "record", "id": record},
            "client": client,
            "field": "answers.user1.q2",
            "base": [],
            "value": 42,
        },
        "made_at": 1,
    }});
    coach
        .eval(
            "localStorage.setItem(arguments[0], arguments[1])",
            vec![
                format!("yorisoi.outbox.{writer}.1").into(),
                unsent.to_string().into(),
            ],
        )
        .await;
    coach.reload().await;
    coach.type_into(Q5, "それでも送られる回答").await;
    sync_now(&coach).await;

    let refused = coach.testid("sync-refused").await;
    assert_eq!(
        refused.attr("data-count").await.unwrap().as_deref(),
        Some("1")
    );
    let log = stack.server_log().await;
    assert!(
        log.iter().any(|p| p["change"]["value"]
            .to_string()
            .contains("それでも送られる回答")),
        "the rest of the outbox is stored"
    );
    assert!(
        !log.iter().any(|p| p["change"]["id"]["device"] == writer),
        "the refused change is not in the log: {log:#?}"
    );
    refused.click().await.unwrap();
    coach.testid("refused-list").await;
    let why = coach.testid("refused-why").await.text().await.unwrap();
    assert!(why.contains("値が様式に合いません"), "{why}");
    let violations = yorisoi_e2e::serious_violations(&coach).await;
    assert!(violations.is_empty(), "sync page: {violations:#?}");
    coach.reload().await;
    coach.testid("refused-item").await;
}
