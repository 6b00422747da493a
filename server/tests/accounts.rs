//! Signing in and out, sessions, passwords and the first administrator's set-up, through the
//! real router on every database the run can reach: the answers a guesser gets, the account
//! lock and the per-address limit, when sessions end, what the cookie promises, what the database
//! keeps, and that no other site can make a signed-in browser change anything.

use axum::http::StatusCode;
use serde_json::json;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use yorisoi_domain::accounts::{DeviceState, Me, Person, Role};
use yorisoi_domain::ids::DeviceId;
use yorisoi_server::AppState;
use yorisoi_server::auth::{SessionPolicy, now_ms, token_hash};
use yorisoi_server::db::{Db, LOCK_MS};
use yorisoi_server::handlers::setup::offer_set_up;

mod common;
mod support;
use support::*;

const NEW_PASSWORD: &str = "a new and longer password";

/// The attributes of a `Set-Cookie` value after its name and value, as written.
fn attributes(set_cookie: &str) -> BTreeSet<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_owned())
        .collect()
}

fn assert_signed_out(reply: &Reply, what: &str) {
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNAUTHORIZED, "signed_out"),
        "{what}: {}",
        reply.text
    );
}

fn assert_sign_in_failed(reply: &Reply, what: &str) {
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNAUTHORIZED, "sign_in_failed"),
        "{what}: {}",
        reply.text
    );
    assert!(reply.set_cookie().is_none(), "{what}: no cookie");
}

async fn lock_state(db: &Db, login: &str) -> (i64, i64) {
    let person = db.person_by_login(login).await.unwrap().unwrap();
    (person.failures, person.locked_until)
}

#[tokio::test]
async fn an_unknown_login_a_wrong_password_a_locked_and_a_disabled_account_get_one_same_answer() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        add_person(&db, "sato", Role::Coach).await;
        add_person(&db, "locked", Role::Coach).await;
        let mut locked = db.person_by_login("locked").await.unwrap().unwrap();
        locked.locked_until = now_ms() + 10 * MINUTE_MS;
        db.save_person(&locked).await.unwrap();
        add_person(&db, "disabled", Role::Office).await;
        let mut disabled = db.person_by_login("disabled").await.unwrap().unwrap();
        disabled.disabled = true;
        db.save_person(&disabled).await.unwrap();

        let device = new_device();
        let tries = [
            ("an unknown login", sign_in("nobody", PASSWORD, device)),
            (
                "a wrong password",
                sign_in("sato", "not the password", device),
            ),
            ("a locked account", sign_in("locked", PASSWORD, device)),
            ("a disabled account", sign_in("disabled", PASSWORD, device)),
            (
                "a malformed login",
                sign_in("not a login!", PASSWORD, device),
            ),
            (
                "an overlong password",
                sign_in("sato", &"x".repeat(300), device),
            ),
        ];
        let mut answers = Vec::new();
        for (what, call) in tries {
            let reply = call.send(&state).await;
            assert_sign_in_failed(&reply, &format!("{name}: {what}"));
            answers.push((what, reply.body));
        }
        for (what, body) in &answers {
            assert_eq!(
                body, &answers[0].1,
                "{name}: {what} is told exactly what an unknown login is"
            );
        }

        let reply = sign_in(" Sato ", PASSWORD, device).send(&state).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{name}: the right password signs in, the login's case and spaces aside: {}",
            reply.text
        );
        let me: Me = reply.json();
        assert_eq!(
            (me.login.as_str(), me.role, me.device),
            ("sato", Role::Coach, device)
        );
    }
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes_even_against_the_right_password() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        add_person(&db, "tanaka", Role::Coach).await;
        let device = new_device();
        for n in 1..=4 {
            let reply = sign_in("tanaka", "wrong password", device)
                .send(&state)
                .await;
            assert_sign_in_failed(&reply, &format!("{name}: failure {n}"));
        }
        assert_eq!(
            lock_state(&db, "tanaka").await,
            (4, 0),
            "{name}: not locked yet"
        );

        let before = now_ms();
        let fifth = sign_in("tanaka", "wrong password", device)
            .send(&state)
            .await;
        let after = now_ms();
        assert_sign_in_failed(&fifth, &format!("{name}: failure 5"));
        let (_, locked_until) = lock_state(&db, "tanaka").await;
        assert!(
            (before + LOCK_MS..=after + LOCK_MS).contains(&locked_until),
            "{name}: locked for 15 minutes, until {locked_until}"
        );
        assert_eq!(LOCK_MS, 15 * MINUTE_MS);

        let right = sign_in("tanaka", PASSWORD, device).send(&state).await;
        assert_sign_in_failed(&right, &format!("{name}: the right password while locked"));
        assert_eq!(
            right.body, fifth.body,
            "{name}: a locked account is told what a wrong password is"
        );
        let people = db.people().await.unwrap();
        let tanaka = people.iter().find(|p| p.login == "tanaka").unwrap();
        assert_eq!(
            tanaka.locked_until,
            Some(locked_until),
            "{name}: the admin pages show the lock"
        );

        // Fifteen minutes pass (the server's clock is the real one: the lock's end moves instead).
        let mut person = db.person_by_login("tanaka").await.unwrap().unwrap();
        person.locked_until = now_ms() - 1;
        db.save_person(&person).await.unwrap();
        let reply = sign_in("tanaka", PASSWORD, device).send(&state).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{name}: the lock has ended: {}",
            reply.text
        );
        assert_eq!(
            lock_state(&db, "tanaka").await,
            (0, 0),
            "{name}: a clean slate"
        );

        // A success forgets earlier failures: four more do not lock.
        for _ in 1..=4 {
            let reply = sign_in("tanaka", "wrong password", device)
                .send(&state)
                .await;
            assert_sign_in_failed(&reply, name);
        }
        let reply = sign_in("tanaka", PASSWORD, device).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);

        // Failures older than the 15-minute window do not count towards a lock.
        let mut person = db.person_by_login("tanaka").await.unwrap().unwrap();
        person.failures = 4;
        person.failed_since = now_ms() - 16 * MINUTE_MS;
        db.save_person(&person).await.unwrap();
        let reply = sign_in("tanaka", "wrong password", device)
            .send(&state)
            .await;
        assert_sign_in_failed(&reply, name);
        assert_eq!(
            lock_state(&db, "tanaka").await,
            (1, 0),
            "{name}: a failure after the window starts a new count"
        );
    }
}

