//! The server's API as typed functions, one per endpoint. Every call runs under a watchdog (a
//! request with no answer in 20 s is dropped) and reads the server's JSON error on failure.
//! The session travels as an HttpOnly cookie the page cannot read; every request also carries
//! the device's secret (see [`crate::device_proof`]), which the server checks against the
//! session's device.

use futures_util::future::{Either, select};
use gloo_timers::future::TimeoutFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use yorisoi_domain::accounts::{
    Assignment, ChangePassword, ClientEntry, Device, Enrol, Enrolled, Enrolment, Me, NewEnrolment,
    NewPerson, Person, PersonUpdate, Setup, SignIn,
};
use yorisoi_domain::audit::{AuditCheckReport, Entry};
use yorisoi_domain::errors::ErrorCode;
use yorisoi_domain::ids::{ClientId, DeviceId, PersonId};
use yorisoi_domain::privacy::{Disclosure, Erase, Erased, Stopped};
use yorisoi_domain::sync::Entity;
use yorisoi_domain::sync::protocol::{
    BOOTSTRAP_FORMAT, FramedPage, HistoryResponse, PullResponse, PushRequest, PushResponse,
    WIRE_FORMAT, Writers,
};
use yorisoi_domain::sync::quarantine::SetAsidePage;

/// How long a request may go without an answer before the watchdog drops it.
pub mod instruments;

const STALL_MS: u32 = 20_000;

pub use crate::device::api_error::ApiError;

impl ApiError {
    /// The error a failed answer carries: its status, and the code and message of its JSON
    /// body `{"error": {"code", "message"}}`. A body that is not that (a proxy's page, an empty
    /// one) still gives an error of its status, with an empty [`ErrorCode::Unknown`] code.
    pub fn from_answer(status: u16, body: &[u8]) -> Self {
        let body: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        ApiError::Status {
            status,
            code: ErrorCode::parse(body["error"]["code"].as_str().unwrap_or_default()),
            message: body["error"]["message"].as_str().map_or_else(
                || {
                    reqwest::StatusCode::from_u16(status)
                        .map_or_else(|_| status.to_string(), |s| s.to_string())
                },
                str::to_owned,
            ),
        }
    }
}

fn base() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// Sends a request under the watchdog; its answer's body (empty for 204).
async fn send(request: reqwest::RequestBuilder) -> Result<String, ApiError> {
    let bytes = send_bytes(request).await?;
    String::from_utf8(bytes).map_err(|e| ApiError::Garbled(e.to_string()))
}

/// Like [`send`], for an answer that is not text.
async fn send_bytes(request: reqwest::RequestBuilder) -> Result<Vec<u8>, ApiError> {
    answer(request, ApiError::from_answer).await
}

/// Sends a request with the device's proof under the watchdog: its answer's body, or what
/// `refusal` makes of an error answer (from its status and body).
async fn answer<E: From<ApiError>>(
    request: reqwest::RequestBuilder,
    refusal: impl FnOnce(u16, &[u8]) -> E,
) -> Result<Vec<u8>, E> {
    let request = match crate::device_proof::proof().await {
        Some(proof) => request.header(crate::device_proof::DEVICE_PROOF_HEADER, proof),
        None => request,
    };
    let exchange = async {
        let response = request.send().await.map_err(|_| ApiError::Offline)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|_| ApiError::Offline)?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        Err(refusal(status.as_u16(), &bytes))
    };
    match select(Box::pin(exchange), TimeoutFuture::new(STALL_MS)).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => Err(ApiError::Stalled.into()),
    }
}

async fn json<T: DeserializeOwned>(request: reqwest::RequestBuilder) -> Result<T, ApiError> {
    let text = send(request).await?;
    serde_json::from_str(&text).map_err(|e| ApiError::Garbled(e.to_string()))
}

fn get(path: &str) -> reqwest::RequestBuilder {
    http().get(format!("{}{path}", base()))
}

fn post(path: &str, body: &impl Serialize) -> reqwest::RequestBuilder {
    http().post(format!("{}{path}", base())).json(body)
}

// Sync.

/// Pushes one writer's changes to the database `instance` this device last synced with (empty
/// for none known): the server refuses the push whole with `instance_changed` when it is
/// another database (restored from a backup since).
pub async fn push(request: &PushRequest, instance: &str) -> Result<PushResponse, ApiError> {
    let path = match instance {
        "" => "/api/v1/sync/push".to_owned(),
        instance => format!(
            "/api/v1/sync/push?instance={}",
            js_sys::encode_uri_component(instance)
        ),
    };
    json(post(&path, request)).await
}

/// The database's instance id and how far it holds each of this device's writers.
pub async fn writers() -> Result<Writers, ApiError> {
    json(get(&format!("/api/v1/sync/writers?format={WIRE_FORMAT}"))).await
}

pub async fn pull(since: u64, scope: u64) -> Result<PullResponse, ApiError> {
    json(get(&format!(
        "/api/v1/sync/pull?format={WIRE_FORMAT}&since={since}&scope={scope}"
    )))
    .await
}

/// One page of the current state of the device's scope (its first sync); `after` is the last
/// page's `next`. The page comes framed: its head, and each client's chunks as the device stores
/// them (see `protocol::BootstrapHead`).
pub async fn bootstrap(after: Option<&str>) -> Result<FramedPage, ApiError> {
    let after = after.map_or_else(String::new, |after| {
        format!("&after={}", js_sys::encode_uri_component(after))
    });
    let body = send_bytes(get(&format!(
        "/api/v1/sync/bootstrap?format={BOOTSTRAP_FORMAT}{after}"
    )))
    .await?;
    FramedPage::read(&body).map_err(ApiError::Garbled)
}

