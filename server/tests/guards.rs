//! Sign-in's guards under attack: the session cookie over HTTPS, and the bound on password
//! hashes running at once.

use axum::http::StatusCode;
use serde_json::json;
use std::time::Duration;
use yorisoi_domain::accounts::Role;
use yorisoi_server::AppState;
use yorisoi_server::auth::COOKIE_HTTPS;
use yorisoi_server::handlers::setup::offer_set_up;
use yorisoi_server::hashing::HashLimit;

mod common;
mod support;
use support::*;

/// A host that shares a parent domain with the server (a sibling subdomain, or a plain-HTTP
/// page an attacker answers on the network) can plant `yorisoi_session` for it, but never the
/// `__Host-` cookie. Over HTTPS the server reads only the `__Host-` cookie: a planted session
/// is not honoured, neither alone nor sent before the real one; over plain HTTP the `__Host-`
/// name is not read either.
#[tokio::test]
async fn over_https_a_planted_unprefixed_session_cookie_is_never_honoured() {
    for (name, db, dir) in common::databases().await {
        let https = AppState {
            public_url: Some("https://yorisoi.example.jp".into()),
            ..state(&db, &dir)
        };
        add_person(&db, "victim", Role::Coach).await;
        add_person(&db, "attacker", Role::Coach).await;
        let victim = sign_in("victim", PASSWORD, new_device()).send(&https).await;
        let attacker = sign_in("attacker", PASSWORD, new_device())
            .send(&https)
            .await;
        assert!(
            victim.cookie().starts_with(&format!("{COOKIE_HTTPS}=")),
            "{name}"
        );
        let (victim, attacker) = (victim.token(), attacker.token());

        let me = |cookie: String| get("/api/v1/session").cookie(Some(&cookie)).send(&https);
        let planted = me(format!("yorisoi_session={attacker}")).await;
        assert_eq!(
            (planted.status, planted.code()),
            (StatusCode::UNAUTHORIZED, "signed_out"),
            "{name}: a planted unprefixed cookie alone: {}",
            planted.text
        );
        for cookie in [
            format!("yorisoi_session={attacker}; {COOKIE_HTTPS}={victim}"),
            format!("{COOKIE_HTTPS}={victim}; yorisoi_session={attacker}"),
        ] {
            let reply = me(cookie.clone()).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{name}: {cookie}: {}",
                reply.text
            );
            assert_eq!(
                reply.body["login"], "victim",
                "{name}: {cookie}: the real session"
            );
        }
        // Signing out ends the session the `__Host-` cookie names, not the planted one.
        let out = delete("/api/v1/session")
            .cookie(Some(&format!("yorisoi_session={attacker}")))
            .send(&https)
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT, "{name}");
        let still = me(format!("{COOKIE_HTTPS}={attacker}")).await;
        assert_eq!(still.status, StatusCode::OK, "{name}: {}", still.text);

        // Over plain HTTP the names swap roles.
        let plain = state(&db, &dir);
        let reply = get("/api/v1/session")
            .cookie(Some(&format!("{COOKIE_HTTPS}={victim}")))
            .send(&plain)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{name}: {}",
            reply.text
        );
    }
}

fn assert_busy(reply: &Reply, what: &str) {
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::SERVICE_UNAVAILABLE, "busy"),
        "{what}: {}",
        reply.text
    );
    assert_eq!(reply.headers["content-type"], "application/json", "{what}");
    assert!(
        reply.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u32>()
            .is_ok(),
        "{what}: {:?}",
        reply.headers
    );
    assert!(reply.set_cookie().is_none(), "{what}: no session");
}

/// With every turn to hash taken (here: one, held by the test), no route starts another Argon2
/// hash: sign-in, set-up, a password change, an administrator adding a person or resetting a
/// password are each answered 503 with `Retry-After` after a short wait, and nothing they would
/// have written is written. Once a turn is free, they work.
#[tokio::test]
async fn with_every_hashing_turn_taken_each_password_route_answers_503_and_writes_nothing() {
    for (name, db, dir) in common::databases().await {
        let state = AppState {
            hashing: HashLimit::new(1, Duration::from_millis(100)),
            ..state(&db, &dir)
        };
        let hold = || async {
            state
                .hashing
                .permits()
                .clone()
                .acquire_owned()
                .await
                .unwrap()
        };
        let device = new_device();
        let link = offer_set_up(&state, "http://localhost")
            .await
            .unwrap()
            .unwrap();
        let code = link.split_once("code=").unwrap().1.to_owned();
        let set_up = || {
            post("/api/v1/setup").json(&json!({
                "code": code, "login": "admin", "name": "管理者",
                "password": PASSWORD, "device": device,
            }))
        };
        let turn = hold().await;
        assert_busy(&set_up().send(&state).await, &format!("{name}: set-up"));
        drop(turn);
        let made = set_up().send(&state).await;
        assert_eq!(
            made.status,
            StatusCode::CREATED,
            "{name}: the code still works: {}",
            made.text
        );
        let admin = made.cookie();
        let coach = add_person(&db, "coach", Role::Coach).await;
        let coach_cookie = signed_in(&db, coach, new_device()).await;

        let turn = hold().await;
        let attempts = [
            ("sign-in", sign_in("coach", PASSWORD, new_device())),
            (
                "password change",
                post("/api/v1/password")
                    .cookie(Some(&coach_cookie))
                    .json(&json!({"current": PASSWORD, "new": "another long password"})),
            ),
            (
                "person added",
                post("/api/v1/people").cookie(Some(&admin)).json(&json!({
                    "login": "new", "name": "新人", "role": "coach", "password": PASSWORD,
                })),
            ),
            (
                "password reset",
                patch(format!("/api/v1/people/{coach}"))
                    .cookie(Some(&admin))
                    .json(&json!({"password": "another long password"})),
            ),
        ];
        for (what, attempt) in attempts {
            assert_busy(&attempt.send(&state).await, &format!("{name}: {what}"));
        }
        assert!(db.person_by_login("new").await.unwrap().is_none(), "{name}");
        let coach_row = db.person_by_login("coach").await.unwrap().unwrap();
        assert_eq!(
            coach_row.password_hash,
            password_hash(),
            "{name}: unchanged"
        );
        assert_eq!(coach_row.failures, 0, "{name}: a busy answer is no failure");
        drop(turn);
        let reply = sign_in("coach", PASSWORD, new_device()).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
    }
}
