//! Building the app with Trunk and running the server.

use crate::cmd::{Result, cargo, root, run, tool_path};
use crate::tools::{self, Need};
use std::process::Command;

/// `trunk build --release` into `dist/`. Trunk finds the pinned tools on our PATH and, with
/// `offline = true` in Trunk.toml, refuses to download any.
pub fn app_release() -> Result {
    // Offline Trunk runs `cargo build --offline`: fetch the crates first, for a fresh machine.
    run(cargo().arg("fetch"))?;
    run(trunk().args(["build", "--release"]))
}

pub fn trunk() -> Command {
    let mut command = Command::new(crate::cmd::cargo_bin_dir().join("trunk"));
    command
        .current_dir(root())
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .env("NO_COLOR", "true")
        .env("PATH", tool_path());
    command
}

/// `cargo xtask serve`: install, build, then become the server (Ctrl-C stops it cleanly).
pub fn serve(args: Vec<String>) -> Result {
    tools::ensure_all(Need::Serve)?;
    app_release()?;
    run(cargo().args(["build", "--release", "--package", "yorisoi-server"]))?;
    let mut server = Command::new(root().join("target/release/yorisoi-server"));
    server.current_dir(root()).args(args);
    eprintln!("xtask: starting the server; Ctrl-C stops it");
    exec(server)
}

#[cfg(unix)]
fn exec(mut command: Command) -> Result {
    use std::os::unix::process::CommandExt;
    // Replace this process, so Ctrl-C and SIGTERM reach the server directly.
    Err(command.exec().into())
}

#[cfg(not(unix))]
fn exec(mut command: Command) -> Result {
    run(&mut command)
}
