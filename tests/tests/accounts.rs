//! People, roles and per-client scope end to end: real Chromium profiles as coaches' tablets, the
//! office and an administrator, the real server, and the network cut at the proxy.

use yorisoi_e2e::admin::{Admin, device_id};
use yorisoi_e2e::flows::{
    Census, mark_offline_copy, new_msfas_for, offline_copy_removed, storage_census, sync_now,
    wait_for_client_names, wait_for_value,
};
use yorisoi_e2e::{Browser, Engine, Stack};

const Q5: &str = "#q-user1-q5-line0";

#[tokio::test]
async fn two_coaches_on_two_tablets_see_only_their_own_clients_and_the_office_sees_both() {
    let stack = Stack::start().await;
    let (a, b) = (
        stack.browser_as("coach").await,
        stack.browser_as("coach2").await,
    );
    new_msfas_for(&stack, &a, "青木 一郎").await;
    a.type_into(Q5, "Aさんの記録").await;
    sync_now(&a).await;
    new_msfas_for(&stack, &b, "馬場 二郎").await;
    b.type_into(Q5, "Bさんの記録").await;
    sync_now(&b).await;
    sync_now(&a).await;

    wait_for_client_names(&stack, &a, &["青木 一郎"]).await;
    wait_for_client_names(&stack, &b, &["馬場 二郎"]).await;
    let office = stack.browser_as("office").await;
    sync_now(&office).await;
    wait_for_client_names(&stack, &office, &["青木 一郎", "馬場 二郎"]).await;
    // Nothing of the other coach's client is anywhere in the tablet's storage.
    for (tablet, other) in [(&a, "馬場 二郎"), (&b, "青木 一郎")] {
        let stored = stored_text(tablet).await;
        assert!(!stored.contains(other), "{other} is on the wrong tablet");
    }
}

/// An administrator assigns a coach on the admin page, choosing the client and the coach from
/// its lists: the page lists the assignment, and the coach's tablet then holds the client.
#[tokio::test]
async fn an_assignment_made_on_the_admin_page_reaches_the_coachs_tablet() {
    let stack = Stack::start().await;
    let (a, b) = (
        stack.browser_as("coach").await,
        stack.browser_as("coach2").await,
    );
    new_msfas_for(&stack, &a, "青木 一郎").await;
    sync_now(&a).await;
    let admin = Admin::sign_in(&stack).await;
    let client = admin.client_id("青木 一郎").await;
    let coach2 = admin.person_id("coach2").await;
    let coach2 = coach2.as_str().unwrap();

    let page = stack.browser_as("admin").await;
    page.goto(&stack.url("/admin")).await;
    for (select, value) in [("assign-client", client.as_str()), ("assign-coach", coach2)] {
        page.css(&format!("[data-testid={select}] option[value='{value}']"))
            .await;
        page.set_value(&format!("[data-testid={select}]"), value)
            .await;
    }
    page.click("[data-testid=assign]").await;
    // The one client's entry names both coaches now (each person's name is their login).
    page.wait_for_text_containing("assignment", "coach2").await;

    sync_now(&b).await;
    wait_for_client_names(&stack, &b, &["青木 一郎"]).await;
}

/// Everything the app keeps in this browser profile (localStorage and IndexedDB), as text: what
/// someone holding the tablet could read back.
async fn stored_text(browser: &Browser) -> String {
    yorisoi_e2e::flows::readable_storage(browser).await
}

