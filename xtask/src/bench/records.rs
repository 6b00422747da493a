//! The browser benchmarks of `tests/tests/bench.rs`: a tablet's records, first sync and start-up.

use super::{replace_section, run_bench};
use crate::cmd::Result;

/// Runs the browser benchmarks of `tests/tests/bench.rs` and writes their figures.
pub(super) fn local_records() -> Result {
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
