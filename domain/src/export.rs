//! Export and import of one client's records: a versioned JSON bundle that another device can
//! import, and a CSV that Excel opens for reading and printing.
//!
//! Both are pure functions of their inputs. The caller reads and saves the files and picks the
//! language; nothing here knows the clock or the time zone, which is why the CSV carries creation
//! times as raw milliseconds rather than as dates.

use crate::answer::Answer;
use crate::catalogue::Catalogue;
use crate::ids::{ClientId, RecordId};
use crate::instrument::{AnswerKind, Choice, InstrumentRef, Lists, OTHER, RecordKind};
use crate::record::{Client, CompletionProblem, Record};
use crate::text::Text;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeSet;

/// The bundle format this build writes. Records inside have their stored shape
/// ([`crate::stored`]), so a change there is a change here too: bump both, with a migration.
pub const FORMAT: u32 = 1;

/// The bundle's `kind`, so that some other JSON file is refused rather than misread.
pub const KIND: &str = "yorisoi-export";

/// One client and their records, as read from an export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    pub client: Client,
    pub records: Vec<Record>,
}

/// Why an export cannot be imported. Nothing of a refused file is imported, so the person can
/// fix the cause (usually: update the app, or pick the right file) and import it again.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("not a Yorisoi export: the file is not JSON ({0})")]
    NotJson(String),
    #[error("not a Yorisoi export: \"kind\" is {0}, not \"yorisoi-export\"")]
    WrongKind(String),
    #[error("the export has no format version")]
    NoFormat,
    #[error(
        "export format {0} was written by a newer version of the app; update the app to import it"
    )]
    Newer(u64),
    #[error("export format {0} is not one this app has ever written")]
    Unknown(u64),
    #[error("unreadable {what} in the export: {message}")]
    Invalid { what: String, message: String },
    #[error("record {record} belongs to client {found}, not to the exported client {expected}")]
    ForeignRecord {
        record: RecordId,
        found: ClientId,
        expected: ClientId,
    },
    #[error("record {0} appears twice in the export")]
    Duplicate(RecordId),
    #[error(
        "record {record} was made with {}, which this version of the app does not know; update the app",
        instrument_name(.instrument)
    )]
    UnknownInstrument {
        record: RecordId,
        instrument: InstrumentRef,
    },
    #[error(
        "record {record} says it is a {} record, but its instrument makes {} records",
        serde_name(.found),
        serde_name(.expected)
    )]
    WrongRecordKind {
        record: RecordId,
        found: RecordKind,
        expected: RecordKind,
    },
    #[error("record {record}: {problem}")]
    Answer {
        record: RecordId,
        problem: CompletionProblem,
    },
}

/// The language of a CSV's headers, labels and joining words. (The app has its own `Lang` and
/// maps it: this crate does not depend on the app.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    fn say(self, ja: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }

    fn pick(self, text: &Text) -> &str {
        match self {
            Lang::Ja => &text.ja,
            Lang::En => &text.en,
        }
    }
}

/// The client's records in a fixed order, so the same data always exports as the same text.
/// Records of any other client are left out, so an export never carries another person's data.
fn own_records<'a>(client: &Client, records: &'a [Record]) -> Vec<&'a Record> {
    let mut own: Vec<_> = records.iter().filter(|r| r.client == client.id).collect();
    own.sort_by_key(|r| (r.created_at, r.id));
    own
}

/// `{"format": 1, "kind": "yorisoi-export", "client": {…}, "records": […]}`.
pub fn to_json(client: &Client, records: &[Record]) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        format: u32,
        kind: &'static str,
        client: &'a Client,
        records: Vec<&'a Record>,
    }
    let out = Out {
        format: FORMAT,
        kind: KIND,
        client,
        records: own_records(client, records),
    };
    serde_json::to_string(&out).expect("clients and records serialize")
}

