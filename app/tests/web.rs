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
fn a_clock_moved_back_does_not_turn_time_back_for_the_app() {
    LocalStorage::clear();
    let now = yorisoi_app::clock::monotonic_now_ms();
    assert!(now > 0);
    // The device showed a time ten days ahead before its clock was moved back.
    let ahead = now + 10 * 24 * 60 * 60 * 1000;
    LocalStorage::set("yorisoi.clock_seen", ahead).unwrap();
    assert!(yorisoi_app::clock::monotonic_now_ms() >= ahead);
    LocalStorage::clear();
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
    use yorisoi_app::storage::{self, StorageError};
    use yorisoi_app::store::idb::Idb;
    use yorisoi_app::store::{Progress, Store};
    use yorisoi_app::vault;
    use yorisoi_domain::answer::Answer;
    use yorisoi_domain::ids::DeviceId;
    use yorisoi_domain::ids::PersonId;
    use yorisoi_domain::ids::{ClientId, RecordId};
    use yorisoi_domain::record::{Client, Record};
    use yorisoi_domain::stored;
    use yorisoi_domain::sync::Register;
    use yorisoi_domain::sync::local::{Chunk, DeviceState, Synced, Unsent};
    use yorisoi_domain::sync::protocol::{
        BOOTSTRAP_FORMAT, BootstrapPage, ClientState, FieldState, FramedPage, Pulled,
    };
    use yorisoi_domain::sync::{Change, ChangeId, Entity};

    fn client(n: u8) -> Client {
        Client {
            id: ClientId::new_v7(1_795_000_000_000 + u64::from(n), [n; 10]),
            name: format!("利用者{n}"),
            kana: String::new(),
            birth_date: None,
            workplace: String::new(),
            notes: String::new(),
            consents: Default::default(),
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
            if db.loading.get_untracked() == Loading::Ready && db.all_loaded.get_untracked() {
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
            .map(|k| {
                storage::open_entry::<Unsent>(&k, &raw.get_item(&k).unwrap().unwrap())
                    .unwrap()
                    .0
            })
            .collect();
        entries.sort_by_key(|u| u.change.id.seq);
        entries
    }

    async fn fresh_device() {
        LocalStorage::clear();
        unlocked();
        Idb::open().await.unwrap().clear().await.unwrap();
    }

    fn person() -> PersonId {
        PersonId(DeviceId::new_v7(1_795_000_000_000, [5; 10]).0)
    }

    /// The test person's keys in memory (made on first use, as at a first sign-in).
    fn unlocked() {
        vault::unlock(person(), "テスト用のパスワード", true).unwrap();
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

    fn synced(client: ClientId, device: DeviceId, seq: u64, field: &str, value: &str) -> Synced {
        Synced {
            change: Change {
                id: ChangeId { device, seq },
                entity: Entity::Client(client),
                client,
                field: field.into(),
                base: vec![],
                value: serde_json::json!(value),
            },
            received_at: Some(1_795_000_000_000 + seq as i64),
            made_at: None,
        }
    }

    fn other_device() -> DeviceId {
        DeviceId::new_v7(1_795_000_000_000, [9; 10])
    }

    /// The chunk keys stored, in order.
    async fn chunk_keys() -> Vec<String> {
        Idb::open()
            .await
            .unwrap()
            .load(|_| false)
            .await
            .unwrap()
            .keys
    }

    #[wasm_bindgen_test]
    async fn pulled_pages_are_stored_as_one_chunk_per_client_with_their_cursor() {
        fresh_device().await;
        let store = Store::open().await.unwrap();
        let (a, b) = (client(1).id, client(2).id);
        let page = vec![
            synced(a, other_device(), 1, "name", "一"),
            synced(b, other_device(), 2, "name", "二"),
            synced(a, other_device(), 3, "kana", "いち"),
        ];
        store.pulled(page.clone(), 3, Some(7)).await.unwrap();
        let loaded = store.load().await.unwrap();
        assert_eq!((loaded.cursor, loaded.scope), (3, 7));
        assert_eq!(
            loaded.chunks.len(),
            2,
            "one chunk per client: {:?}",
            loaded.chunks
        );
        let mut read: Vec<Synced> = loaded
            .chunks
            .into_iter()
            .flat_map(|(_, chunk)| match chunk {
                Chunk::Changes { changes } => changes,
                other => panic!("a pulled page is changes: {other:?}"),
            })
            .collect();
        read.sort_by_key(|s| s.change.id.seq);
        assert_eq!(read, page, "read back as written");
        // A client leaving: everything of it goes, with the hand-over, in one transaction.
        store.forget(&[a], 8).await.unwrap();
        let keys = chunk_keys().await;
        assert!(
            keys.iter().all(|k| k.starts_with(&format!("{b}/"))),
            "{keys:?}"
        );
        assert_eq!(store.load().await.unwrap().scope, 8);
        store.clear().await.unwrap();
        let loaded = store.load().await.unwrap();
        assert!(loaded.chunks.is_empty() && loaded.cursor == 0 && loaded.scope == 0);
    }

    /// A page of a bootstrap: `n` fields of client `client`, the next page's cursor if any.
    fn bootstrap_page(client: ClientId, name: &str, base: u64, next: Option<&str>) -> FramedPage {
        let mut register = Register::default();
        register.apply(
            ChangeId {
                device: other_device(),
                seq: base,
            },
            &[],
            &serde_json::json!(name),
        );
        let page = BootstrapPage {
            format: BOOTSTRAP_FORMAT,
            base,
            clients: ClientState::group(vec![FieldState {
                entity: Entity::Client(client),
                client,
                field: "name".into(),
                register,
                at: 1_795_000_000_000,
            }]),
            next: next.map(str::to_owned),
            total: None,
            scope: (base == 10).then_some(4),
        };
        // As the server frames it (its chunks uncompressed here; gzipped ones read the same).
        FramedPage::read(&page.frame(<[u8]>::to_vec)).unwrap()
    }

    #[wasm_bindgen_test]
    async fn a_bootstrap_cut_off_part_way_goes_on_after_a_reload_and_its_end_sets_the_cursor() {
        fresh_device().await;
        let db = loaded_db().await;
        let (a, b) = (client(1), client(2));
        let mut progress = db.bootstrap_progress().expect("a fresh device bootstraps");
        assert_eq!(progress, Progress::default());
        let last = db
            .bootstrapped(
                bootstrap_page(a.id, "一ページ目", 10, Some("after-a")),
                &mut progress,
            )
            .await
            .unwrap();
        assert!(!last);
        assert_eq!(
            db.client(a.id).map(|c| c.name).as_deref(),
            Some("一ページ目")
        );
        assert_eq!(db.cursor(), 0, "the pull waits for the bootstrap's end");

        // The tab closes here; the next start goes on from the stored page.
        let db = loaded_db().await;
        assert_eq!(
            db.client(a.id).map(|c| c.name).as_deref(),
            Some("一ページ目")
        );
        let mut progress = db.bootstrap_progress().expect("still bootstrapping");
        assert_eq!(progress.after.as_deref(), Some("after-a"));
        assert_eq!(
            (progress.base, progress.token, progress.pages),
            (Some(10), Some(4), 1)
        );
        let last = db
            .bootstrapped(bootstrap_page(b.id, "二ページ目", 12, None), &mut progress)
            .await
            .unwrap();
        assert!(last);
        assert_eq!(db.bootstrap_progress(), None, "then it pulls");
        assert_eq!(
            (db.cursor(), db.scope()),
            (10, 4),
            "from the smallest base, with the hand-over"
        );

        let db = loaded_db().await;
        assert_eq!(db.bootstrap_progress(), None);
        assert_eq!((db.cursor(), db.scope()), (10, 4));
        assert_eq!(
            db.client(b.id).map(|c| c.name).as_deref(),
            Some("二ページ目")
        );
        assert_eq!(
            db.client(a.id).map(|c| c.updated_at),
            Some(1_795_000_000_000),
            "when it last changed, from the state"
        );
    }

    /// Bytes gzipped by the browser (as the server sends a large chunk).
    async fn gzip(bytes: &[u8]) -> Vec<u8> {
        let compress = js_sys::Function::new_with_args(
            "bytes",
            "const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
             return new Response(stream).arrayBuffer().then((b) => new Uint8Array(b));",
        );
        let promise: js_sys::Promise = compress
            .call1(
                &wasm_bindgen::JsValue::NULL,
                &js_sys::Uint8Array::from(bytes).into(),
            )
            .unwrap()
            .into();
        let out = wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
        js_sys::Uint8Array::new(&out).to_vec()
    }

    /// A page framed as the server frames it, each chunk passed through `pack`.
    fn framed(clients: Vec<ClientState>, pack: impl FnMut(&[u8]) -> Vec<u8>) -> FramedPage {
        let page = BootstrapPage {
            format: BOOTSTRAP_FORMAT,
            base: 5,
            clients,
            next: None,
            total: None,
            scope: None,
        };
        FramedPage::read(&page.frame(pack)).unwrap()
    }

    #[wasm_bindgen_test]
    async fn a_bootstrap_pages_gzipped_chunks_are_stored_sealed_as_they_came_and_read() {
        fresh_device().await;
        let db = loaded_db().await;
        let a = client(1);
        let mut fields: Vec<FieldState> = Vec::new();
        let register = |seq: u64, value: serde_json::Value| {
            let mut r = Register::default();
            r.apply(
                ChangeId {
                    device: other_device(),
                    seq,
                },
                &[],
                &value,
            );
            r
        };
        for (n, (field, value)) in yorisoi_domain::sync::fields::client_fields(&a)
            .into_iter()
            .enumerate()
        {
            fields.push(FieldState {
                entity: Entity::Client(a.id),
                client: a.id,
                field,
                register: register(n as u64 + 1, value),
                at: 7,
            });
        }
        let rec = record(&a, 1);
        for (n, (field, value)) in yorisoi_domain::sync::fields::record_fields(&rec)
            .into_iter()
            .enumerate()
        {
            fields.push(FieldState {
                entity: Entity::Record(rec.id),
                client: a.id,
                field,
                register: register(100 + n as u64, value),
                at: 9,
            });
        }
        // Every chunk gzipped, as the server sends a large one.
        let mut texts = Vec::new();
        let page = framed(ClientState::group(fields), |text| {
            texts.push(text.to_vec());
            text.to_vec()
        });
        let mut gzipped = page.clone();
        for (chunk, text) in gzipped.chunks.iter_mut().zip(&texts) {
            *chunk = gzip(text).await;
            assert!(chunk.starts_with(&[0x1f, 0x8b]));
        }
        for (chunk, described) in gzipped.chunks.iter().zip(gzipped.head.chunks.iter_mut()) {
            described.bytes = chunk.len() as u64;
        }
        let mut progress = db.bootstrap_progress().unwrap();
        assert!(db.bootstrapped(gzipped, &mut progress).await.unwrap());
        assert_eq!(db.client(a.id).map(|c| c.name), Some(a.name.clone()));
        // The records come in the background, after the last page.
        for _ in 0..100 {
            if db.client_ready(a.id) {
                break;
            }
            sleep(20).await;
        }
        assert!(db.client_ready(a.id));
        assert_eq!(
            db.record(rec.id).map(|r| r.answers),
            Some(rec.answers.clone())
        );
        // And read the same after a restart.
        let db = loaded_db().await;
        assert_eq!(db.client(a.id).map(|c| c.name), Some(a.name.clone()));
    }

    #[wasm_bindgen_test]
    async fn a_bootstrap_chunk_of_one_client_in_anothers_place_is_set_aside() {
        fresh_device().await;
        let db = loaded_db().await;
        let (a, b) = (client(1), client(2));
        let mut page = bootstrap_page(a.id, "Aの名前", 10, None);
        // The head says B; the chunk holds A's fields.
        page.head.chunks[0].client = b.id;
        let mut progress = db.bootstrap_progress().unwrap();
        db.bootstrapped(page, &mut progress).await.unwrap();
        assert_eq!(db.client(a.id), None, "not read in as A's");
        assert_eq!(db.client(b.id), None, "nor as B's");
        assert!(
            db.set_aside
                .get_untracked()
                .iter()
                .any(|s| s.reason.contains("stored under")),
            "{:?}",
            db.set_aside.get_untracked()
        );
    }

    #[wasm_bindgen_test]
    async fn an_edit_made_during_a_bootstrap_is_kept() {
        fresh_device().await;
        let db = loaded_db().await;
        let a = client(1);
        db.put_client(a.clone());
        let mut progress = db.bootstrap_progress().unwrap();
        // The server's state of the same client arrives after the person typed.
        db.bootstrapped(
            bootstrap_page(a.id, "サーバーの名前", 10, None),
            &mut progress,
        )
        .await
        .unwrap();
        let names: Vec<serde_json::Value> = db
            .conflicts_of(Entity::Client(a.id))
            .into_iter()
            .filter(|(field, _)| field == "name")
            .flat_map(|(_, values)| values.into_iter().map(|(_, v)| v))
            .collect();
        assert!(
            names.contains(&serde_json::json!(a.name))
                && names.contains(&serde_json::json!("サーバーの名前")),
            "both values stay, for a person to choose: {names:?}"
        );
        assert!(
            db.unsent.get_untracked() > 0,
            "the edit is still to be sent"
        );
    }

    #[wasm_bindgen_test]
    async fn pages_pulled_in_a_long_session_are_folded_when_sync_is_quiet() {
        fresh_device().await;
        let db = loaded_db().await;
        let a = client(1).id;
        for n in 1..=12u64 {
            let mut page = synced(a, other_device(), n, "name", &format!("名前 {n}"));
            if n > 1 {
                page.change.base = vec![ChangeId {
                    device: other_device(),
                    seq: n - 1,
                }];
            }
            db.pulled(
                vec![Pulled {
                    seq: n,
                    received_at: 0,
                    change: page.change,
                }],
                n,
                None,
            )
            .await
            .unwrap();
        }
        assert_eq!(chunk_keys().await.len(), 12, "one chunk per pulled page");
        assert_eq!(
            db.fold_gathered().await,
            1,
            "the one client with many chunks"
        );
        let keys = chunk_keys().await;
        assert_eq!(keys.len(), 1, "one snapshot: {keys:?}");
        assert_eq!(db.client(a).map(|c| c.name).as_deref(), Some("名前 12"));
        assert_eq!(db.fold_gathered().await, 0, "nothing more to fold");
        let db = loaded_db().await;
        assert_eq!(
            db.client(a).map(|c| c.name).as_deref(),
            Some("名前 12"),
            "the same after a restart"
        );
    }

    #[wasm_bindgen_test]
    async fn many_pulled_pages_are_folded_into_one_snapshot_after_start_and_read_the_same() {
        fresh_device().await;
        let store = Store::open().await.unwrap();
        let a = client(1).id;
        for n in 1..=12u64 {
            let value = format!("名前 {n}");
            let mut page = synced(a, other_device(), n, "name", &value);
            if n > 1 {
                page.change.base = vec![ChangeId {
                    device: other_device(),
                    seq: n - 1,
                }];
            }
            store.pulled(vec![page], n, None).await.unwrap();
        }
        assert_eq!(chunk_keys().await.len(), 12);
        let db = loaded_db().await;
        assert_eq!(db.client(a).map(|c| c.name).as_deref(), Some("名前 12"));
        // Folded a moment after start.
        sleep(1_500).await;
        let keys = chunk_keys().await;
        assert_eq!(keys.len(), 1, "one snapshot: {keys:?}");
        assert!(
            keys[0].starts_with(&format!("{a}/p/")),
            "the client's own fields: {keys:?}"
        );
        let db = loaded_db().await;
        assert_eq!(
            db.client(a).map(|c| c.name).as_deref(),
            Some("名前 12"),
            "the same after the fold"
        );
        assert_eq!(db.cursor(), 12);
        // A change that replaces a folded one still replaces it.
        let late = synced(a, other_device(), 5, "name", "名前 5");
        db.pulled(
            vec![Pulled {
                seq: 13,
                received_at: 0,
                change: late.change,
            }],
            13,
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            db.client(a).map(|c| c.name).as_deref(),
            Some("名前 12"),
            "an old change read again stays replaced"
        );
    }

    #[wasm_bindgen_test]
    fn a_sealed_value_opens_only_for_its_client_and_place_and_only_with_the_password() {
        LocalStorage::clear();
        unlocked();
        let (a, b) = (client(1).id, client(2).id);
        let sealed = vault::seal(a, "place", "山田 花子".as_bytes()).unwrap();
        assert!(
            !String::from_utf8_lossy(&sealed).contains("山田"),
            "sealed, not plain"
        );
        assert_eq!(
            vault::open(a, "place", &sealed).unwrap(),
            "山田 花子".as_bytes()
        );
        assert!(
            vault::open(b, "place", &sealed).is_err(),
            "another client's key does not open it"
        );
        assert!(
            vault::open(a, "elsewhere", &sealed).is_err(),
            "moved to another place, it does not open"
        );
        // Locked: nothing opens; the right password opens it again, a wrong one does not.
        vault::lock();
        assert_eq!(
            vault::open(a, "place", &sealed),
            Err(vault::VaultError::Locked)
        );
        assert_eq!(
            vault::unlock(person(), "違うパスワード", false),
            Err(vault::VaultError::WrongPassword)
        );
        unlocked();
        assert!(vault::open(a, "place", &sealed).is_ok());
        // A new password wraps the same key: the old one no longer opens it, the new one does.
        vault::rewrap("新しいパスワード").unwrap();
        vault::lock();
        assert_eq!(
            vault::unlock(person(), "テスト用のパスワード", false),
            Err(vault::VaultError::WrongPassword)
        );
        vault::unlock(person(), "新しいパスワード", false).unwrap();
        assert!(vault::open(a, "place", &sealed).is_ok());
        // Nobody's key on a device: no unlock without the server (`create` comes after it).
        LocalStorage::clear();
        vault::lock();
        assert_eq!(
            vault::unlock(person(), "新しいパスワード", false),
            Err(vault::VaultError::NoKey)
        );
    }

    #[wasm_bindgen_test]
    async fn a_clients_records_are_read_after_the_list_and_their_many_chunks_folded() {
        fresh_device().await;
        let store = Store::open().await.unwrap();
        let a = client(1).id;
        let record = RecordId::new_v7(1_795_000_000_000, [3; 10]);
        for n in 1..=12u64 {
            let mut page = synced(a, other_device(), n, "answers.user1.q2", "回答");
            page.change.entity = Entity::Record(record);
            if n > 1 {
                page.change.base = vec![ChangeId {
                    device: other_device(),
                    seq: n - 1,
                }];
            }
            store.pulled(vec![page], n, None).await.unwrap();
        }
        let keys = chunk_keys().await;
        assert!(
            keys.iter().all(|k| k.starts_with(&format!("{a}/c/"))),
            "records' chunks: {keys:?}"
        );
        let db = loaded_db().await;
        assert!(db.client_ready(a), "read in the background after start");
        assert_eq!(
            db.answer_revisions(record, "user1.q2"),
            [ChangeId {
                device: other_device(),
                seq: 12
            }],
            "the newest change is the value"
        );
        let keys = chunk_keys().await;
        assert_eq!(keys.len(), 1, "folded into one snapshot: {keys:?}");
        assert!(keys[0].starts_with(&format!("{a}/s/k")), "{keys:?}");
        let again = loaded_db().await;
        assert_eq!(
            again.answer_revisions(record, "user1.q2"),
            [ChangeId {
                device: other_device(),
                seq: 12
            }]
        );
    }

    #[wasm_bindgen_test]
    async fn a_large_value_sealed_by_the_browser_opens_only_for_its_client_and_place() {
        LocalStorage::clear();
        unlocked();
        let (a, b) = (client(1).id, client(2).id);
        let plain = "山田 花子".repeat(10_000);
        let sealed = vault::seal_bulk(a, "a/s/b1", plain.as_bytes())
            .await
            .unwrap();
        assert!(
            !String::from_utf8_lossy(&sealed).contains("山田"),
            "sealed, not plain"
        );
        assert_eq!(
            vault::open_bulk(a, "a/s/b1", &sealed).await.unwrap(),
            plain.as_bytes()
        );
        assert!(
            vault::open_bulk(b, "a/s/b1", &sealed).await.is_err(),
            "another client's key"
        );
        assert!(
            vault::open_bulk(a, "a/s/b2", &sealed).await.is_err(),
            "another place"
        );
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(
            vault::open_bulk(a, "a/s/b1", &tampered).await.is_err(),
            "a changed byte"
        );
        vault::lock();
        assert_eq!(
            vault::open_bulk(a, "a/s/b1", &sealed).await,
            Err(vault::VaultError::Locked)
        );
    }

    #[wasm_bindgen_test]
    async fn a_device_of_the_release_before_chunks_upgrades_with_nothing_lost() {
        #[derive(serde::Deserialize)]
        struct Fixture {
            local_storage: std::collections::BTreeMap<String, String>,
            indexeddb: Indexeddb,
        }
        #[derive(serde::Deserialize)]
        struct Indexeddb {
            changes: std::collections::BTreeMap<String, String>,
            cursor: u64,
        }
        let fixture: Fixture =
            serde_json::from_str(include_str!("fixtures/device-before-chunks.json")).unwrap();
        LocalStorage::clear();
        unlocked();
        Idb::delete().await.unwrap();
        let old = Idb::open_version(1).await.unwrap();
        let entries: Vec<(String, String)> =
            fixture.indexeddb.changes.clone().into_iter().collect();
        old.write_legacy(&entries, fixture.indexeddb.cursor)
            .await
            .unwrap();
        old.close();
        for (key, value) in &fixture.local_storage {
            LocalStorage::raw().set_item(key, value).unwrap();
        }

        let db = loaded_db().await;
        let client_id: ClientId = "01a1ee56-5e00-7303-8303-030303030303".parse().unwrap();
        let shown = db.client(client_id).expect("the synced client is there");
        assert_eq!(shown.name, "移行 太郎");
        assert_eq!(shown.workplace, "株式会社みなと 物流センター");
        assert_eq!(
            shown.notes, "未送信のメモ",
            "the unsent edit over the synced one"
        );
        assert_eq!(
            db.unsent.get_untracked(),
            1,
            "the unsent change is still to be sent"
        );
        assert_eq!(db.cursor(), 5, "the pull goes on where it was");
        assert_eq!(
            db.bootstrap_progress(),
            None,
            "a device that pulled never bootstraps"
        );
        let history = db.history_of(Entity::Client(client_id));
        assert_eq!(
            history.len(),
            6,
            "every change's history is kept: {history:?}"
        );

        // Moved into chunks, and the old store emptied, once the start is done.
        sleep(300).await;
        let contents = Idb::open().await.unwrap().load(|_| true).await.unwrap();
        assert!(contents.legacy.is_empty(), "the old entries were moved");
        assert_eq!(contents.chunks.len(), 1, "one chunk for the one client");
        let again = loaded_db().await;
        assert_eq!(
            again.client(client_id),
            Some(shown),
            "the same after the move"
        );
        assert_eq!(again.history_of(Entity::Client(client_id)).len(), 6);
        assert_eq!(again.cursor(), 5);
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
