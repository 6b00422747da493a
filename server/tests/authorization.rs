//! Who may call what: every API route against every kind of caller, through the real router, on
//! every database the run can reach. Each cell runs in a world of its own (fresh people, devices
//! and a client in the same database), so what one cell changes never reaches another.
//!
//! Beyond the status and the error code, a refused call must change nothing, an allowed call
//! that writes must change something, and the sync routes must keep to the caller's scope: a
//! push for a client outside it is set aside (`not_in_scope`), a pull never carries it.

use axum::http::StatusCode;
use serde_json::json;
use std::fmt;
use yorisoi_domain::accounts::{DeviceState, Person, Role};
use yorisoi_domain::ids::{ClientId, DeviceId, PersonId};
use yorisoi_domain::sync::ChangeId;
use yorisoi_domain::sync::check::Refusal;
use yorisoi_domain::sync::protocol::{HistoryResponse, PullResponse, PushResponse};
use yorisoi_server::AppState;
use yorisoi_server::auth::{self, now_ms};
use yorisoi_server::db::{Db, Purpose};

mod common;
mod support;
use support::*;

/// Who calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    /// No cookie at all.
    NoSession,
    /// The assigned coach, with a session whose time is up.
    Expired,
    /// The assigned coach on a device an administrator revoked (lost, stolen).
    Revoked,
    /// The assigned coach on a device an administrator retired (handed back).
    Retired,
    /// The coach the world's client is assigned to.
    CoachAssigned,
    /// Another coach.
    CoachNotAssigned,
    Office,
    Admin,
}

const EVERYONE: [Who; 8] = [
    Who::NoSession,
    Who::Expired,
    Who::Revoked,
    Who::Retired,
    Who::CoachAssigned,
    Who::CoachNotAssigned,
    Who::Office,
    Who::Admin,
];

/// A caller in a world: their login, their device, their session's token.
struct Caller {
    who: Who,
    login: String,
    device: DeviceId,
    token: Option<String>,
}

impl Caller {
    fn cookie(&self) -> Option<String> {
        self.token.as_deref().map(cookie_of)
    }
}

/// People, devices and one client, made fresh for one cell.
struct World {
    n: u32,
    /// The log's end before this world was made: a pull from here sees this world's changes
    /// on its first page however long the log of earlier worlds is.
    since: u64,
    client: ClientId,
    coach_assigned: PersonId,
    coach_not_assigned: PersonId,
    /// A device any admin action may target.
    spare_device: DeviceId,
    /// An undecided change set aside: coach B's to the world's client (valid, but B may not
    /// write that client, so it cannot be accepted).
    set_aside: i64,
    /// An undecided change set aside that can be accepted: coach A's to a client the office
    /// made, pushed before A was assigned to it.
    acceptable: i64,
    /// A set-up code, valid but for people having accounts already.
    setup_code: String,
    callers: Vec<Caller>,
}