/// A client moves from coach A to coach B while A's tablet is offline with an unsent edit. When
/// A comes back, the edit reaches the server first (set aside: A no longer serves the client,
/// and A's tablet says so in plain words), then A's tablet deletes the client. B's tablet,
/// which had synced before, receives the client's whole history. An administrator accepts the
/// set-aside edit on the admin page, and it reaches B.
#[tokio::test]
async fn a_client_moved_to_another_coach_leaves_the_first_tablet_after_its_edit_is_sent() {
    let stack = Stack::start().await;
    let (a, b) = (
        stack.browser_as("coach").await,
        stack.browser_as("coach2").await,
    );
    new_msfas_for(&stack, &a, "山本 三郎").await;
    a.type_into(Q5, "担当だったときの回答").await;
    sync_now(&a).await;
    sync_now(&b).await;
    wait_for_client_names(&stack, &b, &[]).await;

    // A goes offline and types; meanwhile the client is moved to B.
    stack.proxy.cut();
    a.type_into("#q-user1-q2-line0", "オフラインで書いた回答")
        .await;
    let admin = Admin::sign_in(&stack).await;
    let client = admin.client_id("山本 三郎").await;
    admin.unassign("coach", &client).await;
    admin.assign("coach2", &client).await;
    stack.proxy.connect_to(stack.server.addr);

    sync_now(&a).await;
    let refused = a.testid("sync-refused").await;
    assert_eq!(
        refused.attr("data-count").await.unwrap().as_deref(),
        Some("1")
    );
    refused.click().await.unwrap();
    let why = a.testid("refused-why").await.text().await.unwrap();
    assert!(why.contains("この利用者の担当ではなくなりました"), "{why}");
    wait_for_client_names(&stack, &a, &[]).await;
    let stored = stored_text(&a).await;
    assert!(
        !stored.contains("山本 三郎") && !stored.contains("担当だったときの回答"),
        "the client's data is gone from A's tablet"
    );
    let set_aside = admin.quarantine().await;
    assert_eq!(set_aside.len(), 1, "{set_aside:#?}");
    assert_eq!(
        set_aside[0]["refusal"]["code"], "not_in_scope",
        "{set_aside:#?}"
    );

    // B receives the client with its history.
    sync_now(&b).await;
    wait_for_client_names(&stack, &b, &["山本 三郎"]).await;
    b.click("[data-testid=client-link]").await;
    b.click("[data-testid=timeline-item] a").await;
    wait_for_value(&b, Q5, "担当だったときの回答").await;

    // The administrator accepts A's edit on the admin page; it reaches B. Accepting checks that
    // its author may write the client now, so A is given the client again first.
    admin.assign("coach", &client).await;
    let office = stack.browser_as("admin").await;
    office.goto(&stack.url("/admin")).await;
    // The administrator's list says whose change it is and which field, never its value.
    let listed = office.testid("set-aside").await.text().await.unwrap();
    assert!(
        listed.contains("山本 三郎") && listed.contains("answers.user1.q2"),
        "{listed}"
    );
    assert!(!listed.contains("オフラインで書いた回答"), "{listed}");
    office.click("[data-testid=set-aside-accept]").await;
    office
        .wait_for_text("admin-message", "保存しました。")
        .await;
    assert_eq!(admin.quarantine().await[0]["decision"], "accepted");
    sync_now(&b).await;
    wait_for_value(&b, "#q-user1-q2-line0", "オフラインで書いた回答").await;
}

