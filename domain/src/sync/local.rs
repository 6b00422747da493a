//! What a device keeps of sync, in the versioned stored format (see [`crate::stored`]):
//! its identity, each writer's seal, its unsent changes, and the changes it has synced.
//!
//! A writer is one tab's run of the app: each numbers its changes on its own (`(writer, seq)`),
//! so tabs open side by side never give two edits one number.

use super::change::Change;
use super::check::Refusal;
use crate::ids::DeviceId;
use crate::stored::Stored;
use serde::{Deserialize, Serialize};

/// This device's identity, made once. `next_seq` is what the release before writers numbered
/// its changes with; it is kept so that format stays readable, and no longer moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceState {
    pub id: DeviceId,
    pub next_seq: u64,
}

/// One writer (a tab's run of the app) of this device: the highest of its numbers that are
/// final. Changes up to it are never amended again, so another tab may push them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Writer {
    pub id: DeviceId,
    pub sealed_through: u64,
}

/// A change this device made and the server has not acknowledged yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unsent {
    pub change: Change,
    /// When the person made it, by this device's clock: shown in the history, never merged on.
    pub made_at: i64,
}

/// A change the server has: pulled from it, or acknowledged by it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Synced {
    pub change: Change,
    /// When the server received it, by the server's clock; `None` until a pull brings it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<i64>,
    /// When this device made it, for its own changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_at: Option<i64>,
}

/// A change of this device the server set aside instead of storing, with why: kept and shown
/// until a person on the server side accepts or discards it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefusedChange {
    pub change: Change,
    pub refusal: Refusal,
    /// When the person made it, by this device's clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_at: Option<i64>,
    /// Its client and record as the device had them when it was refused (entries stored by the
    /// release before have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<super::refused::RefusedContext>,
}

impl Stored for RefusedChange {
    const KIND: &'static str = "refused";
}

impl Stored for DeviceState {
    const KIND: &'static str = "device";
}

impl Stored for Writer {
    const KIND: &'static str = "writer";
}

impl Stored for Unsent {
    const KIND: &'static str = "unsent";
}

/// One stored piece of what a device holds of one client from the server: the state of some of
/// its fields (a bootstrap page's, or the tail folded into a snapshot), or changes that reached
/// the server (a pulled page's, or this device's own, acknowledged). A device keeps a few large
/// chunks instead of one entry per change: a storage write costs the same whatever its size.
///
/// Written as `{"type": …, …}` with the type first; read without buffering the whole value when
/// the type comes first (a chunk is megabytes), and through a buffer otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Chunk {
    /// Fields one by one, each naming its client and entity (the first builds with chunks).
    State {
        fields: Vec<super::state::FieldState>,
    },
    Changes {
        changes: Vec<Synced>,
    },
    /// Fields grouped by entity, as a bootstrap page sends them.
    Entities {
        client: crate::ids::ClientId,
        entities: Vec<super::state::EntityState>,
    },
}

/// A [`Chunk::Entities`] made of borrowed entities: what is stored of a bootstrap page without
/// copying the page first. Its text is exactly the owned chunk's. `F` is how an entity's fields
/// are held: parsed, or (on the server, which writes the chunks a device stores) as JSON text.
pub struct EntitiesView<'a, F = super::state::Fields> {
    pub client: crate::ids::ClientId,
    pub entities: Vec<&'a super::state::EntityState<F>>,
}

impl<F: Serialize> EntitiesView<'_, F> {
    /// The stored text (as [`crate::stored::encode_direct`] writes a [`Chunk`]).
    pub fn encode(&self) -> String {
        #[derive(Serialize)]
        #[serde(tag = "type", rename = "entities")]
        struct View<'b, F> {
            client: crate::ids::ClientId,
            entities: &'b [&'b super::state::EntityState<F>],
        }
        crate::stored::encode_direct_as::<Chunk>(&View {
            client: self.client,
            entities: &self.entities,
        })
    }
}

/// A chunk whose type did not come first (a tree of it, whose keys are sorted, gives `changes`,
/// `client` and `fields` before `type`): its text again with the type first, read the streamed
/// way. One reading of a chunk is compiled, not a second, buffered one.
fn type_first(mut object: serde_json::Map<String, serde_json::Value>) -> Result<Chunk, String> {
    let kind = object
        .remove("type")
        .ok_or_else(|| "missing field `type`".to_owned())?;
    let mut text = format!("{{\"type\":{kind}");
    for (key, value) in &object {
        text.push(',');
        text.push_str(&serde_json::Value::from(key.as_str()).to_string());
        text.push(':');
        text.push_str(&value.to_string());
    }
    text.push('}');
    serde_json::from_str(&text).map_err(|e| crate::stored::without_position(&e))
}

