//! An erase that erases: after 消去, no byte of the client's name or answers is left in any file
//! of the data folder (the database, its write-ahead log, while the server runs and after a
//! clean stop), and a client with records but no name can be erased like any other.

use axum::http::StatusCode;
use serde_json::{Value, json};
use yorisoi_domain::accounts::{ClientEntry, Role};
use yorisoi_domain::ids::{ClientId, RecordId};
use yorisoi_domain::privacy::Erased;
use yorisoi_domain::sync::{Change, ChangeId, Entity};
use yorisoi_server::db::Db;

mod common;
mod support;
use support::*;

/// The forms a text can take in a file: UTF-8 as it is, and JSON's `\u` escapes (lower and
/// upper case hex) of everything beyond ASCII.
fn forms(text: &str) -> Vec<Vec<u8>> {
    let escaped = |upper: bool| {
        let mut out = String::new();
        for unit in text.encode_utf16() {
            match unit {
                0x20..=0x7e => out.push(char::from(unit as u8)),
                _ if upper => out.push_str(&format!("\\u{unit:04X}")),
                _ => out.push_str(&format!("\\u{unit:04x}")),
            }
        }
        out.into_bytes()
    };
    vec![text.as_bytes().to_vec(), escaped(false), escaped(true)]
}

/// Every file of `dir` (and below) that holds one of `secrets`, in any form, with which.
fn found_in(dir: &std::path::Path, secrets: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for secret in secrets {
                if forms(secret)
                    .iter()
                    .any(|form| bytes.windows(form.len()).any(|w| w == form.as_slice()))
                {
                    found.push(format!("{} holds {secret:?}", path.display()));
                }
            }
        }
    }
    found
}

fn record_change(
    tablet: &mut Tablet,
    client: ClientId,
    record: RecordId,
    field: &str,
    value: Value,
) -> Change {
    let seq = tablet.next_seq;
    tablet.next_seq += 1;
    Change {
        id: ChangeId {
            device: tablet.device,
            seq,
        },
        entity: Entity::Record(record),
        client,
        field: field.into(),
        base: vec![],
        value,
    }
}

fn msfas() -> Value {
    let catalogue = yorisoi_domain::catalogue::Catalogue::builtin().unwrap();
    serde_json::to_value(catalogue.latest("msfas").unwrap().reference()).unwrap()
}

fn text(words: &str) -> Value {
    json!({"type": "text", "lines": [words]})
}

/// A client with a record, written and edited as a coach's tablet would over weeks: every name
/// and answer it ever had (the secrets an erase must leave nowhere).
fn a_client_written_and_edited(
    tablet: &mut Tablet,
    client: ClientId,
    tag: &str,
    rounds: usize,
) -> (Vec<Change>, Vec<String>) {
    let record = RecordId(uuid::Uuid::now_v7());
    let mut secrets = Vec::new();
    let mut changes = Vec::new();
    for round in 0..rounds {
        let name = format!("{tag}名前{round}号 さん");
        changes.push(tablet.change(client, "name", json!(name)));
        secrets.push(name);
        if round == 0 {
            changes.push(tablet.change(client, "created_at", json!(1)));
            changes.push(record_change(tablet, client, record, "instrument", msfas()));
        }
        let notes = format!("{tag}の覚え書き{round}、駅から歩いて十分");
        changes.push(tablet.change(client, "notes", json!(notes)));
        secrets.push(notes);
        for q in ["q2", "q5"] {
            let answer = format!("{tag}回答{q}版{round}、慣れた作業のときは落ち着いている");
            changes.push(record_change(
                tablet,
                client,
                record,
                &format!("answers.user1.{q}"),
                text(&answer),
            ));
            secrets.push(answer);
        }
    }
    (changes, secrets)
}

