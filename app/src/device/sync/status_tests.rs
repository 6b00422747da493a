use super::*;

#[test]
fn the_pause_after_failures_doubles_from_five_seconds_to_five_minutes() {
    // (failures in a row, pause in ms)
    let cases = [
        (0, PERIOD_MS),
        (1, 5_000),
        (2, 10_000),
        (3, 20_000),
        (6, 160_000),
        (7, 300_000),
        (8, 300_000),
        (40, 300_000),
        (u32::MAX, 300_000),
    ];
    for (failures, ms) in cases {
        assert_eq!(next_sync_ms(failures), ms, "{failures} failures");
    }
}

fn status(status: u16, code: ErrorCode) -> ApiError {
    ApiError::Status {
        status,
        code,
        message: "why".into(),
    }
}

#[test]
fn every_failed_call_has_one_answer() {
    let cases = [
        (ApiError::Offline, Verdict::Fail(SyncError::Offline)),
        (ApiError::Stalled, Verdict::Fail(SyncError::Stalled)),
        (
            ApiError::Garbled("x".into()),
            Verdict::Fail(SyncError::Server("x".into())),
        ),
        (
            status(426, ErrorCode::UpdateApp),
            Verdict::Fail(SyncError::UpdateApp),
        ),
        (
            status(409, ErrorCode::SetAsideFull),
            Verdict::Fail(SyncError::SetAsideFull),
        ),
        (
            status(400, ErrorCode::BadRequest),
            Verdict::Fail(SyncError::Refused("why".into())),
        ),
        (
            status(403, ErrorCode::DeviceProof),
            Verdict::Fail(SyncError::Refused("why".into())),
        ),
        (
            status(500, ErrorCode::Internal),
            Verdict::Fail(SyncError::Server("why".into())),
        ),
        (
            status(502, ErrorCode::Unknown(String::new())),
            Verdict::Fail(SyncError::Server("why".into())),
        ),
        (status(401, ErrorCode::SignedOut), Verdict::Account),
        (status(403, ErrorCode::DeviceRevoked), Verdict::Account),
        (status(403, ErrorCode::DeviceRetired), Verdict::Retire),
    ];
    for (error, verdict) in cases {
        assert_eq!(classify(&error), verdict, "{error:?}");
    }
}

#[test]
fn only_four_codes_say_anything_about_the_device() {
    for code in ErrorCode::KNOWN {
        let expected = match code {
            ErrorCode::SignedOut => Standing::SignedOut,
            ErrorCode::DeviceProof => Standing::Unproven,
            ErrorCode::DeviceRevoked => Standing::Revoked,
            ErrorCode::DeviceRetired => Standing::Retired,
            _ => Standing::Unaffected,
        };
        assert_eq!(standing(code), expected, "{code:?}");
    }
    assert_eq!(
        standing(&ErrorCode::Unknown("device_retired_v2".into())),
        Standing::Unaffected
    );
}

#[test]
fn a_hand_over_is_finished_with_its_page_unless_clients_left() {
    let left = yorisoi_domain::ids::ClientId::new_v7(1, [1; 10]);
    let scope = |token, left: Vec<ClientId>| ScopeChange {
        token,
        entered: vec![],
        left,
    };
    // (scope, hand-over, new after token 7)
    let cases = [
        (None, HandOver::default(), false),
        (
            Some(scope(8, vec![])),
            HandOver {
                token: Some(8),
                finished: Some(8),
                left: None,
            },
            true,
        ),
        (
            Some(scope(9, vec![left])),
            HandOver {
                token: Some(9),
                finished: None,
                left: Some((vec![left], 9)),
            },
            true,
        ),
        (
            Some(scope(7, vec![])),
            HandOver {
                token: Some(7),
                finished: Some(7),
                left: None,
            },
            false,
        ),
    ];
    for (scope, expected, new) in cases {
        let hand_over = HandOver::of(scope.as_ref());
        assert_eq!(hand_over, expected, "{scope:?}");
        assert_eq!(hand_over.is_new(Some(7)), new, "{scope:?}");
    }
}

