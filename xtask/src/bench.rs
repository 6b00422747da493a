//! `cargo xtask bench`: measures and writes the figures into BENCHMARKS.md, between markers, with
//! the command that reproduces them.

use crate::build;
use crate::cmd::{Result, root};
use crate::tools::{self, Need};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::time::Instant;

/// `cargo xtask bench [size|first-visit|records|sync|due|timeline|compare]`: every benchmark, or one part
/// (`compare` is not part of every benchmark: it needs a build to compare with).
pub fn run(part: Option<&str>) -> Result {
    tools::ensure_all(Need::Test)?;
    match part {
        None => {
            app_size()?;
            first_visit()?;
            tools::ensure_bench_peer()?;
            local_records()?;
            sync()?;
            crate::bench_due::due()?;
            crate::bench_timeline::timeline()
        }
        Some("size") => app_size(),
        Some("first-visit") => first_visit(),
        Some("records") => {
            build::app_release()?;
            tools::ensure_bench_peer()?;
            local_records()
        }
        Some("sync") => {
            build::app_release()?;
            sync()
        }
        Some("due") => {
            build::app_release()?;
            crate::bench_due::due()
        }
        Some("timeline") => {
            build::app_release()?;
            crate::bench_timeline::timeline()
        }
        Some("compare") => crate::bench_compare::run(),
        Some(other) => Err(crate::cmd::Error::msg(format!(
            "no benchmark {other:?}: size, first-visit, records, sync, due, timeline or compare"
        ))),
    }
}

fn app_size() -> Result {
    let cold = cold_build_seconds()?;
    let incremental = incremental_build_seconds()?;
    let sizes = download_sizes()?;
    let mut section = String::new();
    section.push_str(
        "Measured by `cargo xtask bench` (release build, wasm-opt -Oz; gzip level 9).\n\n",
    );
    section.push_str("| asset | raw | gzip |\n| --- | ---: | ---: |\n");
    let (mut raw_total, mut gz_total) = (0, 0);
    for (kind, raw, gz) in &sizes {
        section.push_str(&format!("| {kind} | {} | {} |\n", kb(*raw), kb(*gz)));
        raw_total += raw;
        gz_total += gz;
    }
    section.push_str(&format!(
        "| **total** | **{}** | **{}** |\n\n",
        kb(raw_total),
        kb(gz_total)
    ));
    section.push_str(&format!(
        "Goal (issue 12): the whole app ≤ 300 KB gzip — {} (what the first page needs: see \
         the first visit below).\n\n",
        if gz_total <= 300_000 {
            "met"
        } else {
            "NOT met"
        }
    ));
    section.push_str("| build | seconds |\n| --- | ---: |\n");
    section.push_str(&format!(
        "| cold `trunk build --release` (empty target dir, deps included) | {cold:.0} |\n"
    ));
    section.push_str(&format!(
        "| incremental `trunk build --release` (one app file touched) | {incremental:.0} |\n"
    ));
    replace_section("app-size", &section)?;
    println!("{section}");
    Ok(())
}

