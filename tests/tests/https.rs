//! The deployment an agency runs: the repository's own `deploy/Caddyfile`, unmodified, in a real
//! Caddy serving HTTPS on loopback with its internal CA, in front of the real server started with
//! an `https://` public URL and `--trust-proxy`, and headless Chromium using the app through it.

use serde_json::Value;
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use yorisoi_e2e::flows::{new_msfas_at, sync_now};
use yorisoi_e2e::{
    Browser, PASSWORD, PEOPLE, Server, api_session, dist, free_port, log_from, new_device_id, root,
};

/// A real Caddy running `deploy/Caddyfile` with the test's environment; killed when dropped.
struct Caddy {
    child: Child,
    /// Its XDG data and config folders (certificates, the internal CA) and its log.
    home: tempfile::TempDir,
    https_port: u16,
    http_port: u16,
}

impl Caddy {
    /// Starts Caddy for `https://localhost:<https_port>` in front of `upstream`, on loopback
    /// only, and waits until it serves HTTPS.
    async fn start(https_port: u16, upstream: SocketAddr) -> Self {
        let program = std::env::var_os("CADDY").unwrap_or_else(|| "caddy".into());
        let home = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(home.path().join("caddy.log")).unwrap();
        let http_port = free_port();
        let child = Command::new(&program)
            .args(["run", "--adapter", "caddyfile", "--config"])
            .arg(root().join("deploy/Caddyfile"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("YORISOI_SITE", "localhost")
            .env("YORISOI_TLS", "internal")
            .env("YORISOI_UPSTREAM", upstream.to_string())
            .env("YORISOI_HTTP_PORT", http_port.to_string())
            .env("YORISOI_HTTPS_PORT", https_port.to_string())
            .env("YORISOI_BIND", "127.0.0.1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {}: {e}. The HTTPS test needs Caddy: `cargo xtask test` installs \
                     it (Debian's package: apt-get install caddy), or set CADDY to its path",
                    program.to_string_lossy()
                )
            });
        let mut caddy = Self {
            child,
            home,
            https_port,
            http_port,
        };
        caddy.wait_until_serving().await;
        caddy
    }

    /// Waits until the HTTPS port accepts connections and the site's certificate is issued.
    async fn wait_until_serving(&mut self) {
        let certificate = self
            .data()
            .join("caddy/certificates/local/localhost/localhost.crt");
        let address: SocketAddr = ([127, 0, 0, 1], self.https_port).into();
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("Caddy exited early ({status}):\n{}", self.log());
            }
            if certificate.is_file()
                && TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("Caddy did not serve HTTPS within 20 s:\n{}", self.log());
    }

    fn data(&self) -> PathBuf {
        self.home.path().join("data")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home.path().join("caddy.log")).unwrap_or_default()
    }

    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.https_port)
    }
}

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Signs `login` in through the app's own sign-in page at `base`.
async fn sign_in(browser: &Browser, base: &str, login: &str) {
    browser.goto(&format!("{base}/")).await;
    browser.type_into("[data-testid=login]", login).await;
    browser.type_into("[data-testid=password]", PASSWORD).await;
    browser.click("[data-testid=sign-in]").await;
    browser
        .wait_for_text("signed-in-as", &format!("{login} さん"))
        .await;
    browser.remember_password(PASSWORD);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coach_works_offline_capable_over_https_through_the_deploy_caddyfile() {
    let https_port = free_port();
    let public = format!("https://localhost:{https_port}");
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        &dist(),
        data.path(),
        &["--public-url", &public, "--trust-proxy"],
    )
    .await;
    for (login, role) in PEOPLE {
        server.add_person(login, role);
    }
    let caddy = Caddy::start(https_port, server.addr).await;
    assert_eq!(caddy.url(""), public);

    // Plain HTTP on the configured port only redirects to HTTPS.
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("http://localhost:{}/clients", caddy.http_port))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status(), 308, "{}", caddy.log());
    let location = redirect.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("https://localhost") && location.ends_with("/clients"),
        "{location}"
    );

    // The certificate comes from the test's own internal CA, which Chromium does not know.
    let browser = Browser::start_with_args(&["--ignore-certificate-errors"]).await;
    sign_in(&browser, &public, "coach").await;
    browser.wait_for_service_worker().await;
    let page = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             fetch('/healthz').then(r => done({
                 secure: window.isSecureContext,
                 origin: location.origin,
                 hsts: r.headers.get('strict-transport-security'),
                 cookies: document.cookie,
             }), e => done({ error: String(e) }));",
        )
        .await;
    assert_eq!(page["secure"], Value::Bool(true), "{page}");
    assert_eq!(page["origin"], public.as_str(), "{page}");
    assert_eq!(page["hsts"], "max-age=31536000", "{page}");
    assert!(
        !page["cookies"]
            .as_str()
            .unwrap()
            .contains("yorisoi_session"),
        "the page's scripts cannot read the session: {page}"
    );

    // The session cookie is host-only, HTTPS-only, out of scripts' reach and never cross-site.
    let cookies = browser.client.get_all_cookies().await.unwrap();
    let names: Vec<&str> = cookies.iter().map(|c| c.name()).collect();
    assert_eq!(names, ["__Host-yorisoi_session"], "{cookies:?}");
    let session = &cookies[0];
    assert_eq!(session.secure(), Some(true), "{session:?}");
    assert_eq!(session.http_only(), Some(true), "{session:?}");
    assert_eq!(
        session.same_site().map(|s| s.to_string()).as_deref(),
        Some("Strict"),
        "{session:?}"
    );
    assert_eq!(session.path(), Some("/"), "{session:?}");

    // Work, and sync: a request that changes data passes the server's origin check only because
    // the origin the browser names is the public URL.
    new_msfas_at(&public, &browser, "山田 花子").await;
    browser
        .type_into("#q-user1-q5-line0", "HTTPS越しの回答")
        .await;
    sync_now(&browser).await;

    let office = api_session(&server.url(""), "office", &new_device_id()).await;
    let log = log_from(|path| server.url(path), &office).await;
    assert!(
        log.iter().any(|p| p["change"]["value"] == "山田 花子"),
        "the new client reached the server: {log:#?}"
    );
    assert!(
        log.iter()
            .any(|p| p["change"]["value"]["lines"][0] == "HTTPS越しの回答"),
        "the answer reached the server: {log:#?}"
    );
    // As root (a CI machine) Caddy would otherwise add its CA to the machine's trust store.
    assert!(
        caddy
            .log()
            .contains("root certificate trust store installation disabled"),
        "{}",
        caddy.log()
    );
}
