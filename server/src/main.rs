//! The `yorisoi-server` binary: reads its configuration, opens the database and serves until
//! Ctrl-C or SIGTERM. Everything else lives in the library.

use clap::Parser;
use yorisoi_domain::audit::{Action, Event};
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
    match &config.command {
        Some(Command::Backup { to }) => return backup(&config, to).await,
        Some(Command::AuditCheck) => return audit_check(&config).await,
        Some(Command::Restored) => return restored(&config).await,
        Some(Command::Person {
            login,
            name,
            role,
            reset,
        }) => return person(&config, login, name.as_deref(), role, *reset).await,
        None => {}
    }
    let db = Db::open(&config.database_url())
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    // The fields' state is brought up to the log before serving (the first start after the
    // state was added folds the whole log); a bootstrap would fold it otherwise, on a device's
    // time.
    let folded = db
        .catch_up_state()
        .await
        .map_err(|e| format!("cannot fold the log into the fields' state: {e}"))?;
    if folded > 0 {
        tracing::info!(
            folded,
            "the fields' current state was brought up to the log"
        );
    }
    let shell = Shell::load(&config.dist);
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(address = %local, data = %config.data.display(), "Yorisoi is serving on http://{local}");
    let state = AppState::configured(db.clone(), shell, &config);
    let base = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    if let Some(link) = yorisoi_server::handlers::setup::offer_set_up(&state, &base)
        .await
        .map_err(|e| format!("cannot make the set-up link: {e}"))?
    {
        tracing::warn!("nobody has an account yet: open {link} to make the first administrator");
        println!(
            "\n  Nobody has an account yet. To make the first administrator, open:\n\n    {link}\n\n  (the link works once; a restart prints a new one)\n"
        );
    }
    yorisoi_server::serve(listener, state, yorisoi_server::shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))?;
    db.close().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// The database a command works on, which must exist already: a command never makes an empty
/// one in a mistyped data folder.
async fn open_existing(config: &Config) -> Result<Db, String> {
    if config.database_url.is_none() && !config.sqlite_path().exists() {
        return Err(format!(
            "there is no database at {} (is --data the server's data folder?)",
            config.sqlite_path().display()
        ));
    }
    Db::open(&config.database_url())
        .await
        .map_err(|e| format!("cannot open the database: {e}"))
}

/// `yorisoi-server backup --to FILE`: a consistent copy of the database, the server running or not.
async fn backup(config: &Config, to: &std::path::Path) -> Result<(), String> {
    let db = open_existing(config).await?;
    let result = db
        .backup(to)
        .await
        .map_err(|e| format!("backup failed: {e}"));
    db.close().await;
    result?;
    println!("backed up to {}", to.display());
    Ok(())
}

/// `yorisoi-server restored`: a restored database gets a new instance id, so devices that
/// synced after the backup send again what it lacks and pull from the start.
async fn restored(config: &Config) -> Result<(), String> {
    let db = open_existing(config).await?;
    let renewed = db.renew_instance_id().await;
    db.close().await;
    let id = renewed.map_err(|e| format!("cannot give the database a new id: {e}"))?;
    println!("the database's instance id is now {id}: start the server(s)");
    Ok(())
}

/// `yorisoi-server audit-check`: the whole audit log's chain, checked.
async fn audit_check(config: &Config) -> Result<(), String> {
    let db = Db::open(&config.database_url())
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let check = db.check_audit().await;
    db.close().await;
    let check = check.map_err(|e| format!("cannot read the audit log: {e}"))?;
    match check.broken {
        None => {
            println!(
                "the audit log is whole: {} entries, the newest hash {}",
                check.entries, check.head
            );
            Ok(())
        }
        Some(broken) => Err(format!(
            "the audit log was tampered with: {broken} ({} entries read whole before it)",
            check.entries
        )),
    }
}

/// An audit event done from the machine (no person signed in, no device).
fn cli_event(action: Action, mut detail: Vec<String>) -> Event {
    if !detail.iter().any(|d| d == "cli") {
        detail.push("cli".into());
    }
    let mut event = Event::new(action);
    event.detail = detail;
    event
}

/// `yorisoi-server person --login …`: adds a person or resets their password, from the machine.
async fn person(
    config: &Config,
    login: &str,
    name: Option<&str>,
    role: &str,
    reset: bool,
) -> Result<(), String> {
    use yorisoi_domain::accounts;
    let login = accounts::normalize_login(login).map_err(|e| e.to_string())?;
    let role = accounts::Role::parse(role)
        .ok_or_else(|| format!("{role:?} is not a role: admin, coach or office"))?;
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']);
    accounts::check_password(password).map_err(|e| e.to_string())?;
    let db = Db::open(&config.database_url())
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    let hash = yorisoi_server::auth::hash_password(password);
    let result = if reset {
        match db.person_by_login(&login).await {
            Ok(Some(mut person)) => {
                person.password_hash = hash;
                person.disabled = false;
                person.failures = 0;
                person.failed_since = 0;
                person.locked_until = 0;
                let saved = db.save_person(&person).await;
                let ended = db.end_sessions_of(person.id).await;
                let audited = db
                    .record_one(
                        cli_event(
                            Action::AccountChanged,
                            vec![format!("person:{}", person.id), "password_reset".into()],
                        ),
                        yorisoi_server::auth::now_ms(),
                    )
                    .await;
                saved
                    .and(ended)
                    .and(audited)
                    .map(|()| format!("new password set for {login}"))
            }
            Ok(None) => Ok(String::new()),
            Err(e) => Err(e),
        }
        .map_err(|e| e.to_string())
        .and_then(|done| {
            if done.is_empty() {
                Err(format!("nobody has the login {login}"))
            } else {
                Ok(done)
            }
        })
    } else {
        let name = accounts::check_name(name.unwrap_or(&login)).map_err(|e| e.to_string())?;
        let person = yorisoi_server::db::PersonRow::new(login.clone(), name, role, hash);
        let now = yorisoi_server::auth::now_ms();
        match db.add_person(&person, now).await {
            Ok(true) => {
                let detail = vec![
                    format!("person:{}", person.id),
                    role.as_str().into(),
                    "cli".into(),
                ];
                match db
                    .record_one(cli_event(Action::PersonAdded, detail), now)
                    .await
                {
                    Ok(()) => Ok(format!("added {login} ({})", role.as_str())),
                    Err(e) => Err(e.to_string()),
                }
            }
            Ok(false) => Err(format!(
                "the login {login} is taken (use --reset to give it a new password)"
            )),
            Err(e) => Err(e.to_string()),
        }
    };
    db.close().await;
    println!("{}", result?);
    Ok(())
}