/// Push throughput and pull cost against the release server on SQLite and PostgreSQL.
fn sync() -> Result {
    let postgres = crate::postgres::Postgres::start()?;
    let runs = run_bench("bench_sync", "release", Some(&postgres.url))?;
    drop(postgres);
    if runs.len() != 2 {
        return Err(crate::cmd::Error::msg(
            "the sync benchmark did not report both databases",
        ));
    }
    let get = |run: &Vec<(String, String)>, name: &str| {
        run.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "?".into())
    };
    let row = |label: &str, name: &str| {
        format!(
            "| {label} | {} | {} |\n",
            get(&runs[0], name),
            get(&runs[1], name)
        )
    };
    let mut section = String::from(
        "Measured by `cargo xtask bench` (`tests/tests/bench_sync.rs`): the release server binary with accounts on, \
         200 simulated devices on loopback, each signed in with a session of its own as one of 20 coaches and \
         writing only its coach's clients (every change checked for scope and validity), 20 field changes per \
         push. The load generator shares the machine's two cores with the server (and PostgreSQL).\n\n\
         | figure | SQLite | PostgreSQL |\n| --- | ---: | ---: |\n",
    );
    section.push_str(&row(
        "closed loop (every device pushes back to back): changes/s",
        "changes_per_second",
    ));
    section.push_str(&row("closed loop: push latency p50 (ms)", "push_p50_ms"));
    section.push_str(&row("closed loop: push latency p99 (ms)", "push_p99_ms"));
    section.push_str(&row(
        "paced at 10,000 changes/s offered: changes/s achieved",
        "paced_changes_per_second",
    ));
    section.push_str(&row("paced: push latency p50 (ms)", "paced_p50_ms"));
    section.push_str(&row("paced: push latency p99 (ms)", "paced_p99_ms"));
    section.push_str(&row(
        "server peak memory (MB, VmHWM)",
        "server_peak_memory_mb",
    ));
    section.push_str(&row(
        "pull of the newest 100 changes, log of 100 (ms, median)",
        "pull_100_small_log_ms",
    ));
    section.push_str(&row(
        "pull of the newest 100 changes, log of 100,100 (ms, median)",
        "pull_100_large_log_ms",
    ));
    section.push_str(&row(
        "pull of the newest 500 changes, log of 100,100 (ms, median)",
        "pull_500_large_log_ms",
    ));
    section.push_str(&row(
        "one sign-in, Argon2id 19 MiB t=2 p=1 (ms, median, client-side round trip)",
        "sign_in_ms_median",
    ));
    section.push_str(&row("clients on the server", "clients"));
    section.push_str(&row("clients of one coach", "coach_clients"));
    section.push_str(&row(
        "a coach's device pulls its clients from nothing (ms, median)",
        "coach_pull_everything_ms",
    ));
    section.push_str(&row(
        "… changes it receives",
        "coach_pull_everything_changes",
    ));
    section.push_str(&row(
        "a coach's device pulls the log's last 1,000 positions (ms, median)",
        "coach_pull_last_1000_ms",
    ));
    section.push_str(&row(
        "… changes it receives (only its clients')",
        "coach_pull_last_1000_changes",
    ));
    section.push_str(&row(
        "a coach's device bootstraps its clients' current state instead (ms, median)",
        "coach_bootstrap_ms",
    ));
    section.push_str(&row("… fields it receives", "coach_bootstrap_fields"));
    section.push_str(&row(
        "the office bootstraps every client's current state (ms, median)",
        "office_bootstrap_ms",
    ));
    section.push_str(&row("… fields it receives", "office_bootstrap_fields"));
    section.push_str(
        "\nIn a closed loop, latency is the number of waiting devices divided by throughput (Little's law), \
         whatever the server does, so the latency goal is read at the goal's rate (the paced rows). A pull costs in \
         proportion to the changes it returns, not to the size of the log (an index range on the server's \
         sequence); a coach's pull reads only its clients' changes (the `(client, seq)` index), so it costs what is \
         in its scope after its cursor. A sign-in costs one Argon2id hash (19 MiB of memory while it runs).\n",
    );
    replace_section("sync", &section)?;
    println!("{section}");
    Ok(())
}

