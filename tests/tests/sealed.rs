//! Sealed at rest, tested as someone holding the tablet would try: what the browser's storage
//! gives back to a script (localStorage, IndexedDB, the Cache Storage) holds nothing of a client
//! in any encoding a script could read back without the password; the password opens it offline;
//! the screen locks when left alone; sign-out drops the keys and keeps the data, sealed.

use std::time::Duration;
use yorisoi_e2e::flows::{
    PIN, client_names, enter_client_mode, leave_client_mode, new_msfas_for, readable_storage,
    storage_census, sync_now,
};
use yorisoi_e2e::{Browser, Engine, PASSWORD, Stack};

const Q5: &str = "#q-user1-q5-line0";
const NAME: &str = "秘密川 七之助";
const SYNCED: &str = "同期済みの秘密の回答QZX";
const UNSENT: &str = "まだ送っていない秘密の回答WKV";

/// Every form of `secret` a script might find in storage: as it is, JSON-escaped, URI-encoded,
/// as hex and base64 of its UTF-8 (at each of base64's three alignments) and as hex of UTF-16.
async fn encodings(browser: &Browser, secret: &str) -> Vec<String> {
    let forms = browser
        .eval(
            "const s = arguments[0];
             const bytes = new TextEncoder().encode(s);
             const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
             const b64 = (b) => btoa(String.fromCharCode(...b));
             const out = [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), hex(bytes)];
             out.push(s.split('').map((c) => '\\\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')).join(''));
             const utf16 = new Uint8Array(new Uint16Array(Array.from(s, (c) => c.charCodeAt(0))).buffer);
             out.push(hex(utf16));
             for (let pad = 0; pad < 3; pad++) {
               const padded = new Uint8Array(pad + bytes.length);
               padded.set(bytes, pad);
               // The characters that depend on the secret's bytes only.
               out.push(b64(padded).slice(pad === 0 ? 0 : 4, -4));
             }
             return out;",
            vec![serde_json::json!(secret)],
        )
        .await;
    forms
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect()
}

/// Fails if any secret, in any of its encodings, is in what the browser's storage gives back.
async fn assert_nothing_readable(browser: &Browser, what: &str) {
    let stored = readable_storage(browser).await;
    assert!(stored.len() > 1_000, "{what}: the reader sees the storage");
    for secret in [NAME, SYNCED, UNSENT] {
        for form in encodings(browser, secret).await {
            assert!(
                !stored.contains(&form),
                "{what}: {secret:?} is readable in storage as {form:?}"
            );
        }
    }
}

/// The device secret the tablet's app sends with its requests (issue 19), caught on its way out
/// during a sync: what a reader of the storage must not find.
async fn device_secret(tablet: &Browser) -> String {
    tablet
        .eval(
            "window.__proofs = [];
             const original = window.fetch;
             window.fetch = function (input, init) {
               try {
                 const headers = input instanceof Request ? input.headers : new Headers((init || {}).headers);
                 const proof = headers.get('x-yorisoi-device-proof');
                 if (proof) window.__proofs.push(proof);
               } catch (e) { /* not a request this test reads */ }
               return original.apply(this, arguments);
             };
             return null;",
            vec![],
        )
        .await;
    sync_now(tablet).await;
    let proof = tablet
        .eval("return (window.__proofs || [])[0] || '';", vec![])
        .await;
    let proof = proof.as_str().unwrap().to_owned();
    assert_eq!(
        proof.len(),
        64,
        "the app sends its device secret: {proof:?}"
    );
    proof
}

/// Every form of the device secret (hex) a script might find: hex either case, base64 of its
/// bytes at each alignment, its bytes as decimal numbers.
async fn secret_forms(browser: &Browser, hex: &str) -> Vec<String> {
    let forms = browser
        .eval(
            "const hex = arguments[0];
             const bytes = new Uint8Array(hex.match(/../g).map((h) => parseInt(h, 16)));
             const b64 = (b) => btoa(String.fromCharCode(...b));
             const out = [hex, hex.toUpperCase(), Array.from(bytes).join(',')];
             for (let pad = 0; pad < 3; pad++) {
               const padded = new Uint8Array(pad + bytes.length);
               padded.set(bytes, pad);
               out.push(b64(padded).slice(pad === 0 ? 0 : 4, -4));
             }
             return out;",
            vec![serde_json::json!(hex)],
        )
        .await;
    forms
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect()
}

/// A client with a unique name, an answer synced and one not yet sent.
async fn a_client_with_secrets(stack: &Stack, tablet: &Browser) {
    new_msfas_for(stack, tablet, NAME).await;
    tablet.type_into(Q5, SYNCED).await;
    sync_now(tablet).await;
    tablet.type_into("#q-user1-q2-line0", UNSENT).await;
}

#[tokio::test]
async fn someone_holding_the_tablet_reads_nothing_of_a_client_from_its_storage() {
    someone_holding_the_tablet_reads_nothing_of_a_client_from_its_storage_in(Engine::Chromium)
        .await;
}

