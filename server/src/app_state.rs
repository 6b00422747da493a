//! What every handler may reach: the database, the app shell, the session policy and the
//! server's limits, made from the configuration.

use crate::config::Config;
use crate::db::{self, SessionPolicy};
use crate::{hashing, limit, shell};
use std::sync::Arc;

/// What every handler may reach. Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub db: db::Db,
    pub shell: Arc<shell::Shell>,
    pub sessions: SessionPolicy,
    /// The public URL people open (scheme, host and port), if configured.
    pub public_url: Option<String>,
    pub trust_proxy: bool,
    /// Sign-in attempts per peer address.
    pub sign_in_limit: Arc<limit::RateLimit>,
    /// Years a stopped client's data is kept (利用停止).
    pub retention_years: u32,
    /// How many password hashes may run at once (`hashing.rs`).
    pub hashing: hashing::HashLimit,
}

impl AppState {
    /// A state with the defaults: plain HTTP, sessions as [`SessionPolicy::default`].
    pub fn new(db: db::Db, shell: shell::Shell) -> Self {
        Self {
            db,
            shell: Arc::new(shell),
            sessions: SessionPolicy::default(),
            public_url: None,
            trust_proxy: false,
            sign_in_limit: Arc::new(limit::RateLimit::sign_in()),
            retention_years: db::DEFAULT_RETENTION_YEARS,
            hashing: hashing::HashLimit::for_this_machine(),
        }
    }

    /// The state the configuration asks for.
    pub fn configured(db: db::Db, shell: shell::Shell, config: &Config) -> Self {
        Self {
            sessions: config.session_policy(),
            public_url: config
                .public_url
                .as_deref()
                .map(|u| u.trim_end_matches('/').to_owned()),
            trust_proxy: config.trust_proxy,
            sign_in_limit: Arc::new(limit::RateLimit::new(
                config.sign_in_per_minute.max(1),
                std::time::Duration::from_secs(60),
            )),
            retention_years: config.retention_years.max(1),
            hashing: match config.hash_concurrency {
                Some(n) => hashing::HashLimit::new(n, hashing::DEFAULT_WAIT),
                None => hashing::HashLimit::for_this_machine(),
            },
            ..Self::new(db, shell)
        }
    }

    /// Whether cookies are made for HTTPS.
    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }
}
