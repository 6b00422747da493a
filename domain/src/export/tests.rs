//! Export and import, case by case.

use super::csv::cell;
use super::format::*;
use super::*;
use crate::catalogue::Catalogue;
use crate::ids::{ClientId, RecordId};
use crate::record::{AnsweredBy, Client, Record, Status};
use serde_json::Value;
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
        consents: Default::default(),
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
    assert!(
        ja.starts_with("\u{feff}記録ID,種類,様式,状態,回答者,created_at_ms,シート,質問,回答\r\n")
    );
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
    assert!(en.starts_with("\u{feff}Record ID,Kind,Instrument,Status,Answered by,created_at_ms,"));
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

#[test]
fn the_audit_csv_names_who_and_whose_and_defuses_formulas() {
    use crate::audit::{Action, Entry, Event, GENESIS};
    let client = client();
    let mut event = Event::new(Action::RecordOpened);
    event.client = Some(client.id);
    event.entity = Some("record:x".into());
    event.device_at = Some(1_795_000_000_000);
    let entry = Entry::chained(1, 1_795_000_060_000, event, GENESIS);
    let csv = audit_csv(
        std::slice::from_ref(&entry),
        |id| (id == client.id.to_string()).then(|| "=HYPERLINK(\"x\")".to_owned()),
        Lang::Ja,
    );
    assert!(csv.starts_with('\u{feff}'));
    let row = csv.lines().nth(1).unwrap();
    assert!(row.starts_with("1,2026-11-18 "), "{row}");
    assert!(row.contains(",record_opened,"));
    assert!(
        row.contains("\"'=HYPERLINK(\"\"x\"\")\""),
        "a name is never run as a formula: {row}"
    );
    assert!(row.ends_with(&entry.hash));
}

#[test]
fn japan_time_is_nine_hours_ahead_of_utc() {
    // 2026-11-24T15:30:05Z
    assert_eq!(japan_time(1_795_534_205_000), "2026-11-25 00:30:05");
}