/// Runs the browser benchmarks of `tests/tests/bench.rs` and writes their figures.
fn local_records() -> Result {
    let runs = run_bench("bench", "release", None)?;
    let figures = &runs[0];
    let get = |name: &str| {
        figures
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("?")
    };
    let section = format!(
        "Measured by `cargo xtask bench` (`tests/tests/bench.rs`): release server on SQLite and release app \
         in headless Chromium on loopback. One realistic MSFAS (cover and sheet 1 answered through the UI) \
         is copied on the server to {} records of 100 clients ({} field changes), then a fresh browser \
         opens the app.\n\n\
         | figure | value |\n| --- | ---: |\n\
         | first sync into a fresh browser (サインイン pressed as the office, timed by the page → a bootstrap of the current state, each client's chunks sealed and stored in IndexedDB as they came, then the pull of the tail, and the client list on screen; the sign-in and its key derivation included) | {} s |\n\
         | … each of the three runs (ms) | {} |\n\
         | … then every client's records read into memory in the background (サインイン pressed → the last) | {} ms |\n\
         | … bytes on the wire for it (sync requests, compressed) | {} |\n\
         | … the page's peak resident memory (its renderer process's `VmHWM`) | {} MiB |\n\
         | … the server's part: its bootstrap pages, request sent → first byte back, in all | {} ms |\n\
         | PouchDB 9, the same number of ≈ 2 KB documents from a CouchDB-compatible server (express-pouchdb, in memory, gzip), default batch (100), median of 3 | {} s |\n\
         | PouchDB 9, batch 1,000, median of 3 | {} s |\n\
         | … bytes on the wire (default batch) | {} |\n\
         | … the page's peak resident memory (default batch) | {} MiB |\n\
         | Yorisoi's first sync against PouchDB's, default batch | {}× faster |\n\
         | Yorisoi's first sync against PouchDB's, batch 1,000 | {}× faster |\n\
         | first sync, records per second | {} |\n\
         | first sync, changes per second | {} |\n\
         | start-up with all of it stored: keys in memory → the client list on screen (the app's marks), median of 7 | {} ms |\n\
         | … of which: reading IndexedDB (every key, the clients' profiles), opening and decoding them | {} ms |\n\
         | … applying them to the replica | {} ms |\n\
         | … building the client list | {} ms |\n\
         | … the first page on screen | {} ms |\n\
         | every client's records read in the background, keys in memory → the last, median of 7 | {} ms |\n\
         | unlock: the password's key derived (Argon2id, 19 MiB, 2 passes, in wasm) and the device key opened, median of 7 | {} ms |\n\
         | the same records with ten times the history ({} field changes: every record field edited nine more times), on a server of their own: first sync into a fresh browser | {} ms |\n\
         | … start-up with it stored, keys in memory → the client list, median of 7 | {} ms |\n\
         | … against start-up with the short history | {}× |\n\
         | … every client's records read in the background, median of 7 | {} ms |\n\
         | edit → durable in localStorage, median of 200 edits | {} ms |\n\
         | edit → durable, p95 | {} ms |\n\
         | edit → durable, slowest | {} ms |\n\
         | one unsent change as stored (UTF-16 bytes, key included) | {} B |\n\
         | unsent changes that fit in localStorage before `{}` | {} |\n\n\
         Goals: first sync ≥ 10× PouchDB's default batch — {}, ≥ 5× its batch 1,000 — {}; bytes on the wire ≤ PouchDB's — {}; start-up ≤ 300 ms median — {}, and within 20% with ten times the history — {}; edit → durable ≤ 2 ms median — {}.\n",
        get("records"),
        get("changes"),
        get("first_sync_s"),
        get("first_sync_runs_ms"),
        get("first_sync_all_in_memory_ms"),
        get("first_sync_bytes"),
        get("first_sync_peak_mib"),
        get("bootstrap_server_ms"),
        get("pouchdb_default_s"),
        get("pouchdb_1000_s"),
        get("pouchdb_bytes"),
        get("pouchdb_peak_mib"),
        get("vs_pouchdb_default"),
        get("vs_pouchdb_1000"),
        get("records_per_s"),
        get("changes_per_s"),
        get("start_to_interactive_ms_median"),
        get("start_read_ms"),
        get("start_replica_ms"),
        get("start_rebuild_ms"),
        get("start_render_ms"),
        get("all_loaded_ms"),
        get("unlock_ms_median"),
        get("history_changes"),
        get("history_first_sync_ms"),
        get("history_start_ms_median"),
        get("history_start_ratio"),
        get("history_all_loaded_ms"),
        get("median"),
        get("p95"),
        get("max"),
        get("change_bytes"),
        get("error"),
        get("fitted"),
        if get("vs_pouchdb_default")
            .parse::<f64>()
            .is_ok_and(|m| m >= 10.0)
        {
            "met"
        } else {
            "NOT met"
        },
        if get("vs_pouchdb_1000")
            .parse::<f64>()
            .is_ok_and(|m| m >= 5.0)
        {
            "met"
        } else {
            "NOT met"
        },
        if get("first_sync_bytes")
            .parse::<f64>()
            .is_ok_and(|ours| get("pouchdb_bytes")
                .parse::<f64>()
                .is_ok_and(|theirs| ours <= theirs))
        {
            "met"
        } else {
            "NOT met"
        },
        if get("start_to_interactive_ms_median")
            .parse::<f64>()
            .is_ok_and(|m| m <= 300.0)
        {
            "met"
        } else {
            "NOT met"
        },
        if get("history_start_ratio")
            .parse::<f64>()
            .is_ok_and(|r| r <= 1.2)
        {
            "met"
        } else {
            "NOT met"
        },
        if get("median").parse::<f64>().is_ok_and(|m| m <= 2.0) {
            "met"
        } else {
            "NOT met"
        },
    );
    replace_section("local-records", &section)?;
    println!("{section}");
    Ok(())
}

