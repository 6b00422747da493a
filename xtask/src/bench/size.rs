//! The app's size: what a tablet downloads, and how long the app takes to build.

use super::{kb, replace_section};
use crate::build;
use crate::cmd::{Result, root};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;
use std::time::Instant;

pub(super) fn app_size() -> Result {
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
