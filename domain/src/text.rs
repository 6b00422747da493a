//! Bilingual text of an instrument: Japanese as printed, English as we translate it, and
//! optional furigana for the Japanese.
//!
//! Furigana are written inline as `{漢字|かんじ}`: `ruby` holds the Japanese text with those
//! marks, and without them it must read exactly as `ja`. The app renders the marks as `<ruby>`
//! when the person turns furigana on.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub ja: String,
    pub en: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ruby: Option<String>,
}

/// A run of Japanese text, with its reading when it carries one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment<'a> {
    pub text: &'a str,
    pub reading: Option<&'a str>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RubyError {
    #[error("unclosed furigana mark in {0:?}")]
    Unclosed(String),
    #[error("furigana mark without a reading in {0:?}")]
    NoReading(String),
    #[error("the furigana text reads {with_marks_removed:?}, not {ja:?}")]
    Mismatch {
        ja: String,
        with_marks_removed: String,
    },
}

impl Text {
    /// The Japanese as segments: readings from `ruby` where given, else one plain segment.
    pub fn ja_segments(&self) -> Vec<Segment<'_>> {
        match &self.ruby {
            Some(ruby) => parse_ruby(ruby).unwrap_or_else(|_| {
                vec![Segment {
                    text: &self.ja,
                    reading: None,
                }]
            }),
            None => vec![Segment {
                text: &self.ja,
                reading: None,
            }],
        }
    }

    /// Checks that both languages are present and that the furigana text matches `ja`.
    pub fn check(&self) -> Result<(), String> {
        if self.ja.trim().is_empty() || self.en.trim().is_empty() {
            return Err(format!(
                "text needs both Japanese and English: {:?} / {:?}",
                self.ja, self.en
            ));
        }
        if let Some(ruby) = &self.ruby {
            let segments = parse_ruby(ruby).map_err(|e| e.to_string())?;
            let plain: String = segments.iter().map(|s| s.text).collect();
            if plain != self.ja {
                return Err(RubyError::Mismatch {
                    ja: self.ja.clone(),
                    with_marks_removed: plain,
                }
                .to_string());
            }
        }
        Ok(())
    }
}

/// Splits `{漢字|かんじ}` marks out of `ruby`.
pub fn parse_ruby(ruby: &str) -> Result<Vec<Segment<'_>>, RubyError> {
    let mut segments = Vec::new();
    let mut rest = ruby;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            segments.push(Segment {
                text: &rest[..open],
                reading: None,
            });
        }
        let inner_start = open + 1;
        let close = rest[inner_start..]
            .find('}')
            .ok_or_else(|| RubyError::Unclosed(ruby.to_owned()))?
            + inner_start;
        let inner = &rest[inner_start..close];
        let (text, reading) = inner
            .split_once('|')
            .ok_or_else(|| RubyError::NoReading(ruby.to_owned()))?;
        if text.is_empty() || reading.is_empty() {
            return Err(RubyError::NoReading(ruby.to_owned()));
        }
        segments.push(Segment {
            text,
            reading: Some(reading),
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        segments.push(Segment {
            text: rest,
            reading: None,
        });
    }
    Ok(segments)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(ja: &str, ruby: Option<&str>) -> Text {
        Text {
            ja: ja.into(),
            en: "x".into(),
            ruby: ruby.map(Into::into),
        }
    }

    #[test]
    fn furigana_marks_become_segments_with_readings() {
        let segments = parse_ruby("{疲|つか}れを{感|かん}じた時").unwrap();
        let pairs: Vec<_> = segments.iter().map(|s| (s.text, s.reading)).collect();
        assert_eq!(
            pairs,
            [
                ("疲", Some("つか")),
                ("れを", None),
                ("感", Some("かん")),
                ("じた時", None)
            ]
        );
    }

    #[test]
    fn text_checks_catch_missing_languages_and_furigana_that_do_not_match() {
        for (t, ok) in [
            (text("眠くなる", None), true),
            (text("眠くなる", Some("{眠|ねむ}くなる")), true),
            (text("眠くなる", Some("{眠|ねむ}くなった")), false),
            (text("眠くなる", Some("{眠|ねむくなる")), false),
            (text("眠くなる", Some("{眠}くなる")), false),
            (text("眠くなる", Some("{眠|}くなる")), false),
            (
                Text {
                    ja: "眠くなる".into(),
                    en: " ".into(),
                    ruby: None,
                },
                false,
            ),
            (
                Text {
                    ja: "".into(),
                    en: "Get sleepy".into(),
                    ruby: None,
                },
                false,
            ),
        ] {
            assert_eq!(t.check().is_ok(), ok, "{t:?}");
        }
    }

    #[test]
    fn without_furigana_the_japanese_is_one_plain_segment() {
        assert_eq!(
            text("休憩", None).ja_segments(),
            vec![Segment {
                text: "休憩",
                reading: None
            }]
        );
    }
}