impl World {
    async fn new(db: &Db, n: u32) -> Self {
        let login = |what: &str| format!("{what}-{n}");
        let since = db.pull(0, 1_000_000).await.unwrap().cursor;
        let coach_a = add_person(db, &login("coach-a"), Role::Coach).await;
        let coach_b = add_person(db, &login("coach-b"), Role::Coach).await;
        let office = add_person(db, &login("office"), Role::Office).await;
        let admin = add_person(db, &login("admin"), Role::Admin).await;

        // Coach A creates the client on a tablet of theirs, so it is assigned to them.
        let client = new_client();
        let pushed = push_as(
            db,
            coach_a,
            Role::Coach,
            new_client_changes(new_device(), 1, client),
        )
        .await;
        assert!(pushed.refused.is_empty(), "{pushed:?}");
        // Coach B writes to it: set aside.
        let b_tablet = new_device();
        let pushed = push_as(
            db,
            coach_b,
            Role::Coach,
            vec![client_change(
                b_tablet,
                1,
                client,
                "notes",
                json!("B のメモ"),
            )],
        )
        .await;
        assert_eq!(pushed.refused.len(), 1, "{pushed:?}");
        let set_aside_of = |writer: DeviceId| async move {
            db.set_aside_page(None, 1000)
                .await
                .unwrap()
                .entries
                .into_iter()
                .find(|s| s.change_id.device == writer)
                .unwrap()
                .id
        };
        let set_aside = set_aside_of(b_tablet).await;
        // The office's client, which coach A writes to before being assigned to it.
        let theirs = new_client();
        let pushed = push_as(
            db,
            office,
            Role::Office,
            new_client_changes(new_device(), 1, theirs),
        )
        .await;
        assert!(pushed.refused.is_empty(), "{pushed:?}");
        let a_tablet = new_device();
        let pushed = push_as(
            db,
            coach_a,
            Role::Coach,
            vec![client_change(
                a_tablet,
                1,
                theirs,
                "notes",
                json!("A のメモ"),
            )],
        )
        .await;
        assert_eq!(pushed.refused.len(), 1, "{pushed:?}");
        db.assign(coach_a, theirs, now_ms()).await.unwrap();
        let acceptable = set_aside_of(a_tablet).await;

        let spare_device = new_device();
        signed_in(db, office, spare_device).await;
        support::instruments::make(db, n).await;

        let setup_code = auth::new_token();
        db.new_code(
            Purpose::Setup,
            &auth::token_hash(&setup_code),
            None,
            now_ms(),
            None,
            None,
        )
        .await
        .unwrap();

        let now = now_ms();
        let mut callers = Vec::new();
        for who in EVERYONE {
            let (person, login) = match who {
                Who::NoSession | Who::Office => (office, login("office")),
                Who::Expired | Who::Revoked | Who::Retired | Who::CoachAssigned => {
                    (coach_a, login("coach-a"))
                }
                Who::CoachNotAssigned => (coach_b, login("coach-b")),
                Who::Admin => (admin, login("admin")),
            };
            let device = new_device();
            let token = match who {
                Who::NoSession => None,
                Who::Expired => {
                    Some(start_session(db, person, device, now - 2 * DAY_MS, now - 1000).await)
                }
                _ => Some(start_session(db, person, device, now, now + DAY_MS).await),
            };
            let state = match who {
                Who::Revoked => Some(DeviceState::Revoked),
                Who::Retired => Some(DeviceState::Retired),
                _ => None,
            };
            if let Some(state) = state {
                assert!(db.set_device_state(device, state).await.unwrap());
            }
            callers.push(Caller {
                who,
                login,
                device,
                token,
            });
        }
        Self {
            n,
            since,
            client,
            coach_assigned: coach_a,
            coach_not_assigned: coach_b,
            spare_device,
            set_aside,
            acceptable,
            setup_code,
            callers,
        }
    }

    fn caller(&self, who: Who) -> &Caller {
        self.callers.iter().find(|c| c.who == who).unwrap()
    }
}

/// What a cell should answer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok(u16),
    Err(u16, &'static str),
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Ok(status) => write!(f, "{status}"),
            Expect::Err(status, code) => write!(f, "{status} {code}"),
        }
    }
}

impl Expect {
    fn matches(&self, reply: &Reply) -> bool {
        match *self {
            Expect::Ok(status) => reply.status.as_u16() == status && reply.code().is_empty(),
            Expect::Err(status, code) => reply.status.as_u16() == status && reply.code() == code,
        }
    }
}

const OK: Expect = Expect::Ok(200);
const CREATED: Expect = Expect::Ok(201);
const DONE: Expect = Expect::Ok(204);
const SIGNED_OUT: Expect = Expect::Err(401, "signed_out");
const REVOKED: Expect = Expect::Err(403, "device_revoked");
const RETIRED: Expect = Expect::Err(403, "device_retired");
const FORBIDDEN: Expect = Expect::Err(403, "forbidden");

/// A route: how to call it in a world as a caller, and whether an allowed call writes
/// something a snapshot of the database shows.
struct Route {
    name: &'static str,
    call: fn(&World, &Caller) -> Call,
    writes: bool,
    /// What is expected of each caller, in the order of `EVERYONE`.
    expect: [Expect; 8],
}

