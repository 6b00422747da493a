//! What a person does in the app, step by step, shared by the tests and the benchmarks.

use crate::{Browser, Stack};

const Q4: &str = "section[data-field='user1.q4']";

/// Adds a client named 山田 花子 and opens a new MSFAS for them in supporter mode.
pub async fn new_msfas(stack: &Stack, browser: &Browser) {
    new_msfas_for(stack, browser, "山田 花子").await;
}

/// Adds a client named `name` and opens a new MSFAS for them in supporter mode.
pub async fn new_msfas_for(stack: &Stack, browser: &Browser, name: &str) {
    new_msfas_at(&stack.url(""), browser, name).await;
}

/// Adds a client named `name` and opens a new MSFAS for them in supporter mode, with the app at
/// `base` (`https://host:port`): for a browser that reaches the app other than through a
/// [`Stack`]'s proxy.
pub async fn new_msfas_at(base: &str, browser: &Browser, name: &str) {
    browser.goto(&format!("{base}/clients")).await;
    browser.click("[data-testid=add-client]").await;
    browser.type_into("[data-testid=client-name]", name).await;
    browser
        .type_into(
            "[data-testid=client-workplace]",
            "株式会社みなと 物流センター",
        )
        .await;
    browser
        .set_value("[data-testid=client-birth-date]", "1990-04-01")
        .await;
    browser.click("[data-testid=new-assessment]").await;
    browser.testid("supporter-mode").await;
}

/// Answers every question of the cover and user sheet 1.
pub async fn fill_sheet_1(browser: &Browser) {
    browser
        .set_value("#q-cover-consent_date-date", "2026-11-20")
        .await;
    browser
        .type_into("#q-user1-q1-r0-situation", "急がされるとき")
        .await;
    browser
        .type_into("#q-user1-q1-r0-coping", "深呼吸する")
        .await;
    browser
        .type_into("#q-user1-q1-r0-result", "少し落ち着く")
        .await;
    browser
        .type_into("#q-user1-q1-r4-situation", "電話が続くとき")
        .await;
    for (line, text) in ["午後のピッキング", "倉庫の寒さ", "残業"]
        .iter()
        .enumerate()
    {
        browser
            .type_into(&format!("#q-user1-q2-line{line}"), text)
            .await;
    }
    browser
        .click("section[data-field='user1.q3'] input[value=ask_supervisor]")
        .await;
    browser.click(&format!("{Q4} input[value=sleepy]")).await;
    browser
        .click(&format!("{Q4} input[value=stiff_shoulders]"))
        .await;
    browser
        .type_into(&format!("{Q4} .other-text"), "耳鳴りがする")
        .await;
    browser
        .type_into("#q-user1-q5-line0", "慣れた作業のとき")
        .await;
    browser.click("[data-testid=answered-with-supporter]").await;
    assert_eq!(
        browser
            .testid("save-status")
            .await
            .attr("data-state")
            .await
            .unwrap()
            .as_deref(),
        Some("saved")
    );
}