fn address(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

#[tokio::test]
async fn one_address_is_answered_429_after_ten_sign_in_attempts_and_others_are_not_held_back() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        add_person(&db, "kato", Role::Coach).await;
        let (device, guesser) = (new_device(), address("192.0.2.1:50000"));
        for n in 1..=10 {
            let reply = sign_in("nobody", "guess", device)
                .connected_from(guesser)
                .send(&state)
                .await;
            assert_sign_in_failed(&reply, &format!("{name}: attempt {n}"));
        }
        for (what, call) in [
            ("an 11th guess", sign_in("nobody", "guess", device)),
            ("even the right password", sign_in("kato", PASSWORD, device)),
        ] {
            let reply = call
                .connected_from(address("192.0.2.1:50001"))
                .send(&state)
                .await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
                "{name}: {what} from the same address, another port: {}",
                reply.text
            );
            assert!(reply.set_cookie().is_none(), "{name}");
        }
        let reply = sign_in("kato", PASSWORD, device)
            .connected_from(address("192.0.2.2:50000"))
            .send(&state)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{name}: another address has its own allowance: {}",
            reply.text
        );
        // The limit holds the address back without touching the account: no failure counted.
        assert_eq!(lock_state(&db, "kato").await, (0, 0), "{name}");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_limit_follows_the_address_the_proxy_appended() {
    for (name, db, dir) in common::databases().await {
        let device = new_device();
        let proxy = address("10.0.0.1:443");
        let trusting = AppState {
            trust_proxy: true,
            ..state(&db, &dir)
        };
        for n in 1..=10 {
            // The first entries are whatever the client wrote: they change every time and must
            // not buy the client new attempts.
            let forwarded = format!("203.0.113.{n}, 198.51.100.7");
            let reply = sign_in("nobody", "guess", device)
                .header("x-forwarded-for", &forwarded)
                .connected_from(proxy)
                .send(&trusting)
                .await;
            assert_sign_in_failed(&reply, &format!("{name}: attempt {n}"));
        }
        let reply = sign_in("nobody", "guess", device)
            .header("x-forwarded-for", "203.0.113.99, 198.51.100.7")
            .connected_from(proxy)
            .send(&trusting)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{name}: the client the proxy saw is held back: {}",
            reply.text
        );
        let reply = sign_in("nobody", "guess", device)
            .header("x-forwarded-for", "198.51.100.8")
            .connected_from(proxy)
            .send(&trusting)
            .await;
        assert_sign_in_failed(
            &reply,
            &format!("{name}: another client behind the same proxy is not"),
        );

        // Without --trust-proxy the header is anyone's to write: the TCP peer is what counts.
        let direct = state(&db, &dir);
        for n in 1..=10 {
            let reply = sign_in("nobody", "guess", device)
                .header("x-forwarded-for", &format!("198.51.100.{n}"))
                .connected_from(proxy)
                .send(&direct)
                .await;
            assert_sign_in_failed(&reply, &format!("{name}: attempt {n}"));
        }
        let reply = sign_in("nobody", "guess", device)
            .header("x-forwarded-for", "198.51.100.200")
            .connected_from(proxy)
            .send(&direct)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{name}: a forged X-Forwarded-For buys nothing: {}",
            reply.text
        );
    }
}

