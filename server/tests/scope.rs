//! Whose clients a person may write and read, through the real router on every database the run
//! can reach: a coach's writes outside their clients are set aside for an administrator to
//! decide, a coach's new client is theirs, a coach's pulls carry their clients only, and clients
//! handed to or taken from a coach arrive whole or leave, until the device confirms. And someone
//! must always be able to manage the agency.

use axum::http::StatusCode;
use serde_json::json;
use std::collections::BTreeSet;
use yorisoi_domain::accounts::{ClientEntry, Decision, Person, Role};
use yorisoi_domain::ids::{ClientId, PersonId};
use yorisoi_domain::sync::check::Refusal;
use yorisoi_domain::sync::quarantine::{SetAsideEntry, SetAsidePage};

use yorisoi_domain::sync::{Change, ChangeId};
use yorisoi_server::AppState;

mod common;
mod support;
use support::*;

fn ids(changes: &[Change]) -> Vec<ChangeId> {
    changes.iter().map(|c| c.id).collect()
}

fn clients_of(changes: &[Change]) -> BTreeSet<ClientId> {
    changes.iter().map(|c| c.client).collect()
}

/// An administrator's request.
async fn as_admin(state: &AppState, admin: &Tablet, call: Call) -> Reply {
    call.cookie(Some(&admin.cookie)).send(state).await
}

async fn people(state: &AppState, admin: &Tablet) -> Vec<Person> {
    as_admin(state, admin, get("/api/v1/people")).await.json()
}

async fn set_aside(state: &AppState, admin: &Tablet) -> Vec<SetAsideEntry> {
    let page: SetAsidePage = as_admin(state, admin, get("/api/v1/quarantine"))
        .await
        .json();
    page.entries
}

fn assignment(person: PersonId, client: ClientId) -> serde_json::Value {
    json!({"person": person, "client": client})
}

