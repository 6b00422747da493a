//! The JSON bundle: written for another device, read back with every record checked.

use super::format::*;
use crate::catalogue::Catalogue;
use crate::record::{Client, Record};
use crate::stored::read_tree;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeSet;

/// A client and their records as a versioned bundle:
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
    let client: Client = read_tree(&value.get_mut("client").map(Value::take).unwrap_or_default())
        .map_err(|message| ImportError::Invalid {
        what: "client".into(),
        message,
    })?;
    let raw_records: Vec<Value> = take(&mut value, "records", "list of records")?;
    let mut records = Vec::with_capacity(raw_records.len());
    let mut seen = BTreeSet::new();
    for (i, mut raw) in raw_records.into_iter().enumerate() {
        let record: Record = read_tree(&raw.take()).map_err(|message| ImportError::Invalid {
            what: format!("record number {}", i + 1),
            message,
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
