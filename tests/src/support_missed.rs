//! The journey of a month that ended without face-to-face contact (issue 21): the coach's due
//! list still says so in words after the month is over (「○月は対面なし」), for that client only;
//! a visit note dated in that month, written on another tablet and synced late, takes it off.

use crate::flows::sync_now;
use crate::support::{Note, browser_today, seed, seed_note, seed_plan};
use crate::{Browser, Engine, Stack};
use yorisoi_domain::date::Date;

/// The due list's entries as (client name, its missed-month lines).
async fn missed_lines(browser: &Browser) -> Vec<(String, Vec<String>)> {
    let value = browser
        .eval(
            "return [...document.querySelectorAll('[data-testid=due-item]')].map(e => [e.querySelector('[data-testid=due-client]').textContent, [...e.querySelectorAll('[data-testid=due-missed]')].map(m => m.textContent)]);",
            vec![],
        )
        .await;
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let lines = e[1].as_array().unwrap();
            (
                e[0].as_str().unwrap().to_owned(),
                lines
                    .iter()
                    .map(|l| l.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

async fn wait_for(
    browser: &Browser,
    ok: impl Fn(&[(String, Vec<String>)]) -> bool,
) -> Vec<(String, Vec<String>)> {
    let mut last = Vec::new();
    for _ in 0..200 {
        last = missed_lines(browser).await;
        if ok(&last) {
            return last;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the due list never became what was expected: {last:?}");
}

pub async fn missed_month_flagged_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let browser = Browser::start_in(engine).await;
    browser.goto(&stack.url("/")).await;
    let today = browser_today(&browser).await;
    let this_month = today.first_of_month();
    // A day in the month before, and the first of that month (the plan starts then).
    let last_month_day = this_month.add_days(-10).unwrap();
    let last_month = last_month_day.first_of_month();
    let note = |date: Date, mode: &'static str, words: &'static str| Note {
        date,
        mode,
        next: this_month.add_days(40),
        staff: "coach",
        words,
    };
    let ids = seed(
        &stack,
        "coach",
        vec![
            (
                "電話だけ 花子",
                vec![note(last_month_day, "phone", "電話で様子を聞いた")],
            ),
            (
                "会えた 次郎",
                vec![note(last_month_day, "visit", "職場で面談した")],
            ),
        ],
    )
    .await;
    seed_plan(&stack, "coach", &ids, 1, last_month).await;
    stack.sign_in(&browser, "coach").await;
    browser.wait_for_text("page-title", "利用者一覧").await;

    // Last month, met by phone only: said in words after the month is over, for her only.
    let month = format!("{}年{}月は対面なし", last_month.year(), last_month.month());
    let entries = wait_for(&browser, |e| e.iter().any(|(_, lines)| !lines.is_empty())).await;
    let flagged: Vec<&(String, Vec<String>)> =
        entries.iter().filter(|(_, l)| !l.is_empty()).collect();
    assert_eq!(flagged.len(), 1, "{entries:?}");
    assert_eq!(flagged[0].0, "電話だけ 花子", "{entries:?}");
    assert_eq!(flagged[0].1.len(), 1, "{entries:?}");
    assert!(flagged[0].1[0].contains(&month), "{entries:?}");
    assert!(flagged[0].1[0].contains("（0/1回）"), "{entries:?}");
    if engine == Engine::Chromium {
        let problems = crate::serious_violations(&browser).await;
        assert!(problems.is_empty(), "{problems:#?}");
    }

    // She was in fact visited last month: the note, written on another tablet, arrives late.
    seed_note(
        &stack,
        "coach",
        ids[0],
        Note {
            date: last_month_day.add_days(2).unwrap(),
            mode: "visit",
            next: None,
            staff: "coach",
            words: "職場を訪問した（記録が遅れた）",
        },
    )
    .await;
    sync_now(&browser).await;
    let entries = wait_for(&browser, |e| e.iter().all(|(_, lines)| lines.is_empty())).await;
    assert!(
        entries.iter().all(|(_, l)| l.is_empty()),
        "no month is missed any more: {entries:?}"
    );
}
