//! `cargo xtask bench compare`: the app as it is against an earlier build of it, side by side in
//! one run, for a change that must not move the figures (issue 20's cut of the device engine).
//!
//! The earlier build is a `dist/` folder made by `trunk build --release` at the earlier commit,
//! named by `YORISOI_BENCH_BEFORE` (default `target/bench-before/dist`). Both builds run
//! `tests/tests/bench.rs` without the peer (`YORISOI_BENCH_OURS_ONLY`) against one release
//! server, alternately (before, after, before, after), so the machine's noise falls on both;
//! the table gives each figure's median over the runs and the ratio after / before.

use crate::bench::{download_sizes_of, kb, replace_section, run_bench_with};
use crate::build;
use crate::cmd::{Error, Result, root};
use std::path::PathBuf;

/// How many times each build runs (alternately).
const ROUNDS: usize = 2;

/// The figures compared, as the bench test names them, and how the table names them.
const FIGURES: [(&str, &str); 7] = [
    (
        "first_sync_ms",
        "first sync into a fresh browser (ms, median of 3 per run)",
    ),
    (
        "first_sync_all_in_memory_ms",
        "… then every client's records in memory (ms)",
    ),
    (
        "start_to_interactive_ms_median",
        "start-up: keys in memory → client list (ms, median of 7 per run)",
    ),
    (
        "all_loaded_ms",
        "background reading: every client's records read (ms, median of 7 per run)",
    ),
    ("median", "edit → durable, median of 200 edits (ms)"),
    ("p95", "edit → durable, p95 (ms)"),
    ("max", "edit → durable, slowest (ms)"),
];

pub fn run() -> Result {
    let before = std::env::var_os("YORISOI_BENCH_BEFORE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/bench-before/dist"));
    if !before.join("index.html").exists() {
        return Err(Error::msg(format!(
            "no earlier build at {}: check out the earlier commit, run `trunk build --release` \
             there and point YORISOI_BENCH_BEFORE at its dist/",
            before.display()
        )));
    }
    build::app_release()?;
    let after = root().join("dist");
    let mut runs: Vec<(&str, Vec<(String, String)>)> = Vec::new();
    for _ in 0..ROUNDS {
        for (label, dist) in [("before", &before), ("after", &after)] {
            let figures = run_bench_with(
                "bench",
                "release",
                None,
                dist,
                &[("YORISOI_BENCH_OURS_ONLY", "1")],
            )?;
            runs.push((label, figures.into_iter().next().unwrap_or_default()));
        }
    }
    let median_of = |label: &str, name: &str| -> Option<f64> {
        let mut values: Vec<f64> = runs
            .iter()
            .filter(|(l, _)| *l == label)
            .filter_map(|(_, figures)| {
                figures
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, v)| v.parse().ok())
            })
            .collect();
        values.sort_by(f64::total_cmp);
        (!values.is_empty()).then(|| {
            let mid = values.len() / 2;
            if values.len().is_multiple_of(2) {
                (values[mid - 1] + values[mid]) / 2.0
            } else {
                values[mid]
            }
        })
    };
    let mut section = format!(
        "Measured by `cargo xtask bench compare` (`xtask/src/bench_compare.rs`): the release app \
         before ({}) and after, each run {ROUNDS} times alternately against one release server \
         in headless Chromium, on the records benchmark's data (without the peer). Medians over \
         the runs; the ratio is after / before.\n\n\
         | figure | before | after | after / before |\n| --- | ---: | ---: | ---: |\n",
        before.display()
    );
    for (name, words) in FIGURES {
        let (b, a) = (median_of("before", name), median_of("after", name));
        let cell = |v: Option<f64>| v.map_or("?".to_string(), |v| format!("{v:.1}"));
        let ratio = match (b, a) {
            (Some(b), Some(a)) if b > 0.0 => format!("{:.2}", a / b),
            _ => "?".to_string(),
        };
        section.push_str(&format!(
            "| {words} | {} | {} | {ratio} |\n",
            cell(b),
            cell(a)
        ));
    }
    let sizes = |dist: &PathBuf| -> Result<(u64, u64)> {
        let wasm = download_sizes_of(dist)?
            .into_iter()
            .find(|(kind, _, _)| *kind == "wasm")
            .map(|(_, raw, gz)| (raw, gz))
            .unwrap_or_default();
        Ok(wasm)
    };
    let ((b_raw, b_gz), (a_raw, a_gz)) = (sizes(&before)?, sizes(&after)?);
    section.push_str(&format!(
        "| the wasm, raw | {} | {} | {:.3} |\n| the wasm, gzip | {} | {} | {:.3} |\n",
        kb(b_raw),
        kb(a_raw),
        a_raw as f64 / b_raw.max(1) as f64,
        kb(b_gz),
        kb(a_gz),
        a_gz as f64 / b_gz.max(1) as f64,
    ));
    replace_section("compare", &section)?;
    println!("{section}");
    Ok(())
}