/// Builds the server (`debug` or `release`), runs the ignored benchmark test `test` of the e2e
/// crate, and returns the figures of each `BENCH {json}` line it printed.
pub(crate) fn run_bench(
    test: &str,
    profile: &str,
    postgres_url: Option<&str>,
) -> Result<Vec<Vec<(String, String)>>> {
    run_bench_with(test, profile, postgres_url, &root().join("dist"), &[])
}

/// [`run_bench`] against the built app in `dist`, with extra environment variables.
pub fn run_bench_with(
    test: &str,
    profile: &str,
    postgres_url: Option<&str>,
    dist: &std::path::Path,
    env: &[(&str, &str)],
) -> Result<Vec<Vec<(String, String)>>> {
    let mut build = crate::cmd::cargo();
    build.args(["build", "-p", "yorisoi-server"]);
    if profile == "release" {
        build.arg("--release");
    }
    crate::cmd::run(&mut build)?;
    let mut command = crate::cmd::cargo();
    command
        .args([
            "test",
            "-p",
            "yorisoi-e2e",
            "--test",
            test,
            "--",
            "--ignored",
            "--nocapture",
        ])
        .env(
            "YORISOI_SERVER_BIN",
            root().join("target").join(profile).join("yorisoi-server"),
        )
        .env("YORISOI_DIST", dist)
        .env("PATH", crate::cmd::tool_path())
        .envs(env.iter().copied());
    if let Some(url) = postgres_url {
        command.env("YORISOI_TEST_POSTGRES_URL", url);
    }
    let output = command.output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let runs: Vec<_> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("BENCH "))
        .map(parse_figures)
        .collect();
    if runs.is_empty() {
        eprintln!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
        return Err(crate::cmd::Error::msg(format!(
            "the benchmark {test} printed no figures"
        )));
    }
    Ok(runs)
}

/// Every `"name": value` pair of a flat or nested JSON object line, numbers rounded to 0.1.
fn parse_figures(line: &str) -> Vec<(String, String)> {
    let mut figures = Vec::new();
    for part in line.split([',', '{', '}']) {
        if let Some((name, value)) = part.split_once(':') {
            let name = name.trim().trim_matches('"').to_owned();
            let value = value.trim().trim_matches('"');
            let value = match value.parse::<f64>() {
                Ok(n) if n.fract() != 0.0 => format!("{n:.1}"),
                _ => value.to_owned(),
            };
            if !value.is_empty() {
                figures.push((name, value));
            }
        }
    }
    figures
}

