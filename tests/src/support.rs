//! Visit notes for the support journeys and their benchmark (issue 21), pushed to the server as
//! a device would, dated relative to the browser's own "today".

use crate::{Browser, Engine, Stack, api_session, new_device_id};
use serde_json::{Value, json};
use yorisoi_domain::date::Date;
use yorisoi_domain::ids::{ClientId, RecordId};

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn bytes(n: u8) -> [u8; 10] {
    let t = now_ms().to_le_bytes();
    [n, t[0], t[1], t[2], t[3], n, 7, 7, 7, 7]
}

/// The browser's date, as the app reads it.
pub async fn browser_today(browser: &Browser) -> Date {
    let text = browser
        .eval(
            "const d = new Date(); return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');",
            vec![],
        )
        .await;
    text.as_str().unwrap().parse().unwrap()
}

/// A visit note as the app writes one.
pub struct Note {
    pub date: Date,
    pub mode: &'static str,
    pub next: Option<Date>,
    pub staff: &'static str,
    pub words: &'static str,
}

/// Changes as one device makes them, numbered in order.
struct Changes {
    device: String,
    list: Vec<Value>,
    n: u8,
}

impl Changes {
    fn new() -> Self {
        Self {
            device: new_device_id(),
            list: Vec::new(),
            n: 0,
        }
    }

    fn push(&mut self, entity: &Value, client: ClientId, field: &str, value: Value) {
        let seq = self.list.len() + 1;
        self.list.push(json!({
            "id": {"device": self.device, "seq": seq},
            "entity": entity,
            "client": client,
            "field": field,
            "base": [],
            "value": value,
        }));
    }

    fn next_bytes(&mut self) -> [u8; 10] {
        self.n = self.n.wrapping_add(1);
        bytes(self.n)
    }

    /// A new visit note of `client`.
    fn note(&mut self, client: ClientId, note: &Note) {
        let record = RecordId::new_v7(now_ms() as u64, self.next_bytes());
        let entity = json!({"type": "record", "id": record});
        let mut field = |f: &str, v: Value| self.push(&entity, client, f, v);
        field("kind", json!("visit_note"));
        field(
            "instrument",
            json!({"id": "visit-note", "edition": "2026", "version": 1}),
        );
        field("created_at", json!(now_ms()));
        field("status", json!("draft"));
        field(
            "answers.visit.date",
            json!({"type": "date", "value": note.date}),
        );
        field(
            "answers.visit.mode",
            json!({"type": "single", "choice": note.mode}),
        );
        field(
            "answers.visit.staff",
            json!({"type": "text", "lines": [note.staff]}),
        );
        field(
            "answers.support.to_client",
            json!({"type": "text", "lines": [note.words]}),
        );
        if let Some(next) = note.next {
            field(
                "answers.next.next_visit",
                json!({"type": "date", "value": next}),
            );
        }
    }

