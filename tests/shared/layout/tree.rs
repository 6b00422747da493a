//! The use-tree reader: a path is followed to the file that defines what it names:
//! `crate::sync::Change` is `sync/change.rs`, because `sync/mod.rs` only names it again
//! (`pub use`). Test code (a `#[cfg(test)]` module, a `tests.rs` file) may use anything and is
//! not read.

use std::collections::{BTreeMap, BTreeSet};

use super::{module_of, sources};

pub fn is_test_file(file: &str) -> bool {
    file.split('/')
        .any(|part| part == "tests" || part == "tests.rs")
}

/// The code of a file, without comments and without what only its tests compile (each item
/// after a `#[cfg(test)]` at the start of a line: a `mod tests;` line or a whole `mod tests {…}`);
/// and the modules it declares for tests only.
pub fn code_of(text: &str) -> (String, Vec<String>) {
    let mut code = String::new();
    let mut test_modules = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.starts_with("#[cfg(test)]") {
            let mut depth = 0i32;
            for item in lines.by_ref() {
                if let Some(name) = item.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
                    test_modules.push(name.trim().to_owned());
                }
                depth += item.matches('{').count() as i32 - item.matches('}').count() as i32;
                if depth <= 0 && (item.trim_end().ends_with(';') || item.trim_end().ends_with('}'))
                {
                    break;
                }
            }
            continue;
        }
        code.push_str(line.split("//").next().unwrap_or_default());
        code.push('\n');
    }
    (code, test_modules)
}

pub fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A use tree read from `text` (after its first segment): `a::b`, `a::{b, c::d}`, `a::*`, each
/// expanded into whole paths (`name as alias` keeps the name and the alias).
pub fn paths_from(text: &str) -> Vec<(Vec<String>, Option<String>)> {
    fn tree(s: &[char], at: &mut usize) -> Vec<(Vec<String>, Option<String>)> {
        skip_space(s, at);
        if *at < s.len() && s[*at] == '{' {
            *at += 1;
            let mut all = Vec::new();
            loop {
                skip_space(s, at);
                if *at >= s.len() {
                    return all;
                }
                if s[*at] == '}' {
                    *at += 1;
                    return all;
                }
                if s[*at] == ',' {
                    *at += 1;
                    continue;
                }
                let before = *at;
                all.extend(tree(s, at));
                if *at == before {
                    *at += 1; // something this reader does not follow
                }
            }
        }
        let start = *at;
        while *at < s.len() && (is_ident(s[*at]) || s[*at] == '*') {
            *at += 1;
        }
        if *at == start {
            return Vec::new();
        }
        let word: String = s[start..*at].iter().collect();
        if s[*at..].starts_with(&[':', ':']) {
            *at += 2;
            let rest = tree(s, at);
            if rest.is_empty() {
                return vec![(vec![word], None)];
            }
            return rest
                .into_iter()
                .map(|(mut path, alias)| {
                    path.insert(0, word.clone());
                    (path, alias)
                })
                .collect();
        }
        let mut look = *at;
        skip_space(s, &mut look);
        if s[look..].starts_with(&['a', 's', ' ']) {
            look += 3;
            skip_space(s, &mut look);
            let from = look;
            while look < s.len() && is_ident(s[look]) {
                look += 1;
            }
            *at = look;
            return vec![(vec![word], Some(s[from..look].iter().collect()))];
        }
        vec![(vec![word], None)]
    }
    fn skip_space(s: &[char], at: &mut usize) {
        while *at < s.len() && s[*at].is_whitespace() {
            *at += 1;
        }
    }
    let chars: Vec<char> = text.chars().collect();
    tree(&chars, &mut 0)
}

/// What a crate's files refer to, and the names each module file re-exports.
pub struct Graph {
    modules: BTreeSet<String>,
    /// (module, name) → the module that defines what the name is, for names a module re-exports.
    renamed: BTreeMap<(String, String), String>,
}

