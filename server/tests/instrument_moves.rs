//! A record's move to a later version of its instrument (issue 22), on every database the run
//! can reach: what the server accepts of a change of a record's `instrument`.

use axum::http::StatusCode;
use serde_json::json;

mod common;
mod support;
use support::instruments::*;
use support::*;

/// A draft moves to a later version (the coach's explicit choice on the tablet) only past no
/// removal: then every answer it holds fits, and the server accepts the move unseen.
#[tokio::test]
async fn a_record_moves_to_a_later_version_only_past_no_removal() {
    use yorisoi_domain::ids::RecordId;
    for (name, db, dir) in common::databases().await {
        let admin = Admin::new(&db, &dir).await;
        let office = add_person(&db, "office", yorisoi_domain::accounts::Role::Office).await;
        let (tablet, client) = (new_device(), new_client());
        let push = |changes| push_as(&db, office, yorisoi_domain::accounts::Role::Office, changes);
        push(new_client_changes(tablet, 1, client)).await;
        admin.upload(&v1()).await;
        admin.act(1, "publish").await;
        let record = RecordId(uuid::Uuid::now_v7());
        assert!(
            push(record_changes(tablet, 3, client, record, 1, "bad"))
                .await
                .refused
                .is_empty()
        );
        admin.upload(&v2()).await; // adds an option
        admin.act(2, "publish").await;
        let without_bad = test_instrument(
            3,
            &[("good", "良い"), ("tired", "疲れた")],
            json!({"type": "text", "lines": 3}),
        );
        assert_eq!(
            admin.upload(&without_bad).await.status,
            StatusCode::CREATED,
            "{name}"
        );
        admin.act(3, "publish").await;
        let to = |seq: u64, version: u32| {
            record_changes(tablet, seq, client, record, version, "good").remove(1)
        };
        let pushed = push(vec![to(10, 3)]).await;
        assert_eq!(
            pushed.refused[0].refusal.code(),
            "instrument_changed",
            "{name}: past a removal: {pushed:?}"
        );
        let pushed = push(vec![to(11, 2)]).await;
        assert!(
            pushed.refused.is_empty(),
            "{name}: a move past no removal: {pushed:?}"
        );
        let pushed = push(vec![to(12, 1)]).await;
        assert_eq!(
            pushed.refused[0].refusal.code(),
            "instrument_changed",
            "{name}: never back: {pushed:?}"
        );
    }
}
