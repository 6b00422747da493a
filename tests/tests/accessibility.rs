//! Every kind of page, checked with axe-core in real Chromium: no serious or critical
//! accessibility violation, in Japanese and in English. Each test walks a family of pages in one
//! browser and reports every page's violations together.

use serde_json::json;
use yorisoi_e2e::{Browser, Stack, serious_violations};

/// What was found, page by page.
#[derive(Default)]
struct Findings(Vec<(String, Vec<String>)>);

impl Findings {
    /// Checks the page the browser shows now, under `name`.
    async fn check(&mut self, browser: &Browser, name: &str) {
        let found = serious_violations(browser).await;
        eprintln!("axe: {name}: {} serious or critical", found.len());
        self.0.push((name.to_owned(), found));
    }

    fn assert_none(self) {
        let report: Vec<String> = self
            .0
            .into_iter()
            .filter(|(_, found)| !found.is_empty())
            .map(|(page, found)| format!("{page}:\n  {}", found.join("\n  ")))
            .collect();
        assert!(
            report.is_empty(),
            "serious or critical accessibility violations:\n{}",
            report.join("\n")
        );
    }
}

async fn click(browser: &Browser, testid: &str) {
    browser.testid(testid).await.click().await.unwrap();
}

/// Switches the display language with the header's switch and waits until the page follows.
async fn switch_to_english(browser: &Browser) {
    click(browser, "lang-switch").await;
    browser.css("html[lang='en']").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_list_sync_and_settings_pages_have_no_serious_violations() {
    let stack = Stack::start().await;
    let mut findings = Findings::default();

    // Before anyone signs in: the sign-in page, also saying what went wrong.
    let browser = Browser::start().await;
    browser.goto(&stack.url("/")).await;
    browser.testid("sign-in-form").await;
    findings.check(&browser, "sign-in (ja)").await;
    browser.type_into("[data-testid=login]", "coach").await;
    browser
        .type_into("[data-testid=password]", "まちがったパスワード")
        .await;
    browser.click("[data-testid=sign-in]").await;
    browser.testid("sign-in-problem").await;
    findings.check(&browser, "sign-in, failed (ja)").await;
    stack.sign_in(&browser, "coach").await;

    // The administrator's pages.
    let admin = stack.browser_as("admin").await;
    admin.goto(&stack.url("/admin")).await;
    admin.testid("people").await;
    admin.css("[data-testid=person]").await;
    findings.check(&admin, "/admin (ja)").await;
    switch_to_english(&admin).await;
    findings.check(&admin, "/admin (en)").await;

    browser.goto(&stack.url("/")).await;
    browser.wait_for_text("page-title", "利用者一覧").await;
    browser.testid("clients-empty").await;
    findings.check(&browser, "client list, empty (ja)").await;

    browser.goto(&stack.url("/sync")).await;
    browser.wait_for_text("page-title", "同期").await;
    findings.check(&browser, "/sync (ja)").await;

    browser.goto(&stack.url("/settings")).await;
    browser.wait_for_text("page-title", "設定").await;
    browser.testid("storage-persisted").await;
    findings.check(&browser, "/settings (ja)").await;

    switch_to_english(&browser).await;
    browser.wait_for_text("page-title", "Settings").await;
    findings.check(&browser, "/settings (en)").await;

    browser.goto(&stack.url("/sync")).await;
    browser.css("html[lang='en']").await;
    findings.check(&browser, "/sync (en)").await;

    browser.goto(&stack.url("/clients")).await;
    browser.wait_for_text("page-title", "Clients").await;
    browser.testid("clients-empty").await;
    findings.check(&browser, "client list, empty (en)").await;

    findings.assert_none();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_and_their_records_have_no_serious_violations() {
    let stack = Stack::start().await;
    let browser = stack.browser().await;
    let mut findings = Findings::default();

    // A new client: the app opens their page with the profile form.
    browser.goto(&stack.url("/clients")).await;
    browser.wait_for_text("page-title", "利用者一覧").await;
    click(&browser, "add-client").await;
    let name = browser.testid("client-name").await;
    findings
        .check(&browser, "client page, new and unnamed (ja)")
        .await;
    name.send_keys("山田 花子").await.unwrap();
    browser.wait_for_text("page-title", "山田 花子").await;
    let client_url = browser.client.current_url().await.unwrap().to_string();
    findings.check(&browser, "client page, named (ja)").await;

    // The list with that client in it.
    browser.goto(&stack.url("/clients")).await;
    browser.testid("client-link").await;
    findings
        .check(&browser, "client list, one client (ja)")
        .await;

    // An MSFAS record, in supporter mode (the whole sheet) and in client mode.
    browser.goto(&client_url).await;
    browser.wait_for_text("page-title", "山田 花子").await;
    click(&browser, "new-assessment").await;
    browser.testid("supporter-mode").await;
    findings.check(&browser, "MSFAS, supporter mode (ja)").await;

    browser.click("[data-testid=mode-client]").await;
    browser.testid("pin-setup").await;
    findings
        .check(&browser, "MSFAS, choosing the client-mode PIN (ja)")
        .await;
    browser
        .type_into("[data-testid=pin-new]", yorisoi_e2e::flows::PIN)
        .await;
    browser
        .type_into("[data-testid=pin-again]", yorisoi_e2e::flows::PIN)
        .await;
    browser.click("[data-testid=pin-start]").await;
    let first = browser.testid("client-question").await;
    let field = first.attr("data-field").await.unwrap().unwrap_or_default();
    findings
        .check(&browser, "MSFAS, client mode, first question (ja)")
        .await;
    click(&browser, "client-next").await;
    browser
        .css(&format!(
            "[data-testid='client-question']:not([data-field='{field}'])"
        ))
        .await;
    findings
        .check(&browser, "MSFAS, client mode, second question (ja)")
        .await;
    browser.click("[data-testid=client-leave]").await;
    browser.testid("pin-leave-form").await;
    findings
        .check(&browser, "MSFAS, leaving client mode (ja)")
        .await;
    browser
        .type_into("[data-testid=pin-leave]", yorisoi_e2e::flows::PIN)
        .await;
    browser.click("[data-testid=pin-submit]").await;
    browser.testid("supporter-mode").await;

    // Its print view.
    click(&browser, "print-link").await;
    browser.testid("print-view").await;
    findings.check(&browser, "MSFAS, print view (ja)").await;

    // A visit note and its print view.
    browser.goto(&client_url).await;
    browser.wait_for_text("page-title", "山田 花子").await;
    click(&browser, "new-visit-note").await;
    browser.testid("supporter-mode").await;
    findings.check(&browser, "visit note (ja)").await;
    click(&browser, "print-link").await;
    browser.testid("print-view").await;
    findings
        .check(&browser, "visit note, print view (ja)")
        .await;

    // The same client's pages in English: the timeline now lists both records.
    browser.goto(&client_url).await;
    browser.wait_for_text("page-title", "山田 花子").await;
    browser.testid("timeline-item").await;
    switch_to_english(&browser).await;
    let lang = browser
        .eval("return document.documentElement.lang", vec![])
        .await;
    assert_eq!(lang, json!("en"));
    findings
        .check(&browser, "client page with records (en)")
        .await;
    click(&browser, "new-assessment").await;
    browser.testid("supporter-mode").await;
    findings.check(&browser, "MSFAS, supporter mode (en)").await;
    yorisoi_e2e::flows::enter_client_mode(&browser).await;
    findings.check(&browser, "MSFAS, client mode (en)").await;

    findings.assert_none();
}
