//! Who is asking. There are no accounts yet, so the server listens on loopback only and every
//! request is the machine's own. Handlers already take a [`Principal`], so accounts (a later
//! issue) change this extractor, not the handlers' shape.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A request on a loopback-only server, before accounts exist.
    LocalMachine,
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Principal::LocalMachine)
    }
}