/// How many Lighthouse runs the first-visit figures are the median of.
const LIGHTHOUSE_RUNS: usize = 5;

/// The first visit on a phone: Lighthouse (mobile preset: a mid-range phone, slow 4G, simulated)
/// against the release server and the release build, run `LIGHTHOUSE_RUNS` times; the medians.
fn first_visit() -> Result {
    tools::ensure_lighthouse()?;
    build::app_release()?;
    crate::cmd::run(crate::cmd::cargo().args(["build", "--release", "-p", "yorisoi-server"]))?;
    let data = root().join("target/bench-first-visit");
    if data.exists() {
        std::fs::remove_dir_all(&data)?;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut server = std::process::Command::new(root().join("target/release/yorisoi-server"))
        .arg("--data")
        .arg(&data)
        .arg("--dist")
        .arg(root().join("dist"))
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .env("YORISOI_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let url = format!("http://127.0.0.1:{port}/");
    let ready = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let measured = if ready {
        lighthouse_runs(&url).and_then(|runs| Ok((runs, served_hashed_files(port)?)))
    } else {
        Err(crate::cmd::Error::msg("the release server did not start"))
    };
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data);
    let (runs, hashed) = measured?;
    let median = |pick: &dyn Fn(&serde_json::Value) -> f64| {
        let mut values: Vec<f64> = runs.iter().map(pick).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let score = |category: &'static str| {
        move |r: &serde_json::Value| {
            r["categories"][category]["score"].as_f64().unwrap_or(0.0) * 100.0
        }
    };
    let metric = |audit: &'static str| {
        move |r: &serde_json::Value| {
            r["audits"][audit]["numericValue"]
                .as_f64()
                .unwrap_or(f64::NAN)
        }
    };
    let performance = median(&score("performance"));
    let accessibility = median(&score("accessibility"));
    let practices = median(&score("best-practices"));
    let each: Vec<String> = runs
        .iter()
        .map(|r| format!("{:.0}", score("performance")(r)))
        .collect();
    let sizes = first_page_sizes(&hashed)?;
    let seconds = |audit: &'static str| format!("{:.2} s", median(&metric(audit)) / 1000.0);
    let mut section = format!(
        "Measured by `cargo xtask bench first-visit`: Lighthouse {} (mobile preset: simulated slow 4G \
         and a 4× slower CPU), the Debian Chromium, the release server and build, `/` on a fresh \
         profile (the sign-in page); median of {LIGHTHOUSE_RUNS} runs.\n\n\
         | figure | value |\n| --- | ---: |\n",
        runs[0]["lighthouseVersion"].as_str().unwrap_or("?")
    );
    for (label, value) in [
        (
            "performance score (each run)",
            format!("{performance:.0} ({})", each.join(" / ")),
        ),
        ("accessibility score", format!("{accessibility:.0}")),
        ("best practices score", format!("{practices:.0}")),
        ("first contentful paint", seconds("first-contentful-paint")),
        (
            "largest contentful paint",
            seconds("largest-contentful-paint"),
        ),
        (
            "total blocking time",
            format!("{:.0} ms", median(&metric("total-blocking-time"))),
        ),
        ("speed index", seconds("speed-index")),
        (
            "time to interactive (the app's sign-in form usable)",
            seconds("interactive"),
        ),
        (
            "bytes the page downloaded (Lighthouse's total byte weight, as served)",
            kb(median(&metric("total-byte-weight")) as u64),
        ),
        (
            "what the first page needs before it works: its wasm, JS and CSS, gzip",
            kb(sizes.first_page),
        ),
        (
            "the whole app (every file the service worker keeps), gzip",
            kb(sizes.whole),
        ),
        (
            "after a deploy that changed one page: the wasm and its JS loader (one bundle), and every file without a content hash in its name (index.html, the service worker, the manifest, the icons, the JS snippets), which the service worker fetches anew, gzip",
            kb(sizes.redeploy),
        ),
    ] {
        section.push_str(&format!("| {label} | {value} |\n"));
    }
    let goal = |met: bool| if met { "met" } else { "NOT met" };
    section.push_str(&format!(
        "\nGoals (issue 12): performance ≥ 95 — {}; accessibility 100 and best practices 100 kept — {}; \
         the first page ≤ 150 KB gzip — {}; the whole app ≤ 300 KB gzip — {}.\n",
        goal(performance >= 95.0),
        goal(accessibility >= 100.0 && practices >= 100.0),
        goal(sizes.first_page <= 150_000),
        goal(sizes.whole <= 300_000),
    ));
    replace_section("first-visit", &section)?;
    println!("{section}");
    Ok(())
}

