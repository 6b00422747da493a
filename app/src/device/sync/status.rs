//! Sync's status and the rules the loop runs by, as values: how long to wait after failures,
//! what an error answer means (the one place the server's refusal codes are matched), and how a
//! pulled page's scope hand-over splits into what is finished now and what waits for a push.

use crate::device::api_error::ApiError;
use crate::device::errors::StorageError;
use serde::{Deserialize, Serialize};
use yorisoi_domain::errors::ErrorCode;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::sync::protocol::ScopeChange;

/// The pause between syncs while everything works.
pub const PERIOD_MS: u32 = 60_000;
/// How soon after an edit it is sent.
pub const SOON_MS: u32 = 1_500;
/// How long sync must be quiet before the clients that gathered many chunks are folded.
pub const FOLD_QUIET_MS: u32 = 10_000;
/// The first pause after a failure; it doubles each time, up to [`MAX_BACKOFF_MS`].
pub const BACKOFF_MS: u32 = 5_000;
pub const MAX_BACKOFF_MS: u32 = 300_000;

/// Why the last sync did not finish, in terms a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncError {
    /// The server could not be reached (no network, or the server is down).
    Offline,
    /// The server stopped answering part-way.
    Stalled,
    /// The server speaks a newer sync format: this app must be updated.
    UpdateApp,
    /// The server refused the request; its message.
    Refused(String),
    /// The server failed; its message.
    Server(String),
    /// This device's storage refused what was received.
    Storage(StorageError),
    /// The session ended or ran out: someone must sign in (online) before sync goes on.
    SignedOut,
    /// An administrator retired this device, but changes are still unsent here.
    Retired,
    /// The server keeps no more changes set aside for this device until an administrator
    /// decides on some: nothing was sent, everything stays in the outbox.
    SetAsideFull,
}

impl From<StorageError> for SyncError {
    fn from(error: StorageError) -> Self {
        Self::Storage(error)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub running: bool,
    /// When the last sync finished, by this device's clock (for display only).
    pub last_synced: Option<i64>,
    pub error: Option<SyncError>,
    /// During a long pull: changes received in this run, and how many there are to receive.
    pub progress: Option<(u64, u64)>,
}

/// How long to wait before the next sync after `failures` failed runs in a row: the period
/// when all is well, else 5 s doubling each time, never more than 5 minutes.
pub fn next_sync_ms(failures: u32) -> u32 {
    if failures == 0 {
        PERIOD_MS
    } else {
        BACKOFF_MS
            .saturating_mul(1 << (failures - 1).min(10))
            .min(MAX_BACKOFF_MS)
    }
}

/// What an error answer says about this device and its session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Nothing about who this device is: an ordinary error.
    Unaffected,
    /// The session ended or ran out: someone must sign in again.
    SignedOut,
    /// The request could not prove it comes from this device: asked to sign in again on the
    /// session's check; elsewhere an ordinary refusal.
    Unproven,
    /// An administrator revoked the device: everything on it is deleted at once.
    Revoked,
    /// An administrator retired the device: it sends what is unsent, then deletes everything.
    /// Acted on only by the sync loop, which knows whether anything is unsent.
    Retired,
}

/// The one match on the server's error codes for what they say about the device.
pub fn standing(code: &ErrorCode) -> Standing {
    match code {
        ErrorCode::SignedOut => Standing::SignedOut,
        ErrorCode::DeviceProof => Standing::Unproven,
        ErrorCode::DeviceRevoked => Standing::Revoked,
        ErrorCode::DeviceRetired => Standing::Retired,
        ErrorCode::NotFound
        | ErrorCode::MethodNotAllowed
        | ErrorCode::BadRequest
        | ErrorCode::TooLarge
        | ErrorCode::NotJson
        | ErrorCode::UpdateApp
        | ErrorCode::SignInFailed
        | ErrorCode::Forbidden
        | ErrorCode::CrossSite
        | ErrorCode::TooManyRequests
        | ErrorCode::Busy
        | ErrorCode::Conflict
        | ErrorCode::SetAsideFull
        | ErrorCode::InstanceChanged
        | ErrorCode::InvalidDefinition
        | ErrorCode::IncompatibleVersion
        | ErrorCode::Internal
        | ErrorCode::Unknown(_) => Standing::Unaffected,
    }
}

/// What the sync loop does with a failed call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Shown as the sync's error; the next run tries again.
    Fail(SyncError),
    /// The session ended, or the device was revoked: the account acts on it (a sign-in, or
    /// everything deleted), and sync shows that someone must sign in.
    Account,
    /// The device was retired: once nothing is unsent, everything is deleted.
    Retire,
}