/// Presses 今すぐ同期 and waits until a sync has finished after it with nothing left to send;
/// fails with the app's own words if sync reports an error instead.
pub async fn sync_now(browser: &Browser) {
    let last = browser.testid("sync-last").await;
    let before = last.attr("data-synced-at").await.unwrap();
    browser.click("[data-testid=sync-now]").await;
    for _ in 0..300 {
        let last = browser.testid("sync-last").await;
        let at = last.attr("data-synced-at").await.unwrap();
        let idle = last.attr("data-state").await.unwrap().as_deref() == Some("idle");
        let unsent = browser
            .testid("sync-unsent")
            .await
            .attr("data-count")
            .await
            .unwrap();
        if idle && at != before && unsent.as_deref() == Some("0") {
            return;
        }
        if idle
            && at == before
            && let Ok(error) = browser
                .client
                .find(fantoccini::Locator::Css("[data-testid=sync-error]"))
                .await
        {
            panic!("sync failed: {}", error.text().await.unwrap_or_default());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("sync did not finish within 30 s");
}

/// Opens the newest record of the first client on this device, from the client list.
pub async fn open_first_record(stack: &Stack, browser: &Browser) {
    browser.goto(&stack.url("/clients")).await;
    browser.click("[data-testid=client-link]").await;
    browser.click("[data-testid=timeline-item] a").await;
    browser.testid("supporter-mode").await;
}

/// Waits until the input matching `selector` shows `expected`.
pub async fn wait_for_value(browser: &Browser, selector: &str, expected: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        last = browser.value(selector).await;
        if last == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{selector} shows {last:?}, expected {expected:?}");
}

/// How many clients the client list shows.
pub async fn client_count(browser: &Browser) -> usize {
    browser.testid("client-list").await;
    let count = browser
        .eval(
            "return document.querySelectorAll('[data-testid=client-link]').length",
            vec![],
        )
        .await;
    count.as_u64().unwrap_or_default() as usize
}

/// One client with a filled-in MSFAS, made through the UI on a browser of its own and synced:
/// the template [`Stack::seed_copies`] copies.
pub async fn one_synced_msfas(stack: &Stack) {
    let maker = stack.browser().await;
    new_msfas(stack, &maker).await;
    fill_sheet_1(&maker).await;
    sync_now(&maker).await;
}

/// Waits until the client list shows exactly `expected` (in any order); fails with what it
/// shows otherwise.
pub async fn wait_for_client_names(stack: &Stack, browser: &Browser, expected: &[&str]) {
    browser.goto(&stack.url("/clients")).await;
    browser.testid("page-title").await;
    let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    expected.sort();
    let mut shown = Vec::new();
    for _ in 0..150 {
        shown = client_names(browser).await;
        if shown == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the client list shows {shown:?}, expected {expected:?}");
}

/// The names on the client list as it is now, sorted.
pub async fn client_names(browser: &Browser) -> Vec<String> {
    let mut names = Vec::new();
    for element in browser
        .client
        .find_all(fantoccini::Locator::Css(".client-name"))
        .await
        .unwrap()
    {
        names.push(element.text().await.unwrap());
    }
    names.sort();
    names
}

/// The PIN the tests' coaches choose.
pub const PIN: &str = "2580";

/// Hands the tablet to the client: 1問ずつ入力, choosing the PIN the first time.
pub async fn enter_client_mode(browser: &Browser) {
    browser.click("[data-testid=mode-client]").await;
    for _ in 0..50 {
        if browser
            .client
            .find(fantoccini::Locator::Css("[data-testid=client-question]"))
            .await
            .is_ok()
        {
            return;
        }
        if browser
            .client
            .find(fantoccini::Locator::Css("[data-testid=pin-setup]"))
            .await
            .is_ok()
        {
            browser.type_into("[data-testid=pin-new]", PIN).await;
            browser.type_into("[data-testid=pin-again]", PIN).await;
            browser.click("[data-testid=pin-start]").await;
            browser.testid("client-question").await;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("client mode did not start");
}

/// Takes the tablet back with the coach's PIN: the whole sheet again.
pub async fn leave_client_mode(browser: &Browser) {
    browser.click("[data-testid=client-leave]").await;
    browser.type_into("[data-testid=pin-leave]", PIN).await;
    browser.click("[data-testid=pin-submit]").await;
    browser.testid("supporter-mode").await;
}

/// Everything a script on the app's origin can read back from the browser's storage, as text: what
/// an attacker holding the tablet gets. localStorage, every object store of every IndexedDB
/// database (strings as they are; binary values decoded as UTF-8 and as Latin-1, and every gzip
/// stream in them inflated; other values as JSON), and every response in the Cache Storage.
pub async fn readable_storage(browser: &Browser) -> String {
    browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             const out = [JSON.stringify(Object.entries(localStorage))];
             // Every gzip stream in the bytes, wherever it starts, inflated.
             const inflated = async (bytes) => {
               const found = [];
               for (let at = 0; at + 2 < bytes.length; at++) {
                 if (bytes[at] !== 0x1f || bytes[at + 1] !== 0x8b || bytes[at + 2] !== 8) continue;
                 try {
                   const stream = new Blob([bytes.subarray(at)]).stream().pipeThrough(new DecompressionStream('gzip'));
                   found.push(await new Response(stream).text());
                 } catch (e) { /* not a gzip stream after all */ }
               }
               return found.join('\\n');
             };
             const text = async (v) => {
               if (typeof v === 'string') return v;
               if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
                 const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
                 return new TextDecoder('utf-8').decode(bytes) + new TextDecoder('latin1').decode(bytes) + await inflated(bytes);
               }
               try { return JSON.stringify(v); } catch (e) { return String(v); }
             };
             const store = (db, name) => new Promise((resolve) => {
               const all = db.transaction(name).objectStore(name).getAll();
               all.onsuccess = () => Promise.all(all.result.map(text)).then((texts) => resolve(texts.join('\\n')));
               all.onerror = () => resolve('IDB-ERROR');
             });
             (async () => {
               for (const info of await indexedDB.databases()) {
                 const db = await new Promise((resolve, reject) => {
                   const open = indexedDB.open(info.name);
                   open.onsuccess = () => resolve(open.result);
                   open.onerror = () => reject(open.error);
                 });
                 for (const name of db.objectStoreNames) out.push(await store(db, name));
                 db.close();
               }
               if (self.caches) {
                 for (const name of await caches.keys()) {
                   const cache = await caches.open(name);
                   for (const request of await cache.keys()) {
                     out.push(await (await cache.match(request)).text());
                   }
                 }
               }
               done(out.join('\\n'));
             })().catch((e) => done(out.join('\\n') + 'STORAGE-ERROR ' + e));",
        )
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

/// What the app keeps in this browser, counted: IndexedDB chunks, unsent changes and people's
/// wrapped keys in localStorage.
#[derive(Debug, PartialEq, Eq)]
pub struct Census {
    pub chunks: u64,
    pub unsent: u64,
    pub keys: u64,
}

pub async fn storage_census(browser: &Browser) -> Census {
    let counts = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             const count = (prefix) => Object.keys(localStorage).filter((k) => k.startsWith(prefix)).length;
             const local = { unsent: count('yorisoi.outbox.'), keys: count('yorisoi.keys.') };
             const open = indexedDB.open('yorisoi');
             open.onsuccess = () => {
               const db = open.result;
               if (!db.objectStoreNames.contains('chunks')) { db.close(); done({ ...local, chunks: 0 }); return; }
               const n = db.transaction('chunks').objectStore('chunks').count();
               n.onsuccess = () => { db.close(); done({ ...local, chunks: n.result }); };
               n.onerror = () => done({ ...local, chunks: -1 });
             };
             open.onerror = () => done({ ...local, chunks: -1 });",
        )
        .await;
    let n = |k: &str| counts[k].as_u64().unwrap_or_else(|| panic!("{counts}"));
    Census {
        chunks: n("chunks"),
        unsent: n("unsent"),
        keys: n("keys"),
    }
}

/// Marks the app's offline copy, so that a test can tell it was deleted: waits for the service
/// worker, puts a marker into every cache (and one of its own), and counts in `sessionStorage`
/// (which outlives the page's reload) every unregistering of a service worker from this page on.
pub async fn mark_offline_copy(browser: &Browser) {
    browser.wait_for_service_worker().await;
    let marked = browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               await caches.open('probe');
               const names = await caches.keys();
               for (const name of names) {
                 await (await caches.open(name)).put('/probe-marker', new Response('marker'));
               }
               const unregister = ServiceWorkerRegistration.prototype.unregister;
               ServiceWorkerRegistration.prototype.unregister = function () {
                 sessionStorage.setItem('probe-unregistered', String(Number(sessionStorage.getItem('probe-unregistered') || 0) + 1));
                 return unregister.call(this);
               };
               const registrations = await navigator.serviceWorker.getRegistrations();
               done(names.length >= 2 && registrations.length >= 1);
             })().catch((e) => done(String(e)));",
        )
        .await;
    assert_eq!(
        marked,
        serde_json::Value::Bool(true),
        "the app has an offline copy to delete"
    );
}

/// Whether the offline copy marked by [`mark_offline_copy`] was deleted: no cache holds the
/// marker any more (a cache made again after the reload does not), and the service worker was
/// unregistered.
pub async fn offline_copy_removed(browser: &Browser) -> bool {
    browser
        .eval_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               for (const name of await caches.keys()) {
                 if (await (await caches.open(name)).match('/probe-marker')) return done(false);
               }
               done(Number(sessionStorage.getItem('probe-unregistered') || 0) >= 1);
             })().catch((e) => done(String(e)));",
        )
        .await
        == serde_json::Value::Bool(true)
}
