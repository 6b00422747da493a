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
