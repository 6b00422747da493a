//! A throwaway PostgreSQL for the tests: Debian's server binaries, a fresh cluster in a temporary
//! folder, listening on a free loopback port, stopped and removed when dropped.

use crate::cmd::{Error, Result, output, run};
use crate::tools::apt_install;
use std::path::PathBuf;
use std::process::Command;

pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    pub url: String,
    as_postgres_user: bool,
}

/// The newest installed server's `bin` folder, e.g. `/usr/lib/postgresql/15/bin`.
fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("bin/initdb").is_file())
        .collect();
    versions.sort_by_key(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop().map(|p| p.join("bin"))
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Postgres {
    pub fn start() -> Result<Self> {
        if server_bin().is_none() {
            apt_install(&["postgresql"])?;
        }
        let bin = server_bin().ok_or_else(|| {
            Error::msg("PostgreSQL's server is not installed (apt-get install postgresql)")
        })?;
        let root = output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0");
        let dir = std::env::temp_dir().join(format!("yorisoi-pg-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        let port = free_port()?;
        let pg = Self {
            bin,
            dir: dir.clone(),
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            as_postgres_user: root,
        };
        if root {
            // initdb refuses to run as root: the cluster belongs to Debian's `postgres` user.
            run(Command::new("chown").arg("postgres:postgres").arg(&dir))?;
        }
        let data = dir.join("data");
        run(pg.command("initdb").arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]))?;
        let options = format!(
            "-p {port} -h 127.0.0.1 -k {} -F -c max_connections=300",
            dir.display()
        );
        run(pg
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(options)
            .arg("-l")
            .arg(dir.join("log"))
            .args(["-w", "start"]))?;
        Ok(pg)
    }

    fn command(&self, program: &str) -> Command {
        if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command
                .args(["-u", "postgres", "--"])
                .arg(self.bin.join(program));
            command
        } else {
            Command::new(self.bin.join(program))
        }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "immediate", "-w", "stop"])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
