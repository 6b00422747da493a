//! What changed between two versions of an instrument, for the administrator to read before
//! publishing: questions and options added, removed and changed, labels and order.

use super::compat::{option_ids, type_name};
use crate::instrument::{AnswerKind, Instrument, Lists, OTHER};
use crate::text::Text;
use serde::Serialize;

/// One difference, with the labels the administrator knows the question or option by. Read
/// without serde's buffering (`super::diff_read`); written as derived.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Difference {
    TitleChanged {
        from: Text,
        to: Text,
    },
    SheetAdded {
        sheet: String,
        title: Text,
    },
    SheetRemoved {
        sheet: String,
        title: Text,
    },
    SheetRenamed {
        sheet: String,
        from: Text,
        to: Text,
    },
    QuestionAdded {
        key: String,
        prompt: Text,
    },
    /// Its id stays reserved; answers to it stay in the records of earlier versions.
    QuestionRemoved {
        key: String,
        prompt: Text,
    },
    /// Its wording (prompt, hint or plain words) changed.
    QuestionReworded {
        key: String,
        from: Text,
        to: Text,
    },
    /// Something other than its words: a limit, a role, the type (which the check refuses).
    QuestionChanged {
        key: String,
        what: String,
    },
    QuestionsReordered {
        sheet: String,
    },
    OptionAdded {
        key: String,
        option: String,
        label: Text,
    },
    /// Its value stays reserved.
    OptionRemoved {
        key: String,
        option: String,
        label: Text,
    },
    OptionRelabelled {
        key: String,
        option: String,
        from: Text,
        to: Text,
    },
}

impl Difference {
    /// The question (`sheet.question`, or `sheet.question column c`) it is about, if one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::QuestionAdded { key, .. }
            | Self::QuestionRemoved { key, .. }
            | Self::QuestionReworded { key, .. }
            | Self::QuestionChanged { key, .. }
            | Self::OptionAdded { key, .. }
            | Self::OptionRemoved { key, .. }
            | Self::OptionRelabelled { key, .. } => Some(key),
            _ => None,
        }
    }

    /// Whether an answer given under the older version may not fit the newer one (it used what
    /// was removed): a draft with such an answer cannot simply move.
    pub fn removes(&self) -> bool {
        matches!(
            self,
            Difference::QuestionRemoved { .. } | Difference::OptionRemoved { .. }
        )
    }
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TitleChanged { from, to } => write!(f, "title: 「{}」 → 「{}」", from.ja, to.ja),
            Self::SheetAdded { sheet, title } => write!(f, "sheet {sheet} added: 「{}」", title.ja),
            Self::SheetRemoved { sheet, title } => {
                write!(f, "sheet {sheet} removed: 「{}」", title.ja)
            }
            Self::SheetRenamed { sheet, from, to } => {
                write!(f, "sheet {sheet}: 「{}」 → 「{}」", from.ja, to.ja)
            }
            Self::QuestionAdded { key, prompt } => write!(f, "{key} added: 「{}」", prompt.ja),
            Self::QuestionRemoved { key, prompt } => write!(
                f,
                "{key} removed: 「{}」 (its id stays reserved)",
                prompt.ja
            ),
            Self::QuestionReworded { key, from, to } => {
                write!(f, "{key} reworded: 「{}」 → 「{}」", from.ja, to.ja)
            }
            Self::QuestionChanged { key, what } => write!(f, "{key}: {what}"),
            Self::QuestionsReordered { sheet } => write!(f, "sheet {sheet}: questions reordered"),
            Self::OptionAdded { key, option, label } => {
                write!(f, "{key}: option {option} added: 「{}」", label.ja)
            }
            Self::OptionRemoved { key, option, label } => write!(
                f,
                "{key}: option {option} removed: 「{}」 (its value stays reserved)",
                label.ja
            ),
            Self::OptionRelabelled {
                key,
                option,
                from,
                to,
            } => write!(f, "{key}: option {option}: 「{}」 → 「{}」", from.ja, to.ja),
        }
    }
}

