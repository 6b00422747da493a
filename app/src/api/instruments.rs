//! The instrument version endpoints: the device's catalogue stream, and the administrator's
//! upload, review, publish and retire. An upload's or a publish's refusal keeps every problem
//! the server listed, for the page to show one by one.

use super::{ApiError, base, http, json, post};
use yorisoi_domain::instrument::InstrumentRef;
use yorisoi_domain::versions::wire::{
    Held, Review, VERSIONS_FORMAT, VersionList, VersionsRequest, VersionsResponse,
};

/// `POST /api/v1/sync/instruments`.
pub async fn sync(held: Vec<Held>) -> Result<VersionsResponse, ApiError> {
    json(post(
        "/api/v1/sync/instruments",
        &VersionsRequest {
            format: VERSIONS_FORMAT,
            held,
        },
    ))
    .await
}

/// `GET /api/v1/instruments`.
pub async fn list() -> Result<VersionList, ApiError> {
    json(super::get("/api/v1/instruments")).await
}

/// `GET /api/v1/instruments/{id}/{edition}/{version}`.
pub async fn view(r: &InstrumentRef) -> Result<Review, ApiError> {
    json(super::get(&path(r))).await
}

/// A refusal, with each problem the server listed in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub error: ApiError,
    pub problems: Vec<String>,
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Self {
        Self {
            error,
            problems: Vec::new(),
        }
    }
}

/// `POST /api/v1/instruments`: the definition as it was written.
pub async fn upload(definition: String) -> Result<Review, Refused> {
    let request = http()
        .post(format!("{}/api/v1/instruments", base()))
        .header("content-type", "application/json")
        .body(definition);
    let text = exchange(request).await?;
    serde_json::from_str(&text).map_err(|e| ApiError::Garbled(e.to_string()).into())
}

/// `POST /api/v1/instruments/{id}/{edition}/{version}/{action}`: publish, retire or discard.
pub async fn act(r: &InstrumentRef, action: &str) -> Result<(), Refused> {
    let request = http().post(format!("{}{}/{action}", base(), path(r)));
    exchange(request).await.map(drop)
}

fn path(r: &InstrumentRef) -> String {
    format!("/api/v1/instruments/{}/{}/{}", r.id, r.edition, r.version)
}

/// Like `send`, but an error answer's `problems` are kept.
async fn exchange(request: reqwest::RequestBuilder) -> Result<String, Refused> {
    let bytes = super::answer(request, refused).await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// An error answer as a refusal: each of its problems in words (`line L, column C: …` for a
/// definition's; `place: problem; fix` for an incompatibility's).
pub fn refused(status: u16, body: &[u8]) -> Refused {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let problems = value["error"]["problems"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let text = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
            if p.get("place").is_some() {
                format!("{}: {}; {}", text("place"), text("problem"), text("fix"))
            } else {
                match (p["line"].as_u64(), p["column"].as_u64()) {
                    (Some(l), Some(c)) => format!("line {l}, column {c}: {}", text("problem")),
                    (Some(l), None) => format!("line {l}: {}", text("problem")),
                    _ => text("problem"),
                }
            }
        })
        .collect();
    Refused {
        error: ApiError::from_answer(status, body),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_keeps_each_problem_in_words() {
        let body = br#"{"error": {"code": "invalid_definition", "message": "m", "problems": [
            {"line": 3, "column": 5, "problem": "expected `,`"}, {"line": 7, "column": null, "problem": "s.q: min 5 is above max 1"}]}}"#;
        let refused = refused(422, body);
        assert_eq!(
            refused.problems,
            [
                "line 3, column 5: expected `,`",
                "line 7: s.q: min 5 is above max 1"
            ]
        );
        assert!(
            refused
                .error
                .is(&yorisoi_domain::errors::ErrorCode::InvalidDefinition)
        );
        let body = br#"{"error": {"code": "incompatible_version", "message": "m", "problems": [
            {"place": "s.notes", "problem": "the answer type changes", "fix": "keep the type"}]}}"#;
        assert_eq!(
            refused_words(body),
            ["s.notes: the answer type changes; keep the type"]
        );
        assert!(refused_words(b"{}").is_empty());
    }

    fn refused_words(body: &[u8]) -> Vec<String> {
        refused(409, body).problems
    }
}
