//! One sync round, its storage and HTTP steps in order: every writer's changes pushed (after
//! localStorage is read again), then either the bootstrap's pages (a device that holds nothing
//! yet) or the pull's pages until the log is caught up, each page stored with its cursor before
//! the next is asked for, then the instrument versions if the pull says they changed. What changes for the pages
//! meanwhile is reported as [`Step`]s, as it happens; the round returns `Ok` or why it stopped
//! ([`Stop`]). It never calls up into the handles: the syncing tab's `SyncEngine` runs it and
//! turns what it reports into signals.
//!
//! Every step is safe to repeat: a push the server stored but whose answer was lost is stored
//! nothing twice, and a page written with its cursor in one transaction is never applied half.

use super::status::{self, HandOver, Stop, SyncError};
use crate::api::{self, ApiError};
use crate::device::engine::synced::ReadIn;
use crate::device::engine::{Device, Touched};
use crate::device::errors::StorageError;
use crate::device::prefetch;
use crate::device::state::Progress;
use crate::tabs;
use std::collections::BTreeSet;
use yorisoi_domain::errors::ErrorCode;
use yorisoi_domain::ids::ClientId;
use yorisoi_domain::sync::protocol::{FramedPage, PushRequest, WIRE_FORMAT};

/// What a round changed of what the pages show, told as it happens.
#[derive(Debug)]
pub enum Step {
    /// Entities, refused changes or clients changed (a rescan, an acknowledgement, a page).
    Touched(Touched),
    /// The round's progress to show: received so far and how many there are (`None`: none).
    Progress(Option<(u64, u64)>),
    /// A bootstrap page brought chunks of these clients: they are read next.
    Arriving(BTreeSet<ClientId>),
    /// Their profiles, read (`last`: the bootstrap's last page was stored, so every client's
    /// records may now be read in the background).
    ReadIn {
        read: Result<ReadIn, StorageError>,
        last: bool,
    },
}

/// One round, as the syncing tab runs it.
pub async fn run_once(device: &Device, report: &dyn Fn(Step)) -> Result<(), Stop> {
    push_all(device, report).await?;
    match device.bootstrap_progress() {
        Some(progress) => bootstrap(device, progress, report).await?,
        // A page asked for at sign-in is not needed: this device pulls.
        None => drop(prefetch::take()),
    }
    let seen = pull(device, report).await?;
    // After the pull: its pages carry the fingerprint of the versions in use, and the versions
    // are asked for only when it differs from the one installed (issue 22).
    if let Err(error) = crate::instruments::refresh(device.instruments_used(), &seen).await {
        // Only logged: the next round asks again.
        web_sys::console::warn_1(&format!("instrument versions not refreshed: {error:?}").into());
    }
    Ok(())
}

/// An answer, or why the round stops on its error (see [`status::stop_for`]).
fn answer<T>(device: &Device, result: Result<T, ApiError>) -> Result<T, Stop> {
    result.map_err(|error| status::stop_for(error, device.unsent()))
}

/// Pushes every writer's changes that may be pushed, oldest writer first.
async fn push_all(device: &Device, report: &dyn Fn(Step)) -> Result<(), Stop> {
    // Every tab's changes: what this tab may have missed of them is read again first.
    report(Step::Touched(device.rescan()));
    let alive = tabs::alive_writers().await;
    while let Some((writer, changes)) = device.next_push(&alive) {
        let request = PushRequest {
            format: WIRE_FORMAT,
            device: writer,
            changes,
        };
        let response = match api::push(&request, &device.instance()).await {
            // The server was restored from a backup: nothing of this push was stored. What it
            // lacks goes again first, then this push.
            Err(error) if error.is(&ErrorCode::InstanceChanged) => {
                after_restore(device, report).await?;
                continue;
            }
            other => answer(device, other)?,
        };
        let (touched, acked) = device
            .acknowledged(writer, response.acked_through, &response.refused)
            .await;
        report(Step::Touched(touched));
        if acked? == 0 {
            return Err(Stop::Failed(SyncError::Refused(format!(
                "the server kept changes only through number {}",
                response.acked_through
            ))));
        }
    }
    device.forget_gone_writers(&alive);
    Ok(())
}

