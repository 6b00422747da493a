//! Installs, at pinned versions, whatever the build and the tests need and the machine lacks.
//! Every check is cheap, so a machine that has everything skips straight to the work.
//!
//! Nothing here downloads a prebuilt binary from outside the package registries: Rust tools come
//! from crates.io (`cargo install`), wasm-opt from npm (binaryen), Chromium and ChromeDriver,
//! WebKitGTK's WebKitWebDriver and MiniBrowser, and Xvfb from Debian's packages.

use crate::cmd::{self, Result, cargo, output, root, run};
use std::process::Command;

pub const TRUNK: &str = "0.21.14";
/// Must equal the `wasm-bindgen` pin in the workspace's Cargo.toml and Trunk.toml.
pub const WASM_BINDGEN: &str = "0.2.130";
/// npm `binaryen` major version; Debian's binaryen 108 produces broken wasm.
pub const BINARYEN: &str = "132";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// WebKitGTK's WebDriver (Debian's `webkit2gtk-driver`); it drives MiniBrowser.
pub const WEBKIT_WEBDRIVER: &str = "/usr/bin/WebKitWebDriver";
/// The virtual X display WebKitGTK's MiniBrowser runs on (Debian's `xvfb`).
pub const XVFB: &str = "/usr/bin/Xvfb";

/// MiniBrowser, in the machine's multiarch folder (x86_64 and aarch64 name theirs alike).
pub fn minibrowser() -> String {
    format!(
        "/usr/lib/{}-linux-gnu/webkit2gtk-4.1/MiniBrowser",
        std::env::consts::ARCH
    )
}

/// Debian's Caddy: the HTTPS end-to-end test runs `deploy/Caddyfile` in it.
pub const CADDY: &str = "/usr/bin/caddy";

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// What `serve` needs: the app's build tools.
    Serve,
    /// Also what the tests need: the browsers (Chromium, and WebKitGTK on Xvfb) and their
    /// drivers, and Caddy for HTTPS.
    Test,
}

pub fn ensure_all(need: Need) -> Result {
    ensure_wasm_target()?;
    ensure_cargo_tool(
        "trunk",
        &["--version"],
        TRUNK,
        &["install", "--locked", "trunk", "--version", TRUNK],
    )?;
    // Without --locked: the CLI's lock file wants a webpki-roots release the registry lacks.
    ensure_cargo_tool(
        "wasm-bindgen",
        &["--version"],
        WASM_BINDGEN,
        &["install", "wasm-bindgen-cli", "--version", WASM_BINDGEN],
    )?;
    ensure_wasm_opt()?;
    if need == Need::Test {
        ensure_debian(&[CHROMIUM, CHROMEDRIVER], &["chromium", "chromium-driver"])?;
        ensure_debian(
            &[WEBKIT_WEBDRIVER, &minibrowser(), XVFB],
            &["webkit2gtk-driver", "xvfb"],
        )?;
        ensure_caddy()?;
    }
    Ok(())
}

/// The tests run their own Caddy on free ports. Where apt starts Debian's `caddy` service as it
/// installs the package (on a machine with systemd), that one serves its default page on port
/// 80, which the tests neither need nor touch: say so rather than stop a system service.
fn ensure_caddy() -> Result {
    if std::path::Path::new(CADDY).exists() {
        return Ok(());
    }
    apt_install(&["caddy"])?;
    eprintln!(
        "xtask: installed caddy; if Debian started its caddy service on port 80, the tests do \
         not need it (`systemctl disable --now caddy` stops it)"
    );
    Ok(())
}

fn ensure_wasm_target() -> Result {
    let installed =
        output(
            Command::new("rustup")
                .current_dir(root())
                .args(["target", "list", "--installed"]),
        );
    if installed.is_some_and(|list| list.lines().any(|l| l.trim() == "wasm32-unknown-unknown")) {
        return Ok(());
    }
    run(Command::new("rustup").current_dir(root()).args([
        "target",
        "add",
        "wasm32-unknown-unknown",
    ]))
}

/// Installs a crates.io tool unless `program args` already reports `version`.
fn ensure_cargo_tool(program: &str, args: &[&str], version: &str, install: &[&str]) -> Result {
    let path = cmd::cargo_bin_dir().join(program);
    let reported = output(Command::new(&path).args(args)).unwrap_or_default();
    if reported.split_whitespace().any(|word| word == version) {
        return Ok(());
    }
    eprintln!(
        "xtask: installing {program} {version} from crates.io (this takes a few minutes once)"
    );
    run(cargo().args(install))
}

