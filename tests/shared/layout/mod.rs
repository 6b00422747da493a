//! What the layout tests of the crates share (`domain/tests/layout.rs`, `server/tests/layout.rs`,
//! `app/tests/layers.rs`, `app/tests/views_layout.rs`): reading a crate's source files, naming the
//! module of each, finding the files over a line limit and the modules in an import circle. Each
//! test includes this folder (`#[path = "../../tests/shared/layout/mod.rs"] mod layout;`) and
//! keeps only its own rules: which files, which exemptions, which limits.
//!
//! Two readers turn a file into the modules it refers to: [`lines`] reads each line's
//! `crate::`/`super::`/child paths (the server, the app's layers); [`tree`] reads whole use trees
//! and follows re-exports to the file that defines what a path names, skipping test code (the
//! domain, the app's views). `tests/shared/` is no crate's: it compiles inside each test.
// Each test uses a part of what is here.
#![allow(dead_code)]

pub mod lines;
pub mod tree;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every source file under the including crate's `src/`, as (path relative to `src/`, text).
pub fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("the source folder is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&root).expect("under src");
            let text = std::fs::read_to_string(&path).expect("a source file is readable");
            (relative.to_string_lossy().replace('\\', "/"), text)
        })
        .collect()
}

/// `sync/mod.rs` → `sync`, `sync/change.rs` → `sync::change`; `lib.rs` and `main.rs` are the
/// crate root (``).
pub fn module_of(file: &str) -> String {
    let mut parts: Vec<&str> = file.trim_end_matches(".rs").split('/').collect();
    if matches!(parts.last(), Some(&("mod" | "lib" | "main"))) {
        parts.pop();
    }
    parts.join("::")
}

/// The files over `max` lines but for those `allowed`, as `file: N lines`.
pub fn long_files(
    files: impl IntoIterator<Item = (String, String)>,
    max: usize,
    allowed: &[&str],
) -> Vec<String> {
    files
        .into_iter()
        .filter(|(file, text)| text.lines().count() > max && !allowed.contains(&file.as_str()))
        .map(|(file, text)| format!("{file}: {} lines", text.lines().count()))
        .collect()
}

/// The modules in an import circle: each that reaches itself, however far round.
pub fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut circles = Vec::new();
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = edges[start].iter().collect();
        while let Some(next) = todo.pop() {
            if next == start {
                circles.push(start.clone());
                break;
            }
            if seen.insert(next.clone()) {
                todo.extend(edges.get(next).into_iter().flatten());
            }
        }
    }
    circles
}