/// A lost tablet: the administrator revokes it, and on its next contact it deletes every
/// client's data, unsent changes included, and asks for a sign-in.
#[tokio::test]
async fn a_revoked_tablet_is_emptied_on_its_next_contact() {
    let stack = Stack::start().await;
    let tablet = stack.browser().await;
    new_msfas_for(&stack, &tablet, "川口 四郎").await;
    tablet.type_into(Q5, "紛失前の回答").await;
    sync_now(&tablet).await;
    // The tablet holds the client, sealed, and its person's wrapped key.
    let before = storage_census(&tablet).await;
    assert!(before.chunks > 0 && before.keys == 1, "{before:?}");
    mark_offline_copy(&tablet).await;
    let admin = Admin::sign_in(&stack).await;
    admin.device(&device_id(&tablet).await, "revoke").await;

    // Its next contact.
    tablet.click("[data-testid=sync-now]").await;
    tablet.testid("sign-in-form").await;
    let emptied = Census {
        chunks: 0,
        unsent: 0,
        keys: 0,
    };
    let mut after = storage_census(&tablet).await;
    for _ in 0..100 {
        if after == emptied {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        after = storage_census(&tablet).await;
    }
    assert_eq!(
        after, emptied,
        "nothing of the client is left, unsent edit and keys included"
    );
    assert!(
        offline_copy_removed(&tablet).await,
        "its caches and service worker were deleted"
    );
    let stored = stored_text(&tablet).await;
    assert!(
        !stored.contains("川口 四郎") && !stored.contains("紛失前の回答"),
        "nothing of the client is left on the tablet: {stored}"
    );
    // Its session is refused too: signing in again under its old id is not possible.
    tablet.type_into("[data-testid=login]", "coach").await;
    tablet
        .type_into("[data-testid=password]", yorisoi_e2e::PASSWORD)
        .await;
    tablet.click("[data-testid=sign-in]").await;
    // The wiped app made itself a new id: a person may sign in on it again as a new device.
    tablet.wait_for_text("signed-in-as", "coach さん").await;
    wait_for_client_names(&stack, &tablet, &["川口 四郎"]).await;
}

/// A tablet handed back: retired while it holds an unsent edit, it sends the edit, then deletes.
#[tokio::test]
async fn a_retired_tablet_sends_what_it_has_unsent_then_deletes() {
    let stack = Stack::start().await;
    let tablet = stack.browser().await;
    new_msfas_for(&stack, &tablet, "森 五郎").await;
    sync_now(&tablet).await;
    mark_offline_copy(&tablet).await;
    stack.proxy.cut();
    tablet.type_into(Q5, "返却前の最後の回答").await;
    let admin = Admin::sign_in(&stack).await;
    admin.device(&device_id(&tablet).await, "retire").await;
    stack.proxy.connect_to(stack.server.addr);
    tablet.click("[data-testid=sync-now]").await;
    tablet.testid("sign-in-form").await;
    let log = stack.server_log().await;
    assert!(
        log.iter()
            .any(|p| p["change"]["value"]["lines"][0] == "返却前の最後の回答"),
        "the unsent edit reached the server before the tablet deleted"
    );
    let mut after = storage_census(&tablet).await;
    for _ in 0..100 {
        if after.chunks + after.unsent + after.keys == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        after = storage_census(&tablet).await;
    }
    assert_eq!(
        after,
        Census {
            chunks: 0,
            unsent: 0,
            keys: 0
        },
        "everything deleted once nothing was left to send"
    );
    assert!(
        offline_copy_removed(&tablet).await,
        "its caches and service worker were deleted"
    );
    assert!(!stored_text(&tablet).await.contains("森 五郎"));
}

/// The first start: the server prints a one-time link; opening it makes the first administrator,
/// who adds a coach on the admin page; the coach signs in on a tablet. The link works once.
#[tokio::test]
async fn the_set_up_link_makes_the_first_administrator_once() {
    let dist = yorisoi_e2e::dist();
    let data = tempfile::tempdir().unwrap();
    let port = yorisoi_e2e::free_port();
    let mut server = std::process::Command::new(yorisoi_e2e::server_binary())
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .arg("--data")
        .arg(data.path())
        .arg("--dist")
        .arg(&dist)
        .env("YORISOI_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stdin(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = server.stdout.take().unwrap();
    let link = std::thread::spawn(move || {
        use std::io::BufRead;
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                line.trim()
                    .strip_prefix("http://")
                    .map(|l| format!("http://{l}"))
            })
    })
    .join()
    .unwrap()
    .expect("the server prints the set-up link");
    assert!(link.contains("/setup?code="), "{link}");

    let first = Browser::start().await;
    first.goto(&link).await;
    first
        .type_into("[data-testid=setup-name]", "管理 太郎")
        .await;
    first.type_into("[data-testid=setup-login]", "kanri").await;
    first
        .type_into("[data-testid=setup-password]", "はじめてのパスワード")
        .await;
    first.click("[data-testid=setup-submit]").await;
    first.wait_for_text("signed-in-as", "管理 太郎").await;
    first.testid("add-person").await;
    first
        .type_into("[data-testid=person-name]", "現場 花子")
        .await;
    first.type_into("[data-testid=person-login]", "genba").await;
    first
        .type_into("[data-testid=person-password]", "現場のパスワードです")
        .await;
    first.click("[data-testid=person-add]").await;
    first.wait_for_text("admin-message", "保存しました。").await;

    let tablet = Browser::start().await;
    tablet.goto(&link.replace("/setup", "/")).await;
    // A wrong password first: the page says what to do, in the same words as for a wrong login.
    tablet.type_into("[data-testid=login]", "genba").await;
    tablet
        .type_into("[data-testid=password]", "ちがうパスワードです")
        .await;
    tablet.click("[data-testid=sign-in]").await;
    let problem = tablet.testid("sign-in-problem").await.text().await.unwrap();
    assert!(
        problem.contains("ログインIDかパスワードが違います"),
        "{problem}"
    );
    tablet.set_value("[data-testid=login]", "").await;
    tablet.set_value("[data-testid=password]", "").await;
    tablet.type_into("[data-testid=login]", "genba").await;
    tablet
        .type_into("[data-testid=password]", "現場のパスワードです")
        .await;
    tablet.click("[data-testid=sign-in]").await;
    tablet.wait_for_text("signed-in-as", "現場 花子").await;

    // The link is spent.
    let again = Browser::start().await;
    again.goto(&link).await;
    again.type_into("[data-testid=setup-name]", "別の 人").await;
    again.type_into("[data-testid=setup-login]", "other").await;
    again
        .type_into("[data-testid=setup-password]", "べつのパスワードです")
        .await;
    again.click("[data-testid=setup-submit]").await;
    let problem = again.testid("setup-problem").await.text().await.unwrap();
    assert!(problem.contains("このリンクは使えません"), "{problem}");
    let _ = server.kill();
    let _ = server.wait();
}

