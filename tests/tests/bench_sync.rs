//! Sync benchmarks against the real server binary (release, from `cargo xtask bench`), with
//! accounts on: push throughput from 200 concurrent simulated devices, each signed in with a
//! session of its own as one of 20 coaches and writing only its coach's clients, on SQLite and on
//! PostgreSQL; what one sign-in costs; and what a pull costs as the log grows, for the office
//! (every client) and for one coach's device (its clients only). Ignored by `cargo test`; prints
//! one `BENCH {json}` line per backend.

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use yorisoi_e2e::{Server, api_session, dist};

const DEVICES: usize = 200;
const COACHES: usize = 20;
const PUSHES: usize = 25;
const BATCH: usize = 20;

fn uuid(n: u64, tag: u8) -> String {
    format!(
        "01a1ee56-{:04x}-7{tag:03x}-8000-{n:012x}",
        (n >> 32) & 0xffff
    )
}

fn push_body(device: usize, push: usize) -> Value {
    let device_id = uuid(device as u64, 1);
    let changes: Vec<Value> = (0..BATCH)
        .map(|i| {
            let seq = (push * BATCH + i + 1) as u64;
            // The sheet's two free-text questions: a text answer is valid for them.
            let field = if i % 2 == 0 {
                "answers.user1.q2"
            } else {
                "answers.user1.q5"
            };
            // Each answer is edited over and over by its device, every edit replacing the one it
            // saw, as the app writes them: the change ten numbers back is the same answer's.
            let base = if seq > 10 {
                json!([{"device": device_id, "seq": seq - 10}])
            } else {
                json!([])
            };
            json!({
                "id": {"device": device_id, "seq": seq},
                "entity": {"type": "record", "id": uuid((device * 10 + i % 10) as u64, 2)},
                "client": uuid(device as u64, 3),
                "field": field,
                "base": base,
                "value": {"type": "text", "lines": [format!("回答 {device}-{seq}: 午後のピッキングで疲れやすい")]}
            })
        })
        .collect();
    json!({"format": 1, "device": device_id, "changes": changes})
}

