//! The account lock-out under attack: wrong passwords sent all at once, over real HTTP, to two
//! server instances on the same database, on every database the run can reach.

use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use yorisoi_domain::accounts::Role;
use yorisoi_server::auth::now_ms;
use yorisoi_server::db::Db;
use yorisoi_server::limit::RateLimit;
use yorisoi_server::{AppState, hashing::HashLimit};

mod common;
mod support;
use support::*;

/// A server on a loopback port over `db`, with room for every attempt of this test (the
/// per-address limit and the hashing bound are not what is tested here): its base URL and how
/// to stop it.
async fn serve(
    db: &Db,
    dir: &tempfile::TempDir,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState {
        sign_in_limit: Arc::new(RateLimit::new(1000, Duration::from_secs(60))),
        hashing: HashLimit::new(16, Duration::from_secs(120)),
        ..state(db, dir)
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(yorisoi_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    (base, stop, server)
}

/// Twelve wrong passwords sent at once, half to each of two servers on one database, lock the
/// account: each is counted, none overwrites another's count. The right password is then
/// refused, and the database says the account is locked.
#[tokio::test]
async fn twelve_wrong_passwords_at_once_to_two_servers_lock_the_account() {
    for (name, db, url, dir) in databases_with_urls().await {
        add_person(&db, "kato", Role::Coach).await;
        // A second instance: its own connection pool on the same database.
        let other = Db::open(&url).await.unwrap();
        let (first, stop_first, server_first) = serve(&db, &dir).await;
        let (second, stop_second, server_second) = serve(&other, &dir).await;
        let http = reqwest::Client::new();
        let device = new_device();
        let attempts: Vec<_> = (0..12)
            .map(|n| {
                let base = if n % 2 == 0 { &first } else { &second };
                let request = http.post(format!("{base}/api/v1/session")).json(
                    &json!({"login": "kato", "password": format!("wrong {n}"), "device": device}),
                );
                tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
            })
            .collect();
        for attempt in attempts {
            assert_eq!(
                attempt.await.unwrap(),
                401,
                "{name}: every wrong password is refused"
            );
        }
        let person = db.person_by_login("kato").await.unwrap().unwrap();
        assert!(
            person.locked_until > now_ms(),
            "{name}: locked after 12 wrong passwords sent at once: {person:?}"
        );
        let right = http
            .post(format!("{first}/api/v1/session"))
            .json(&json!({"login": "kato", "password": PASSWORD, "device": device}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            right.status().as_u16(),
            401,
            "{name}: the right password is refused"
        );
        let body: serde_json::Value = right.json().await.unwrap();
        assert_eq!(body["error"]["code"], "sign_in_failed", "{name}: {body}");
        let _ = stop_first.send(());
        let _ = stop_second.send(());
        server_first.await.unwrap().unwrap();
        server_second.await.unwrap().unwrap();
        other.close().await;
    }
}

/// A right password checked while wrong ones lock the account does not sign in once the lock is
/// there: the lock is looked at again after the slow hash, where the failures are cleared.
#[tokio::test]
async fn a_lock_set_while_the_right_password_is_checked_holds() {
    for (name, db, _url, dir) in databases_with_urls().await {
        let person = add_person(&db, "mori", Role::Coach).await;
        let state = AppState {
            sign_in_limit: Arc::new(RateLimit::new(1000, Duration::from_secs(60))),
            hashing: HashLimit::new(1, Duration::from_secs(120)),
            ..state(&db, &dir)
        };
        // The right password is read, then waits for its turn to be checked, while another
        // instance counts five wrong passwords.
        let turn = state
            .hashing
            .permits()
            .clone()
            .acquire_owned()
            .await
            .unwrap();
        let device = new_device();
        let pending = tokio::spawn({
            let state = state.clone();
            async move { sign_in("mori", PASSWORD, device).send(&state).await }
        });
        // Let it read the account (unlocked) and queue for the hash. (Should it not have read it
        // yet, it finds the lock at once and the test proves less, but never fails wrongly.)
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!pending.is_finished(), "{name}: it waits for its turn");
        for _ in 0..5 {
            db.count_failure(person, now_ms()).await.unwrap();
        }
        drop(turn);
        let reply = pending.await.unwrap();
        assert_eq!(
            (reply.status.as_u16(), reply.code()),
            (401, "sign_in_failed"),
            "{name}: {}",
            reply.text
        );
        assert!(reply.set_cookie().is_none(), "{name}: no session");
    }
}
