//! Every name the device stores something under: the localStorage keys of its entries and the
//! IndexedDB keys of its chunks, in one list (see [`super::local`] for what each holds).

use yorisoi_domain::ids::{ClientId, DeviceId};

/// Clients written before sync existed (read once, then removed).
pub const CLIENT_PREFIX: &str = "yorisoi.client.";
/// Records written before sync existed (read once, then removed).
pub const RECORD_PREFIX: &str = "yorisoi.record.";
/// One unsent change: `yorisoi.outbox.<writer>.<seq>`.
pub const OUTBOX_PREFIX: &str = "yorisoi.outbox.";
/// One writer (a run of the app in a tab) and how far its changes are final.
pub const WRITER_PREFIX: &str = "yorisoi.writer.";
/// A change the server set aside, with why: `yorisoi.refused.<writer>.<seq>`.
pub const REFUSED_PREFIX: &str = "yorisoi.refused.";
/// This device's identity.
pub const DEVICE_KEY: &str = "yorisoi.device";
/// Every key of this app starts so.
pub const APP_PREFIX: &str = "yorisoi.";

pub fn client_key(client: ClientId) -> String {
    format!("{CLIENT_PREFIX}{client}")
}

pub fn record_key(record: impl std::fmt::Display) -> String {
    format!("{RECORD_PREFIX}{record}")
}

pub fn outbox_key(writer: DeviceId, seq: u64) -> String {
    format!("{OUTBOX_PREFIX}{writer}.{seq}")
}

pub fn refused_key(writer: DeviceId, seq: u64) -> String {
    format!("{REFUSED_PREFIX}{writer}.{seq}")
}

pub fn writer_key(writer: DeviceId) -> String {
    format!("{WRITER_PREFIX}{writer}")
}

/// The client a chunk key belongs to.
pub fn client_of_key(key: &str) -> Option<ClientId> {
    key.split('/').next()?.parse().ok()
}

/// What a chunk key holds: `s` state, `c` changes, `p` profile, `h` history.
pub fn kind_of_key(key: &str) -> Option<&str> {
    key.split('/').nth(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_names_what_it_holds() {
        let writer = DeviceId::new_v7(1, [1; 10]);
        let client = ClientId::new_v7(2, [2; 10]);
        let cases: [(String, &str); 4] = [
            (outbox_key(writer, 7), OUTBOX_PREFIX),
            (refused_key(writer, 7), REFUSED_PREFIX),
            (writer_key(writer), WRITER_PREFIX),
            (client_key(client), CLIENT_PREFIX),
        ];
        for (key, prefix) in cases {
            assert!(key.starts_with(prefix), "{key} under {prefix}");
            assert!(key.starts_with(APP_PREFIX), "{key} is the app's");
        }
        assert_eq!(outbox_key(writer, 7), format!("yorisoi.outbox.{writer}.7"));
        let chunk = format!("{client}/c/p42");
        let cases = [
            (chunk.as_str(), Some(client), Some("c")),
            ("nonsense", None, None),
        ];
        for (key, owner, kind) in cases {
            assert_eq!(client_of_key(key), owner, "{key}");
            assert_eq!(kind_of_key(key), kind, "{key}");
        }
    }
}
