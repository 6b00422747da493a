//! The timeline and compare for any published form (issue 22 item 4, issue 21): a test form
//! (written for this test) published in two versions; a record of each is listed on the timeline
//! with its form's title and key values, and the two are compared by question id: a question
//! renamed in version 2 is one line under its new wording, an answer with an option version 2
//! added is worded, the change is said in words, and a question only one version asks is said to
//! be so. In Chromium and WebKit.

use serde_json::json;
use yorisoi_e2e::flows::sync_now;
use yorisoi_e2e::forms;
use yorisoi_e2e::{Browser, Engine, Stack, api_session, new_device_id};

/// Version 1: notes, mood (良い, 疲れた) and slept (はい, いいえ). Version 2: mood renamed, with
/// the option まあまあ added; slept removed; next (one line) added.
fn test_form(version: u32) -> String {
    let option = |id: &str, ja: &str| json!({"id": id, "label": {"ja": ja, "en": id}});
    let mut questions = vec![
        json!({"id": "notes", "prompt": {"ja": "様子", "en": "How it went"},
            "answer": {"type": "text", "lines": 3}}),
    ];
    if version == 1 {
        questions.push(json!({"id": "mood", "prompt": {"ja": "気分", "en": "Mood"},
            "answer": {"type": "single", "options": [option("good", "良い"), option("tired", "疲れた")]}}));
        questions.push(json!({"id": "slept", "prompt": {"ja": "よく眠れた", "en": "Slept well"},
            "answer": {"type": "single", "options": [option("yes", "はい"), option("no", "いいえ")]}}));
    } else {
        questions.push(json!({"id": "mood", "prompt": {"ja": "今日の気分", "en": "Mood today"},
            "answer": {"type": "single", "options": [option("good", "良い"), option("ok", "まあまあ"), option("tired", "疲れた")]}}));
        questions.push(
            json!({"id": "next", "prompt": {"ja": "次にすること", "en": "Next step"},
            "answer": {"type": "text", "lines": 1}}),
        );
    }
    json!({"format": 1, "id": "test-check", "edition": "1", "version": version, "kind": "assessment",
        "title": {"ja": "テスト用チェック", "en": "Test check"},
        "sheets": [{"id": "items", "title": {"ja": "項目", "en": "Items"}, "questions": questions}]})
    .to_string()
}

/// A new record of the test form for the client on screen; its id.
async fn new_record(coach: &Browser, mood: &str) -> String {
    coach.click("[data-testid=new-record-test-check]").await;
    coach.testid("supporter-mode").await;
    coach
        .type_into("#q-items-notes-line0", "落ち着いていた")
        .await;
    coach
        .click(&format!(
            "section[data-field='items.mood'] input[value={mood}]"
        ))
        .await;
    let id = coach
        .eval("return location.pathname.split('/').pop()", vec![])
        .await;
    id.as_str().unwrap().to_owned()
}

/// The row of question `field` on the compare page: its text and data marks.
async fn line(coach: &Browser, field: &str) -> (String, String, String) {
    let row = coach.css(&format!("tr[data-field='{field}']")).await;
    (
        row.text().await.unwrap(),
        row.attr("data-changed").await.unwrap().unwrap(),
        row.attr("data-one-version").await.unwrap().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_of_two_versions_of_a_published_form_are_on_the_timeline_and_compared_by_question()
{
    two_versions_in(Engine::Chromium).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_of_two_versions_of_a_published_form_are_on_the_timeline_and_compared_by_question_in_webkit()
 {
    two_versions_in(Engine::WebKit).await;
}

async fn two_versions_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let admin = api_session(&stack.server.url(""), "admin", &new_device_id()).await;
    forms::publish(&stack, &admin, &test_form(1)).await;
    let coach = forms::coach_with_a_new_client(&stack).await;
    let client_page = coach
        .eval(
            "return location.pathname.split('/').slice(0, 3).join('/')",
            vec![],
        )
        .await;
    let client_page = stack.url(client_page.as_str().unwrap());
    let first = new_record(&coach, "tired").await;
    coach
        .click("section[data-field='items.slept'] input[value=yes]")
        .await;
    sync_now(&coach).await;

    forms::publish(&stack, &admin, &test_form(2)).await;
    sync_now(&coach).await;
    coach.goto(&client_page).await;
    let second = new_record(&coach, "ok").await;
    coach.type_into("#q-items-next-line0", "面談する").await;
    sync_now(&coach).await;

    // Two records of one form: the client's page offers to compare (no MSFAS needed).
    coach.goto(&client_page).await;
    coach.testid("compare-link").await;
    // The timeline lists both under the form's title, with their first answers.
    coach.click("[data-testid=timeline-link]").await;
    coach.testid("timeline-table").await;
    let rows = coach
        .eval(
            "return [...document.querySelectorAll('[data-testid=timeline-row]')].map((tr) =>
               [tr.dataset.record, tr.querySelectorAll('td')[0].textContent.trim(),
                tr.querySelector('[data-testid=timeline-key-values]').textContent]);",
            vec![],
        )
        .await;
    assert_eq!(rows[0][0], json!(first), "{rows}");
    assert_eq!(rows[1][0], json!(second), "{rows}");
    assert_eq!(rows[0][1], json!("テスト用チェック"), "{rows}");
    let key_values = rows[0][2].as_str().unwrap();
    assert!(
        key_values.contains("今日の気分: 疲れた") && key_values.contains("よく眠れた: はい"),
        "the newest wording, the answer as its version words it: {key_values}"
    );
    assert!(
        rows[1][2]
            .as_str()
            .unwrap()
            .contains("今日の気分: まあまあ"),
        "{rows}"
    );

    // Compared with the one before it: keyed by question id across the versions.
    coach
        .click(&format!(
            "tr[data-record='{second}'] [data-testid=timeline-compare]"
        ))
        .await;
    let table = coach.testid("compare-table").await;
    assert_eq!(table.attr("data-earlier").await.unwrap(), Some(first));
    assert_eq!(table.attr("data-later").await.unwrap(), Some(second));
    let head = coach
        .css("[data-testid=compare-table] thead")
        .await
        .text()
        .await
        .unwrap();
    assert!(head.contains("第1版") && head.contains("第2版"), "{head}");

    let asked = coach
        .css("tr[data-field='items.mood'] th")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(asked.trim(), "今日の気分", "the newest wording");
    let (mood, changed, one) = line(&coach, "items.mood").await;
    assert!(
        mood.contains("疲れた") && mood.contains("まあまあ") && mood.contains("変更あり"),
        "{mood}"
    );
    assert_eq!((changed.as_str(), one.as_str()), ("true", "false"));
    let (notes, changed, _) = line(&coach, "items.notes").await;
    assert_eq!(changed, "false", "the same notes: {notes}");
    assert!(!notes.contains("変更あり"), "{notes}");
    let (slept, changed, one) = line(&coach, "items.slept").await;
    assert!(
        slept.contains("はい")
            && slept.contains("この版にはない設問")
            && slept.contains("一方の版だけの設問"),
        "{slept}"
    );
    assert_eq!((changed.as_str(), one.as_str()), ("false", "true"));
    let (next, _, one) = line(&coach, "items.next").await;
    assert!(
        next.contains("面談する") && next.contains("この版にはない設問"),
        "{next}"
    );
    assert_eq!(one, "true");

    let violations = yorisoi_e2e::serious_violations(&coach).await;
    assert!(violations.is_empty(), "{violations:#?}");
}
