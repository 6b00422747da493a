//! Many records on the server, made from one made through the UI: for the first-sync test and
//! benchmark.

use crate::Stack;
use serde_json::{Value, json};

fn uuid(n: u64, tag: u16) -> String {
    format!(
        "01a1ee56-{:04x}-7{tag:03x}-8000-{n:012x}",
        (n >> 32) & 0xffff
    )
}

impl Stack {
    /// Copies the client and record already on the server (made through the UI) into `clients`
    /// clients with `records` records in all, pushed by one seeding device. Returns the number
    /// of changes pushed.
    pub async fn seed_copies(&self, clients: usize, records: usize) -> usize {
        self.seed_copies_with_history(clients, records, 0).await
    }

    /// Like [`Self::seed_copies`] (on a server holding only the template), and then every record
    /// field is edited `rounds` more times, each edit replacing the one before: the same
    /// records with `rounds + 1` times the history.
    pub async fn seed_copies_with_history(
        &self,
        clients: usize,
        records: usize,
        rounds: usize,
    ) -> usize {
        let template = self.server_log().await;
        let (client_changes, record_changes): (Vec<Value>, Vec<Value>) = template
            .into_iter()
            .map(|pulled| pulled["change"].clone())
            .partition(|c| c["entity"]["type"] == "client");
        let device = uuid(1, 0x5ee);
        let mut changes = Vec::new();
        // The last change of each record field, for the history's edits to replace.
        let mut last: std::collections::HashMap<(String, String), usize> =
            std::collections::HashMap::new();
        let mut push = |entity: (&str, String), client: &str, field: &Value, value: Value| {
            let seq = changes.len() + 1;
            let key = (entity.1.clone(), field.to_string());
            let base = match last.insert(key, seq) {
                Some(before) if entity.0 == "record" => json!([{"device": device, "seq": before}]),
                _ => json!([]),
            };
            changes.push(json!({
                "id": {"device": device, "seq": seq},
                "entity": {"type": entity.0, "id": entity.1},
                "client": client,
                "field": field,
                "base": base,
                "value": value,
            }));
        };
        for c in 0..clients {
            let client = uuid(c as u64, 0xc1);
            for change in &client_changes {
                let value = if change["field"] == "name" {
                    json!(format!("利用者 {c}"))
                } else {
                    change["value"].clone()
                };
                push(("client", client.clone()), &client, &change["field"], value);
            }
            for r in 0..records / clients {
                let record = uuid((c * records / clients + r) as u64, 0x2ec);
                for change in &record_changes {
                    push(
                        ("record", record.clone()),
                        &client,
                        &change["field"],
                        change["value"].clone(),
                    );
                }
            }
        }
        for _ in 0..rounds {
            for c in 0..clients {
                let client = uuid(c as u64, 0xc1);
                for r in 0..records / clients {
                    let record = uuid((c * records / clients + r) as u64, 0x2ec);
                    for change in &record_changes {
                        push(
                            ("record", record.clone()),
                            &client,
                            &change["field"],
                            change["value"].clone(),
                        );
                    }
                }
            }
        }
        let http = reqwest::Client::new();
        // The office seeds: it writes every client.
        let cookie = crate::api_session(&self.server.url(""), "office", &device).await;
        for batch in changes.chunks(500) {
            let response = http
                .post(self.url("/api/v1/sync/push"))
                .header("cookie", &cookie)
                .json(&json!({"format": 1, "device": device, "changes": batch}))
                .send()
                .await
                .unwrap();
            assert!(
                response.status().is_success(),
                "{}",
                response.text().await.unwrap()
            );
        }
        changes.len()
    }
}