#[tokio::test]
async fn a_push_for_another_coachs_client_is_set_aside_and_an_admin_accepts_or_discards_it() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let office = Tablet::new(&db, "office", Role::Office).await;
        let mut a = Tablet::new(&db, "coach-a", Role::Coach).await;
        let mut b = Tablet::new(&db, "coach-b", Role::Coach).await;
        let x = new_client();
        let created = a.new_client(x);
        assert!(a.push(&state, created).await.refused.is_empty(), "{name}");

        let notes = b.change(x, "notes", json!("B が書いたメモ"));
        let workplace = b.change(x, "workplace", json!("倉庫"));
        let pushed = b.push(&state, vec![notes.clone(), workplace.clone()]).await;
        assert_eq!(pushed.acked_through, 2, "{name}: set aside is acknowledged");
        assert_eq!(
            pushed
                .refused
                .iter()
                .map(|r| (r.id, &r.refusal))
                .collect::<Vec<_>>(),
            [
                (notes.id, &Refusal::NotInScope),
                (workplace.id, &Refusal::NotInScope)
            ],
            "{name}"
        );
        let logged = log(&db).await;
        assert!(
            !logged.contains(&notes.id) && !logged.contains(&workplace.id),
            "{name}: not in the log"
        );
        let reply = as_admin(&state, &admin, get("/api/v1/quarantine")).await;
        assert!(
            !reply.text.contains("B が書いたメモ"),
            "{name}: the admin's list holds no value: {}",
            reply.text
        );
        let aside = set_aside(&state, &admin).await;
        let find = |aside: &[SetAsideEntry], id: ChangeId| {
            aside
                .iter()
                .find(|s| s.change_id == id)
                .cloned()
                .unwrap_or_else(|| panic!("{name}: {id:?} is listed: {aside:?}"))
        };
        let (notes_aside, workplace_aside) = (find(&aside, notes.id), find(&aside, workplace.id));
        assert_eq!(
            (
                notes_aside.refusal.clone(),
                notes_aside.decision,
                notes_aside.field.as_str(),
                notes_aside.client_name.as_deref(),
                notes_aside.pushed_by,
                notes_aside.pushed_device,
            ),
            (
                Refusal::NotInScope,
                None,
                "notes",
                Some("山田 花子"),
                Some(b.person),
                Some(b.device)
            ),
            "{name}: the admin sees whose, what, who and why"
        );

        // Not while B may not write X: accepting never writes in B's name what B may not.
        let accept = |id: i64| post(format!("/api/v1/quarantine/{id}/accept"));
        let discard = |id: i64| post(format!("/api/v1/quarantine/{id}/discard"));
        let reply = as_admin(&state, &admin, accept(notes_aside.id)).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::CONFLICT, "conflict"),
            "{name}: {}",
            reply.text
        );
        assert!(
            !log(&db).await.contains(&notes.id),
            "{name}: not in the log"
        );
        // Once B is assigned to X: stored as if it had been, and everyone who reads X gets it.
        let reply = as_admin(
            &state,
            &admin,
            post("/api/v1/assignments").json(&assignment(b.person, x)),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "{name}: {}",
            reply.text
        );
        let reply = as_admin(&state, &admin, accept(notes_aside.id)).await;
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "{name}: {}",
            reply.text
        );
        assert!(log(&db).await.contains(&notes.id), "{name}: in the log");
        let (office_sees, _) = office.sync(&state, 0, 500).await;
        assert!(
            ids(&office_sees).contains(&notes.id),
            "{name}: the office pulls it"
        );
        let (a_sees, _) = a.sync(&state, 0, 500).await;
        assert!(
            ids(&a_sees).contains(&notes.id),
            "{name}: the client's coach too"
        );
        assert_eq!(
            find(&set_aside(&state, &admin).await, notes.id).decision,
            Some(Decision::Accepted),
            "{name}"
        );
        let again = as_admin(&state, &admin, accept(notes_aside.id)).await;
        assert_eq!(
            again.status,
            StatusCode::NOT_FOUND,
            "{name}: decided once: {}",
            again.text
        );

        // Discarded: kept aside for good, never stored.
        let reply = as_admin(&state, &admin, discard(workplace_aside.id)).await;
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "{name}: {}",
            reply.text
        );
        assert!(!log(&db).await.contains(&workplace.id), "{name}");
        let (office_sees, _) = office.sync(&state, 0, 500).await;
        assert!(!ids(&office_sees).contains(&workplace.id), "{name}");
        assert_eq!(
            find(&set_aside(&state, &admin).await, workplace.id).decision,
            Some(Decision::Discarded),
            "{name}: the admin pages keep it, decided"
        );
        for call in [discard(workplace_aside.id), accept(workplace_aside.id)] {
            let reply = as_admin(&state, &admin, call).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{name}: {}",
                reply.text
            );
        }
        assert!(!log(&db).await.contains(&workplace.id), "{name}");
    }
}

