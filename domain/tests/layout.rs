//! The domain's source stays easy to live in: no file over 400 lines, and no import circles
//! between its files (a file that uses another that uses it back, however far round).
//!
//! A path is followed to the file that defines what it names: `crate::sync::Change` is
//! `sync/change.rs`, because `sync/mod.rs` only names it again (`pub use`). Test code (a
//! `#[cfg(test)]` module, a `tests.rs` file) may use anything and is not read. The reading is
//! shared with the other crates' layout tests (`tests/shared/layout/`).

#[path = "../../tests/shared/layout/mod.rs"]
mod layout;

use layout::tree::edges;

/// Files allowed past the line limit, with why (data tables only). None today.
const LONG_FILES_ALLOWED: &[&str] = &[];
const MAX_LINES: usize = 400;

#[test]
fn no_source_file_is_over_400_lines() {
    let long = layout::long_files(layout::sources(), MAX_LINES, LONG_FILES_ALLOWED);
    assert!(long.is_empty(), "split these by noun: {long:?}");
}

#[test]
fn no_domain_file_imports_one_that_imports_it_back() {
    let edges = edges();
    let circles = layout::circles(&edges);
    assert!(
        circles.is_empty(),
        "files in an import circle: {circles:?}\n{edges:#?}"
    );
}

/// The reading above finds what it should: a path through a re-export lands on the defining
/// file, and a test module is not read (else the test above could pass by reading nothing).
/// How a use tree and test code are read is `layout::tree`'s own test, run here too.
#[test]
fn the_reader_follows_re_exports_and_skips_tests() {
    let edges = edges();
    let of = |m: &str| edges.get(m).cloned().unwrap_or_default();
    assert!(
        of("sync::outbox").contains("sync::change"),
        "{:?}",
        of("sync::outbox")
    );
    assert!(of("record").contains("consent"), "{:?}", of("record"));
    assert!(
        of("privacy").contains("sync::quarantine"),
        "{:?}",
        of("privacy")
    );
    assert!(
        !of("sync").contains("sync"),
        "a module does not refer to itself"
    );
    assert!(
        !edges.contains_key("due::tests_merged"),
        "a test-only module"
    );
}