fn ensure_wasm_opt() -> Result {
    let wasm_opt = root().join("tools/node_modules/.bin/wasm-opt");
    let reported = output(Command::new(&wasm_opt).arg("--version")).unwrap_or_default();
    // tools/ also holds axe-core for the accessibility tests: install when either is missing.
    let axe = root().join("tools/node_modules/axe-core/axe.min.js");
    if reported.contains(&format!("version {BINARYEN}")) && axe.is_file() {
        return Ok(());
    }
    if output(Command::new("npm").arg("--version")).is_none() {
        ensure_debian(&["/usr/bin/npm"], &["npm"])?;
    }
    eprintln!("xtask: installing wasm-opt (npm binaryen@{BINARYEN}) and axe-core into tools/");
    run(Command::new("npm").current_dir(root().join("tools")).args([
        "ci",
        "--no-audit",
        "--no-fund",
    ]))
}

/// The first-sync benchmark's peer (PouchDB 9 and a CouchDB-compatible server) from npm, pinned
/// by `tools/bench/package-lock.json`: for `cargo xtask bench` only.
pub fn ensure_bench_peer() -> Result {
    let dir = root().join("tools/bench");
    if dir
        .join("node_modules/pouchdb/dist/pouchdb.min.js")
        .is_file()
        && dir.join("node_modules/express-pouchdb").is_dir()
    {
        return Ok(());
    }
    if output(Command::new("npm").arg("--version")).is_none() {
        ensure_debian(&["/usr/bin/npm"], &["npm"])?;
    }
    eprintln!(
        "xtask: installing the benchmark's peer (PouchDB, express-pouchdb) into tools/bench/"
    );
    run(Command::new("npm")
        .current_dir(dir)
        .args(["ci", "--no-audit", "--no-fund"]))
}

/// Lighthouse from npm, pinned by `tools/lighthouse/package-lock.json`, for the first-visit
/// benchmark: it drives the Debian Chromium (no browser download). Lighthouse 12, because 13
/// needs Node 22.19 and Debian's is older.
pub fn ensure_lighthouse() -> Result {
    let dir = root().join("tools/lighthouse");
    if dir.join("node_modules/.bin/lighthouse").is_file() {
        return Ok(());
    }
    if output(Command::new("npm").arg("--version")).is_none() {
        ensure_debian(&["/usr/bin/npm"], &["npm"])?;
    }
    eprintln!("xtask: installing Lighthouse into tools/lighthouse/");
    run(Command::new("npm")
        .current_dir(dir)
        .args(["ci", "--no-audit", "--no-fund"]))
}

/// Installs Debian packages unless every one of `files` already exists.
pub fn ensure_debian(files: &[&str], packages: &[&str]) -> Result {
    if files.iter().all(|f| std::path::Path::new(f).exists()) {
        return Ok(());
    }
    apt_install(packages)
}

/// Installs Debian packages (as root, or through `sudo -n`).
pub fn apt_install(packages: &[&str]) -> Result {
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo", "-n"] };
    let apt = |args: &[&str]| {
        let mut all: Vec<&str> = sudo.to_vec();
        all.push("apt-get");
        all.extend_from_slice(args);
        let mut command = Command::new(all[0]);
        command
            .args(&all[1..])
            .env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut command)
    };
    eprintln!(
        "xtask: installing {} from Debian's packages",
        packages.join(" ")
    );
    apt(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend_from_slice(packages);
    apt(&args)
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trunk refuses, rather than downloads, a wasm-bindgen of another version; this keeps the
    /// three places that name the version in step.
    #[test]
    fn wasm_bindgen_is_pinned_to_the_same_version_everywhere() {
        let workspace = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
        assert!(
            workspace.contains(&format!("wasm-bindgen = \"={WASM_BINDGEN}\"")),
            "Cargo.toml pin differs"
        );
        let trunk = std::fs::read_to_string(root().join("Trunk.toml")).unwrap();
        assert!(
            trunk.contains(&format!("wasm_bindgen = \"{WASM_BINDGEN}\"")),
            "Trunk.toml pin differs"
        );
        assert!(
            trunk.contains(&format!("wasm_opt = \"version_{BINARYEN}\"")),
            "Trunk.toml wasm-opt pin differs"
        );
        let npm = std::fs::read_to_string(root().join("tools/package.json")).unwrap();
        assert!(
            npm.contains(&format!("\"binaryen\": \"{BINARYEN}.")),
            "tools/package.json binaryen differs"
        );
    }
}
