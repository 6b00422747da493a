//! Test instruments (small definitions written for the tests, no real instrument's content)
//! and an administrator who uploads and publishes them through the API.

use super::{Reply, add_person, get, new_device, post, signed_in, state};
use axum::http::StatusCode;
use serde_json::{Value, json};
use yorisoi_domain::accounts::Role;
use yorisoi_domain::ids::{ClientId, DeviceId, RecordId};
use yorisoi_domain::instrument::{Instrument, InstrumentRef};
use yorisoi_domain::sync::{Change, ChangeId, Entity};
use yorisoi_domain::versions::Status;
use yorisoi_domain::versions::wire::VersionList;
use yorisoi_server::AppState;
use yorisoi_server::db::Db;

/// The definition of a one-question test instrument `id`, version 1, as JSON text.
pub fn definition(id: &str) -> String {
    serde_json::json!({
        "format": 1, "id": id, "edition": "1", "version": 1, "kind": "assessment",
        "title": {"ja": "テスト", "en": "Test"},
        "sheets": [{"id": "s", "title": {"ja": "シート", "en": "Sheet"}, "questions": [
            {"id": "q", "prompt": {"ja": "問い", "en": "Question"}, "answer": {"type": "date"}}
        ]}]
    })
    .to_string()
}

/// The instrument ids of world `n`: one only a draft, one published.
pub fn draft_id(n: u32) -> String {
    format!("auth-{n}-draft")
}

pub fn live_id(n: u32) -> String {
    format!("auth-{n}-live")
}

/// Makes world `n`'s draft and published test instruments.
pub async fn make(db: &Db, n: u32) {
    for (id, publish) in [(draft_id(n), false), (live_id(n), true)] {
        let instrument: Instrument = serde_json::from_str(&definition(&id)).unwrap();
        db.save_draft(&instrument, "test", 1)
            .await
            .unwrap()
            .unwrap();
        if publish {
            let r = InstrumentRef {
                id,
                edition: "1".into(),
                version: 1,
            };
            db.set_instrument_status(&r, Status::Published, "test", 1)
                .await
                .unwrap()
                .unwrap();
        }
    }
}

/// Every version's id and state, for a snapshot.
pub async fn states(db: &Db) -> Vec<(String, u32, Status)> {
    db.instrument_versions()
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.instrument.id, v.instrument.version, v.status))
        .collect()
}

/// Version `version` of the test instrument: a mood (single choice of `moods`) and notes (a
/// text of `notes` — its answer type as JSON).
pub fn test_instrument(version: u32, moods: &[(&str, &str)], notes: Value) -> String {
    let options: Vec<Value> = moods
        .iter()
        .map(|(id, ja)| json!({"id": id, "label": {"ja": ja, "en": id}}))
        .collect();
    serde_json::to_string_pretty(&json!({
        "format": 1, "id": "test-check", "edition": "1", "version": version, "kind": "assessment",
        "title": {"ja": "テスト用チェック", "en": "Test check"},
        "sheets": [{"id": "items", "title": {"ja": "項目", "en": "Items"}, "questions": [
            {"id": "mood", "prompt": {"ja": "気分", "en": "Mood"}, "answer": {"type": "single", "options": options}},
            {"id": "notes", "prompt": {"ja": "メモ", "en": "Notes"}, "answer": notes}
        ]}]
    }))
    .unwrap()
}

pub fn v1() -> String {
    test_instrument(
        1,
        &[("good", "良い"), ("bad", "悪い")],
        json!({"type": "text", "lines": 3}),
    )
}

pub fn v2() -> String {
    test_instrument(
        2,
        &[("good", "とても良い"), ("bad", "悪い"), ("tired", "疲れた")],
        json!({"type": "text", "lines": 3}),
    )
}

pub fn test_ref(version: u32) -> Value {
    json!({"id": "test-check", "edition": "1", "version": version})
}

pub struct Admin {
    pub state: AppState,
    pub cookie: String,
}

impl Admin {
    pub async fn new(db: &Db, dir: &tempfile::TempDir) -> Self {
        let admin = add_person(
            db,
            &format!("admin-{}", crate::common::uuid_like()),
            Role::Admin,
        )
        .await;
        Self {
            state: state(db, dir),
            cookie: signed_in(db, admin, new_device()).await,
        }
    }

    pub async fn upload(&self, definition: &str) -> Reply {
        post("/api/v1/instruments")
            .cookie(Some(&self.cookie))
            .header("content-type", "application/json")
            .raw(definition.as_bytes().to_vec())
            .send(&self.state)
            .await
    }

    pub async fn act(&self, version: u32, action: &str) -> Reply {
        post(format!(
            "/api/v1/instruments/test-check/1/{version}/{action}"
        ))
        .cookie(Some(&self.cookie))
        .send(&self.state)
        .await
    }

    pub async fn list(&self) -> VersionList {
        let reply = get("/api/v1/instruments")
            .cookie(Some(&self.cookie))
            .send(&self.state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.json()
    }
}

pub fn status_of(list: &VersionList, version: u32) -> Option<Status> {
    list.versions
        .iter()
        .find(|v| v.instrument.id == "test-check" && v.instrument.version == version)
        .map(|v| v.status)
}

pub fn record_changes(
    device: DeviceId,
    seq: u64,
    client: ClientId,
    record: RecordId,
    version: u32,
    mood: &str,
) -> Vec<Change> {
    let change = |seq: u64, field: &str, value: Value| Change {
        id: ChangeId { device, seq },
        entity: Entity::Record(record),
        client,
        field: field.into(),
        base: vec![],
        value,
    };
    vec![
        change(seq, "kind", json!("assessment")),
        change(seq + 1, "instrument", test_ref(version)),
        change(
            seq + 2,
            "answers.items.mood",
            json!({"type": "single", "choice": mood}),
        ),
    ]
}
