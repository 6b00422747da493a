//! Instrument versions as data (issue 22), on every database the run can reach: an
//! administrator uploads, reviews, publishes and retires versions of a test instrument; a
//! published version never changes; an incompatible one is refused with words that say what to
//! change; a bad definition, with its line. (What devices meet is in `instrument_sync.rs`.)

use axum::http::StatusCode;
use serde_json::{Value, json};
use yorisoi_domain::versions::Status;
use yorisoi_domain::versions::wire::Review;

mod common;
mod support;
use support::instruments::*;
use support::*;

#[tokio::test]
async fn an_administrator_uploads_reviews_publishes_and_retires_and_a_published_version_never_changes()
 {
    for (name, db, url, dir) in databases_with_urls().await {
        let admin = Admin::new(&db, &dir).await;
        // The compiled-in instruments are the first published versions.
        let list = admin.list().await;
        for id in ["msfas", "visit-note"] {
            assert!(
                list.versions
                    .iter()
                    .any(|v| v.instrument.id == id && v.builtin && v.status == Status::Published),
                "{name}: {id} is published: {list:?}"
            );
        }

        let reply = admin.upload(&v1()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{name}: {}", reply.text);
        let review: Review = reply.json();
        assert_eq!(
            (review.version.status, review.against.clone()),
            (Status::Draft, None)
        );
        let first_hash = review.version.sha256.clone();
        // A draft is replaced by a new upload of its version.
        let relabelled = v1().replace("良い", "よい");
        let review: Review = admin.upload(&relabelled).await.json();
        assert_ne!(review.version.sha256, first_hash, "{name}");

        let reply = admin.act(1, "publish").await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let published: Review = reply.json();
        assert_eq!(published.version.status, Status::Published);
        assert_eq!(
            published.version.sha256, review.version.sha256,
            "{name}: the hash is the draft's"
        );

        // Published: never changes, never published twice, never deleted.
        let reply = admin.upload(&v1()).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::CONFLICT, "conflict"),
            "{name}: {}",
            reply.text
        );
        assert!(
            reply.text.contains("upload the changes as version 2"),
            "{name}: {}",
            reply.text
        );
        let reply = admin.act(1, "publish").await;
        assert_eq!(reply.code(), "conflict", "{name}: {}", reply.text);
        let reply = admin.act(1, "discard").await;
        assert_eq!(reply.code(), "conflict", "{name}: {}", reply.text);
        // Not even a direct write to the table changes it.
        let changed = raw_update(
            &url,
            "UPDATE instrument_versions SET definition = '{}' WHERE instrument = 'test-check'",
        )
        .await;
        assert!(
            changed.is_err(),
            "{name}: the table refuses to change a published version"
        );
        let deleted = raw_update(
            &url,
            "DELETE FROM instrument_versions WHERE instrument = 'test-check'",
        )
        .await;
        assert!(
            deleted.is_err(),
            "{name}: the table refuses to delete a published version"
        );

        // Version 2: the review lists what changed.
        let reply = admin.upload(&v2()).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{name}: {}", reply.text);
        let review: Review = reply.json();
        let words: Vec<String> = review.differences.iter().map(ToString::to_string).collect();
        assert_eq!(
            review.against.as_ref().map(|r| r.version),
            Some(1),
            "{name}"
        );
        assert!(
            words.contains(&"items.mood: option good: 「よい」 → 「とても良い」".to_owned()),
            "{name}: {words:?}"
        );
        assert!(
            words.contains(&"items.mood: option tired added: 「疲れた」".to_owned()),
            "{name}: {words:?}"
        );
        assert!(review.problems.is_empty(), "{name}: {:?}", review.problems);
        assert_eq!(
            admin.act(2, "publish").await.status,
            StatusCode::OK,
            "{name}"
        );

        // Retiring: only forward.
        assert_eq!(
            admin.act(1, "retire").await.status,
            StatusCode::OK,
            "{name}"
        );
        let reply = admin.act(1, "publish").await;
        assert!(
            reply.code() == "conflict" && reply.text.contains("only go draft"),
            "{name}: {}",
            reply.text
        );
        let list = admin.list().await;
        assert_eq!(
            (status_of(&list, 1), status_of(&list, 2)),
            (Some(Status::Retired), Some(Status::Published)),
            "{name}"
        );

        // Every step is in the audit log, with the version and its hash.
        let audit = get("/api/v1/audit")
            .cookie(Some(&admin.cookie))
            .send(&admin.state)
            .await;
        for action in [
            "instrument_uploaded",
            "instrument_published",
            "instrument_retired",
        ] {
            assert!(
                audit.text.contains(action),
                "{name}: {action} audited: {}",
                audit.text
            );
        }
        assert!(
            audit.text.contains(&published.version.sha256),
            "{name}: the published hash is audited"
        );
    }
}

async fn raw_update(url: &str, sql: &'static str) -> Result<u64, sqlx::Error> {
    if url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let done = sqlx::query(sql)
            .execute(&pool)
            .await
            .map(|d| d.rows_affected());
        pool.close().await;
        done
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let done = sqlx::query(sql)
            .execute(&pool)
            .await
            .map(|d| d.rows_affected());
        pool.close().await;
        done
    }
}