/// `LIGHTHOUSE_RUNS` Lighthouse reports of `url`, as JSON.
fn lighthouse_runs(url: &str) -> Result<Vec<serde_json::Value>> {
    let bin = root().join("tools/lighthouse/node_modules/.bin/lighthouse");
    let report = root().join("target/lighthouse.json");
    let mut runs = Vec::new();
    for _ in 0..LIGHTHOUSE_RUNS {
        crate::cmd::run(
            std::process::Command::new(&bin)
                .arg(url)
                .arg(format!("--chrome-path={}", crate::tools::CHROMIUM))
                .args([
                    "--chrome-flags=--headless=new --no-sandbox",
                    "--only-categories=performance,accessibility,best-practices",
                    "--output=json",
                    "--quiet",
                ])
                .arg(format!("--output-path={}", report.display())),
        )?;
        let text = std::fs::read(&report)?;
        runs.push(
            serde_json::from_slice(&text)
                .map_err(|e| crate::cmd::Error::msg(format!("Lighthouse's report: {e}")))?,
        );
    }
    Ok(runs)
}

/// Gzip sizes of the build: what the first page loads, every file, and what a deploy that changed
/// one page downloads again.
struct FirstPage {
    first_page: u64,
    whole: u64,
    redeploy: u64,
}

fn first_page_sizes(hashed: &[String]) -> Result<FirstPage> {
    let dist = root().join("dist");
    let mut files = Vec::new();
    let mut dirs = vec![dist.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let (mut first_page, mut whole, mut redeploy) = (0, 0, 0);
    for file in &files {
        let name = file.to_string_lossy().into_owned();
        let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&std::fs::read(file)?)?;
        let size = encoder.finish()?.len() as u64;
        whole += size;
        let worker = name.ends_with("/sw.js");
        let code = name.ends_with(".wasm") || name.ends_with(".js") || name.ends_with(".css");
        if code && !worker {
            first_page += size;
        }
        // One wasm bundle: any page's change makes a new wasm and a new loader naming it. The
        // service worker also fetches anew every file it does not take from the HTTP cache
        // (index.html, itself, the manifest, the icons, the JS snippets), changed or not.
        let served = format!(
            "/{}",
            file.strip_prefix(&dist).unwrap_or(file).to_string_lossy()
        );
        let bundle = (name.ends_with(".wasm") || name.ends_with(".js"))
            && !worker
            && !name.contains("/snippets/");
        if bundle || !hashed.contains(&served) {
            redeploy += size;
        }
    }
    Ok(FirstPage {
        first_page,
        whole,
        redeploy,
    })
}

/// The files the server's service worker takes from the HTTP cache (its `HASHED` list, as served
/// in `/sw.js`): the content-hashed ones. It fetches every other file anew after a deploy.
fn served_hashed_files(port: u16) -> Result<Vec<String>> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    stream.write_all(b"GET /sw.js HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    hashed_list(&answer)
        .ok_or_else(|| crate::cmd::Error::msg("the server's /sw.js holds no HASHED list"))
}

/// The `HASHED` list of a service worker's text.
fn hashed_list(service_worker: &str) -> Option<Vec<String>> {
    let list = service_worker
        .split("const HASHED = ")
        .nth(1)?
        .split(';')
        .next()?;
    serde_json::from_str(list).ok()
}

