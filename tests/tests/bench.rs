//! Browser benchmarks on the release build, run by `cargo xtask bench` (ignored by `cargo test`):
//! the first sync of 10,000 records into a fresh browser, start-up with them stored, how fast an
//! edit is durable, and how many unsent changes fit in localStorage. Prints one `BENCH {json}`
//! line; xtask writes the figures into BENCHMARKS.md. Times are medians, never asserted.

use serde_json::{Value, json};
use std::time::Duration;
use yorisoi_e2e::flows::{client_count, one_synced_msfas, open_first_record};
use yorisoi_e2e::{Browser, Stack};

const RECORDS: usize = 10_000;
const CLIENTS: usize = 100;

/// 200 edits of one answer; each is timed from the input event until its handler has returned
/// (the change is sealed and written to localStorage inside it), and checked to be in storage.
const EDITS: &str = "const done = arguments[arguments.length - 1];
    const field = document.querySelector('#q-user1-q5-line1');
    const outbox = () => Object.keys(localStorage).filter((k) => k.startsWith('yorisoi.outbox.'));
    const times = [];
    let before = outbox().map((k) => localStorage.getItem(k)).join('');
    for (let i = 0; i < 200; i++) {
        const text = '慣れた作業のとき' + i;
        const start = performance.now();
        field.value = text;
        field.dispatchEvent(new Event('input', { bubbles: true }));
        times.push(performance.now() - start);
        // Stored sealed: the entry is checked to have changed, not read.
        const now = outbox().map((k) => localStorage.getItem(k)).join('');
        if (now === before) { done({ error: 'edit ' + i + ' not in storage' }); return; }
        before = now;
    }
    times.sort((a, b) => a - b);
    done({ median: times[100], p95: times[190], max: times[199] });";

/// How many copies of one unsent change fit before the browser refuses more.
const CAPACITY: &str =
    "const key = Object.keys(localStorage).find((k) => k.startsWith('yorisoi.outbox.'));
    const text = localStorage.getItem(key);
    let count = 0;
    try {
        for (;;) {
            localStorage.setItem('bench.copy.' + count, text);
            count++;
        }
    } catch (e) {
        return { fitted: count, change_bytes: 2 * (key.length + text.length), error: e.name };
    }";

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

async fn wait_for_first_sync(browser: &Browser) {
    for _ in 0..3000 {
        let last = browser.testid("sync-last").await;
        let synced = last.attr("data-synced-at").await.unwrap();
        if synced.as_deref() != Some("0")
            && last.attr("data-state").await.unwrap().as_deref() == Some("idle")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the first sync did not finish in 5 minutes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench`"]
async fn bench_first_sync_and_local_records() {
    let stack = Stack::start().await;
    one_synced_msfas(&stack).await;
    let seeded = stack.seed_copies(CLIENTS, RECORDS).await;
    let total_changes = stack.server_log().await.len();

    // First sync into a fresh browser: from pressing サインイン (the office, who reads every
    // client) until the sync has finished; the sign-in itself is in the figure.
    let browser = Browser::start().await;
    browser.goto(&stack.url("/")).await;
    browser.type_into("[data-testid=login]", "office").await;
    browser
        .type_into("[data-testid=password]", yorisoi_e2e::PASSWORD)
        .await;
    let pressed = browser
        .eval("return Date.now()", vec![])
        .await
        .as_f64()
        .unwrap();
    browser.click("[data-testid=sign-in]").await;
    browser.remember_password(yorisoi_e2e::PASSWORD);
    wait_for_first_sync(&browser).await;
    let first_sync_ms = browser
        .eval(
            "return Number(document.querySelector('[data-testid=sync-last]').dataset.syncedAt)",
            vec![],
        )
        .await
        .as_f64()
        .unwrap()
        - pressed;
    browser.goto(&stack.url("/clients")).await;
    assert_eq!(
        client_count(&browser).await,
        CLIENTS + 1,
        "every client arrived"
    );

    // Start-up with everything stored. The app opens locked (its keys live in memory only):
    // the password is typed, its key derived (Argon2id), then everything stored is opened and
    // read. Timed apart, from the app's own marks.
    let mut starts = Vec::new();
    let mut unlocks = Vec::new();
    let mut parts: [Vec<f64>; 4] = Default::default();
    for _ in 0..7 {
        browser.goto(&stack.url("/clients")).await;
        browser.testid("client-list").await;
        let marks = browser
            .eval(
                "const m = (n) => performance.getEntriesByName(n)[0].startTime;
                 return [m('yorisoi-interactive') - m('yorisoi-unlocked'), m('yorisoi-unlocked') - m('yorisoi-unlock'),
                   m('yorisoi-store-read') - m('yorisoi-unlocked'), m('yorisoi-replica') - m('yorisoi-store-read'),
                   m('yorisoi-rebuilt') - m('yorisoi-replica'), m('yorisoi-interactive') - m('yorisoi-rebuilt')];",
                vec![],
            )
            .await;
        unlocks.push(marks[1].as_f64().expect("the app marks its unlock"));
        for (n, part) in parts.iter_mut().enumerate() {
            part.push(
                marks[n + 2]
                    .as_f64()
                    .expect("the app marks its start-up's parts"),
            );
        }
        let mark = marks[0].clone();
        starts.push(mark.as_f64().expect("the app marks when it is interactive"));
    }

    open_first_record(&stack, &browser).await;
    let edits = browser.client.execute_async(EDITS, vec![]).await.unwrap();
    assert!(edits.get("error").is_none(), "{edits}");
    let capacity = browser.eval(CAPACITY, vec![]).await;

    let first_sync_s = first_sync_ms / 1000.0;
    let result: Value = json!({
        "records": RECORDS + 1,
        "changes": total_changes,
        "seeded_changes": seeded,
        "first_sync_s": first_sync_s,
        "records_per_s": (RECORDS + 1) as f64 / first_sync_s,
        "changes_per_s": total_changes as f64 / first_sync_s,
        "start_to_interactive_ms_median": median(starts),
        "unlock_ms_median": median(unlocks),
        "start_read_ms": median(parts[0].clone()),
        "start_replica_ms": median(parts[1].clone()),
        "start_rebuild_ms": median(parts[2].clone()),
        "start_render_ms": median(parts[3].clone()),
        "edit_to_durable_ms": edits,
        "capacity": capacity,
    });
    println!("BENCH {result}");
}