/// `serve` must give handlers the connection's address: without it there is no limit at all.
#[tokio::test]
async fn a_real_server_limits_sign_in_attempts_by_the_connecting_address() {
    for (name, db, dir) in common::databases().await {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(yorisoi_server::serve(listener, state(&db, &dir), async {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::new();
        let body = json!({"login": "nobody", "password": "guess", "device": new_device()});
        let mut statuses = Vec::new();
        for _ in 0..11 {
            let response = http
                .post(format!("{base}/api/v1/session"))
                .json(&body)
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        assert_eq!(statuses, [[401; 10].as_slice(), &[429]].concat(), "{name}");
        let _ = stop.send(());
        server.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn a_session_ends_when_unused_for_the_idle_time_or_at_the_absolute_time_however_used() {
    for (name, db, url, dir) in databases_with_urls().await {
        let raw = Raw::open(&url).await;
        let state = AppState {
            sessions: SessionPolicy {
                idle_ms: HOUR_MS,
                absolute_ms: 8 * HOUR_MS,
            },
            ..state(&db, &dir)
        };
        add_person(&db, "suzuki", Role::Coach).await;
        let device = new_device();
        let before = now_ms();
        let reply = sign_in("suzuki", PASSWORD, device).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let me: Me = reply.json();
        assert!(
            (before + 8 * HOUR_MS..=now_ms() + 8 * HOUR_MS).contains(&me.expires_at),
            "{name}: the app is told the absolute end: {}",
            me.expires_at
        );
        assert!(
            attributes(reply.set_cookie().unwrap()).contains("Max-Age=28800"),
            "{name}: the cookie lasts as long: {:?}",
            reply.set_cookie()
        );
        let (token, cookie) = (reply.token(), reply.cookie());
        let me_now = |state: &AppState| {
            let (state, cookie) = (state.clone(), cookie.clone());
            async move {
                get("/api/v1/session")
                    .cookie(Some(&cookie))
                    .send(&state)
                    .await
            }
        };

        // Used 59 minutes after its last use: it lives on, and its idle time starts again.
        let now = now_ms();
        raw.age_session(&token, now - 2 * HOUR_MS, now - 59 * MINUTE_MS)
            .await;
        assert_eq!(me_now(&state).await.status, StatusCode::OK, "{name}");
        // The use is noted in the background (a request never waits for the write lock).
        let mut noted = false;
        for _ in 0..100 {
            if raw.last_seen(&token).await.unwrap() >= now {
                noted = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(noted, "{name}: the use is noted");
        // Unused for 61 minutes: ended, though the default policy would keep it.
        raw.age_session(&token, now - 2 * HOUR_MS, now - 61 * MINUTE_MS)
            .await;
        assert_signed_out(&me_now(&state).await, &format!("{name}: idle"));
        assert_eq!(
            me_now(&AppState {
                sessions: SessionPolicy::default(),
                ..state.clone()
            })
            .await
            .status,
            StatusCode::OK,
            "{name}: the idle time is the server's setting"
        );

        // Used a moment ago, but signed in more than 8 hours ago: ended.
        raw.age_session(&token, now - 8 * HOUR_MS - 1000, now).await;
        assert_signed_out(&me_now(&state).await, &format!("{name}: absolute"));
        raw.age_session(&token, now - 8 * HOUR_MS + MINUTE_MS, now)
            .await;
        assert_eq!(
            me_now(&state).await.status,
            StatusCode::OK,
            "{name}: a minute before its end it still works"
        );
    }
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server_not_only_in_the_browser() {
    for (name, db, url, dir) in databases_with_urls().await {
        let raw = Raw::open(&url).await;
        let state = state(&db, &dir);
        add_person(&db, "yamada", Role::Office).await;
        let here = sign_in("yamada", PASSWORD, new_device()).send(&state).await;
        let elsewhere = sign_in("yamada", PASSWORD, new_device()).send(&state).await;
        let cookie = here.cookie();
        let reply = get("/api/v1/session")
            .cookie(Some(&cookie))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}");

        let out = delete("/api/v1/session")
            .cookie(Some(&cookie))
            .send(&state)
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT, "{name}: {}", out.text);
        let removal = out.set_cookie().unwrap();
        assert!(
            removal.starts_with("yorisoi_session=;") && attributes(removal).contains("Max-Age=0"),
            "{name}: the browser is told to forget it: {removal}"
        );
        // A copy of the cookie kept somewhere (another tab, a thief) is worth nothing now.
        let reply = get("/api/v1/session")
            .cookie(Some(&cookie))
            .send(&state)
            .await;
        assert_signed_out(&reply, &format!("{name}: the old cookie"));
        assert_eq!(raw.last_seen(&here.token()).await, None, "{name}: deleted");

        let reply = get("/api/v1/session")
            .cookie(Some(&elsewhere.cookie()))
            .send(&state)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{name}: the person's other devices stay signed in"
        );
    }
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_strict_and_over_https_secure_and_host_only() {
    for (name, db, dir) in common::databases().await {
        add_person(&db, "ono", Role::Coach).await;

        let plain = state(&db, &dir);
        let reply = sign_in("ono", PASSWORD, new_device()).send(&plain).await;
        let set = reply.set_cookie().unwrap();
        assert!(set.starts_with("yorisoi_session="), "{name}: {set}");
        let attrs = attributes(set);
        for wanted in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(attrs.contains(wanted), "{name}: {wanted} in {set}");
        }
        assert!(
            !attrs.contains("Secure"),
            "{name}: plain HTTP on loopback could not send it back: {set}"
        );

        let https = AppState {
            public_url: Some("https://yorisoi.example.jp".into()),
            ..state(&db, &dir)
        };
        let reply = sign_in("ono", PASSWORD, new_device()).send(&https).await;
        let set = reply.set_cookie().unwrap();
        assert!(set.starts_with("__Host-yorisoi_session="), "{name}: {set}");
        let attrs = attributes(set);
        for wanted in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(attrs.contains(wanted), "{name}: {wanted} in {set}");
        }
        assert!(
            !attrs.iter().any(|a| a.starts_with("Domain")),
            "{name}: a __Host- cookie has no Domain: {set}"
        );
        let cookie = reply.cookie();
        let me = get("/api/v1/session")
            .cookie(Some(&cookie))
            .send(&https)
            .await;
        assert_eq!(
            me.status,
            StatusCode::OK,
            "{name}: the browser sends it back: {}",
            me.text
        );
        let out = delete("/api/v1/session")
            .cookie(Some(&cookie))
            .send(&https)
            .await;
        let removal = out.set_cookie().unwrap();
        assert!(
            removal.starts_with("__Host-yorisoi_session=;")
                && attributes(removal).contains("Secure"),
            "{name}: the removal names the same cookie: {removal}"
        );
    }
}

#[tokio::test]
async fn changing_ones_password_ends_every_other_session_and_the_old_password() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        add_person(&db, "mori", Role::Coach).await;
        let (tablet, phone) = (new_device(), new_device());
        let on_tablet = sign_in("mori", PASSWORD, tablet)
            .send(&state)
            .await
            .cookie();
        let on_phone = sign_in("mori", PASSWORD, phone).send(&state).await.cookie();
        let change = |current: &str, new: &str| {
            post("/api/v1/password").json(&json!({"current": current, "new": new}))
        };
        let works = |cookie: String| {
            let state = state.clone();
            async move {
                get("/api/v1/session")
                    .cookie(Some(&cookie))
                    .send(&state)
                    .await
                    .status
                    == StatusCode::OK
            }
        };

        let reply = change("not my password", NEW_PASSWORD)
            .cookie(Some(&on_tablet))
            .send(&state)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{name}: the current password is asked: {}",
            reply.text
        );
        let reply = change(PASSWORD, "short")
            .cookie(Some(&on_tablet))
            .send(&state)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{name}: {}",
            reply.text
        );
        assert!(
            works(on_tablet.clone()).await && works(on_phone.clone()).await,
            "{name}: a refused change ends nothing"
        );

        let reply = change(PASSWORD, NEW_PASSWORD)
            .cookie(Some(&on_tablet))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let me: Me = reply.json();
        assert_eq!(me.device, tablet, "{name}");
        assert!(!works(on_phone).await, "{name}: the phone is signed out");
        assert!(
            !works(on_tablet).await,
            "{name}: this device's old session ended too"
        );
        assert!(
            works(reply.cookie()).await,
            "{name}: this device goes on with a new session"
        );

        let old = sign_in("mori", PASSWORD, phone).send(&state).await;
        assert_sign_in_failed(&old, &format!("{name}: the old password"));
        let new = sign_in("mori", NEW_PASSWORD, phone).send(&state).await;
        assert_eq!(
            new.status,
            StatusCode::OK,
            "{name}: the new one: {}",
            new.text
        );
    }
}

/// A live session is no licence to guess: a wrong current password on the password route counts
/// towards the account's lock as a wrong sign-in does, and a locked account's password cannot be
/// changed either.
#[tokio::test]
async fn guessing_the_current_password_on_the_password_route_locks_the_account_as_sign_in_does() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let abe = add_person(&db, "abe", Role::Coach).await;
        let cookie = signed_in(&db, abe, new_device()).await;
        let change = |current: &str| {
            post("/api/v1/password")
                .cookie(Some(&cookie))
                .json(&json!({"current": current, "new": NEW_PASSWORD}))
        };
        let mut wrong = Vec::new();
        for n in 1..=5 {
            let reply = change(&format!("guess number {n}")).send(&state).await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::FORBIDDEN, "forbidden"),
                "{name}: guess {n}: {}",
                reply.text
            );
            wrong.push(reply.body);
        }
        let (_, locked_until) = lock_state(&db, "abe").await;
        assert!(
            locked_until > now_ms(),
            "{name}: five wrong guesses lock the account"
        );
        let right = change(PASSWORD).send(&state).await;
        assert_eq!(
            (right.status, &right.body),
            (StatusCode::FORBIDDEN, &wrong[0]),
            "{name}: while locked the right password is told what a wrong one is"
        );
        let reply = sign_in("abe", PASSWORD, new_device()).send(&state).await;
        assert_sign_in_failed(&reply, &format!("{name}: signing in while locked"));
        let me = get("/api/v1/session")
            .cookie(Some(&cookie))
            .send(&state)
            .await;
        assert_eq!(
            me.status,
            StatusCode::OK,
            "{name}: the lock signs no one out"
        );

        // The lock ends; fewer than five wrong guesses, then the right one, are forgiven.
        let mut person = db.person_by_login("abe").await.unwrap().unwrap();
        person.locked_until = now_ms() - 1;
        db.save_person(&person).await.unwrap();
        for _ in 1..=4 {
            assert_eq!(
                change("still guessing").send(&state).await.status,
                StatusCode::FORBIDDEN
            );
        }
        let reply = change(PASSWORD).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        assert_eq!(
            lock_state(&db, "abe").await,
            (0, 0),
            "{name}: a clean slate"
        );
    }
}

