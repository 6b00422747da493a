//! `cargo xtask bench due`: the support pages on a full tablet (issue 21), written into
//! BENCHMARKS.md between the `support` markers.

use crate::bench::{replace_section, run_bench};
use crate::cmd::Result;

pub fn due() -> Result {
    let runs = run_bench("bench_due", "release", None)?;
    let figures = &runs[0];
    let get = |name: &str| {
        figures
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("?")
    };
    let met = |name: &str, goal: f64| {
        if get(name).parse::<f64>().is_ok_and(|m| m <= goal) {
            "met"
        } else {
            "NOT met"
        }
    };
    let section = format!(
        "Measured by `cargo xtask bench due` (`tests/tests/bench_due.rs`): release server on SQLite and \
         release app in headless Chromium on loopback. The office's tablet holds {} visit notes of {} \
         clients (half of them with a plan asking for one face-to-face contact a month and one visit a \
         week), every note read into memory.\n\n\
         | figure | value |\n| --- | ---: |\n\
         | 今日・今週の予定 opened from another page: the nav link pressed → the list on screen ({} clients listed), median of 7 | {} ms |\n\
         | … each run (ms) | {} |\n\
         | … of which computing it (`domain::due` for every client, and each client's coach), median of 7 | {} ms |\n\
         | the monthly report of a client with a year of weekly notes: its link pressed → on screen, median of 7 | {} ms |\n\
         | … each run (ms) | {} |\n\n\
         Goal: the due list on screen within 100 ms of the page opening, median — {}.\n",
        get("due_records"),
        get("due_clients"),
        get("due_listed"),
        get("due_open_ms_median"),
        get("due_open_runs_ms"),
        get("due_compute_ms_median"),
        get("report_open_ms_median"),
        get("report_open_runs_ms"),
        met("due_open_ms_median", 100.0),
    );
    replace_section("support", &section)?;
    println!("{section}");
    Ok(())
}
