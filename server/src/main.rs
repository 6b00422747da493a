//! The `yorisoi-server` binary: reads its configuration, opens the database and serves until
//! Ctrl-C or SIGTERM. Everything else lives in the library.

use clap::Parser;
use yorisoi_server::config::Command;
use yorisoi_server::{AppState, Config, db::Db, shell::Shell};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("YORISOI_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()),
        )
        .init();
    let config = Config::parse();
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("yorisoi-server: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    if let Some(Command::Backup { to }) = &config.command {
        return backup(&config, to).await;
    }
    let db = Db::open(&config.database_url())
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let shell = Shell::load(&config.dist);
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(address = %local, data = %config.data.display(), "Yorisoi is serving on http://{local}");
    let state = AppState::new(db.clone(), shell);
    yorisoi_server::serve(listener, state, yorisoi_server::shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))?;
    db.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// `yorisoi-server backup --to FILE`: a consistent copy of the database, the server running or not.
async fn backup(config: &Config, to: &std::path::Path) -> Result<(), String> {
    if config.database_url.is_none() && !config.sqlite_path().exists() {
        return Err(format!(
            "there is no database at {} (is --data the server's data folder?)",
            config.sqlite_path().display()
        ));
    }
    let db = Db::open(&config.database_url())
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let result = db
        .backup(to)
        .await
        .map_err(|e| format!("backup failed: {e}"));
    db.close().await;
    result?;
    println!("backed up to {}", to.display());
    Ok(())
}
