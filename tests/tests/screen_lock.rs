//! The screen lock holds for the whole device, tried as someone who finds the tablet locked
//! would: a new tab of the app, or a reload of the locked tab, shows nothing of the client and
//! asks for the coach's PIN or password like the locked tab; the PIN typed in any tab opens every
//! tab; and wrong PINs count for the device, not per tab.

use std::time::Duration;
use yorisoi_e2e::flows::{PIN, enter_client_mode, leave_client_mode, new_msfas_for};
use yorisoi_e2e::{Browser, Engine, PASSWORD, Stack};

const NAME: &str = "錠前 ひかり";
const ANSWER: &str = "画面のロック中に見えてはならない回答";
const Q5: &str = "#q-user1-q5-line0";

/// Everything the page holds as text: its title, its DOM with every attribute, what it shows,
/// and every field's value.
async fn page_text(browser: &Browser) -> String {
    browser
        .eval(
            "const values = Array.from(document.querySelectorAll('input, textarea, select'), (e) => e.value);
             return [document.title, document.documentElement.outerHTML, document.body.innerText, ...values].join('\\n');",
            vec![],
        )
        .await
        .as_str()
        .unwrap()
        .to_owned()
}

/// Which form the page shows to be unlocked: the PIN's (`idle-form`) or the password's.
async fn unlock_form(browser: &Browser) -> Option<String> {
    browser
        .eval(
            "return ['idle-form', 'unlock-form'].find((id) => document.querySelector(`[data-testid=${id}]`)) || null;",
            vec![],
        )
        .await
        .as_str()
        .map(str::to_owned)
}

/// Fails if the page shows anything of the client.
async fn shows_nothing(browser: &Browser, what: &str) {
    let text = page_text(browser).await;
    for secret in [NAME, ANSWER] {
        assert!(
            !text.contains(secret),
            "{what}: the locked device shows {secret:?}"
        );
    }
}

