//! The forms end to end: MSFAS in both modes, a visit note, offline filling, the print view,
//! export and import, with the real server and the release build in headless Chromium.

use serde_json::json;
use yorisoi_e2e::flows::{fill_sheet_1, new_msfas};
use yorisoi_e2e::{Browser, Engine, Stack};

const Q1: &str = "section[data-field='user1.q1']";
const Q4: &str = "section[data-field='user1.q4']";

async fn assert_sheet_1_answers(browser: &Browser) {
    assert_eq!(
        browser.value("#q-cover-consent_date-date").await,
        "2026-11-20"
    );
    assert_eq!(
        browser.value("#q-cover-name-line0").await,
        "山田 花子",
        "the name is prefilled from the profile"
    );
    assert_eq!(
        browser.value("#q-cover-birth_date-date").await,
        "1990-04-01"
    );
    assert_eq!(
        browser.value("#q-user1-q1-r0-situation").await,
        "急がされるとき"
    );
    assert_eq!(browser.value("#q-user1-q1-r0-coping").await, "深呼吸する");
    assert_eq!(browser.value("#q-user1-q1-r0-result").await, "少し落ち着く");
    assert_eq!(
        browser.value("#q-user1-q1-r4-situation").await,
        "電話が続くとき"
    );
    assert_eq!(browser.value("#q-user1-q2-line2").await, "残業");
    assert!(
        browser
            .is_checked("section[data-field='user1.q3'] input[value=ask_supervisor]")
            .await
    );
    assert!(
        browser
            .is_checked(&format!("{Q4} input[value=sleepy]"))
            .await
    );
    assert!(
        browser
            .is_checked(&format!("{Q4} input[value=stiff_shoulders]"))
            .await
    );
    assert!(
        browser
            .is_checked(&format!("{Q4} input[value=other]"))
            .await,
        "typing other words chooses other"
    );
    assert!(
        !browser
            .is_checked(&format!("{Q4} input[value=yawning]"))
            .await
    );
    assert_eq!(
        browser.value(&format!("{Q4} .other-text")).await,
        "耳鳴りがする"
    );
    assert_eq!(browser.value("#q-user1-q5-line0").await, "慣れた作業のとき");
    assert!(
        browser
            .is_checked("[data-testid=answered-with-supporter]")
            .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_of_msfas_sheet_1_in_supporter_mode_survives_a_reload() {
    let stack = Stack::start().await;
    let browser = stack.browser().await;
    new_msfas(&stack, &browser).await;
    // The age is derived from the date of birth on the device's clock, never typed.
    let age = browser
        .eval(
            "const t = new Date(); return t.getFullYear() - 1990 - (t.getMonth() < 3 ? 1 : 0)",
            vec![],
        )
        .await;
    assert_eq!(
        browser
            .testid("derived-age")
            .await
            .text()
            .await
            .unwrap()
            .trim(),
        format!("（{age}歳）")
    );
    // The printed example row is shown to help, and is not an answer.
    let example = browser
        .css(&format!("{Q1} [data-testid=example-row]"))
        .await
        .text()
        .await
        .unwrap();
    assert!(example.contains("上司や同僚から、高圧的な口調で指示をされるとき"));
    assert_eq!(browser.eval(&format!("return document.querySelectorAll(\"{Q1} [data-testid=example-row] textarea\").length"), vec![]).await, json!(0));
    fill_sheet_1(&browser).await;
    browser.reload().await;
    browser.testid("supporter-mode").await;
    assert_sheet_1_answers(&browser).await;

    // ない stands alone: choosing it clears the signs, and a sign clears it again.
    browser.click(&format!("{Q4} input[value=none]")).await;
    assert!(
        !browser
            .is_checked(&format!("{Q4} input[value=sleepy]"))
            .await
    );
    assert!(
        !browser
            .is_checked(&format!("{Q4} input[value=other]"))
            .await
    );
    browser.reload().await;
    assert!(browser.is_checked(&format!("{Q4} input[value=none]")).await);
    browser.click(&format!("{Q4} input[value=yawning]")).await;
    assert!(!browser.is_checked(&format!("{Q4} input[value=none]")).await);

    browser.click("[data-testid=mark-complete]").await;
    browser.wait_for_text("status", "完了").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_note_is_prefilled_and_survives_a_reload() {
    let stack = Stack::start().await;
    let browser = stack.browser().await;
    new_msfas(&stack, &browser).await;
    let client_page = browser
        .eval("return location.pathname.split('/assessments')[0]", vec![])
        .await;
    browser
        .goto(&stack.url(client_page.as_str().unwrap()))
        .await;
    browser.click("[data-testid=new-visit-note]").await;
    browser.testid("supporter-mode").await;
    let today = browser.eval("const d = new Date(); return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0')", vec![]).await;
    assert_eq!(
        browser.value("#q-visit-date-date").await,
        today.as_str().unwrap()
    );
    assert_eq!(
        browser.value("#q-visit-start_time-time").await.len(),
        5,
        "the start time is prefilled"
    );
    assert_eq!(
        browser.value("#q-visit-workplace-line0").await,
        "株式会社みなと 物流センター"
    );
    browser.set_value("#q-visit-end_time-time", "11:30").await;
    browser
        .click("section[data-field='visit.phase'] input[value=transition]")
        .await;
    browser.type_into("#q-visit-visit_number-number", "5").await;
    browser
        .click("section[data-field='people.met'] input[value=supervisor]")
        .await;
    browser
        .type_into("#q-observations-tasks-r0-task", "検品")
        .await;
    browser
        .set_value("#q-observations-tasks-r0-prompt_level", "gesture")
        .await;
    // The same sign vocabulary as MSFAS.
    browser
        .click("section[data-field='observations.signs'] input[value=stiff_shoulders]")
        .await;
    browser
        .type_into("#q-agreements-next_actions-r0-what", "休憩の合図を決める")
        .await;
    browser
        .type_into("#q-fading-visits-r1-frequency", "週1回")
        .await;
    browser.reload().await;
    browser.testid("supporter-mode").await;
    assert_eq!(browser.value("#q-visit-end_time-time").await, "11:30");
    assert!(
        browser
            .is_checked("section[data-field='visit.phase'] input[value=transition]")
            .await
    );
    assert_eq!(browser.value("#q-visit-visit_number-number").await, "5");
    assert!(
        browser
            .is_checked("section[data-field='people.met'] input[value=supervisor]")
            .await
    );
    assert_eq!(browser.value("#q-observations-tasks-r0-task").await, "検品");
    assert_eq!(
        browser.value("#q-observations-tasks-r0-prompt_level").await,
        "gesture"
    );
    assert!(
        browser
            .is_checked("section[data-field='observations.signs'] input[value=stiff_shoulders]")
            .await
    );
    assert_eq!(
        browser.value("#q-agreements-next_actions-r0-what").await,
        "休憩の合図を決める"
    );
    assert_eq!(
        browser.value("#q-fading-visits-r1-frequency").await,
        "週1回"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assessment_is_filled_and_kept_with_the_server_stopped() {
    an_assessment_is_filled_and_kept_with_the_server_stopped_in(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assessment_is_filled_and_kept_with_the_server_stopped_in_webkit() {
    an_assessment_is_filled_and_kept_with_the_server_stopped_in(Engine::WebKit).await;
}

async fn an_assessment_is_filled_and_kept_with_the_server_stopped_in(engine: Engine) {
    let mut stack = Stack::start_in(engine).await;
    let browser = stack.browser().await;
    browser.goto(&stack.url("/")).await;
    browser.wait_for_service_worker().await;
    stack.go_offline();
    new_msfas(&stack, &browser).await;
    fill_sheet_1(&browser).await;
    browser.reload().await;
    browser.testid("supporter-mode").await;
    assert_sheet_1_answers(&browser).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_print_view_shows_every_answer_like_the_paper_sheet() {
    let stack = Stack::start().await;
    let browser = stack.browser().await;
    new_msfas(&stack, &browser).await;
    fill_sheet_1(&browser).await;
    browser.click("[data-testid=print-link]").await;
    let text = browser.testid("print-view").await.text().await.unwrap();
    for answer in [
        "2026-11-20",
        "山田 花子",
        "1990-04-01",
        "急がされるとき",
        "深呼吸する",
        "少し落ち着く",
        "電話が続くとき",
        "午後のピッキング",
        "倉庫の寒さ",
        "残業",
        "耳鳴りがする",
        "慣れた作業のとき",
    ] {
        assert!(text.contains(answer), "{answer} is printed");
    }
    let chosen = browser.eval("return [...document.querySelectorAll('.print-options li[data-chosen=true]')].map(li => li.textContent.trim())", vec![]).await;
    assert_eq!(
        chosen,
        json!([
            "休憩を取ってよいか、上司に聞く",
            "眠くなる",
            "肩がこる",
            "その他（耳鳴りがする）"
        ])
    );
    assert!(
        text.contains("上司や同僚から、高圧的な口調で指示をされるとき"),
        "the example row is printed"
    );
}

/// Captures what the app hands to the browser as a download.
/// The raw first bytes are kept too: `Blob.text()` decodes UTF-8 and drops a byte-order mark.
const CAPTURE_DOWNLOADS: &str = "window.__downloads = {};
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob) => {
        blob.arrayBuffer().then((buffer) => {
            const bytes = new Uint8Array(buffer);
            window.__downloads[blob.type] = { head: Array.from(bytes.slice(0, 3)), text: new TextDecoder().decode(bytes) };
        });
        return original(blob);
    };
    return null;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_imports_on_another_device_as_the_same_records() {
    let stack = Stack::start().await;
    let browser = stack.browser().await;
    new_msfas(&stack, &browser).await;
    fill_sheet_1(&browser).await;
    let client_page = browser
        .eval("return location.pathname.split('/assessments')[0]", vec![])
        .await;
    browser
        .goto(&stack.url(client_page.as_str().unwrap()))
        .await;
    browser.eval(CAPTURE_DOWNLOADS, vec![]).await;
    browser.click("[data-testid=export-json]").await;
    browser.click("[data-testid=export-csv]").await;
    let mut downloads = json!({});
    for _ in 0..50 {
        downloads = browser.eval("return window.__downloads", vec![]).await;
        if downloads.as_object().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let exported = downloads["application/json"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    let csv = downloads["text/csv;charset=utf-8"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        downloads["text/csv;charset=utf-8"]["head"],
        json!([0xef, 0xbb, 0xbf]),
        "the CSV starts with a BOM so Excel reads UTF-8"
    );
    assert!(
        csv.contains("眠くなる") && csv.contains("\r\n"),
        "labels, not ids, on CRLF lines"
    );

    // Another device with nothing stored, which does not sync with the first (another agency's
    // server: a file is how records move between them).
    let file = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    std::fs::write(file.path(), &exported).unwrap();
    let other_stack = Stack::start().await;
    let other = other_stack.browser().await;
    other.goto(&other_stack.url("/clients")).await;
    other.testid("clients-empty").await;
    other
        .css("[data-testid=import-json]")
        .await
        .send_keys(&file.path().display().to_string())
        .await
        .unwrap();
    other
        .wait_for_text("import-message", "読み込みました。")
        .await;
    other.click("[data-testid=client-link]").await;
    other.click("[data-testid=timeline-item] a").await;
    other.testid("supporter-mode").await;
    assert_sheet_1_answers(&other).await;

    // A damaged file is refused with the reason, and nothing already there changes.
    std::fs::write(file.path(), "{\"format\": 1, \"kind\": \"something-else\"}").unwrap();
    other.goto(&other_stack.url("/clients")).await;
    other
        .css("[data-testid=import-json]")
        .await
        .send_keys(&file.path().display().to_string())
        .await
        .unwrap();
    let message = other.testid("import-message").await;
    for _ in 0..50 {
        if message
            .text()
            .await
            .unwrap()
            .starts_with("読み込めませんでした")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        message
            .text()
            .await
            .unwrap()
            .starts_with("読み込めませんでした")
    );
    assert_eq!(
        other
            .eval(
                "return document.querySelectorAll('[data-testid=client-link]').length",
                vec![]
            )
            .await,
        json!(1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_msfas_of_one_client_are_compared_with_what_changed_marked() {
    let stack = Stack::start().await;
    let browser = stack.browser().await;
    new_msfas(&stack, &browser).await;
    browser
        .type_into("#q-user1-q2-line0", "午後のピッキング")
        .await;
    browser
        .click("section[data-field='user1.q3'] input[value=endure]")
        .await;
    let client_page = browser
        .eval("return location.pathname.split('/assessments')[0]", vec![])
        .await;
    let client_page = stack.url(client_page.as_str().unwrap());
    browser.goto(&client_page).await;
    browser.click("[data-testid=new-assessment]").await;
    browser.testid("supporter-mode").await;
    browser
        .type_into("#q-user1-q2-line0", "午後のピッキング")
        .await;
    browser
        .click("section[data-field='user1.q3'] input[value=decide_myself]")
        .await;
    browser.goto(&client_page).await;
    browser.click("[data-testid=compare-link]").await;
    browser.testid("compare-table").await;
    let changed = |field: &str| {
        format!("return document.querySelector(\"tr[data-field='{field}']\").dataset.changed")
    };
    assert_eq!(
        browser.eval(&changed("user1.q3"), vec![]).await,
        json!("true")
    );
    assert_eq!(
        browser.eval(&changed("user1.q2"), vec![]).await,
        json!("false")
    );
    let row = browser
        .css("tr[data-field='user1.q3']")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        row.contains("できる限り我慢する") && row.contains("自分で判断し、休憩をとる"),
        "{row}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_entry_is_reported_on_screen_kept_and_the_rest_still_loads() {
    let stack = Stack::start().await;
    let browser = stack.browser().await;
    new_msfas(&stack, &browser).await;
    let broken = "yorisoi.record.01a1ee56-0000-7000-8000-00000000dead";
    browser
        .eval(
            "localStorage.setItem(arguments[0], '{\"format\":1,\"record\":{\"id\":'); return null",
            vec![json!(broken)],
        )
        .await;
    browser.goto(&stack.url("/clients")).await;
    let notice = browser
        .testid("set-aside-notice")
        .await
        .text()
        .await
        .unwrap();
    assert!(notice.contains(broken), "{notice}");
    assert_eq!(
        browser
            .eval(
                "return document.querySelectorAll('[data-testid=client-link]').length",
                vec![]
            )
            .await,
        json!(1)
    );
    let kept = browser
        .eval(
            "return localStorage.getItem(arguments[0])",
            vec![json!(broken)],
        )
        .await;
    assert_eq!(kept, json!("{\"format\":1,\"record\":{\"id\":"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_are_found_by_name_or_by_kana_in_either_script() {
    let stack = Stack::start().await;
    let browser = stack.browser().await;
    for (name, kana) in [
        ("山田 花子", "やまだ はなこ"),
        ("田中 一郎", "たなか いちろう"),
    ] {
        browser.goto(&stack.url("/clients")).await;
        browser.click("[data-testid=add-client]").await;
        browser.type_into("[data-testid=client-name]", name).await;
        browser.type_into("[data-testid=client-kana]", kana).await;
    }
    browser.goto(&stack.url("/clients")).await;
    let shown = || async {
        let names = browser
            .eval(
                "return [...document.querySelectorAll('.client-name')].map(e => e.textContent)",
                vec![],
            )
            .await;
        names
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    for _ in 0..100 {
        if shown().await.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(shown().await, ["田中 一郎", "山田 花子"], "sorted by kana");
    for (query, expected) in [
        ("山田", vec!["山田 花子"]),
        ("タナカ", vec!["田中 一郎"]),
        ("はなこ", vec!["山田 花子"]),
    ] {
        browser
            .set_value("[data-testid=client-search]", query)
            .await;
        assert_eq!(shown().await, expected, "{query}");
    }
    browser
        .set_value("[data-testid=client-search]", "佐藤")
        .await;
    browser.css(".empty-state").await;
    assert!(shown().await.is_empty());
}
