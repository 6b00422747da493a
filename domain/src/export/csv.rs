//! The CSV for Excel: a BOM so Japanese opens correctly, CRLF, RFC 4180 quoting, and no cell
//! that Excel would run as a formula.

use super::format::*;
use crate::answer::Answer;
use crate::catalogue::Catalogue;
use crate::instrument::{AnswerKind, Choice, Lists, OTHER};
use crate::record::{Client, Record};

/// A CSV for Excel: one row per answered question per record, after a header row, in `lang`.
/// It starts with a byte order mark, without which Excel reads UTF-8 Japanese as mojibake.
pub fn to_csv(client: &Client, records: &[Record], catalogue: &Catalogue, lang: Lang) -> String {
    // The header in `lang`; none of its names holds a comma.
    let header = lang.say(
        "記録ID,種類,様式,状態,回答者,created_at_ms,シート,質問,回答",
        "Record ID,Kind,Instrument,Status,Answered by,created_at_ms,Sheet,Question,Answer",
    );
    let mut csv = String::from("\u{feff}");
    push_row(&mut csv, header.split(',').map(String::from));
    for record in own_records(client, records) {
        let fixed = [
            record.id.to_string(),
            serde_name(&record.kind),
            instrument_name(&record.instrument),
            serde_name(&record.status),
            record
                .answered_by
                .as_ref()
                .map(serde_name)
                .unwrap_or_default(),
            record.created_at.to_string(),
        ];
        let questions: Vec<_> = catalogue
            .get(&record.instrument)
            .map(|i| i.questions().collect())
            .unwrap_or_default();
        let mut rows = Vec::new();
        for (key, sheet, question) in &questions {
            if let Some(answer) = record.answers.get(key) {
                let number = question
                    .number
                    .as_deref()
                    .map_or(String::new(), |n| format!("{n}{}", lang.say("", " ")));
                rows.push([
                    lang.pick(&sheet.title).to_owned(),
                    format!("{number}{}", lang.pick(&question.prompt)),
                    answer_text(answer, &question.answer, &catalogue.lists, lang),
                ]);
            }
        }
        // An answer to a question this build does not know still gets its row, raw, so the
        // export never silently drops what was written.
        for (key, answer) in &record.answers {
            if !questions.iter().any(|(k, _, _)| k == key) {
                rows.push([String::new(), key.clone(), raw(answer)]);
            }
        }
        for row in rows {
            push_row(&mut csv, fixed.iter().cloned().chain(row));
        }
    }
    csv
}

fn raw(answer: &Answer) -> String {
    serde_json::to_string(answer).expect("answers serialize")
}

/// The choice's label in `lang`; its id if the definition has no such choice.
fn label<'a>(choices: impl IntoIterator<Item = &'a Choice>, id: &str, lang: Lang) -> String {
    choices
        .into_iter()
        .find(|c| c.id == id)
        .map_or_else(|| id.to_owned(), |c| lang.pick(&c.label).to_owned())
}

