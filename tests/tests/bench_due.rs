//! The support pages' benchmark on the release build, run by `cargo xtask bench due` (ignored by
//! `cargo test`): an office's 10,000 visit notes of 100 clients with plans on the tablet, then the
//! home screen's 今日・今週の予定 opened from another page (the nav link pressed → the list on
//! screen, by the page's own marks), and the monthly report of a client with a year of weekly
//! notes. Prints one `BENCH {json}` line; xtask writes the figures into BENCHMARKS.md. Times are
//! medians, never asserted.

use serde_json::{Value, json};
use std::time::Duration;
use yorisoi_domain::date::Date;
use yorisoi_domain::ids::{ClientId, RecordId};
use yorisoi_e2e::support::browser_today;
use yorisoi_e2e::{Browser, Stack, api_session, new_device_id};

const CLIENTS: u64 = 100;
const NOTES_PER_CLIENT: u64 = 100;
const RUNS: usize = 7;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn id_bytes(n: u64, tag: u8) -> [u8; 10] {
    let b = n.to_le_bytes();
    [tag, b[0], b[1], b[2], b[3], 1, 2, 3, 4, tag]
}

/// The changes of one visit note.
fn note(changes: &mut Vec<Value>, device: &str, client: ClientId, n: u64, date: Date, mode: &str) {
    let record = RecordId::new_v7(1_795_000_000_000 + n, id_bytes(n, 0x2e));
    let entity = json!({"type": "record", "id": record});
    let fields = [
        ("kind", json!("visit_note")),
        (
            "instrument",
            json!({"id": "visit-note", "edition": "2026", "version": 1}),
        ),
        ("created_at", json!(1_795_000_000_000u64 + n)),
        ("status", json!("complete")),
        ("answers.visit.date", json!({"type": "date", "value": date})),
        (
            "answers.visit.mode",
            json!({"type": "single", "choice": mode}),
        ),
        (
            "answers.visit.phase",
            json!({"type": "single", "choice": "follow_up"}),
        ),
        (
            "answers.visit.staff",
            json!({"type": "text", "lines": [format!("コーチ{}", n % 7)]}),
        ),
        (
            "answers.support.to_client",
            json!({"type": "text", "lines": ["手順書を一緒に確認した。休憩の取り方を相談した。"]}),
        ),
        (
            "answers.comments.client",
            json!({"type": "text", "lines": ["最近は疲れが少ない。"]}),
        ),
        (
            "answers.next.next_visit",
            json!({"type": "date", "value": date.add_days(7).unwrap()}),
        ),
    ];
    for (field, value) in fields {
        let seq = changes.len() + 1;
        changes.push(json!({"id": {"device": device, "seq": seq}, "entity": entity, "client": client, "field": field, "base": [], "value": value}));
    }
}

fn client(changes: &mut Vec<Value>, device: &str, id: ClientId, name: &str, f2f: bool) {
    let entity = json!({"type": "client", "id": id});
    let mut fields = vec![
        ("name", json!(name)),
        ("created_at", json!(1_795_000_000_000u64)),
    ];
    if f2f {
        fields.push(("plan.face_to_face_per_month", json!(1)));
        fields.push(("plan.visits", json!({"count": 1, "per": "week"})));
        fields.push(("plan.phase", json!("follow_up")));
    }
    for (field, value) in fields {
        let seq = changes.len() + 1;
        changes.push(json!({"id": {"device": device, "seq": seq}, "entity": entity, "client": id, "field": field, "base": [], "value": value}));
    }
}