#[tokio::test]
async fn after_an_erase_no_file_of_the_data_folder_holds_the_clients_name_or_answers() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("yorisoi.sqlite3").display());
    let db = Db::open(&url).await.unwrap();
    let state = state(&db, &dir);
    let admin = Tablet::new(&db, "admin", Role::Admin).await;
    let mut coach = Tablet::new(&db, "coach", Role::Coach).await;
    let mut stranger = Tablet::new(&db, "stranger", Role::Coach).await;

    // Other clients around it, so that its rows share pages with rows that stay.
    for n in 0..20 {
        let (changes, _) =
            a_client_written_and_edited(&mut coach, new_client(), &format!("他{n}"), 2);
        let pushed = coach.push(&state, changes).await;
        assert!(pushed.refused.is_empty(), "{:?}", pushed.refused);
    }
    // The client, written and edited in many pushes (each edit a row, a field state updated).
    let client = new_client();
    let (changes, secrets) = a_client_written_and_edited(&mut coach, client, "消す人", 12);
    for batch in changes.chunks(7) {
        let pushed = coach.push(&state, batch.to_vec()).await;
        assert!(pushed.refused.is_empty(), "{:?}", pushed.refused);
        db.catch_up_state().await.unwrap();
    }
    // A change set aside for it, with a value of its own.
    let aside = "消す人への余所のメモ".to_string();
    let late = stranger.change(client, "notes", json!(aside));
    let pushed = stranger.push(&state, vec![late]).await;
    assert_eq!(pushed.refused.len(), 1);
    // More clients after it.
    for n in 20..30 {
        let (changes, _) =
            a_client_written_and_edited(&mut coach, new_client(), &format!("他{n}"), 2);
        coach.push(&state, changes).await;
    }
    db.catch_up_state().await.unwrap();
    let mut secrets = secrets;
    secrets.push(aside);
    assert!(
        !found_in(dir.path(), &secrets).is_empty(),
        "the test's secrets are in the folder before the erase (else it proves nothing)"
    );

    let reply = post(format!("/api/v1/clients/{client}/stop"))
        .cookie(Some(&admin.cookie))
        .send(&state)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let newest = "消す人名前11号 さん";
    let started = std::time::Instant::now();
    let reply = post(format!("/api/v1/clients/{client}/erase"))
        .cookie(Some(&admin.cookie))
        .json(&json!({"name": newest}))
        .send(&state)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    eprintln!("the erase took {:?}", started.elapsed());

    // While the server runs (its write-ahead log in place), and after a clean stop.
    let running = found_in(dir.path(), &secrets);
    assert!(running.is_empty(), "running:\n{}", running.join("\n"));
    // The other clients are whole.
    let reply = get("/api/v1/clients")
        .cookie(Some(&admin.cookie))
        .send(&state)
        .await;
    let clients: Vec<ClientEntry> = reply.json();
    assert_eq!(clients.len(), 30, "{clients:?}");
    db.close().await;
    drop(state);
    let stopped = found_in(dir.path(), &secrets);
    assert!(
        stopped.is_empty(),
        "after a clean stop:\n{}",
        stopped.join("\n")
    );
    let reopened = Db::open(&url).await.unwrap();
    assert!(reopened.check_audit().await.unwrap().broken.is_none());
    reopened.close().await;
}

/// The bytes of every file of `tables` (their main fork, every segment; a test's are small), read by the
/// PostgreSQL server itself (`pg_read_binary_file`, superuser) after a checkpoint, so what sits
/// in shared buffers is on disk too.
async fn table_files(pool: &sqlx::PgPool, tables: &[&str]) -> Vec<(String, Vec<u8>)> {
    sqlx::raw_sql("CHECKPOINT").execute(pool).await.unwrap();
    let mut files = Vec::new();
    for table in tables {
        let path: String = sqlx::query_scalar("SELECT pg_relation_filepath($1::regclass)")
            .bind(*table)
            .fetch_one(pool)
            .await
            .unwrap();
        for segment in 0.. {
            let file = if segment == 0 {
                path.clone()
            } else {
                format!("{path}.{segment}")
            };
            let bytes: Option<Vec<u8>> =
                sqlx::query_scalar("SELECT pg_read_binary_file($1, 0, 268435456, true)")
                    .bind(&file)
                    .fetch_one(pool)
                    .await
                    .unwrap();
            match bytes {
                Some(bytes) => files.push((format!("{table} ({file})"), bytes)),
                None => break,
            }
        }
    }
    files
}

