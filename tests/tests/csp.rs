//! The app under its Content-Security-Policy, in headless Chromium against the real server and
//! the release build: it starts (Trunk's inline loader and the static shell's inline script run,
//! allowed by their hashes; the WebAssembly compiles under `'wasm-unsafe-eval'`), signs in and
//! moves between pages with no violation reported, while an injected inline script is refused.

use serde_json::json;
use yorisoi_e2e::{Browser, Stack};

/// Every page this browser opens from now on records each CSP violation in localStorage (which
/// outlives a navigation): its directive and what was blocked.
async fn record_violations(browser: &Browser) {
    let source = "document.addEventListener('securitypolicyviolation', (e) => {
            const seen = JSON.parse(localStorage.getItem('csp-violations') || '[]');
            seen.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
            localStorage.setItem('csp-violations', JSON.stringify(seen));
        });";
    browser
        .devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": source }),
        )
        .await;
}

async fn violations(browser: &Browser) -> serde_json::Value {
    browser
        .eval(
            "return JSON.parse(localStorage.getItem('csp-violations') || '[]')",
            vec![],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_starts_and_works_under_its_policy_and_an_injected_script_is_refused() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    record_violations(&browser).await;
    browser.goto_locked(&stack.url("/")).await;
    browser.testid("sign-in-form").await;
    let policy = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             fetch(location.href, { cache: 'no-store' })
                 .then((r) => done(r.headers.get('content-security-policy')));",
        )
        .await;
    let policy = policy.as_str().expect("the page came with a policy");
    assert!(
        policy.contains("'wasm-unsafe-eval'") && policy.contains("'sha256-"),
        "{policy}"
    );
    assert!(!policy.contains("unsafe-inline"), "{policy}");

    stack.sign_in(&browser, "coach").await;
    browser.wait_for_text("page-title", "利用者一覧").await;
    browser.goto(&stack.url("/settings")).await;
    browser.wait_for_text("page-title", "設定").await;
    browser.reload().await;
    browser.wait_for_text("page-title", "設定").await;
    assert_eq!(
        violations(&browser).await,
        json!([]),
        "no CSP violation while the app starts and works"
    );

    // The policy is in force and the listener hears it: an inline script slipped into the page
    // does not run.
    let ran = browser
        .eval(
            "const s = document.createElement('script');
             s.textContent = 'window.injected = true;';
             document.body.append(s);
             return window.injected === true;",
            vec![],
        )
        .await;
    assert_eq!(ran, json!(false), "an injected inline script does not run");
    let reported = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             setTimeout(() => done(JSON.parse(localStorage.getItem('csp-violations') || '[]')), 500);",
        )
        .await;
    assert!(
        reported
            .as_array()
            .is_some_and(|v| v.len() == 1 && v[0].as_str().unwrap().starts_with("script-src")),
        "{reported}"
    );
}
