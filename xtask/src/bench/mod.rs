//! `cargo xtask bench`: measures and writes the figures into BENCHMARKS.md, between markers, with
//! the command that reproduces them.

use crate::build;
use crate::cmd::{Result, root};
use crate::tools::{self, Need};

mod first_visit;
mod records;
mod size;
mod sync;

use first_visit::first_visit;
use records::local_records;
use size::app_size;
pub use size::download_sizes_of;
use sync::sync;

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

pub fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
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
    use super::parse_figures;

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