/// The whole matrix. Columns: no session, expired, revoked device, retired device, the assigned
/// coach, another coach, the office, the administrator.
fn routes() -> Vec<Route> {
    let admin_only = |ok| {
        [
            SIGNED_OUT, SIGNED_OUT, REVOKED, RETIRED, FORBIDDEN, FORBIDDEN, FORBIDDEN, ok,
        ]
    };
    vec![
        Route {
            name: "GET /api/v1/session",
            call: |_, _| get("/api/v1/session"),
            writes: false,
            expect: [SIGNED_OUT, SIGNED_OUT, REVOKED, RETIRED, OK, OK, OK, OK],
        },
        Route {
            name: "POST /api/v1/session",
            call: |_, c| sign_in(&c.login, PASSWORD, c.device),
            writes: false,
            expect: [OK, OK, REVOKED, RETIRED, OK, OK, OK, OK],
        },
        Route {
            name: "DELETE /api/v1/session",
            call: |_, _| delete("/api/v1/session"),
            writes: false,
            expect: [DONE; 8],
        },
        Route {
            name: "POST /api/v1/setup",
            call: |w, c| {
                post("/api/v1/setup").json(&json!({
                    "code": w.setup_code,
                    "login": format!("usurper-{}", w.n),
                    "name": "乗っ取り",
                    "password": "a long enough password",
                    "device": c.device,
                }))
            },
            writes: false,
            expect: [
                FORBIDDEN, FORBIDDEN, REVOKED, RETIRED, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
            ],
        },
        Route {
            name: "POST /api/v1/password",
            call: |_, _| {
                post("/api/v1/password")
                    .json(&json!({"current": PASSWORD, "new": "a brand new password"}))
            },
            writes: false,
            expect: [SIGNED_OUT, SIGNED_OUT, REVOKED, RETIRED, OK, OK, OK, OK],
        },
        Route {
            name: "GET /api/v1/people",
            call: |_, _| get("/api/v1/people"),
            writes: false,
            expect: admin_only(OK),
        },
        Route {
            name: "POST /api/v1/people",
            call: |w, _| {
                post("/api/v1/people").json(&json!({
                    "login": format!("newcomer-{}", w.n),
                    "name": "新人",
                    "role": "coach",
                    "password": "a long enough password",
                }))
            },
            writes: true,
            expect: admin_only(CREATED),
        },
        Route {
            name: "PATCH /api/v1/people/{id}",
            call: |w, _| {
                patch(format!("/api/v1/people/{}", w.coach_not_assigned))
                    .json(&json!({"name": "改名 さん"}))
            },
            writes: true,
            expect: admin_only(OK),
        },
        Route {
            name: "GET /api/v1/clients",
            call: |_, _| get("/api/v1/clients"),
            writes: false,
            expect: admin_only(OK),
        },
        Route {
            name: "POST /api/v1/assignments",
            call: |w, _| {
                post("/api/v1/assignments")
                    .json(&json!({"person": w.coach_not_assigned, "client": w.client}))
            },
            writes: true,
            expect: admin_only(DONE),
        },
        Route {
            name: "DELETE /api/v1/assignments",
            call: |w, _| {
                delete("/api/v1/assignments")
                    .json(&json!({"person": w.coach_assigned, "client": w.client}))
            },
            writes: true,
            expect: admin_only(DONE),
        },
        Route {
            name: "GET /api/v1/devices",
            call: |_, _| get("/api/v1/devices"),
            writes: false,
            expect: admin_only(OK),
        },
        Route {
            name: "POST /api/v1/devices/{id}/revoke",
            call: |w, _| post(format!("/api/v1/devices/{}/revoke", w.spare_device)),
            writes: true,
            expect: admin_only(DONE),
        },
        Route {
            name: "POST /api/v1/devices/{id}/retire",
            call: |w, _| post(format!("/api/v1/devices/{}/retire", w.spare_device)),
            writes: true,
            expect: admin_only(DONE),
        },
        Route {
            name: "GET /api/v1/quarantine",
            call: |_, _| get("/api/v1/quarantine"),
            writes: false,
            expect: admin_only(OK),
        },
        Route {
            name: "GET /api/v1/quarantine?before&limit",
            call: |w, _| {
                get(format!(
                    "/api/v1/quarantine?before={}&limit=5",
                    w.set_aside + 1
                ))
            },
            writes: false,
            expect: admin_only(OK),
        },
        Route {
            // A value set aside: for who may read its client now, never an administrator.
            name: "GET /api/v1/quarantine/{id}",
            call: |w, _| get(format!("/api/v1/quarantine/{}", w.set_aside)),
            writes: false,
            expect: [
                SIGNED_OUT,
                SIGNED_OUT,
                REVOKED,
                RETIRED,
                OK,
                Expect::Err(404, "not_found"),
                OK,
                FORBIDDEN,
            ],
        },
        Route {
            name: "POST /api/v1/quarantine/{id}/accept",
            call: |w, _| post(format!("/api/v1/quarantine/{}/accept", w.acceptable)),
            writes: true,
            expect: admin_only(DONE),
        },
        Route {
            // Its author (coach B) may not write the client: nobody's acceptance stores it.
            name: "POST /api/v1/quarantine/{id}/accept (author out of scope)",
            call: |w, _| post(format!("/api/v1/quarantine/{}/accept", w.set_aside)),
            writes: false,
            expect: admin_only(Expect::Err(409, "conflict")),
        },
        Route {
            name: "POST /api/v1/quarantine/{id}/discard",
            call: |w, _| post(format!("/api/v1/quarantine/{}/discard", w.set_aside)),
            writes: true,
            expect: admin_only(DONE),
        },
        Route {
            name: "GET /api/v1/audit",
            call: |w, _| get(format!("/api/v1/audit?client={}", w.client)),
            writes: false,
            expect: admin_only(OK),
        },
        Route {
            name: "GET /api/v1/audit/check",
            call: |_, _| get("/api/v1/audit/check"),
            writes: false,
            expect: admin_only(OK),
        },
        Route {
            name: "GET /api/v1/stopped",
            call: |_, _| get("/api/v1/stopped"),
            writes: false,
            expect: admin_only(OK),
        },
        Route {
            name: "POST /api/v1/clients/{id}/stop",
            call: |w, _| post(format!("/api/v1/clients/{}/stop", w.client)),
            writes: true,
            expect: admin_only(OK),
        },
        Route {
            // The world's client is in use: even an administrator cannot erase it before 利用停止.
            name: "POST /api/v1/clients/{id}/erase",
            call: |w, _| {
                post(format!("/api/v1/clients/{}/erase", w.client))
                    .json(&json!({"name": "山田 花子"}))
            },
            writes: false,
            expect: admin_only(Expect::Err(409, "conflict")),
        },
        Route {
            name: "GET /api/v1/clients/{id}/disclosure",
            call: |w, _| get(format!("/api/v1/clients/{}/disclosure", w.client)),
            writes: false,
            expect: admin_only(OK),
        },
        Route {
            name: "POST /api/v1/sync/push",
            call: |w, c| {
                post("/api/v1/sync/push").json(&push_request(
                    c.device,
                    vec![client_change(c.device, 1, w.client, "notes", json!("メモ"))],
                ))
            },
            writes: true,
            // A retired device still sends what it has unsent.
            expect: [SIGNED_OUT, SIGNED_OUT, REVOKED, OK, OK, OK, OK, OK],
        },
        Route {
            // What a device asks after a restore: its own writers' numbers, any live device.
            name: "GET /api/v1/sync/writers",
            call: |_, _| get("/api/v1/sync/writers?format=1"),
            writes: false,
            expect: [SIGNED_OUT, SIGNED_OUT, REVOKED, OK, OK, OK, OK, OK],
        },
        Route {
            name: "GET /api/v1/sync/pull",
            call: |w, _| pull(w.since, 0),
            writes: false,
            expect: [
                SIGNED_OUT, SIGNED_OUT, REVOKED, RETIRED, OK, OK, OK, FORBIDDEN,
            ],
        },
        Route {
            name: "GET /api/v1/sync/history",
            call: |w, _| {
                get(format!(
                    "/api/v1/sync/history?format=1&entity=client:{}",
                    w.client
                ))
            },
            writes: false,
            expect: [
                SIGNED_OUT, SIGNED_OUT, REVOKED, RETIRED, OK, FORBIDDEN, OK, FORBIDDEN,
            ],
        },
        Route {
            name: "POST /api/v1/enrolments",
            call: |_, _| post("/api/v1/enrolments").json(&json!({"name": "タブレット"})),
            writes: false,
            expect: admin_only(CREATED),
        },
        Route {
            // Anyone may try a code; a wrong one enrols nothing, whoever sends it.
            name: "POST /api/v1/enrol",
            call: |_, c| {
                post("/api/v1/enrol").json(&json!({"code": "not-a-code", "device": c.device}))
            },
            writes: false,
            expect: [FORBIDDEN; 8],
        },
        Route {
            name: "GET /api/v1/instruments",
            call: |_, _| get("/api/v1/instruments"),
            writes: false,
            expect: admin_only(OK),
        },
        Route {
            name: "POST /api/v1/instruments",
            call: |w, _| {
                post("/api/v1/instruments")
                    .header("content-type", "application/json")
                    .raw(
                        support::instruments::definition(&format!("auth-{}-new", w.n)).into_bytes(),
                    )
            },
            writes: true,
            expect: admin_only(CREATED),
        },
        Route {
            name: "GET /api/v1/instruments/{id}/{edition}/{version}",
            call: |w, _| {
                get(format!(
                    "/api/v1/instruments/{}/1/1",
                    support::instruments::draft_id(w.n)
                ))
            },
            writes: false,
            expect: admin_only(OK),
        },
        Route {
            name: "POST /api/v1/instruments/{id}/{edition}/{version}/publish",
            call: |w, _| {
                post(format!(
                    "/api/v1/instruments/{}/1/1/publish",
                    support::instruments::draft_id(w.n)
                ))
            },
            writes: true,
            expect: admin_only(OK),
        },
        Route {
            name: "POST /api/v1/instruments/{id}/{edition}/{version}/retire",
            call: |w, _| {
                post(format!(
                    "/api/v1/instruments/{}/1/1/retire",
                    support::instruments::live_id(w.n)
                ))
            },
            writes: true,
            expect: admin_only(OK),
        },
        Route {
            name: "POST /api/v1/instruments/{id}/{edition}/{version}/discard",
            call: |w, _| {
                post(format!(
                    "/api/v1/instruments/{}/1/1/discard",
                    support::instruments::draft_id(w.n)
                ))
            },
            writes: true,
            expect: admin_only(DONE),
        },
        Route {
            name: "POST /api/v1/sync/instruments",
            call: |_, _| post("/api/v1/sync/instruments").json(&json!({"format": 1, "held": []})),
            writes: false,
            expect: [SIGNED_OUT, SIGNED_OUT, REVOKED, RETIRED, OK, OK, OK, OK],
        },
        Route {
            name: "GET /api/v1/sync/bootstrap",
            call: |_, _| get("/api/v1/sync/bootstrap?format=2"),
            writes: false,
            expect: [
                SIGNED_OUT, SIGNED_OUT, REVOKED, RETIRED, OK, OK, OK, FORBIDDEN,
            ],
        },
    ]
}

