//! A follow-up started from what is known (issue 21): a visit note started from the client's
//! last one carries exactly the answers its definition marks `"carry": true`, and asks the rest
//! afresh; MSFAS, which carries nothing, offers no such start. In Chromium and WebKit.

use yorisoi_e2e::flows::new_msfas;
use yorisoi_e2e::{Browser, Engine, Stack};

/// The id at the end of the current address (a record's page).
async fn here_id(browser: &Browser) -> String {
    let id = browser
        .eval("return location.pathname.split('/').pop()", vec![])
        .await;
    id.as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_note_started_from_the_last_carries_exactly_the_carry_fields() {
    a_visit_note_started_from_the_last_carries_exactly_the_carry_fields_in(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_note_started_from_the_last_carries_exactly_the_carry_fields_in_webkit() {
    a_visit_note_started_from_the_last_carries_exactly_the_carry_fields_in(Engine::WebKit).await;
}

async fn a_visit_note_started_from_the_last_carries_exactly_the_carry_fields_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let browser = stack.browser().await;
    new_msfas(&stack, &browser).await;
    let page = browser
        .eval(
            "return location.pathname.split('/').slice(0, 3).join('/')",
            vec![],
        )
        .await;
    let page = stack.url(page.as_str().unwrap());
    browser.goto(&page).await;
    // Nothing to start from yet (the page's buttons are there, this one is not).
    browser.testid("new-visit-note").await;
    assert!(!browser.testid_now("start-from-last-visit-note").await);
    browser.click("[data-testid=new-visit-note]").await;
    browser.testid("supporter-mode").await;
    let last = here_id(&browser).await;
    browser.set_value("#q-visit-date-date", "2026-05-10").await;
    browser
        .set_value("#q-visit-workplace-line0", "みなと物流 第2倉庫")
        .await;
    browser
        .type_into("#q-visit-staff-line0", "佐藤・田中")
        .await;
    browser
        .click("section[data-field='visit.mode'] input[value=visit]")
        .await;
    browser
        .click("section[data-field='visit.phase'] input[value=transition]")
        .await;
    browser.type_into("#q-visit-visit_number-number", "7").await;
    browser
        .type_into("#q-visit-visits_planned-number", "12")
        .await;
    browser
        .type_into("#q-purpose-purpose-line0", "ピッキングの正確さ")
        .await;
    browser
        .click("section[data-field='observations.signs'] input[value=sleepy]")
        .await;
    browser
        .type_into("#q-comments-client-line0", "少し疲れた")
        .await;
    browser
        .set_value("#q-next-next_visit-date", "2026-05-24")
        .await;

    browser.goto(&page).await;
    let help = browser
        .testid("start-from-last-visit-note-help")
        .await
        .text()
        .await
        .unwrap();
    // MSFAS carries nothing (every answer is the person's now): no such button, though the
    // client has an MSFAS.
    assert!(!browser.testid_now("start-from-last-assessment").await);
    assert!(
        help.contains("訪問先") && help.contains("支援の段階"),
        "{help}"
    );
    browser
        .click("[data-testid=start-from-last-visit-note]")
        .await;
    browser.testid("supporter-mode").await;
    let new = here_id(&browser).await;
    assert_ne!(new, last);
    // Carried: workplace, staff, phase, planned visits, purpose.
    assert_eq!(
        browser.value("#q-visit-workplace-line0").await,
        "みなと物流 第2倉庫"
    );
    assert_eq!(browser.value("#q-visit-staff-line0").await, "佐藤・田中");
    assert!(
        browser
            .is_checked("section[data-field='visit.phase'] input[value=transition]")
            .await
    );
    assert_eq!(browser.value("#q-visit-visits_planned-number").await, "12");
    assert_eq!(
        browser.value("#q-purpose-purpose-line0").await,
        "ピッキングの正確さ"
    );
    // Asked afresh: the day (today, not the last visit's), mode, visit number, signs, comments,
    // next visit.
    assert_ne!(browser.value("#q-visit-date-date").await, "2026-05-10");
    assert!(
        !browser
            .is_checked("section[data-field='visit.mode'] input[value=visit]")
            .await
    );
    assert_eq!(browser.value("#q-visit-visit_number-number").await, "");
    assert!(
        !browser
            .is_checked("section[data-field='observations.signs'] input[value=sleepy]")
            .await
    );
    assert_eq!(browser.value("#q-comments-client-line0").await, "");
    assert_eq!(browser.value("#q-next-next_visit-date").await, "");
    // The last note is untouched.
    browser.goto(&format!("{page}/notes/{last}")).await;
    browser.testid("supporter-mode").await;
    assert_eq!(
        browser.value("#q-comments-client-line0").await,
        "少し疲れた"
    );
}
