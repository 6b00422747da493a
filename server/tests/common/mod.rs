//! What the server's integration tests share: a fresh database of each backend this run can
//! reach, and people signed in on devices.
#![allow(dead_code)]

use yorisoi_domain::accounts::Role;
use yorisoi_domain::ids::{DeviceId, PersonId};
use yorisoi_domain::sync::protocol::PushRequest;
use yorisoi_server::db::{Db, PersonRow, Scope};

/// A fresh database of each backend this run can reach, with a name for messages.
pub async fn databases() -> Vec<(&'static str, Db, tempfile::TempDir)> {
    let mut all = Vec::new();
    for (name, url, dir) in database_urls().await {
        all.push((name, Db::open(&url).await.unwrap(), dir));
    }
    all
}

/// The URL of a fresh, empty database of each backend this run can reach (nothing migrated).
pub async fn database_urls() -> Vec<(&'static str, String, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("db.sqlite3").display());
    let mut all = vec![("sqlite", sqlite, dir)];
    match std::env::var("YORISOI_TEST_POSTGRES_URL") {
        Ok(admin) => {
            // A database of its own per test, so tests running side by side never meet.
            let name = format!("yorisoi_{}", uuid_like());
            let pool = sqlx::PgPool::connect(&admin)
                .await
                .expect("the test PostgreSQL answers");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            let url = match admin.rsplit_once('/') {
                Some((server, _)) => format!("{server}/{name}"),
                None => unreachable!("a postgres URL has a path"),
            };
            all.push(("postgres", url, tempfile::tempdir().unwrap()));
        }
        Err(_) => eprintln!(
            "PostgreSQL not tested: set YORISOI_TEST_POSTGRES_URL (cargo xtask test does)"
        ),
    }
    all
}

pub fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos:x}_{}", std::process::id())
}

/// Who pushes `request` when a test does not care: the office on the request's device.
pub fn office(request: &PushRequest) -> Scope {
    Scope {
        person: PersonId(uuid::Uuid::nil()),
        role: Role::Office,
        device: request.device,
    }
}

/// A person with `role` (login `login`, password `correct horse battery`), signed in on
/// `device`: their id and the `Cookie` header value of their session.
pub async fn session(db: &Db, login: &str, role: Role, device: DeviceId) -> (PersonId, String) {
    let person = match db.person_by_login(login).await.unwrap() {
        Some(person) => person,
        None => {
            let person = PersonRow::new(
                login.to_owned(),
                format!("{login} さん"),
                role,
                yorisoi_server::auth::hash_password(PASSWORD),
            );
            assert!(db.add_person(&person, 1).await.unwrap());
            person
        }
    };
    let token = yorisoi_server::auth::new_token();
    let now = yorisoi_server::auth::now_ms();
    db.start_session(
        &yorisoi_server::auth::token_hash(&token),
        person.id,
        device,
        now,
        now + 14 * 24 * 3600 * 1000,
    )
    .await
    .unwrap();
    (
        person.id,
        format!("{}={token}", yorisoi_server::auth::COOKIE),
    )
}

pub const PASSWORD: &str = "correct horse battery";