/// An answer as a person reads it: labels rather than ids, one line per text line or table row.
/// Shared by the CSV, the print view and the comparison.
pub fn answer_text(answer: &Answer, kind: &AnswerKind, lists: &Lists, lang: Lang) -> String {
    let other_words = |words: &str| format!("{}: {words}", lang.say("その他", "Other"));
    match (kind, answer) {
        (_, Answer::Date { value }) => value.to_string(),
        (_, Answer::Time { value }) => value.clone(),
        (_, Answer::Number { value }) => value.to_string(),
        (_, Answer::Text { lines }) => {
            // The form keeps a slot for every line; unused slots at the end are not content.
            let used = lines
                .iter()
                .rposition(|l| !l.trim().is_empty())
                .map_or(0, |i| i + 1);
            lines[..used].join("\n")
        }
        (AnswerKind::Single { options, .. }, Answer::Single { choice, other }) => {
            if choice == OTHER {
                other_words(other)
            } else {
                label(options.resolve(lists).into_iter().flatten(), choice, lang)
            }
        }
        (
            AnswerKind::Multi {
                options, exclusive, ..
            },
            Answer::Multi { choices, other },
        ) => {
            let all = || {
                options
                    .resolve(lists)
                    .into_iter()
                    .flatten()
                    .chain(exclusive)
            };
            let words: Vec<_> = choices
                .iter()
                .map(|c| {
                    if c == OTHER {
                        other_words(other)
                    } else {
                        label(all(), c, lang)
                    }
                })
                .collect();
            words.join(lang.say("、", "; "))
        }
        (
            AnswerKind::Table {
                columns,
                row_labels,
                ..
            },
            Answer::Table { rows },
        ) => {
            let mut lines = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                let cells: Vec<_> = columns
                    .iter()
                    .filter_map(|column| {
                        let value = row.get(&column.id).filter(|v| !v.trim().is_empty())?;
                        let value = if column.options.is_empty() {
                            value.clone()
                        } else {
                            label(&column.options, value, lang)
                        };
                        Some(format!("{}={value}", lang.pick(&column.label)))
                    })
                    .collect();
                if !cells.is_empty() {
                    let name = row_labels
                        .get(i)
                        .map_or_else(|| (i + 1).to_string(), |l| lang.pick(l).to_owned());
                    lines.push(format!("{name}: {}", cells.join(" / ")));
                }
            }
            lines.join("\n")
        }
        // An answer of another kind than its question asks: shown raw rather than lost.
        _ => raw(answer),
    }
}

fn push_row(csv: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, text) in cells.into_iter().enumerate() {
        if i > 0 {
            csv.push(',');
        }
        csv.push_str(&cell(&text));
    }
    csv.push_str("\r\n");
}

/// One cell, quoted per RFC 4180 when it must be, and defused as a formula. A cell starting with
/// `=`, `+`, `-` or `@` (or a tab or CR, which Excel also skips) would be run as a formula when
/// the file is opened, so a client's words could fetch a URL or run a command: a leading `'`
/// makes Excel read it as text.
pub(super) fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The audit entries as a CSV for Excel (like the records export): one row per entry, ids shown
/// as the names `name_of` knows (the id itself otherwise), times in Japan's time.
pub fn audit_csv(
    entries: &[crate::audit::Entry],
    name_of: impl Fn(&str) -> Option<String>,
    lang: Lang,
) -> String {
    let header = lang.say(
        "番号,記録日時,端末の時刻,操作,職員,端末,利用者,対象,詳細,ハッシュ",
        "No.,Recorded at,Device time,Action,Staff,Device,Client,Entity,Detail,Hash",
    );
    let mut csv = String::from("\u{feff}");
    push_row(&mut csv, header.split(',').map(String::from));
    let named = |id: Option<String>| id.map(|id| name_of(&id).unwrap_or(id)).unwrap_or_default();
    for entry in entries {
        let event = &entry.event;
        push_row(
            &mut csv,
            [
                entry.seq.to_string(),
                japan_time(entry.at),
                event.device_at.map(japan_time).unwrap_or_default(),
                event.action.as_str().to_owned(),
                named(event.person.map(|p| p.to_string())),
                named(event.device.map(|d| d.to_string())),
                named(event.client.map(|c| c.to_string())),
                event.entity.clone().unwrap_or_default(),
                event.detail.join(" "),
                entry.hash.clone(),
            ],
        );
    }
    csv
}

/// `YYYY-MM-DD HH:MM:SS` in Japan's time (UTC+9, no daylight saving) from Unix milliseconds.
pub fn japan_time(millis: i64) -> String {
    const OFFSET_MS: i64 = 9 * 60 * 60 * 1000;
    let Some(date) = crate::date::Date::from_unix_millis(millis, 9 * 60) else {
        return millis.to_string();
    };
    let seconds = (millis + OFFSET_MS).rem_euclid(24 * 60 * 60 * 1000) / 1000;
    format!(
        "{date} {:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}
