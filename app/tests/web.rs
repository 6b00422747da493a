//! Browser-side tests, run by wasm-bindgen-test in headless Chromium (`cargo xtask test`).
#![cfg(target_arch = "wasm32")]

use gloo_storage::{LocalStorage, Storage};
use wasm_bindgen_test::*;
use yorisoi_app::i18n::Lang;
use yorisoi_app::settings::{self, KEY, Settings};

wasm_bindgen_test_configure!(run_in_browser);

fn raw_entry() -> Option<String> {
    LocalStorage::raw().get_item(KEY).unwrap()
}

#[wasm_bindgen_test]
fn settings_round_trip_through_local_storage_in_their_versioned_shape() {
    LocalStorage::clear();
    assert_eq!(settings::load(), Settings::default());
    settings::update(|s| s.lang = Lang::En);
    assert_eq!(settings::load().lang, Lang::En);
    // The stored shape is frozen: a later version must still read this.
    assert_eq!(
        raw_entry().as_deref(),
        Some(r#"{"version":2,"lang":"en","furigana":false}"#)
    );
}

#[wasm_bindgen_test]
fn settings_of_the_first_release_are_migrated_keeping_the_language() {
    LocalStorage::clear();
    LocalStorage::raw()
        .set_item(KEY, r#"{"version":1,"lang":"en"}"#)
        .unwrap();
    let settings = settings::load();
    assert_eq!(
        (settings.version, settings.lang, settings.furigana),
        (2, Lang::En, false)
    );
    settings::update(|s| s.furigana = true);
    assert_eq!(
        raw_entry().as_deref(),
        Some(r#"{"version":2,"lang":"en","furigana":true}"#)
    );
}

#[wasm_bindgen_test]
fn an_unreadable_settings_entry_gives_the_defaults_and_is_kept_until_a_change() {
    LocalStorage::clear();
    LocalStorage::raw().set_item(KEY, "{not json").unwrap();
    assert_eq!(settings::load(), Settings::default());
    assert_eq!(
        raw_entry().as_deref(),
        Some("{not json"),
        "reading does not destroy the entry"
    );
}

mod records {
    use gloo_storage::{LocalStorage, Storage};
    use leptos::prelude::*;
    use std::collections::BTreeSet;
    use wasm_bindgen_test::*;
    use yorisoi_app::db::{Db, FailKind, Loading, SaveState, catalogue};
    use yorisoi_app::idb::Idb;
    use yorisoi_app::storage::{self, StorageError};
    use yorisoi_domain::answer::Answer;
    use yorisoi_domain::ids::DeviceId;
    use yorisoi_domain::ids::{ClientId, RecordId};
    use yorisoi_domain::record::{Client, Record};
    use yorisoi_domain::stored;
    use yorisoi_domain::sync::local::{DeviceState, Unsent};
    use yorisoi_domain::sync::{Change, ChangeId, Entity};

    fn client(n: u8) -> Client {
        Client {
            id: ClientId::new_v7(1_795_000_000_000 + u64::from(n), [n; 10]),
            name: format!("利用者{n}"),
            kana: String::new(),
            birth_date: None,
            workplace: String::new(),
            notes: String::new(),
            created_at: 0,
            updated_at: 0,
        }
    }

    fn record(client: &Client, n: u8) -> Record {
        let msfas = catalogue().latest("msfas").unwrap();
        let mut record = Record::new(
            RecordId::new_v7(1_795_000_000_000 + u64::from(n), [n; 10]),
            client.id,
            msfas,
            0,
        );
        record.set_answer(
            "user1.q2",
            Some(Answer::Text {
                lines: vec![format!("回答{n}")],
            }),
            1,
        );
        record
    }

    #[wasm_bindgen_test]
    fn clients_and_records_round_trip_through_storage() {
        LocalStorage::clear();
        let (a, b) = (client(1), client(2));
        let records = [record(&a, 3), record(&a, 4), record(&b, 5)];
        storage::save_client(&a).unwrap();
        storage::save_client(&b).unwrap();
        for r in &records {
            storage::save_record(r).unwrap();
        }
        let mut loaded = storage::load_all().unwrap();
        loaded.clients.sort_by_key(|c| c.id);
        loaded.records.sort_by_key(|r| r.id);
        assert_eq!(loaded.clients, [a, b]);
        assert_eq!(loaded.records, records);
        assert!(loaded.set_aside.is_empty());
    }

    #[wasm_bindgen_test]
    fn an_unreadable_entry_is_set_aside_untouched_and_everything_else_loads() {
        LocalStorage::clear();
        let a = client(1);
        storage::save_client(&a).unwrap();
        storage::save_record(&record(&a, 2)).unwrap();
        let broken_key = format!(
            "{}{}",
            storage::RECORD_PREFIX,
            "01a1ee56-0000-7000-8000-000000000000"
        );
        let newer_key = format!(
            "{}{}",
            storage::CLIENT_PREFIX,
            "01a1ee56-0000-7000-8000-000000000001"
        );
        LocalStorage::raw()
            .set_item(&broken_key, "{\"format\":1,\"record\":{\"id\":")
            .unwrap();
        LocalStorage::raw()
            .set_item(&newer_key, "{\"format\":99,\"client\":{}}")
            .unwrap();
        let loaded = storage::load_all().unwrap();
        assert_eq!(loaded.clients, [a]);
        assert_eq!(loaded.records.len(), 1);
        let mut aside: Vec<_> = loaded
            .set_aside
            .iter()
            .map(|s| (s.key.clone(), s.reason.contains("newer")))
            .collect();
        aside.sort();
        assert_eq!(
            aside,
            [(newer_key.clone(), true), (broken_key.clone(), false)]
        );
        // Kept exactly as they were: a newer app, or a person, can still recover them.
        assert_eq!(
            LocalStorage::raw()
                .get_item(&broken_key)
                .unwrap()
                .as_deref(),
            Some("{\"format\":1,\"record\":{\"id\":")
        );
        assert_eq!(
            LocalStorage::raw().get_item(&newer_key).unwrap().as_deref(),
            Some("{\"format\":99,\"client\":{}}")
        );
    }

    /// Fills the origin's storage until the browser refuses more; returns the filler keys.
    fn fill_storage() -> Vec<String> {
        let chunk = "あ".repeat(256 * 1024);
        let mut keys = Vec::new();
        for i in 0.. {
            let key = format!("filler.{i}");
            if LocalStorage::raw().set_item(&key, &chunk).is_err() {
                break;
            }
            keys.push(key);
        }
        // Top up with ever smaller pieces so not even a small record fits (what is left is less
        // than the smallest piece and its key).
        for size in [4096, 512, 64, 8, 1] {
            for i in 0.. {
                let key = format!("f.{size}.{i}");
                if LocalStorage::raw()
                    .set_item(&key, &"x".repeat(size))
                    .is_err()
                {
                    break;
                }
                keys.push(key);
            }
        }
        keys
    }

    async fn sleep(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    }

    /// Starts the store as the app does and waits until it has loaded.
    async fn loaded_db() -> Db {
        let owner = Owner::new();
        owner.set();
        std::mem::forget(owner);
        let db = Db::provide();
        for _ in 0..100 {
            if db.loading.get_untracked() == Loading::Ready {
                return db;
            }
            sleep(20).await;
        }
        panic!("the store did not load");
    }

    /// The unsent changes in localStorage, by number.
    fn outbox_entries() -> Vec<Unsent> {
        let raw = LocalStorage::raw();
        let mut entries: Vec<Unsent> = (0..raw.length().unwrap())
            .filter_map(|i| raw.key(i).unwrap())
            .filter(|k| k.starts_with(storage::OUTBOX_PREFIX))
            .map(|k| stored::decode(&raw.get_item(&k).unwrap().unwrap()).unwrap())
            .collect();
        entries.sort_by_key(|u| u.change.id.seq);
        entries
    }

    async fn fresh_device() {
        LocalStorage::clear();
        Idb::open().await.unwrap().clear().await.unwrap();
    }

    /// A fresh device holding one client and one record saved before sync existed, started.
    async fn started_with_a_presync_record() -> (Client, Record, Db) {
        fresh_device().await;
        let a = client(1);
        let saved = record(&a, 2);
        storage::save_client(&a).unwrap();
        storage::save_record(&saved).unwrap();
        let db = loaded_db().await;
        (a, saved, db)
    }

    #[wasm_bindgen_test]
    async fn synced_changes_and_their_cursor_are_written_together_and_read_back() {
        fresh_device().await;
        let idb = Idb::open().await.unwrap();
        let entries: Vec<(String, String)> =
            (0..3).map(|n| (format!("k{n}"), format!("v{n}"))).collect();
        idb.write(&entries, &[], Some(42), None).await.unwrap();
        idb.write(&[("k1".into(), "v1 again".into())], &[], None, Some(7))
            .await
            .unwrap();
        let mut contents = idb.load().await.unwrap();
        contents.changes.sort();
        assert_eq!(contents.changes, ["v0", "v1 again", "v2"]);
        assert_eq!(contents.cursor, 42, "a write without a cursor keeps it");
        assert_eq!(contents.scope, 7, "the hand-over is kept beside the cursor");
        // A client leaving: its entries go, with the hand-over, in one transaction.
        idb.write(&[], &["k0".into(), "k2".into()], None, Some(8))
            .await
            .unwrap();
        let contents = idb.load().await.unwrap();
        assert_eq!(contents.changes, ["v1 again"]);
        assert_eq!((contents.cursor, contents.scope), (42, 8));
        idb.clear().await.unwrap();
        let contents = idb.load().await.unwrap();
        assert!(contents.changes.is_empty() && contents.cursor == 0 && contents.scope == 0);
    }

    #[wasm_bindgen_test]
    async fn records_saved_before_sync_become_unsent_changes_and_their_old_entries_go() {
        let (a, saved, db) = started_with_a_presync_record().await;
        assert_eq!(
            db.record(saved.id).map(|r| r.answers),
            Some(saved.answers.clone())
        );
        assert_eq!(db.client(a.id).map(|c| c.name), Some(a.name.clone()));
        assert_eq!(
            LocalStorage::raw()
                .get_item(&storage::record_key(&saved))
                .unwrap(),
            None,
            "the pre-sync entry is removed once its changes are stored"
        );
        let unsent = outbox_entries();
        assert!(unsent.iter().any(|u| u.change.field == "answers.user1.q2"));
        assert_eq!(db.unsent.get_untracked(), unsent.len());
        // A second start (a reload) reads the same from the outbox.
        let again = loaded_db().await;
        assert_eq!(
            again.record(saved.id).map(|r| r.answers),
            Some(saved.answers)
        );
    }

    #[wasm_bindgen_test]
    async fn a_full_quota_is_reported_the_edit_stays_in_memory_and_is_saved_when_room_returns() {
        let (a, saved, db) = started_with_a_presync_record().await;
        let before = outbox_entries();

        let fillers = fill_storage();
        assert_eq!(
            storage::save_record(&record(&a, 9)),
            Err(StorageError::Quota),
            "the quota error is a value"
        );
        let long_answer = Answer::Text {
            lines: vec!["とても長い回答".repeat(200)],
        };
        db.set_answer(saved.id, "user1.q5", Some(long_answer.clone()));
        assert_eq!(
            db.save_state.get_untracked(),
            SaveState::Failed(FailKind::Quota)
        );
        assert_eq!(
            db.answer(saved.id, "user1.q5"),
            Some(long_answer.clone()),
            "the edit stays in memory"
        );
        assert_eq!(outbox_entries(), before, "nothing saved is touched");

        for key in fillers {
            LocalStorage::raw().remove_item(&key).unwrap();
        }
        sleep(3500).await; // the store retries every three seconds
        assert_eq!(db.save_state.get_untracked(), SaveState::Saved);
        let written = outbox_entries();
        assert!(written.iter().any(|u| u.change.field == "answers.user1.q5"
            && u.change.value == serde_json::to_value(&long_answer).unwrap()));
        let again = loaded_db().await;
        assert_eq!(again.answer(saved.id, "user1.q5"), Some(long_answer));
        assert_eq!(
            again.answer(saved.id, "user1.q2"),
            saved.answers.get("user1.q2").cloned()
        );
    }

    #[wasm_bindgen_test]
    async fn unsent_changes_kept_by_the_release_before_tabs_had_writers_are_read_and_pushed() {
        fresh_device().await;
        // That release's layout: the device's id and counter, and each unsent change under its
        // number alone.
        let device = DeviceState {
            id: DeviceId::new_v7(1_795_000_000_000, [7; 10]),
            next_seq: 3,
        };
        let raw = LocalStorage::raw();
        raw.set_item(storage::DEVICE_KEY, &stored::encode(&device))
            .unwrap();
        let a = client(1);
        let change = Change {
            id: ChangeId {
                device: device.id,
                seq: 2,
            },
            entity: Entity::Client(a.id),
            client: a.id,
            field: "name".into(),
            base: vec![],
            value: serde_json::json!("旧形式の利用者"),
        };
        let unsent = Unsent {
            change: change.clone(),
            made_at: 5,
        };
        raw.set_item("yorisoi.outbox.2", &stored::encode(&unsent))
            .unwrap();

        let db = loaded_db().await;
        assert_eq!(db.unsent.get_untracked(), 1, "nothing unsent is lost");
        // No open tab writes under that id any more: its change is pushed as it is.
        assert_eq!(
            db.next_push(&BTreeSet::new()),
            Some((device.id, vec![change]))
        );
        assert_eq!(db.acknowledged(device.id, 2, &[]).await, Ok(1));
        assert_eq!(raw.get_item("yorisoi.outbox.2").unwrap(), None);
        assert_eq!(db.unsent.get_untracked(), 0);
        assert_eq!(db.next_push(&BTreeSet::new()), None);
    }
}