#[tokio::test]
async fn an_admin_resetting_a_password_or_disabling_a_person_ends_their_sessions() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let admin = add_person(&db, "admin", Role::Admin).await;
        let admin = signed_in(&db, admin, new_device()).await;
        let nishi = add_person(&db, "nishi", Role::Coach).await;
        let update = |body: serde_json::Value| {
            patch(format!("/api/v1/people/{nishi}"))
                .cookie(Some(&admin))
                .json(&body)
        };
        let works = |cookie: String| {
            let state = state.clone();
            async move {
                get("/api/v1/session")
                    .cookie(Some(&cookie))
                    .send(&state)
                    .await
                    .status
                    == StatusCode::OK
            }
        };
        let session = sign_in("nishi", PASSWORD, new_device())
            .send(&state)
            .await
            .cookie();

        let reply = update(json!({"name": "西 さん"})).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        assert!(
            works(session.clone()).await,
            "{name}: a new name ends nothing"
        );

        // Locked out, and the admin hands over a new password: the lock and the sessions end.
        for _ in 0..5 {
            sign_in("nishi", "wrong password", new_device())
                .send(&state)
                .await;
        }
        assert!(
            lock_state(&db, "nishi").await.1 > now_ms(),
            "{name}: locked"
        );
        let reply = update(json!({"password": NEW_PASSWORD})).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        assert!(
            !works(session).await,
            "{name}: a reset password ends the sessions"
        );
        assert_sign_in_failed(
            &sign_in("nishi", PASSWORD, new_device()).send(&state).await,
            &format!("{name}: the old password"),
        );
        let reply = sign_in("nishi", NEW_PASSWORD, new_device())
            .send(&state)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{name}: unlocked: {}",
            reply.text
        );
        let session = reply.cookie();

        let reply = update(json!({"disabled": true})).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        assert!(!works(session).await, "{name}: disabling ends the sessions");
        let disabled = sign_in("nishi", NEW_PASSWORD, new_device())
            .send(&state)
            .await;
        assert_sign_in_failed(&disabled, &format!("{name}: disabled"));
        let unknown = sign_in("nobody", NEW_PASSWORD, new_device())
            .send(&state)
            .await;
        assert_eq!(
            disabled.body, unknown.body,
            "{name}: told what an unknown login is"
        );

        let reply = update(json!({"disabled": false})).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let reply = sign_in("nishi", NEW_PASSWORD, new_device())
            .send(&state)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{name}: enabled again: {}",
            reply.text
        );
    }
}

