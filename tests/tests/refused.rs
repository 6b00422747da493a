//! Changes the server refused, as their maker reads them on the sync page: even when the client
//! left the tablet right after (moved to another coach), the refused change still names the
//! client, the record, the question and the value in words, and what is kept for it is sealed.

use yorisoi_e2e::admin::Admin;
use yorisoi_e2e::flows::{new_msfas_for, readable_storage, sync_now, wait_for_client_names};
use yorisoi_e2e::{Browser, Stack};

const NAME: &str = "移田 四郎";
const OFFLINE: &str = "担当が替わる前に書いた回答";
const Q2: &str = "#q-user1-q2-line0";
const Q3_ASK: &str = "section[data-field='user1.q3'] input[value=ask_supervisor]";

/// The sync page's refused list, each entry as shown, and the whole page's text and markup.
async fn refused_list(stack: &Stack, browser: &Browser) -> (Vec<String>, String) {
    browser.goto(&stack.url("/sync")).await;
    browser.testid("refused-list").await;
    let mut items = Vec::new();
    for item in browser
        .client
        .find_all(fantoccini::Locator::Css("[data-testid=refused-item]"))
        .await
        .unwrap()
    {
        items.push(item.text().await.unwrap());
    }
    let page = browser
        .eval(
            "return document.body.innerText + '\\n' + document.querySelector('main').outerHTML",
            vec![],
        )
        .await
        .as_str()
        .unwrap()
        .to_owned();
    (items, page)
}

fn assert_in_words(items: &[String], page: &str, what: &str) {
    assert_eq!(items.len(), 2, "{what}: {items:#?}");
    let text = items
        .iter()
        .find(|i| i.contains(OFFLINE))
        .unwrap_or_else(|| panic!("{what}: the text answer is not shown: {items:#?}"));
    let choice = items
        .iter()
        .find(|i| i.contains("休憩を取ってよいか、上司に聞く"))
        .unwrap_or_else(|| panic!("{what}: the chosen option is not in words: {items:#?}"));
    for (item, question) in [
        (
            text,
            "どんな作業や活動をしている時に、疲れが生じやすいですか？",
        ),
        (choice, "疲れを感じた時に、あなたが最もよくとる行動"),
    ] {
        for part in [NAME, "MSFAS 2006", "2026-11-20", question] {
            assert!(item.contains(part), "{what}: {part:?} is not in {item:?}");
        }
        assert!(
            item.contains("この利用者の担当ではなくなりました"),
            "{item}"
        );
    }
    for internal in [
        "answers.user1",
        "user1.q",
        "ask_supervisor",
        "\"type\"",
        "{\"",
    ] {
        assert!(
            !page.contains(internal),
            "{what}: the sync page shows {internal:?}: {items:#?}"
        );
    }
}

/// A coach edits a client's record offline; meanwhile an administrator moves the client to
/// another coach. When the tablet syncs, the edits are refused and the client leaves the tablet;
/// the sync page still says whose and which record, which question and what was written, in
/// words, never a stored key or JSON; after a reload too (read back from its sealed entry). The
/// name and answer are nowhere readable in storage.
#[tokio::test]
async fn an_edit_refused_as_its_client_moved_away_still_says_what_it_was() {
    let stack = Stack::start().await;
    let tablet = stack.browser_as("coach").await;
    new_msfas_for(&stack, &tablet, NAME).await;
    tablet
        .set_value("#q-cover-consent_date-date", "2026-11-20")
        .await;
    sync_now(&tablet).await;

    stack.proxy.cut();
    tablet.type_into(Q2, OFFLINE).await;
    tablet.click(Q3_ASK).await;
    let admin = Admin::sign_in(&stack).await;
    let client = admin.client_id(NAME).await;
    admin.unassign("coach", &client).await;
    admin.assign("coach2", &client).await;
    stack.proxy.connect_to(stack.server.addr);

    sync_now(&tablet).await;
    wait_for_client_names(&stack, &tablet, &[]).await;
    let (items, page) = refused_list(&stack, &tablet).await;
    assert_in_words(&items, &page, "after the sync");

    tablet.reload().await;
    let (items, page) = refused_list(&stack, &tablet).await;
    assert_in_words(&items, &page, "after a reload");

    tablet.click("[data-testid=lang-switch]").await;
    let english = tablet.testid("refused-list").await.text().await.unwrap();
    assert!(
        english.contains("During what tasks or activities do you tend to get tired?")
            && english.contains(NAME),
        "{english}"
    );

    let stored = readable_storage(&tablet).await;
    for secret in [NAME, OFFLINE] {
        assert!(
            !stored.contains(secret),
            "{secret:?} is readable in storage"
        );
    }
}
