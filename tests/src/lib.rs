//! The end-to-end harness: the real server binary on a free loopback port with a temporary data
//! folder, a small TCP proxy between browser and server that a test can cut, and a fresh browser
//! profile: headless Chromium driven through ChromeDriver, or WebKitGTK driven through
//! WebKitWebDriver on a virtual display. Every process started here is ended when its
//! guard is dropped, which also happens when a test panics.

pub mod admin;
mod axe;
mod browser;
pub mod flows;
pub mod forms;
mod proxy;
mod seed;
mod server;
pub mod support;
pub mod support_missed;
mod webkit;

pub use axe::serious_violations;
pub use browser::Browser;
pub use proxy::Proxy;
pub use server::{Server, binary as server_binary};
pub use webkit::Engine;

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_owned()
}

/// A path from an environment variable, or a default under the workspace root.
fn configured(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(default))
}

/// The built app (`trunk build --release`), as `cargo xtask test` leaves it.
pub fn dist() -> PathBuf {
    let dist = configured("YORISOI_DIST", "dist");
    assert!(
        dist.join("index.html").is_file(),
        "no built app in {}: run the end-to-end tests through `cargo xtask test`",
        dist.display()
    );
    dist
}

/// A free port on loopback, as the kernel hands it out.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Copies a folder tree (a build, so a test can change its copy without touching `dist/`).
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Every test person's password.
pub const PASSWORD: &str = "correct horse battery";

/// The people every stack has: an administrator, two coaches and the office.
pub const PEOPLE: [(&str, &str); 4] = [
    ("admin", "admin"),
    ("coach", "coach"),
    ("coach2", "coach"),
    ("office", "office"),
];

/// Signs `login` in on `device` through the API at `base` (`http://host:port`): the `Cookie`
/// header value for that device's requests.
pub async fn api_session(base: &str, login: &str, device: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({"login": login, "password": PASSWORD, "device": device}))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{login} signs in: {}",
        response.status()
    );
    response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// A fresh device id, as the app makes one.
pub fn new_device_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "01a1ee56-{:04x}-7eee-8{:03x}-{:012x}",
        (nanos >> 48) & 0xffff,
        (nanos >> 36) & 0xfff,
        nanos & 0xffff_ffff_ffff
    )
}

/// One test's world: a server serving `dist` and a proxy in front of it. The browser talks to the
/// proxy's address, which stays the same across server restarts (a service worker belongs to
/// one origin).
pub struct Stack {
    pub server: Server,
    pub proxy: Proxy,
    pub data: tempfile::TempDir,
    /// The engine of the browsers [`Stack::browser`] and [`Stack::browser_as`] start.
    pub engine: Engine,
    /// The office's session for reading the whole log, made when first needed.
    office: tokio::sync::OnceCell<String>,
}

impl Stack {
    pub async fn start() -> Self {
        Self::start_with_dist(&dist()).await
    }

    /// A stack whose browsers run `engine`.
    pub async fn start_in(engine: Engine) -> Self {
        let mut stack = Self::start().await;
        stack.engine = engine;
        stack
    }

    pub async fn start_with_dist(dist: &Path) -> Self {
        let data = tempfile::tempdir().unwrap();
        let server = Server::start(dist, data.path()).await;
        for (login, role) in PEOPLE {
            server.add_person(login, role);
        }
        let proxy = Proxy::start(server.addr).await;
        Self {
            server,
            proxy,
            data,
            engine: Engine::Chromium,
            office: tokio::sync::OnceCell::new(),
        }
    }

    /// A fresh browser with the coach signed in (see [`Stack::sign_in`]).
    pub async fn browser(&self) -> Browser {
        self.browser_as("coach").await
    }

    /// A fresh browser with `login` signed in.
    pub async fn browser_as(&self, login: &str) -> Browser {
        let browser = Browser::start_in(self.engine).await;
        self.sign_in(&browser, login).await;
        browser
    }

    /// Opens the app and signs `login` in through its sign-in page.
    pub async fn sign_in(&self, browser: &Browser, login: &str) {
        browser.goto(&self.url("/")).await;
        browser.type_into("[data-testid=login]", login).await;
        browser.type_into("[data-testid=password]", PASSWORD).await;
        browser.click("[data-testid=sign-in]").await;
        browser
            .wait_for_text("signed-in-as", &format!("{login} さん"))
            .await;
        browser.remember_password(PASSWORD);
    }

    /// Has the server fold its log into the fields' state now (one bootstrap page read as the
    /// office): what a running server does in the background between bursts of pushes, done
    /// before a benchmark times a first sync right after seeding.
    pub async fn fold_state(&self) {
        let cookie = self.office_cookie().await.to_owned();
        let response = reqwest::Client::new()
            .get(self.server.url("/api/v1/sync/bootstrap?format=2&limit=1"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }

    /// The office's session cookie, for reading the whole log.
    async fn office_cookie(&self) -> &str {
        self.office
            .get_or_init(|| async {
                api_session(&self.server.url(""), "office", &new_device_id()).await
            })
            .await
    }

    /// The app's address as the browser sees it.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.proxy.addr)
    }

    /// Takes the network away: the server process is stopped and the proxy refuses and drops
    /// every connection, so nothing, the service worker's own fetches included, reaches a server.
    pub fn go_offline(&mut self) {
        self.proxy.cut();
        self.server.stop();
    }

    /// The server's whole change log, read through the pull API as any device would: each entry
    /// is a pulled change (`seq`, `received_at`, `change`).
    pub async fn server_log(&self) -> Vec<serde_json::Value> {
        let cookie = self.office_cookie().await.to_owned();
        log_from(|path| self.url(path), &cookie).await
    }

    /// The server's whole change log, read from the server itself, past the proxy: for a test
    /// whose proxy swallows answers.
    pub async fn server_log_direct(&self) -> Vec<serde_json::Value> {
        let cookie = self.office_cookie().await.to_owned();
        log_from(|path| self.server.url(path), &cookie).await
    }
    /// Starts a new server (a new deploy) on `dist`, with the same data, behind the same address.
    pub async fn redeploy(&mut self, dist: &Path) {
        self.server.stop();
        self.server = Server::start(dist, self.data.path()).await;
        self.proxy.connect_to(self.server.addr);
    }
}

/// The whole change log of the server at `url` (a path → address), read through the pull API as
/// any device would: each entry is a pulled change (`seq`, `received_at`, `change`).
/// `cookie` is a session of someone who reads every client (the office).
pub async fn log_from(url: impl Fn(&str) -> String, cookie: &str) -> Vec<serde_json::Value> {
    let http = reqwest::Client::new();
    let mut changes = Vec::new();
    let mut since = 0;
    loop {
        let page: serde_json::Value = http
            .get(url(&format!("/api/v1/sync/pull?format=1&since={since}")))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        changes.extend(page["changes"].as_array().unwrap().iter().cloned());
        since = page["cursor"].as_u64().unwrap();
        if !page["more"].as_bool().unwrap() {
            return changes;
        }
    }
}
