//! Command-line flags and environment variables. Defaults suit one agency machine: loopback,
//! data under `./data`, the built app under `./dist`. For tablets, listen on `0.0.0.0:…` behind
//! an HTTPS proxy (Caddy) and give the public URL (see the README, "Deploying for an agency").

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
    /// Address to listen on. Loopback by default; `0.0.0.0:8080` to serve other machines (put
    /// HTTPS in front: a service worker and `Secure` cookies need it).
    #[arg(long, env = "YORISOI_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The address people open, e.g. `https://yorisoi.example.jp`. With an `https://` URL the
    /// session cookie is `Secure` and `__Host-`; requests that change data must come from it;
    /// the set-up link is printed with it.
    #[arg(long, env = "YORISOI_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Trust the `X-Forwarded-For` header set by the proxy in front (Caddy) for the address
    /// sign-in attempts are limited by. Only when every request comes through that proxy.
    #[arg(long, env = "YORISOI_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// How many sign-in attempts one address may make per minute.
    #[arg(long, env = "YORISOI_SIGN_IN_PER_MINUTE", default_value_t = 10)]
    pub sign_in_per_minute: u32,
    /// How many password hashes (sign-in, set-up, password changes) may run at once; each holds
    /// 19 MiB and a core. Default: the number of cores. A request waits up to 5 s for a turn,
    /// then is answered 503.
    #[arg(long, env = "YORISOI_HASH_CONCURRENCY")]
    pub hash_concurrency: Option<usize>,
    /// A session unused for this many days ends.
    #[arg(long, env = "YORISOI_SESSION_IDLE_DAYS", default_value_t = 7)]
    pub session_idle_days: u32,
    /// A session ends this many days after its sign-in: the longest a tablet works offline
    /// before it asks for a sign-in online (nothing on it is deleted then).
    #[arg(long, env = "YORISOI_OFFLINE_DAYS", default_value_t = 14)]
    pub offline_days: u32,
    /// How many years a client's data is kept after an administrator stops its use (利用停止),
    /// before it may be erased.
    #[arg(long, env = "YORISOI_RETENTION_YEARS", default_value_t = crate::db::DEFAULT_RETENTION_YEARS)]
    pub retention_years: u32,
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
    /// Reads the whole audit log and checks that no entry was changed or removed (each entry's
    /// hash covers the one before it). Prints how many entries there are and the newest hash;
    /// exits with failure, saying where, if the chain is broken.
    AuditCheck,
    /// Copies the SQLite database to FILE, consistently, while the server may go on serving
    /// (SQLite's `VACUUM INTO`). To restore: stop the server, put the copy in the data folder as
    /// `yorisoi.sqlite3` (removing `yorisoi.sqlite3-wal` and `-shm` there), start it. For
    /// PostgreSQL use `pg_dump` (see the README).
    Backup {
        /// Where to write the copy; it must not exist yet.
        #[arg(long)]
        to: PathBuf,
    },
    /// Gives the database a new instance id: run it after restoring a database from a backup
    /// (PostgreSQL's `pg_restore`; an SQLite copy made by `backup` has its own id already), with
    /// every server stopped, before starting them. Devices that synced since the backup see the
    /// new id, send again what the restored database lacks and pull from the start.
    Restored,
    /// Adds a person, or with `--reset` gives an existing one a new password (and unlocks and
    /// enables them): for the first administrator without a browser, or when the only
    /// administrator is locked out. Reads the password from standard input (one line).
    Person {
        /// Their login (letters, digits, '.', '-', '_', '@').
        #[arg(long)]
        login: String,
        /// Their name as shown in the app.
        #[arg(long)]
        name: Option<String>,
        /// admin, coach or office.
        #[arg(long, default_value = "coach")]
        role: String,
        /// Reset an existing person's password instead of adding one.
        #[arg(long)]
        reset: bool,
    },
}

impl Config {
    /// How long sessions last.
    pub fn session_policy(&self) -> crate::db::SessionPolicy {
        const DAY: i64 = 24 * 60 * 60 * 1000;
        crate::db::SessionPolicy {
            idle_ms: i64::from(self.session_idle_days.max(1)) * DAY,
            absolute_ms: i64::from(self.offline_days.max(1)) * DAY,
        }
    }

    /// Whether people reach the server over HTTPS.
    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

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
