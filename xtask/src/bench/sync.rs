//! Push throughput and pull cost against the release server on SQLite and PostgreSQL.

use super::{replace_section, run_bench};
use crate::cmd::Result;

/// Push throughput and pull cost against the release server on SQLite and PostgreSQL.
pub(super) fn sync() -> Result {
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