#[tokio::test]
async fn an_incompatible_version_is_refused_with_words_that_say_what_to_change() {
    for (name, db, dir) in common::databases().await {
        let admin = Admin::new(&db, &dir).await;
        assert_eq!(admin.upload(&v1()).await.status, StatusCode::CREATED);
        assert_eq!(admin.act(1, "publish").await.status, StatusCode::OK);

        // Notes becomes a date; "bad" is removed.
        let breaking = test_instrument(2, &[("good", "良い")], json!({"type": "date"}));
        let reply = admin.upload(&breaking).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::CONFLICT, "incompatible_version"),
            "{name}: {}",
            reply.text
        );
        let problems = reply.body["error"]["problems"].as_array().unwrap();
        assert_eq!(
            problems.len(),
            1,
            "{name}: removing an option is allowed: {problems:?}"
        );
        assert_eq!(problems[0]["place"], "items.notes");
        assert!(
            problems[0]["problem"]
                .as_str()
                .unwrap()
                .contains("changes from text to date"),
            "{name}: {problems:?}"
        );
        assert!(
            problems[0]["fix"].as_str().unwrap().contains("new id"),
            "{name}: {problems:?}"
        );
        assert_eq!(
            status_of(&admin.list().await, 2),
            None,
            "{name}: nothing stored"
        );

        // Removed at version 2, "bad" never comes back with a new meaning.
        let without_bad =
            test_instrument(2, &[("good", "良い")], json!({"type": "text", "lines": 3}));
        assert_eq!(admin.upload(&without_bad).await.status, StatusCode::CREATED);
        // A draft checked against version 2 only when it is published: made compatible with
        // version 1 before version 2 was published, it is refused then.
        let reuses = test_instrument(
            3,
            &[("good", "良い"), ("bad", "とても悪い")],
            json!({"type": "text", "lines": 3}),
        );
        assert_eq!(admin.act(2, "publish").await.status, StatusCode::OK);
        let reply = admin.upload(&reuses).await;
        assert_eq!(
            reply.code(),
            "incompatible_version",
            "{name}: {}",
            reply.text
        );
        assert!(
            reply.text.contains(
                "option value \\\"bad\\\" was removed in an earlier version (it meant 「悪い」)"
            ),
            "{name}: {}",
            reply.text
        );
    }
}

#[tokio::test]
async fn a_version_is_checked_again_when_published_against_what_is_published_then() {
    for (name, db, dir) in common::databases().await {
        let admin = Admin::new(&db, &dir).await;
        admin.upload(&v1()).await;
        admin.act(1, "publish").await;
        // Two drafts, each fine after version 1: version 3 adds a question "sleep" as text,
        // version 2 adds it as a number and is published first.
        let with_sleep = |version: u32, sleep: Value| {
            let mut d: Value = serde_json::from_str(&v1()).unwrap();
            d["version"] = json!(version);
            d["sheets"][0]["questions"].as_array_mut().unwrap().push(
                json!({"id": "sleep", "prompt": {"ja": "睡眠", "en": "Sleep"}, "answer": sleep}),
            );
            d.to_string()
        };
        assert_eq!(
            admin
                .upload(&with_sleep(3, json!({"type": "text", "lines": 1})))
                .await
                .status,
            StatusCode::CREATED,
            "{name}"
        );
        assert_eq!(
            admin
                .upload(&with_sleep(2, json!({"type": "number", "min": 0})))
                .await
                .status,
            StatusCode::CREATED,
            "{name}"
        );
        assert_eq!(
            admin.act(2, "publish").await.status,
            StatusCode::OK,
            "{name}"
        );
        let reply = admin.act(3, "publish").await;
        assert_eq!(
            reply.code(),
            "incompatible_version",
            "{name}: {}",
            reply.text
        );
        assert!(
            reply
                .text
                .contains("items.sleep: the answer type changes from number to text"),
            "{name}: {}",
            reply.text
        );
        assert_eq!(
            status_of(&admin.list().await, 3),
            Some(Status::Draft),
            "{name}: still a draft"
        );
        // The draft's review says so too, before anyone presses publish.
        let review: Review = get("/api/v1/instruments/test-check/1/3")
            .cookie(Some(&admin.cookie))
            .send(&admin.state)
            .await
            .json();
        assert_eq!(review.problems.len(), 1, "{name}: {:?}", review.problems);
    }
}

#[tokio::test]
async fn a_bad_definition_is_refused_with_the_line_and_what_to_change() {
    for (name, db, dir) in common::databases().await {
        let admin = Admin::new(&db, &dir).await;
        // A comma missing at the end of line 2: serde finds it where line 3 begins.
        let broken = v1().replacen(",\n", "\n", 1);
        let reply = admin.upload(&broken).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_definition"),
            "{name}: {}",
            reply.text
        );
        let problem = &reply.body["error"]["problems"][0];
        assert_eq!(problem["line"], 3, "{name}: {}", reply.text);
        assert!(problem["column"].as_u64().is_some(), "{name}");
        // Read, but wrong: the option is used twice.
        let twice = test_instrument(
            1,
            &[("good", "良い"), ("good", "悪い")],
            json!({"type": "text", "lines": 3}),
        );
        let reply = admin.upload(&twice).await;
        assert_eq!(reply.code(), "invalid_definition", "{name}: {}", reply.text);
        assert!(
            reply.text.contains("items.mood: option good is used twice"),
            "{name}: {}",
            reply.text
        );
        assert!(
            reply.body["error"]["problems"][0]["line"]
                .as_u64()
                .is_some(),
            "{name}: {}",
            reply.text
        );
        // Not sent as JSON.
        let reply = post("/api/v1/instruments")
            .cookie(Some(&admin.cookie))
            .raw(v1().into_bytes())
            .send(&admin.state)
            .await;
        assert_eq!(reply.code(), "not_json", "{name}");
        assert!(
            admin
                .list()
                .await
                .versions
                .iter()
                .all(|v| v.instrument.id != "test-check"),
            "{name}: nothing stored"
        );
    }
}
