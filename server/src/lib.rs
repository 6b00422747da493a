//! Yorisoi's server as a library: `router(state)` builds every route and `serve(listener, …)`
//! runs them on a listener the caller already bound, so tests can bind port 0.

pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod handlers;
pub mod hashing;
pub mod limit;
pub mod router;
pub mod security;
pub mod shell;

use std::future::Future;
use std::sync::Arc;

pub use config::Config;
pub use router::router;

/// What every handler may reach. Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub db: db::Db,
    pub shell: Arc<shell::Shell>,
    pub sessions: auth::SessionPolicy,
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
    /// A state with the defaults: plain HTTP, sessions as [`auth::SessionPolicy::default`].
    pub fn new(db: db::Db, shell: shell::Shell) -> Self {
        Self {
            db,
            shell: Arc::new(shell),
            sessions: auth::SessionPolicy::default(),
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

/// Serves the app and the API on `listener` until `shutdown` completes, then lets requests in
/// flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Completes on Ctrl-C or SIGTERM, whichever comes first.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, stopping"),
        () = terminate => tracing::info!("SIGTERM received, stopping"),
    }
}
