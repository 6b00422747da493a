use super::*;
use yorisoi_domain::ids::DeviceId;

fn me(person: u8, role: Role, expires_at: i64, server_time: i64) -> Me {
    Me {
        person: PersonId::new_v7(1 + u64::from(person), [person; 10]),
        login: format!("p{person}"),
        name: format!("P{person}"),
        role,
        device: DeviceId::new_v7(9, [9; 10]),
        expires_at,
        server_time,
        device_name: None,
    }
}

#[test]
fn a_session_runs_until_it_expires_by_the_servers_clock_as_the_device_reckons_it() {
    // (device clock at sign-in, server clock then, device clock now, live)
    let cases = [
        // Clocks agree.
        (1_000, 1_000, 1_999, true),
        (1_000, 1_000, 2_000, false),
        // The device's clock runs an hour ahead: the session still lasts its time.
        (3_601_000, 1_000, 3_601_999, true),
        (3_601_000, 1_000, 3_602_000, false),
        // The device's clock runs behind.
        (500, 1_000, 1_499, true),
        (500, 1_000, 1_500, false),
        // A server that sends no time: the device's clock is taken as it is.
        (1_000, 0, 1_999, true),
        (1_000, 0, 2_000, false),
    ];
    for (device_then, server_then, device_now, live) in cases {
        let session = Session::of(me(1, Role::Coach, 2_000, server_then), device_then);
        assert_eq!(
            session.live(device_now),
            live,
            "signed in at {device_then} (server {server_then}), now {device_now}"
        );
    }
}

#[test]
fn another_person_or_another_role_starts_from_a_clean_slate() {
    let coach = me(1, Role::Coach, 0, 0);
    // (last on the device, who signs in, another, starts fresh)
    let cases = [
        (None, coach.clone(), false, true),
        (
            Some((coach.person, Role::Coach)),
            coach.clone(),
            false,
            false,
        ),
        (
            Some((coach.person, Role::Office)),
            coach.clone(),
            true,
            true,
        ),
        (
            Some((me(2, Role::Coach, 0, 0).person, Role::Coach)),
            coach.clone(),
            true,
            true,
        ),
        // An administrator reads no clients: nothing to start from.
        (None, me(3, Role::Admin, 0, 0), false, false),
    ];
    for (last, who, another, fresh) in cases {
        assert_eq!(
            is_another(last, &who),
            another,
            "{last:?} then {:?}",
            who.role
        );
        assert_eq!(
            starts_fresh(last, &who),
            fresh,
            "{last:?} then {:?}",
            who.role
        );
    }
}

#[test]
fn the_idle_time_is_five_seconds_to_an_hour() {
    let cases = [
        (None, IDLE_SECONDS),
        (Some(4), IDLE_SECONDS),
        (Some(5), 5),
        (Some(600), 600),
        (Some(3600), 3600),
        (Some(3601), IDLE_SECONDS),
    ];
    for (stored, seconds) in cases {
        assert_eq!(idle_seconds(stored), seconds, "{stored:?}");
    }
    let picked = [(0, 5), (5, 5), (90, 90), (7200, 3600)];
    for (seconds, kept) in picked {
        assert_eq!(clamp_idle(seconds), kept);
    }
}
