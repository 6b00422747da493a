//! A client over time (issue 21): the timeline (経過) and its charts' tables match the records,
//! and any two assessments are compared by an address that names them. Each in Chromium and
//! WebKit. (A follow-up started from the last record: `follow_up.rs`.)

use serde_json::{Value, json};
use yorisoi_e2e::flows::new_msfas;
use yorisoi_e2e::{Browser, Engine, Stack};

const Q4: &str = "section[data-field='user1.q4']";

/// The id at the end of the current address (a record's page).
async fn here_id(browser: &Browser) -> String {
    let id = browser
        .eval("return location.pathname.split('/').pop()", vec![])
        .await;
    id.as_str().unwrap().to_owned()
}

async fn client_page(stack: &Stack, browser: &Browser) -> String {
    let path = browser
        .eval(
            "return location.pathname.split('/').slice(0, 3).join('/')",
            vec![],
        )
        .await;
    stack.url(path.as_str().unwrap())
}

/// Fills the open MSFAS: its day, the signs chosen, what the person does when tired, and the
/// tiring tasks. Returns its id.
async fn answer_msfas(
    browser: &Browser,
    day: &str,
    signs: &[&str],
    coping: &str,
    tiring: &[&str],
) -> String {
    browser.set_value("#q-cover-consent_date-date", day).await;
    for sign in signs {
        browser.click(&format!("{Q4} input[value={sign}]")).await;
    }
    browser
        .click(&format!(
            "section[data-field='user1.q3'] input[value={coping}]"
        ))
        .await;
    for (line, text) in tiring.iter().enumerate() {
        browser
            .type_into(&format!("#q-user1-q2-line{line}"), text)
            .await;
    }
    here_id(browser).await
}

/// A new MSFAS of the client whose page is `page`, answered.
async fn another_msfas(
    browser: &Browser,
    page: &str,
    day: &str,
    signs: &[&str],
    coping: &str,
) -> String {
    browser.goto(page).await;
    browser.click("[data-testid=new-assessment]").await;
    browser.testid("supporter-mode").await;
    answer_msfas(browser, day, signs, coping, &[]).await
}

/// Every cell of the table `testid` as `[row key, cells…]`, read as a screen reader would (the
/// text), with the data marks the test checks.
async fn table(browser: &Browser, testid: &str, row_key: &str) -> Value {
    browser
        .eval(
            "const [id, key] = arguments;
             return [...document.querySelectorAll(`[data-testid=${id}] tbody tr`)].map((tr) =>
               [tr.dataset[key], ...[...tr.querySelectorAll('td')].map((td) => td.dataset.mark || td.textContent.trim())]);",
            vec![json!(testid), json!(row_key)],
        )
        .await
}

/// The two records the comparison on screen shows, earlier first.
async fn compared(browser: &Browser) -> (String, String) {
    let t = browser.testid("compare-table").await;
    (
        t.attr("data-earlier").await.unwrap().unwrap(),
        t.attr("data-later").await.unwrap().unwrap(),
    )
}

