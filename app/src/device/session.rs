//! The session rules, as values: who is signed in as this device stored it, whether the
//! session still runs by the server's clock as this device reckons it, whose the device's data
//! is (another person, or the same person in another role, starts from a clean slate), and how
//! long untouched locks the screen.

use yorisoi_domain::accounts::{Me, Role};
use yorisoi_domain::ids::PersonId;

/// Where the session is stored.
pub const SESSION_KEY: &str = "yorisoi.session";
/// Who last signed in on this device, and in what role: the device's data is theirs.
pub const LAST_PERSON_KEY: &str = "yorisoi.last_person";
/// How long untouched locks the screen, as the settings page set it.
pub const IDLE_KEY: &str = "yorisoi.idle_seconds";
/// The screen locks after this long untouched (seconds), unless the settings say otherwise.
pub const IDLE_SECONDS: u32 = 5 * 60;

/// Who is signed in, and how far this device's clock was from the server's at the last contact.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    pub me: Me,
    /// Device clock minus server clock, in ms.
    pub offset: i64,
}

impl Session {
    /// The session as the server just described it, with this device's clock at `device_now`
    /// (a server that sends no time gives no offset).
    pub fn of(me: Me, device_now: i64) -> Self {
        let offset = if me.server_time > 0 {
            device_now - me.server_time
        } else {
            0
        };
        Self { me, offset }
    }

    /// Whether the session still runs, by the server's clock as this device reckons it.
    pub fn live(&self, device_now: i64) -> bool {
        device_now - self.offset < self.me.expires_at
    }

    /// Whose the device's data is once this session began.
    pub fn owner(&self) -> (PersonId, Role) {
        (self.me.person, self.me.role)
    }
}

/// Whether `me` is another person than the last one here, or the same person in another role:
/// what came from the server for the last one is not theirs (their scope changed wholesale).
pub fn is_another(last: Option<(PersonId, Role)>, me: &Me) -> bool {
    last.is_some_and(|last| last != (me.person, me.role))
}

/// Whether a sign-in starts from nothing on this device (it bootstraps, so its first pages
/// may be asked for at once): the person reads clients, and the device's data is not theirs.
pub fn starts_fresh(last: Option<(PersonId, Role)>, me: &Me) -> bool {
    me.role.reads_clients() && last != Some((me.person, me.role))
}

/// The screen's idle time as stored: 5 s to an hour, else the default.
pub fn idle_seconds(stored: Option<u32>) -> u32 {
    stored
        .filter(|s| (5..=3600).contains(s))
        .unwrap_or(IDLE_SECONDS)
}

/// What is stored when a person picks an idle time.
pub fn clamp_idle(seconds: u32) -> u32 {
    seconds.clamp(5, 3600)
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
