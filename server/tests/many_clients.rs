//! A coach with more clients than one SQL statement takes parameters (PostgreSQL: 65,535): a
//! pull and a bootstrap name the scope by its person, never a parameter per client, and a
//! hand-over of tens of thousands of clients comes a page of clients at a time, each with its
//! history, on every database the run can reach.

use serde_json::json;
use yorisoi_domain::accounts::Role;
use yorisoi_domain::ids::{ClientId, PersonId};
use yorisoi_domain::sync::protocol::{BOOTSTRAP_FORMAT, unframe};
use yorisoi_server::db::ENTER_PAGE;

mod common;
mod support;
use support::*;

/// More clients than PostgreSQL binds in one statement.
const MANY: u32 = 70_000;
/// More clients than one hand-over brings with their history.
const SEVERAL: u32 = 5_000;

/// Assigns `count` clients with nothing on the server (ids under `prefix`) to `person`, and
/// `also`, straight in the database: making them one by one through the API would take minutes.
async fn assign_many(
    raw: &Raw,
    name: &str,
    person: PersonId,
    prefix: u32,
    count: u32,
    also: ClientId,
) {
    let client = match name {
        "sqlite" => format!("printf('{prefix:08x}-0000-7000-8000-%012d', i)"),
        _ => format!("'{prefix:08x}-0000-7000-8000-' || lpad(i::text, 12, '0')"),
    };
    raw.execute(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
         INSERT INTO assignments (person, client, assigned_at) SELECT '{person}', {client}, 0 FROM n"
    ))
    .await
    .unwrap();
    raw.execute(&format!(
        "INSERT INTO assignments (person, client, assigned_at) VALUES ('{person}', '{also}', 0)"
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn a_coach_with_seventy_thousand_clients_pulls_and_bootstraps() {
    for (name, db, url, dir) in databases_with_urls().await {
        let state = state(&db, &dir);
        let mut office = Tablet::new(&db, "office", Role::Office).await;
        let coach = Tablet::new(&db, "coach", Role::Coach).await;
        let x = new_client();
        let created = office.new_client(x);
        office.push(&state, created.clone()).await;
        assign_many(&Raw::open(&url).await, name, coach.person, 1, MANY, x).await;

        let (changes, hand_overs) = coach.sync(&state, 0, 500).await;
        assert_eq!(changes, created, "{name}: the one client with data arrives");
        let entered: usize = hand_overs.iter().map(|h| h.entered.len()).sum();
        assert_eq!(
            entered,
            MANY as usize + 1,
            "{name}: every client is handed over"
        );

        db.catch_up_state().await.unwrap();
        let other = Tablet::new(&db, "coach", Role::Coach).await;
        let reply = get(format!("/api/v1/sync/bootstrap?format={BOOTSTRAP_FORMAT}"))
            .cookie(Some(&other.cookie))
            .send(&state)
            .await;
        assert_eq!(reply.status, 200, "{name}: {}", reply.text);
        let (head, _) = unframe(&reply.bytes).unwrap();
        assert_eq!(head.total, Some(2), "{name}: the client's two fields");
    }
}

#[tokio::test]
async fn thousands_of_clients_handed_to_a_synced_coach_arrive_a_page_at_a_time_with_their_history()
{
    for (name, db, url, dir) in databases_with_urls().await {
        let state = state(&db, &dir);
        let mut office = Tablet::new(&db, "office", Role::Office).await;
        let coach = Tablet::new(&db, "coach", Role::Coach).await;
        let (x, y) = (new_client(), new_client());
        let created = office.new_client(x);
        office.push(&state, created).await;
        let mut history = office.new_client(y);
        history.push(office.change(y, "notes", json!("受け渡し前のメモ")));
        office.push(&state, history.clone()).await;
        let raw = Raw::open(&url).await;
        raw.execute(&format!(
            "INSERT INTO assignments (person, client, assigned_at) VALUES ('{}', '{x}', 0)",
            coach.person
        ))
        .await
        .unwrap();
        let first = coach.pull(&state, 0, 0).await;
        let confirmed = first.scope.as_ref().map(|h| h.token).unwrap();
        assert!(first.cursor > 0, "{name}");
        let after = coach.pull(&state, first.cursor, confirmed).await;
        assert!(after.scope.is_none(), "{name}: x is held");

        // y's changes are below the cursor: they come as the hand-over's history.
        assign_many(&raw, name, coach.person, 2, SEVERAL, y).await;
        let mut since = first.cursor;
        let mut token = confirmed;
        let mut received = Vec::new();
        let mut pages = Vec::new();
        loop {
            let page = coach.pull(&state, since, token).await;
            received.extend(page.changes.iter().map(|p| p.change.clone()));
            if let Some(hand_over) = &page.scope {
                token = hand_over.token;
                pages.push(hand_over.entered.len());
            }
            since = page.cursor;
            if !page.more {
                break;
            }
            assert!(pages.len() < 100, "{name}: the hand-over ends");
        }
        assert_eq!(received, history, "{name}: y's whole history, once");
        assert!(
            pages.iter().all(|&n| n <= ENTER_PAGE),
            "{name}: a page of clients at a time: {pages:?}"
        );
        assert_eq!(pages.iter().sum::<usize>(), SEVERAL as usize + 1, "{name}");
        assert_eq!(
            pages.len(),
            (SEVERAL as usize + 1).div_ceil(ENTER_PAGE),
            "{name}"
        );
        let last = coach.pull(&state, since, token).await;
        assert!(
            last.scope.is_none() && last.changes.is_empty(),
            "{name}: all confirmed"
        );
    }
}