#[test]
fn a_failed_call_stops_the_round_with_what_the_handles_must_do() {
    // (the call's error, changes still unsent, how the round stops, what the status shows)
    let cases = [
        (
            ApiError::Offline,
            0,
            Stop::Failed(SyncError::Offline),
            SyncError::Offline,
        ),
        (
            status(503, ErrorCode::Busy),
            3,
            Stop::Failed(SyncError::Server("why".into())),
            SyncError::Server("why".into()),
        ),
        (
            status(401, ErrorCode::SignedOut),
            2,
            Stop::Account(status(401, ErrorCode::SignedOut)),
            SyncError::SignedOut,
        ),
        (
            status(403, ErrorCode::DeviceRevoked),
            5,
            Stop::Account(status(403, ErrorCode::DeviceRevoked)),
            SyncError::SignedOut,
        ),
        // Retired: everything goes only once nothing is unsent.
        (
            status(403, ErrorCode::DeviceRetired),
            0,
            Stop::Retired { wipe: true },
            SyncError::Retired,
        ),
        (
            status(403, ErrorCode::DeviceRetired),
            1,
            Stop::Retired { wipe: false },
            SyncError::Retired,
        ),
        (
            status(409, ErrorCode::SetAsideFull),
            4,
            Stop::Failed(SyncError::SetAsideFull),
            SyncError::SetAsideFull,
        ),
    ];
    for (error, unsent, stop, shown) in cases {
        let got = stop_for(error.clone(), unsent);
        assert_eq!(got, stop, "{error:?} with {unsent} unsent");
        assert_eq!(got.shown(), shown, "{error:?}");
    }
    let storage = StorageError::Quota;
    assert_eq!(
        Stop::from(storage.clone()).shown(),
        SyncError::Storage(storage)
    );
}

#[test]
fn a_round_settles_the_status_and_the_failures_in_a_row() {
    let earlier = SyncStatus {
        running: true,
        last_synced: Some(5),
        error: Some(SyncError::Offline),
        progress: Some((1, 2)),
    };
    // (failures before, the round's result, failures after, last synced, error shown)
    let cases = [
        (0, Ok(()), 0, Some(90), None),
        (4, Ok(()), 0, Some(90), None),
        (
            0,
            Err(SyncError::Stalled),
            1,
            Some(5),
            Some(SyncError::Stalled),
        ),
        (
            2,
            Err(SyncError::Offline),
            3,
            Some(5),
            Some(SyncError::Offline),
        ),
    ];
    for (before, result, after, last_synced, error) in cases {
        let mut status = earlier.clone();
        let mut failures = before;
        settle(&mut status, &mut failures, result.clone(), 90);
        assert_eq!(failures, after, "{before} then {result:?}");
        assert_eq!(status.last_synced, last_synced, "{result:?}");
        assert_eq!(status.error, error, "{result:?}");
        // What is running and its progress are the loop's to end, not the round's.
        assert_eq!((status.running, status.progress), (true, Some((1, 2))));
    }
}

#[test]
fn progress_is_shown_while_more_follows_and_counts_from_where_the_run_started() {
    // (start, cursor, head, more, shown)
    let cases = [
        (10, 40, 100, true, Some((30, 90))),
        (10, 40, 100, false, None),
        // The log's head read before the page moved past it: never less than the cursor.
        (10, 40, 20, true, Some((30, 30))),
        // A restore pulls from 0 while the run started further on.
        (50, 20, 80, true, Some((0, 30))),
    ];
    for (start, cursor, head, more, shown) in cases {
        assert_eq!(
            pull_progress(start, cursor, head, more),
            shown,
            "{start} {cursor} {head} {more}"
        );
    }
    let mut progress = crate::device::state::Progress::default();
    assert_eq!(bootstrap_progress(&progress), Some((0, 0)));
    progress.received = 7;
    progress.total = Some(12);
    assert_eq!(bootstrap_progress(&progress), Some((7, 12)));
}
