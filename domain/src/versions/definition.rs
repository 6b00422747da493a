//! Reading a definition an administrator uploads: every problem with the line and column it is
//! on, and the content hash of its canonical form (what makes a published version immutable).

use crate::instrument::{Instrument, Lists};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The largest definition accepted: a long checklist is a few tens of kilobytes.
pub const MAX_DEFINITION_BYTES: usize = 512 * 1024;

/// The most questions one definition may have: forms are filled by hand, on a tablet.
pub const MAX_QUESTIONS: usize = 500;

/// One problem of an uploaded definition: where it is (when it can be placed) and what to change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DefinitionError {
    /// 1-based line and column, as an editor shows them.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub problem: String,
}

impl std::fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            _ => {}
        }
        f.write_str(&self.problem)
    }
}

/// Reads and checks an uploaded definition: a JSON error names its line and column; every
/// problem `Instrument::check` finds names its sheet and question, and the line where that
/// question's id is written.
pub fn parse(json: &str, lists: &Lists) -> Result<Instrument, Vec<DefinitionError>> {
    if json.len() > MAX_DEFINITION_BYTES {
        return Err(vec![DefinitionError {
            line: None,
            column: None,
            problem: format!(
                "the definition is {} bytes; the most accepted is {MAX_DEFINITION_BYTES}: split it into several instruments",
                json.len()
            ),
        }]);
    }
    let instrument: Instrument = serde_json::from_str(json).map_err(|e| {
        vec![DefinitionError {
            line: Some(e.line()).filter(|l| *l > 0),
            column: Some(e.column()).filter(|c| *c > 0),
            problem: explain(&e),
        }]
    })?;
    let mut problems = unread_fields(json, &instrument);
    problems.extend(instrument.check(lists).into_iter().map(|problem| {
        let line = place_of(json, &instrument.id, &problem);
        DefinitionError {
            line,
            column: None,
            problem,
        }
    }));
    let count = instrument.questions().count();
    if count > MAX_QUESTIONS {
        problems.push(DefinitionError {
            line: None,
            column: None,
            problem: format!(
                "{count} questions; the most one definition may have is {MAX_QUESTIONS}"
            ),
        });
    }
    if problems.is_empty() {
        Ok(inline_lists(instrument, lists))
    } else {
        Err(problems)
    }
}

/// The fields of `json` that reading it left unused: a misspelt name inside an answer (where
/// serde cannot refuse unknown fields) would otherwise be dropped without a word.
fn unread_fields(json: &str, instrument: &Instrument) -> Vec<DefinitionError> {
    let (Ok(given), Ok(read)) = (
        serde_json::from_str::<Value>(json),
        serde_json::to_value(instrument),
    ) else {
        return Vec::new();
    };
    let mut unread = Vec::new();
    compare(&given, &read, "", &mut unread);
    unread
        .into_iter()
        .map(|(path, name)| DefinitionError {
            line: json
                .find(&format!("\"{name}\""))
                .map(|at| json[..at].matches('\n').count() + 1),
            column: None,
            problem: format!(
                "{path}: the field {name:?} is not part of the definition format: check the spelling, or remove it"
            ),
        })
        .collect()
}

fn compare(given: &Value, read: &Value, path: &str, unread: &mut Vec<(String, String)>) {
    match (given, read) {
        (Value::Object(given), Value::Object(read)) => {
            for (name, value) in given {
                let here = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                match read.get(name) {
                    Some(read) => compare(value, read, &here, unread),
                    // Left out when empty or false (the default): written out so, it was read.
                    None if value.is_null()
                        || value == &Value::Bool(false)
                        || value.as_array().is_some_and(Vec::is_empty) => {}
                    None => unread.push((path.to_owned(), name.clone())),
                }
            }
        }
        (Value::Array(given), Value::Array(read)) => {
            for (i, (given, read)) in given.iter().zip(read).enumerate() {
                compare(given, read, &format!("{path}[{i}]"), unread);
            }
        }
        _ => {}
    }
}

/// `instrument` with every shared option list written in place: a published version must mean
/// the same whatever later builds do to their lists.
pub fn inline_lists(mut instrument: Instrument, lists: &Lists) -> Instrument {
    use crate::instrument::{AnswerKind, Options};
    for sheet in &mut instrument.sheets {
        for question in &mut sheet.questions {
            if let AnswerKind::Single { options, .. } | AnswerKind::Multi { options, .. } =
                &mut question.answer
                && let Some(choices) = options.resolve(lists)
            {
                *options = Options::Inline {
                    options: choices.clone(),
                };
            }
        }
    }
    instrument
}

/// serde's message, with a hint where the usual mistake is known.
fn explain(e: &serde_json::Error) -> String {
    let message = e.to_string();
    // serde_json ends its message with " at line L column C"; the place is given apart.
    let message = match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    };
    if e.is_eof() {
        format!("{message}: the file ends too early (a missing }} or ])")
    } else if message.contains("unknown field") {
        format!("{message}: check the spelling, or remove the field")
    } else if message.contains("missing field") {
        format!("{message}: add it")
    } else {
        message
    }
}

/// The line of the question or sheet a check problem names (`<instrument>: <sheet>.<question>:
/// …` or `<instrument>: sheet <sheet>: …`), found by where its id is written.
fn place_of(json: &str, instrument: &str, problem: &str) -> Option<usize> {
    let rest = problem.strip_prefix(instrument)?.strip_prefix(": ")?;
    let context = rest.split(": ").next()?;
    let offset = if let Some(sheet) = context.strip_prefix("sheet ") {
        id_at(json, sheet, 0)?
    } else if let Some((sheet, question)) = context.split_once('.') {
        let sheet_at = id_at(json, sheet, 0)?;
        id_at(json, question, sheet_at)?
    } else {
        let key = format!("\"{context}\"");
        json.find(&key)?
    };
    Some(json[..offset].matches('\n').count() + 1)
}

/// Where `"id": "<id>"` is written, from `from` on.
fn id_at(json: &str, id: &str, from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(found) = json.get(at..)?.find("\"id\"") {
        let start = at + found;
        let rest = json[start + 4..].trim_start();
        if let Some(rest) = rest.strip_prefix(':') {
            let rest = rest.trim_start();
            if rest.strip_prefix('"').is_some_and(|r| {
                r.strip_prefix(id)
                    .is_some_and(|after| after.starts_with('"'))
            }) {
                return Some(start);
            }
        }
        at = start + 4;
    }
    None
}

/// The definition's canonical form: compact JSON with every object's keys sorted, of the
/// definition as this build reads it (so spacing, key order and defaults written out or left
/// out do not change it).
pub fn canonical(instrument: &Instrument) -> String {
    let value = serde_json::to_value(instrument).expect("instruments serialize");
    let mut out = String::new();
    write_sorted(&value, &mut out);
    out
}

fn write_sorted(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            crate::order::sort_by(&mut entries, |a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_sorted(value, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_sorted(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// SHA-256 (hex) of the canonical form: the same definition always has the same hash, and a
/// published version's stored hash shows it was never changed.
pub fn content_hash(instrument: &Instrument) -> String {
    Sha256::digest(canonical(instrument).as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