/// Creates, from a device of its own, every record the benchmark's devices write answers to (the
/// server checks each answer against its record's instrument); returns how many changes that was.
async fn create_records(
    http: &reqwest::Client,
    server: &Server,
    devices: impl Iterator<Item = usize>,
) -> usize {
    let creator = uuid(999_999, 9);
    let cookie = api_session(&server.url(""), "office", &creator).await;
    let catalogue = yorisoi_domain::catalogue::Catalogue::builtin().unwrap();
    let msfas = serde_json::to_value(catalogue.latest("msfas").unwrap().reference()).unwrap();
    let mut changes = Vec::new();
    for device in devices {
        for record in 0..10 {
            changes.push(json!({
                "id": {"device": creator, "seq": changes.len() + 1},
                "entity": {"type": "record", "id": uuid((device * 10 + record) as u64, 2)},
                "client": uuid(device as u64, 3),
                "field": "instrument",
                "base": [],
                "value": msfas,
            }));
        }
    }
    for batch in changes.chunks(500) {
        let answer: Value = http
            .post(server.url("/api/v1/sync/push"))
            .header("cookie", &cookie)
            .json(&json!({"format": 1, "device": creator, "changes": batch}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(answer["refused"].is_null(), "{answer}");
    }
    changes.len()
}

/// Median time of a coach's device pulling everything of its clients after `since` (all pages),
/// echoing the hand-over it received, as the app does; and how many changes that was.
async fn scoped_pull_cost(
    http: &reqwest::Client,
    server: &Server,
    cookie: &str,
    from: u64,
) -> (f64, u64) {
    let mut times = Vec::new();
    let mut received = 0;
    let mut scope = 0;
    for _ in 0..9 {
        let started = Instant::now();
        let mut since = from;
        received = 0;
        loop {
            let page: Value = http
                .get(server.url(&format!(
                    "/api/v1/sync/pull?format=1&since={since}&limit=500&scope={scope}"
                )))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            received += page["changes"].as_array().unwrap().len() as u64;
            if let Some(token) = page["scope"]["token"].as_u64() {
                scope = token;
            }
            since = page["cursor"].as_u64().unwrap();
            if !page["more"].as_bool().unwrap() {
                break;
            }
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], received)
}

/// Median time of a whole bootstrap (every page) for a device, and how many fields it holds.
async fn bootstrap_cost(http: &reqwest::Client, server: &Server, cookie: &str) -> (f64, u64) {
    let mut times = Vec::new();
    let mut fields = 0;
    for _ in 0..7 {
        let started = Instant::now();
        let mut after: Option<String> = None;
        fields = 0;
        loop {
            let mut url = server.url("/api/v1/sync/bootstrap?format=2");
            if let Some(after) = &after {
                url.push_str(&format!("&after={}", urlencode(after)));
            }
            let body = http
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            let page = yorisoi_domain::sync::protocol::FramedPage::read(&body).unwrap();
            fields += page.head.fields;
            let page = json!({"next": page.head.next});
            match page["next"].as_str() {
                Some(next) => after = Some(next.to_owned()),
                None => break,
            }
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (times[times.len() / 2], fields)
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The coach a device's person is, by the device's number.
fn coach_of(device: usize) -> String {
    format!("coach{}", device % COACHES)
}

/// Signs every device in as its coach, after assigning each device's client to that coach;
/// returns each device's cookie and the sign-ins' median time in ms.
async fn sign_in_devices(
    http: &reqwest::Client,
    server: &Server,
    devices: &[usize],
) -> (std::collections::HashMap<usize, String>, f64) {
    let admin = api_session(&server.url(""), "admin", &uuid(999_998, 9)).await;
    let people: Vec<Value> = http
        .get(server.url("/api/v1/people"))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id_of = |login: &str| {
        people
            .iter()
            .find(|p| p["login"] == login)
            .map(|p| p["id"].clone())
            .unwrap()
    };
    let mut cookies = std::collections::HashMap::new();
    let mut times = Vec::new();
    for &device in devices {
        let response = http
            .post(server.url("/api/v1/assignments"))
            .header("cookie", &admin)
            .json(&json!({"person": id_of(&coach_of(device)), "client": uuid(device as u64, 3)}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        let started = Instant::now();
        cookies.insert(
            device,
            api_session(&server.url(""), &coach_of(device), &uuid(device as u64, 1)).await,
        );
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (cookies, times[times.len() / 2])
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Median time of the office's pull of the `count` newest changes.
async fn pull_cost(http: &reqwest::Client, server: &Server, cookie: &str, count: u64) -> f64 {
    let total = total_changes(http, server, cookie).await;
    let since = total.saturating_sub(count);
    let mut times = Vec::new();
    for _ in 0..15 {
        let started = Instant::now();
        let page: Value = http
            .get(server.url(&format!(
                "/api/v1/sync/pull?format=1&since={since}&limit={count}"
            )))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(
            page["changes"].as_array().unwrap().len() as u64,
            count.min(total)
        );
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

async fn total_changes(http: &reqwest::Client, server: &Server, cookie: &str) -> u64 {
    // The server's sequence is dense in this benchmark: the cursor after everything is the count.
    let mut since = 0;
    loop {
        let page: Value = http
            .get(server.url(&format!(
                "/api/v1/sync/pull?format=1&since={since}&limit=500"
            )))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        since = page["cursor"].as_u64().unwrap();
        if !page["more"].as_bool().unwrap() {
            return since;
        }
    }
}

async fn run(backend: &str, flags: &[&str]) -> Value {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(&dist(), data.path(), flags).await;
    server.add_person("admin", "admin");
    server.add_person("office", "office");
    for coach in 0..COACHES {
        server.add_person(&format!("coach{coach}"), "coach");
    }
    // Every request carries a device secret, as the app's do (issue 19): each device's first
    // request registers it, and every later one is checked against it.
    let mut proof = reqwest::header::HeaderMap::new();
    proof.insert(
        "x-yorisoi-device-proof",
        reqwest::header::HeaderValue::from_static(
            "5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2",
        ),
    );
    let http = reqwest::Client::builder()
        .default_headers(proof)
        .pool_max_idle_per_host(DEVICES)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let office = api_session(&server.url(""), "office", &uuid(999_997, 9)).await;

    let all_devices: Vec<usize> = (0..=DEVICES + 1).chain(10_000..10_000 + DEVICES).collect();
    let created = create_records(&http, &server, all_devices.iter().copied()).await;
    let (cookies, sign_in_ms) = sign_in_devices(&http, &server, &all_devices).await;
    let cookies = std::sync::Arc::new(cookies);
    // A small log first, to price a pull before the log is large.
    let warm = push_body(DEVICES + 1, 0);
    for push in 0..5 {
        let mut body = push_body(DEVICES + 1, push);
        body["device"] = warm["device"].clone();
        http.post(server.url("/api/v1/sync/push"))
            .header("cookie", &cookies[&(DEVICES + 1)])
            .json(&body)
            .send()
            .await
            .unwrap();
    }
    let pull_small_log = pull_cost(&http, &server, &office, 100).await;
    assert_eq!(
        total_changes(&http, &server, &office).await,
        (created + 5 * BATCH) as u64,
        "the warm-up pushes are stored, none refused"
    );

    let started = Instant::now();
    let tasks: Vec<_> = (0..DEVICES)
        .map(|device| {
            let http = http.clone();
            let url = server.url("/api/v1/sync/push");
            let cookie = cookies[&device].clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(PUSHES);
                for push in 0..PUSHES {
                    let body = push_body(device, push);
                    let sent = Instant::now();
                    let response = http
                        .post(&url)
                        .header("cookie", &cookie)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert!(
                        response.status().is_success(),
                        "push failed: {}",
                        response.status()
                    );
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let changes = (DEVICES * PUSHES * BATCH) as f64;
    let total = total_changes(&http, &server, &office).await;
    assert_eq!(
        total,
        (created + DEVICES * PUSHES * BATCH + 5 * BATCH) as u64,
        "every change is stored exactly once, none refused"
    );
    let pull_large_log = pull_cost(&http, &server, &office, 100).await;
    let (paced_p50, paced_p99, paced_rate) = paced(&http, &server, &cookies).await;
    let pull_large_log_500 = pull_cost(&http, &server, &office, 500).await;
    // One coach's device: its clients only, from nothing and from near the head.
    let coach_device = api_session(&server.url(""), "coach0", &uuid(999_996, 9)).await;
    let (scoped_full_ms, scoped_full) = scoped_pull_cost(&http, &server, &coach_device, 0).await;
    let (coach_bootstrap_ms, coach_bootstrap_fields) =
        bootstrap_cost(&http, &server, &coach_device).await;
    let (office_bootstrap_ms, office_bootstrap_fields) =
        bootstrap_cost(&http, &server, &office).await;
    let head = total_changes(&http, &server, &office).await;
    let (scoped_tail_ms, scoped_tail) =
        scoped_pull_cost(&http, &server, &coach_device, head.saturating_sub(1000)).await;
    json!({
        "backend": backend,
        "devices": DEVICES,
        "changes": changes,
        "changes_per_second": changes / seconds,
        "push_p50_ms": percentile(&latencies, 0.5),
        "push_p99_ms": percentile(&latencies, 0.99),
        "paced_changes_per_second": paced_rate,
        "paced_p50_ms": paced_p50,
        "paced_p99_ms": paced_p99,
        "server_peak_memory_mb": server.peak_memory_kb().map(|kb| kb as f64 / 1024.0),
        "log_small": created + 5 * BATCH,
        "pull_100_small_log_ms": pull_small_log,
        "log_large": total,
        "pull_100_large_log_ms": pull_large_log,
        "pull_500_large_log_ms": pull_large_log_500,
        "sign_in_ms_median": sign_in_ms,
        "clients": all_devices.len(),
        "coaches": COACHES,
        "coach_clients": all_devices.len() / COACHES,
        "coach_pull_everything_ms": scoped_full_ms,
        "coach_pull_everything_changes": scoped_full,
        "coach_pull_last_1000_ms": scoped_tail_ms,
        "coach_pull_last_1000_changes": scoped_tail,
        "coach_bootstrap_ms": coach_bootstrap_ms,
        "coach_bootstrap_fields": coach_bootstrap_fields,
        "office_bootstrap_ms": office_bootstrap_ms,
        "office_bootstrap_fields": office_bootstrap_fields,
    })
}

/// Open loop: 200 devices each push a batch every 400 ms (together 10,000 changes a second, the
/// goal's rate) for 10 seconds; returns push latency p50 and p99 and the rate achieved.
async fn paced(
    http: &reqwest::Client,
    server: &Server,
    cookies: &std::sync::Arc<std::collections::HashMap<usize, String>>,
) -> (f64, f64, f64) {
    const ROUNDS: usize = 25;
    let started = Instant::now();
    let tasks: Vec<_> = (0..DEVICES)
        .map(|device| {
            let http = http.clone();
            let url = server.url("/api/v1/sync/push");
            let cookie = cookies[&(device + 10_000)].clone();
            tokio::spawn(async move {
                // Spread the devices over the interval, as real ones would be.
                tokio::time::sleep(Duration::from_millis(
                    (device as u64 * 400) / DEVICES as u64,
                ))
                .await;
                let mut ticker = tokio::time::interval(Duration::from_millis(400));
                let mut latencies = Vec::with_capacity(ROUNDS);
                for round in 0..ROUNDS {
                    ticker.tick().await;
                    // Devices of their own, so these pushes are new changes, not retries.
                    let body = push_body(device + 10_000, round);
                    let sent = Instant::now();
                    let response = http
                        .post(&url)
                        .header("cookie", &cookie)
                        .json(&body)
                        .send()
                        .await
                        .unwrap();
                    assert!(response.status().is_success());
                    latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let rate = (DEVICES * ROUNDS * BATCH) as f64 / started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    (
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        rate,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `cargo xtask bench`"]
async fn bench_sync_push_and_pull() {
    println!("BENCH {}", run("sqlite", &[]).await);
    match std::env::var("YORISOI_TEST_POSTGRES_URL") {
        Ok(url) => println!("BENCH {}", run("postgres", &["--database-url", &url]).await),
        Err(_) => eprintln!(
            "PostgreSQL not benchmarked: set YORISOI_TEST_POSTGRES_URL (cargo xtask bench does)"
        ),
    }
}