#[tokio::test]
async fn someone_holding_the_tablet_reads_nothing_of_a_client_from_its_storage_in_webkit() {
    someone_holding_the_tablet_reads_nothing_of_a_client_from_its_storage_in(Engine::WebKit).await;
}

async fn someone_holding_the_tablet_reads_nothing_of_a_client_from_its_storage_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let tablet = stack.browser().await;
    a_client_with_secrets(&stack, &tablet).await;
    // The reader finds what is there: the test is not blind.
    let stored = readable_storage(&tablet).await;
    assert!(
        stored.contains("yorisoi.outbox."),
        "the unsent change is stored"
    );
    let census = storage_census(&tablet).await;
    assert!(census.chunks > 0 && census.keys == 1, "{census:?}");
    // Nor is it blind to gzip (a bootstrap's chunks come gzipped): a gzipped value in a database
    // of its own is read back.
    tablet
        .eval_async(
            "const done = arguments[arguments.length - 1];
             (async () => {
               const stream = new Blob(['gzipped-probe-text']).stream().pipeThrough(new CompressionStream('gzip'));
               const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
               const open = indexedDB.open('probe');
               open.onupgradeneeded = () => open.result.createObjectStore('values');
               open.onsuccess = () => {
                 const put = open.result.transaction('values', 'readwrite').objectStore('values').put(bytes, 'k');
                 put.onsuccess = () => { open.result.close(); done(true); };
               };
             })();",
        )
        .await;
    assert!(
        readable_storage(&tablet)
            .await
            .contains("gzipped-probe-text")
    );
    tablet
        .eval_async(
            "const done = arguments[arguments.length - 1];
             const gone = indexedDB.deleteDatabase('probe');
             gone.onsuccess = () => done(true);",
        )
        .await;
    assert_nothing_readable(&tablet, "the coach's tablet, in use").await;
    // Nor the device's secret, which lets a request act as this tablet (issue 19).
    let secret = device_secret(&tablet).await;
    let stored = readable_storage(&tablet).await;
    assert!(
        stored.contains("yorisoi.device_proof"),
        "it is stored, sealed"
    );
    for form in secret_forms(&tablet, &secret).await {
        assert!(
            !stored.contains(&form),
            "the device secret is readable in storage as {form:?}"
        );
    }

    // The office's device, which received the client by sync (a bootstrap).
    let office = stack.browser_as("office").await;
    sync_now(&office).await;
    office.goto(&stack.url("/clients")).await;
    shows_the_client(&office).await;
    assert_nothing_readable(&office, "the office's device").await;

    // Signed out: the keys are gone, the data stays (sealed).
    tablet.goto(&stack.url("/settings")).await;
    tablet.click("[data-testid=sign-out]").await;
    tablet.testid("sign-in-form").await;
    let after = storage_census(&tablet).await;
    assert!(after.chunks > 0 && after.keys == 1, "kept: {after:?}");
    assert_nothing_readable(&tablet, "the coach's tablet, signed out").await;

    // Signing in again opens the same data: nothing was lost.
    stack.sign_in(&tablet, "coach").await;
    tablet.goto(&stack.url("/clients")).await;
    shows_the_client(&tablet).await;
}

#[tokio::test]
async fn the_password_opens_the_tablet_offline_and_a_wrong_one_does_not() {
    the_password_opens_the_tablet_offline_and_a_wrong_one_does_not_in(Engine::Chromium).await;
}

#[tokio::test]
async fn the_password_opens_the_tablet_offline_and_a_wrong_one_does_not_in_webkit() {
    the_password_opens_the_tablet_offline_and_a_wrong_one_does_not_in(Engine::WebKit).await;
}

async fn the_password_opens_the_tablet_offline_and_a_wrong_one_does_not_in(engine: Engine) {
    let mut stack = Stack::start_in(engine).await;
    let tablet = stack.browser().await;
    a_client_with_secrets(&stack, &tablet).await;
    stack.go_offline();

    // Closed and opened again (a reload): the app asks for the password, with the network gone.
    tablet.reload_locked().await;
    tablet.testid("unlock-form").await;
    tablet
        .type_into("[data-testid=unlock-password]", "まちがったパスワード")
        .await;
    tablet.click("[data-testid=unlock]").await;
    let problem = tablet.testid("unlock-problem").await.text().await.unwrap();
    assert!(problem.contains("パスワードが違います"), "{problem}");
    tablet
        .type_into("[data-testid=unlock-password]", PASSWORD)
        .await;
    tablet.click("[data-testid=unlock]").await;
    tablet.goto_locked(&tablet_url(&stack, "/clients")).await;
    // A page load is a new start: the password again, then the client is there, offline.
    tablet.testid("unlock-form").await;
    tablet
        .type_into("[data-testid=unlock-password]", PASSWORD)
        .await;
    tablet.click("[data-testid=unlock]").await;
    shows_the_client(&tablet).await;

    // A second tab of the same app is given the keys by the open one: no password asked.
    let first = tablet.tab().await;
    let second = tablet.client.new_window(true).await.unwrap().handle;
    tablet.switch_to(&second).await;
    tablet.goto_locked(&tablet_url(&stack, "/clients")).await;
    shows_the_client(&tablet).await;
    tablet.switch_to(&first).await;
}

