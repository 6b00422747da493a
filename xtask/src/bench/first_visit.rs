//! The first visit on a phone (Lighthouse) and what a first page and a deploy download.

use super::{kb, replace_section};
use crate::build;
use crate::cmd::{Result, root};
use crate::tools::{self};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;

/// How many Lighthouse runs the first-visit figures are the median of.
const LIGHTHOUSE_RUNS: usize = 5;

/// The first visit on a phone: Lighthouse (mobile preset: a mid-range phone, slow 4G, simulated)
/// against the release server and the release build, run `LIGHTHOUSE_RUNS` times; the medians.
pub(super) fn first_visit() -> Result {
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

#[cfg(test)]
mod tests {
    use super::hashed_list;

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
}