pub fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// Raw and gzip sizes of the wasm, JS and CSS a first visit downloads.
fn download_sizes() -> Result<Vec<(&'static str, u64, u64)>> {
    download_sizes_of(&root().join("dist"))
}

/// Raw and gzip sizes of the wasm, JS and CSS of the built app in `dist`.
pub fn download_sizes_of(dist: &std::path::Path) -> Result<Vec<(&'static str, u64, u64)>> {
    let mut sizes = Vec::new();
    for (kind, suffix) in [("wasm", ".wasm"), ("js", ".js"), ("css", ".css")] {
        let (mut raw, mut gz) = (0, 0);
        for entry in std::fs::read_dir(dist)? {
            let path = entry?.path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            // The service worker is fetched by the browser in the background, not by the page.
            if !name.ends_with(suffix) || name == "sw.js" {
                continue;
            }
            let bytes = std::fs::read(&path)?;
            raw += bytes.len() as u64;
            let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
            encoder.write_all(&bytes)?;
            gz += encoder.finish()?.len() as u64;
        }
        sizes.push((kind, raw, gz));
    }
    Ok(sizes)
}

fn cold_build_seconds() -> Result<f64> {
    let target = root().join("target/bench-cold");
    if target.exists() {
        std::fs::remove_dir_all(&target)?;
    }
    let started = Instant::now();
    crate::cmd::run(
        build::trunk()
            .args(["build", "--release"])
            .env("CARGO_TARGET_DIR", &target),
    )?;
    let seconds = started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&target)?;
    Ok(seconds)
}

fn incremental_build_seconds() -> Result<f64> {
    build::app_release()?;
    let lib = root().join("app/src/lib.rs");
    let text = std::fs::read(&lib)?;
    std::fs::write(&lib, &text)?; // a touch: same content, new modification time
    let started = Instant::now();
    build::app_release()?;
    Ok(started.elapsed().as_secs_f64())
}

/// Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in BENCHMARKS.md.
pub fn replace_section(name: &str, body: &str) -> Result {
    let path = root().join("BENCHMARKS.md");
    let text = std::fs::read_to_string(&path)?;
    let (open, close) = (
        format!("<!-- bench:{name} -->"),
        format!("<!-- /bench:{name} -->"),
    );
    let (Some(start), Some(end)) = (text.find(&open), text.find(&close)) else {
        return Err(crate::cmd::Error::msg(format!(
            "BENCHMARKS.md lacks the markers {open} … {close}"
        )));
    };
    let updated = format!("{}{open}\n{body}{}", &text[..start], &text[end..]);
    std::fs::write(&path, updated)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{hashed_list, parse_figures};

    #[test]
    fn the_hashed_list_is_read_from_the_service_worker_as_served() {
        let served = "HTTP/1.0 200 OK\r\ncontent-type: text/javascript\r\n\r\n\
            const PRECACHE = [\"/index.html\",\"/app-0123456789abcdef.js\"];\n\
            const HASHED = [\"/app-0123456789abcdef.js\"];\nconst PREFIX = 'yorisoi-shell-';\n";
        assert_eq!(
            hashed_list(served),
            Some(vec!["/app-0123456789abcdef.js".to_owned()])
        );
        assert_eq!(hashed_list("const PRECACHE = [];"), None);
    }

    #[test]
    fn benchmark_figures_are_read_from_the_json_line_including_nested_ones() {
        let line = r#"{"capacity":{"error":"QuotaExceededError","fitted":5722},"edit_to_durable_ms":{"median":0.10000000009313226},"records":2000}"#;
        let figures = parse_figures(line);
        let get = |name: &str| {
            figures
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("error").as_deref(), Some("QuotaExceededError"));
        assert_eq!(get("fitted").as_deref(), Some("5722"));
        assert_eq!(get("median").as_deref(), Some("0.1"));
        assert_eq!(get("records").as_deref(), Some("2000"));
    }
}
