//! Command-line flags and environment variables. Defaults suit one agency machine: loopback only
//! (there are no accounts yet), data under `./data`, the built app under `./dist`.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "yorisoi-server",
    version,
    about = "Yorisoi: the app and its sync server"
)]
pub struct Config {
    /// Address to listen on. Loopback by default: the server has no accounts yet.
    #[arg(long, env = "YORISOI_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Folder for the embedded database; created on first start.
    #[arg(long, env = "YORISOI_DATA", default_value = "data")]
    pub data: PathBuf,
    /// Folder holding the built app (`trunk build` output).
    #[arg(long, env = "YORISOI_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// Database URL. Without it, SQLite in the data folder.
    #[arg(long, env = "YORISOI_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Without a command the server serves.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Copies the SQLite database to FILE, consistently, while the server may go on serving
    /// (SQLite's `VACUUM INTO`). To restore: stop the server, put the copy in the data folder as
    /// `yorisoi.sqlite3` (removing `yorisoi.sqlite3-wal` and `-shm` there), start it. For
    /// PostgreSQL use `pg_dump` (see the README).
    Backup {
        /// Where to write the copy; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
    },
}

impl Config {
    /// The database to open: the given URL, or `yorisoi.sqlite3` in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.sqlite_path().display()),
        }
    }

    /// The embedded database's file in the data folder.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data.join("yorisoi.sqlite3")
    }
}
