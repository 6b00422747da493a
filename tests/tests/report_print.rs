//! The monthly 支援レポート on A4 (issue 21), in Chromium: a month of weekly visit notes drafted
//! into a report, marked final, then printed through DevTools' `Page.printToPDF` with the page's
//! own CSS page size. The PDF is A4 (595 × 842 pt), one or two pages; what it is printed from is
//! the page as print media shows it: the counts there, matching the notes, and none of the app's
//! navigation or the page's buttons. (Chromium only: WebKitWebDriver has no PDF printing.)

use serde_json::{Value, json};
use yorisoi_e2e::support::{Note, browser_today, seed};
use yorisoi_e2e::{Browser, Stack};

/// Decodes standard base64 (what DevTools returns the PDF in).
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, d)| n | (u32::from(*d) << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    out
}

/// Every page's MediaBox (width, height in points), in the PDF's order.
fn media_boxes(pdf: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/MediaBox")
        .map(|(at, _)| {
            let rest = &text[at + "/MediaBox".len()..];
            let open = rest.find('[').unwrap();
            let close = rest.find(']').unwrap();
            let n: Vec<f64> = rest[open + 1..close]
                .split_whitespace()
                .map(|x| x.parse().unwrap())
                .collect();
            (n[2] - n[0], n[3] - n[1])
        })
        .collect()
}

/// The number of page objects (`/Type /Page`, not `/Pages`).
fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(at, m)| !text[at + m.len()..].starts_with('s'))
        .count()
}

/// Whether an element is laid out as print media shows the page.
async fn shown(browser: &Browser, selector: &str) -> bool {
    browser
        .eval(
            "const e = document.querySelector(arguments[0]); return !!e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';",
            vec![json!(selector)],
        )
        .await
        == json!(true)
}

async fn text_of(browser: &Browser, selector: &str) -> String {
    browser
        .eval(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
            vec![json!(selector)],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monthly_report_prints_on_a4_with_its_counts() {
    let stack = Stack::start().await;
    let browser = Browser::start().await;
    browser.goto(&stack.url("/")).await;
    let today = browser_today(&browser).await;
    // Last month, a note every week from its 1st: 訪問, 訪問, 電話, 来所, and a 5th visit when the
    // month has a 29th.
    let first = today
        .first_of_month()
        .add_days(-1)
        .unwrap()
        .first_of_month();
    let modes = ["visit", "visit", "phone", "office", "visit"];
    let words = "職場で作業の手順を一緒に確認し、休憩の取り方と疲れのサインについて話し合った。上司とも短く面談した。";
    let notes: Vec<Note> = modes
        .iter()
        .enumerate()
        .filter_map(|(week, mode)| {
            let date = first.add_days(7 * week as i64).unwrap();
            first.same_month(date).then_some(Note {
                date,
                mode,
                next: None,
                staff: "coach",
                words,
            })
        })
        .collect();
    let count = |mode: &str| notes.iter().filter(|n| n.mode == mode).count();
    let (visits, phone, office, total) =
        (count("visit"), count("phone"), count("office"), notes.len());
    let ids = seed(&stack, "coach", vec![("印刷 一郎", notes)]).await;
    let month = format!("{:04}-{:02}", first.year(), first.month());

    stack.sign_in(&browser, "coach").await;
    browser.wait_for_text("page-title", "利用者一覧").await;
    browser.click("[data-testid=client-link]").await;
    browser.wait_for_text("page-title", "印刷 一郎").await;
    browser.click("[data-testid=report-link]").await;
    browser
        .wait_for_text_containing("page-title", "支援レポート")
        .await;
    browser
        .click(&format!("a[href='/clients/{}/reports/{month}']", ids[0]))
        .await;
    browser
        .wait_for_text("report-total", &total.to_string())
        .await;
    browser.click("[data-testid=report-draft]").await;
    browser.click("[data-testid=report-mark-final]").await;
    browser
        .wait_for_text_containing("report-final", "確定済み")
        .await;

    // As print media shows it: the counts, matching the notes; the drafted texts; none of the
    // app's header or the page's buttons and month links.
    browser
        .devtools("Emulation.setEmulatedMedia", json!({"media": "print"}))
        .await;
    for chrome in [
        "header.app-header",
        ".report-page nav.toolbar",
        "[data-testid=report-draft]",
        "[data-testid=report-print]",
        "[data-testid=report-share-person]",
        "[data-testid=report-done]",
    ] {
        assert!(!shown(&browser, chrome).await, "{chrome} is not printed");
    }
    assert!(shown(&browser, "[data-testid=report-contacts]").await);
    let table = text_of(&browser, "[data-testid=report-contacts]").await;
    let row = |mode: &str| {
        format!("[data-testid=report-mode][data-mode={mode}] [data-testid=report-count]")
    };
    assert_eq!(
        text_of(&browser, &row("visit")).await,
        visits.to_string(),
        "{table}"
    );
    assert_eq!(
        text_of(&browser, &row("phone")).await,
        phone.to_string(),
        "{table}"
    );
    assert_eq!(
        text_of(&browser, &row("office")).await,
        office.to_string(),
        "{table}"
    );
    assert_eq!(
        text_of(&browser, "[data-testid=report-total]").await,
        total.to_string()
    );
    assert_eq!(
        text_of(&browser, "[data-testid=report-face-to-face]").await,
        (visits + office).to_string()
    );
    let printed_text = text_of(&browser, ".report-part .print-only").await;
    assert!(
        printed_text.contains("手順"),
        "the drafted text is printed: {printed_text}"
    );

    // The PDF, sized by the page's own CSS (@page A4).
    let printed: Value = browser
        .devtools(
            "Page.printToPDF",
            json!({"preferCSSPageSize": true, "printBackground": false}),
        )
        .await;
    let pdf = base64(printed["data"].as_str().expect("a PDF comes back"));
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let boxes = media_boxes(&pdf);
    let n = pages(&pdf);
    eprintln!(
        "the report printed: {n} page(s), {} bytes, {boxes:?}",
        pdf.len()
    );
    assert!(
        (1..=2).contains(&n),
        "one or two pages for a month of weekly notes: {n}"
    );
    assert_eq!(boxes.len(), n, "a MediaBox per page: {boxes:?}");
    for (w, h) in boxes {
        assert_eq!(
            (w.round(), h.round()),
            (595.0, 842.0),
            "A4 portrait: {w} × {h} pt"
        );
    }
}