/// Reads an export, and checks every record as strictly as one arriving from another device:
/// an import is where data from outside is first trusted.
pub fn from_json(text: &str, catalogue: &Catalogue) -> Result<Bundle, ImportError> {
    let mut value: Value =
        serde_json::from_str(text).map_err(|e| ImportError::NotJson(e.to_string()))?;
    match value.get("kind") {
        Some(Value::String(kind)) if kind == KIND => {}
        other => {
            let found = other.map_or_else(|| "missing".into(), Value::to_string);
            return Err(ImportError::WrongKind(found));
        }
    }
    let format = value
        .get("format")
        .and_then(Value::as_u64)
        .ok_or(ImportError::NoFormat)?;
    match format {
        f if f == u64::from(FORMAT) => {}
        newer if newer > u64::from(FORMAT) => return Err(ImportError::Newer(newer)),
        // No format before 1 was ever written. A future format 2 migrates format 1 here.
        other => return Err(ImportError::Unknown(other)),
    }
    let client: Client = take(&mut value, "client", "client")?;
    let raw_records: Vec<Value> = take(&mut value, "records", "list of records")?;
    let mut records = Vec::with_capacity(raw_records.len());
    let mut seen = BTreeSet::new();
    for (i, mut raw) in raw_records.into_iter().enumerate() {
        let record: Record =
            serde_json::from_value(raw.take()).map_err(|e| ImportError::Invalid {
                what: format!("record number {}", i + 1),
                message: e.to_string(),
            })?;
        check_record(&record, &client, catalogue)?;
        if !seen.insert(record.id) {
            return Err(ImportError::Duplicate(record.id));
        }
        records.push(record);
    }
    Ok(Bundle { client, records })
}

fn take<T: DeserializeOwned>(value: &mut Value, key: &str, what: &str) -> Result<T, ImportError> {
    let inner = value.get_mut(key).map(Value::take).unwrap_or_default();
    serde_json::from_value(inner).map_err(|e| ImportError::Invalid {
        what: what.into(),
        message: e.to_string(),
    })
}

fn check_record(
    record: &Record,
    client: &Client,
    catalogue: &Catalogue,
) -> Result<(), ImportError> {
    let id = record.id;
    if record.client != client.id {
        return Err(ImportError::ForeignRecord {
            record: id,
            found: record.client,
            expected: client.id,
        });
    }
    let instrument =
        catalogue
            .get(&record.instrument)
            .ok_or_else(|| ImportError::UnknownInstrument {
                record: id,
                instrument: record.instrument.clone(),
            })?;
    if record.kind != instrument.kind {
        return Err(ImportError::WrongRecordKind {
            record: id,
            found: record.kind,
            expected: instrument.kind,
        });
    }
    // Completeness is not asked for: drafts are exported too, and a complete record was checked
    // for completion when it was marked so.
    let problems = record.problems(instrument, &catalogue.lists, false);
    match problems.into_iter().next() {
        Some(problem) => Err(ImportError::Answer {
            record: id,
            problem,
        }),
        None => Ok(()),
    }
}

/// "msfas 2006 v1": how an instrument is named in messages and in the CSV.
fn instrument_name(instrument: &InstrumentRef) -> String {
    format!(
        "{} {} v{}",
        instrument.id, instrument.edition, instrument.version
    )
}

