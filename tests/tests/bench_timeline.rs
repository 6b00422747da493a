//! The timeline (経過) benchmark, run by `cargo xtask bench timeline` (ignored by `cargo test`):
//! an office's tablet holding 10,000 records of 100 clients opens one client's timeline, 100
//! MSFAS: the newest 20 as rows and the newest 12 in the sign grid, counts and coping charts and
//! tables (the page's first view; the rest on request). Timed by the page itself,
//! from the press of 経過を見る on the client's page until the frame the timeline is drawn in (the
//! app's `yorisoi-timeline` mark), seven times; the median. Prints one `BENCH {json}` line.

use serde_json::{Value, json};
use std::time::Duration;
use yorisoi_e2e::flows::one_synced_msfas;
use yorisoi_e2e::{Browser, Stack};

const RECORDS: usize = 10_000;
const CLIENTS: usize = 100;
const RUNS: usize = 7;

/// Presses 経過を見る and waits for the timeline's mark after the press; the time between (ms).
const OPEN_TIMELINE: &str = "const done = arguments[arguments.length - 1];
    performance.clearMarks('yorisoi-timeline');
    performance.clearMarks('yorisoi-timeline-open');
    const link = document.querySelector('[data-testid=timeline-link]');
    const pressed = performance.now();
    link.click();
    const started = Date.now();
    const wait = () => {
      const mark = performance.getEntriesByName('yorisoi-timeline').find((m) => m.startTime >= pressed);
      if (mark) {
        const open = performance.getEntriesByName('yorisoi-timeline-open').find((m) => m.startTime >= pressed);
        done({ ms: mark.startTime - pressed,
               open_ms: open ? open.startTime - pressed : null,
               rows: document.querySelectorAll('[data-testid=timeline-row]').length,
               total: Number(document.querySelector('[data-testid=timeline-table]').dataset.total),
               columns: document.querySelectorAll('[data-testid=sign-table] thead th[data-record]').length });
      } else if (Date.now() - started > 60000) {
        done({ error: 'the timeline did not draw in 60 s' });
      } else {
        setTimeout(wait, 5);
      }
    };
    wait();";

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Signs the office in on a fresh browser and waits until its first sync is done and every
/// client's records are read into memory.
async fn office_tablet(stack: &Stack) -> Browser {
    let browser = Browser::start().await;
    stack.sign_in(&browser, "office").await;
    for _ in 0..3000 {
        let loaded = browser
            .eval(
                "const last = document.querySelector('[data-testid=sync-last]');
                 return !!last && last.dataset.syncedAt !== '0' && last.dataset.state === 'idle'
                   && performance.getEntriesByName('yorisoi-all-loaded').length > 0
                   && document.querySelectorAll('[data-testid=client-link]').length > 100;",
                vec![],
            )
            .await;
        if loaded == json!(true) {
            return browser;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the office's first sync did not finish in 5 minutes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench timeline`"]
async fn bench_a_clients_timeline_on_a_tablet_holding_an_office() {
    let stack = Stack::start().await;
    one_synced_msfas(&stack).await;
    stack.seed_copies(CLIENTS, RECORDS).await;
    stack.fold_state().await;
    let browser = office_tablet(&stack).await;
    // A seeded client (100 MSFAS), not the template's.
    let client = "01a1ee56-0000-70c1-8000-000000000007";
    let page = stack.url(&format!("/clients/{client}"));
    let mut times = Vec::new();
    let mut opens = Vec::new();
    let mut last: Value = Value::Null;
    for _ in 0..RUNS {
        browser.goto(&page).await;
        browser.testid("timeline-link").await;
        // The client's records on screen, and every other client's read in the background
        // (so that no loading runs into the measurement).
        browser.testid("timeline").await;
        for _ in 0..600 {
            let all = browser
                .eval(
                    "return performance.getEntriesByName('yorisoi-all-loaded').length > 0",
                    vec![],
                )
                .await;
            if all == json!(true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        last = browser
            .client
            .execute_async(OPEN_TIMELINE, vec![])
            .await
            .unwrap();
        assert!(last.get("error").is_none(), "{last}");
        times.push(last["ms"].as_f64().unwrap());
        opens.push(last["open_ms"].as_f64().expect("the page marks its start"));
    }
    // The first view: the newest 20 rows of the client's 100 and the newest 12 assessments
    // (the rest one press away, `timeline_latest.rs`).
    assert_eq!(
        last["total"],
        json!(RECORDS / CLIENTS),
        "every record of the client is in the timeline"
    );
    assert_eq!(last["rows"], json!(20), "the newest 20 are rows");
    assert_eq!(
        last["columns"],
        json!(12),
        "the newest 12 MSFAS are columns"
    );
    let result = json!({
        "timeline_records": RECORDS + 1,
        "timeline_client_records": RECORDS / CLIENTS,
        "timeline_runs_ms": times.iter().map(|m| format!("{m:.0}")).collect::<Vec<_>>().join(" / "),
        "timeline_ms_median": median(times),
        "timeline_open_ms_median": median(opens),
    });
    println!("BENCH {result}");
}