/// The tab asks for the PIN or the password and, for three seconds (a tab that hands its keys
/// over does so within milliseconds), shows nothing of the client. Returns the form it shows.
async fn asks_and_shows_nothing(browser: &Browser, what: &str) -> String {
    let mut form = None;
    for _ in 0..150 {
        shows_nothing(browser, what).await;
        form = unlock_form(browser).await;
        if form.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(form.is_some(), "{what}: no PIN or password is asked for");
    for _ in 0..30 {
        shows_nothing(browser, what).await;
        assert!(
            unlock_form(browser).await.is_some(),
            "{what}: the page stopped asking for the PIN or password"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    form.unwrap()
}

/// Locks after `seconds` untouched, in every tab (the settings offer minutes; the store takes
/// seconds).
async fn lock_after(browser: &Browser, seconds: u32) {
    browser
        .eval(
            "localStorage.setItem('yorisoi.idle_seconds', arguments[0]); return null",
            vec![seconds.to_string().into()],
        )
        .await;
}

async fn wait_until_locked(browser: &Browser) {
    for _ in 0..150 {
        if browser.testid_now("idle-form").await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the screen did not lock when left alone");
}

async fn type_pin(browser: &Browser, pin: &str) {
    browser.type_into("[data-testid=idle-pin]", pin).await;
    browser.click("[data-testid=idle-unlock]").await;
}

/// The record is on screen again, with its answer.
async fn shows_the_record(browser: &Browser, what: &str) {
    browser.testid("supporter-mode").await;
    for _ in 0..100 {
        if browser.value(Q5).await == ANSWER {
            assert!(page_text(browser).await.contains(NAME), "{what}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: the record does not show its answer again");
}

/// A coach with a client's record open, the PIN chosen: the record's address.
async fn record_open(stack: &Stack, tablet: &Browser) -> String {
    new_msfas_for(stack, tablet, NAME).await;
    tablet.type_into(Q5, ANSWER).await;
    enter_client_mode(tablet).await;
    leave_client_mode(tablet).await;
    shows_the_record(tablet, "before the lock").await;
    tablet.client.current_url().await.unwrap().to_string()
}

/// Opens `url` in a new tab of the same profile, as a person would, without unlocking anything.
async fn new_tab(tablet: &Browser, url: &str) -> fantoccini::wd::WindowHandle {
    let tab = tablet.client.new_window(true).await.unwrap().handle;
    tablet.switch_to(&tab).await;
    tablet.goto_locked(url).await;
    tab
}

#[tokio::test]
async fn a_locked_tablet_shows_nothing_in_a_new_tab_or_a_reload_until_the_pin() {
    a_locked_tablet_shows_nothing_in_a_new_tab_or_a_reload_until_the_pin_in(Engine::Chromium).await;
}

#[tokio::test]
async fn a_locked_tablet_shows_nothing_in_a_new_tab_or_a_reload_until_the_pin_in_webkit() {
    a_locked_tablet_shows_nothing_in_a_new_tab_or_a_reload_until_the_pin_in(Engine::WebKit).await;
}

async fn a_locked_tablet_shows_nothing_in_a_new_tab_or_a_reload_until_the_pin_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let tablet = stack.browser().await;
    let record = record_open(&stack, &tablet).await;
    let first = tablet.tab().await;
    lock_after(&tablet, 5).await;
    wait_until_locked(&tablet).await;
    asks_and_shows_nothing(&tablet, "the locked tab").await;
    // Long enough for the rest of the test: nothing locks again on its own meanwhile.
    lock_after(&tablet, 3600).await;

    // A new tab at the record's address, while the first still holds the keys.
    let second = new_tab(&tablet, &record).await;
    asks_and_shows_nothing(&tablet, "a new tab of the locked device").await;
    // The PIN typed there opens the device: this tab receives the keys, the first opens too.
    type_pin(&tablet, PIN).await;
    shows_the_record(&tablet, "the new tab, after the PIN").await;
    tablet.switch_to(&first).await;
    shows_the_record(&tablet, "the first tab, after the PIN in the new one").await;

    // Locked again; the first tab is reloaded (its keys are gone with the page).
    lock_after(&tablet, 5).await;
    wait_until_locked(&tablet).await;
    lock_after(&tablet, 3600).await;
    tablet.reload_locked().await;
    asks_and_shows_nothing(&tablet, "the locked tab, reloaded").await;
    // The new tab still holds the keys, locked: after the PIN it shares them.
    type_pin(&tablet, PIN).await;
    shows_the_record(&tablet, "the reloaded tab, after the PIN").await;
    tablet.switch_to(&second).await;
    shows_the_record(&tablet, "the new tab, after the PIN in the reloaded one").await;

    // Locked again, and both tabs reloaded: no tab holds the keys. The PIN opens the screen, and
    // then only the password opens the data.
    lock_after(&tablet, 5).await;
    wait_until_locked(&tablet).await;
    lock_after(&tablet, 3600).await;
    tablet.reload_locked().await;
    asks_and_shows_nothing(&tablet, "the new tab, reloaded").await;
    tablet.switch_to(&first).await;
    tablet.reload_locked().await;
    if asks_and_shows_nothing(&tablet, "both tabs reloaded").await == "idle-form" {
        type_pin(&tablet, PIN).await;
    }
    tablet.testid("unlock-form").await;
    assert!(!page_text(&tablet).await.contains(NAME));
    tablet
        .type_into("[data-testid=unlock-password]", PASSWORD)
        .await;
    tablet.click("[data-testid=unlock]").await;
    shows_the_record(&tablet, "after the password").await;
    tablet.switch_to(&second).await;
    shows_the_record(&tablet, "the other tab, after the password").await;
}

/// Wrong PINs count for the device: two in one tab and one in a new tab are three, and then only
/// the password opens it, in every tab (a new tab gives no fresh tries).
#[tokio::test]
async fn wrong_pins_in_several_tabs_count_together() {
    let stack = Stack::start().await;
    let tablet = stack.browser().await;
    let record = record_open(&stack, &tablet).await;
    let first = tablet.tab().await;
    lock_after(&tablet, 5).await;
    wait_until_locked(&tablet).await;
    lock_after(&tablet, 3600).await;
    for _ in 0..2 {
        type_pin(&tablet, "0000").await;
        let problem = tablet.testid("idle-problem").await.text().await.unwrap();
        assert!(problem.contains("PINが違います"), "{problem}");
    }
    new_tab(&tablet, &record).await;
    assert_eq!(
        asks_and_shows_nothing(&tablet, "a new tab after two wrong PINs").await,
        "idle-form"
    );
    type_pin(&tablet, "0000").await;
    // The third wrong PIN dropped the keys in every tab: the password is asked for, and the
    // right PIN no longer opens anything.
    tablet.testid("unlock-form").await;
    assert_eq!(
        asks_and_shows_nothing(&tablet, "the new tab after the third wrong PIN").await,
        "unlock-form"
    );
    tablet.switch_to(&first).await;
    assert_eq!(
        asks_and_shows_nothing(&tablet, "the first tab after the third wrong PIN").await,
        "unlock-form"
    );
    tablet
        .type_into("[data-testid=unlock-password]", PASSWORD)
        .await;
    tablet.click("[data-testid=unlock]").await;
    shows_the_record(&tablet, "after the password").await;
}