/// The name serde gives a unit variant, e.g. `visit_note`, so the CSV says what the JSON says.
fn serde_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(name)) => name,
        _ => String::new(),
    }
}

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
fn cell(text: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{AnsweredBy, Status};
    use serde_json::json;

    const ASSESSMENT: &str = "01a1ee56-61e8-7202-8202-020202020202";

    fn catalogue() -> Catalogue {
        Catalogue::builtin().unwrap()
    }

    fn client() -> Client {
        Client {
            id: ClientId::new_v7(1_795_000_000_000, [1; 10]),
            name: "山田 花子".into(),
            kana: "やまだ はなこ".into(),
            birth_date: Some("1990-04-01".parse().unwrap()),
            workplace: "株式会社みなと".into(),
            notes: String::new(),
            created_at: 1_795_000_000_000,
            updated_at: 1_795_000_000_500,
        }
    }

    fn record(instrument: &str, created_at: i64, seed: u8, answers: Value) -> Record {
        let catalogue = catalogue();
        let instrument = catalogue.latest(instrument).unwrap();
        let id = RecordId::new_v7(created_at as u64, [seed; 10]);
        let mut record = Record::new(id, client().id, instrument, created_at);
        record.answers = serde_json::from_value(answers).unwrap();
        record
    }

    /// Answers every MSFAS question: date, text, table, single (other) and multi (other).
    fn assessment() -> Record {
        let mut record = record(
            "msfas",
            1_795_000_001_000,
            2,
            json!({
                "cover.consent_date": {"type": "date", "value": "2026-11-20"},
                "cover.name": {"type": "text", "lines": ["山田 花子"]},
                "cover.birth_date": {"type": "date", "value": "1990-04-01"},
                "user1.q1": {"type": "table", "rows": [
                    {"situation": "急がされるとき", "coping": "深呼吸", "result": "少し落ち着く"}, {}]},
                "user1.q2": {"type": "text", "lines": ["午後のピッキング", "", ""]},
                "user1.q3": {"type": "single", "choice": "other", "other": "水を飲む"},
                "user1.q4": {"type": "multi", "choices": ["sleepy", "other"], "other": "耳鳴り"},
                "user1.q5": {"type": "text", "lines": ["朝", "午前中"]},
            }),
        );
        record.answered_by = Some(AnsweredBy::PersonWithSupporter);
        record.status = Status::Complete;
        record
    }

    /// Uses the date, time, number, single, multi, table and text kinds.
    fn visit_note() -> Record {
        record(
            "visit-note",
            1_795_000_002_000,
            3,
            json!({
                "visit.date": {"type": "date", "value": "2026-11-21"},
                "visit.start_time": {"type": "time", "value": "09:30"},
                "visit.mode": {"type": "single", "choice": "visit"},
                "visit.visit_number": {"type": "number", "value": 3},
                "people.met": {"type": "multi", "choices": ["client", "supervisor"]},
                "observations.tasks": {"type": "table", "rows": [
                    {"task": "袋詰め", "prompt_level": "verbal"}, {}, {"task": "検品, 出荷"}]},
                "comments.client": {"type": "text", "lines": ["「疲れた」と言った", "=1+1"]},
            }),
        )
    }

    #[test]
    fn a_bundle_reads_back_as_exactly_the_client_and_records_written() {
        let catalogue = catalogue();
        let msfas = catalogue.latest("msfas").unwrap();
        assert!(
            msfas
                .questions()
                .all(|(key, _, _)| assessment().answers.contains_key(&key))
        );
        let mut stranger = visit_note();
        stranger.client = ClientId::new_v7(1, [9; 10]);

        let json = to_json(&client(), &[visit_note(), stranger, assessment()]);
        assert!(json.starts_with(r#"{"format":1,"kind":"yorisoi-export","client":{"#));
        assert_eq!(
            json,
            to_json(&client(), &[assessment(), visit_note()]),
            "sorted, foreign left out"
        );
        let bundle = from_json(&json, &catalogue).unwrap();
        assert_eq!(
            bundle,
            Bundle {
                client: client(),
                records: vec![assessment(), visit_note()]
            }
        );
    }

    #[test]
    fn imports_that_cannot_be_trusted_are_refused_with_the_reason() {
        let good = to_json(&client(), &[assessment(), visit_note()]);
        let error = from_json("{not json", &catalogue()).unwrap_err();
        assert!(
            error.to_string().contains("the file is not JSON"),
            "{error}"
        );
        let stranger = ClientId::new_v7(1, [9; 10]).to_string();
        for (pointer, value, expected) in [
            ("/kind", json!("backup"), r#""kind" is "backup""#),
            ("/kind", Value::Null, r#""kind" is null"#),
            (
                "/format",
                json!(2),
                "written by a newer version of the app; update the app",
            ),
            (
                "/format",
                json!(0),
                "format 0 is not one this app has ever written",
            ),
            ("/format", json!("1"), "no format version"),
            ("/client", Value::Null, "unreadable client"),
            (
                "/records/1/status",
                json!("lost"),
                "unreadable record number 2",
            ),
            (
                "/records/0/client",
                json!(stranger),
                "not to the exported client",
            ),
            (
                "/records/0/instrument/version",
                json!(9),
                "made with msfas 2006 v9, which",
            ),
            (
                "/records/0/kind",
                json!("visit_note"),
                "says it is a visit_note record",
            ),
            ("/records/1/id", json!(ASSESSMENT), "appears twice"),
            (
                "/records/0/answers/user1.q4/choices",
                json!(["none", "sleepy"]),
                "01a1ee56-61e8-7202-8202-020202020202: user1.q4: \"none\" stands alone",
            ),
            (
                "/records/0/answers",
                json!({"user1.q9": {"type": "number", "value": 1}}),
                "user1.q9: no such question",
            ),
        ] {
            let mut bundle: Value = serde_json::from_str(&good).unwrap();
            *bundle.pointer_mut(pointer).unwrap() = value;
            let error = from_json(&bundle.to_string(), &catalogue()).unwrap_err();
            assert!(error.to_string().contains(expected), "{pointer}: {error}");
        }
    }

    #[test]
    fn the_csv_opens_in_excel_with_labels_quoting_and_crlf_in_either_language() {
        let csv = |lang| to_csv(&client(), &[visit_note(), assessment()], &catalogue(), lang);
        let ja = csv(Lang::Ja);
        assert!(ja.starts_with(
            "\u{feff}記録ID,種類,様式,状態,回答者,created_at_ms,シート,質問,回答\r\n"
        ));
        assert!(ja.ends_with("\r\n") && !ja.replace("\r\n", "").contains('\r'));
        let a = format!(
            "{ASSESSMENT},assessment,msfas 2006 v1,complete,person_with_supporter,1795000001000,"
        );
        for row in [
            format!("{a}表紙,MSFASの活用に同意した日,2026-11-20\r\n"),
            format!(
                "{a}ストレスや疲労に関する周辺情報（本人用）,（２）どんな作業や活動をしている時に、疲れが生じやすいですか？,午後のピッキング\r\n"
            ),
            format!(
                "{a}ストレスや疲労に関する周辺情報（本人用）,（３）疲れを感じた時に、あなたが最もよくとる行動を、次の中から一つ選んで○をつけてください,その他: 水を飲む\r\n"
            ),
            "眠くなる、その他: 耳鳴り\r\n".into(),
            "\"朝\n午前中\"\r\n".into(),
            ",観察したこと,作業の様子,\"1: 作業=袋詰め / 支援の程度=言葉\n3: 作業=検品, 出荷\"\r\n"
                .into(),
            ",コメント,本人からのコメント,\"「疲れた」と言った\n=1+1\"\r\n".into(),
            ",訪問の概要,支援の方法,訪問\r\n".into(),
            ",会った人,会った人,本人、上司\r\n".into(),
        ] {
            assert!(ja.contains(&row), "{row:?} not in\n{ja}");
        }
        assert_eq!(
            ja.matches(ASSESSMENT).count(),
            8,
            "one row per answered question"
        );
        assert!(
            ja.find(ASSESSMENT) < ja.find(",visit_note,"),
            "records in order of creation"
        );

        let en = csv(Lang::En);
        assert!(
            en.starts_with("\u{feff}Record ID,Kind,Instrument,Status,Answered by,created_at_ms,")
        );
        for row in [
            ",Cover,Date you agreed to use MSFAS,2026-11-20\r\n",
            "applies to you.,I get sleepy; Other: 耳鳴り\r\n",
            ",\"（３） When you feel tired, what do you do most often? Choose one.\",Other: 水を飲む\r\n",
            ",Observations,Tasks observed,\"1: Task=袋詰め / Prompt level=Verbal\n3: Task=検品, 出荷\"\r\n",
            ",The visit,Mode,Visit\r\n",
            ",The visit,Start time,09:30\r\n",
            ",The visit,Visit number (this visit),3\r\n",
        ] {
            assert!(en.contains(row), "{row:?} not in\n{en}");
        }

        // A record this build cannot read still exports its answers, raw.
        let mut unknown = visit_note();
        unknown.instrument.version = 9;
        let csv = to_csv(&client(), &[unknown], &catalogue(), Lang::En);
        let row = r#",,visit.mode,"{""type"":""single"",""choice"":""visit""}""#;
        assert!(csv.contains(row), "{csv}");
    }

    #[test]
    fn cells_are_quoted_per_rfc_4180_and_never_run_as_formulas() {
        for (text, expected) in [
            ("眠くなる", "眠くなる"),
            ("", ""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\rhere", "\"cr\rhere\""),
            (
                "=HYPERLINK(\"http://x\")",
                "\"'=HYPERLINK(\"\"http://x\"\")\"",
            ),
            ("+81 90", "'+81 90"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(cell(text), expected, "{text:?}");
        }
        let mut note = visit_note();
        note.answers = serde_json::from_value(json!({
            "visit.staff": {"type": "text", "lines": ["=cmd|' /C calc'!A0"]}}))
        .unwrap();
        let csv = to_csv(&client(), &[note], &catalogue(), Lang::En);
        assert!(
            csv.ends_with(",Job coach(es) and accompanying staff,'=cmd|' /C calc'!A0\r\n"),
            "{csv}"
        );
    }
}
