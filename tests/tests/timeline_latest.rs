//! A long timeline (issue 21's measure): the page shows the newest records and assessments first
//! (drawn in one frame), says so, and one press shows every record; printing, from its button or
//! the browser's own print command, shows them all. Each table still matches what it shows. In
//! Chromium and WebKit.

use serde_json::{Value, json};
use std::time::Duration;
use yorisoi_e2e::flows::one_synced_msfas;
use yorisoi_e2e::{Browser, Engine, Stack};

const RECORDS: usize = 25;
/// The seeded client and its records (`Stack::seed_copies`).
const CLIENT: &str = "01a1ee56-0000-70c1-8000-000000000000";

fn seeded(r: usize) -> String {
    format!("01a1ee56-0000-72ec-8000-{r:012x}")
}

/// What the page shows: the list's record ids, the sign table's column ids, and the number of
/// cells in each row of the sign and count tables.
async fn shown(browser: &Browser) -> Value {
    browser
        .eval(
            "const ids = (sel) => [...document.querySelectorAll(sel)].map((e) => e.dataset.record);
             const cells = (id) => [...document.querySelectorAll(`[data-testid=${id}] tbody tr`)]
               .map((tr) => tr.querySelectorAll('td').length);
             return { rows: ids('[data-testid=timeline-row]'),
                      columns: ids('[data-testid=sign-table] thead th[data-record]'),
                      signs: cells('sign-table'), counts: cells('count-table') };",
            vec![],
        )
        .await
}

/// Waits until the page shows `rows` rows; what it shows then.
async fn showing(browser: &Browser, rows: usize) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        last = shown(browser).await;
        if last["rows"].as_array().map(Vec::len) == Some(rows) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("expected {rows} rows, the page shows {last}");
}

/// Opens the seeded client's timeline once the office's tablet holds all its records.
async fn open(stack: &Stack, browser: &Browser) {
    let page = stack.url(&format!("/clients/{CLIENT}/timeline"));
    for _ in 0..150 {
        browser.goto(&page).await;
        browser.testid("page-title").await;
        let total = browser
            .eval(
                "const t = document.querySelector('[data-testid=timeline-table]'); return t && t.dataset.total",
                vec![],
            )
            .await;
        if total == json!(RECORDS.to_string()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the office's tablet never held the client's {RECORDS} records");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_timeline_shows_the_newest_first_and_everything_on_request_and_in_print() {
    newest_first_in(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_timeline_shows_the_newest_first_and_everything_on_request_and_in_print_in_webkit() {
    newest_first_in(Engine::WebKit).await;
}

async fn newest_first_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    one_synced_msfas(&stack).await;
    stack.seed_copies(1, RECORDS).await;
    let browser = stack.browser_as("office").await;
    open(&stack, &browser).await;

    // At first: the newest 20 records and the newest 12 assessments, said in words.
    let first = showing(&browser, 20).await;
    assert!(browser.testid_now("timeline-rows-showing").await);
    assert!(browser.testid_now("timeline-columns-showing").await);
    let columns = first["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 12, "{first}");
    assert!(
        first["signs"].as_array().unwrap().iter().all(|n| n == 13),
        "12 marks and the times: {first}"
    );
    assert!(
        first["counts"].as_array().unwrap().iter().all(|n| n == 12),
        "{first}"
    );

    // Everything on request: every record a row, every MSFAS a column, each table as wide.
    browser.click("[data-testid=timeline-show-all]").await;
    let all = showing(&browser, RECORDS).await;
    let mut rows: Vec<String> = serde_json::from_value(all["rows"].clone()).unwrap();
    assert_eq!(
        all["columns"], all["rows"],
        "every record is an MSFAS, oldest first"
    );
    assert_eq!(
        first["rows"].as_array().unwrap()[..],
        all["rows"].as_array().unwrap()[RECORDS - 20..],
        "the first view was the newest 20"
    );
    assert_eq!(
        columns[..],
        all["columns"].as_array().unwrap()[RECORDS - 12..],
        "the first charts were the newest 12"
    );
    assert!(
        all["signs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n == &json!(RECORDS + 1)),
        "{all}"
    );
    assert!(
        all["counts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n == &json!(RECORDS)),
        "{all}"
    );
    rows.sort();
    let mut expected: Vec<String> = (0..RECORDS).map(seeded).collect();
    expected.sort();
    assert_eq!(rows, expected);
    assert!(!browser.testid_now("timeline-rows-showing").await);
    let mut focused = Value::Null;
    for _ in 0..20 {
        focused = browser
            .eval("return document.activeElement.id", vec![])
            .await;
        if focused == json!("timeline-records") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        focused,
        json!("timeline-records"),
        "focus moves to the list it filled"
    );

    // The print button prints everything (the print dialog replaced, to see what it would print).
    open(&stack, &browser).await;
    showing(&browser, 20).await;
    browser
        .eval(
            "window.print = () => { window.printed = document.querySelectorAll('[data-testid=timeline-row]').length
               + '/' + document.querySelectorAll('[data-testid=sign-table] thead th[data-record]').length; };",
            vec![],
        )
        .await;
    browser.click("[data-testid=timeline-print]").await;
    let mut printed = Value::Null;
    for _ in 0..50 {
        printed = browser.eval("return window.printed || null", vec![]).await;
        if !printed.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(printed, json!(format!("{RECORDS}/{RECORDS}")));

    // The browser's own print command (Ctrl+P) too: it says `beforeprint` first.
    open(&stack, &browser).await;
    showing(&browser, 20).await;
    browser
        .eval("window.dispatchEvent(new Event('beforeprint'))", vec![])
        .await;
    showing(&browser, RECORDS).await;
}
