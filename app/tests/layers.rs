//! The app's layers stay where ARCHITECTURE.md puts them (its "Architecture Invariant" for the
//! app): the device engine (`src/device/`) uses no Leptos and never reaches up into the
//! reactive handles (`src/context/`) or the views; its pure part needs no browser at all; no
//! file imports one that imports it back, however far round; and the engine's and the handles'
//! files stay under 400 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 400;

/// The engine's files that need no browser: tested natively, run natively by the simulation.
const PURE: &[&str] = &[
    "device::api_error",
    "device::cipher",
    "device::errors",
    "device::inbox",
    "device::keys",
    "device::outbox",
    "device::session",
    "device::state",
    "device::sync::status",
    "device::view",
];

/// What the pure part may not name: the browser's bindings and the page's framework.
const BROWSER: &[&str] = &["web_sys", "js_sys", "wasm_bindgen", "gloo", "leptos"];

/// What the engine may not name: the framework, and every module above it (the handles, their
/// old paths, the views, and the root files that use Leptos).
const ABOVE_DEVICE: &[&str] = &[
    "leptos",
    "leptos_router",
    "crate::context",
    "crate::db",
    "crate::account",
    "crate::sync",
    "crate::pages",
    "crate::components",
    "crate::forms",
    "crate::lock",
    "crate::i18n",
    "crate::pwa",
    "crate::records",
];

/// The views' folders, whose facades (`pages/mod.rs`, `forms/mod.rs`) re-export children that
/// use them back (`set_title`, the field widgets). A folder and its files count as one view, and
/// `tests/views_layout.rs` checks the views as such; a circle through any other module fails.
const SPLIT_ELSEWHERE: &[&str] = &["pages", "forms"];

fn sources() -> Vec<(String, String)> {
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
            let relative = path
                .strip_prefix(&root)
                .expect("under src")
                .to_string_lossy();
            let text = std::fs::read_to_string(&path).expect("a source file is readable");
            (relative.replace('\\', "/"), unalias(&text))
        })
        .collect()
}

/// The paths `lib.rs` keeps for the handles and the screen lock (`crate::db` and so on), read
/// as the modules they name.
fn unalias(text: &str) -> String {
    [
        ("crate::db", "crate::context::data"),
        ("crate::account", "crate::context::account"),
        ("crate::sync", "crate::context::sync"),
        ("crate::screen", "crate::device::screen"),
    ]
    .iter()
    .fold(text.to_owned(), |text, (alias, module)| {
        text.replace(&format!("{alias}::"), &format!("{module}::"))
            .replace(&format!("{alias};"), &format!("{module};"))
    })
}

/// `device/mod.rs` → `device`, `device/state.rs` → `device::state`, a test module kept beside
/// its file (`device/state_tests.rs`) → `device::state::tests`; `lib.rs` is the crate root.
fn module_of(file: &str) -> String {
    let path = file.trim_end_matches(".rs");
    let mut parts: Vec<String> = path.split('/').map(str::to_owned).collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    if let Some(last) = parts.last_mut()
        && let Some(of) = last.strip_suffix("_tests")
    {
        *last = of.to_owned();
        parts.push("tests".to_owned());
    }
    parts.join("::")
}

/// Every `crate::…`, `super::…` or crate path a file names, outside comments.
fn paths_named(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find(|c: char| c.is_alphabetic() || c == '_') {
            let preceded = at > 0 && {
                let before = rest.as_bytes()[at - 1] as char;
                before.is_alphanumeric() || before == '_' || before == ':'
            };
            let word: String = rest[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | ':'))
                .collect();
            rest = &rest[at + word.len()..];
            if !preceded && word.contains("::") {
                found.push(word.trim_end_matches(':').to_owned());
            }
        }
    }
    found
}

fn names(path: &str, forbidden: &str) -> bool {
    path == forbidden
        || path.starts_with(&format!("{forbidden}::"))
        || (!forbidden.contains("::")
            && path.starts_with(forbidden)
            && path[forbidden.len()..].starts_with(['_', ':']))
}