/// Every change of one client or record the server holds.
pub async fn history(entity: Entity) -> Result<HistoryResponse, ApiError> {
    json(get(&format!(
        "/api/v1/sync/history?format={WIRE_FORMAT}&entity={entity}"
    )))
    .await
}

// Session.

pub async fn me() -> Result<Me, ApiError> {
    json(get("/api/v1/session")).await
}

pub async fn sign_in(request: &SignIn) -> Result<Me, ApiError> {
    json(post("/api/v1/session", request)).await
}

pub async fn sign_out() -> Result<(), ApiError> {
    send(http().delete(format!("{}/api/v1/session", base())))
        .await
        .map(drop)
}

pub async fn set_up(request: &Setup) -> Result<Me, ApiError> {
    json(post("/api/v1/setup", request)).await
}

pub async fn change_password(request: &ChangePassword) -> Result<Me, ApiError> {
    json(post("/api/v1/password", request)).await
}

// Administration.

pub async fn people() -> Result<Vec<Person>, ApiError> {
    json(get("/api/v1/people")).await
}

pub async fn add_person(request: &NewPerson) -> Result<Person, ApiError> {
    json(post("/api/v1/people", request)).await
}

pub async fn update_person(id: PersonId, update: &PersonUpdate) -> Result<Person, ApiError> {
    json(
        http()
            .patch(format!("{}/api/v1/people/{id}", base()))
            .json(update),
    )
    .await
}

pub async fn clients() -> Result<Vec<ClientEntry>, ApiError> {
    json(get("/api/v1/clients")).await
}

pub async fn assign(assignment: &Assignment) -> Result<(), ApiError> {
    send(post("/api/v1/assignments", assignment))
        .await
        .map(drop)
}

pub async fn unassign(assignment: &Assignment) -> Result<(), ApiError> {
    send(
        http()
            .delete(format!("{}/api/v1/assignments", base()))
            .json(assignment),
    )
    .await
    .map(drop)
}

pub async fn devices() -> Result<Vec<Device>, ApiError> {
    json(get("/api/v1/devices")).await
}

/// `action`: "revoke" or "retire".
pub async fn device_action(device: DeviceId, action: &str) -> Result<(), ApiError> {
    send(post(
        &format!("/api/v1/devices/{device}/{action}"),
        &serde_json::Value::Null,
    ))
    .await
    .map(drop)
}

pub async fn new_enrolment(request: &NewEnrolment) -> Result<Enrolment, ApiError> {
    json(post("/api/v1/enrolments", request)).await
}

pub async fn enrol(request: &Enrol) -> Result<Enrolled, ApiError> {
    json(post("/api/v1/enrol", request)).await
}

/// A page of the changes set aside, newest first, older than `before` (never a value).
pub async fn quarantine(before: Option<i64>) -> Result<SetAsidePage, ApiError> {
    let after = before.map(|id| format!("&before={id}")).unwrap_or_default();
    json(get(&format!("/api/v1/quarantine?limit=200{after}"))).await
}

/// `action`: "accept" or "discard".
pub async fn decide(id: i64, action: &str) -> Result<(), ApiError> {
    send(post(
        &format!("/api/v1/quarantine/{id}/{action}"),
        &serde_json::Value::Null,
    ))
    .await
    .map(drop)
}

// Accountability (the administrator's).

/// The audit entries of one client or one person, between two times (ms), newest first.
pub async fn audit(
    client: Option<ClientId>,
    person: Option<PersonId>,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<Vec<Entry>, ApiError> {
    let mut query = Vec::new();
    if let Some(client) = client {
        query.push(format!("client={client}"));
    }
    if let Some(person) = person {
        query.push(format!("person={person}"));
    }
    if let Some(from) = from {
        query.push(format!("from={from}"));
    }
    if let Some(to) = to {
        query.push(format!("to={to}"));
    }
    json(get(&format!("/api/v1/audit?{}", query.join("&")))).await
}

pub async fn audit_check() -> Result<AuditCheckReport, ApiError> {
    json(get("/api/v1/audit/check")).await
}

pub async fn stopped() -> Result<Vec<Stopped>, ApiError> {
    json(get("/api/v1/stopped")).await
}

/// 利用停止 of one client.
pub async fn stop_use(client: ClientId) -> Result<Stopped, ApiError> {
    json(post(
        &format!("/api/v1/clients/{client}/stop"),
        &serde_json::Value::Null,
    ))
    .await
}

/// Erases a stopped client, with its name typed again.
pub async fn erase(client: ClientId, name: &str) -> Result<Erased, ApiError> {
    json(post(
        &format!("/api/v1/clients/{client}/erase"),
        &Erase {
            name: name.to_owned(),
        },
    ))
    .await
}

/// Everything held about one client (開示), and its text as the server sent it (for saving).
pub async fn disclosure(client: ClientId) -> Result<(Disclosure, String), ApiError> {
    let text = send(get(&format!("/api/v1/clients/{client}/disclosure"))).await?;
    let disclosure = serde_json::from_str(&text).map_err(|e| ApiError::Garbled(e.to_string()))?;
    Ok((disclosure, text))
}

#[cfg(test)]
mod tests;
