//! `cargo xtask test`: every check, in order, each reported; fails if any fails.

use crate::build;
use crate::cmd::{self, Result, root, tool_path};
use crate::tools::{self, CADDY, CHROMEDRIVER, CHROMIUM, Need};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Chromium flags that work in these sandboxes (see ../shared/TOOLCHAIN.md).
pub const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

#[derive(Default)]
struct Report {
    steps: Vec<(String, bool, f64)>,
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl Report {
    fn step(&mut self, name: &str, work: impl FnOnce(&mut Self) -> Result) -> bool {
        eprintln!("\n==> {name}");
        let started = Instant::now();
        let result = work(self);
        if let Err(e) = &result {
            eprintln!("xtask: {name} FAILED: {e}");
        }
        // A clean run's build artefacts are tens of gigabytes; a CI machine once ran out of disk.
        eprintln!("xtask: {} free on the disk after {name}", free_disk());
        self.steps.push((
            name.to_owned(),
            result.is_ok(),
            started.elapsed().as_secs_f64(),
        ));
        result.is_ok()
    }

    /// Runs a test command, echoing its output and adding up its runners' `test result:` lines.
    fn tests(&mut self, command: &mut Command) -> Result {
        eprintln!("$ {command:?}");
        let mut child = command
            .env("PATH", tool_path())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped");
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            if let Some(counts) = parse_test_result(&line) {
                self.passed += counts.0;
                self.failed += counts.1;
                self.ignored += counts.2;
            }
        }
        let status = child.wait()?;
        if status.success() {
            Ok(())
        } else {
            Err(cmd::Error::msg(format!("tests failed ({status})")))
        }
    }

    fn print(&self) {
        println!("\n==> summary");
        for (name, ok, seconds) in &self.steps {
            println!(
                "  {:<4} {name} ({seconds:.0} s)",
                if *ok { "ok" } else { "FAIL" }
            );
        }
        println!(
            "tests: {} passed, {} failed, {} skipped",
            self.passed, self.failed, self.ignored
        );
    }

    fn all_ok(&self) -> bool {
        self.steps.iter().all(|(_, ok, _)| *ok)
    }
}

/// `cargo` for the test run: no incremental state, which only a later edit would use and which
/// doubled what a clean run keeps on disk. Each test command also passes `--no-fail-fast`:
/// without it cargo stops at the first failing test binary, and the tests after it never run.
fn cargo() -> Command {
    let mut command = cmd::cargo();
    command.env("CARGO_INCREMENTAL", "0");
    command
}

/// The space left on the disk holding the workspace, as `df -h` says it ("12G"), or why not.
fn free_disk() -> String {
    Command::new("df")
        .args(["-h", "--output=avail"])
        .arg(root())
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.lines().nth(1).map(|line| line.trim().to_owned()))
        .unwrap_or_else(|| "(unknown)".to_owned())
}

/// `test result: ok. 3 passed; 0 failed; 1 ignored; …` → (3, 0, 1).
fn parse_test_result(line: &str) -> Option<(u64, u64, u64)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let count = |label: &str| {
        rest.split(';')
            .find_map(|part| {
                part.trim()
                    .trim_start_matches(|c: char| !c.is_ascii_digit())
                    .strip_suffix(label)
            })
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    };
    Some((count(" passed"), count(" failed"), count(" ignored")))
}

