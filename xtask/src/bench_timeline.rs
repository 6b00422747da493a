//! `cargo xtask bench timeline`: a client's timeline (経過) on a tablet holding an office's
//! 10,000 records (`tests/tests/bench_timeline.rs`), written into BENCHMARKS.md.

use crate::bench::{replace_section, run_bench};
use crate::cmd::Result;

/// The goal (issue 21): on screen within 100 ms of the page opening, median.
const GOAL_MS: f64 = 100.0;

pub fn timeline() -> Result {
    let runs = run_bench("bench_timeline", "release", None)?;
    let get = |name: &str| {
        runs[0]
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "?".into())
    };
    let median = get("timeline_ms_median");
    let met = median.parse::<f64>().is_ok_and(|m| m <= GOAL_MS);
    let section = format!(
        "Measured by `cargo xtask bench timeline` (`tests/tests/bench_timeline.rs`): release server on SQLite \
         and release app in headless Chromium on loopback. One MSFAS made through the UI is copied on the \
         server to {} records of 100 clients; the office's fresh browser syncs them all and reads them into \
         memory, then opens one client's timeline ({} MSFAS; its first view: the newest 20 in the list, the \
         newest 12 in the sign grid, the counts and coping charts and their tables, the rest on request), timed by the page from the press of 経過を見る to the frame the timeline \
         is drawn in.\n\n\
         | figure | value |\n| --- | ---: |\n\
         | a client's timeline, press → on screen, median of 7 | {median} ms |\n\
         | … each run (ms) | {} |\n\
         | … of which: the press → the page's start (the router leaving the client's page), median | {} ms |\n\n\
         Goal (issue 21): ≤ {GOAL_MS:.0} ms median — {}.\n",
        get("timeline_records"),
        get("timeline_client_records"),
        get("timeline_runs_ms"),
        get("timeline_open_ms_median"),
        if met { "met" } else { "NOT met" },
    );
    replace_section("timeline", &section)?;
    println!("{section}");
    Ok(())
}