/// Client mode on the coach's tablet: the client sees one record and nothing else, a reload or
/// a typed address does not get them out, and only the coach's PIN does.
#[tokio::test]
async fn client_mode_cannot_be_left_without_the_coachs_pin() {
    client_mode_cannot_be_left_without_the_coachs_pin_in(Engine::Chromium).await;
}

#[tokio::test]
async fn client_mode_cannot_be_left_without_the_coachs_pin_in_webkit() {
    client_mode_cannot_be_left_without_the_coachs_pin_in(Engine::WebKit).await;
}

async fn client_mode_cannot_be_left_without_the_coachs_pin_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let tablet = stack.browser().await;
    new_msfas_for(&stack, &tablet, "別の 利用者").await;
    new_msfas_for(&stack, &tablet, "本人 入力").await;
    yorisoi_e2e::flows::enter_client_mode(&tablet).await;
    let locked = tablet.client.current_url().await.unwrap().to_string();
    assert!(locked.contains("mode=client"), "{locked}");

    // No menu; another address leads back; a reload stays locked.
    assert!(
        tablet
            .client
            .find(fantoccini::Locator::Css(".app-nav a"))
            .await
            .is_err(),
        "the menu is hidden"
    );
    for path in ["/clients", "/settings", "/sync"] {
        tablet.goto(&stack.url(path)).await;
        tablet.testid("client-question").await;
        assert_eq!(
            tablet.client.current_url().await.unwrap().to_string(),
            locked
        );
    }
    tablet.reload().await;
    tablet.testid("client-question").await;
    assert!(
        tablet
            .client
            .find(fantoccini::Locator::Css("[data-testid=print-link]"))
            .await
            .is_err()
    );

    // A wrong PIN is refused; the coach's opens the tablet again.
    tablet.click("[data-testid=client-leave]").await;
    tablet.type_into("[data-testid=pin-leave]", "0000").await;
    tablet.click("[data-testid=pin-submit]").await;
    let problem = tablet.testid("pin-problem").await.text().await.unwrap();
    assert!(problem.contains("暗証番号が違います"), "{problem}");
    tablet.testid("client-question").await;
    tablet
        .type_into("[data-testid=pin-leave]", yorisoi_e2e::flows::PIN)
        .await;
    tablet.click("[data-testid=pin-submit]").await;
    tablet.testid("supporter-mode").await;
    wait_for_client_names(&stack, &tablet, &["別の 利用者", "本人 入力"]).await;
    // The PIN is kept only as an Argon2id hash.
    let stored = stored_text(&tablet).await;
    assert!(stored.contains("$argon2id$"), "the PIN's hash is stored");
    assert!(!stored.contains(&format!("\"{}\"", yorisoi_e2e::flows::PIN)));
}