async fn push_all(stack: &Stack, changes: &[Value], device: &str) {
    let cookie = api_session(&stack.server.url(""), "office", device).await;
    let http = reqwest::Client::new();
    for batch in changes.chunks(500) {
        let response = http
            .post(stack.url("/api/v1/sync/push"))
            .header("cookie", &cookie)
            .json(&json!({"format": 1, "device": device, "changes": batch}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }
}

/// Presses the link `selector` and returns the ms from the press (the page's own click event) to
/// the latest `mark` after it.
async fn press_until_mark(browser: &Browser, selector: &str, mark: &str) -> f64 {
    browser
        .eval(
            "performance.clearMarks(arguments[0]);
             document.addEventListener('click', () => { window.benchPressed = performance.now(); }, { capture: true, once: true });",
            vec![json!(mark)],
        )
        .await;
    browser.click(selector).await;
    for _ in 0..600 {
        let ms = browser
            .eval(
                "const marks = performance.getEntriesByName(arguments[0]);
                 return marks.length && window.benchPressed !== undefined ? marks[marks.length - 1].startTime - window.benchPressed : null;",
                vec![json!(mark)],
            )
            .await;
        if let Some(ms) = ms.as_f64() {
            return ms;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{mark} never came after pressing {selector}");
}

/// The due list's latest computation (ms), between the page's marks around it.
async fn due_compute(browser: &Browser) -> f64 {
    browser
        .eval(
            "const s = performance.getEntriesByName('yorisoi-due-start');
             const e = performance.getEntriesByName('yorisoi-due-end');
             return s.length && e.length ? e[e.length - 1].startTime - s[s.length - 1].startTime : null;",
            vec![],
        )
        .await
        .as_f64()
        .unwrap_or(f64::NAN)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: cargo xtask bench due"]
async fn due_list_and_monthly_report_on_a_full_tablet() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    browser.goto(&stack.url("/")).await;
    let today = browser_today(&browser).await;
    let device = new_device_id();
    let mut changes = Vec::new();
    let modes = ["visit", "phone", "online", "office"];
    let mut n = 0;
    for c in 0..CLIENTS {
        let id = ClientId::new_v7(1_795_000_000_000, id_bytes(c, 0xc1));
        client(
            &mut changes,
            &device,
            id,
            &format!("利用者 {c}"),
            c % 2 == 0,
        );
        for k in 0..NOTES_PER_CLIENT {
            n += 1;
            // Every three days back from today: some clients due, some overdue.
            let date = today.add_days(-((k * 3 + c % 5) as i64)).unwrap();
            note(&mut changes, &device, id, n, date, modes[(k % 4) as usize]);
        }
    }
    // One client with a year of weekly notes.
    let yearly = ClientId::new_v7(1_795_000_000_000, id_bytes(999, 0xc2));
    client(&mut changes, &device, yearly, "一年 週一", true);
    for week in 0..52 {
        n += 1;
        note(
            &mut changes,
            &device,
            yearly,
            n,
            today.add_days(-(week * 7)).unwrap(),
            modes[(week % 4) as usize],
        );
    }
    push_all(&stack, &changes, &device).await;
    let records = n;

    // The office's tablet holds it all.
    stack.sign_in(&browser, "office").await;
    for _ in 0..3000 {
        let ready = browser
            .eval("return performance.getEntriesByName('yorisoi-all-loaded').length > 0 && document.querySelectorAll('[data-testid=due-item]').length > 0;", vec![])
            .await;
        if ready == json!(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let listed = browser
        .eval(
            "return document.querySelectorAll('[data-testid=due-item]').length;",
            vec![],
        )
        .await;

    // The home screen opened from another page: the nav link pressed → the due list on screen.
    let (mut open, mut compute) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        browser.click("header nav a[href='/sync']").await;
        browser.testid("sync-now").await;
        open.push(
            press_until_mark(
                &browser,
                "header nav a[href='/clients']",
                "yorisoi-due-shown",
            )
            .await,
        );
        compute.push(due_compute(&browser).await);
    }

    // The year-of-notes client's monthly report, opened from their page.
    let mut report = Vec::new();
    for _ in 0..RUNS {
        browser
            .goto(&stack.url(&format!("/clients/{yearly}")))
            .await;
        browser.testid("report-link").await;
        report.push(
            press_until_mark(
                &browser,
                "[data-testid=report-link]",
                "yorisoi-report-shown",
            )
            .await,
        );
    }
    println!(
        "BENCH {}",
        json!({
            "due_records": records,
            "due_clients": CLIENTS + 1,
            "due_listed": listed,
            "due_open_ms_median": median(open.clone()),
            "due_open_runs_ms": open.iter().map(|m| format!("{m:.0}")).collect::<Vec<_>>().join(" "),
            "due_compute_ms_median": median(compute),
            "report_open_ms_median": median(report.clone()),
            "report_open_runs_ms": report.iter().map(|m| format!("{m:.0}")).collect::<Vec<_>>().join(" "),
        })
    );
}