pub fn run() -> Result {
    tools::ensure_all(Need::Test)?;
    let webdriver_json = write_webdriver_json()?;
    let mut report = Report::default();
    report.step("rustfmt", |_| {
        cmd::run(cargo().args(["fmt", "--all", "--check"]))
    });
    report.step("clippy (native)", |_| {
        cmd::run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    });
    report.step("clippy (wasm32)", |_| {
        cmd::run(cargo().args([
            "clippy",
            "-p",
            "yorisoi-app",
            "-p",
            "yorisoi-domain",
            "--all-targets",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]))
    });
    report.step("domain builds for wasm32", |_| {
        cmd::run(cargo().args([
            "build",
            "-p",
            "yorisoi-domain",
            "--target",
            "wasm32-unknown-unknown",
        ]))
    });
    // The server's storage and sync tests run against SQLite and against a real PostgreSQL; so
    // do the end-to-end tests of several server instances on one database. It runs until both
    // steps are done.
    let postgres = crate::postgres::Postgres::start();
    report.step("unit and integration tests (SQLite and PostgreSQL)", |r| {
        let postgres = postgres
            .as_ref()
            .map_err(|e| cmd::Error::msg(format!("cannot start PostgreSQL: {e}")))?;
        r.tests(
            cargo()
                .args([
                    "test",
                    "--no-fail-fast",
                    "--workspace",
                    "--exclude",
                    "yorisoi-e2e",
                ])
                .env("YORISOI_TEST_POSTGRES_URL", &postgres.url),
        )
    });
    report.step("wasm-bindgen tests in headless Chromium", |r| {
        r.tests(
            cargo()
                .args([
                    "test",
                    "-p",
                    "yorisoi-app",
                    "--target",
                    "wasm32-unknown-unknown",
                ])
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env("WASM_BINDGEN_TEST_WEBDRIVER_JSON", &webdriver_json)
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        )
    });
    let built = report.step("build the app (trunk, release)", |_| build::app_release())
        && report.step("build the server", |_| {
            cmd::run(cargo().args(["build", "-p", "yorisoi-server"]))
        });
    if built {
        // Chromium's journeys two at a time; WebKitGTK's one at a time: two WebKit browsers
        // side by side on this 2-core machine now and then stalled a start past the tests'
        // waits (the app not shown within 20 s, a service worker not ready within 30 s), while
        // each of those tests passed on its own.
        let e2e = |filter: &[&str], threads: &str| {
            let mut command = cargo();
            command
                .args(["test", "--no-fail-fast", "-p", "yorisoi-e2e", "--"])
                .args(filter)
                .arg(threads)
                .env(
                    "YORISOI_SERVER_BIN",
                    root().join("target/debug/yorisoi-server"),
                )
                .env("YORISOI_DIST", root().join("dist"))
                .env("CHROMIUM", CHROMIUM)
                .env("CHROMEDRIVER", CHROMEDRIVER)
                .env("WEBKIT_WEBDRIVER", tools::WEBKIT_WEBDRIVER)
                .env("MINIBROWSER", tools::minibrowser())
                .env("XVFB", tools::XVFB)
                .env("CADDY", CADDY);
            // Without PostgreSQL (the step above failed, and said why) the multi-instance tests
            // say they were not tested.
            if let Ok(postgres) = &postgres {
                command.env("YORISOI_TEST_POSTGRES_URL", &postgres.url);
            }
            command
        };
        report.step("end-to-end tests in headless Chromium", |r| {
            r.tests(&mut e2e(&["--skip", "_in_webkit"], "--test-threads=2"))
        });
        report.step("end-to-end tests in WebKitGTK, one at a time", |r| {
            r.tests(&mut e2e(&["_in_webkit"], "--test-threads=1"))
        });
    }
    drop(postgres);
    report.print();
    if report.all_ok() {
        Ok(())
    } else {
        Err(cmd::Error::msg(
            "some checks failed (see the summary above)",
        ))
    }
}

/// The capabilities wasm-bindgen-test-runner passes to ChromeDriver.
fn write_webdriver_json() -> Result<std::path::PathBuf> {
    let path = root().join("target/webdriver.json");
    std::fs::create_dir_all(root().join("target"))?;
    let args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| format!("\"{a}\"")).collect();
    let json = format!(
        "{{\"goog:chromeOptions\": {{\"binary\": \"{CHROMIUM}\", \"args\": [{}]}}}}\n",
        args.join(", ")
    );
    std::fs::write(&path, json)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::parse_test_result;

    #[test]
    fn test_result_lines_are_counted_and_other_lines_are_not() {
        for (line, counts) in [
            (
                "test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s",
                Some((3, 0, 1)),
            ),
            (
                "test result: FAILED. 10 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out",
                Some((10, 2, 0)),
            ),
            ("running 3 tests", None),
            ("test foo ... ok", None),
        ] {
            assert_eq!(parse_test_result(line), counts, "{line}");
        }
    }
}