async fn open_timeline(browser: &Browser, page: &str) {
    browser.goto(page).await;
    browser.click("[data-testid=timeline-link]").await;
    browser.testid("timeline-table").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_and_its_charts_tables_match_the_records() {
    the_timeline_and_its_charts_tables_match_the_records_in(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_and_its_charts_tables_match_the_records_in_webkit() {
    the_timeline_and_its_charts_tables_match_the_records_in(Engine::WebKit).await;
}

async fn the_timeline_and_its_charts_tables_match_the_records_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let browser = stack.browser().await;
    new_msfas(&stack, &browser).await;
    // The later assessment is made first: the timeline orders by the records' days.
    let later = answer_msfas(
        &browser,
        "2026-06-01",
        &["sleepy", "headache"],
        "ask_supervisor",
        &["品出し", "レジ"],
    )
    .await;
    let page = client_page(&stack, &browser).await;
    let earlier = another_msfas(
        &browser,
        &page,
        "2026-03-01",
        &["sleepy", "yawning", "stiff_shoulders"],
        "endure",
    )
    .await;
    browser.goto(&page).await;
    browser.click("[data-testid=new-visit-note]").await;
    browser.testid("supporter-mode").await;
    let note = here_id(&browser).await;
    browser.set_value("#q-visit-date-date", "2026-05-10").await;
    browser
        .click("section[data-field='visit.mode'] input[value=phone]")
        .await;
    browser
        .click("section[data-field='visit.phase'] input[value=intensive]")
        .await;
    browser
        .set_value("#q-next-next_visit-date", "2026-05-24")
        .await;

    open_timeline(&browser, &page).await;
    let rows = browser
        .eval(
            "return [...document.querySelectorAll('[data-testid=timeline-row]')].map((tr) =>
               [tr.dataset.record, tr.querySelector('th').textContent.trim(), tr.dataset.draft,
                tr.querySelector('[data-testid=timeline-key-values]').textContent]);",
            vec![],
        )
        .await;
    let rows = rows.as_array().unwrap();
    let order: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str().unwrap(), r[1].as_str().unwrap()))
        .collect();
    assert_eq!(
        order,
        [
            (earlier.as_str(), "2026-03-01"),
            (note.as_str(), "2026-05-10"),
            (later.as_str(), "2026-06-01")
        ]
    );
    // Never completed: every one is marked a draft.
    assert!(rows.iter().all(|r| r[2] == "true"), "{rows:?}");
    let note_values = rows[1][3].as_str().unwrap();
    for part in ["電話", "集中支援期", "次回 2026-05-24"] {
        assert!(note_values.contains(part), "{note_values}");
    }
    assert!(
        rows[0][3].as_str().unwrap().contains("気づくサイン（4） 3"),
        "{rows:?}"
    );

    // The sign grid's table: one column per assessment, oldest first, and how many times.
    let heads = browser
        .eval(
            "return [...document.querySelectorAll('[data-testid=sign-table] thead th[data-record]')].map((th) => th.dataset.record)",
            vec![],
        )
        .await;
    assert_eq!(heads, json!([earlier, later]));
    assert_eq!(
        table(&browser, "sign-table", "sign").await,
        json!([
            ["sleepy", "yes", "yes", "2"],
            ["yawning", "yes", "no", "1"],
            ["headache", "no", "yes", "1"],
            ["stiff_shoulders", "yes", "no", "1"],
        ])
    );
    let signs_row = browser
        .css("[data-testid=sign-table] tr[data-sign=sleepy]")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        signs_row.contains("眠くなる") && signs_row.contains("あり"),
        "{signs_row}"
    );
    // Counts per part of the sheet, and coping.
    let counts = table(&browser, "count-table", "category").await;
    assert_eq!(counts[1], json!(["signs", "3", "2"]), "{counts}");
    assert_eq!(counts[3], json!(["tiring", "（未記入）", "2"]), "{counts}");
    let coping = browser
        .css("[data-testid=coping-table] tbody")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        coping.find("できる限り我慢する").unwrap()
            < coping.find("休憩を取ってよいか、上司に聞く").unwrap(),
        "{coping}"
    );
    // The charts are drawn, and hidden from screen readers (the tables say it).
    let hidden = browser
        .eval(
            "return [...document.querySelectorAll('svg.chart')].map((s) => s.getAttribute('aria-hidden'))",
            vec![],
        )
        .await;
    assert_eq!(hidden, json!(["true", "true", "true"]));
    let marks = browser
        .eval(
            "return document.querySelectorAll('svg.sign-strip rect.cell.yes').length",
            vec![],
        )
        .await;
    assert_eq!(marks, json!(5));
    // Nothing serious for a screen reader or a keyboard (axe-core), charts and tables included.
    let violations = yorisoi_e2e::serious_violations(&browser).await;
    assert!(violations.is_empty(), "{violations:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_two_assessments_are_compared_by_an_address_naming_them() {
    any_two_assessments_are_compared_by_an_address_naming_them_in(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_two_assessments_are_compared_by_an_address_naming_them_in_webkit() {
    any_two_assessments_are_compared_by_an_address_naming_them_in(Engine::WebKit).await;
}

async fn any_two_assessments_are_compared_by_an_address_naming_them_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let browser = stack.browser().await;
    new_msfas(&stack, &browser).await;
    let first = answer_msfas(&browser, "2026-01-10", &["sleepy"], "endure", &[]).await;
    let page = client_page(&stack, &browser).await;
    let second = another_msfas(&browser, &page, "2026-04-10", &["sleepy"], "when_told").await;
    let newest = another_msfas(&browser, &page, "2026-07-10", &["sleepy"], "decide_myself").await;

    // Without a choice: the two newest, as before.
    browser.goto(&format!("{page}/compare")).await;
    assert_eq!(compared(&browser).await, (second.clone(), newest.clone()));

    // Picked on the compare page: the first and the second, neither the newest.
    // As a person picks in a list: the value, then its change event.
    browser
        .set_value("[data-testid=compare-first]", &second)
        .await;
    browser
        .set_value("[data-testid=compare-second]", &first)
        .await;
    browser.click("[data-testid=compare-show]").await;
    let mut url = String::new();
    for _ in 0..50 {
        url = browser.client.current_url().await.unwrap().to_string();
        if url.contains("a=") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        url.ends_with(&format!("/compare?a={second}&b={first}")),
        "{url}"
    );
    for _ in 0..50 {
        if compared(&browser).await == (first.clone(), second.clone()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        compared(&browser).await,
        (first.clone(), second.clone()),
        "earlier first"
    );
    let row = browser
        .css("tr[data-field='user1.q3']")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        row.contains("できる限り我慢する") && row.contains("声をかけられたら"),
        "{row}"
    );
    assert!(
        !row.contains("自分で判断し"),
        "the newest is not in it: {row}"
    );

    let violations = yorisoi_e2e::serious_violations(&browser).await;
    assert!(violations.is_empty(), "{violations:#?}");

    // The address is the comparison: opened again (a bookmark, a print), the same two.
    browser.goto(&url).await;
    assert_eq!(compared(&browser).await, (first.clone(), second.clone()));

    // From the timeline: the newest with the one before it.
    open_timeline(&browser, &page).await;
    browser
        .click(&format!(
            "tr[data-record='{newest}'] [data-testid=timeline-compare]"
        ))
        .await;
    for _ in 0..50 {
        if browser
            .client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("compare?")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(compared(&browser).await, (second, newest));
}
