//! Headers every answer carries, the app's pages and the API's JSON alike: a strict
//! `Content-Security-Policy` (made from the build's `index.html` at start, see
//! [`crate::shell::content_security_policy`]), no framing, no content-type sniffing, no
//! `Referer` sent anywhere (the app's URLs name clients by id).

use crate::app_state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;

pub async fn headers(State(state): State<AppState>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, state.shell.csp().clone());
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
