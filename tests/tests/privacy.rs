//! Accountability end to end, in real Chromium against the real server: an access made offline
//! reaches the audit log with both times and shows on the admin page; 利用停止 empties a coach's
//! tablet of a client without losing the edit made just before; an erased client is gone from
//! every device and every later sync, while its audit stays.

use serde_json::json;
use yorisoi_e2e::admin::Admin;
use yorisoi_e2e::flows::{new_msfas_for, readable_storage, sync_now, wait_for_client_names};
use yorisoi_e2e::support::{seed, seed_fields};
use yorisoi_e2e::{Browser, Stack};

const Q5: &str = "#q-user1-q5-line0";

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Opens the first client's first record by following the app's own links (no page load: the
/// tablet may be offline).
async fn open_record_in_app(browser: &Browser) {
    browser.click("header nav a[href='/clients']").await;
    browser.click("[data-testid=client-link]").await;
    browser.click("[data-testid=timeline-item] a").await;
    browser.testid("supporter-mode").await;
}

#[tokio::test]
async fn an_access_made_offline_reaches_the_audit_with_both_times() {
    let stack = Stack::start().await;
    let coach = stack.browser().await;
    new_msfas_for(&stack, &coach, "小林 四郎").await;
    coach.type_into(Q5, "いつもの答え").await;
    sync_now(&coach).await;
    let admin = Admin::sign_in(&stack).await;
    let client = admin.client_id("小林 四郎").await;

    // Offline, the coach opens the record again.
    stack.proxy.cut();
    let offline_from = now_ms();
    open_record_in_app(&coach).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let back_at = now_ms();
    stack.proxy.connect_to(stack.server.addr);
    sync_now(&coach).await;

    let entries = admin.audit_of(&client).await;
    let opened: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| e["action"] == "record_opened")
        .filter(|e| e["device_at"].as_i64().is_some_and(|t| t >= offline_from))
        .collect();
    assert_eq!(opened.len(), 1, "{entries:#?}");
    let device_at = opened[0]["device_at"].as_i64().unwrap();
    let at = opened[0]["at"].as_i64().unwrap();
    assert!(device_at < back_at, "the device's own time, while offline");
    assert!(at >= back_at, "the server's time, when it arrived");
    assert!(
        entries.iter().any(|e| e["action"] == "delivered"),
        "the data sent to the tablet is in the audit too: {entries:#?}"
    );

    // The admin page shows it, with the device's time.
    let page = stack.browser_as("admin").await;
    page.goto(&stack.url("/admin")).await;
    page.css(&format!(
        "[data-testid=audit-client] option[value='{client}']"
    ))
    .await;
    page.set_value("[data-testid=audit-client]", &client).await;
    page.click("[data-testid=audit-show]").await;
    let row = page
        .css("[data-testid=audit-entry][data-action=record_opened]")
        .await;
    let device_time = row
        .find(fantoccini::Locator::Css("[data-testid=audit-device-at]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!device_time.trim().is_empty(), "the device's time is shown");
    page.click("[data-testid=audit-check]").await;
    page.testid("audit-whole").await;
}

#[tokio::test]
async fn stopping_use_empties_the_tablet_without_losing_the_edit_made_just_before() {
    let stack = Stack::start().await;
    let coach = stack.browser().await;
    new_msfas_for(&stack, &coach, "中村 五郎").await;
    coach.type_into(Q5, "停止の前からの答え").await;
    sync_now(&coach).await;
    let office = stack.browser_as("office").await;
    sync_now(&office).await;
    wait_for_client_names(&stack, &office, &["中村 五郎"]).await;
    let admin = Admin::sign_in(&stack).await;
    let client = admin.client_id("中村 五郎").await;

    // Offline, the coach writes one more answer; meanwhile use is stopped.
    stack.proxy.cut();
    coach
        .type_into("#q-user1-q2-line0", "停止の直前に書いた答え")
        .await;
    admin.stop_use(&client).await;
    stack.proxy.connect_to(stack.server.addr);

    sync_now(&coach).await;
    // The edit reached the server first, and the tablet says in words why it was kept aside.
    let refused = coach.testid("sync-refused").await;
    refused.click().await.unwrap();
    let why = coach.testid("refused-why").await.text().await.unwrap();
    assert!(why.contains("利用停止"), "{why}");
    wait_for_client_names(&stack, &coach, &[]).await;
    let stored = readable_storage(&coach).await;
    assert!(
        !stored.contains("中村 五郎") && !stored.contains("停止の直前に書いた答え"),
        "the client is gone from the coach's tablet"
    );
    // The office's device lets it go too.
    sync_now(&office).await;
    wait_for_client_names(&stack, &office, &[]).await;
    assert!(!readable_storage(&office).await.contains("中村 五郎"));

    // Nothing was lost: the server keeps the client, the last edit included.
    let disclosure = admin.disclosure(&client).await;
    let text = disclosure.to_string();
    assert!(text.contains("停止の前からの答え"), "{text}");
    assert!(text.contains("停止の直前に書いた答え"), "{text}");
}

#[tokio::test]
async fn an_erased_client_is_gone_from_every_device_and_every_later_sync() {
    let stack = Stack::start().await;
    let coach = stack.browser().await;
    new_msfas_for(&stack, &coach, "加藤 六子").await;
    coach.type_into(Q5, "消去される答え").await;
    new_msfas_for(&stack, &coach, "木村 七海").await;
    coach.type_into(Q5, "残る答え").await;
    sync_now(&coach).await;
    let admin = Admin::sign_in(&stack).await;
    let client = admin.client_id("加藤 六子").await;

    // The administrator stops use, then erases, on the admin page: the name typed again.
    let page = stack.browser_as("admin").await;
    page.goto(&stack.url("/admin")).await;
    let row = format!("[data-testid=stop-row][data-client='{client}']");
    page.eval("window.confirm = () => true; return null", vec![])
        .await;
    page.click(&format!("{row} [data-testid=stop-use]")).await;
    page.css(&format!("{row} [data-testid=erase-form]")).await;
    page.type_into(&format!("{row} [data-testid=erase-name]"), "加藤 六子")
        .await;
    page.click(&format!("{row} [data-testid=erase]")).await;
    page.css("[data-testid=erased]").await;

    // The coach's tablet deletes it on its next sync; a new device never receives it.
    sync_now(&coach).await;
    wait_for_client_names(&stack, &coach, &["木村 七海"]).await;
    let stored = readable_storage(&coach).await;
    assert!(!stored.contains("加藤 六子") && !stored.contains("消去される答え"));
    let fresh = stack.browser_as("office").await;
    sync_now(&fresh).await;
    wait_for_client_names(&stack, &fresh, &["木村 七海"]).await;
    let log = stack.server_log().await;
    assert!(
        !log.iter().any(|p| p["change"]["client"] == client.as_str()),
        "no later pull returns it"
    );
    // Its audit stays, ids only.
    let entries = admin.audit_of(&client).await;
    for action in ["delivered", "use_stopped", "erased"] {
        assert!(
            entries.iter().any(|e| e["action"] == action),
            "{action}: {entries:#?}"
        );
    }
    assert!(
        !serde_json::Value::from(entries)
            .to_string()
            .contains("加藤")
    );
}

#[tokio::test]
async fn a_withdrawn_consent_is_said_in_words_blocks_completion_and_is_in_the_audit() {
    let stack = Stack::start().await;
    let coach = stack.browser().await;
    new_msfas_for(&stack, &coach, "林 八重").await;
    coach.click("header nav a[href='/clients']").await;
    coach.click("[data-testid=client-link]").await;
    let support = "[data-testid=consent-support]";
    coach
        .wait_for_text_containing(
            "consents",
            "支援のための利用への同意が、まだここに記録されていません",
        )
        .await;
    coach
        .set_value(
            &format!("{support} [data-testid=consent-date]"),
            "2026-04-01",
        )
        .await;
    coach
        .click(&format!("{support} [data-testid=consent-give]"))
        .await;
    coach
        .wait_for_text_containing("consents", "2026-04-01 書面")
        .await;
    coach
        .set_value(
            &format!("{support} [data-testid=consent-date]"),
            "2026-11-01",
        )
        .await;
    coach
        .click(&format!("{support} [data-testid=consent-withdraw]"))
        .await;
    coach
        .wait_for_text_containing("consents", "撤回日 2026-11-01")
        .await;
    coach
        .wait_for_text_containing("consents", "新しい記録を完了することはできません")
        .await;

    coach.click("[data-testid=timeline-item] a").await;
    coach.click("[data-testid=mark-complete]").await;
    coach
        .wait_for_text_containing("completion-problems", "同意を撤回しました")
        .await;
    sync_now(&coach).await;
    let admin = Admin::sign_in(&stack).await;
    let client = admin.client_id("林 八重").await;
    let consent: Vec<Vec<String>> = admin
        .audit_of(&client)
        .await
        .iter()
        .filter(|e| e["action"] == "consent_changed")
        .map(|e| serde_json::from_value(e["detail"].clone()).unwrap())
        .collect();
    // Given, then withdrawn: one change each, or one amended change if no push came between.
    assert_eq!(
        consent.last().map(|d| d.as_slice()),
        Some(["support".to_owned(), "withdrawn".to_owned()].as_slice()),
        "{consent:?}"
    );
    assert!(consent.iter().all(|d| d[0] == "support"), "{consent:?}");
}

/// The disclosure page (開示) shows what the server holds about a client, the answers included,
/// and, with the server out of reach, says so in words under its title instead of loading forever.
#[tokio::test]
async fn the_disclosure_page_shows_a_clients_records_and_says_when_the_server_is_out_of_reach() {
    let stack = Stack::start().await;
    let coach = stack.browser().await;
    new_msfas_for(&stack, &coach, "岡田 六郎").await;
    coach.type_into(Q5, "開示で読める答え").await;
    sync_now(&coach).await;
    let client = Admin::sign_in(&stack).await.client_id("岡田 六郎").await;

    let admin = stack.browser_as("admin").await;
    admin
        .goto(&stack.url(&format!("/admin/disclosure/{client}")))
        .await;
    admin
        .wait_for_text_containing("disclosure-name", "岡田 六郎")
        .await;
    let record = admin
        .testid("disclosure-record")
        .await
        .text()
        .await
        .unwrap();
    assert!(record.contains("開示で読める答え"), "{record}");

    // Back on the admin page (by the app's own link: no page load), then out of reach.
    admin.click(".print-page .toolbar a[href='/admin']").await;
    admin.testid("people").await;
    stack.proxy.cut();
    admin
        .click(&format!(
            "[data-testid=stop-row][data-client='{client}'] [data-testid=disclosure-link]"
        ))
        .await;
    let said = admin
        .css("section.page > p.sync-error[role=alert]")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(said, "管理の操作にはネットワークが必要です。");
    assert_eq!(
        admin.testid("page-title").await.text().await.unwrap(),
        "保有個人データの開示"
    );
}

/// The disclosure page (開示) holds the client's support plan and monthly 支援レポート too, in
/// words, as the server holds them.
#[tokio::test]
async fn the_disclosure_page_shows_the_support_plan_and_the_monthly_reports() {
    let stack = Stack::start().await;
    let ids = seed(&stack, "coach", vec![("計画 七子", vec![])]).await;
    seed_fields(
        &stack,
        "coach",
        ids[0],
        vec![
            ("plan.face_to_face_per_month", json!(1)),
            ("plan.phase", json!("follow_up")),
            ("report.2026-11.done", json!("手順書を一緒に確認した")),
            ("report.2026-11.next", json!("来月も月に1回訪問する")),
        ],
    )
    .await;
    let admin = stack.browser_as("admin").await;
    admin
        .goto(&stack.url(&format!("/admin/disclosure/{}", ids[0])))
        .await;
    admin
        .wait_for_text_containing("disclosure-name", "計画 七子")
        .await;
    let plan = admin.testid("disclosure-plan").await.text().await.unwrap();
    assert!(
        plan.contains("毎月必要な対面の回数") && plan.contains("フォローアップ"),
        "{plan}"
    );
    let report = admin
        .css("[data-testid=disclosure-report][data-month='2026-11']")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        report.contains("手順書を一緒に確認した") && report.contains("来月も月に1回訪問する"),
        "{report}"
    );
}
