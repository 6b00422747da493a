//! This device's secret (issue 19): 256 random bits made on first use, registered by the server
//! at the device's first sign-in, and sent with every request ([`DEVICE_PROOF_HEADER`]), so that
//! nobody else can act as this device (push under its writers, take over its hand-overs).
//!
//! Kept sealed (`js/device_proof.js`): wrapped with AES-256-GCM under a non-extractable WebCrypto
//! key held in IndexedDB; the wrapped secret sits in localStorage beside the device id, and goes
//! with it (a revoked device deletes both and starts as a new one). It belongs to the device, not
//! to a person: it is opened before anyone's keys are, and every person signing in on this
//! browser uses it. Once opened, it stays in this tab's memory.

use std::cell::RefCell;
use wasm_bindgen::prelude::*;
use yorisoi_domain::ids::DeviceId;

pub use yorisoi_domain::accounts::DEVICE_PROOF_HEADER;

#[wasm_bindgen(module = "/js/device_proof.js")]
extern "C" {
    #[wasm_bindgen(js_name = deviceProof, catch)]
    fn device_proof(device: &str) -> Result<js_sys::Promise, JsValue>;
}

thread_local! {
    static PROOF: RefCell<Option<(DeviceId, String)>> = const { RefCell::new(None) };
}

/// This device's secret as hex, or `None` when the browser cannot keep one (no WebCrypto or
/// IndexedDB): the request then goes without, and the server says what it refuses.
pub async fn proof() -> Option<String> {
    let device = crate::storage::device_id();
    if let Some(proof) = PROOF.with(|p| {
        p.borrow()
            .as_ref()
            .filter(|(d, _)| *d == device)
            .map(|(_, proof)| proof.clone())
    }) {
        return Some(proof);
    }
    let promise = device_proof(&device.to_string()).ok()?;
    let proof = match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(value) => value.as_string()?,
        Err(error) => {
            leptos::logging::warn!("this device's secret cannot be opened: {error:?}");
            return None;
        }
    };
    PROOF.with(|p| *p.borrow_mut() = Some((device, proof.clone())));
    Some(proof)
}