fn holding(files: &[(String, Vec<u8>)], secrets: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (file, bytes) in files {
        for secret in secrets {
            if forms(secret)
                .iter()
                .any(|form| bytes.windows(form.len()).any(|w| w == form.as_slice()))
            {
                found.push(format!("{file} holds {secret:?}"));
            }
        }
    }
    found
}

/// PostgreSQL: after an erase no file of the tables it deleted from holds a byte of the client's
/// names or answers (a plain VACUUM would leave them in the files' free space).
#[tokio::test]
async fn after_an_erase_on_postgres_no_table_file_holds_the_clients_name_or_answers() {
    for (name, db, url, dir) in databases_with_urls().await {
        if name != "postgres" {
            continue;
        }
        let state = state(&db, &dir);
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let mut coach = Tablet::new(&db, "coach", Role::Coach).await;
        for n in 0..10 {
            let (changes, _) =
                a_client_written_and_edited(&mut coach, new_client(), &format!("他{n}"), 2);
            coach.push(&state, changes).await;
        }
        let client = new_client();
        let (changes, secrets) = a_client_written_and_edited(&mut coach, client, "消す人", 6);
        for batch in changes.chunks(5) {
            coach.push(&state, batch.to_vec()).await;
            db.catch_up_state().await.unwrap();
        }
        let tables = ["changes", "state", "entities", "quarantine", "assignments"];
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        assert!(
            !holding(&table_files(&pool, &tables).await, &secrets).is_empty(),
            "the secrets are in the files before the erase (else the test proves nothing)"
        );
        post(format!("/api/v1/clients/{client}/stop"))
            .cookie(Some(&admin.cookie))
            .send(&state)
            .await;
        let reply = post(format!("/api/v1/clients/{client}/erase"))
            .cookie(Some(&admin.cookie))
            .json(&json!({"name": "消す人名前5号 さん"}))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        let found = holding(&table_files(&pool, &tables).await, &secrets);
        assert!(found.is_empty(), "after the erase:\n{}", found.join("\n"));
        pool.close().await;
    }
}

/// A client whose records reached the server but whose name never did: it is listed (nameless),
/// and erased once stopped, confirmed with its id; afterwards, erased already.
#[tokio::test]
async fn a_client_with_records_but_no_name_is_erased() {
    for (name, db, url, dir) in databases_with_urls().await {
        let state = state(&db, &dir);
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let mut coach = Tablet::new(&db, "coach", Role::Coach).await;
        let client = new_client();
        let record = RecordId(uuid::Uuid::now_v7());
        let changes = vec![
            record_change(&mut coach, client, record, "instrument", msfas()),
            record_change(
                &mut coach,
                client,
                record,
                "answers.user1.q2",
                text("名無しの答え"),
            ),
        ];
        let pushed = coach.push(&state, changes).await;
        assert!(pushed.refused.is_empty(), "{name}: {:?}", pushed.refused);
        let as_admin = |call: Call| call.cookie(Some(&admin.cookie));
        let clients: Vec<ClientEntry> = as_admin(get("/api/v1/clients")).send(&state).await.json();
        assert!(
            clients.iter().any(|c| c.id == client && c.name.is_empty()),
            "{name}: listed, nameless: {clients:?}"
        );
        let reply = as_admin(post(format!("/api/v1/clients/{client}/stop")))
            .send(&state)
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let erase = |typed: String| {
            as_admin(post(format!("/api/v1/clients/{client}/erase")).json(&json!({"name": typed})))
        };
        let reply = erase("".into()).send(&state).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{name}: {}",
            reply.text
        );
        let reply = erase(client.to_string()).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let erased: Erased = reply.json();
        assert_eq!(erased.changes, 2, "{name}");
        let raw = Raw::open(&url).await;
        assert!(
            !raw.dump("changes").await.contains(&client.to_string()),
            "{name}"
        );
        let reply = erase(client.to_string()).send(&state).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::CONFLICT, "conflict"),
            "{name}: {}",
            reply.text
        );
        assert!(
            reply.text.contains("erased already"),
            "{name}: {}",
            reply.text
        );
    }
}
