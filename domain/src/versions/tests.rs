//! Case tables for the version lifecycle, the definition reader, the compatibility check, the
//! diff and the move of a draft. The property test is in `proptests.rs`.

use super::Status;
use super::definition::{content_hash, parse};
use crate::instrument::{Instrument, Lists};

/// A test instrument `t` (edition `1`) with one sheet `s` holding `questions` (JSON).
pub(super) fn instrument(version: u32, questions: &str) -> Instrument {
    serde_json::from_str(&definition(version, questions)).unwrap()
}

pub(super) fn definition(version: u32, questions: &str) -> String {
    format!(
        r#"{{"format": 1, "id": "t", "edition": "1", "version": {version}, "kind": "assessment",
  "title": {{"ja": "テスト", "en": "Test"}},
  "sheets": [{{"id": "s", "title": {{"ja": "シート", "en": "Sheet"}}, "questions": [
{questions}
  ]}}]}}"#
    )
}

pub(super) fn q(id: &str, answer: &str) -> String {
    format!(
        r#"{{"id": "{id}", "prompt": {{"ja": "{id}の問い", "en": "{id}?"}}, "answer": {answer}}}"#
    )
}

pub(super) fn opt(id: &str, ja: &str) -> String {
    format!(r#"{{"id": "{id}", "label": {{"ja": "{ja}", "en": "{id}"}}}}"#)
}

pub(super) fn single(options: &[(&str, &str)]) -> String {
    let options: Vec<String> = options.iter().map(|(id, ja)| opt(id, ja)).collect();
    format!(
        r#"{{"type": "single", "options": [{}]}}"#,
        options.join(",")
    )
}

#[test]
fn a_version_only_goes_draft_then_published_then_retired() {
    use Status::*;
    for (from, to, ok) in [
        (Draft, Published, true),
        (Published, Retired, true),
        (Draft, Retired, false),
        (Published, Draft, false),
        (Retired, Published, false),
        (Retired, Draft, false),
        (Published, Published, false),
    ] {
        assert_eq!(from.step(to).is_ok(), ok, "{from:?} → {to:?}");
    }
    assert_eq!(Status::parse("retired"), Some(Retired));
    assert_eq!(Status::parse("gone"), None);
    assert!(Published.in_use() && Retired.in_use() && !Draft.in_use());
}

#[test]
fn the_content_hash_ignores_spacing_and_key_order_but_not_a_label() {
    let one = instrument(1, &q("a", r#"{"type": "text", "lines": 1}"#));
    let reordered: Instrument = serde_json::from_str(
        r#"{"sheets": [{"questions": [{"answer": {"lines": 1, "type": "text"}, "prompt": {"en": "a?", "ja": "aの問い"}, "id": "a"}],
            "title": {"en": "Sheet", "ja": "シート"}, "id": "s"}],
            "title": {"en": "Test", "ja": "テスト"}, "kind": "assessment", "version": 1, "edition": "1", "id": "t", "format": 1}"#,
    )
    .unwrap();
    assert_eq!(content_hash(&one), content_hash(&reordered));
    assert_eq!(content_hash(&one).len(), 64);
    let relabelled = instrument(
        1,
        &q("a", r#"{"type": "text", "lines": 1}"#).replace("aの問い", "aの質問"),
    );
    assert_ne!(content_hash(&one), content_hash(&relabelled));
}

#[test]
fn a_bad_definition_gets_errors_that_name_the_line_and_what_to_change() {
    let lists = Lists::new();
    let cases: &[(String, Option<usize>, &str)] = &[
        // A JSON mistake: serde's line and column.
        (
            definition(1, &q("a", r#"{"type": "text", "lines": 1"#)),
            Some(5),
            "expected `,` or `}`",
        ),
        (
            "{\"format\": 1,\n \"id\": \"t\"".into(),
            Some(2),
            "ends too early",
        ),
        (
            definition(
                1,
                &q("a", r#"{"type": "text", "lines": 1, "colour": "red"}"#),
            ),
            Some(4),
            "",
        ),
        (
            definition(1, &q("a", r#"{"type": "text", "lines": 1}"#))
                .replace("\"kind\"", "\"knid\""),
            Some(1),
            "unknown field `knid`",
        ),
        // A check problem: the line where the question's id is written.
        (
            definition(
                1,
                &format!(
                    "{},\n{}",
                    q("a", r#"{"type": "text", "lines": 1}"#),
                    q("b", r#"{"type": "number", "min": 5, "max": 1}"#)
                ),
            ),
            Some(5),
            "s.b: min 5 is above max 1",
        ),
        (
            definition(1, &q("a", &single(&[("x", "")]))),
            Some(4),
            "option x: text needs both Japanese and English",
        ),
    ];
    for (json, line, words) in cases {
        let errors = parse(json, &lists).expect_err(json);
        assert!(
            errors
                .iter()
                .any(|e| e.line == *line && e.to_string().contains(words)),
            "{line:?} {words:?} in {errors:#?}"
        );
    }
    let big = " ".repeat(super::definition::MAX_DEFINITION_BYTES + 1);
    assert!(
        parse(&big, &lists).unwrap_err()[0]
            .problem
            .contains("bytes")
    );
    assert!(parse(&definition(1, &q("a", r#"{"type": "date"}"#)), &lists).is_ok());
}

mod changes;
mod moves;
#[cfg(not(target_arch = "wasm32"))]
mod proptests;

#[test]
fn every_builtin_definition_reads_as_an_upload_without_a_problem() {
    let lists = crate::catalogue::Catalogue::builtin().unwrap().lists;
    for (file, json) in crate::catalogue::DEFINITIONS {
        assert!(
            parse(json, &lists).is_ok(),
            "{file}: {:#?}",
            parse(json, &lists).err()
        );
    }
}

#[test]
fn an_upload_gets_shared_option_lists_written_in_place() {
    let lists = crate::catalogue::Catalogue::builtin().unwrap().lists;
    let json = definition(
        1,
        &q(
            "signs",
            r#"{"type": "multi", "options_from": "msfas-signs"}"#,
        ),
    );
    let read = parse(&json, &lists).unwrap();
    let crate::instrument::AnswerKind::Multi { options, .. } = &read.sheets[0].questions[0].answer
    else {
        panic!()
    };
    assert!(
        matches!(options, crate::instrument::Options::Inline { options } if options.len() == 28)
    );
}

/// Frozen: the wire shapes of `POST /api/v1/sync/instruments`. A field is only ever added (with
/// a default); these strings never change.
#[test]
fn the_instrument_stream_wire_format_is_frozen() {
    use super::wire::{Held, InUse, VersionsRequest, VersionsResponse};
    let reference = crate::instrument::InstrumentRef {
        id: "t".into(),
        edition: "1".into(),
        version: 2,
    };
    let request = VersionsRequest {
        format: 1,
        held: vec![Held {
            instrument: reference.clone(),
            sha256: "ab".into(),
        }],
    };
    let request_json = r#"{"format":1,"held":[{"instrument":{"id":"t","edition":"1","version":2},"sha256":"ab"}]}"#;
    assert_eq!(serde_json::to_string(&request).unwrap(), request_json);
    assert_eq!(
        serde_json::from_str::<VersionsRequest>(request_json).unwrap(),
        request
    );

    let response = VersionsResponse {
        format: 1,
        versions: vec![InUse {
            instrument: reference,
            status: Status::Retired,
            sha256: "ab".into(),
            definition: None,
        }],
    };
    let response_json = r#"{"format":1,"versions":[{"instrument":{"id":"t","edition":"1","version":2},"status":"retired","sha256":"ab"}]}"#;
    assert_eq!(serde_json::to_string(&response).unwrap(), response_json);
    assert_eq!(
        serde_json::from_str::<VersionsResponse>(response_json).unwrap(),
        response
    );
    // With a definition: the same format as `domain/instruments/`.
    let with = r#"{"format":1,"versions":[{"instrument":{"id":"t","edition":"1","version":1},"status":"published","sha256":"cd","definition":"#
        .to_owned()
        + &definition(1, &q("a", r#"{"type": "date"}"#))
        + "}]}";
    let read: VersionsResponse = serde_json::from_str(&with).unwrap();
    assert_eq!(
        read.versions[0].definition.as_ref().map(|d| d.id.as_str()),
        Some("t")
    );
}

#[test]
fn the_catalogue_fingerprint_changes_with_a_publication_or_a_retirement_and_nothing_else() {
    use super::wire::fingerprint;
    let r = |version: u32| crate::instrument::InstrumentRef {
        id: "test-check".into(),
        edition: "1".into(),
        version,
    };
    let (one, two) = (r(1), r(2));
    let base = fingerprint([
        (&one, Status::Published, "aa"),
        (&two, Status::Published, "bb"),
    ]);
    let cases = [
        (
            "the same versions in another order",
            fingerprint([
                (&two, Status::Published, "bb"),
                (&one, Status::Published, "aa"),
            ]),
            true,
        ),
        (
            "a draft is on no device",
            fingerprint([
                (&one, Status::Published, "aa"),
                (&two, Status::Published, "bb"),
                (&r(3), Status::Draft, "cc"),
            ]),
            true,
        ),
        (
            "version 1 retired",
            fingerprint([
                (&one, Status::Retired, "aa"),
                (&two, Status::Published, "bb"),
            ]),
            false,
        ),
        (
            "version 3 published",
            fingerprint([
                (&one, Status::Published, "aa"),
                (&two, Status::Published, "bb"),
                (&r(3), Status::Published, "cc"),
            ]),
            false,
        ),
        (
            "another definition",
            fingerprint([
                (&one, Status::Published, "aa"),
                (&two, Status::Published, "bc"),
            ]),
            false,
        ),
    ];
    for (what, got, same) in cases {
        assert_eq!(got == base, same, "{what}");
    }
}
