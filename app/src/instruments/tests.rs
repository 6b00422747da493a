//! What the device keeps of the server's answer, and what a new record is made with.

use super::*;
use yorisoi_domain::versions::wire::InUse;

fn version(n: u32, label: &str) -> Instrument {
    serde_json::from_str(&format!(
        r#"{{"format": 1, "id": "test-check", "edition": "1", "version": {n}, "kind": "assessment",
        "title": {{"ja": "{label}", "en": "Test"}},
        "sheets": [{{"id": "s", "title": {{"ja": "シート", "en": "Sheet"}}, "questions": [
            {{"id": "q", "prompt": {{"ja": "問い", "en": "Q"}}, "answer": {{"type": "date"}}}}]}}]}}"#
    ))
    .unwrap()
}

fn held(n: u32, status: Status) -> HeldVersion {
    HeldVersion {
        status,
        sha256: format!("sha{n}"),
        definition: version(n, "テスト"),
    }
}

fn in_use(n: u32, status: Status, with_definition: bool) -> InUse {
    InUse {
        instrument: version(n, "テスト").reference(),
        status,
        sha256: format!("sha{n}"),
        definition: with_definition.then(|| version(n, "テスト")),
    }
}

fn answer(versions: Vec<InUse>) -> VersionsResponse {
    VersionsResponse {
        format: 1,
        versions,
    }
}

#[test]
fn the_device_keeps_what_the_server_lists_and_what_a_local_record_uses() {
    let none = BTreeSet::new();
    for (name, before, server, used, expected) in [
        (
            "a new version arrives with its definition",
            vec![held(1, Status::Published)],
            answer(vec![
                in_use(1, Status::Published, false),
                in_use(2, Status::Published, true),
            ]),
            none.clone(),
            vec![(1, Status::Published), (2, Status::Published)],
        ),
        (
            "a retirement changes the state, the definition stays",
            vec![held(1, Status::Published)],
            answer(vec![in_use(1, Status::Retired, false)]),
            none.clone(),
            vec![(1, Status::Retired)],
        ),
        (
            "a version the server no longer lists is dropped when no record uses it",
            vec![held(1, Status::Published)],
            answer(vec![]),
            none.clone(),
            vec![],
        ),
        (
            "…and kept when a local record uses it",
            vec![held(1, Status::Published)],
            answer(vec![]),
            BTreeSet::from([version(1, "x").reference()]),
            vec![(1, Status::Published)],
        ),
        (
            "a listed version whose definition never came is asked for again",
            vec![],
            answer(vec![in_use(3, Status::Published, false)]),
            none.clone(),
            vec![],
        ),
    ] {
        let kept: Vec<(u32, Status)> = merge(&before, &server, &used)
            .iter()
            .map(|h| (h.definition.version, h.status))
            .collect();
        assert_eq!(kept, expected, "{name}");
    }
}

#[test]
fn a_new_record_uses_the_newest_version_not_retired_and_an_old_one_keeps_its_own() {
    let runtime = Runtime::build(vec![held(1, Status::Published), held(2, Status::Published)]);
    assert_eq!(runtime.offered("test-check").map(|i| i.version), Some(2));
    assert!(
        runtime
            .catalogue
            .get(&version(1, "x").reference())
            .is_some(),
        "version 1 still opens"
    );
    assert_eq!(
        runtime
            .newer(&version(1, "x").reference())
            .map(|i| i.version),
        Some(2)
    );
    assert_eq!(runtime.published_ids(), ["test-check"]);

    let runtime = Runtime::build(vec![held(1, Status::Published), held(2, Status::Retired)]);
    assert_eq!(runtime.offered("test-check").map(|i| i.version), Some(1));
    assert!(
        runtime
            .catalogue
            .get(&version(2, "x").reference())
            .is_some(),
        "a retired version still opens"
    );
    let runtime = Runtime::build(vec![held(1, Status::Retired)]);
    assert!(
        runtime.offered("test-check").is_none(),
        "no new record of a retired version"
    );
    assert!(runtime.published_ids().is_empty());
    // The compiled-in ones are always there.
    assert!(runtime.offered("msfas").is_some() && runtime.offered("visit-note").is_some());
}

#[test]
fn the_held_versions_are_stored_in_the_versioned_format() {
    let stored = HeldVersions {
        versions: vec![held(1, Status::Published)],
        fingerprint: String::new(),
    };
    let text = yorisoi_domain::stored::encode(&stored);
    assert!(text.contains("\"instruments\""), "{text}");
    assert!(
        !text.contains("fingerprint"),
        "the release before's shape: {text}"
    );
    assert_eq!(
        yorisoi_domain::stored::decode::<HeldVersions>(&text).unwrap(),
        stored
    );
    let with = HeldVersions {
        fingerprint: "ab12".into(),
        ..stored
    };
    let text = yorisoi_domain::stored::encode(&with);
    assert_eq!(
        yorisoi_domain::stored::decode::<HeldVersions>(&text).unwrap(),
        with
    );
}

/// A sync asks for versions only when the last pull's fingerprint is not the installed one, or
/// a local record names a version the device lacks.
#[test]
fn a_sync_asks_for_versions_only_when_something_changed() {
    let catalogue = Runtime::build(vec![held(1, Status::Published)]).catalogue;
    let none = BTreeSet::new();
    let uses = |n: u32| -> BTreeSet<InstrumentRef> { [version(n, "テスト").reference()].into() };
    for (what, installed, seen, used, asks) in [
        ("the same fingerprint", "f1", "f1", none.clone(), false),
        (
            "the same, a held version in use",
            "f1",
            "f1",
            uses(1),
            false,
        ),
        ("published or retired since", "f1", "f2", none.clone(), true),
        ("an older server sends none", "f1", "", none.clone(), true),
        ("never installed", "", "f1", none.clone(), true),
        (
            "a record names a version not held",
            "f1",
            "f1",
            uses(2),
            true,
        ),
    ] {
        assert_eq!(
            needs_asking(installed, seen, &catalogue, &used),
            asks,
            "{what}"
        );
    }
}

/// The installed fingerprint is the answer's when every version it lists is kept, else none.
#[test]
fn the_fingerprint_is_installed_only_with_every_version() {
    let whole = answer(vec![
        in_use(1, Status::Published, false),
        in_use(2, Status::Published, true),
    ]);
    let kept = merge(&[held(1, Status::Published)], &whole, &BTreeSet::new());
    assert_eq!(installed_fingerprint(&whole, &kept), whole.fingerprint());
    assert!(!whole.fingerprint().is_empty());
    // Version 2's definition neither held nor sent: asked again next time.
    let lacking = answer(vec![
        in_use(1, Status::Published, false),
        in_use(2, Status::Published, false),
    ]);
    let kept = merge(&[held(1, Status::Published)], &lacking, &BTreeSet::new());
    assert_eq!(installed_fingerprint(&lacking, &kept), "");
}
