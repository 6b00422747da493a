//! Reading a [`Refusal`] as the server writes it, `{"code": "…", …}`, through one plain struct
//! instead of serde's buffered reading of a tagged enum (see [`crate::tagged`]).

use super::check::Refusal;
use crate::tagged::need;
use serde::{Deserialize, Deserializer};

/// Every variant's fields, each optional; unknown fields are ignored, as the derived reading
/// did.
#[derive(Deserialize)]
struct Plain {
    code: String,
    field: Option<String>,
    reason: Option<String>,
    instrument: Option<String>,
}

const VARIANTS: &[&str] = &[
    "wrong_client",
    "unknown_field",
    "bad_value",
    "unknown_instrument",
    "unpublished_instrument",
    "retired_instrument",
    "no_instrument",
    "instrument_changed",
    "not_in_scope",
    "use_stopped",
    "erased",
];

impl<'de> Deserialize<'de> for Refusal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let p = Plain::deserialize(deserializer)?;
        Ok(match p.code.as_str() {
            "wrong_client" => Refusal::WrongClient,
            "unknown_field" => Refusal::UnknownField {
                field: need(p.field, "field")?,
            },
            "bad_value" => Refusal::BadValue {
                field: need(p.field, "field")?,
                reason: need(p.reason, "reason")?,
            },
            "unknown_instrument" => Refusal::UnknownInstrument {
                instrument: need(p.instrument, "instrument")?,
            },
            "unpublished_instrument" => Refusal::UnpublishedInstrument {
                instrument: need(p.instrument, "instrument")?,
            },
            "retired_instrument" => Refusal::RetiredInstrument {
                instrument: need(p.instrument, "instrument")?,
            },
            "no_instrument" => Refusal::NoInstrument,
            "instrument_changed" => Refusal::InstrumentChanged,
            "not_in_scope" => Refusal::NotInScope,
            "use_stopped" => Refusal::UseStopped,
            "erased" => Refusal::Erased,
            other => return Err(serde::de::Error::unknown_variant(other, VARIANTS)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn every_variant() -> Vec<Refusal> {
        let instrument = || "msfas/2006/1".to_owned();
        vec![
            Refusal::WrongClient,
            Refusal::UnknownField {
                field: "answers.x".into(),
            },
            Refusal::BadValue {
                field: "name".into(),
                reason: "not a string".into(),
            },
            Refusal::UnknownInstrument {
                instrument: instrument(),
            },
            Refusal::UnpublishedInstrument {
                instrument: instrument(),
            },
            Refusal::RetiredInstrument {
                instrument: instrument(),
            },
            Refusal::NoInstrument,
            Refusal::InstrumentChanged,
            Refusal::NotInScope,
            Refusal::UseStopped,
            Refusal::Erased,
        ]
    }

    #[test]
    fn every_refusal_reads_back_as_written_and_its_code_is_listed() {
        let all = every_variant();
        for r in &all {
            let text = serde_json::to_string(r).unwrap();
            assert_eq!(
                &serde_json::from_str::<Refusal>(&text).unwrap(),
                r,
                "{text}"
            );
            assert_eq!(r.code(), serde_json::to_value(r).unwrap()["code"]);
        }
        let codes: Vec<&str> = all.iter().map(Refusal::code).collect();
        assert_eq!(codes, VARIANTS);
    }

    #[test]
    fn what_is_not_a_refusal_is_refused() {
        let cases = [
            (json!({"field": "x"}), "missing field `code`"),
            (
                json!({"code": "bad_value", "field": "x"}),
                "missing field `reason`",
            ),
            (json!({"code": "tired"}), "unknown variant `tired`"),
            (json!({"code": null}), "invalid type: null"),
        ];
        for (value, error) in cases {
            let got = serde_json::from_str::<Refusal>(&value.to_string())
                .unwrap_err()
                .to_string();
            assert!(got.starts_with(error), "{value}: {got}");
        }
    }
}
