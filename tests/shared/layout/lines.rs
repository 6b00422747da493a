//! The line reader: each line's `crate::…`, `super::…` and child-module paths, resolved to the
//! deepest module they name (a re-export is not followed).

use std::collections::{BTreeMap, BTreeSet};

/// The modules a file refers to: `crate::…` and `super::…` paths (each item of a `{…}` group
/// too), and its own child modules named by a relative path (a re-export too), but for the
/// `mod` lines that declare them.
pub fn references(module: &str, text: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
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

/// The crate as a graph read line by line: module → the modules its file refers to. `main.rs`
/// is left out: the binary is another crate, using the library's public paths.
pub fn edges(
    sources: &[(String, String)],
    module_of: impl Fn(&str) -> String,
) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = sources.iter().map(|(f, _)| module_of(f)).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in sources {
        if file == "main.rs" {
            continue;
        }
        let module = module_of(file);
        let refs = references(&module, text, &modules);
        edges.entry(module).or_default().extend(refs);
    }
    edges
}