fn set_up(code: &str, login: &str, device: DeviceId) -> Call {
    post("/api/v1/setup").json(&json!({
        "code": code,
        "login": login,
        "name": "管理者",
        "password": NEW_PASSWORD,
        "device": device,
    }))
}

fn code_of(link: &str) -> String {
    link.split_once("/setup?code=")
        .unwrap_or_else(|| panic!("a set-up link: {link}"))
        .1
        .to_owned()
}

#[tokio::test]
async fn the_set_up_link_works_once_only_while_nobody_has_an_account_and_makes_an_admin() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let device = new_device();
        let first_link = offer_set_up(&state, "http://localhost:8080/")
            .await
            .unwrap()
            .unwrap();
        assert!(
            first_link.starts_with("http://localhost:8080/setup?code="),
            "{name}: {first_link}"
        );
        // The server restarts and prints a new link: the old one stops working.
        let link = offer_set_up(&state, "http://localhost:8080")
            .await
            .unwrap()
            .unwrap();
        assert_ne!(code_of(&link), code_of(&first_link), "{name}");
        let forbidden = |reply: &Reply, what: &str| {
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::FORBIDDEN, "forbidden"),
                "{name}: {what}: {}",
                reply.text
            );
        };
        forbidden(
            &set_up(&code_of(&first_link), "early", device)
                .send(&state)
                .await,
            "an earlier link",
        );
        forbidden(
            &set_up(&yorisoi_server::auth::new_token(), "guesser", device)
                .send(&state)
                .await,
            "a made-up code",
        );
        // A bad request does not use the code up.
        let short = post("/api/v1/setup")
            .json(&json!({"code": code_of(&link), "login": "kanri", "name": "管理者", "password": "short", "device": device}))
            .send(&state)
            .await;
        assert_eq!(
            short.status,
            StatusCode::BAD_REQUEST,
            "{name}: {}",
            short.text
        );
        assert_eq!(db.people_count().await.unwrap(), 0, "{name}");

        let reply = set_up(&code_of(&link), "Kanri", device).send(&state).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{name}: {}", reply.text);
        let me: Me = reply.json();
        assert_eq!(
            (me.login.as_str(), me.role),
            ("kanri", Role::Admin),
            "{name}"
        );
        let people = get("/api/v1/people")
            .cookie(Some(&reply.cookie()))
            .send(&state)
            .await;
        assert_eq!(
            people.status,
            StatusCode::OK,
            "{name}: signed in as an administrator at once"
        );
        let signed_in = sign_in("kanri", NEW_PASSWORD, new_device())
            .send(&state)
            .await;
        assert_eq!(
            signed_in.status,
            StatusCode::OK,
            "{name}: the password is theirs"
        );

        forbidden(
            &set_up(&code_of(&link), "second", new_device())
                .send(&state)
                .await,
            "the same link again",
        );
        assert_eq!(db.people_count().await.unwrap(), 1, "{name}");
        assert_eq!(
            offer_set_up(&state, "http://localhost:8080").await.unwrap(),
            None,
            "{name}: no new link once someone has an account"
        );
    }
}