#[tokio::test]
async fn a_client_a_coach_creates_is_assigned_to_them_and_one_the_office_creates_to_nobody() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let mut a = Tablet::new(&db, "coach-a", Role::Coach).await;
        let b = Tablet::new(&db, "coach-b", Role::Coach).await;
        let mut office = Tablet::new(&db, "office", Role::Office).await;
        let (x, z) = (new_client(), new_client());
        let created = a.new_client(x);
        assert!(a.push(&state, created).await.refused.is_empty(), "{name}");
        let created = office.new_client(z);
        assert!(
            office.push(&state, created).await.refused.is_empty(),
            "{name}"
        );

        let people = people(&state, &admin).await;
        let clients_of = |id: PersonId| people.iter().find(|p| p.id == id).unwrap().clients.clone();
        assert_eq!(clients_of(a.person), [x], "{name}: A's new client is A's");
        assert!(clients_of(b.person).is_empty(), "{name}");
        assert!(
            clients_of(office.person).is_empty(),
            "{name}: the office reads all without"
        );

        let directory: Vec<ClientEntry> = as_admin(&state, &admin, get("/api/v1/clients"))
            .await
            .json();
        let coaches = |id: ClientId| {
            directory
                .iter()
                .find(|c| c.id == id)
                .map(|c| (c.name.clone(), c.coaches.clone()))
        };
        assert_eq!(
            coaches(x),
            Some(("山田 花子".into(), vec![a.person])),
            "{name}"
        );
        assert_eq!(coaches(z), Some(("山田 花子".into(), vec![])), "{name}");

        // A writes on: in scope, stored.
        let more = a.change(x, "notes", json!("続き"));
        assert!(
            a.push(&state, vec![more]).await.refused.is_empty(),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_coachs_pull_never_includes_another_coachs_client() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let mut a = Tablet::new(&db, "coach-a", Role::Coach).await;
        let mut b = Tablet::new(&db, "coach-b", Role::Coach).await;
        let mut office = Tablet::new(&db, "office", Role::Office).await;
        let (x, y, z) = (new_client(), new_client(), new_client());
        // Interleaved, so every page of a coach's pull sits among the other's changes.
        let created = a.new_client(x);
        a.push(&state, created).await;
        let created = b.new_client(y);
        b.push(&state, created).await;
        let created = office.new_client(z);
        office.push(&state, created).await;
        for n in 0..3 {
            let change = a.change(x, "notes", json!(format!("A {n}")));
            a.push(&state, vec![change]).await;
            let change = b.change(y, "notes", json!(format!("B {n}")));
            b.push(&state, vec![change]).await;
        }

        for limit in [1, 2, 500] {
            let (a_sees, a_hand_overs) = a.sync(&state, 0, limit).await;
            assert_eq!(
                clients_of(&a_sees),
                BTreeSet::from([x]),
                "{name}: limit {limit}"
            );
            assert_eq!(a_sees.len(), 5, "{name}: all of X, once");
            assert!(
                a_hand_overs
                    .iter()
                    .all(|h| h.entered.iter().chain(&h.left).all(|c| *c == x)),
                "{name}: no word of another's client: {a_hand_overs:?}"
            );
            let (b_sees, _) = b.sync(&state, 0, limit).await;
            assert_eq!(
                clients_of(&b_sees),
                BTreeSet::from([y]),
                "{name}: limit {limit}"
            );
            let (office_sees, _) = office.sync(&state, 0, limit).await;
            assert_eq!(
                clients_of(&office_sees),
                BTreeSet::from([x, y, z]),
                "{name}: the office reads every client"
            );
        }
        // Later pulls too: from a cursor in the middle of the log.
        let middle = office.pull(&state, 0, 0).await.changes[4].seq;
        let (a_sees, _) = a.sync(&state, middle, 500).await;
        assert!(
            clients_of(&a_sees).is_subset(&BTreeSet::from([x])),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_client_assigned_after_a_device_synced_arrives_with_its_whole_history_until_confirmed() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let mut a = Tablet::new(&db, "coach-a", Role::Coach).await;
        let mut b = Tablet::new(&db, "coach-b", Role::Coach).await;
        let (x, y) = (new_client(), new_client());
        let mut x_history = a.new_client(x);
        x_history.push(a.change(x, "notes", json!("A のメモ")));
        a.push(&state, x_history.clone()).await;
        let created = b.new_client(y);
        b.push(&state, created).await;

        // B's tablet syncs: it holds Y, and has confirmed so.
        let first = b.pull(&state, 0, 0).await;
        let hand_over = first.scope.clone().expect("Y enters B's new tablet");
        assert_eq!(hand_over.entered, [y], "{name}");
        assert_eq!(
            clients_of(
                &first
                    .changes
                    .iter()
                    .map(|p| p.change.clone())
                    .collect::<Vec<_>>()
            ),
            BTreeSet::from([y]),
            "{name}"
        );
        let cursor = first.cursor;
        assert!(cursor > 0, "{name}");
        let settled = b.pull(&state, cursor, hand_over.token).await;
        assert!(
            settled.scope.is_none() && settled.changes.is_empty(),
            "{name}: {settled:?}"
        );

        // A writes once more after B's cursor; then X is given to B as well.
        let later = a.change(x, "workplace", json!("倉庫"));
        a.push(&state, vec![later.clone()]).await;
        let reply = as_admin(
            &state,
            &admin,
            post("/api/v1/assignments").json(&assignment(b.person, x)),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "{name}: {}",
            reply.text
        );

        let whole: Vec<ChangeId> = ids(&x_history).into_iter().chain([later.id]).collect();
        let page = b.pull(&state, cursor, hand_over.token).await;
        let entered = page.scope.clone().expect("X enters B's tablet");
        assert_eq!(
            (entered.entered.as_slice(), entered.left.as_slice()),
            ([x].as_slice(), [].as_slice()),
            "{name}"
        );
        assert!(entered.token > hand_over.token, "{name}: a new hand-over");
        let got: Vec<ChangeId> = page.changes.iter().map(|p| p.change.id).collect();
        assert_eq!(
            got, whole,
            "{name}: X's history from before B's cursor, then what came after, in order"
        );
        assert!(
            page.changes
                .iter()
                .filter(|p| p.change.id != later.id)
                .all(|p| p.seq <= cursor),
            "{name}: the history is older than the cursor"
        );

        // The answer was lost: B pulls from its new cursor without confirming. All of X again.
        let again = b.pull(&state, page.cursor, hand_over.token).await;
        let resent = again.scope.clone().expect("the hand-over is sent again");
        assert_eq!(resent.entered, [x], "{name}");
        assert_eq!(
            again
                .changes
                .iter()
                .map(|p| p.change.id)
                .collect::<Vec<_>>(),
            whole,
            "{name}: the whole history again"
        );
        // B confirms: nothing more is sent.
        let done = b.pull(&state, again.cursor, resent.token).await;
        assert!(
            done.scope.is_none() && done.changes.is_empty(),
            "{name}: {done:?}"
        );
        let still = b.pull(&state, again.cursor, resent.token).await;
        assert!(still.scope.is_none() && still.changes.is_empty(), "{name}");

        // And B now writes X too.
        let mine = b.change(x, "notes", json!("B も担当"));
        assert!(
            b.push(&state, vec![mine]).await.refused.is_empty(),
            "{name}"
        );
        let people = people(&state, &admin).await;
        assert!(
            people
                .iter()
                .find(|p| p.id == b.person)
                .unwrap()
                .clients
                .contains(&x),
            "{name}"
        );
    }
}

