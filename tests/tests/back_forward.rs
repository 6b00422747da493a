//! The browser's back/forward cache (on in Safari on the iPad, and in the WebKit harness): a
//! person leaves the app for another site and comes back with the back button, and opens the
//! app again in the same window, several times. The app comes up every time (never stuck on
//! 読み込み中), what was typed before leaving is there, and sync still works.

use serde_json::{Value, json};
use std::time::Duration;
use yorisoi_e2e::flows::{new_msfas, sync_now};
use yorisoi_e2e::{Browser, Engine, Stack};

const Q5: &str = "#q-user1-q5-line0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_the_app_and_coming_back_keeps_it_working_and_loses_nothing() {
    leaving_the_app_and_coming_back_keeps_it_working_and_loses_nothing_in(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_the_app_and_coming_back_keeps_it_working_and_loses_nothing_in_webkit() {
    leaving_the_app_and_coming_back_keeps_it_working_and_loses_nothing_in(Engine::WebKit).await;
}

/// What blocks the page, read from inside it: the Web Locks held and waited for, and whether
/// this origin's database opens and reads within two seconds.
async fn what_blocks(browser: &Browser) -> Value {
    let script = "const done = arguments[arguments.length - 1];
        const within = (p) => Promise.race([p, new Promise((r) => setTimeout(() => r('timed out'), 2000))]);
        const locks = navigator.locks ? navigator.locks.query().then((s) => ({
            held: (s.held || []).map((l) => l.name), pending: (s.pending || []).map((l) => l.name),
        })) : Promise.resolve(null);
        const read = new Promise((resolve) => {
            const request = indexedDB.open('yorisoi');
            request.onerror = () => resolve('open failed: ' + request.error);
            request.onblocked = () => resolve('open blocked');
            request.onsuccess = () => {
                const db = request.result;
                const t = db.transaction(Array.from(db.objectStoreNames), 'readonly');
                t.objectStore('meta').count().onsuccess = () => { db.close(); resolve('read'); };
            };
        });
        Promise.all([within(locks), within(read)])
            .then(([locks, idb]) => done({ locks, idb, shown: document.body.innerText.slice(0, 200) }));";
    browser
        .client
        .execute_async(script, vec![])
        .await
        .unwrap_or_else(|e| json!(format!("cannot ask the page: {e}")))
}

/// Waits until the record shows `expected` in Q5 (unlocking if the app asks), and fails with
/// what blocks the page if it does not within 20 s. Whether the app asked for the password.
async fn wait_for_the_app(browser: &Browser, expected: &str, when: &str) -> bool {
    let mut asked = false;
    for _ in 0..200 {
        let value = browser
            .client
            .execute(
                "const el = document.querySelector(arguments[0]); return el ? el.value : null",
                vec![json!(Q5)],
            )
            .await
            .unwrap_or(Value::Null);
        if value == json!(expected) {
            return asked;
        }
        // Coming back loads the app again: it asks for the password, as any start does.
        if browser.testid_now("unlock-form").await {
            asked = true;
            browser.unlock_if_asked().await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "{when}: the record did not come up with {expected:?}; what blocks: {}",
        what_blocks(browser).await
    );
}

/// Whether the page is the one that was there before (kept alive, not loaded again).
async fn mark_page(browser: &Browser) {
    browser.eval("window.yorisoiMark = 1", vec![]).await;
}

async fn page_kept(browser: &Browser) -> bool {
    // While the page loads again the question may go unanswered: then it is not the kept one.
    browser
        .client
        .execute("return window.yorisoiMark === 1", vec![])
        .await
        .is_ok_and(|kept| kept == json!(true))
}

async fn leaving_the_app_and_coming_back_keeps_it_working_and_loses_nothing_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let coach = stack.browser().await;
    new_msfas(&stack, &coach).await;
    let record = coach.client.current_url().await.unwrap().to_string();
    // Another site: the server itself, on an origin of its own (not the app's proxy).
    let elsewhere = stack.server.url("/healthz");
    // The harness's browser keeps pages in the back/forward cache, as Safari does: a page left
    // and gone back to is the very page that was there (checked on a page that is not the
    // app's, which the app cannot reload).
    if engine == Engine::WebKit {
        coach.goto_locked(&elsewhere).await;
        mark_page(&coach).await;
        coach.goto_locked(&stack.url("/healthz")).await;
        coach.client.back().await.unwrap();
        assert!(
            page_kept(&coach).await,
            "MiniBrowser keeps pages in its back/forward cache"
        );
        coach.goto(&record).await;
    }
    let mut typed = String::new();
    for round in 1..=3 {
        let words = format!("戻る前{round}");
        coach.type_into(Q5, &words).await;
        typed.push_str(&words);
        wait_for_the_app(&coach, &typed, &format!("round {round}, typed")).await;
        // Left in the middle of a sync: what it writes is in flight as the page is kept.
        coach.click("[data-testid=sync-now]").await;
        // Away to another site, and back with the back button.
        mark_page(&coach).await;
        coach.goto_locked(&elsewhere).await;
        coach.client.back().await.unwrap();
        // The page kept in the cache does not come back as it was (its locks gone, what other
        // tabs said meanwhile unheard): it loads again from what is stored, and the keys, held
        // in memory only, are asked for again.
        let mut reloaded = false;
        for _ in 0..100 {
            if !page_kept(&coach).await {
                reloaded = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            reloaded,
            "round {round}: the app kept in the cache loads again"
        );
        let asked = wait_for_the_app(&coach, &typed, &format!("round {round}, back")).await;
        assert!(asked, "round {round}: coming back asks for the password");
        // And the app opened again in the same window, the page before it kept in the cache.
        coach.goto_locked(&stack.url("/healthz")).await;
        coach.goto_locked(&record).await;
        wait_for_the_app(&coach, &typed, &format!("round {round}, opened again")).await;
    }
    // Sync still works: everything typed reaches the server.
    coach.goto(&stack.url("/sync")).await;
    sync_now(&coach).await;
    let log = stack.server_log().await;
    assert!(
        log.iter()
            .any(|p| p["change"]["value"]["lines"][0] == json!(typed)),
        "the server has {typed:?}"
    );
}