/// Every difference from `old` to `new`, in the new definition's order (removals after the
/// place they were).
pub fn diff(old: &Instrument, new: &Instrument, lists: &Lists) -> Vec<Difference> {
    let mut out = Vec::new();
    if old.title != new.title {
        out.push(Difference::TitleChanged {
            from: old.title.clone(),
            to: new.title.clone(),
        });
    }
    for sheet in &new.sheets {
        match old.sheets.iter().find(|s| s.id == sheet.id) {
            None => out.push(Difference::SheetAdded {
                sheet: sheet.id.clone(),
                title: sheet.title.clone(),
            }),
            Some(old_sheet) => {
                if old_sheet.title != sheet.title || old_sheet.subtitle != sheet.subtitle {
                    out.push(Difference::SheetRenamed {
                        sheet: sheet.id.clone(),
                        from: old_sheet.title.clone(),
                        to: sheet.title.clone(),
                    });
                }
                let kept_old: Vec<&str> = old_sheet
                    .questions
                    .iter()
                    .map(|q| q.id.as_str())
                    .filter(|id| sheet.questions.iter().any(|q| q.id == *id))
                    .collect();
                let kept_new: Vec<&str> = sheet
                    .questions
                    .iter()
                    .map(|q| q.id.as_str())
                    .filter(|id| old_sheet.questions.iter().any(|q| q.id == *id))
                    .collect();
                if kept_old != kept_new {
                    out.push(Difference::QuestionsReordered {
                        sheet: sheet.id.clone(),
                    });
                }
            }
        }
    }
    for sheet in &old.sheets {
        if !new.sheets.iter().any(|s| s.id == sheet.id) {
            out.push(Difference::SheetRemoved {
                sheet: sheet.id.clone(),
                title: sheet.title.clone(),
            });
        }
    }
    for (key, _, question) in new.questions() {
        let Some(before) = old.question(&key) else {
            out.push(Difference::QuestionAdded {
                key,
                prompt: question.prompt.clone(),
            });
            continue;
        };
        if before.prompt != question.prompt
            || before.hint != question.hint
            || before.plain != question.plain
        {
            out.push(Difference::QuestionReworded {
                key: key.clone(),
                from: before.prompt.clone(),
                to: question.prompt.clone(),
            });
        }
        if before.role != question.role {
            out.push(Difference::QuestionChanged {
                key: key.clone(),
                what: format!("role {:?} → {:?}", before.role, question.role),
            });
        }
        out.extend(answer_changes(
            &key,
            &before.answer,
            &question.answer,
            lists,
        ));
    }
    for (key, _, question) in old.questions() {
        if new.question(&key).is_none() {
            out.push(Difference::QuestionRemoved {
                key,
                prompt: question.prompt.clone(),
            });
        }
    }
    out
}

fn answer_changes(key: &str, old: &AnswerKind, new: &AnswerKind, lists: &Lists) -> Vec<Difference> {
    let mut out = Vec::new();
    let changed = |what: String| Difference::QuestionChanged {
        key: key.to_owned(),
        what,
    };
    if type_name(old) != type_name(new) {
        out.push(changed(format!(
            "answer type {} → {}",
            type_name(old),
            type_name(new)
        )));
        return out;
    }
    match (old, new) {
        (AnswerKind::Number { min, max }, AnswerKind::Number { min: a, max: b })
            if (min, max) != (a, b) =>
        {
            out.push(changed(format!("range {min:?}..={max:?} → {a:?}..={b:?}")));
        }
        (AnswerKind::Text { lines, .. }, AnswerKind::Text { lines: n, .. }) if lines != n => {
            out.push(changed(format!("lines {lines} → {n}")));
        }
        (
            AnswerKind::Table { columns, rows, .. },
            AnswerKind::Table {
                columns: c,
                rows: r,
                ..
            },
        ) => {
            if rows != r {
                out.push(changed(format!("rows {rows} → {r}")));
            }
            for column in c {
                let place = format!("{key} column {}", column.id);
                match columns.iter().find(|o| o.id == column.id) {
                    None => out.push(Difference::QuestionAdded {
                        key: place,
                        prompt: column.label.clone(),
                    }),
                    Some(before) => {
                        if before.label != column.label {
                            out.push(Difference::QuestionReworded {
                                key: place.clone(),
                                from: before.label.clone(),
                                to: column.label.clone(),
                            });
                        }
                        out.extend(options(
                            &place,
                            &before.options.iter().collect::<Vec<_>>(),
                            &column.options.iter().collect::<Vec<_>>(),
                        ));
                    }
                }
            }
            for column in columns {
                if !c.iter().any(|n| n.id == column.id) {
                    out.push(Difference::QuestionRemoved {
                        key: format!("{key} column {}", column.id),
                        prompt: column.label.clone(),
                    });
                }
            }
        }
        _ => {}
    }
    let (other_before, other_after) = (allows_other(old), allows_other(new));
    let other_label = Text {
        ja: "その他".into(),
        en: "Other".into(),
        ruby: None,
    };
    if other_after && !other_before {
        out.push(Difference::OptionAdded {
            key: key.to_owned(),
            option: OTHER.into(),
            label: other_label.clone(),
        });
    } else if other_before && !other_after {
        out.push(Difference::OptionRemoved {
            key: key.to_owned(),
            option: OTHER.into(),
            label: other_label,
        });
    }
    out.extend(options(
        key,
        &option_ids(old, lists),
        &option_ids(new, lists),
    ));
    out
}

fn allows_other(kind: &AnswerKind) -> bool {
    matches!(
        kind,
        AnswerKind::Single { other: true, .. } | AnswerKind::Multi { other: true, .. }
    )
}

fn options(
    key: &str,
    old: &[&crate::instrument::Choice],
    new: &[&crate::instrument::Choice],
) -> Vec<Difference> {
    let mut out = Vec::new();
    for choice in new {
        match old.iter().find(|o| o.id == choice.id) {
            None => out.push(Difference::OptionAdded {
                key: key.to_owned(),
                option: choice.id.clone(),
                label: choice.label.clone(),
            }),
            Some(before) if before.label != choice.label => {
                out.push(Difference::OptionRelabelled {
                    key: key.to_owned(),
                    option: choice.id.clone(),
                    from: before.label.clone(),
                    to: choice.label.clone(),
                })
            }
            Some(_) => {}
        }
    }
    for choice in old {
        if !new.iter().any(|n| n.id == choice.id) {
            out.push(Difference::OptionRemoved {
                key: key.to_owned(),
                option: choice.id.clone(),
                label: choice.label.clone(),
            });
        }
    }
    out
}