impl Graph {
    /// The module a path written in `module` names: the deepest module along it, followed
    /// through re-exports to where the item is defined.
    pub fn resolve(&self, module: &str, path: &[String]) -> Option<String> {
        let own: Vec<&str> = if module.is_empty() {
            Vec::new()
        } else {
            module.split("::").collect()
        };
        let mut base: Vec<String> = match path.first().map(String::as_str) {
            Some("crate") => Vec::new(),
            Some("self") => own.iter().map(|s| s.to_string()).collect(),
            Some("super") => {
                let ups = path.iter().take_while(|p| *p == "super").count();
                own[..own.len().saturating_sub(ups)]
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            }
            // A child module named by a relative path.
            Some(_) => own.iter().map(|s| s.to_string()).collect(),
            None => return None,
        };
        let rest: Vec<&String> = match path.first().map(String::as_str) {
            Some("crate" | "self") => path[1..].iter().collect(),
            Some("super") => path.iter().skip_while(|p| *p == "super").collect(),
            _ => path.iter().collect(),
        };
        let mut found = self
            .modules
            .contains(&base.join("::"))
            .then(|| base.join("::"));
        for segment in rest {
            base.push(segment.clone());
            let candidate = base.join("::");
            if self.modules.contains(&candidate) {
                found = Some(candidate);
                continue;
            }
            // Not a module: an item of the module so far, perhaps only named there again.
            let at = found.clone()?;
            let mut seen = BTreeSet::new();
            let mut target = at;
            while let Some(next) = self.renamed.get(&(target.clone(), segment.clone())) {
                if !seen.insert(next.clone()) {
                    break;
                }
                target = next.clone();
            }
            return Some(target);
        }
        found
    }
}

/// Each `crate::`, `super::`, `self::` or child-module path in `code`, as written.
pub fn paths_in(module: &str, code: &str, graph: &Graph) -> Vec<(Vec<String>, Option<String>)> {
    let mut out = Vec::new();
    let chars: Vec<char> = code.chars().collect();
    let mut at = 0;
    while at < chars.len() {
        if !is_ident(chars[at]) {
            at += 1;
            continue;
        }
        let start = at;
        while at < chars.len() && is_ident(chars[at]) {
            at += 1;
        }
        let preceded = start > 0 && matches!(chars[start - 1], ':' | '$' | '.');
        let word: String = chars[start..at].iter().collect();
        if preceded || !chars[at..].starts_with(&[':', ':']) {
            continue;
        }
        let child = if module.is_empty() {
            word.clone()
        } else {
            format!("{module}::{word}")
        };
        if matches!(word.as_str(), "crate" | "super" | "self") || graph.modules.contains(&child) {
            let text: String = chars[start..].iter().collect();
            out.extend(paths_from(&text));
        }
    }
    out
}

/// The crate's files as a graph: module → the modules its code refers to.
pub fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let read: Vec<(String, String, Vec<String>)> = sources()
        .into_iter()
        .filter(|(file, _)| !is_test_file(file))
        .map(|(file, text)| {
            let (code, tests) = code_of(&text);
            (module_of(&file), code, tests)
        })
        .collect();
    let test_only: BTreeSet<String> = read
        .iter()
        .flat_map(|(module, _, tests)| {
            tests.iter().map(move |t| {
                if module.is_empty() {
                    t.clone()
                } else {
                    format!("{module}::{t}")
                }
            })
        })
        .collect();
    let sources: Vec<(String, String)> = read
        .into_iter()
        .filter(|(module, _, _)| !test_only.contains(module))
        .map(|(module, code, _)| (module, code))
        .collect();
    let mut graph = Graph {
        modules: sources.iter().map(|(m, _)| m.clone()).collect(),
        renamed: BTreeMap::new(),
    };
    // Re-exports first (twice, so that one naming another's re-export resolves too).
    for _ in 0..2 {
        for (module, code) in &sources {
            for statement in code.split("pub use ").skip(1) {
                let statement = statement.split(';').next().unwrap_or_default();
                for (path, alias) in paths_from(statement) {
                    let Some(name) = alias.or_else(|| path.last().cloned()) else {
                        continue;
                    };
                    if let Some(target) = graph.resolve(module, &path)
                        && target != *module
                    {
                        graph.renamed.insert((module.clone(), name), target);
                    }
                }
            }
        }
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &sources {
        let refs = edges.entry(module.clone()).or_default();
        for (path, _) in paths_in(module, code, &graph) {
            if let Some(target) = graph.resolve(module, &path)
                && target != *module
            {
                refs.insert(target);
            }
        }
    }
    edges
}

#[test]
fn the_use_tree_reader_expands_groups_and_skips_test_code() {
    let (code, tests) = code_of(
        "use crate::a;\n#[cfg(test)]\nmod tests_more;\nuse crate::c;\n#[cfg(test)]\nmod tests {\n    use crate::b;\n}\n",
    );
    assert!(code.contains("crate::a") && code.contains("crate::c") && !code.contains("crate::b"));
    assert_eq!(tests, ["tests_more"]);
    assert_eq!(
        paths_from("x::{y, z::{w as v}, *}"),
        vec![
            (vec!["x".into(), "y".into()], None),
            (vec!["x".into(), "z".into(), "w".into()], Some("v".into())),
            (vec!["x".into(), "*".into()], None),
        ]
    );
}