/// Waits until the client list on screen shows the client.
async fn shows_the_client(browser: &Browser) {
    for _ in 0..150 {
        if client_names(browser).await.iter().any(|n| n == NAME) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the client list does not show {NAME}: {:?}",
        client_names(browser).await
    );
}

fn tablet_url(stack: &Stack, path: &str) -> String {
    stack.url(path)
}

#[tokio::test]
async fn an_idle_tablet_locks_itself_and_three_wrong_pins_need_the_password() {
    an_idle_tablet_locks_itself_and_three_wrong_pins_need_the_password_in(Engine::Chromium).await;
}

#[tokio::test]
async fn an_idle_tablet_locks_itself_and_three_wrong_pins_need_the_password_in_webkit() {
    an_idle_tablet_locks_itself_and_three_wrong_pins_need_the_password_in(Engine::WebKit).await;
}

async fn an_idle_tablet_locks_itself_and_three_wrong_pins_need_the_password_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let tablet = stack.browser().await;
    new_msfas_for(&stack, &tablet, NAME).await;
    // The coach's PIN, chosen the first time the tablet is handed to the client.
    enter_client_mode(&tablet).await;
    leave_client_mode(&tablet).await;
    // Locks after 5 s untouched (the settings offer minutes; the store takes seconds).
    tablet
        .eval(
            "localStorage.setItem('yorisoi.idle_seconds', '5'); return null",
            vec![],
        )
        .await;
    let idle = async || {
        for _ in 0..150 {
            if tablet.testid_now("idle-form").await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the screen did not lock when left alone");
    };
    idle().await;
    // The PIN opens it again, the keys still in memory.
    tablet.type_into("[data-testid=idle-pin]", PIN).await;
    tablet.click("[data-testid=idle-unlock]").await;
    tablet.testid("supporter-mode").await;

    idle().await;
    for n in 1..=3 {
        tablet.type_into("[data-testid=idle-pin]", "0000").await;
        tablet.click("[data-testid=idle-unlock]").await;
        if n < 3 {
            let problem = tablet.testid("idle-problem").await.text().await.unwrap();
            assert!(problem.contains("PINが違います"), "{problem}");
        }
    }
    // The third wrong PIN dropped the keys: only the password opens the app now.
    tablet.testid("unlock-form").await;
    tablet
        .type_into("[data-testid=unlock-password]", PASSWORD)
        .await;
    tablet.click("[data-testid=unlock]").await;
    tablet.testid("supporter-mode").await;
}

/// Two staff on one tablet: the first signs out with an edit not yet sent (the network was down).
/// The second signs in: the first's edit stays, sealed under the first's key, listed in plain
/// words as theirs, and is not sent under the second's session. When the first signs in again,
/// it is sent.
#[tokio::test]
async fn another_persons_unsent_edit_stays_sealed_for_them_and_is_sent_when_they_return() {
    let stack = Stack::start().await;
    let tablet = stack.browser().await;
    new_msfas_for(&stack, &tablet, NAME).await;
    sync_now(&tablet).await;
    stack.proxy.cut();
    tablet.type_into(Q5, UNSENT).await;
    tablet.goto(&stack.url("/settings")).await;
    tablet.click("[data-testid=sign-out]").await;
    tablet.testid("sign-in-form").await;
    stack.proxy.connect_to(stack.server.addr);

    stack.sign_in(&tablet, "coach2").await;
    tablet.goto(&stack.url("/clients")).await;
    let notice = tablet
        .testid("set-aside-notice")
        .await
        .text()
        .await
        .unwrap();
    assert!(notice.contains("別の方"), "{notice}");
    sync_now(&tablet).await;
    let sent = |log: &[serde_json::Value]| {
        log.iter()
            .any(|p| p["change"]["value"]["lines"][0] == UNSENT)
    };
    assert!(
        !sent(&stack.server_log().await),
        "not sent as the second person"
    );
    assert!(
        storage_census(&tablet).await.unsent > 0,
        "kept on the tablet"
    );
    assert_nothing_readable(&tablet, "the shared tablet, the second person signed in").await;

    tablet.goto(&stack.url("/settings")).await;
    tablet.click("[data-testid=sign-out]").await;
    tablet.testid("sign-in-form").await;
    stack.sign_in(&tablet, "coach").await;
    for _ in 0..100 {
        if sent(&stack.server_log().await) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the first person's edit was not sent when they signed in again");
}