#[tokio::test]
async fn an_unassigned_client_is_said_to_leave_until_the_device_confirms() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let admin = Tablet::new(&db, "admin", Role::Admin).await;
        let mut a = Tablet::new(&db, "coach-a", Role::Coach).await;
        let mut office = Tablet::new(&db, "office", Role::Office).await;
        let (x, w) = (new_client(), new_client());
        let created = [a.new_client(x), a.new_client(w)].concat();
        a.push(&state, created).await;
        let first = a.pull(&state, 0, 0).await;
        let token = first.scope.expect("X and W enter").token;
        let cursor = first.cursor;
        assert!(
            a.pull(&state, cursor, token).await.scope.is_none(),
            "{name}: settled"
        );

        let unassign = || delete("/api/v1/assignments").json(&assignment(a.person, x));
        let reply = as_admin(&state, &admin, unassign()).await;
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "{name}: {}",
            reply.text
        );
        let reply = as_admin(&state, &admin, unassign()).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{name}: no such assignment now"
        );

        // The office writes to X: A no longer receives it.
        let news = office.change(x, "notes", json!("事務から"));
        office.push(&state, vec![news.clone()]).await;
        // A's tablet had an unsent edit of X: it may still send it, and it is set aside.
        let late = a.change(x, "notes", json!("A の書きかけ"));
        let pushed = a.push(&state, vec![late.clone()]).await;
        assert_eq!(
            pushed
                .refused
                .iter()
                .map(|r| (r.id, r.refusal.clone()))
                .collect::<Vec<_>>(),
            [(late.id, Refusal::NotInScope)],
            "{name}: A may no longer write X"
        );

        let page = a.pull(&state, cursor, token).await;
        let leaving = page.scope.clone().expect("X leaves A's tablet");
        assert_eq!(
            (leaving.left.as_slice(), leaving.entered.as_slice()),
            ([x].as_slice(), [].as_slice()),
            "{name}"
        );
        assert!(
            page.changes.iter().all(|p| p.change.client != x),
            "{name}: {page:?}"
        );

        let again = a.pull(&state, page.cursor, token).await;
        let resent = again.scope.clone().expect("said again until confirmed");
        assert_eq!(resent.left, [x], "{name}");
        assert!(resent.entered.is_empty(), "{name}");

        let done = a.pull(&state, again.cursor, resent.token).await;
        assert!(done.scope.is_none(), "{name}: confirmed: {done:?}");
        let still = a.pull(&state, again.cursor, resent.token).await;
        assert!(still.scope.is_none(), "{name}: and not said again");
        let (everything, _) = a.sync(&state, 0, 500).await;
        assert_eq!(
            clients_of(&everything),
            BTreeSet::from([w]),
            "{name}: W stays, X is gone"
        );
    }
}

