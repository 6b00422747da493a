//! A retired instrument version takes no new record (issue 22), held by the server itself, on
//! every database the run can reach: pushes made straight over HTTP, as an attacker's would be.
//! A new record under a retired version is set aside (kept with its reason, answered to the
//! device) when its device had been told of the retirement before it made the record; a record
//! made before, and edits of records the server holds, are stored.

use axum::http::StatusCode;
use serde_json::{Value, json};
use yorisoi_domain::accounts::Role;
use yorisoi_domain::ids::{ClientId, DeviceId, RecordId};
use yorisoi_domain::sync::Change;
use yorisoi_domain::sync::protocol::PushResponse;
use yorisoi_server::AppState;
use yorisoi_server::auth::now_ms;

mod common;
mod support;
use support::instruments::*;
use support::*;

/// One tablet signed in as `person`, pushing and asking for versions over HTTP.
struct Tablet<'a> {
    device: DeviceId,
    cookie: String,
    state: &'a AppState,
}

impl Tablet<'_> {
    async fn push(&self, changes: Vec<Change>) -> PushResponse {
        let reply = post("/api/v1/sync/push")
            .cookie(Some(&self.cookie))
            .json(&push_request(self.device, changes))
            .send(self.state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.json()
    }

    /// Asks for the versions in use, as a device's sync does: it is told which are retired.
    async fn ask_versions(&self) {
        let reply = post("/api/v1/sync/instruments")
            .cookie(Some(&self.cookie))
            .json(&json!({"format": 1, "held": []}))
            .send(self.state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    }
}

/// A new record of version `version` as the app makes it: kind, version, when made, an answer.
fn new_record(
    device: DeviceId,
    seq: u64,
    client: ClientId,
    version: u32,
    made_at: i64,
) -> (RecordId, Vec<Change>) {
    let record = RecordId(uuid::Uuid::now_v7());
    let mut changes = record_changes(device, seq, client, record, version, "good");
    let mut made = changes[0].clone();
    made.id.seq = seq + 3;
    made.field = "created_at".into();
    made.value = Value::from(made_at);
    changes.push(made);
    (record, changes)
}

async fn in_log(db: &yorisoi_server::db::Db, record: RecordId) -> usize {
    db.pull(0, 1_000_000)
        .await
        .unwrap()
        .changes
        .iter()
        .filter(|p| p.change.entity == yorisoi_domain::sync::Entity::Record(record))
        .count()
}

#[tokio::test]
async fn a_new_record_under_a_retired_version_is_set_aside_when_its_device_had_been_told() {
    for (name, db, dir) in common::databases().await {
        let admin = Admin::new(&db, &dir).await;
        let coach = add_person(&db, &format!("coach-{}", common::uuid_like()), Role::Coach).await;
        let (told, untold) = (new_device(), new_device());
        let told = Tablet {
            device: told,
            cookie: signed_in(&db, coach, told).await,
            state: &admin.state,
        };
        let untold = Tablet {
            device: untold,
            cookie: signed_in(&db, coach, untold).await,
            state: &admin.state,
        };
        let client = new_client();
        assert!(
            told.push(new_client_changes(told.device, 1, client))
                .await
                .refused
                .is_empty()
        );
        admin.upload(&v1()).await;
        admin.act(1, "publish").await;
        // A record of version 1 the server holds, before the retirement.
        let (old, changes) = new_record(told.device, 3, client, 1, now_ms());
        assert!(told.push(changes).await.refused.is_empty(), "{name}");
        admin.upload(&v2()).await;
        admin.act(2, "publish").await;
        let before_told = now_ms() - HOUR_MS;
        assert_eq!(admin.act(1, "retire").await.status, StatusCode::OK);
        told.ask_versions().await;

        // Made after its device was told: every change of it set aside, with the reason.
        let (record, changes) = new_record(told.device, 10, client, 1, now_ms());
        let pushed = told.push(changes).await;
        assert_eq!(pushed.refused.len(), 4, "{name}: {pushed:?}");
        assert!(
            pushed
                .refused
                .iter()
                .all(|r| r.refusal.code() == "retired_instrument"),
            "{name}: {pushed:?}"
        );
        assert!(
            pushed.refused[0]
                .refusal
                .to_string()
                .contains("move the draft to the newer version"),
            "{name}: {}",
            pushed.refused[0].refusal
        );
        assert_eq!(pushed.acked_through, 13, "{name}: acknowledged, kept aside");
        assert_eq!(in_log(&db, record).await, 0, "{name}: nothing of it stored");
        let kept = get("/api/v1/quarantine")
            .cookie(Some(&admin.cookie))
            .send(&admin.state)
            .await;
        assert!(
            kept.text.contains("retired_instrument"),
            "{name}: kept aside: {}",
            kept.text
        );

        // Made before its device was told (offline): stored.
        let (record, changes) = new_record(told.device, 20, client, 1, before_told);
        let pushed = told.push(changes).await;
        assert!(pushed.refused.is_empty(), "{name}: {pushed:?}");
        assert_eq!(in_log(&db, record).await, 4, "{name}");

        // A device never told of the retirement: stored.
        let (record, changes) = new_record(untold.device, 1, client, 1, now_ms());
        let pushed = untold.push(changes).await;
        assert!(pushed.refused.is_empty(), "{name}: {pushed:?}");
        assert_eq!(in_log(&db, record).await, 4, "{name}");

        // An edit of a record the server holds under the retired version: stored.
        let edit = record_changes(told.device, 30, client, old, 1, "bad").split_off(2);
        let pushed = told.push(edit).await;
        assert!(pushed.refused.is_empty(), "{name}: {pushed:?}");
        assert_eq!(in_log(&db, old).await, 5, "{name}");

        // The newer version takes new records from the told device.
        let (record, changes) = new_record(told.device, 40, client, 2, now_ms());
        assert!(told.push(changes).await.refused.is_empty(), "{name}");
        assert_eq!(in_log(&db, record).await, 4, "{name}");
    }
}

/// Every pull page carries the fingerprint of the versions in use, which is what the device's
/// own answer from `POST /api/v1/sync/instruments` hashes to: it changes when a version is
/// published or retired, not with a draft or with data, so a device that holds the versions of
/// a fingerprint asks for nothing more.
#[tokio::test]
async fn a_pull_carries_the_fingerprint_of_the_versions_in_use() {
    use yorisoi_domain::sync::protocol::PullResponse;
    use yorisoi_domain::versions::wire::VersionsResponse;
    for (name, db, dir) in common::databases().await {
        let admin = Admin::new(&db, &dir).await;
        let coach = add_person(&db, &format!("coach-{}", common::uuid_like()), Role::Coach).await;
        let device = new_device();
        let tablet = Tablet {
            device,
            cookie: signed_in(&db, coach, device).await,
            state: &admin.state,
        };
        let fingerprint = || async {
            let reply = pull(0, 0)
                .cookie(Some(&tablet.cookie))
                .send(&admin.state)
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
            let page: PullResponse = reply.json();
            assert!(!page.instruments.is_empty(), "{name}: {}", reply.text);
            page.instruments
        };
        let versions = || async {
            let reply = post("/api/v1/sync/instruments")
                .cookie(Some(&tablet.cookie))
                .json(&json!({"format": 1, "held": []}))
                .send(&admin.state)
                .await;
            reply.json::<VersionsResponse>().fingerprint()
        };
        let builtin = fingerprint().await;
        assert_eq!(
            builtin,
            versions().await,
            "{name}: the answer's own fingerprint"
        );
        admin.upload(&v1()).await;
        let client = new_client();
        assert!(
            tablet
                .push(new_client_changes(device, 1, client))
                .await
                .refused
                .is_empty()
        );
        assert_eq!(
            fingerprint().await,
            builtin,
            "{name}: a draft or data change nothing"
        );
        admin.act(1, "publish").await;
        let published = fingerprint().await;
        assert_ne!(published, builtin, "{name}: published");
        assert_eq!(published, versions().await, "{name}");
        admin.act(1, "retire").await;
        let retired = fingerprint().await;
        assert_ne!(retired, published, "{name}: retired");
        assert_eq!(retired, versions().await, "{name}");
    }
}

/// Measure (issue 22), run by hand (`-- --ignored --nocapture`): what a sync costs for the
/// versions once they reached the devices. Before, each of 200 devices asked at every sync (a
/// write transaction each: its report of what it holds); now each pull page carries the
/// fingerprint (one read) and a device asks only when it changed.
#[tokio::test]
#[ignore]
async fn measure_a_sync_with_nothing_new_published_on_200_devices() {
    for (name, db, dir) in common::databases().await {
        let admin = Admin::new(&db, &dir).await;
        admin.upload(&v1()).await;
        admin.act(1, "publish").await;
        let mut devices = Vec::new();
        for n in 0..200 {
            let coach = add_person(&db, &format!("coach-{n}"), Role::Coach).await;
            devices.push(signed_in(&db, coach, new_device()).await);
        }
        let held: Vec<Value> = db
            .instrument_versions()
            .await
            .unwrap()
            .into_iter()
            .map(|v| json!({"instrument": v.instrument, "sha256": v.sha256}))
            .collect();
        let started = std::time::Instant::now();
        for cookie in &devices {
            let reply = post("/api/v1/sync/instruments")
                .cookie(Some(cookie))
                .json(&json!({"format": 1, "held": held}))
                .send(&admin.state)
                .await;
            assert_eq!(reply.status, StatusCode::OK);
        }
        let asked = started.elapsed();
        let started = std::time::Instant::now();
        for _ in &devices {
            assert!(!db.instruments_fingerprint().await.unwrap().is_empty());
        }
        let fingerprints = started.elapsed();
        println!(
            "{name}: 200 devices asking for versions they hold: {asked:?} ({:?} each); the fingerprint 200 pulls now carry instead: {fingerprints:?} ({:?} each)",
            asked / 200,
            fingerprints / 200
        );
    }
}
