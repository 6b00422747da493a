//! Checking an instrument definition: everything wrong with it, in words for the person editing
//! the file (an id that is not safe in keys, a choice list that does not exist, …).

use super::{AnswerKind, Choice, DEFINITION_FORMAT, Instrument, Lists, OTHER, Options};
use crate::text::Text;
use std::collections::BTreeSet;

impl Instrument {
    /// Everything wrong with this definition, in words for the person editing the file.
    pub fn check(&self, lists: &Lists) -> Vec<String> {
        let mut problems = Vec::new();
        let mut note = |context: &str, problem: String| {
            problems.push(format!("{}: {context}: {problem}", self.id))
        };
        if self.format != DEFINITION_FORMAT {
            note(
                "format",
                format!("is {}, this build reads {DEFINITION_FORMAT}", self.format),
            );
        }
        if let Err(e) = check_id(&self.id) {
            note("id", e);
        }
        if let Err(e) = self.title.check() {
            note("title", e);
        }
        if self.sheets.is_empty() {
            note("sheets", "there are none".into());
        }
        let mut sheet_ids = BTreeSet::new();
        let mut roles = BTreeSet::new();
        for sheet in &self.sheets {
            let context = format!("sheet {}", sheet.id);
            if let Err(e) = check_id(&sheet.id) {
                note(&context, e);
            }
            if !sheet_ids.insert(&sheet.id) {
                note(&context, "the sheet id is used twice".into());
            }
            if let Err(e) = sheet.title.check() {
                note(&context, e);
            }
            if let Some(Err(e)) = sheet.subtitle.as_ref().map(Text::check) {
                note(&context, e);
            }
            if sheet.questions.is_empty() {
                note(&context, "has no questions".into());
            }
            let mut question_ids = BTreeSet::new();
            for question in &sheet.questions {
                let context = format!("{}.{}", sheet.id, question.id);
                if let Err(e) = check_id(&question.id) {
                    note(&context, e);
                }
                if !question_ids.insert(&question.id) {
                    note(
                        &context,
                        "the question id is used twice in its sheet".into(),
                    );
                }
                if let Some(role) = question.role
                    && !roles.insert(role)
                {
                    note(&context, format!("the role {role:?} is given twice"));
                }
                for text in [
                    Some(&question.prompt),
                    question.hint.as_ref(),
                    question.plain.as_ref(),
                ]
                .into_iter()
                .flatten()
                {
                    if let Err(e) = text.check() {
                        note(&context, e);
                    }
                }
                for problem in question.answer.check(lists) {
                    note(&context, problem);
                }
                if let Some(problem) = crate::carry::check(question) {
                    note(&context, problem);
                }
            }
        }
        problems
    }
}

impl AnswerKind {
    fn check(&self, lists: &Lists) -> Vec<String> {
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
fn check_id(id: &str) -> Result<(), String> {
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