#[tokio::test]
async fn the_last_active_administrator_cannot_be_demoted_or_disabled() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let first = Tablet::new(&db, "first-admin", Role::Admin).await;
        let update = |who: PersonId, body: serde_json::Value| {
            patch(format!("/api/v1/people/{who}")).json(&body)
        };
        let conflict = |reply: Reply, what: &str| {
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::CONFLICT, "conflict"),
                "{name}: {what}: {}",
                reply.text
            );
        };
        for (what, body) in [
            ("demoted", json!({"role": "coach"})),
            ("made the office", json!({"role": "office"})),
            ("disabled", json!({"disabled": true})),
        ] {
            conflict(
                as_admin(&state, &first, update(first.person, body)).await,
                what,
            );
        }
        let people = people(&state, &first).await;
        assert_eq!(
            (people[0].role, people[0].disabled),
            (Role::Admin, false),
            "{name}: unchanged, and still signed in"
        );

        let reply = as_admin(
            &state,
            &first,
            post("/api/v1/people").json(&json!({"login": "second-admin", "name": "二人目", "role": "admin", "password": PASSWORD})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{name}: {}", reply.text);
        let second: Person = reply.json();

        // A disabled administrator manages nothing: the first is still the last active one.
        let reply = as_admin(&state, &first, update(second.id, json!({"disabled": true}))).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        conflict(
            as_admin(
                &state,
                &first,
                update(first.person, json!({"role": "coach"})),
            )
            .await,
            "demoted while the other is disabled",
        );

        let reply = as_admin(
            &state,
            &first,
            update(second.id, json!({"disabled": false})),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let reply = as_admin(
            &state,
            &first,
            update(first.person, json!({"role": "office"})),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{name}: another admin is active: {}",
            reply.text
        );
        let reply = as_admin(&state, &first, get("/api/v1/people")).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNAUTHORIZED, "signed_out"),
            "{name}: a new role ends the person's sessions"
        );

        let second = Tablet::new(&db, "second-admin", Role::Admin).await;
        conflict(
            as_admin(
                &state,
                &second,
                update(second.person, json!({"disabled": true})),
            )
            .await,
            "the second is now the last",
        );
    }
}
