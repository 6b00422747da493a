//! The real `yorisoi-server` binary, started on a free loopback port.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Server {
    child: Option<Child>,
    pub addr: SocketAddr,
    /// The flags it was started with that name its data (for the `person` command).
    data_flags: Vec<String>,
}

/// The server binary the tests run (`YORISOI_SERVER_BIN`).
pub fn binary() -> PathBuf {
    let bin = super::configured("YORISOI_SERVER_BIN", "target/debug/yorisoi-server");
    assert!(
        bin.is_file(),
        "no server binary at {}: run `cargo xtask test`",
        bin.display()
    );
    bin
}

impl Server {
    /// Starts the server and waits until `/healthz` answers.
    pub async fn start(dist: &Path, data: &Path) -> Self {
        Self::start_with(dist, data, &[]).await
    }

    /// Starts the server with extra flags, e.g. `--database-url postgres://…`.
    pub async fn start_with(dist: &Path, data: &Path, flags: &[&str]) -> Self {
        let addr: SocketAddr = ([127, 0, 0, 1], super::free_port()).into();
        let child = Command::new(binary())
            .args(flags)
            .args(["--addr", &addr.to_string()])
            .arg("--data")
            .arg(data)
            .arg("--dist")
            .arg(dist)
            // `YORISOI_E2E_SERVER_LOG=debug` (with the log shown) for more.
            .env(
                "YORISOI_LOG",
                std::env::var("YORISOI_E2E_SERVER_LOG")
                    .ok()
                    .filter(|level| level != "1")
                    .unwrap_or_else(|| "warn".into()),
            )
            // Every browser and device of a test signs in from loopback: the per-address limit
            // has a test of its own.
            .env("YORISOI_SIGN_IN_PER_MINUTE", "100000")
            .stdin(Stdio::null())
            // The server's warnings and errors, when a failure needs them:
            // `YORISOI_E2E_SERVER_LOG=1 cargo test …` (or a level: `=yorisoi_server=debug`).
            .stdout(if std::env::var_os("YORISOI_E2E_SERVER_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("the server binary starts");
        let mut data_flags: Vec<String> = vec!["--data".into(), data.display().to_string()];
        if let Some(at) = flags.iter().position(|f| *f == "--database-url") {
            data_flags.extend(flags[at..=at + 1].iter().map(|f| f.to_string()));
        }
        let mut server = Self {
            child: Some(child),
            addr,
            data_flags,
        };
        server.wait_until_healthy().await;
        server
    }

    async fn wait_until_healthy(&mut self) {
        let client = reqwest::Client::new();
        let url = format!("http://{}/healthz", self.addr);
        for _ in 0..200 {
            if let Ok(response) = client.get(&url).send().await
                && response.status().is_success()
            {
                return;
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("the server exited early: {status}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not answer /healthz within 20 s");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Adds a person with [`super::PASSWORD`] through the server's own `person` command, as an
    /// agency's IT person would.
    pub fn add_person(&self, login: &str, role: &str) {
        use std::io::Write;
        let mut child = Command::new(binary())
            .args(&self.data_flags)
            .args([
                "person",
                "--login",
                login,
                "--name",
                &format!("{login} さん"),
                "--role",
                role,
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("the server binary runs its person command");
        writeln!(child.stdin.take().unwrap(), "{}", super::PASSWORD).unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "adding {login} failed: {status}");
    }

    /// Sends SIGTERM, as a service manager does, and returns how the server exited.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("the server is running");
        let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a valid PID"));
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM is sent");
        for _ in 0..200 {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        panic!("the server did not stop within 10 s of SIGTERM");
    }

    /// The most memory the server process has held so far (Linux `VmHWM`), in kB.
    pub fn peak_memory_kb(&self) -> Option<u64> {
        let pid = self.child.as_ref()?.id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Kills the server and waits for it to be gone. Idempotent.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