/// An administrator enrols a tablet with a one-time code: a QR code and a link on the admin
/// page; the tablet that opens it is listed under the name given, and the code works once.
#[tokio::test]
async fn a_tablet_is_enrolled_by_a_one_time_code_from_the_admin_page() {
    let stack = Stack::start().await;
    let admin = stack.browser_as("admin").await;
    admin.goto(&stack.url("/admin")).await;
    admin
        .type_into("[data-testid=enrol-name]", "タブレット3")
        .await;
    admin.click("[data-testid=enrol-make]").await;
    admin.testid("enrolment").await;
    let qr = admin
        .eval(
            "return document.querySelector('[data-testid=enrolment] img').getAttribute('src')",
            vec![],
        )
        .await;
    assert!(
        qr.as_str().unwrap().starts_with("data:image/svg+xml"),
        "{qr}"
    );
    let link = admin
        .testid("enrol-link")
        .await
        .text()
        .await
        .unwrap()
        .replace(&stack.server.url(""), &stack.url(""));
    assert!(link.contains("/enrol?code="), "{link}");

    let tablet = Browser::start().await;
    tablet.goto(&link).await;
    let said = tablet.testid("enrol-outcome").await;
    for _ in 0..100 {
        if said.text().await.unwrap().contains("タブレット3") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        said.text()
            .await
            .unwrap()
            .contains("「タブレット3」として登録しました")
    );
    let id = device_id(&tablet).await;
    admin.goto(&stack.url("/admin")).await;
    let listed = admin
        .css(&format!("[data-testid=device][data-device='{id}']"))
        .await
        .text()
        .await
        .unwrap();
    assert!(listed.contains("タブレット3"), "{listed}");
    tablet.click("[data-testid=enrol-continue]").await;
    stack.sign_in(&tablet, "coach").await;
    tablet.goto(&stack.url("/settings")).await;
    tablet
        .wait_for_text("device-name", "この端末の名前：タブレット3")
        .await;

    // The code is spent.
    let other = Browser::start().await;
    other.goto(&link).await;
    let said = other.testid("enrol-outcome").await;
    for _ in 0..100 {
        if said.text().await.unwrap().contains("使えません") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "a used code enrolled a second tablet: {}",
        said.text().await.unwrap()
    );
}

/// A coach becomes the office: their session ends, and when they sign in again their tablet
/// starts from nothing and receives every client, with the history it never had.
#[tokio::test]
async fn a_new_role_ends_the_session_and_the_tablet_resyncs_to_the_new_scope() {
    let stack = Stack::start().await;
    let a = stack.browser_as("coach").await;
    new_msfas_for(&stack, &a, "今井 六郎").await;
    a.type_into(Q5, "コーチAの回答").await;
    sync_now(&a).await;
    let b = stack.browser_as("coach2").await;
    sync_now(&b).await;
    wait_for_client_names(&stack, &b, &[]).await;

    let admin = Admin::sign_in(&stack).await;
    admin.set_role("coach2", "office").await;
    b.click("[data-testid=sync-now]").await;
    b.testid("sign-in-form").await;
    let why = b.testid("sign-in-why").await.text().await.unwrap();
    assert!(why.contains("消えていません"), "{why}");
    stack.sign_in(&b, "coach2").await;
    sync_now(&b).await;
    wait_for_client_names(&stack, &b, &["今井 六郎"]).await;
    b.click("[data-testid=client-link]").await;
    b.click("[data-testid=timeline-item] a").await;
    wait_for_value(&b, Q5, "コーチAの回答").await;
}