/// How the sync loop answers a failed call.
pub fn classify(error: &ApiError) -> Verdict {
    let standing = error.code().map_or(Standing::Unaffected, standing);
    match standing {
        Standing::Retired => return Verdict::Retire,
        Standing::SignedOut | Standing::Revoked => return Verdict::Account,
        Standing::Unproven | Standing::Unaffected => {}
    }
    Verdict::Fail(match error {
        ApiError::Offline => SyncError::Offline,
        ApiError::Stalled => SyncError::Stalled,
        ApiError::Garbled(detail) => SyncError::Server(detail.clone()),
        ApiError::Status { status: 426, .. } => SyncError::UpdateApp,
        ApiError::Status {
            code: ErrorCode::SetAsideFull,
            ..
        } => SyncError::SetAsideFull,
        ApiError::Status {
            status: 400..=499,
            message,
            ..
        } => SyncError::Refused(message.clone()),
        ApiError::Status { message, .. } => SyncError::Server(message.clone()),
    })
}

/// Why a sync round stopped short, and what the handles do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Shown as the sync's error; the next run tries again.
    Failed(SyncError),
    /// The session ended, or the device was revoked: the account acts on this error (a
    /// sign-in, or everything deleted).
    Account(ApiError),
    /// An administrator retired the device; `wipe`: nothing is unsent, everything goes now.
    Retired { wipe: bool },
}

impl From<StorageError> for Stop {
    fn from(error: StorageError) -> Self {
        Self::Failed(SyncError::Storage(error))
    }
}

impl Stop {
    /// What the sync's status shows after it.
    pub fn shown(&self) -> SyncError {
        match self {
            Self::Failed(error) => error.clone(),
            Self::Account(_) => SyncError::SignedOut,
            Self::Retired { .. } => SyncError::Retired,
        }
    }
}

/// Why a round stops on a failed call, with `unsent` changes on the device: a retired device
/// deletes everything only once nothing is unsent (the push ran first, so what is unsent now
/// could not be sent yet). The one place `device_retired` is acted on.
pub fn stop_for(error: ApiError, unsent: usize) -> Stop {
    match classify(&error) {
        Verdict::Fail(error) => Stop::Failed(error),
        Verdict::Retire => Stop::Retired { wipe: unsent == 0 },
        Verdict::Account => Stop::Account(error),
    }
}

/// The status after a round: when it finished well, or its error; `failures` counts the
/// rounds that failed in a row (the backoff reads it).
pub fn settle(
    status: &mut SyncStatus,
    failures: &mut u32,
    result: Result<(), SyncError>,
    now: i64,
) {
    match result {
        Ok(()) => {
            *failures = 0;
            status.last_synced = Some(now);
            status.error = None;
        }
        Err(error) => {
            *failures += 1;
            status.error = Some(error);
        }
    }
}

/// A pull's progress after a page that moved the cursor from `start` to `cursor` with the log
/// at `head`: shown only while `more` pages follow.
pub fn pull_progress(start: u64, cursor: u64, head: u64, more: bool) -> Option<(u64, u64)> {
    more.then(|| {
        (
            cursor.saturating_sub(start),
            head.max(cursor).saturating_sub(start),
        )
    })
}

/// A bootstrap's progress: fields received, of how many the first page said (0: not said).
pub fn bootstrap_progress(progress: &crate::device::state::Progress) -> Option<(u64, u64)> {
    Some((progress.received, progress.total.unwrap_or(0)))
}

/// A pulled page's scope hand-over, split: finished with the page itself, or (clients left the
/// device's scope) finished only once their unsent changes are sent and they are deleted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HandOver {
    /// The hand-over's token, if the page carries one.
    pub token: Option<u64>,
    /// Finished with this page (no client left).
    pub finished: Option<u64>,
    /// The clients that left, and the token their deletion finishes.
    pub left: Option<(Vec<ClientId>, u64)>,
}

impl HandOver {
    pub fn of(scope: Option<&ScopeChange>) -> Self {
        match scope {
            None => Self::default(),
            Some(scope) if scope.left.is_empty() => Self {
                token: Some(scope.token),
                finished: Some(scope.token),
                left: None,
            },
            Some(scope) => Self {
                token: Some(scope.token),
                finished: None,
                left: Some((scope.left.clone(), scope.token)),
            },
        }
    }

    /// Only a new hand-over goes on without the cursor moving: never the same twice.
    pub fn is_new(&self, last_token: Option<u64>) -> bool {
        self.token.is_some() && self.token != last_token
    }
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
