//! A browser with a fresh profile: headless Chromium driven through ChromeDriver, or WebKitGTK
//! driven through WebKitWebDriver on a virtual display (see `webkit.rs`).

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use nix::sys::signal::{Signal, kill, killpg};
use nix::unistd::Pid;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::webkit::{self, Display, Engine};

/// Chromium flags that work in these sandboxes (see ../shared/TOOLCHAIN.md).
const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1024,1366",
];

const WAIT: Duration = Duration::from_secs(20);

pub struct Browser {
    pub client: Client,
    pub(crate) driver: Child,
    pub(crate) profile: tempfile::TempDir,
    /// The engine this browser runs.
    pub engine: Engine,
    /// WebKit's virtual X display, ended after the browser.
    pub(crate) display: Option<Display>,
    /// The signed-in person's password: the app asks for it again after every page load (its
    /// keys live in memory only), and `goto` and `reload` type it, as the person would.
    pub(crate) password: std::sync::Mutex<Option<String>>,
}

pub(crate) fn program(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

impl Browser {
    pub async fn start() -> Self {
        Self::start_with_args(&[]).await
    }

    /// A fresh browser of `engine`.
    pub async fn start_in(engine: Engine) -> Self {
        match engine {
            Engine::Chromium => Self::start().await,
            Engine::WebKit => Self::start_webkit().await,
        }
    }

    /// A browser with Chromium flags beyond the usual ones, e.g. `--ignore-certificate-errors`
    /// for a site whose certificate comes from a test's own CA.
    pub async fn start_with_args(extra: &[&str]) -> Self {
        let profile = tempfile::tempdir().unwrap();
        let port = super::free_port();
        // Chromium keeps scratch folders in TMPDIR and leaves them behind when it is killed:
        // inside the profile, they go with it.
        let scratch = profile.path().join("tmp");
        std::fs::create_dir_all(&scratch).unwrap();
        let driver = Command::new(program("CHROMEDRIVER", "/usr/bin/chromedriver"))
            .env("TMPDIR", &scratch)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts (apt-get install chromium-driver)");
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.extend(extra.iter().map(|a| a.to_string()));
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": program("CHROMIUM", "/usr/bin/chromium"), "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_error = None;
        for _ in 0..100 {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Self {
                        client,
                        driver,
                        profile,
                        engine: Engine::Chromium,
                        display: None,
                        password: std::sync::Mutex::new(None),
                    };
                }
                Err(e) => last_error = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cannot start Chromium through chromedriver: {last_error:?}");
    }

    /// The highest resident memory any of this browser's page (renderer) processes reached so
    /// far, in KiB (Linux's `VmHWM`): what a page cost the device at its peak, its WebAssembly
    /// memory included.
    pub fn peak_page_memory_kib(&self) -> u64 {
        let parent_of = |pid: u32| -> Option<u32> {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // The fields after the command's closing parenthesis: state, then the parent.
            stat.rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        };
        let driver = self.driver.id();
        let mut peak = 0;
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            // A descendant of this browser's chromedriver, and a renderer.
            let mut up = Some(pid);
            let mut ours = false;
            for _ in 0..8 {
                match up {
                    Some(p) if p == driver => {
                        ours = true;
                        break;
                    }
                    Some(p) if p > 1 => up = parent_of(p),
                    _ => break,
                }
            }
            let cmdline =
                std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if !ours || !cmdline.contains("--type=renderer") {
                continue;
            }
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
            let hwm = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0);
            peak = peak.max(hwm);
        }
        peak
    }

    /// Opens `url`; if the app asks for the password to unlock, types it.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
        self.unlock_if_asked().await;
    }

    /// Reloads; if the app asks for the password to unlock, types it.
    pub async fn reload(&self) {
        self.client.refresh().await.unwrap();
        self.unlock_if_asked().await;
    }

    /// Opens `url` and leaves the app as it starts (locked, if it asks for the password).
    pub async fn goto_locked(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Reloads and leaves the app as it starts.
    pub async fn reload_locked(&self) {
        self.client.refresh().await.unwrap();
    }

    /// From now on `goto` and `reload` unlock the app with this password (a sign-in set it).
    pub fn remember_password(&self, password: &str) {
        *self.password.lock().unwrap() = Some(password.to_owned());
    }

    /// Waits for the app to show its first page; if it is the unlock page (and no other tab
    /// shares the keys in a moment), types the password.
    pub async fn unlock_if_asked(&self) {
        let Some(password) = self.password.lock().unwrap().clone() else {
            return;
        };
        let settled =
            "const ids = ['unlock-form', 'sign-in-form', 'page-title', 'loading', 'enrol-outcome'];
            return ids.find((id) => document.querySelector(`[data-testid=${id}]`)) || null;";
        let mut signing_in = 0;
        for _ in 0..200 {
            match self.eval(settled, vec![]).await.as_str() {
                Some("unlock-form") => {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    if self
                        .client
                        .find(Locator::Css("[data-testid=unlock-form]"))
                        .await
                        .is_err()
                    {
                        return;
                    }
                    self.type_into("[data-testid=unlock-password]", &password)
                        .await;
                    self.click("[data-testid=unlock]").await;
                    for _ in 0..200 {
                        if self
                            .client
                            .find(Locator::Css("[data-testid=unlock-form]"))
                            .await
                            .is_err()
                        {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    panic!("the app did not unlock with the password");
                }
                // A device whose stored session looks out of date (its clock jumped) shows the
                // sign-in page until the server says the session lives: then it asks to unlock.
                Some("sign-in-form") if signing_in < 60 => {
                    signing_in += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Some(_) => return,
                None => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    /// The tab (or window) commands go to now.
    pub async fn tab(&self) -> fantoccini::wd::WindowHandle {
        self.client.window().await.unwrap()
    }

    /// Opens `url` in a new tab of this same profile (same storage, same service worker) and
    /// makes it the one commands go to.
    pub async fn open_tab(&self, url: &str) -> fantoccini::wd::WindowHandle {
        let tab = self.client.new_window(true).await.unwrap().handle;
        self.switch_to(&tab).await;
        self.goto(url).await;
        tab
    }

    /// Sends the next commands to `tab`, as a person switching tabs.
    pub async fn switch_to(&self, tab: &fantoccini::wd::WindowHandle) {
        self.client.switch_to_window(tab.clone()).await.unwrap();
    }

    /// Closes the tab commands go to now; then sends commands to `next`.
    pub async fn close_tab(&self, next: &fantoccini::wd::WindowHandle) {
        self.client.close_window().await.unwrap();
        self.switch_to(next).await;
    }

    /// Whether an element with `data-testid="{id}"` is on the page now (no waiting).
    pub async fn testid_now(&self, id: &str) -> bool {
        self.client
            .find(Locator::Css(&format!("[data-testid='{id}']")))
            .await
            .is_ok()
    }

    /// The element with `data-testid="{id}"`, waiting for it to appear.
    pub async fn testid(&self, id: &str) -> Element {
        self.css(&format!("[data-testid='{id}']")).await
    }

    pub async fn css(&self, selector: &str) -> Element {
        let mut found = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(selector))
            .await;
        // The page reloaded itself under the wait (a sign-out, a lock): wait on the new page.
        for _ in 0..3 {
            match &found {
                Err(e) if e.to_string().contains("aborted by navigation") => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    found = self
                        .client
                        .wait()
                        .at_most(WAIT)
                        .for_element(Locator::Css(selector))
                        .await;
                }
                _ => break,
            }
        }
        match found {
            Ok(element) => element,
            Err(e) => {
                // What the page showed instead: the first thing to read when this fails.
                let shown = self
                    .client
                    .execute(
                        "return document.body ? document.body.innerText : ''",
                        vec![],
                    )
                    .await
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                panic!("no element {selector} within {WAIT:?}: {e}\nthe page showed:\n{shown}")
            }
        }
    }

    /// Waits until the element's text is `expected`, and fails with what it was otherwise.
    pub async fn wait_for_text(&self, testid: &str, expected: &str) {
        self.wait_for_text_where(testid, expected, |text| text.trim() == expected)
            .await;
    }

    /// Waits until the element's text holds `part`, and fails with what it was otherwise.
    pub async fn wait_for_text_containing(&self, testid: &str, part: &str) {
        self.wait_for_text_where(testid, part, |text| text.contains(part))
            .await;
    }

    async fn wait_for_text_where(&self, testid: &str, expected: &str, ok: impl Fn(&str) -> bool) {
        let mut last = String::new();
        for _ in 0..200 {
            if let Ok(element) = self
                .client
                .find(Locator::Css(&format!("[data-testid='{testid}']")))
                .await
                && let Ok(text) = element.text().await
            {
                if ok(&text) {
                    return;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("[data-testid='{testid}'] reads {last:?}, expected {expected:?}");
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.unwrap()
    }

    /// Runs an async script: the body gets a `done` callback as its last argument.
    pub async fn eval_async(&self, script: &str) -> Value {
        self.client.execute_async(script, vec![]).await.unwrap()
    }

    /// Clicks the element matching `selector`, waiting for it.
    pub async fn click(&self, selector: &str) {
        self.css(selector)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("cannot click {selector}: {e}"));
    }

    /// Types `text` into the element matching `selector`, as a person would.
    pub async fn type_into(&self, selector: &str, text: &str) {
        self.css(selector)
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("cannot type into {selector}: {e}"));
    }

    /// Sets a value the way a picker does (date and time inputs): the value, then an `input`
    /// event.
    pub async fn set_value(&self, selector: &str, value: &str) {
        self.css(selector).await;
        let script = "const el = document.querySelector(arguments[0]);
            el.value = arguments[1];
            el.dispatchEvent(new Event('input', { bubbles: true }));
            el.dispatchEvent(new Event('change', { bubbles: true }));";
        self.eval(script, vec![json!(selector), json!(value)]).await;
    }

    /// The `value` of the element matching `selector`.
    pub async fn value(&self, selector: &str) -> String {
        self.css(selector).await;
        let value = self
            .eval(
                "return document.querySelector(arguments[0]).value",
                vec![json!(selector)],
            )
            .await;
        value.as_str().unwrap_or_default().to_owned()
    }

    /// Whether the checkbox or radio button matching `selector` is checked.
    pub async fn is_checked(&self, selector: &str) -> bool {
        self.css(selector).await;
        self.eval(
            "return document.querySelector(arguments[0]).checked",
            vec![json!(selector)],
        )
        .await
            == json!(true)
    }

    /// Moves this browser's clock by `days` for every page loaded from now on (Chrome DevTools'
    /// `Page.addScriptToEvaluateOnNewDocument`): `Date` and `Date.now()` read the shifted time,
    /// as on a tablet whose clock is wrong.
    pub async fn shift_clock_days(&self, days: i64) {
        self.chromium_only("shift_clock_days");
        let offset = days * 86_400_000;
        let source = format!(
            "(() => {{ const Real = Date; const offset = {offset};
                class Shifted extends Real {{
                    constructor(...args) {{ if (args.length === 0) {{ super(Real.now() + offset); }} else {{ super(...args); }} }}
                    static now() {{ return Real.now() + offset; }}
                }};
                globalThis.Date = Shifted; }})();"
        );
        self.client
            .issue_cmd(Cdp {
                cmd: "Page.addScriptToEvaluateOnNewDocument",
                params: json!({ "source": source }),
            })
            .await
            .expect("chromedriver runs a DevTools command");
    }

    /// Runs a DevTools command (e.g. `Network.setBlockedURLs`) in this browser; its result.
    pub async fn devtools(&self, cmd: &'static str, params: Value) -> Value {
        self.chromium_only(cmd);
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .expect("chromedriver runs a DevTools command")
    }

    /// Waits until a service worker controls the page: from then on it opens with no network.
    pub async fn wait_for_service_worker(&self) {
        // The listener goes on first: a worker that takes control before `ready` settles is not
        // missed.
        let script = "const done = arguments[arguments.length - 1];
            if (navigator.serviceWorker.controller) return done(true);
            navigator.serviceWorker.addEventListener('controllerchange', () => done(true));
            navigator.serviceWorker.ready.then(() => {
                if (navigator.serviceWorker.controller) done(true);
            });";
        assert_eq!(self.eval_async(script).await, Value::Bool(true));
    }

    /// DevTools commands go through ChromeDriver only: WebKitWebDriver has no equivalent.
    fn chromium_only(&self, what: &str) {
        assert_eq!(
            self.engine,
            Engine::Chromium,
            "{what} is a Chrome DevTools command: a test that needs it runs in Chromium only"
        );
    }

    /// Chromium's main process, from the "host-PID" it writes into the profile's SingletonLock.
    fn chromium_pid(&self) -> Option<Pid> {
        let target = std::fs::read_link(self.profile.path().join("SingletonLock")).ok()?;
        let pid: i32 = target.to_string_lossy().rsplit('-').next()?.parse().ok()?;
        // Never 0 or 1, nor negative: those would name our own group, init or every process.
        (pid > 1).then(|| Pid::from_raw(pid))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if self.engine == Engine::WebKit {
            webkit::stop(&mut self.driver);
            self.display.take();
            return;
        }
        // ChromeDriver starts Chromium in its own process group; ending the driver leaves
        // Chromium running, so end Chromium (and its group, where it leads one) by its PID.
        if let Some(pid) = self.chromium_pid() {
            let _ = killpg(pid, Signal::SIGKILL);
            let _ = kill(pid, Signal::SIGKILL);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// A Chrome DevTools command sent through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