/// What the admin pages and the log show: it must not move when a call is refused.
#[derive(Debug, PartialEq)]
struct Snapshot {
    people: Vec<Person>,
    devices: Vec<(DeviceId, DeviceState)>,
    set_aside: Vec<(i64, Option<yorisoi_domain::accounts::Decision>)>,
    log: Vec<ChangeId>,
    stopped: Vec<ClientId>,
    instruments: Vec<(String, u32, yorisoi_domain::versions::Status)>,
}

async fn snapshot(db: &Db) -> Snapshot {
    Snapshot {
        people: db.people().await.unwrap(),
        devices: db
            .devices()
            .await
            .unwrap()
            .into_iter()
            .map(|d| (d.id, d.state))
            .collect(),
        set_aside: db
            .set_aside_page(None, 1000)
            .await
            .unwrap()
            .entries
            .into_iter()
            .map(|s| (s.id, s.decision))
            .collect(),
        log: log(db).await,
        stopped: db
            .stopped()
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.client)
            .collect(),
        instruments: support::instruments::states(db).await,
    }
}

/// What else an allowed call must have done, beyond its status: `None` if it did, or what is
/// wrong.
async fn consequences(
    route: &str,
    world: &World,
    caller: &Caller,
    reply: &Reply,
    db: &Db,
    state: &AppState,
) -> Option<String> {
    let session_of = |token: &str| {
        let hash = auth::token_hash(token);
        async move { db.session(&hash, now_ms(), &state.sessions).await.unwrap() }
    };
    match route {
        "POST /api/v1/session" => {
            let cookie = reply.set_cookie().unwrap_or_default();
            (!cookie.contains("HttpOnly")).then(|| format!("no session cookie: {cookie:?}"))
        }
        "DELETE /api/v1/session" => {
            let token = caller.token.as_deref()?;
            session_of(token)
                .await
                .map(|_| "the session lives on after signing out".into())
        }
        "POST /api/v1/password" => {
            let old = caller.token.as_deref()?;
            if session_of(old).await.is_some() {
                return Some("the old session lives on after a password change".into());
            }
            session_of(&reply.token())
                .await
                .is_none()
                .then(|| "the new session does not work".into())
        }
        "POST /api/v1/sync/push" => {
            let pushed: PushResponse = reply.json();
            let id = ChangeId {
                device: caller.device,
                seq: 1,
            };
            let in_log = log(db).await.contains(&id);
            let in_scope = matches!(caller.who, Who::CoachAssigned | Who::Retired | Who::Office);
            let refusals: Vec<&Refusal> = pushed.refused.iter().map(|r| &r.refusal).collect();
            if pushed.acked_through != 1 {
                Some(format!("acked through {}", pushed.acked_through))
            } else if in_scope && (!refusals.is_empty() || !in_log) {
                Some(format!(
                    "not stored: refused {refusals:?}, in the log: {in_log}"
                ))
            } else if !in_scope {
                let aside = db
                    .set_aside_page(None, 1000)
                    .await
                    .unwrap()
                    .entries
                    .into_iter()
                    .any(|s| s.change_id == id && s.refusal == Refusal::NotInScope);
                (refusals != [&Refusal::NotInScope] || in_log || !aside).then(|| {
                    format!(
                        "not set aside as not_in_scope: refused {refusals:?}, in the log: {in_log}, set aside: {aside}"
                    )
                })
            } else {
                None
            }
        }
        "GET /api/v1/sync/pull" => {
            let page: PullResponse = reply.json();
            let sees = page.changes.iter().any(|p| p.change.client == world.client);
            let should = matches!(caller.who, Who::CoachAssigned | Who::Office);
            (sees != should).then(|| format!("sees the client's changes: {sees}, should: {should}"))
        }
        "GET /api/v1/sync/history" if reply.status == StatusCode::OK => {
            let history: HistoryResponse = reply.json();
            let only_the_client = history
                .changes
                .iter()
                .all(|p| p.change.entity == yorisoi_domain::sync::Entity::Client(world.client));
            let has_name = history.changes.iter().any(|p| p.change.field == "name");
            (!only_the_client || !has_name)
                .then(|| format!("the client's history: {:?}", history.changes))
        }
        "POST /api/v1/clients/{id}/stop" => {
            let pulled = db
                .pull_for(
                    &yorisoi_server::db::Scope {
                        person: world.coach_assigned,
                        role: Role::Coach,
                        device: new_device(),
                    },
                    0,
                    1000,
                    0,
                )
                .await
                .unwrap();
            let served = pulled
                .changes
                .iter()
                .any(|p| p.change.client == world.client);
            served.then(|| "a stopped client is still served to its coach".into())
        }
        "GET /api/v1/quarantine?before&limit" => {
            let page: yorisoi_domain::sync::quarantine::SetAsidePage = reply.json();
            let listed = page.entries.iter().any(|e| e.id == world.set_aside);
            (!listed || reply.text.contains("B のメモ"))
                .then(|| format!("listed: {listed}, no value: {}", reply.text))
        }
        "GET /api/v1/quarantine/{id}" => {
            let whole: yorisoi_domain::sync::quarantine::SetAside = reply.json();
            let audited = db
                .audit_entries(&yorisoi_server::db::AuditQuery {
                    client: Some(world.client),
                    limit: 1000,
                    ..Default::default()
                })
                .await
                .unwrap()
                .iter()
                .any(|e| {
                    e.event.action == yorisoi_domain::audit::Action::SetAsideViewed
                        && e.event.device == Some(caller.device)
                });
            (whole.change.value != json!("B のメモ") || !audited)
                .then(|| format!("the value: {}, audited: {audited}", whole.change.value))
        }
        "GET /api/v1/clients/{id}/disclosure" => {
            let disclosure: yorisoi_domain::privacy::Disclosure = reply.json();
            let only = disclosure
                .history
                .iter()
                .all(|p| p.change.client == world.client);
            let named = disclosure.profile.is_some_and(|p| p.id == world.client);
            let audited = disclosure.audit.iter().any(|e| {
                e.event.action == yorisoi_domain::audit::Action::Exported
                    && e.event.client == Some(world.client)
            });
            (!only || !named || !audited).then(|| {
                format!(
                    "the disclosure: only the client {only}, its profile {named}, audited {audited}"
                )
            })
        }
        _ => None,
    }
}

