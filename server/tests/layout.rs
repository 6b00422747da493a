//! The server's source stays easy to live in: no file over 400 lines, and no import circles
//! between its modules (a module that uses another that uses it back, however far round). The
//! reading is shared with the other crates' layout tests (`tests/shared/layout/`).

#[path = "../../tests/shared/layout/mod.rs"]
mod layout;

/// Files allowed past the line limit, with why (data tables only). None today.
const LONG_FILES_ALLOWED: &[&str] = &[];
const MAX_LINES: usize = 400;

#[test]
fn no_source_file_is_over_400_lines() {
    let long = layout::long_files(layout::sources(), MAX_LINES, LONG_FILES_ALLOWED);
    assert!(long.is_empty(), "split these by noun: {long:?}");
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let edges = layout::lines::edges(&layout::sources(), layout::module_of);
    let circles = layout::circles(&edges);
    assert!(
        circles.is_empty(),
        "modules in an import circle: {circles:?}\n{edges:#?}"
    );
}
