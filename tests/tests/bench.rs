//! Benchmarks of local records in real Chromium on the release build, run by `cargo xtask bench`
//! (ignored by `cargo test`). Each prints one `BENCH {json}` line; xtask writes the figures into
//! BENCHMARKS.md. Times are medians over repeated runs in one browser, never asserted.

use serde_json::{Value, json};
use yorisoi_e2e::flows::{fill_sheet_1, new_msfas};
use yorisoi_e2e::{Browser, Stack};

const SEEDED: usize = 2_000;

/// Copies the one real record made through the UI into `count` records of the same client
/// and size, under fresh ids, straight into storage. Returns the record's key.
const SEED: &str = "const count = arguments[0];
    const key = Object.keys(localStorage).find((k) => k.startsWith('yorisoi.record.'));
    const template = JSON.parse(localStorage.getItem(key));
    for (let i = 0; i < count; i++) {
        const copy = structuredClone(template);
        copy.record.id = crypto.randomUUID();
        localStorage.setItem('yorisoi.record.' + copy.record.id, JSON.stringify(copy));
    }
    return key;";

/// 200 edits of one answer; each is timed from the input event until storage holds the text.
const EDITS: &str = "const done = arguments[arguments.length - 1];
    const key = arguments[0];
    const field = document.querySelector('#q-user1-q5-line1');
    const times = [];
    for (let i = 0; i < 200; i++) {
        const text = '慣れた作業のとき' + i;
        const start = performance.now();
        field.value = text;
        field.dispatchEvent(new Event('input', { bubbles: true }));
        if (!localStorage.getItem(key).includes(text)) { done({ error: 'edit ' + i + ' not in storage' }); return; }
        times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    done({ median: times[100], p95: times[190], max: times[199] });";

/// How many copies of the record fit before the browser refuses more.
const CAPACITY: &str =
    "const key = Object.keys(localStorage).find((k) => k.startsWith('yorisoi.record.'));
    const text = localStorage.getItem(key);
    let count = 0;
    try {
        for (;;) {
            const copy = JSON.parse(text);
            copy.record.id = crypto.randomUUID();
            localStorage.setItem('yorisoi.record.' + copy.record.id, JSON.stringify(copy));
            count++;
        }
    } catch (e) {
        return { fitted: count, record_bytes: 2 * (key.length + text.length), error: e.name };
    }";

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench`"]
async fn bench_local_records() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    new_msfas(&stack, &browser).await;
    fill_sheet_1(&browser).await;
    let record_page = browser.eval("return location.pathname", vec![]).await;
    let key = browser.eval(SEED, vec![json!(SEEDED - 1)]).await;

    // Start to interactive with 2,000 records stored: navigation start to the app's mark.
    let mut starts = Vec::new();
    for _ in 0..7 {
        browser.goto(&stack.url("/clients")).await;
        browser.testid("client-list").await;
        let mark = browser
            .eval(
                "return performance.getEntriesByName('yorisoi-interactive')[0].startTime",
                vec![],
            )
            .await;
        starts.push(mark.as_f64().expect("the app marks when it is interactive"));
    }

    browser
        .goto(&stack.url(record_page.as_str().unwrap()))
        .await;
    browser.testid("supporter-mode").await;
    let edits = browser
        .client
        .execute_async(EDITS, vec![key])
        .await
        .unwrap();
    assert!(edits.get("error").is_none(), "{edits}");

    let fresh = Browser::start().await;
    new_msfas(&stack, &fresh).await;
    fill_sheet_1(&fresh).await;
    let capacity = fresh.eval(CAPACITY, vec![]).await;

    let result: Value = json!({
        "records": SEEDED,
        "start_to_interactive_ms_median": median(starts),
        "edit_to_durable_ms": edits,
        "capacity": capacity,
    });
    println!("BENCH {result}");
}