#[tokio::test]
async fn every_route_answers_every_kind_of_caller_as_the_matrix_says() {
    let mut mismatches = Vec::new();
    let (mut cells, mut expected_cells) = (0, 0);
    for route in routes() {
        // A database per route keeps each small; a world per cell keeps cells apart.
        for (name, db, dir) in common::databases().await {
            expected_cells += EVERYONE.len() as u32;
            let state = state(&db, &dir);
            for (column, who) in EVERYONE.into_iter().enumerate() {
                cells += 1;
                let world = World::new(&db, cells).await;
                let caller = world.caller(who);
                let before = snapshot(&db).await;
                let reply = (route.call)(&world, caller)
                    .cookie(caller.cookie().as_deref())
                    .send(&state)
                    .await;
                let after = snapshot(&db).await;
                let expected = route.expect[column];
                let problem = if !expected.matches(&reply) {
                    let text: String = reply.text.chars().take(160).collect();
                    Some(format!("answered {}: {text}", reply.status.as_u16()))
                } else if reply.status.is_success() {
                    match consequences(route.name, &world, caller, &reply, &db, &state).await {
                        Some(problem) => Some(problem),
                        None if route.writes && before == after => {
                            Some("allowed, but nothing changed".into())
                        }
                        None => None,
                    }
                } else if before != after {
                    Some("refused, but something changed".into())
                } else {
                    None
                };
                if let Some(problem) = problem {
                    mismatches.push(format!(
                        "{name:<8} {:<38} {:<18} expected {:<22} {problem}",
                        route.name,
                        format!("{who:?}"),
                        expected.to_string()
                    ));
                }
            }
            // Its connections go with it: a run makes a database per route.
            db.close().await;
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {cells} cells are wrong:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(cells, expected_cells, "every route × every caller ran");
}

/// Issue 19: every route that takes a session refuses a caller whose request does not prove the
/// session's device (a wrong secret, or none once one is registered), before anything else is
/// looked at, and changes nothing. (The matrix above sends each device's secret.)
#[tokio::test]
async fn every_route_that_takes_a_session_refuses_it_without_its_devices_secret() {
    let mut mismatches = Vec::new();
    let mut cells = 0;
    for route in routes() {
        if route.expect[0] != SIGNED_OUT {
            continue;
        }
        for (name, db, dir) in common::databases().await {
            let state = state(&db, &dir);
            let world = World::new(&db, 1).await;
            for who in [
                Who::Retired,
                Who::CoachAssigned,
                Who::CoachNotAssigned,
                Who::Office,
                Who::Admin,
            ] {
                let caller = world.caller(who);
                assert!(
                    db.claim_proof(caller.device, &auth::token_hash(PROOF))
                        .await
                        .unwrap()
                );
                for proof in [Some("not the device's secret"), None] {
                    cells += 1;
                    let before = snapshot(&db).await;
                    let reply = (route.call)(&world, caller)
                        .cookie(caller.cookie().as_deref())
                        .proof(proof)
                        .send(&state)
                        .await;
                    let after = snapshot(&db).await;
                    if (reply.status.as_u16(), reply.code()) != (403, "device_proof")
                        || before != after
                    {
                        let text: String = reply.text.chars().take(120).collect();
                        mismatches.push(format!(
                            "{name:<8} {:<38} {who:?} {proof:?}: {} {text}",
                            route.name,
                            reply.status.as_u16()
                        ));
                    }
                }
            }
            db.close().await;
        }
    }
    assert!(cells > 100, "the routes that take a session were tried");
    assert!(
        mismatches.is_empty(),
        "{} of {cells} cells are wrong:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Without a session the answer is the same 401 whatever the route, so nothing about the API's
/// data leaks to a signed-out browser, and a malformed cookie is no session either.
#[tokio::test]
async fn a_forged_or_malformed_cookie_is_no_session() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let world = World::new(&db, 0).await;
        let real = world.caller(Who::Office).token.clone().unwrap();
        let forged = [
            cookie_of(&auth::new_token()),
            cookie_of(&auth::token_hash(&real)),
            cookie_of(""),
            format!("other_cookie={real}"),
            format!("{}X", cookie_of(&real)),
        ];
        for cookie in &forged {
            let reply = get("/api/v1/session")
                .cookie(Some(cookie))
                .send(&state)
                .await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::UNAUTHORIZED, "signed_out"),
                "{name}: {cookie}"
            );
        }
        let reply = get("/api/v1/session")
            .cookie(Some(&format!("a=b; {}", cookie_of(&real))))
            .send(&state)
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{name}: the real one, among others"
        );
    }
}

