//! The app shell end to end: the real server binary, the release build of the app, headless
//! Chromium.

use serde_json::{Value, json};
use yorisoi_e2e::{Browser, Engine, Stack, copy_tree};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_renders_in_japanese_by_default() {
    let stack = Stack::start().await;
    let browser = stack.browser().await;
    browser.goto(&stack.url("/")).await;
    browser.wait_for_text("page-title", "利用者一覧").await;
    browser.wait_for_text("app-name", "寄り添い").await;
    let lang = browser
        .eval("return document.documentElement.lang", vec![])
        .await;
    assert_eq!(lang, json!("ja"));
    let title = browser.eval("return document.title", vec![]).await;
    assert_eq!(title, json!("利用者一覧 | 寄り添い"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_english_switch_survives_a_reload() {
    let stack = Stack::start().await;
    let browser = stack.browser().await;
    browser.goto(&stack.url("/clients")).await;
    browser.wait_for_text("page-title", "利用者一覧").await;
    browser.testid("lang-switch").await.click().await.unwrap();
    browser.wait_for_text("page-title", "Clients").await;
    browser.reload().await;
    browser.wait_for_text("page-title", "Clients").await;
    let lang = browser
        .eval("return document.documentElement.lang", vec![])
        .await;
    assert_eq!(lang, json!("en"));
    // And back: the switch is a toggle, and Japanese survives a reload too.
    browser.testid("lang-switch").await.click().await.unwrap();
    browser.wait_for_text("page-title", "利用者一覧").await;
    browser.reload().await;
    browser.wait_for_text("page-title", "利用者一覧").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_one_visit_the_app_opens_with_the_server_gone() {
    the_app_opens_with_the_server_gone_in(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_one_visit_the_app_opens_with_the_server_gone_in_webkit() {
    the_app_opens_with_the_server_gone_in(Engine::WebKit).await;
}

async fn the_app_opens_with_the_server_gone_in(engine: Engine) {
    let mut stack = Stack::start_in(engine).await;
    let browser = stack.browser().await;
    browser.goto(&stack.url("/")).await;
    browser.wait_for_text("page-title", "利用者一覧").await;
    browser.wait_for_service_worker().await;

    stack.go_offline();
    // Nothing answers any more: a fetch past the service worker fails.
    let probe = "const done = arguments[arguments.length - 1];
        fetch('/healthz', { cache: 'no-store' }).then(() => done('online'), () => done('offline'));";
    assert_eq!(browser.eval_async(probe).await, json!("offline"));

    // A fresh navigation to another place of the app still opens it, from the device alone.
    browser.goto(&stack.url("/settings")).await;
    browser.wait_for_text("page-title", "設定").await;
    browser
        .goto(&stack.url("/clients/0190f0a0-0000-7000-8000-000000000000"))
        .await;
    browser.wait_for_text("page-title", "利用者の記録").await;
}

/// Before the app's WebAssembly arrives, index.html's static shell shows the header and a calm
/// loading line; the app replaces it as it starts. If the app cannot load, the shell says so in
/// words instead of loading forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_static_shell_stands_in_until_the_app_starts_and_says_when_it_cannot() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    browser.goto_locked(&stack.url("/")).await;
    browser.testid("sign-in-form").await;
    let shell = "return document.getElementById('shell') === null";
    assert_eq!(
        browser.eval(shell, vec![]).await,
        json!(true),
        "the app removed the shell"
    );

    let broken = Browser::start().await;
    broken.devtools("Network.enable", json!({})).await;
    broken
        .devtools("Network.setBlockedURLs", json!({ "urls": ["*.wasm"] }))
        .await;
    broken.goto_locked(&stack.url("/")).await;
    let failed = broken.css("#shell-failed:not([hidden])").await;
    let text = failed.text().await.unwrap();
    assert!(text.contains("寄り添いを開けませんでした"), "{text}");
    assert!(!broken.testid_now("sign-in-form").await);
}

/// The bytes the server sends for `path` to a browser that accepts what Chromium accepts.
async fn wire_size(stack: &Stack, path: &str) -> u64 {
    let response = reqwest::Client::new()
        .get(stack.url(path))
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{path}");
    response.bytes().await.unwrap().len() as u64
}

/// A first visit downloads the app once: the service worker's precache takes the content-hashed
/// files the page has just downloaded, instead of fetching them all again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_visit_downloads_the_app_once_and_the_service_worker_reuses_it() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    let before = stack.proxy.downloaded();
    browser.goto(&stack.url("/")).await;
    browser.testid("sign-in-form").await;
    browser.wait_for_service_worker().await;
    // The precache is complete once the worker controls the page.
    let cached = "const done = arguments[arguments.length - 1];
        caches.keys().then(async (names) => {
            let n = 0;
            for (const name of names) n += (await (await caches.open(name)).keys()).length;
            done(n);
        });";
    assert!(browser.eval_async(cached).await.as_u64().unwrap() > 5);
    let downloaded = stack.proxy.downloaded() - before;
    let wasm = std::fs::read_dir(yorisoi_e2e::dist())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with("_bg.wasm"))
        .unwrap();
    let wasm = wire_size(&stack, &format!("/{wasm}")).await;
    eprintln!("a first visit: {downloaded} bytes through the proxy; the wasm {wasm} on the wire");
    assert!(
        downloaded < wasm + wasm / 2,
        "a first visit took {downloaded} bytes; the wasm alone is {wasm} on the wire, so it came twice"
    );
}

/// Registers the app's service worker again and says how its install ended: `"installed"` or
/// `"activated"` when it kept the build for offline use, `"redundant"` when the install failed.
/// Afterwards, how many responses the page's caches hold.
async fn install_outcome(browser: &Browser) -> (String, u64) {
    let script = "const done = arguments[arguments.length - 1];
        (async () => {
            const reg = await navigator.serviceWorker.register('/sw.js');
            const worker = reg.installing || reg.waiting || reg.active;
            const state = await new Promise((settled) => {
                const check = () => {
                    if (['installed', 'activating', 'activated', 'redundant'].includes(worker.state)) {
                        settled(worker.state === 'activating' ? 'activated' : worker.state);
                        return true;
                    }
                    return false;
                };
                if (!check()) worker.addEventListener('statechange', check);
            });
            let cached = 0;
            for (const name of await caches.keys()) cached += (await (await caches.open(name)).keys()).length;
            done([state, cached]);
        })();";
    let outcome = browser.eval_async(script).await;
    (
        outcome[0].as_str().unwrap().to_owned(),
        outcome[1].as_u64().unwrap(),
    )
}

/// A half-deployed mix is never kept for offline use: while a deploy copies files over a running
/// server, index.html can already name the new build's files while the service worker (the
/// server's build) lists the old ones. The install then fails and nothing is cached; once
/// index.html and the worker agree again, the install succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_html_naming_another_builds_files_is_never_cached() {
    let builds = tempfile::tempdir().unwrap();
    let dist = builds.path().join("dist");
    copy_tree(&yorisoi_e2e::dist(), &dist).unwrap();
    let original = std::fs::read_to_string(dist.join("index.html")).unwrap();
    let stack = Stack::start_with_dist(&dist).await;
    // Half the deploy has happened: a new stylesheet, and an index.html that links it exactly as
    // the build wrote it (minified, its attributes unquoted). The old files are all still there,
    // so every file the worker lists is found.
    let css = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with(".css"))
        .unwrap();
    let new_css = "main-00000000000000aa.css";
    std::fs::copy(dist.join(&css), dist.join(new_css)).unwrap();
    assert!(original.contains(&css));
    std::fs::write(dist.join("index.html"), original.replace(&css, new_css)).unwrap();
    let browser = Browser::start().await;
    browser.goto(&stack.url("/")).await;
    browser.testid("sign-in-form").await;
    let (state, cached) = install_outcome(&browser).await;
    assert_eq!(state, "redundant", "the install of a mixed build fails");
    assert_eq!(cached, 0, "nothing of a mixed build is kept");

    // The deploy is undone (index.html agrees with the worker's build again): it installs.
    std::fs::write(dist.join("index.html"), original).unwrap();
    let (state, cached) = install_outcome(&browser).await;
    assert!(
        state == "installed" || state == "activated",
        "the install succeeds when index.html names only the build's files: {state}"
    );
    assert!(cached > 5, "the build is kept for offline use: {cached}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_build_is_offered_as_an_update_and_applied_only_when_accepted() {
    let builds = tempfile::tempdir().unwrap();
    let (old, new) = (builds.path().join("old"), builds.path().join("new"));
    copy_tree(&yorisoi_e2e::dist(), &old).unwrap();
    copy_tree(&yorisoi_e2e::dist(), &new).unwrap();
    mark_build(&new, "new");

    let mut stack = Stack::start_with_dist(&old).await;
    let browser = stack.browser().await;
    browser.goto(&stack.url("/")).await;
    browser.wait_for_text("page-title", "利用者一覧").await;
    browser.wait_for_service_worker().await;
    assert_eq!(build_marker(&browser).await, "");

    stack.redeploy(&new).await;
    // A navigation makes the browser look for a new service worker.
    browser.reload().await;
    browser.testid("update-banner").await;
    // Offered, not forced: the page still runs the old build.
    assert_eq!(build_marker(&browser).await, "");

    browser
        .eval("window.__beforeUpdate = true; return null", vec![])
        .await;
    browser.testid("update-reload").await.click().await.unwrap();
    let mut reloaded = false;
    for _ in 0..100 {
        let flag = browser
            .eval("return window.__beforeUpdate === true", vec![])
            .await;
        if flag == json!(false) {
            reloaded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(reloaded, "accepting the update reloads the page");
    // A new build is a new start of the app: the password opens it again.
    browser.unlock_if_asked().await;
    browser.wait_for_text("page-title", "利用者一覧").await;
    assert_eq!(
        build_marker(&browser).await,
        "new",
        "after the reload the page runs the new build"
    );
}

/// Changes a build the way a deploy does: the stylesheet has new content under a new hashed
/// name, and index.html links the new name.
fn mark_build(dist: &std::path::Path, marker: &str) {
    let css = std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with(".css"))
        .expect("the build has a stylesheet");
    let renamed = format!(
        "main-{:0>16}.css",
        marker
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let mut text = std::fs::read_to_string(dist.join(&css)).unwrap();
    text.push_str(&format!("\n:root {{ --yorisoi-build: \"{marker}\"; }}\n"));
    std::fs::write(dist.join(&renamed), text).unwrap();
    std::fs::remove_file(dist.join(&css)).unwrap();
    let index = std::fs::read_to_string(dist.join("index.html")).unwrap();
    assert!(index.contains(&css), "index.html links {css}");
    // Trunk pins each asset with a subresource-integrity hash; the changed stylesheet has none.
    // The release build's index.html is minified (one line): the tag is found by its bounds.
    let at = index.find(&css).unwrap();
    let start = index[..at].rfind("<link").expect("the stylesheet's <link>");
    let end = at + index[at..].find('>').expect("the <link> ends") + 1;
    let unpinned = format!("<link rel=\"stylesheet\" href=\"/{renamed}\">");
    let index = format!("{}{unpinned}{}", &index[..start], &index[end..]);
    std::fs::write(dist.join("index.html"), index).unwrap();
}

async fn build_marker(browser: &Browser) -> String {
    let script =
        "return getComputedStyle(document.documentElement).getPropertyValue('--yorisoi-build')";
    match browser.eval(script, vec![]).await {
        Value::String(s) => s.trim().trim_matches('"').to_owned(),
        other => panic!("unexpected marker {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_report_whether_storage_is_protected_and_how_much_is_used() {
    let stack = Stack::start().await;
    let browser = stack.browser().await;
    browser.goto(&stack.url("/settings")).await;
    browser.wait_for_text("page-title", "設定").await;
    let persisted = browser.testid("storage-persisted").await;
    let flag = persisted.attr("data-persisted").await.unwrap();
    assert!(
        matches!(flag.as_deref(), Some("true" | "false")),
        "{flag:?}"
    );
    let expected = if flag.as_deref() == Some("true") {
        "保護されています"
    } else {
        "保護されていません"
    };
    assert!(persisted.text().await.unwrap().starts_with(expected));
    let usage = browser.testid("storage-usage").await.text().await.unwrap();
    assert!(
        usage.starts_with("使用量 ") && usage.contains("／ 上限") && usage.contains("B"),
        "{usage}"
    );
}
