//! The end-to-end harness: the real server binary on a free loopback port with a temporary data
//! folder, a small TCP proxy between browser and server that a test can cut, and a fresh headless
//! Chromium profile driven through ChromeDriver. Every process started here is ended when its
//! guard is dropped, which also happens when a test panics.

mod axe;
mod browser;
pub mod flows;
mod proxy;
mod seed;
mod server;

pub use axe::serious_violations;
pub use browser::Browser;
pub use proxy::Proxy;
pub use server::{Server, binary as server_binary};

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

/// One test's world: a server serving `dist` and a proxy in front of it. The browser talks to the
/// proxy's address, which stays the same across server restarts (a service worker belongs to
/// one origin).
pub struct Stack {
    pub server: Server,
    pub proxy: Proxy,
    pub data: tempfile::TempDir,
}

impl Stack {
    pub async fn start() -> Self {
        Self::start_with_dist(&dist()).await
    }

    pub async fn start_with_dist(dist: &Path) -> Self {
        let data = tempfile::tempdir().unwrap();
        let server = Server::start(dist, data.path()).await;
        let proxy = Proxy::start(server.addr).await;
        Self {
            server,
            proxy,
            data,
        }
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
        log_from(|path| self.url(path)).await
    }

    /// The server's whole change log, read from the server itself, past the proxy: for a test
    /// whose proxy swallows answers.
    pub async fn server_log_direct(&self) -> Vec<serde_json::Value> {
        log_from(|path| self.server.url(path)).await
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
pub async fn log_from(url: impl Fn(&str) -> String) -> Vec<serde_json::Value> {
    let mut changes = Vec::new();
    let mut since = 0;
    loop {
        let page: serde_json::Value =
            reqwest::get(url(&format!("/api/v1/sync/pull?format=1&since={since}")))
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
