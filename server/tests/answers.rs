//! What every answer is, whatever is sent: every rejection under `/api` is JSON with the right
//! status (a path that is not UTF-8, a query or body that cannot be read, a wrong method, a body
//! too large, an unknown route), and every answer carries the security headers.

use axum::http::{Method, StatusCode, header};
use yorisoi_domain::accounts::Role;
use yorisoi_server::{AppState, shell::Shell};

mod common;
mod support;
use support::*;

/// Every route of `server/src/router.rs`: its path, the methods it takes, and what it reads
/// (a path id, a query, a JSON body).
struct Route {
    path: &'static str,
    methods: &'static [Method],
    path_id: bool,
    query: bool,
    json: bool,
}

const fn route(
    path: &'static str,
    methods: &'static [Method],
    path_id: bool,
    query: bool,
    json: bool,
) -> Route {
    Route {
        path,
        methods,
        path_id,
        query,
        json,
    }
}

const ID: &str = "0190f0a0-0000-7000-8000-000000000000";

const ROUTES: &[Route] = &[
    route("/api/v1/sync/push", &[Method::POST], false, false, true),
    route("/api/v1/sync/pull", &[Method::GET], false, true, false),
    route("/api/v1/sync/bootstrap", &[Method::GET], false, true, false),
    route("/api/v1/sync/history", &[Method::GET], false, true, false),
    route(
        "/api/v1/sync/instruments",
        &[Method::POST],
        false,
        false,
        true,
    ),
    route(
        "/api/v1/instruments",
        &[Method::GET, Method::POST],
        false,
        false,
        false,
    ),
    route(
        "/api/v1/instruments/t/1/{id}",
        &[Method::GET],
        true,
        false,
        false,
    ),
    route(
        "/api/v1/instruments/t/1/{id}/publish",
        &[Method::POST],
        true,
        false,
        false,
    ),
    route(
        "/api/v1/session",
        &[Method::GET, Method::POST, Method::DELETE],
        false,
        false,
        true,
    ),
    route("/api/v1/setup", &[Method::POST], false, false, true),
    route("/api/v1/password", &[Method::POST], false, false, true),
    route(
        "/api/v1/people",
        &[Method::GET, Method::POST],
        false,
        false,
        true,
    ),
    route("/api/v1/people/{id}", &[Method::PATCH], true, false, true),
    route("/api/v1/clients", &[Method::GET], false, false, false),
    route(
        "/api/v1/assignments",
        &[Method::POST, Method::DELETE],
        false,
        false,
        true,
    ),
    route("/api/v1/devices", &[Method::GET], false, false, false),
    route("/api/v1/enrolments", &[Method::POST], false, false, true),
    route("/api/v1/enrol", &[Method::POST], false, false, true),
    route(
        "/api/v1/devices/{id}/revoke",
        &[Method::POST],
        true,
        false,
        false,
    ),
    route("/api/v1/quarantine", &[Method::GET], false, false, false),
    route(
        "/api/v1/quarantine/{id}/accept",
        &[Method::POST],
        true,
        false,
        false,
    ),
    route("/api/v1/audit", &[Method::GET], false, true, false),
    route("/api/v1/audit/check", &[Method::GET], false, false, false),
    route("/api/v1/stopped", &[Method::GET], false, false, false),
    route(
        "/api/v1/clients/{id}/stop",
        &[Method::POST],
        true,
        false,
        false,
    ),
    route(
        "/api/v1/clients/{id}/erase",
        &[Method::POST],
        true,
        false,
        true,
    ),
    route(
        "/api/v1/clients/{id}/disclosure",
        &[Method::GET],
        true,
        false,
        false,
    ),
];

/// A JSON error answer with `status`: the content type, and `{"error": {"code", "message"}}`.
fn assert_json_error(reply: &Reply, status: StatusCode, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.text);
    assert_eq!(
        reply
            .headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap()),
        Some("application/json"),
        "{what}: {:?} {}",
        reply.headers,
        reply.text
    );
    let error = &reply.body["error"];
    assert!(
        error["code"].as_str().is_some_and(|c| !c.is_empty())
            && error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: an error body: {}",
        reply.text
    );
    assert_eq!(
        reply.body.as_object().map(|o| o.len()),
        Some(1),
        "{what}: only `error`: {}",
        reply.text
    );
}

