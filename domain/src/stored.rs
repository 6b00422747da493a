//! The stored format of clients and records on a device: JSON in a versioned envelope,
//! `{"format": N, "client": {…}}` or `{"format": N, "record": {…}}`.
//!
//! Reading goes through [`decode`], which migrates an older format step by step to the current
//! one, refuses a newer one (written by a newer app: kept untouched, never overwritten by an
//! older app), and reports anything unreadable as a value, so the caller can set that entry
//! aside and load everything else.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// The format this build writes.
pub const FORMAT: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("no format version")]
    NoFormat,
    #[error("format {0} was written by a newer version of the app; update the app to read it")]
    Newer(u32),
    #[error("format {0} is not one this app has ever written")]
    Unknown(u32),
    #[error("not a stored {0}")]
    WrongKind(&'static str),
    #[error("unreadable {kind}: {message}")]
    Invalid { kind: &'static str, message: String },
}

/// A stored shape: which key it lives under in the envelope. Each shape says so where it is
/// defined (`record.rs` for clients and records, `sync/local.rs` for the synced chunks).
pub trait Stored: Serialize + DeserializeOwned {
    const KIND: &'static str;
}

pub fn encode<T: Stored>(value: &T) -> String {
    let mut envelope = Map::new();
    envelope.insert("format".into(), FORMAT.into());
    envelope.insert(
        T::KIND.into(),
        serde_json::to_value(value).expect("stored shapes serialize"),
    );
    Value::Object(envelope).to_string()
}

pub fn decode<T: Stored>(text: &str) -> Result<T, DecodeError> {
    decode_versioned(text).map(|(value, _)| value)
}

/// Like [`decode`], and also says which format the text was written in, so a caller can write an
/// older entry back in the current format without parsing it twice.
pub fn decode_versioned<T: Stored>(text: &str) -> Result<(T, u32), DecodeError> {
    if let Some(value) = current::<T>(text) {
        return Ok((value, FORMAT));
    }
    let value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    let written = value
        .get("format")
        .and_then(Value::as_u64)
        .and_then(|f| u32::try_from(f).ok())
        .unwrap_or(0);
    let value = migrate(value)?;
    let inner = value.get(T::KIND).ok_or(DecodeError::WrongKind(T::KIND))?;
    let decoded = read_tree(inner).map_err(|message| DecodeError::Invalid {
        kind: T::KIND,
        message,
    })?;
    Ok((decoded, written))
}

/// `T` from a tree, as `serde_json::from_value` reads it, but through the tree's text: the
/// shapes the app reads from text are then compiled once in its wasm, not once more for a
/// tree (issue 20). The message is the one the tree gave: it names no place in a text that was
/// never stored. For rare paths only (an older format, an import): the text is written again.
pub fn read_tree<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    serde_json::from_str(&value.to_string()).map_err(|e| without_position(&e))
}

/// A JSON error's message without serde's ` at line L column C`.
pub(crate) fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let place = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&place) {
        Some(message) if error.line() != 0 => message.to_owned(),
        _ => text,
    }
}

/// Like [`encode`], for large values (a device's chunks): written straight from the value, without
/// building a sorted copy first, so object keys come in declaration order. [`decode`] and
/// [`decode_direct`] read it the same.
pub fn encode_direct<T: Stored>(value: &T) -> String {
    encode_direct_as::<T>(value)
}

/// Like [`encode_direct`], from a value that serializes as a `T` does (a borrowed view of one,
/// written without copying it first); its tests check it reads back as that `T`.
pub fn encode_direct_as<T: Stored>(value: &impl Serialize) -> String {
    use serde::ser::SerializeMap;
    struct Envelope<'a, V>(&'static str, &'a V);
    impl<V: Serialize> Serialize for Envelope<'_, V> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut map = serializer.serialize_map(Some(2))?;
            map.serialize_entry("format", &FORMAT)?;
            map.serialize_entry(self.0, self.1)?;
            map.end()
        }
    }
    serde_json::to_string(&Envelope(T::KIND, value)).expect("stored shapes serialize")
}

/// Like [`decode`], for large values: an entry in the current format is read straight into `T`
/// without an intermediate tree (as [`decode`] now reads every entry); anything else takes
/// [`decode`]'s path, with its migrations and its errors.
pub fn decode_direct<T: Stored>(text: &str) -> Result<T, DecodeError> {
    decode(text)
}

