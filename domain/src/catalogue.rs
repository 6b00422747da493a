//! The instruments this build knows: every definition file under `domain/instruments/`, parsed
//! and checked.

use crate::instrument::{Choice, DEFINITION_FORMAT, Instrument, InstrumentRef, Lists};
use serde::Deserialize;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

#[derive(Clone, Debug, PartialEq)]
pub struct Catalogue {
    pub instruments: Vec<Instrument>,
    pub lists: Lists,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    format: u32,
    id: String,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    options: Vec<Choice>,
}

impl Catalogue {
    /// The definitions compiled into this build. A definition that does not parse is a bug
    /// caught by this crate's tests, so this returns every problem rather than a partial set.
    pub fn builtin() -> Result<Self, Vec<String>> {
        Self::parse(DEFINITIONS, LISTS)
    }

    /// [`Self::builtin`], parsed once per process and kept: the one catalogue the app and the
    /// server both read. The built-in definitions are checked by this crate's tests, so a
    /// failure here is a bug in the build, not in anyone's data.
    pub fn builtin_static() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| {
            Self::builtin().expect("the built-in definitions are checked by the domain's tests")
        })
    }

    /// Parses definition and list files given as `(file name, JSON)`.
    pub fn parse(
        definitions: &[(&str, &str)],
        lists: &[(&str, &str)],
    ) -> Result<Self, Vec<String>> {
        let mut problems = Vec::new();
        let mut parsed_lists = Lists::new();
        for (file, json) in lists {
            match serde_json::from_str::<ListFile>(json) {
                Ok(list) if list.format != DEFINITION_FORMAT => {
                    problems.push(format!(
                        "{file}: format {} (this build reads {DEFINITION_FORMAT})",
                        list.format
                    ));
                }
                Ok(list) => {
                    if parsed_lists.insert(list.id.clone(), list.options).is_some() {
                        problems.push(format!("{file}: the list id {} is used twice", list.id));
                    }
                }
                Err(e) => problems.push(format!("{file}: {e}")),
            }
        }
        let mut instruments: Vec<Instrument> = Vec::new();
        for (file, json) in definitions {
            match serde_json::from_str::<Instrument>(json) {
                Ok(instrument) => {
                    if instruments
                        .iter()
                        .any(|i| i.reference() == instrument.reference())
                    {
                        problems.push(format!(
                            "{file}: {:?} is defined twice",
                            instrument.reference()
                        ));
                    }
                    instruments.push(instrument);
                }
                Err(e) => problems.push(format!("{file}: {e}")),
            }
        }
        for instrument in &instruments {
            problems.extend(instrument.check(&parsed_lists));
        }
        if problems.is_empty() {
            Ok(Self {
                instruments,
                lists: parsed_lists,
            })
        } else {
            Err(problems)
        }
    }

    /// The exact definition a record was made with.
    pub fn get(&self, reference: &InstrumentRef) -> Option<&Instrument> {
        self.instruments
            .iter()
            .find(|i| &i.reference() == reference)
    }

    /// The newest edition and version of an instrument: what a new record is made with.
    pub fn latest(&self, id: &str) -> Option<&Instrument> {
        self.instruments
            .iter()
            .filter(|i| i.id == id)
            .max_by(|a, b| (&a.edition, a.version).cmp(&(&b.edition, b.version)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::{AnswerKind, Options, Role};

    fn builtin() -> Catalogue {
        Catalogue::builtin().unwrap_or_else(|problems| {
            panic!("definitions have problems:\n{}", problems.join("\n"))
        })
    }

    #[test]
    fn every_builtin_definition_parses_and_passes_its_checks() {
        let catalogue = builtin();
        assert!(catalogue.latest("msfas").is_some());
        assert!(catalogue.latest("visit-note").is_some());
    }

    #[test]
    fn msfas_2006_has_the_cover_and_user_sheet_1_as_printed() {
        let catalogue = builtin();
        let msfas = catalogue.latest("msfas").unwrap();
        assert_eq!((msfas.edition.as_str(), msfas.version), ("2006", 1));
        let ids: Vec<_> = msfas.questions().map(|(key, _, _)| key).collect();
        assert_eq!(
            ids,
            [
                "cover.consent_date",
                "cover.name",
                "cover.birth_date",
                "user1.q1",
                "user1.q2",
                "user1.q3",
                "user1.q4",
                "user1.q5"
            ]
        );
        assert_eq!(
            msfas.role_key(Role::ConsentDate).as_deref(),
            Some("cover.consent_date")
        );

        let AnswerKind::Table {
            columns,
            rows,
            example,
            ..
        } = &msfas.question("user1.q1").unwrap().answer
        else {
            panic!()
        };
        assert_eq!((columns.len(), *rows), (3, 5));
        let example = example.as_ref().unwrap();
        assert_eq!(
            example["situation"].ja,
            "上司や同僚から、高圧的な口調で指示をされるとき"
        );
        assert_eq!(example["coping"].ja, "我慢する。");

        let AnswerKind::Text { lines, .. } = &msfas.question("user1.q2").unwrap().answer else {
            panic!()
        };
        assert_eq!(*lines, 3);

        let AnswerKind::Single { options, other } = &msfas.question("user1.q3").unwrap().answer
        else {
            panic!()
        };
        let options = options.resolve(&catalogue.lists).unwrap();
        assert_eq!(
            options.len() + usize::from(*other),
            6,
            "five printed break options and その他"
        );
        assert_eq!(options[3].label.ja, "できる限り我慢する");

        let AnswerKind::Multi {
            options,
            other,
            exclusive,
        } = &msfas.question("user1.q4").unwrap().answer
        else {
            panic!()
        };
        let signs = options.resolve(&catalogue.lists).unwrap();
        assert_eq!(signs.len(), 28);
        assert_eq!(signs.first().unwrap().label.ja, "眠くなる");
        assert_eq!(signs.last().unwrap().label.ja, "口調や話し方が変わる");
        assert!(signs.iter().any(|s| s.label.ja == "偏見が気になる"));
        assert!(*other);
        let exclusive: Vec<_> = exclusive.iter().map(|c| c.label.ja.as_str()).collect();
        assert_eq!(exclusive, ["ない", "分からない"]);
    }

    #[test]
    fn the_visit_note_speaks_the_msfas_sign_vocabulary() {
        let catalogue = builtin();
        let note = catalogue.latest("visit-note").unwrap();
        let AnswerKind::Multi { options, .. } =
            &note.question("observations.signs").unwrap().answer
        else {
            panic!()
        };
        assert!(
            matches!(options, Options::Shared { options_from } if options_from == "msfas-signs")
        );
    }

    #[test]
    fn broken_definitions_are_reported_with_the_file_and_the_place() {
        let list = r#"{"format": 1, "id": "signs", "options": [{"id": "a", "label": {"ja": "あ", "en": "A"}}]}"#;
        for (definition, expected) in [
            (r#"{"format": 1, "id": "x""#, "x.json: EOF"),
            (
                r#"{"format": 2, "id": "x", "edition": "1", "version": 1, "kind": "assessment", "title": {"ja": "x", "en": "x"}, "sheets": []}"#,
                "format: is 2",
            ),
            (
                r#"{"format": 1, "id": "x", "edition": "1", "version": 1, "kind": "assessment", "title": {"ja": "x", "en": "x"}, "sheets": [
                    {"id": "s", "title": {"ja": "s", "en": "s"}, "questions": [
                        {"id": "q", "prompt": {"ja": "q", "en": "q"}, "answer": {"type": "text", "lines": 1}},
                        {"id": "q", "prompt": {"ja": "q", "en": "q"}, "answer": {"type": "text", "lines": 1}}]}]}"#,
                "s.q: the question id is used twice",
            ),
            (
                r#"{"format": 1, "id": "x", "edition": "1", "version": 1, "kind": "assessment", "title": {"ja": "x", "en": "x"}, "sheets": [
                    {"id": "s", "title": {"ja": "s", "en": "s"}, "questions": [
                        {"id": "q", "prompt": {"ja": "q", "en": "q"}, "answer": {"type": "single", "options": [{"id": "a", "label": {"ja": "あ", "en": ""}}]}}]}]}"#,
                "option a: text needs both Japanese and English",
            ),
            (
                r#"{"format": 1, "id": "x", "edition": "1", "version": 1, "kind": "assessment", "title": {"ja": "x", "en": "x"}, "sheets": [
                    {"id": "s", "title": {"ja": "s", "en": "s"}, "questions": [
                        {"id": "q", "prompt": {"ja": "q", "en": "q"}, "answer": {"type": "multi", "options_from": "nope"}}]}]}"#,
                "there is no option list \"nope\"",
            ),
            (
                r#"{"format": 1, "id": "x", "edition": "1", "version": 1, "kind": "assessment", "title": {"ja": "x", "en": "x"}, "sheets": [
                    {"id": "s", "title": {"ja": "s", "en": "s"}, "questions": [
                        {"id": "q", "prompt": {"ja": "q", "en": "q"}, "answer": {"type": "multi", "options_from": "signs", "exclusive": [{"id": "a", "label": {"ja": "あ", "en": "A"}}]}}]}]}"#,
                "option a is used twice",
            ),
            (
                r#"{"format": 1, "id": "x", "edition": "1", "version": 1, "kind": "assessment", "title": {"ja": "x", "en": "x"}, "sheets": [
                    {"id": "s", "title": {"ja": "s", "en": "s"}, "questions": [
                        {"id": "q", "prompt": {"ja": "q", "en": "q"}, "answer": {"type": "table", "rows": 2, "columns": [{"id": "c", "label": {"ja": "c", "en": "c"}}], "example": {"d": {"ja": "d", "en": "d"}}}}]}]}"#,
                "the example names no column d",
            ),
        ] {
            let problems =
                Catalogue::parse(&[("x.json", definition)], &[("signs.json", list)]).unwrap_err();
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "expected {expected:?} in {problems:#?}"
            );
        }
    }
}
