//! Reading an [`Answer`], `{"type": "…", …}`, through one plain struct instead of serde's
//! buffered reading of a tagged enum (see [`crate::tagged`]). An answer refuses unknown fields,
//! and so fields of another kind of answer too, as the derived reading did.

use crate::answer::Answer;
use crate::tagged::{given, need, only};
use serde::de::{Error, Unexpected, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// Every kind's fields; each is `None` when not given (a `null` is refused).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Plain {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default, deserialize_with = "given")]
    value: Option<Scalar>,
    #[serde(default, deserialize_with = "given")]
    lines: Option<Vec<String>>,
    #[serde(default, deserialize_with = "given")]
    choice: Option<String>,
    #[serde(default, deserialize_with = "given")]
    other: Option<String>,
    #[serde(default, deserialize_with = "given")]
    choices: Option<Vec<String>>,
    #[serde(default, deserialize_with = "given")]
    rows: Option<Vec<BTreeMap<String, String>>>,
}

/// `value`: a date's or a time's text, or a number's whole number.
enum Scalar {
    Text(String),
    Whole(i64),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl Visitor<'_> for Either {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a whole number")
            }
            fn visit_str<E: Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_owned()))
            }
            fn visit_i64<E: Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Whole(v))
            }
            fn visit_u64<E: Error>(self, v: u64) -> Result<Scalar, E> {
                i64::try_from(v)
                    .map(Scalar::Whole)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &"i64"))
            }
        }
        deserializer.deserialize_any(Either)
    }
}

impl Scalar {
    fn text<E: Error>(self, expected: &'static str) -> Result<String, E> {
        match self {
            Scalar::Text(text) => Ok(text),
            Scalar::Whole(n) => Err(E::invalid_type(Unexpected::Signed(n), &expected)),
        }
    }
}

const VARIANTS: &[&str] = &["date", "time", "number", "text", "single", "multi", "table"];

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let p = Plain::deserialize(deserializer)?;
        let allowed: &'static [&'static str] = match p.kind.as_str() {
            "date" | "time" | "number" => &["value"],
            "text" => &["lines"],
            "single" => &["choice", "other"],
            "multi" => &["choices", "other"],
            "table" => &["rows"],
            other => return Err(D::Error::unknown_variant(other, VARIANTS)),
        };
        only::<D::Error>(
            &[
                ("value", p.value.is_some()),
                ("lines", p.lines.is_some()),
                ("choice", p.choice.is_some()),
                ("other", p.other.is_some()),
                ("choices", p.choices.is_some()),
                ("rows", p.rows.is_some()),
            ],
            allowed,
        )?;
        Ok(match p.kind.as_str() {
            "date" => Answer::Date {
                value: need::<Scalar, D::Error>(p.value, "value")?
                    .text::<D::Error>("a string")?
                    .parse()
                    .map_err(D::Error::custom)?,
            },
            "time" => Answer::Time {
                value: need::<Scalar, D::Error>(p.value, "value")?.text("a string")?,
            },
            "number" => Answer::Number {
                value: match need(p.value, "value")? {
                    Scalar::Whole(n) => n,
                    Scalar::Text(text) => {
                        return Err(D::Error::invalid_type(Unexpected::Str(&text), &"i64"));
                    }
                },
            },
            "text" => Answer::Text {
                lines: need(p.lines, "lines")?,
            },
            "single" => Answer::Single {
                choice: need(p.choice, "choice")?,
                other: p.other.unwrap_or_default(),
            },
            "multi" => Answer::Multi {
                choices: need(p.choices, "choices")?,
                other: p.other.unwrap_or_default(),
            },
            _ => Answer::Table {
                rows: need(p.rows, "rows")?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn every_kind() -> Vec<Answer> {
        vec![
            Answer::Date {
                value: "2026-12-06".parse().unwrap(),
            },
            Answer::Time {
                value: "09:30".into(),
            },
            Answer::Number { value: -3 },
            Answer::Number { value: i64::MAX },
            Answer::Text {
                lines: vec!["一行目".into(), "二行目".into()],
            },
            Answer::Single {
                choice: "a".into(),
                other: String::new(),
            },
            Answer::Single {
                choice: "other".into(),
                other: "ほか".into(),
            },
            Answer::Multi {
                choices: vec!["a".into(), "other".into()],
                other: "ほか".into(),
            },
            Answer::Multi {
                choices: vec![],
                other: String::new(),
            },
            Answer::Table {
                rows: vec![BTreeMap::from([("c1".to_owned(), "x".to_owned())])],
            },
        ]
    }

    #[test]
    fn every_kind_reads_back_as_written_from_text_and_from_a_tree() {
        for a in every_kind() {
            let text = serde_json::to_string(&a).unwrap();
            assert_eq!(serde_json::from_str::<Answer>(&text).unwrap(), a, "{text}");
            let value = serde_json::to_value(&a).unwrap();
            assert_eq!(
                serde_json::from_value::<Answer>(value).unwrap(),
                a,
                "{text}"
            );
        }
        let tags: Vec<String> = every_kind()
            .iter()
            .map(|a| {
                serde_json::to_value(a).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let mut kinds = tags.clone();
        kinds.dedup();
        assert_eq!(kinds, VARIANTS);
    }

    /// What the derived reading refused, and its message's start.
    #[test]
    fn what_is_not_an_answer_is_refused() {
        let cases = [
            (json!({"value": 3}), "missing field `type`"),
            (json!({"type": "number"}), "missing field `value`"),
            (
                json!({"type": "colour", "value": 3}),
                "unknown variant `colour`",
            ),
            (
                json!({"type": "number", "value": "3"}),
                "invalid type: string \"3\"",
            ),
            (
                json!({"type": "number", "value": 1.5}),
                "invalid type: floating point",
            ),
            (
                json!({"type": "number", "value": u64::MAX}),
                "invalid value",
            ),
            (
                json!({"type": "number", "value": null}),
                "invalid type: null",
            ),
            (
                json!({"type": "date", "value": 20261206}),
                "invalid type: integer",
            ),
            (json!({"type": "date", "value": "2026-02-30"}), "not a date"),
            (
                json!({"type": "time", "value": 930}),
                "invalid type: integer",
            ),
            (
                json!({"type": "single", "choice": "a", "other": null}),
                "invalid type: null",
            ),
            (
                json!({"type": "single", "choice": "a", "note": "x"}),
                "unknown field `note`",
            ),
            (
                json!({"type": "text", "lines": [], "value": "x"}),
                "unknown field `value`",
            ),
            (
                json!({"type": "text", "lines": [], "value": null}),
                "invalid type: null",
            ),
            (
                json!({"type": "multi", "choice": "a", "choices": []}),
                "unknown field `choice`",
            ),
            (
                json!({"type": "table", "rows": [{"c": 1}]}),
                "invalid type: integer",
            ),
            (json!(["text", []]), "invalid type"),
        ];
        for (value, error) in cases {
            for got in [
                serde_json::from_str::<Answer>(&value.to_string()).map_err(|e| e.to_string()),
                serde_json::from_value::<Answer>(value.clone()).map_err(|e| e.to_string()),
            ] {
                let got = got.unwrap_err();
                assert!(got.starts_with(error), "{value}: {got}");
            }
        }
    }
}