/// The modules a file refers to: `crate::…` and `super::…` paths (each item of a `{…}` group
/// too), and its own child modules named by a relative path (a re-export too), but for the
/// `mod` lines that declare them.
fn references(module: &str, text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let resolve = |base: &[&str], rest: &str| -> Option<String> {
        let mut path: Vec<&str> = base.to_vec();
        let mut best = modules.contains(&path.join("::")).then(|| path.join("::"));
        for segment in rest.split("::") {
            // `name as alias`: the path ends at the name.
            let segment = segment.trim();
            let word = segment.split_whitespace().next().unwrap_or_default();
            if word.is_empty() || !word.chars().all(|c| c.is_alphanumeric() || c == '_') {
                break;
            }
            path.push(word);
            let candidate = path.join("::");
            if modules.contains(&candidate) {
                best = Some(candidate);
            }
            if word.len() != segment.len() {
                break;
            }
        }
        best
    };
    let own: Vec<&str> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").collect()
    };
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let mut code = line.split("//").next().unwrap_or_default().to_owned();
        // A visibility (`pub(in crate::db)`) names where an item may be seen, not a use.
        while let Some(at) = code.find("pub(in ") {
            let end = code[at..].find(')').map_or(code.len(), |e| at + e + 1);
            code.replace_range(at..end, "pub");
        }
        let code = code.as_str();
        let indented = code.starts_with(char::is_whitespace);
        let declaration =
            code.trim_start().starts_with("mod ") || code.trim_start().starts_with("pub mod ");
        let mut rest = code;
        while let Some(at) = rest.find(|c: char| c.is_alphabetic()) {
            let word_start = &rest[at..];
            let word_len = word_start
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(word_start.len());
            let preceded = at > 0 && {
                let before = rest.as_bytes()[at - 1] as char;
                before.is_alphanumeric() || before == '_' || before == ':' || before == '$'
            };
            let word = &word_start[..word_len];
            let after = &word_start[word_len..];
            rest = after;
            if preceded || !after.starts_with("::") {
                continue;
            }
            // The path from here, and each item of a group it opens.
            let path: String = word_start
                .chars()
                .take_while(|c| {
                    c.is_alphanumeric() || matches!(c, '_' | ':' | '{' | '}' | ',' | ' ')
                })
                .collect();
            let (head, group) = match path.find("::{") {
                Some(i) => (&path[..i], Some(&path[i + 3..])),
                None => (path.as_str(), None),
            };
            let mut targets: Vec<String> = Vec::new();
            let mut add = |base: Vec<&str>, tail: &str| {
                let mut paths = vec![tail.to_owned()];
                if let Some(group) = group {
                    paths = group
                        .split([',', '}'])
                        .filter(|item| !item.trim().is_empty())
                        .map(|item| format!("{tail}::{}", item.trim()))
                        .collect();
                    // A group whose items are on the next lines: the module it opens.
                    if paths.is_empty() {
                        paths.push(tail.to_owned());
                    }
                }
                for p in paths {
                    if let Some(m) = resolve(&base, p.trim_start_matches("::")) {
                        targets.push(m);
                    }
                }
            };
            if word == "crate" {
                add(Vec::new(), head.trim_start_matches("crate"));
            } else if word == "super" {
                let mut supers = 0;
                let mut tail = head;
                while let Some(t) = tail.strip_prefix("super::").or(tail.strip_prefix("super")) {
                    supers += 1;
                    tail = t;
                    if tail.is_empty() {
                        break;
                    }
                }
                // An indented `super` may be written in an inline module of the file (a test
                // module, or one a macro writes per backend), one level down: of the two
                // readings, the one that names a module below its base; else the nested one.
                let up = |n: usize| own[..own.len().saturating_sub(n)].to_vec();
                let deeper =
                    |base: &Vec<&str>| resolve(base, tail).is_some_and(|m| m != base.join("::"));
                let base = if indented && supers > 0 {
                    let (nested, file) = (up(supers - 1), up(supers));
                    if !deeper(&nested) && deeper(&file) {
                        file
                    } else {
                        nested
                    }
                } else {
                    up(supers)
                };
                add(base, tail);
            } else if !declaration {
                let child = if module.is_empty() {
                    word.to_owned()
                } else {
                    format!("{module}::{word}")
                };
                if modules.contains(&child) {
                    targets.push(child);
                }
            }
            found.extend(targets);
        }
    }
    found.remove(module);
    found
}

#[test]
fn the_device_engine_reaches_no_framework_and_nothing_above_it() {
    let mut crossings = Vec::new();
    for (file, text) in sources() {
        if !file.starts_with("device/") {
            continue;
        }
        for path in paths_named(&text) {
            if let Some(above) = ABOVE_DEVICE.iter().find(|f| names(&path, f)) {
                crossings.push(format!("{file}: {path} ({above})"));
            }
        }
    }
    assert!(
        crossings.is_empty(),
        "the engine reaches up: {crossings:#?}"
    );
}

#[test]
fn the_engines_pure_part_needs_no_browser() {
    let sources = sources();
    let modules: BTreeSet<String> = sources.iter().map(|(f, _)| module_of(f)).collect();
    let pure = |module: &str| {
        PURE.iter()
            .any(|p| module == *p || module.starts_with(&format!("{p}::")))
            || module == "device::test_support"
    };
    let mut impure = Vec::new();
    for (file, text) in &sources {
        let module = module_of(file);
        if !pure(&module) {
            continue;
        }
        for path in paths_named(text) {
            if let Some(browser) = BROWSER.iter().find(|b| names(&path, b)) {
                impure.push(format!("{file}: {path} ({browser})"));
            }
        }
        // What it uses of the app must be pure too: else the browser comes in the back door.
        for used in references(&module, text, &modules) {
            if !pure(&used) && used != "device" && !module.starts_with(&format!("{used}::")) {
                impure.push(format!("{file}: uses {used}"));
            }
        }
    }
    assert!(
        impure.is_empty(),
        "the pure part needs a browser: {impure:#?}"
    );
}

#[test]
fn no_app_module_imports_one_that_imports_it_back() {
    let sources = sources();
    let modules: BTreeSet<String> = sources.iter().map(|(f, _)| module_of(f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in &sources {
        if file == "main.rs" {
            continue;
        }
        let module = module_of(file);
        // The crate root declares every module and re-exports a few: not an import.
        let refs = references(&module, text, &modules)
            .into_iter()
            .filter(|m| !m.is_empty());
        edges.entry(module).or_default().extend(refs);
    }
    let mut circles = Vec::new();
    for start in edges.keys() {
        if SPLIT_ELSEWHERE
            .iter()
            .any(|v| start == v || start.starts_with(&format!("{v}::")))
        {
            continue;
        }
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
    assert!(
        circles.is_empty(),
        "modules in an import circle: {circles:?}"
    );
}

#[test]
fn the_engines_and_the_handles_files_are_under_400_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter(|(file, _)| file.starts_with("device/") || file.starts_with("context/"))
        .filter(|(_, text)| text.lines().count() > MAX_LINES)
        .map(|(file, text)| format!("{file}: {} lines", text.lines().count()))
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}
