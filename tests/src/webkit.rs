//! WebKitGTK (the engine of Safari on the iPad) through Debian's `webkit2gtk-driver`:
//! WebKitWebDriver drives MiniBrowser in automation mode, on a virtual X display of its own
//! (Xvfb), through the same WebDriver protocol as ChromeDriver.

use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use super::Browser;
use super::browser::program;
use fantoccini::ClientBuilder;
use hyper_util::client::legacy::connect::HttpConnector;

/// Which engine a test's browser runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Headless Chromium through ChromeDriver.
    Chromium,
    /// WebKitGTK's MiniBrowser through WebKitWebDriver, on Xvfb.
    WebKit,
}

/// MiniBrowser, where Debian's `libwebkit2gtk-4.1-0` puts it (the multiarch folder follows the
/// machine: x86_64 and aarch64 name it alike).
fn minibrowser() -> PathBuf {
    std::env::var_os("MINIBROWSER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(format!(
                "/usr/lib/{}-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                std::env::consts::ARCH
            ))
        })
}

/// A virtual X display (Xvfb) on a display number the X server picks itself (`-displayfd`), so
/// browsers started side by side never race for one.
pub(crate) struct Display {
    xvfb: Child,
    /// Xvfb's stdout, where it wrote its display number; kept open so it never writes to a
    /// closed pipe.
    _out: ChildStdout,
    pub number: u32,
}

impl Display {
    fn start() -> Self {
        let mut xvfb = Command::new(program("XVFB", "/usr/bin/Xvfb"))
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1024x1366x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts (apt-get install xvfb)");
        let out = xvfb.stdout.take().unwrap();
        let mut reader = BufReader::new(out);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let number = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb names its display, not {line:?}"));
        Self {
            xvfb,
            _out: reader.into_inner(),
            number,
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// WebKitWebDriver on `port`, on a display of its own, leading a process group of its own:
/// MiniBrowser and WebKit's web and network processes stay in it, so ending the group ends them.
pub(crate) fn start_driver(port: u16, scratch: &std::path::Path) -> (Child, Display) {
    use std::os::unix::process::CommandExt;
    let display = Display::start();
    // For a person reading why a WebKit test failed: the driver's and the browser's messages,
    // appended to this file.
    let log = || match std::env::var_os("YORISOI_WEBKIT_LOG") {
        Some(path) => std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map(Stdio::from)
            .unwrap_or_else(|_| Stdio::null()),
        None => Stdio::null(),
    };
    let driver = Command::new(program("WEBKIT_WEBDRIVER", "/usr/bin/WebKitWebDriver"))
        .env("DISPLAY", format!(":{}", display.number))
        .env("TMPDIR", scratch)
        // Its caches and data go inside the test's own folder, never the user's home.
        .env("HOME", scratch)
        .env("XDG_CACHE_HOME", scratch.join("cache"))
        .env("XDG_DATA_HOME", scratch.join("data"))
        .env("XDG_CONFIG_HOME", scratch.join("config"))
        .env("XDG_RUNTIME_DIR", scratch)
        .env("GDK_BACKEND", "x11")
        .arg(format!("--port={port}"))
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(log())
        .stderr(log())
        .spawn()
        .expect("WebKitWebDriver starts (apt-get install webkit2gtk-driver)");
    (driver, display)
}

/// The capabilities that open MiniBrowser in automation mode, its back/forward cache on as in
/// Safari: a page the tests leave is kept there, frozen, while the next one starts (the app
/// gives up what a kept page would hold, see `app/js/page_cache.js`).
pub(crate) fn capabilities() -> serde_json::Map<String, serde_json::Value> {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), json!("MiniBrowser"));
    capabilities.insert(
        "webkitgtk:browserOptions".into(),
        json!({ "binary": minibrowser(), "args": ["--automation", "--enable-page-cache=true"] }),
    );
    capabilities
}

/// Ends the driver's process group (MiniBrowser and WebKit's processes with it), then the driver.
pub(crate) fn stop(driver: &mut Child) {
    // The driver is not reaped yet, so its PID (and group) cannot have been reused.
    if let Ok(pid) = i32::try_from(driver.id())
        && pid > 1
    {
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
        let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    }
    let _ = driver.wait();
    // A moment for the X clients to go before their display does.
    std::thread::sleep(Duration::from_millis(20));
}

impl Browser {
    /// WebKitGTK's MiniBrowser through WebKitWebDriver, on an Xvfb display of its own.
    pub async fn start_webkit() -> Self {
        let profile = tempfile::tempdir().unwrap();
        let port = super::free_port();
        let scratch = profile.path().join("tmp");
        std::fs::create_dir_all(&scratch).unwrap();
        let (mut driver, display) = start_driver(port, &scratch);
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..100 {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    // The same page size as Chromium's (a tablet held upright).
                    let _ = client.set_window_size(1024, 1366).await;
                    return Self {
                        client,
                        driver,
                        profile,
                        engine: Engine::WebKit,
                        display: Some(display),
                        password: std::sync::Mutex::new(None),
                    };
                }
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        stop(&mut driver);
        panic!("cannot start MiniBrowser through WebKitWebDriver: {last_error:?}");
    }
}
