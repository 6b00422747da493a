//! The app's layers stay where ARCHITECTURE.md puts them (its "Architecture Invariant" for the
//! app): the device engine (`src/device/`) uses no Leptos and never reaches up into the
//! reactive handles (`src/context/`) or the views; its pure part needs no browser at all; the
//! handles do no storage or HTTP step themselves (they call the engine and show what it
//! returns); no file imports one that imports it back, however far round; the engine's and
//! the handles' files stay under 400 lines; and no thread-local is a service locator.

use std::collections::BTreeSet;

#[path = "../../tests/shared/layout/mod.rs"]
mod layout;

use layout::lines::references;

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

/// What only the engine does: the device's bytes (localStorage entries, IndexedDB chunks, the
/// keys), the server, and the tab steps that are part of storing (which writers are alive, a
/// pulled page told, this tab's writer lock).
const DEVICE_IO: &[&str] = &[
    "crate::storage",
    "crate::store",
    "crate::api",
    "crate::vault",
    "gloo_storage",
    "web_sys::Storage",
    "crate::tabs::alive_writers",
    "crate::tabs::post_pulled",
    "crate::tabs::writer_lock",
    "crate::tabs::hold_lock",
];

/// The views' folders, whose facades (`pages/mod.rs`, `forms/mod.rs`) re-export children that
/// use them back (`set_title`, the field widgets). A folder and its files count as one view, and
/// `tests/views_layout.rs` checks the views as such; a circle through any other module fails.
const SPLIT_ELSEWHERE: &[&str] = &["pages", "forms"];

/// Every source file under `src/`, its old paths read as the modules they name.
fn sources() -> Vec<(String, String)> {
    layout::sources()
        .into_iter()
        .map(|(file, text)| (file, unalias(&text)))
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
    let module = layout::module_of(file);
    match module.strip_suffix("_tests") {
        Some(of) => format!("{of}::tests"),
        None => module,
    }
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
fn the_handles_do_no_storage_or_http_step_themselves() {
    let mut steps = Vec::new();
    for (file, text) in sources() {
        if !file.starts_with("context/") {
            continue;
        }
        for path in paths_named(&text) {
            // `use crate::tabs;` then `tabs::alive_writers()`: the same call.
            let path = match path.strip_prefix("tabs::") {
                Some(rest) => format!("crate::tabs::{rest}"),
                None => path,
            };
            if let Some(io) = DEVICE_IO.iter().find(|f| names(&path, f)) {
                steps.push(format!("{file}: {path} ({io})"));
            }
        }
    }
    assert!(
        steps.is_empty(),
        "a handle does the engine's work (call `crate::device::engine` instead): {steps:#?}"
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
    // The crate root declares every module and re-exports a few: not an import.
    let mut edges = layout::lines::edges(&sources(), module_of);
    for refs in edges.values_mut() {
        refs.remove("");
    }
    let circles: Vec<String> = layout::circles(&edges)
        .into_iter()
        .filter(|start| {
            !SPLIT_ELSEWHERE
                .iter()
                .any(|v| start == v || start.starts_with(&format!("{v}::")))
        })
        .collect();
    assert!(
        circles.is_empty(),
        "modules in an import circle: {circles:?}"
    );
}

#[test]
fn the_engines_and_the_handles_files_are_under_400_lines() {
    let engine = sources()
        .into_iter()
        .filter(|(file, _)| file.starts_with("device/") || file.starts_with("context/"));
    let long = layout::long_files(engine, MAX_LINES, &[]);
    assert!(long.is_empty(), "split these: {long:?}");
}

/// Every file of the app under 400 lines, but the data table of its words (`i18n.rs`: each key
/// with its Japanese and English text), which is read as a table, not as code.
#[test]
fn every_file_of_the_app_is_under_400_lines_but_the_words_table() {
    let long = layout::long_files(sources(), MAX_LINES, &["i18n.rs"]);
    assert!(long.is_empty(), "split these: {long:?}");
}

/// The files of the reactive layer and the views: they get what they need from context or as
/// arguments, never from a thread-local.
const REACTIVE_AND_VIEWS: &[&str] = &[
    "context/",
    "pages/",
    "components/",
    "forms/",
    "lib.rs",
    "lock.rs",
    "i18n.rs",
    "pwa.rs",
    "records.rs",
];

/// What a thread-local may not hold anywhere: a reactive value or a handle, which would make it a
/// service locator (a page or handle reaching state through a global instead of context).
const REACTIVE: &[&str] = &[
    "Signal",
    "Memo",
    "StoredValue",
    "Trigger",
    "Resource",
    "Action",
    "Db",
    "Account",
    "SyncEngine",
];

/// Each `thread_local! { … }` block of a file, outside comments.
fn thread_locals(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let mut blocks = Vec::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("thread_local!") {
        let after = &rest[at..];
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 1 => {
                    end = i + 1;
                    break;
                }
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        blocks.push(after[..end].to_owned());
        rest = &after[end..];
    }
    blocks
}

#[test]
fn no_thread_local_is_a_service_locator() {
    let mut found = Vec::new();
    for (file, text) in sources() {
        for block in thread_locals(&text) {
            let in_views = REACTIVE_AND_VIEWS
                .iter()
                .any(|v| file == *v || (v.ends_with('/') && file.starts_with(v)));
            let holds = REACTIVE.iter().find(|r| {
                block
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|word| word.ends_with(*r))
            });
            if in_views || holds.is_some() {
                found.push(format!(
                    "{file}: {}",
                    block.lines().next().unwrap_or_default()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "a thread-local in the reactive layer or holding a handle (provide it in context): {found:#?}"
    );
}

#[test]
fn a_thread_local_block_is_read_whole() {
    let text = "fn a() {}\nthread_local! {\n    static S: Cell<Option<RwSignal<u32>>> = { x };\n}\nfn b() {}";
    let blocks = thread_locals(text);
    assert_eq!(blocks.len(), 1);
    assert!(blocks[0].contains("RwSignal") && blocks[0].ends_with('}'));
    assert!(!blocks[0].contains("fn b"));
}
