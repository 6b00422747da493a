//! Reading a tab's [`Message`], `{"type": "…", …}`, through one plain struct instead of serde's
//! buffered reading of a tagged enum (see `yorisoi_domain::tagged`): a pulled page's changes are
//! then read by the same compiled code as the server's pull answer.

use super::Message;
use crate::device::sync::status::SyncStatus;
use serde::{Deserialize, Deserializer};
use yorisoi_domain::ids::{ClientId, PersonId};
use yorisoi_domain::sync::protocol::Pulled;
use yorisoi_domain::tagged::need;

/// Every variant's fields, each optional; unknown fields are ignored, as the derived reading did.
#[derive(Deserialize)]
struct Plain {
    #[serde(rename = "type")]
    kind: String,
    changes: Option<Vec<Pulled>>,
    cursor: Option<u64>,
    status: Option<SyncStatus>,
    clients: Option<Vec<ClientId>>,
    last: Option<bool>,
    instance: Option<String>,
    person: Option<PersonId>,
    key: Option<String>,
}

const VARIANTS: &[&str] = &[
    "pulled",
    "status",
    "sync_now",
    "hello",
    "forgot",
    "stored",
    "restarted",
    "keys_please",
    "keys",
    "lock",
    "wiped",
];

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let p = Plain::deserialize(deserializer)?;
        Ok(match p.kind.as_str() {
            "pulled" => Message::Pulled {
                changes: need(p.changes, "changes")?,
                cursor: need(p.cursor, "cursor")?,
            },
            "status" => Message::Status {
                status: need(p.status, "status")?,
            },
            "sync_now" => Message::SyncNow,
            "hello" => Message::Hello,
            "forgot" => Message::Forgot {
                clients: need(p.clients, "clients")?,
            },
            "stored" => Message::Stored {
                clients: need(p.clients, "clients")?,
                last: need(p.last, "last")?,
            },
            "restarted" => Message::Restarted {
                instance: need(p.instance, "instance")?,
            },
            "keys_please" => Message::KeysPlease,
            "keys" => Message::Keys {
                person: need(p.person, "person")?,
                key: need(p.key, "key")?,
            },
            "lock" => Message::Lock,
            "wiped" => Message::Wiped,
            other => return Err(serde::de::Error::unknown_variant(other, VARIANTS)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use yorisoi_domain::ids::DeviceId;
    use yorisoi_domain::sync::{Change, ChangeId, Entity};

    fn id<T: std::str::FromStr>(n: u8) -> T {
        match format!("00000000-0000-7000-8000-0000000000{n:02}").parse() {
            Ok(id) => id,
            Err(_) => unreachable!("a well-formed id"),
        }
    }

    fn every_variant() -> Vec<Message> {
        let client = id::<ClientId>(7);
        let change = Change {
            id: ChangeId {
                device: id::<DeviceId>(1),
                seq: 3,
            },
            entity: Entity::Client(client),
            client,
            field: "name".into(),
            value: json!("山田"),
            base: vec![],
        };
        let status = SyncStatus {
            last_synced: Some(12),
            progress: Some((3, 40)),
            ..SyncStatus::default()
        };
        vec![
            Message::Pulled {
                changes: vec![Pulled {
                    seq: 9,
                    change,
                    received_at: 5,
                }],
                cursor: 9,
            },
            Message::Status { status },
            Message::SyncNow,
            Message::Hello,
            Message::Forgot {
                clients: vec![client],
            },
            Message::Stored {
                clients: vec![client],
                last: true,
            },
            Message::Restarted {
                instance: "db-2".into(),
            },
            Message::KeysPlease,
            Message::Keys {
                person: id::<PersonId>(4),
                key: "a2V5".into(),
            },
            Message::Lock,
            Message::Wiped,
        ]
    }

    fn text(m: &Message) -> String {
        serde_json::to_string(m).unwrap()
    }

    #[test]
    fn every_message_reads_back_as_written_and_its_type_is_listed() {
        let all = every_variant();
        for m in &all {
            let read: Message = serde_json::from_str(&text(m)).unwrap();
            assert_eq!(text(&read), text(m));
        }
        let tags: Vec<String> = all
            .iter()
            .map(|m| {
                serde_json::to_value(m).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(tags, VARIANTS);
    }

    #[test]
    fn a_pulled_page_told_by_post_pulled_reads_as_a_message() {
        let Message::Pulled { changes, cursor } = &every_variant()[0] else {
            unreachable!()
        };
        #[derive(serde::Serialize)]
        #[serde(tag = "type", rename = "pulled")]
        struct PulledRef<'a> {
            changes: &'a [Pulled],
            cursor: u64,
        }
        let told = serde_json::to_string(&PulledRef {
            changes,
            cursor: *cursor,
        })
        .unwrap();
        assert_eq!(told, text(&every_variant()[0]));
        assert!(matches!(
            serde_json::from_str::<Message>(&told).unwrap(),
            Message::Pulled { cursor: 9, .. }
        ));
    }

    #[test]
    fn what_is_not_a_message_is_refused() {
        let cases = [
            (json!({"cursor": 1}), "missing field `type`"),
            (
                json!({"type": "pulled", "changes": []}),
                "missing field `cursor`",
            ),
            (
                json!({"type": "stored", "last": true}),
                "missing field `clients`",
            ),
            (json!({"type": "shout"}), "unknown variant `shout`"),
            (json!("hello"), "invalid type"),
        ];
        for (value, error) in cases {
            let got = serde_json::from_str::<Message>(&value.to_string())
                .unwrap_err()
                .to_string();
            assert!(got.starts_with(error), "{value}: {got}");
        }
        let hello: Message = serde_json::from_str(r#"{"extra": 1, "type": "hello"}"#).unwrap();
        assert!(matches!(hello, Message::Hello));
    }
}