#[tokio::test]
async fn a_set_up_link_is_dead_once_anyone_has_an_account() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let link = offer_set_up(&state, "http://localhost:8080")
            .await
            .unwrap()
            .unwrap();
        // Someone got an account another way (a second instance used its own link, say).
        add_person(&db, "first", Role::Admin).await;
        let reply = set_up(&code_of(&link), "late", new_device())
            .send(&state)
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{name}: {}",
            reply.text
        );
        assert_eq!(db.people_count().await.unwrap(), 1, "{name}");
    }
}

#[tokio::test]
async fn a_revoked_or_retired_device_cannot_sign_in_again() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let admin = add_person(&db, "admin", Role::Admin).await;
        let admin_cookie = signed_in(&db, admin, new_device()).await;
        add_person(&db, "ito", Role::Coach).await;
        let (lost, handed_back) = (new_device(), new_device());
        let lost_cookie = sign_in("ito", PASSWORD, lost).send(&state).await.cookie();
        let handed_back_cookie = sign_in("ito", PASSWORD, handed_back)
            .send(&state)
            .await
            .cookie();

        for (device, action) in [(lost, "revoke"), (handed_back, "retire")] {
            let reply = post(format!("/api/v1/devices/{device}/{action}"))
                .cookie(Some(&admin_cookie))
                .send(&state)
                .await;
            assert_eq!(
                reply.status,
                StatusCode::NO_CONTENT,
                "{name}: {}",
                reply.text
            );
        }

        for (device, cookie, code) in [
            (lost, &lost_cookie, "device_revoked"),
            (handed_back, &handed_back_cookie, "device_retired"),
        ] {
            let reply = get("/api/v1/session")
                .cookie(Some(cookie))
                .send(&state)
                .await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::FORBIDDEN, code),
                "{name}: its session"
            );
            let reply = sign_in("ito", PASSWORD, device).send(&state).await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::FORBIDDEN, code),
                "{name}: signing in again: {}",
                reply.text
            );
            assert!(reply.set_cookie().is_none(), "{name}: no session");
            let reply = set_up("any", "someone", device).send(&state).await;
            assert_eq!(reply.code(), code, "{name}: nor by the set-up route");
        }
        let devices: Vec<yorisoi_domain::accounts::Device> = get("/api/v1/devices")
            .cookie(Some(&admin_cookie))
            .send(&state)
            .await
            .json();
        let state_of = |id| devices.iter().find(|d| d.id == id).map(|d| d.state);
        assert_eq!(
            (state_of(lost), state_of(handed_back)),
            (Some(DeviceState::Revoked), Some(DeviceState::Retired)),
            "{name}: the refused sign-ins changed nothing: {devices:?}"
        );
        let reply = sign_in("ito", PASSWORD, new_device()).send(&state).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{name}: the person may sign in on another device"
        );
    }
}