#[tokio::test]
async fn every_malformed_request_to_every_api_route_gets_a_json_error() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let office = add_person(&db, "office", Role::Office).await;
        let cookie = signed_in(&db, office, new_device()).await;
        let cookie = Some(cookie.as_str());
        let admin = add_person(&db, "admin", Role::Admin).await;
        let admin = signed_in(&db, admin, new_device()).await;
        let admin = Some(admin.as_str());
        for route in ROUTES {
            let path = route.path.replace("{id}", ID);
            // A method the route does not take: 405, its Allow header kept.
            let reply = call(Method::PUT, &path).cookie(cookie).send(&state).await;
            let what = format!("{name}: PUT {path}");
            assert_json_error(&reply, StatusCode::METHOD_NOT_ALLOWED, &what);
            assert_eq!(reply.code(), "method_not_allowed", "{what}");
            let allow = reply.headers[header::ALLOW].to_str().unwrap().to_owned();
            for method in route.methods {
                assert!(allow.contains(method.as_str()), "{what}: Allow {allow}");
            }
            let method = route.methods.last().unwrap().clone();
            if route.path_id {
                // An id that is not UTF-8 once decoded.
                let bad = route.path.replace("{id}", "%FF");
                let reply = call(method.clone(), &bad).cookie(cookie).send(&state).await;
                let what = format!("{name}: {method} {bad}");
                assert_json_error(&reply, StatusCode::BAD_REQUEST, &what);
                assert_eq!(reply.code(), "bad_request", "{what}");
            }
            if route.query {
                let bad = format!("{path}?format=x&since=-1&limit=%FF&client=%FF");
                // The audit log is the administrator's: anyone else is refused before the query.
                let who = if path.starts_with("/api/v1/audit") {
                    admin
                } else {
                    cookie
                };
                let reply = call(method.clone(), &bad).cookie(who).send(&state).await;
                assert_json_error(&reply, StatusCode::BAD_REQUEST, &format!("{name}: {bad}"));
            }
            if route.json {
                let method = route
                    .methods
                    .iter()
                    .find(|m| **m != Method::GET)
                    .unwrap()
                    .clone();
                let what = format!("{name}: {method} {path}");
                for (body, content_type, status) in [
                    (
                        b"{\"login\": ".to_vec(),
                        Some("application/json"),
                        StatusCode::BAD_REQUEST,
                    ),
                    (
                        b"[1, 2, 3]".to_vec(),
                        Some("application/json"),
                        StatusCode::BAD_REQUEST,
                    ),
                    (b"{}".to_vec(), None, StatusCode::UNSUPPORTED_MEDIA_TYPE),
                    (
                        b"{}".to_vec(),
                        Some("text/plain"),
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    ),
                    (
                        vec![b' '; 5 * 1024 * 1024],
                        Some("application/json"),
                        StatusCode::PAYLOAD_TOO_LARGE,
                    ),
                ] {
                    let mut request = call(method.clone(), &path).cookie(cookie).raw(body);
                    if let Some(content_type) = content_type {
                        request = request.header("content-type", content_type);
                    }
                    let reply = request.send(&state).await;
                    assert_json_error(&reply, status, &format!("{what} ({status})"));
                }
            }
        }
        // Routes that do not exist, whatever their path looks like.
        for (method, path) in [
            (Method::GET, "/api/v1/people/%FF/more"),
            (Method::POST, "/api/v2/sync/push"),
            (Method::PUT, "/api/v1"),
            (Method::GET, "/api/"),
            (Method::GET, "/api"),
            (Method::DELETE, "/api/%FF"),
        ] {
            let reply = call(method.clone(), path).cookie(cookie).send(&state).await;
            assert_json_error(
                &reply,
                StatusCode::NOT_FOUND,
                &format!("{name}: {method} {path}"),
            );
        }
    }
}

/// The headers every answer must carry: a strict policy that lets the wasm compile and this
/// build's inline scripts run and nothing else inline, no framing, no sniffing, no `Referer`.
fn assert_security_headers(reply: &Reply, inline_hash: &str, what: &str) {
    let header = |name: header::HeaderName| {
        reply
            .headers
            .get(&name)
            .unwrap_or_else(|| panic!("{what}: {name} missing: {:?}", reply.headers))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let csp = header(header::CONTENT_SECURITY_POLICY);
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for wanted in [
        "default-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(directives.contains(&wanted), "{what}: {wanted} in {csp}");
    }
    let script = directives
        .iter()
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("{what}: a script-src: {csp}"));
    let sources: Vec<&str> = script.split_whitespace().skip(1).collect();
    assert_eq!(
        sources,
        ["'self'", "'wasm-unsafe-eval'", inline_hash],
        "{what}: {csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
        "{what}"
    );
    assert_eq!(header(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
    assert_eq!(header(header::REFERRER_POLICY), "no-referrer", "{what}");
}

#[tokio::test]
async fn every_answer_app_or_api_carries_the_security_headers() {
    let (name, db, dir) = common::databases().await.remove(0);
    let dist = dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!DOCTYPE html><title>寄り添い</title><script type=module src=/app-0123456789abcdef.js></script><script>(function(){})()</script>",
    )
    .unwrap();
    std::fs::write(dist.join("sw.js"), "const BUILD = '__YORISOI_BUILD__';").unwrap();
    std::fs::write(dist.join("app-0123456789abcdef.js"), "export default 1;").unwrap();
    let state = AppState::new(db.clone(), Shell::load(&dist));
    // `echo -n "(function(){})()" | openssl dgst -sha256 -binary | base64`
    let hash = "'sha256-LG8MLlRLJqaeS84HDT6rhkfK9ckncOJZbBTNKOGqPwU='";
    for request in [
        get("/"),
        get("/clients/x"),
        get("/app-0123456789abcdef.js"),
        get("/sw.js"),
        get("/missing-0123456789abcdef.js"),
        get("/healthz"),
        get("/api/v1/session"),
        sign_in("nobody", "guess", new_device()),
        get("/api/v1/nothing"),
        call(Method::PUT, "/api/v1/sync/push"),
    ] {
        let what = format!("{name}: {}", request.describe());
        let reply = request.send(&state).await;
        assert_security_headers(&reply, hash, &what);
    }
}
