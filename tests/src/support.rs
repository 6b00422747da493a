//! Visit notes for the support journeys and their benchmark (issue 21), pushed to the server as
//! a device would, dated relative to the browser's own "today".

use crate::{Browser, Stack, api_session, new_device_id};
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

/// Pushes clients with their visit notes as `login` from a device of its own (the clients
/// become theirs, as when a coach makes them). Returns each client's id.
pub async fn seed(stack: &Stack, login: &str, clients: Vec<(&str, Vec<Note>)>) -> Vec<ClientId> {
    let device = new_device_id();
    let mut changes: Vec<Value> = Vec::new();
    let mut ids = Vec::new();
    let mut n = 0u8;
    let push =
        |changes: &mut Vec<Value>, entity: Value, client: ClientId, field: &str, value: Value| {
            let seq = changes.len() + 1;
            changes.push(json!({
                "id": {"device": device, "seq": seq},
                "entity": entity,
                "client": client,
                "field": field,
                "base": [],
                "value": value,
            }));
        };
    for (name, notes) in clients {
        n += 1;
        let client = ClientId::new_v7(now_ms() as u64, bytes(n));
        ids.push(client);
        let entity = json!({"type": "client", "id": client});
        push(&mut changes, entity.clone(), client, "name", json!(name));
        push(&mut changes, entity, client, "created_at", json!(now_ms()));
        for note in notes {
            n += 1;
            let record = RecordId::new_v7(now_ms() as u64, bytes(n));
            let entity = json!({"type": "record", "id": record});
            let mut field = |f: &str, v: Value| push(&mut changes, entity.clone(), client, f, v);
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
    }
    let cookie = api_session(&stack.server.url(""), login, &device).await;
    let response = reqwest::Client::new()
        .post(stack.url("/api/v1/sync/push"))
        .header("cookie", &cookie)
        .json(&json!({"format": 1, "device": device, "changes": changes}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let body: Value = response.json().await.unwrap();
    assert!(
        body["refused"].as_array().is_none_or(Vec::is_empty),
        "the seed is stored whole: {body}"
    );
    ids
}

pub fn days(today: Date, n: i64) -> Date {
    today.add_days(n).unwrap()
}
