//! Reading a [`Difference`] as the server writes it, `{"change": "…", …}`, through one plain
//! struct instead of serde's buffered reading of a tagged enum (see [`crate::tagged`]).

use super::diff::Difference;
use crate::tagged::need;
use crate::text::Text;
use serde::{Deserialize, Deserializer};

/// Every variant's fields, each optional; unknown fields are ignored, as the derived reading
/// did.
#[derive(Deserialize)]
struct Plain {
    change: String,
    from: Option<Text>,
    to: Option<Text>,
    title: Option<Text>,
    prompt: Option<Text>,
    label: Option<Text>,
    sheet: Option<String>,
    key: Option<String>,
    what: Option<String>,
    option: Option<String>,
}

const VARIANTS: &[&str] = &[
    "title_changed",
    "sheet_added",
    "sheet_removed",
    "sheet_renamed",
    "question_added",
    "question_removed",
    "question_reworded",
    "question_changed",
    "questions_reordered",
    "option_added",
    "option_removed",
    "option_relabelled",
];

impl<'de> Deserialize<'de> for Difference {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let p = Plain::deserialize(deserializer)?;
        Ok(match p.change.as_str() {
            "title_changed" => Difference::TitleChanged {
                from: need(p.from, "from")?,
                to: need(p.to, "to")?,
            },
            "sheet_added" => Difference::SheetAdded {
                sheet: need(p.sheet, "sheet")?,
                title: need(p.title, "title")?,
            },
            "sheet_removed" => Difference::SheetRemoved {
                sheet: need(p.sheet, "sheet")?,
                title: need(p.title, "title")?,
            },
            "sheet_renamed" => Difference::SheetRenamed {
                sheet: need(p.sheet, "sheet")?,
                from: need(p.from, "from")?,
                to: need(p.to, "to")?,
            },
            "question_added" => Difference::QuestionAdded {
                key: need(p.key, "key")?,
                prompt: need(p.prompt, "prompt")?,
            },
            "question_removed" => Difference::QuestionRemoved {
                key: need(p.key, "key")?,
                prompt: need(p.prompt, "prompt")?,
            },
            "question_reworded" => Difference::QuestionReworded {
                key: need(p.key, "key")?,
                from: need(p.from, "from")?,
                to: need(p.to, "to")?,
            },
            "question_changed" => Difference::QuestionChanged {
                key: need(p.key, "key")?,
                what: need(p.what, "what")?,
            },
            "questions_reordered" => Difference::QuestionsReordered {
                sheet: need(p.sheet, "sheet")?,
            },
            "option_added" => Difference::OptionAdded {
                key: need(p.key, "key")?,
                option: need(p.option, "option")?,
                label: need(p.label, "label")?,
            },
            "option_removed" => Difference::OptionRemoved {
                key: need(p.key, "key")?,
                option: need(p.option, "option")?,
                label: need(p.label, "label")?,
            },
            "option_relabelled" => Difference::OptionRelabelled {
                key: need(p.key, "key")?,
                option: need(p.option, "option")?,
                from: need(p.from, "from")?,
                to: need(p.to, "to")?,
            },
            other => return Err(serde::de::Error::unknown_variant(other, VARIANTS)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(ja: &str) -> Text {
        Text {
            ja: ja.into(),
            en: format!("{ja} (en)"),
            ruby: None,
        }
    }

    fn every_variant() -> Vec<Difference> {
        let k = || "s1.q1".to_owned();
        let o = || "a".to_owned();
        vec![
            Difference::TitleChanged {
                from: text("旧"),
                to: text("新"),
            },
            Difference::SheetAdded {
                sheet: "s2".into(),
                title: text("二"),
            },
            Difference::SheetRemoved {
                sheet: "s3".into(),
                title: text("三"),
            },
            Difference::SheetRenamed {
                sheet: "s1".into(),
                from: text("一"),
                to: text("壱"),
            },
            Difference::QuestionAdded {
                key: k(),
                prompt: text("問"),
            },
            Difference::QuestionRemoved {
                key: k(),
                prompt: text("問"),
            },
            Difference::QuestionReworded {
                key: k(),
                from: text("前"),
                to: text("後"),
            },
            Difference::QuestionChanged {
                key: k(),
                what: "max 5 → 7".into(),
            },
            Difference::QuestionsReordered { sheet: "s1".into() },
            Difference::OptionAdded {
                key: k(),
                option: o(),
                label: text("はい"),
            },
            Difference::OptionRemoved {
                key: k(),
                option: o(),
                label: text("いいえ"),
            },
            Difference::OptionRelabelled {
                key: k(),
                option: o(),
                from: text("少し"),
                to: text("やや"),
            },
        ]
    }

    #[test]
    fn every_variant_reads_back_as_written_and_its_tag_is_listed() {
        let all = every_variant();
        for d in &all {
            let text = serde_json::to_string(d).unwrap();
            assert_eq!(
                &serde_json::from_str::<Difference>(&text).unwrap(),
                d,
                "{text}"
            );
            let value = serde_json::to_value(d).unwrap();
            assert_eq!(&serde_json::from_value::<Difference>(value).unwrap(), d);
        }
        let tags: Vec<String> = all
            .iter()
            .map(|d| {
                serde_json::to_value(d).unwrap()["change"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(tags, VARIANTS);
    }

    #[test]
    fn the_tag_may_come_anywhere_and_other_fields_are_ignored() {
        let read: Difference = serde_json::from_value(json!({
            "sheet": "s1", "extra": [1, 2], "change": "questions_reordered"
        }))
        .unwrap();
        assert_eq!(read, Difference::QuestionsReordered { sheet: "s1".into() });
    }

    /// (JSON, the error serde's derived reading gave).
    #[test]
    fn what_is_not_a_difference_is_refused_as_the_derived_reading_refused_it() {
        let cases = [
            (json!({"sheet": "s1"}), "missing field `change`"),
            (
                json!({"change": "sheet_renamed", "sheet": "s1", "to": text("a")}),
                "missing field `from`",
            ),
            (
                json!({"change": "questions_reordered"}),
                "missing field `sheet`",
            ),
            (
                json!({"change": "sheet_moved", "sheet": "s1"}),
                "unknown variant `sheet_moved`, expected one of",
            ),
            (
                json!({"change": 3, "sheet": "s1"}),
                "invalid type: integer `3`",
            ),
            (json!(["questions_reordered"]), "invalid"),
        ];
        for (value, error) in cases {
            let text = value.to_string();
            let got = serde_json::from_str::<Difference>(&text)
                .unwrap_err()
                .to_string();
            assert!(got.starts_with(error), "{text}: {got}");
        }
    }
}