#[tokio::test]
async fn the_database_never_holds_a_session_token_a_password_or_a_set_up_code() {
    for (name, db, url, dir) in databases_with_urls().await {
        let raw = Raw::open(&url).await;
        let state = state(&db, &dir);
        let admin_password = "the administrator's own password";
        let (coach_first, coach_new) = ("a first password to hand over", NEW_PASSWORD);
        let code = code_of(&offer_set_up(&state, "http://x").await.unwrap().unwrap());
        let admin = post("/api/v1/setup")
            .json(&json!({"code": code, "login": "kanri", "name": "管理者", "password": admin_password, "device": new_device()}))
            .send(&state)
            .await;
        assert_eq!(admin.status, StatusCode::CREATED, "{name}: {}", admin.text);
        let added = post("/api/v1/people")
            .cookie(Some(&admin.cookie()))
            .json(&json!({"login": "coach", "name": "コーチ", "role": "coach", "password": coach_first}))
            .send(&state)
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{name}: {}", added.text);
        let coach = sign_in("coach", coach_first, new_device())
            .send(&state)
            .await;
        let changed = post("/api/v1/password")
            .cookie(Some(&coach.cookie()))
            .json(&json!({"current": coach_first, "new": coach_new}))
            .send(&state)
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{name}: {}", changed.text);

        let secrets = [
            ("the set-up code", code.clone()),
            ("the admin's password", admin_password.to_owned()),
            ("the coach's first password", coach_first.to_owned()),
            ("the coach's new password", coach_new.to_owned()),
            ("the admin's session token", admin.token()),
            ("the coach's first session token", coach.token()),
            ("the coach's new session token", changed.token()),
        ];
        let mut tables = String::new();
        for table in ["sessions", "people", "one_time_codes", "devices"] {
            tables.push_str(&raw.dump(table).await);
        }
        for (what, secret) in &secrets {
            assert!(
                !tables.contains(secret.as_str()),
                "{name}: {what} is stored"
            );
        }
        // The tables were read: what is kept instead is there.
        assert!(tables.contains(&token_hash(&changed.token())), "{name}");
        assert!(tables.contains(&token_hash(&code)), "{name}");
        assert_eq!(tables.matches("$argon2id$").count(), 2, "{name}: {tables}");

        let people = get("/api/v1/people")
            .cookie(Some(&admin.cookie()))
            .send(&state)
            .await;
        let _: Vec<Person> = people.json();
        assert!(
            !people.text.contains("argon2") && !people.text.contains("password"),
            "{name}: the admin pages get no hashes: {}",
            people.text
        );
    }
}

/// One request that changes data as a browser sends it: with these `Sec-Fetch-Site` and
/// `Origin` headers (when given), to the host `yorisoi.local:8080`.
fn from_page(call: Call, site: Option<&str>, origin: Option<&str>) -> Call {
    let mut call = call.header("host", "yorisoi.local:8080");
    if let Some(site) = site {
        call = call.header("sec-fetch-site", site);
    }
    if let Some(origin) = origin {
        call = call.header("origin", origin);
    }
    call
}

