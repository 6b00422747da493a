//! What `Instrument::check` asks of each answer kind, its options and ids (moved here from
//! `instrument.rs`, unchanged).

use super::{AnswerKind, Choice, Lists, OTHER, Options};
use std::collections::BTreeSet;

impl AnswerKind {
    pub(super) fn check(&self, lists: &Lists) -> Vec<String> {
        let mut problems = Vec::new();
        match self {
            AnswerKind::Date | AnswerKind::Time => {}
            AnswerKind::Number { min, max } => {
                if let (Some(min), Some(max)) = (min, max)
                    && min > max
                {
                    problems.push(format!("min {min} is above max {max}"));
                }
            }
            AnswerKind::Text { lines, .. } => {
                if *lines == 0 {
                    problems.push("a text answer needs at least one line".into());
                }
            }
            AnswerKind::Single { options, .. } => {
                problems.extend(check_choices(options.resolve(lists), &[], lists, options))
            }
            AnswerKind::Multi {
                options, exclusive, ..
            } => {
                problems.extend(check_choices(
                    options.resolve(lists),
                    exclusive,
                    lists,
                    options,
                ));
            }
            AnswerKind::Table {
                columns,
                rows,
                row_labels,
                example,
            } => {
                if columns.is_empty() || *rows == 0 {
                    problems.push("a table needs columns and rows".into());
                }
                if !row_labels.is_empty() && row_labels.len() != usize::from(*rows) {
                    problems.push(format!("{} row labels for {rows} rows", row_labels.len()));
                }
                for label in row_labels {
                    if let Err(e) = label.check() {
                        problems.push(format!("row label: {e}"));
                    }
                }
                let mut ids = BTreeSet::new();
                for column in columns {
                    if let Err(e) = check_id(&column.id) {
                        problems.push(format!("column: {e}"));
                    }
                    if !ids.insert(&column.id) {
                        problems.push(format!("column {} is used twice", column.id));
                    }
                    if let Err(e) = column.label.check() {
                        problems.push(format!("column {}: {e}", column.id));
                    }
                    problems.extend(check_choices(
                        Some(&column.options),
                        &[],
                        lists,
                        &Options::Inline { options: vec![] },
                    ));
                }
                for (column, text) in example.iter().flatten() {
                    if !ids.contains(column) {
                        problems.push(format!("the example names no column {column}"));
                    }
                    if let Err(e) = text.check() {
                        problems.push(format!("example {column}: {e}"));
                    }
                }
            }
        }
        problems
    }
}

fn check_choices(
    choices: Option<&Vec<Choice>>,
    exclusive: &[Choice],
    lists: &Lists,
    options: &Options,
) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(choices) = choices else {
        if let Options::Shared { options_from } = options {
            problems.push(format!(
                "there is no option list {options_from:?} (have: {:?})",
                lists.keys().collect::<Vec<_>>()
            ));
        }
        return problems;
    };
    let mut ids = BTreeSet::new();
    for choice in choices.iter().chain(exclusive) {
        if let Err(e) = check_id(&choice.id) {
            problems.push(format!("option: {e}"));
        }
        if choice.id == OTHER {
            problems.push(format!(
                "option id {OTHER:?} is reserved for the free-text \"other\""
            ));
        }
        if !ids.insert(&choice.id) {
            problems.push(format!("option {} is used twice", choice.id));
        }
        if let Err(e) = choice.label.check() {
            problems.push(format!("option {}: {e}", choice.id));
        }
    }
    problems
}

/// Ids are short, stable and safe in keys and file names: ASCII letters, digits, `_` and `-`.
pub(super) fn check_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{id:?} is not a valid id (ASCII letters, digits, _ and -)"
        ))
    }
}
