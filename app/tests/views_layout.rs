//! The app's views (`pages/`, `components/`, `forms/`) stay easy to live in: no view file over
//! 400 lines, no import circle between view files (a file that uses another that uses it back,
//! however far round; a folder's `mod.rs` and the files in it count as one view), and no shared
//! widget that reaches into a page.
//!
//! A path is followed to the file that defines what it names: `crate::sync::Change` is
//! `sync/change.rs`, because `sync/mod.rs` only names it again (`pub use`). Test code (a
//! `#[cfg(test)]` module, a `tests.rs` file) may use anything and is not read. The rest of the app
//! (the device's engine and its handles) is read only to follow paths through it.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};

#[path = "../../tests/shared/layout/mod.rs"]
mod layout;

use layout::module_of;
use layout::tree::edges;

/// The view folders under `src/`.
const VIEWS: &[&str] = &["pages", "components", "forms"];

fn is_view(module: &str) -> bool {
    VIEWS
        .iter()
        .any(|v| module == *v || module.starts_with(&format!("{v}::")))
}

/// View files allowed past the line limit, with why (data tables only). None today.
const LONG_FILES_ALLOWED: &[&str] = &[];
const MAX_LINES: usize = 400;

#[test]
fn no_view_file_is_over_400_lines() {
    let views = layout::sources()
        .into_iter()
        .filter(|(file, _)| is_view(&module_of(file)));
    let long = layout::long_files(views, MAX_LINES, LONG_FILES_ALLOWED);
    assert!(long.is_empty(), "split these by noun: {long:?}");
}

/// Whether one module is inside the other (a folder's `mod.rs` and its files are one view: the
/// page and its parts, which share the page's helpers).
fn related(a: &str, b: &str) -> bool {
    a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"))
}

#[test]
fn no_view_file_imports_one_that_imports_it_back() {
    let edges: BTreeMap<String, BTreeSet<String>> = edges()
        .into_iter()
        .filter(|(module, _)| is_view(module))
        .map(|(module, refs)| {
            let refs = refs
                .into_iter()
                .filter(|r| is_view(r) && !related(&module, r))
                .collect();
            (module, refs)
        })
        .collect();
    let circles = layout::circles(&edges);
    assert!(
        circles.is_empty(),
        "view files in an import circle: {circles:?}\n{edges:#?}"
    );
}

#[test]
fn shared_widgets_and_forms_never_reach_into_a_page() {
    let reaching: Vec<String> = edges()
        .into_iter()
        .filter(|(module, _)| module.starts_with("components") || module.starts_with("forms"))
        .flat_map(|(module, refs)| {
            refs.into_iter()
                .filter(|r| r.starts_with("pages"))
                .map(move |r| format!("{module} -> {r}"))
        })
        .collect();
    assert!(reaching.is_empty(), "{reaching:?}");
}

/// The reading above finds what it should: a path through a re-export lands on the defining
/// file, and a test module is not read (else the tests above could pass by reading nothing).
/// How a use tree and test code are read is `layout::tree`'s own test, run here too.
#[test]
fn the_reader_follows_re_exports_and_skips_tests() {
    let edges = edges();
    let of = |m: &str| edges.get(m).cloned().unwrap_or_default();
    // `crate::components::TextInput` is `components/text_input.rs`.
    assert!(
        of("pages::account::sign_in").contains("components::text_input"),
        "{:?}",
        of("pages::account::sign_in")
    );
    assert!(
        of("pages::admin::disclosure").contains("pages::consent"),
        "{:?}",
        of("pages::admin::disclosure")
    );
    assert!(of("pages::admin::people").contains("pages::admin"));
}
