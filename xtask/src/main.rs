//! `cargo xtask …`: the project's chores, in Rust so they run wherever Cargo does.
//!
//! - `serve`: install what is missing, build the app in release, run the server on
//!   http://127.0.0.1:8080 with its database under ./data.
//! - `test`: install what the tests need, then fmt, clippy, unit and integration tests, the wasm32
//!   build, wasm-bindgen tests in headless Chromium and the end-to-end browser tests.
//! - `bench [size|first-visit|records|sync|due|timeline|compare]`: measure and write the figures
//!   into BENCHMARKS.md.
//! - `setup`: only the installs.

mod bench;
mod bench_compare;
mod bench_due;
mod bench_timeline;
mod build;
mod cmd;
mod postgres;
mod test;
mod tools;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <serve [SERVER FLAGS…] | test | bench [size|first-visit|records|sync|due|timeline|compare] | setup>";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let result = match args.next().as_deref() {
        Some("serve") => build::serve(args.collect()),
        Some("test") => test::run(),
        Some("bench") => bench::run(args.next().as_deref()),
        Some("setup") => tools::ensure_all(tools::Need::Test),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(cmd::Error::msg(USAGE)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