impl<'de> Deserialize<'de> for Chunk {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{Error, MapAccess, Visitor};
        struct Streamed;
        impl<'de> Visitor<'de> for Streamed {
            type Value = Chunk;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a stored chunk")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Chunk, A::Error> {
                let Some(first) = map.next_key::<String>()? else {
                    return Err(A::Error::missing_field("type"));
                };
                if first != "type" {
                    // Not as this app writes it: buffer it all, read it again type first.
                    let mut object = serde_json::Map::new();
                    object.insert(first, map.next_value()?);
                    while let Some((key, value)) = map.next_entry::<String, serde_json::Value>()? {
                        object.insert(key, value);
                    }
                    return type_first(object).map_err(A::Error::custom);
                }
                let kind: String = map.next_value()?;
                let (mut fields, mut changes, mut client, mut entities) = (None, None, None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match (kind.as_str(), key.as_str()) {
                        ("state", "fields") => fields = Some(map.next_value()?),
                        ("changes", "changes") => changes = Some(map.next_value()?),
                        ("entities", "client") => client = Some(map.next_value()?),
                        ("entities", "entities") => entities = Some(map.next_value()?),
                        _ => {
                            return Err(A::Error::custom(format!(
                                "unknown field `{key}` in a {kind} chunk"
                            )));
                        }
                    }
                }
                match kind.as_str() {
                    "state" => Ok(Chunk::State {
                        fields: fields.ok_or_else(|| A::Error::missing_field("fields"))?,
                    }),
                    "changes" => Ok(Chunk::Changes {
                        changes: changes.ok_or_else(|| A::Error::missing_field("changes"))?,
                    }),
                    "entities" => Ok(Chunk::Entities {
                        client: client.ok_or_else(|| A::Error::missing_field("client"))?,
                        entities: entities.ok_or_else(|| A::Error::missing_field("entities"))?,
                    }),
                    other => Err(A::Error::unknown_variant(
                        other,
                        &["state", "changes", "entities"],
                    )),
                }
            }
        }
        deserializer.deserialize_map(Streamed)
    }
}

impl Stored for Chunk {
    const KIND: &'static str = "chunk";
}

impl Stored for Synced {
    const KIND: &'static str = "synced";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ClientId, RecordId};
    use crate::stored::{decode, encode};
    use crate::sync::{ChangeId, Entity};
    use serde_json::json;

    fn change() -> Change {
        let device = DeviceId::new_v7(1_795_000_000_000, [1; 10]);
        Change {
            id: ChangeId { device, seq: 7 },
            entity: Entity::Record(RecordId::new_v7(1_795_000_000_000, [4; 10])),
            client: ClientId::new_v7(1_795_000_000_000, [3; 10]),
            field: "status".into(),
            base: vec![ChangeId { device, seq: 2 }],
            value: json!("complete"),
        }
    }

    fn entities_chunk() -> Chunk {
        let mut register = crate::sync::Register::default();
        let c = change();
        register.apply(c.id, &c.base, &c.value);
        Chunk::Entities {
            client: c.client,
            entities: vec![crate::sync::state::EntityState {
                entity: c.entity,
                at: 5,
                fields: vec![(c.field, register)],
            }],
        }
    }