/// Pulls pages from the cursor until the log is caught up; returns the fingerprint of the
/// instrument versions in use the last page carried (empty from an older server).
async fn pull(device: &Device, report: &dyn Fn(Step)) -> Result<String, Stop> {
    let start = device.cursor();
    let mut last_token = None;
    loop {
        let since = device.cursor();
        let page = answer(device, api::pull(since, device.scope()).await)?;
        if device.restored(&page.instance) {
            // Another database than the one this device knew: the page is from its own log,
            // not from this device's cursor. Send again what it lacks, then pull from 0.
            after_restore(device, report).await?;
            continue;
        }
        device.adopt(&page.instance).await?;
        let (cursor, more, head) = (page.cursor, page.more, page.head);
        let seen = page.instruments;
        let hand_over = HandOver::of(page.scope.as_ref());
        let handed_over = hand_over.is_new(last_token);
        last_token = hand_over.token;
        let touched = device
            .pulled(page.changes, cursor, hand_over.finished)
            .await?;
        report(Step::Touched(touched));
        // A hand-over is finished with its page, unless clients left: their unsent changes
        // are sent first, and only then are they deleted and the hand-over finished.
        if let Some((left, token)) = hand_over.left {
            push_all(device, report).await?;
            if device.has_unsent_for(&left) {
                // Another tab still types for them: they are deleted on a later sync.
                return Ok(seen);
            }
            report(Step::Touched(device.forget_clients(&left, token).await?));
        }
        report(Step::Progress(status::pull_progress(
            start, cursor, head, more,
        )));
        // A hand-over bringing many clients comes a page of clients at a time, with `more`
        // and the cursor where it was: the next pull confirms it and brings the next.
        if !more || (cursor <= since && !handed_over) {
            return Ok(seen);
        }
    }
}

/// A first sync: the current state of the device's scope, a page at a time, instead of its
/// whole history; the pull then brings what changed after it. A tab closed part-way goes on
/// from the last page stored.
async fn bootstrap(
    device: &Device,
    mut progress: Progress,
    report: &dyn Fn(Step),
) -> Result<(), Stop> {
    report(Step::Progress(status::bootstrap_progress(&progress)));
    // From nothing after a sign-in, the pages come from the reading started then; otherwise
    // each is asked for here, the next before the last is stored.
    let ahead = match progress.after {
        None => prefetch::take(),
        Some(_) => prefetch::take().and(None),
    };
    let fetch = |after: Option<String>| {
        let ahead = ahead.clone();
        async move {
            match ahead {
                Some(slot) => prefetch::next_prefetched(&slot).await,
                None => api::bootstrap(after.as_deref()).await,
            }
        }
    };
    let mut page = answer(device, fetch(progress.after.clone()).await)?;
    loop {
        let instance = page.head.instance.clone();
        // The next page is asked for before this one is stored: the server reads it while
        // this device seals and stores the last.
        let next = page.head.next.clone();
        let fetch_next = async {
            match next {
                Some(after) => Some(fetch(Some(after)).await),
                None => None,
            }
        };
        let (fetched, stored) =
            futures_util::future::join(fetch_next, store_page(device, page, &mut progress, report))
                .await;
        let last = stored?;
        if last {
            device.adopt(&instance).await?;
        }
        report(Step::Progress(status::bootstrap_progress(&progress)));
        match fetched {
            Some(fetched) if !last => page = answer(device, fetched)?,
            _ => return Ok(()),
        }
    }
}

/// A bootstrap page stored, then read in like a start: the clients' profiles at once, their
/// records in the background (once the last page is stored). Returns whether it was the last.
pub async fn store_page(
    device: &Device,
    page: FramedPage,
    progress: &mut Progress,
    report: &dyn Fn(Step),
) -> Result<bool, StorageError> {
    let stored = device.bootstrapped(&page, progress).await?;
    report(Step::Arriving(stored.clients.clone()));
    let read = device.read_profiles(&stored.clients).await;
    report(Step::ReadIn {
        read,
        last: stored.last,
    });
    if stored.last {
        crate::clock::mark_spent();
    }
    Ok(stored.last)
}

/// The server's database was restored from a backup: every change of this device's writers it
/// still holds above what the server holds goes again (same ids and values), then the device
/// pulls from the start of the restored log (see `device::engine::restore`).
async fn after_restore(device: &Device, report: &dyn Fn(Step)) -> Result<(), Stop> {
    let writers = answer(device, api::writers().await)?;
    for (writer, changes) in device.to_resend(&writers).await? {
        let request = PushRequest {
            format: WIRE_FORMAT,
            device: writer,
            changes,
        };
        let response = answer(device, api::push(&request, &writers.instance).await)?;
        let (touched, kept) = device.resent_refused(&request.changes, &response.refused);
        report(Step::Touched(touched));
        kept?;
    }
    device.restart(&writers.instance).await?;
    Ok(())
}