    /// Pushes them as `login` from this device; every change must be stored.
    async fn send(self, stack: &Stack, login: &str) {
        let cookie = api_session(&stack.server.url(""), login, &self.device).await;
        let response = reqwest::Client::new()
            .post(stack.url("/api/v1/sync/push"))
            .header("cookie", &cookie)
            .json(&json!({"format": 1, "device": self.device, "changes": self.list}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
        let body: Value = response.json().await.unwrap();
        assert!(
            body["refused"].as_array().is_none_or(Vec::is_empty),
            "the seed is stored whole: {body}"
        );
    }
}

/// Pushes clients with their visit notes as `login` from a device of its own (the clients
/// become theirs, as when a coach makes them). Returns each client's id.
pub async fn seed(stack: &Stack, login: &str, clients: Vec<(&str, Vec<Note>)>) -> Vec<ClientId> {
    let mut changes = Changes::new();
    let mut ids = Vec::new();
    for (name, notes) in clients {
        let client = ClientId::new_v7(now_ms() as u64, changes.next_bytes());
        ids.push(client);
        let entity = json!({"type": "client", "id": client});
        changes.push(&entity, client, "name", json!(name));
        changes.push(&entity, client, "created_at", json!(now_ms()));
        for note in &notes {
            changes.note(client, note);
        }
    }
    changes.send(stack, login).await;
    ids
}

/// Writes client fields of `client` (plan or report parts, say), as `login` on a device of its
/// own.
pub async fn seed_fields(stack: &Stack, login: &str, client: ClientId, fields: Vec<(&str, Value)>) {
    let mut changes = Changes::new();
    let entity = json!({"type": "client", "id": client});
    for (field, value) in fields {
        changes.push(&entity, client, field, value);
    }
    changes.send(stack, login).await;
}

/// Sets each client's plan to `face_to_face_per_month` from `start`, as `login` on a device of
/// its own.
pub async fn seed_plan(
    stack: &Stack,
    login: &str,
    clients: &[ClientId],
    per_month: u8,
    start: Date,
) {
    let mut changes = Changes::new();
    for &client in clients {
        let entity = json!({"type": "client", "id": client});
        changes.push(
            &entity,
            client,
            "plan.face_to_face_per_month",
            json!(per_month),
        );
        changes.push(&entity, client, "plan.start", json!(start));
    }
    changes.send(stack, login).await;
}

/// A visit note of `client` written on another tablet and pushed now (synced late).
pub async fn seed_note(stack: &Stack, login: &str, client: ClientId, note: Note) {
    let mut changes = Changes::new();
    changes.note(client, &note);
    changes.send(stack, login).await;
}

pub fn days(today: Date, n: i64) -> Date {
    today.add_days(n).unwrap()
}

/// The office's journey (issue 21): every client due, grouped by the coach the newest note names
/// and one coach at a time on request; then the activity counts per coach match the notes.
pub async fn office_sees_due_and_counts_in(engine: Engine) {
    let stack = Stack::start_in(engine).await;
    let browser = Browser::start_in(engine).await;
    browser.goto(&stack.url("/")).await;
    let today = browser_today(&browser).await;
    // Every note sets its next visit for today: every client is due, under the coach it names.
    let note = |mode: &'static str, staff: &'static str| Note {
        date: today,
        mode,
        next: Some(today),
        staff,
        words: "支援",
    };
    seed(
        &stack,
        "coach",
        vec![
            ("集計 A", vec![note("visit", "佐藤"), note("phone", "佐藤")]),
            ("集計 B", vec![note("online", "佐藤、鈴木")]),
            ("集計 C", vec![note("office", "鈴木")]),
        ],
    )
    .await;
    stack.sign_in(&browser, "office").await;
    // The office's home screen: every client due, grouped by the coach the newest note names,
    // and one coach at a time on request.
    let groups = || async {
        browser
            .eval(
                "return [...document.querySelectorAll('[data-testid=due-group]')].map(g => [g.dataset.coach, [...g.querySelectorAll('[data-testid=due-client]')].map(a => a.textContent)]);",
                vec![],
            )
            .await
    };
    let mut seen = json!([]);
    for _ in 0..200 {
        seen = groups().await;
        if seen.as_array().is_some_and(|a| a.len() == 2) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        seen,
        json!([["佐藤", ["集計 A", "集計 B"]], ["鈴木", ["集計 C"]]])
    );
    browser
        .set_value("[data-testid=due-coach-filter]", "鈴木")
        .await;
    for _ in 0..50 {
        seen = groups().await;
        if seen.as_array().is_some_and(|a| a.len() == 1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(seen, json!([["鈴木", ["集計 C"]]]));
    browser.click("[data-testid=nav-activity]").await;
    browser
        .wait_for_text_containing("page-title", "活動集計")
        .await;
    let rows = || async {
        browser
            .eval(
                "return [...document.querySelectorAll('[data-testid=activity-row]')].map(r => [...r.children].map(c => c.textContent));",
                vec![],
            )
            .await
    };
    let mut seen = json!([]);
    for _ in 0..200 {
        seen = rows().await;
        if seen.as_array().is_some_and(|a| a.len() == 2) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    if engine == Engine::Chromium {
        let problems = crate::serious_violations(&browser).await;
        assert!(problems.is_empty(), "{problems:#?}");
    }
    // coach, visit, phone, online, office, no mode, 3 phases, no phase, planned, actual, clients, not met.
    assert_eq!(
        seen,
        json!([
            [
                "佐藤", "1", "1", "1", "0", "0", "0", "0", "0", "3", "0", "1", "2", "集計 B"
            ],
            [
                "鈴木", "0", "0", "0", "1", "0", "0", "0", "0", "1", "0", "1", "1", ""
            ],
        ])
    );
}
