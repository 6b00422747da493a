//! Two server processes on one PostgreSQL database, as an agency runs them behind one proxy:
//! whatever one instance is told, the other knows. Sessions, the change log and its order live
//! in the database, never in a process.
//!
//! Needs `YORISOI_TEST_POSTGRES_URL` (a superuser's URL; `cargo xtask test` sets it); each test
//! makes a database of its own there.

use serde_json::{Value, json};
use std::collections::HashSet;
use yorisoi_e2e::{Server, api_session, dist, log_from, new_device_id};

/// A fresh, empty database on the test PostgreSQL, or `None` (with a note) when there is none.
async fn fresh_database() -> Option<String> {
    let Ok(admin) = std::env::var("YORISOI_TEST_POSTGRES_URL") else {
        eprintln!("not tested: set YORISOI_TEST_POSTGRES_URL (cargo xtask test does)");
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!("yorisoi_e2e_{nanos:x}_{}", std::process::id());
    let pool = sqlx::PgPool::connect(&admin)
        .await
        .expect("the test PostgreSQL answers");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let (server, _) = admin
        .rsplit_once('/')
        .expect("a postgres URL names a database");
    Some(format!("{server}/{name}"))
}

/// Two instances, each with a data folder of its own, on the one database `url`; started at the
/// same moment, as a service manager starts them (both find an empty database and migrate it).
struct Instances {
    one: Server,
    two: Server,
    _data: [tempfile::TempDir; 2],
}

impl Instances {
    async fn start(url: &str) -> Self {
        let data = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        let dist = dist();
        let flags = ["--database-url", url];
        let (one, two) = tokio::join!(
            Server::start_with(&dist, data[0].path(), &flags),
            Server::start_with(&dist, data[1].path(), &flags),
        );
        one.add_person("coach", "coach");
        one.add_person("office", "office");
        Self {
            one,
            two,
            _data: data,
        }
    }
}

/// `GET /api/v1/session` at `server` with `cookie`: the status and the body.
async fn who(server: &Server, cookie: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new().get(server.url("/api/v1/session"));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_begun_on_one_instance_works_on_the_other_and_ends_on_both() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let it = Instances::start(&url).await;
    let cookie = api_session(&it.one.url(""), "coach", &new_device_id()).await;

    assert_eq!(who(&it.two, None).await.0, 401, "no cookie, no session");
    let (status, me) = who(&it.two, Some(&cookie)).await;
    assert_eq!(status, 200, "the other instance knows the session: {me}");
    assert_eq!(me["login"], "coach", "{me}");

    let out = reqwest::Client::new()
        .delete(it.two.url("/api/v1/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success(), "signing out: {}", out.status());
    let (status, body) = who(&it.one, Some(&cookie)).await;
    assert_eq!(status, 401, "signed out on one, signed out on both: {body}");
    assert_eq!(who(&it.two, Some(&cookie)).await.0, 401);
}

/// One writer device's changes to one record: the instrument first, then answers.
struct Writer {
    device: String,
    record: String,
    client: String,
    cookie: String,
    seq: u64,
}

impl Writer {
    async fn sign_in(through: &Server, n: u8) -> Self {
        let device = new_device_id();
        Self {
            cookie: api_session(&through.url(""), "office", &device).await,
            device,
            record: format!("01a1ee56-5e00-7d00-8d00-0000000000{n:02}"),
            client: format!("01a1ee56-5e00-7c00-8c00-0000000000{n:02}"),
            seq: 0,
        }
    }

    fn change(&mut self, field: &str, value: Value) -> Value {
        self.seq += 1;
        json!({
            "id": {"device": self.device, "seq": self.seq},
            "entity": {"type": "record", "id": self.record},
            "client": self.client,
            "field": field,
            "base": [],
            "value": value,
        })
    }

    fn opening(&mut self) -> Value {
        let catalogue = yorisoi_domain::catalogue::Catalogue::builtin().unwrap();
        let msfas = serde_json::to_value(catalogue.latest("msfas").unwrap().reference()).unwrap();
        self.change("instrument", msfas)
    }

    fn answers(&mut self, count: usize) -> Vec<Value> {
        (0..count)
            .map(|_| {
                let text = format!("{} の回答 {}", self.device, self.seq + 1);
                self.change("answers.user1.q2", json!({"type": "text", "lines": [text]}))
            })
            .collect()
    }

    async fn push(&self, http: &reqwest::Client, through: &Server, changes: Vec<Value>) {
        let response = http
            .post(through.url("/api/v1/sync/push"))
            .header("cookie", &self.cookie)
            .json(&json!({"format": 1, "device": self.device, "changes": changes}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        let answer: Value = response.json().await.unwrap();
        assert!(answer["refused"].is_null(), "{answer}");
        assert_eq!(answer["acked_through"], self.seq, "{answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_pushed_through_one_instance_is_pulled_through_the_other() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let it = Instances::start(&url).await;
    let http = reqwest::Client::new();
    let mut writer = Writer::sign_in(&it.one, 1).await;
    let mut batch = vec![writer.opening()];
    batch.extend(writer.answers(1));
    writer.push(&http, &it.one, batch).await;

    let reader = api_session(&it.two.url(""), "office", &new_device_id()).await;
    let log = log_from(|path| it.two.url(path), &reader).await;
    let ids: Vec<(&str, u64)> = log
        .iter()
        .map(|p| {
            let id = &p["change"]["id"];
            (id["device"].as_str().unwrap(), id["seq"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(
        ids,
        [(writer.device.as_str(), 1), (writer.device.as_str(), 2)],
        "{log:#?}"
    );
    assert_eq!(
        log[1]["change"]["value"]["lines"][0],
        format!("{} の回答 2", writer.device)
    );
}

/// Two devices push at the same time, each through its own instance, while a third device pulls
/// through the second instance again and again from where it left off. The server's sequence is
/// one for both instances: the reader gets every change exactly once, in rising order, and
/// never passes over one that commits late.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pushes_through_both_instances_at_once_make_one_log_that_a_reader_never_skips() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let it = std::sync::Arc::new(Instances::start(&url).await);
    const BATCHES: usize = 40;
    const PER_BATCH: usize = 20;
    let mut writers = Vec::new();
    for n in [1u8, 2] {
        let through = if n == 1 { &it.one } else { &it.two };
        let mut writer = Writer::sign_in(through, n).await;
        let it = it.clone();
        writers.push(tokio::spawn(async move {
            let through = if n == 1 { &it.one } else { &it.two };
            let http = reqwest::Client::new();
            let opening = writer.opening();
            writer.push(&http, through, vec![opening]).await;
            for _ in 0..BATCHES {
                let batch = writer.answers(PER_BATCH);
                writer.push(&http, through, batch).await;
            }
            writer.device
        }));
    }

    let reader = api_session(&it.two.url(""), "office", &new_device_id()).await;
    let http = reqwest::Client::new();
    let mut pulled: Vec<Value> = Vec::new();
    let mut since = 0;
    let mut pulls = 0;
    // Pull rounds that found new changes while the writers were still pushing.
    let mut rounds_while_pushing = 0;
    loop {
        let done = writers.iter().all(|w| w.is_finished());
        // After the writers finish, one more round reads whatever they committed last.
        let before = pulled.len();
        loop {
            let page: Value = http
                .get(
                    it.two
                        .url(&format!("/api/v1/sync/pull?format=1&since={since}")),
                )
                .header("cookie", &reader)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            pulls += 1;
            pulled.extend(page["changes"].as_array().unwrap().iter().cloned());
            since = page["cursor"].as_u64().unwrap();
            if !page["more"].as_bool().unwrap() {
                break;
            }
        }
        if done {
            break;
        }
        if pulled.len() > before {
            rounds_while_pushing += 1;
        }
    }
    let mut devices = Vec::new();
    for writer in writers {
        devices.push(writer.await.unwrap());
    }

    assert!(
        rounds_while_pushing > 1,
        "the reader pulled while both instances took pushes ({rounds_while_pushing} rounds)"
    );
    // The two devices' pushes interleave in the server's order: both instances wrote at once.
    let switches = pulled
        .windows(2)
        .filter(|w| w[0]["change"]["id"]["device"] != w[1]["change"]["id"]["device"])
        .count();
    eprintln!("{pulls} pulls, {rounds_while_pushing} rounds while pushing, {switches} switches");
    assert!(
        switches >= 4,
        "the instances took pushes at the same time ({switches} switches between devices)"
    );
    let per_writer = 1 + BATCHES * PER_BATCH;
    assert_eq!(
        pulled.len(),
        2 * per_writer,
        "every change, once ({pulls} pulls)"
    );
    let seqs: Vec<u64> = pulled.iter().map(|p| p["seq"].as_u64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "the server's order rises: {seqs:?}"
    );
    let ids: HashSet<(String, u64)> = pulled
        .iter()
        .map(|p| {
            let id = &p["change"]["id"];
            (
                id["device"].as_str().unwrap().to_owned(),
                id["seq"].as_u64().unwrap(),
            )
        })
        .collect();
    for device in &devices {
        for seq in 1..=per_writer as u64 {
            assert!(
                ids.contains(&(device.clone(), seq)),
                "{device} #{seq} was pulled"
            );
        }
    }
    // Both instances read the same log.
    let one = log_from(|path| it.one.url(path), &reader).await;
    assert_eq!(one, pulled);
}
