//! Typed identifiers. Every record, client and device is named by a UUIDv7, wrapped in a newtype
//! so that a client id can never be passed where a device id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new UUIDv7 from the caller's clock (milliseconds since the Unix epoch) and ten
            /// random bytes. Ids made later sort later, which keeps storage keys in time order.
            pub fn new_v7(unix_millis: u64, random: [u8; 10]) -> Self {
                Self(uuid::Builder::from_unix_timestamp_millis(unix_millis, &random).into_uuid())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A person supported by the agency (利用者).
    ClientId
);
id_type!(
    /// One record: an assessment, a visit note, a client's profile.
    RecordId
);
id_type!(
    /// One installation of the app: a coach's tablet, a client's phone, an office browser.
    DeviceId
);
id_type!(
    /// A member of the agency's staff who signs in (an administrator, a coach, the office).
    PersonId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_later_sort_later() {
        let earlier = RecordId::new_v7(1_700_000_000_000, [0xff; 10]);
        let later = RecordId::new_v7(1_700_000_000_001, [0x00; 10]);
        assert!(earlier < later);
        assert_eq!(earlier.0.get_version_num(), 7);
    }

    #[test]
    fn ids_serialize_as_plain_uuid_strings_and_parse_back() {
        let id = ClientId::new_v7(1_700_000_000_000, [7; 10]);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
        assert_eq!(serde_json::from_str::<ClientId>(&json).unwrap(), id);
        assert_eq!(id.to_string().parse::<ClientId>().unwrap(), id);
    }

    #[test]
    fn a_malformed_id_is_an_error_not_a_panic() {
        assert!("not-a-uuid".parse::<DeviceId>().is_err());
    }
}
