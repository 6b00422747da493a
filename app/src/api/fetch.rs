//! One exchange with the server through the browser's `fetch`, and nothing more: a method, an
//! address, headers and a body out; a status and a body back. The app talks to one origin only,
//! so it needs no HTTP client library (one with URL parsing, header maps and status tables cost
//! the download about 60 KB; see BENCHMARKS.md).

use js_sys::Uint8Array;
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A request, as the typed functions of `api.rs` build it.
pub(crate) struct Request {
    method: &'static str,
    url: String,
    headers: Vec<(&'static str, String)>,
    /// The body to send (none: no body), or why it could not be written.
    body: Result<Option<Vec<u8>>, String>,
}

impl Request {
    pub fn new(method: &'static str, url: String) -> Self {
        Self {
            method,
            url,
            headers: Vec::new(),
            body: Ok(None),
        }
    }

    pub fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// `body` as JSON, said so in `content-type` (unless a header already says what it is).
    pub fn json(self, body: &(impl Serialize + ?Sized)) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.typed_body(bytes),
            Err(error) => Self {
                body: Err(error.to_string()),
                ..self
            },
        }
    }

    /// `text` as the body, as it is (a definition uploaded as it was written).
    pub fn text(self, text: String) -> Self {
        self.typed_body(text.into_bytes())
    }

    fn typed_body(mut self, bytes: Vec<u8>) -> Self {
        if !self.headers.iter().any(|(name, _)| *name == "content-type") {
            self.headers
                .push(("content-type", "application/json".to_owned()));
        }
        self.body = Ok(Some(bytes));
        self
    }
}

/// The server's answer: its status and its body.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Aborts the request when dropped: a request the watchdog gave up on (its future dropped)
/// stops in the browser too.
struct AbortOnDrop(web_sys::AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Sends `request`: its answer, whatever its status, or `None` when none came (no network, the
/// server unreachable, the body could not be written or read).
pub(crate) async fn fetch(request: Request) -> Option<Answer> {
    let window = web_sys::window()?;
    let init = web_sys::RequestInit::new();
    init.set_method(request.method);
    let headers = web_sys::Headers::new().ok()?;
    for (name, value) in &request.headers {
        headers.append(name, value).ok()?;
    }
    init.set_headers(&headers);
    if let Some(body) = request.body.ok()?
        && !body.is_empty()
    {
        init.set_body(&Uint8Array::from(body.as_slice()));
    }
    let abort = AbortOnDrop(web_sys::AbortController::new().ok()?);
    init.set_signal(Some(&abort.0.signal()));
    let js_request = web_sys::Request::new_with_str_and_init(&request.url, &init).ok()?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&js_request))
        .await
        .ok()?
        .dyn_into()
        .ok()?;
    let status = response.status();
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    let body = Uint8Array::new(&buffer).to_vec();
    drop(abort);
    Some(Answer { status, body })
}