/// An entry in the current format, read straight into `T` without an intermediate tree; `None`
/// for anything else (another format, another kind, not JSON, not a `T`), which [`decode`] reads
/// through the tree, with its migrations and its errors. Keys and duplicates are taken as the
/// tree takes them (the last one given wins), so both paths give the same value.
fn current<T: Stored>(text: &str) -> Option<T> {
    use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Envelope<T>(Option<u64>, Option<T>);
    impl<'de, T: Stored> Deserialize<'de> for Envelope<T> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct Fields<T>(std::marker::PhantomData<T>);
            impl<'de, T: Stored> Visitor<'de> for Fields<T> {
                type Value = Envelope<T>;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a stored envelope")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                    let (mut format, mut value) = (None, None);
                    while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                        if key == "format" {
                            format = Some(map.next_value::<u64>()?);
                        } else if key == T::KIND {
                            value = Some(map.next_value::<T>()?);
                        } else {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                    Ok(Envelope(format, value))
                }
            }
            deserializer.deserialize_map(Fields(std::marker::PhantomData))
        }
    }
    match serde_json::from_str::<Envelope<T>>(text) {
        Ok(Envelope(Some(format), Some(value))) if format == u64::from(FORMAT) => Some(value),
        _ => None,
    }
}

/// Brings an envelope of any format this app has written up to [`FORMAT`]. Each older format
/// gets one step here, and a test that reads a frozen example of it.
pub fn migrate(mut value: Value) -> Result<Value, DecodeError> {
    let format = value
        .get("format")
        .and_then(Value::as_u64)
        .ok_or(DecodeError::NoFormat)?;
    let format = u32::try_from(format).map_err(|_| DecodeError::Unknown(u32::MAX))?;
    match format {
        FORMAT => {}
        newer if newer > FORMAT => return Err(DecodeError::Newer(newer)),
        // No format before 1 was ever written. A future format 2 adds its step here:
        // `1 => { value = v1_to_v2(value); }` and falls through to the next.
        other => return Err(DecodeError::Unknown(other)),
    }
    if let Some(object) = value.as_object_mut() {
        object.insert("format".into(), FORMAT.into());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Answer;
    use crate::catalogue::Catalogue;
    use crate::ids::{ClientId, RecordId};
    use crate::record::{AnsweredBy, Status};
    use crate::record::{Client, Record};
    use std::collections::BTreeMap;

    fn client() -> Client {
        Client {
            id: ClientId::new_v7(1_795_000_000_000, [1; 10]),
            name: "山田 花子".into(),
            kana: "やまだ はなこ".into(),
            birth_date: Some("1990-04-01".parse().unwrap()),
            workplace: "株式会社みなと 物流センター".into(),
            notes: "".into(),
            consents: Default::default(),
            created_at: 1_795_000_000_000,
            updated_at: 1_795_000_000_500,
        }
    }

    fn record() -> Record {
        let catalogue = Catalogue::builtin().unwrap();
        let msfas = catalogue.latest("msfas").unwrap();
        let mut record = Record::new(
            RecordId::new_v7(1_795_000_001_000, [2; 10]),
            client().id,
            msfas,
            1_795_000_001_000,
        );
        let row = |a: &str, b: &str, c: &str| {
            BTreeMap::from([
                ("situation".into(), a.into()),
                ("coping".into(), b.into()),
                ("result".into(), c.into()),
            ])
        };
        record.answers = BTreeMap::from([
            (
                "cover.consent_date".into(),
                Answer::Date {
                    value: "2026-11-20".parse().unwrap(),
                },
            ),
            (
                "user1.q1".into(),
                Answer::Table {
                    rows: vec![row("急がされるとき", "深呼吸", "少し落ち着く")],
                },
            ),
            (
                "user1.q2".into(),
                Answer::Text {
                    lines: vec!["午後のピッキング".into(), "".into(), "".into()],
                },
            ),
            (
                "user1.q3".into(),
                Answer::Single {
                    choice: "ask_supervisor".into(),
                    other: "".into(),
                },
            ),
            (
                "user1.q4".into(),
                Answer::Multi {
                    choices: vec!["sleepy".into(), "other".into()],
                    other: "耳鳴り".into(),
                },
            ),
        ]);
        record.answered_by = Some(AnsweredBy::PersonWithSupporter);
        record.status = Status::Draft;
        record
    }

    /// The stored format, frozen. If this test fails, the format changed: bump [`FORMAT`], add a
    /// migration from the old format, and keep this text as that migration's test input.
    const CLIENT_V1: &str = r#"{"client":{"birth_date":"1990-04-01","created_at":1795000000000,"id":"01a1ee56-5e00-7101-8101-010101010101","kana":"やまだ はなこ","name":"山田 花子","notes":"","updated_at":1795000000500,"workplace":"株式会社みなと 物流センター"},"format":1}"#;
    const RECORD_V1: &str = r#"{"format":1,"record":{"answered_by":"person_with_supporter","answers":{"cover.consent_date":{"type":"date","value":"2026-11-20"},"user1.q1":{"rows":[{"coping":"深呼吸","result":"少し落ち着く","situation":"急がされるとき"}],"type":"table"},"user1.q2":{"lines":["午後のピッキング","",""],"type":"text"},"user1.q3":{"choice":"ask_supervisor","type":"single"},"user1.q4":{"choices":["sleepy","other"],"other":"耳鳴り","type":"multi"}},"client":"01a1ee56-5e00-7101-8101-010101010101","created_at":1795000001000,"id":"01a1ee56-61e8-7202-8202-020202020202","instrument":{"edition":"2006","id":"msfas","version":1},"kind":"assessment","status":"draft","updated_at":1795000001000}}"#;

    #[test]
    fn the_stored_format_of_clients_and_records_is_frozen() {
        assert_eq!(encode(&client()), CLIENT_V1);
        assert_eq!(encode(&record()), RECORD_V1);
        assert_eq!(decode::<Client>(CLIENT_V1).unwrap(), client());
        assert_eq!(decode::<Record>(RECORD_V1).unwrap(), record());
        assert_eq!(
            decode_versioned::<Client>(CLIENT_V1).unwrap().1,
            1,
            "the format read is reported"
        );
    }

    #[test]
    fn unreadable_entries_are_errors_that_say_why() {
        for (text, expected) in [
            ("{not json", "not JSON"),
            (r#"{"client": {}}"#, "no format version"),
            (
                r#"{"format": 7, "client": {}}"#,
                "written by a newer version",
            ),
            (
                r#"{"format": 0, "client": {}}"#,
                "not one this app has ever written",
            ),
            (r#"{"format": 1, "record": {}}"#, "not a stored client"),
            (
                r#"{"format": 1, "client": {"name": "x"}}"#,
                "unreadable client",
            ),
        ] {
            let error = decode::<Client>(text).unwrap_err();
            assert!(error.to_string().contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn a_large_value_written_directly_reads_back_by_either_path() {
        let direct = encode_direct(&record());
        assert!(direct.starts_with(r#"{"format":1,"record":"#), "{direct}");
        assert_eq!(decode_direct::<Record>(&direct).unwrap(), record());
        assert_eq!(decode::<Record>(&direct).unwrap(), record());
        assert_eq!(decode_direct::<Record>(RECORD_V1).unwrap(), record());
        // Anything else gets the generic path's errors.
        let error = decode_direct::<Record>(r#"{"format": 7, "record": {}}"#).unwrap_err();
        assert_eq!(error, DecodeError::Newer(7));
        let error = decode_direct::<Client>(&direct).unwrap_err();
        assert_eq!(error, DecodeError::WrongKind("client"));
    }

    /// The current format is read straight from the text; whatever that reading does not take
    /// (a repeated key, an unreadable shape) is read through the tree as before, with the same
    /// value and the same message.
    #[test]
    fn the_straight_reading_and_the_tree_agree() {
        let written = serde_json::to_value(client()).unwrap();
        let other = serde_json::json!({"name": 5});
        // The last of a repeated key wins, whichever of them is readable.
        for text in [
            format!(r#"{{"format":1,"client":{other},"client":{written}}}"#),
            format!(r#"{{"format":1,"client":{written},"format":1}}"#),
            format!(r#"{{"format":2,"client":{written},"format":1}}"#),
        ] {
            assert_eq!(decode::<Client>(&text).unwrap(), client(), "{text}");
        }
        let text = format!(r#"{{"format":1,"client":{written},"client":{other}}}"#);
        assert!(decode::<Client>(&text).is_err());
        assert_eq!(
            decode::<Client>(&format!(r#"{{"format":1,"client":{written},"format":7}}"#)),
            Err(DecodeError::Newer(7))
        );
        // A message names what is wrong, not a place in a text that was never stored.
        let mut unreadable = written.clone();
        unreadable["name"] = serde_json::json!(5);
        let text = format!(r#"{{"format": 1, "client": {unreadable}}}"#);
        assert_eq!(
            decode::<Client>(&text),
            Err(DecodeError::Invalid {
                kind: "client",
                message: "invalid type: integer `5`, expected a string".into()
            })
        );
    }

    /// Reading a tree through its text gives what reading the tree gave: the value, or the
    /// same message.
    #[test]
    fn a_tree_read_through_its_text_reads_as_the_tree() {
        let written = serde_json::to_value(record()).unwrap();
        assert_eq!(read_tree::<Record>(&written).unwrap(), record());
        let mut cases = vec![serde_json::Value::Null, serde_json::json!([1, 2])];
        for (key, bad) in [
            ("id", serde_json::json!(7)),
            ("answers", serde_json::json!("x")),
        ] {
            let mut value = written.clone();
            value[key] = bad;
            cases.push(value);
        }
        if let Some(object) = written.as_object() {
            let mut value = serde_json::Value::Object(object.clone());
            value.as_object_mut().unwrap().remove("client");
            cases.push(value);
        }
        for value in cases {
            let tree = serde_json::from_value::<Record>(value.clone()).unwrap_err();
            assert_eq!(
                read_tree::<Record>(&value),
                Err(tree.to_string()),
                "{value}"
            );
        }
    }
}