    /// A chunk written by this app (type first) is read without a buffer; the same chunk with
    /// its keys in any other order (as `encode` sorts them) reads the same through one.
    #[test]
    fn chunks_read_the_same_whatever_the_order_of_their_keys() {
        let chunks = [
            entities_chunk(),
            Chunk::Changes {
                changes: vec![Synced {
                    change: change(),
                    received_at: Some(3),
                    made_at: None,
                }],
            },
            Chunk::State { fields: Vec::new() },
        ];
        for chunk in chunks {
            let direct = crate::stored::encode_direct(&chunk);
            assert!(
                direct.starts_with(r#"{"format":1,"chunk":{"type":"#),
                "{direct}"
            );
            assert_eq!(
                crate::stored::decode_direct::<Chunk>(&direct).unwrap(),
                chunk
            );
            let sorted = encode(&chunk);
            assert!(!sorted.contains(r#""chunk":{"type""#), "{sorted}");
            assert_eq!(decode::<Chunk>(&sorted).unwrap(), chunk);
            assert_eq!(
                crate::stored::decode_direct::<Chunk>(&sorted).unwrap(),
                chunk
            );
        }
        assert_eq!(
            crate::stored::encode_direct(&entities_chunk()),
            r#"{"format":1,"chunk":{"type":"entities","client":"01a1ee56-5e00-7303-8303-030303030303","entities":[{"entity":{"type":"record","id":"01a1ee56-5e00-7404-8404-040404040404"},"at":5,"fields":[["status",{"values":[[{"device":"01a1ee56-5e00-7101-8101-010101010101","seq":7},"complete"]],"replaced":[{"device":"01a1ee56-5e00-7101-8101-010101010101","seq":2}]}]]}]}}"#
        );
    }

    /// A chunk written from borrowed entities is the owned chunk's text, and reads as it.
    #[test]
    fn a_chunk_of_borrowed_entities_is_the_same_chunk() {
        let chunk = entities_chunk();
        let Chunk::Entities { client, entities } = &chunk else {
            unreachable!()
        };
        let view = EntitiesView {
            client: *client,
            entities: entities.iter().collect(),
        };
        assert_eq!(view.encode(), crate::stored::encode_direct(&chunk));
        assert_eq!(
            crate::stored::decode_direct::<Chunk>(&view.encode()).unwrap(),
            chunk
        );
    }

    /// Unknown fields are refused on both ways of reading.
    #[test]
    fn a_chunk_with_an_unknown_field_is_refused() {
        for text in [
            r#"{"type":"changes","changes":[],"extra":1}"#,
            r#"{"changes":[],"extra":1,"type":"changes"}"#,
            r#"{"type":"entities","client":"01a1ee56-5e00-7303-8303-030303030303","entities":[],"fields":[]}"#,
            r#"{"type":"nothing"}"#,
            r#"{}"#,
        ] {
            assert!(serde_json::from_str::<Chunk>(text).is_err(), "{text}");
        }
        assert_eq!(
            serde_json::from_str::<Chunk>(r#"{"changes":[],"type":"changes"}"#).unwrap(),
            Chunk::Changes {
                changes: Vec::new()
            }
        );
    }

    /// The stored shapes, frozen: a change here needs a new format and a migration.
    #[test]
    fn stored_sync_shapes_are_frozen() {
        let device = DeviceState {
            id: DeviceId::new_v7(1_795_000_000_000, [1; 10]),
            next_seq: 8,
        };
        assert_eq!(
            encode(&device),
            r#"{"device":{"id":"01a1ee56-5e00-7101-8101-010101010101","next_seq":8},"format":1}"#
        );
        let writer = Writer {
            id: DeviceId::new_v7(1_795_000_000_000, [2; 10]),
            sealed_through: 3,
        };
        assert_eq!(
            encode(&writer),
            r#"{"format":1,"writer":{"id":"01a1ee56-5e00-7202-8202-020202020202","sealed_through":3}}"#
        );
        let synced = Synced {
            change: change(),
            received_at: Some(1_795_000_000_500),
            made_at: None,
        };
        let text = encode(&synced);
        assert_eq!(
            text,
            r#"{"format":1,"synced":{"change":{"base":[{"device":"01a1ee56-5e00-7101-8101-010101010101","seq":2}],"client":"01a1ee56-5e00-7303-8303-030303030303","entity":{"id":"01a1ee56-5e00-7404-8404-040404040404","type":"record"},"field":"status","id":{"device":"01a1ee56-5e00-7101-8101-010101010101","seq":7},"value":"complete"},"received_at":1795000000500}}"#
        );
        assert_eq!(decode::<Synced>(&text).unwrap(), synced);
        let refused = RefusedChange {
            change: change(),
            refusal: Refusal::UnknownField {
                field: "status".into(),
            },
            made_at: Some(5),
            context: None,
        };
        let text = encode(&refused);
        assert!(
            text.ends_with(r#""made_at":5,"refusal":{"code":"unknown_field","field":"status"}}}"#),
            "{text}"
        );
        assert_eq!(decode::<RefusedChange>(&text).unwrap(), refused);
        let unsent = Unsent {
            change: change(),
            made_at: 5,
        };
        assert_eq!(decode::<Unsent>(&encode(&unsent)).unwrap(), unsent);
    }
}