#[tokio::test]
async fn a_cross_site_request_that_changes_data_is_refused_and_a_same_origin_one_passes() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let office = add_person(&db, "office", Role::Office).await;
        let device = new_device();
        let cookie = signed_in(&db, office, device).await;
        let push = || {
            post("/api/v1/sync/push")
                .cookie(Some(&cookie))
                .json(&push_request(
                    device,
                    new_client_changes(device, 1, new_client()),
                ))
        };

        let refused = [
            (Some("cross-site"), None),
            (Some("same-site"), None),
            (None, Some("http://evil.example")),
            (None, Some("http://yorisoi.local:8080.evil.example")),
            (None, Some("https://yorisoi.local")),
            (None, Some("null")),
            (Some("same-origin"), Some("http://evil.example")),
        ];
        for (site, origin) in refused {
            let what = format!("{name}: Sec-Fetch-Site {site:?}, Origin {origin:?}");
            for call in [
                sign_in("office", PASSWORD, new_device()),
                push(),
                delete("/api/v1/session").cookie(Some(&cookie)),
            ] {
                let described = call.describe();
                let reply = from_page(call, site, origin).send(&state).await;
                assert_eq!(
                    (reply.status, reply.code()),
                    (StatusCode::FORBIDDEN, "cross_site"),
                    "{what}: {described}: {}",
                    reply.text
                );
                assert!(reply.set_cookie().is_none(), "{what}: {described}");
            }
        }
        assert!(log(&db).await.is_empty(), "{name}: nothing was stored");
        let me = get("/api/v1/session")
            .cookie(Some(&cookie))
            .send(&state)
            .await;
        assert_eq!(
            me.status,
            StatusCode::OK,
            "{name}: the session was not ended"
        );

        let passed = [
            (Some("same-origin"), Some("http://yorisoi.local:8080")),
            (Some("same-origin"), None),
            (Some("none"), None),
            (None, Some("https://yorisoi.local:8080")),
            (None, None),
        ];
        for (site, origin) in passed {
            let what = format!("{name}: Sec-Fetch-Site {site:?}, Origin {origin:?}");
            let reply = from_page(sign_in("office", PASSWORD, new_device()), site, origin)
                .send(&state)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.text);
        }
        let reply = from_page(
            push(),
            Some("same-origin"),
            Some("http://yorisoi.local:8080"),
        )
        .send(&state)
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        assert_eq!(
            log(&db).await.len(),
            2,
            "{name}: the same-origin push is stored"
        );

        // Reading is not refused (the SameSite=Strict cookie keeps other sites' reads anonymous).
        let read = from_page(get("/api/v1/session"), Some("cross-site"), None)
            .cookie(Some(&cookie))
            .send(&state)
            .await;
        assert_eq!(read.status, StatusCode::OK, "{name}: {}", read.text);

        // With a public URL configured, only that origin is this app's.
        let public = AppState {
            public_url: Some("https://yorisoi.example.jp".into()),
            ..state.clone()
        };
        let reply = from_page(
            sign_in("office", PASSWORD, new_device()),
            Some("same-origin"),
            Some("https://yorisoi.example.jp"),
        )
        .send(&public)
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let reply = from_page(
            sign_in("office", PASSWORD, new_device()),
            None,
            Some("http://yorisoi.local:8080"),
        )
        .send(&public)
        .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "cross_site"),
            "{name}: the Host header is not trusted when the public URL is known: {}",
            reply.text
        );
    }
}

/// An enrolment code names the tablet that uses it, works once, and not after its 15 minutes.
#[tokio::test]
async fn an_enrolment_code_works_once_and_only_within_its_time() {
    use yorisoi_server::db::Purpose;
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let now = now_ms();
        for (code, expires_at, label) in [
            ("fresh", now + 60_000, "タブレット1"),
            ("stale", now - 1, "タブレット2"),
        ] {
            db.new_code(
                Purpose::Enroll,
                &token_hash(code),
                None,
                now - 1_000,
                Some(expires_at),
                Some(label),
            )
            .await
            .unwrap();
        }
        let tablet = new_device();
        let enrol = |code: &str, device: DeviceId| {
            post("/api/v1/enrol").json(&json!({"code": code, "device": device}))
        };
        let reply = enrol("fresh", tablet).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        assert_eq!(
            reply.json::<serde_json::Value>()["name"],
            "タブレット1",
            "{name}"
        );
        let listed = db.devices().await.unwrap();
        assert!(
            listed
                .iter()
                .any(|d| d.id == tablet && d.name.as_deref() == Some("タブレット1")),
            "{name}: {listed:?}"
        );
        for (code, why) in [("fresh", "used already"), ("stale", "expired")] {
            let reply = enrol(code, new_device()).send(&state).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}: {why}");
            assert_eq!(reply.code(), "forbidden", "{name}: {why}");
        }
        assert_eq!(db.devices().await.unwrap().len(), listed.len(), "{name}");
    }
}