/// A malformed id in a path is the caller's mistake, told as every error is (JSON, with a code),
/// and only to someone who may use the route at all.
#[tokio::test]
async fn a_malformed_id_in_a_path_is_a_json_400_for_an_admin_and_403_for_anyone_else() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let world = World::new(&db, 0).await;
        let calls: [fn() -> Call; 5] = [
            || patch("/api/v1/people/not-an-id").json(&json!({})),
            || post("/api/v1/devices/not-an-id/revoke"),
            || post("/api/v1/quarantine/not-an-id/accept"),
            || post("/api/v1/quarantine/1.5/discard"),
            || post("/api/v1/quarantine/99999999999999999999/accept"),
        ];
        for call in calls {
            let what = format!("{name}: {}", call().describe());
            let reply = call()
                .cookie(world.caller(Who::Admin).cookie().as_deref())
                .send(&state)
                .await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::BAD_REQUEST, "bad_request"),
                "{what}: {}",
                reply.text
            );
            let reply = call()
                .cookie(world.caller(Who::Office).cookie().as_deref())
                .send(&state)
                .await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::FORBIDDEN, "forbidden"),
                "{what}: {}",
                reply.text
            );
        }
    }
}

/// A push names the writer (a tab's run of the app) its changes are numbered by. The device whose
/// session first pushed under a writer owns it: no other session may push under it, whatever
/// its role, or it could take over another tablet's numbering and put words in its mouth.
#[tokio::test]
async fn no_session_may_push_under_a_writer_another_device_owns() {
    for (name, db, dir) in common::databases().await {
        let state = state(&db, &dir);
        let world = World::new(&db, 0).await;
        let (coach, office) = (world.caller(Who::CoachAssigned), world.caller(Who::Office));
        let writer = new_device();
        let push = |caller: &Caller, seq: u64| {
            post("/api/v1/sync/push")
                .cookie(caller.cookie().as_deref())
                .json(&push_request(
                    writer,
                    vec![client_change(
                        writer,
                        seq,
                        world.client,
                        "notes",
                        json!(format!("メモ {seq}")),
                    )],
                ))
        };
        let reply = push(coach, 1).send(&state).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text);
        let before = log(&db).await;
        assert!(
            before.contains(&ChangeId {
                device: writer,
                seq: 1
            }),
            "{name}"
        );

        let reply = push(office, 2).send(&state).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{name}: the office's session under the coach's writer: {}",
            reply.text
        );
        assert_eq!(log(&db).await, before, "{name}: nothing stored");

        let reply = push(coach, 2).send(&state).await;
        let pushed: PushResponse = reply.json();
        assert_eq!(pushed.acked_through, 2, "{name}: its owner goes on");
    }
}
