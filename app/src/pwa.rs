//! The installable, offline side of the app: the service worker (registered through a small JS
//! module), the offer to reload when a new version was deployed, and the browser's promise to
//! keep this origin's storage.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/js/pwa.js")]
extern "C" {
    #[wasm_bindgen(js_name = registerServiceWorker)]
    fn register_service_worker(on_update_ready: &Closure<dyn FnMut()>);
    #[wasm_bindgen(js_name = applyUpdate)]
    fn apply_update_js();
    #[wasm_bindgen(js_name = removeOfflineCopy)]
    fn remove_offline_copy_js() -> js_sys::Promise;
}

/// Deletes the app's offline copy (every cache, the service worker): part of wiping a revoked
/// or retired device.
pub async fn remove_offline_copy() {
    let _ = JsFuture::from(remove_offline_copy_js()).await;
}

/// Whether a new version is installed and waiting. `Copy`; lives in context.
#[derive(Clone, Copy, Debug)]
pub struct UpdateOffer {
    pub ready: ReadSignal<bool>,
}

impl UpdateOffer {
    /// Lets the waiting version take over; the page reloads once it has.
    pub fn apply(self) {
        apply_update_js();
    }
}

/// Registers the service worker, puts the [`UpdateOffer`] in context and asks the browser to
/// keep this origin's storage (a request the browser may refuse; Settings shows the answer).
pub fn provide() {
    let (ready, set_ready) = signal(false);
    let on_update_ready = Closure::<dyn FnMut()>::new(move || set_ready.set(true));
    register_service_worker(&on_update_ready);
    // The callback lives as long as the page.
    on_update_ready.forget();
    provide_context(UpdateOffer { ready });
    leptos::task::spawn_local(async {
        if let Err(e) = request_persistence().await {
            leptos::logging::warn!("persistent storage not requested: {e}");
        }
    });
}

pub fn use_update_offer() -> UpdateOffer {
    expect_context::<UpdateOffer>()
}

/// What the browser says about this origin's storage.
#[derive(Clone, Debug, PartialEq)]
pub struct StorageStatus {
    pub persisted: bool,
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

fn storage_manager() -> Result<web_sys::StorageManager, String> {
    let window = web_sys::window().ok_or("no window")?;
    Ok(window.navigator().storage())
}

async fn request_persistence() -> Result<bool, String> {
    let promise = storage_manager()?.persist().map_err(js_error)?;
    Ok(JsFuture::from(promise)
        .await
        .map_err(js_error)?
        .as_bool()
        .unwrap_or(false))
}

/// Asks the browser whether storage is persistent and how much of the quota is used.
pub async fn storage_status() -> Result<StorageStatus, String> {
    let manager = storage_manager()?;
    let persisted = JsFuture::from(manager.persisted().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .as_bool()
        .unwrap_or(false);
    let estimate: web_sys::StorageEstimate = JsFuture::from(manager.estimate().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .unchecked_into();
    Ok(StorageStatus {
        persisted,
        usage: estimate.get_usage(),
        quota: estimate.get_quota(),
    })
}

fn js_error(value: JsValue) -> String {
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// Bytes for people: "512 B", "12.3 KB", "1.2 GB" (decimal units, as storage is sold). Integer
/// arithmetic only: float formatting would add kilobytes to the app's download.
pub fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let bytes = if bytes.is_finite() && bytes > 0.0 {
        bytes as u64
    } else {
        0
    };
    let mut unit = 0;
    let mut scale = 1u64;
    while bytes / scale >= 1000 && unit < UNITS.len() - 1 {
        scale *= 1000;
        unit += 1;
    }
    if unit == 0 {
        return format!("{bytes} B");
    }
    // Tenths, rounded half up.
    let tenths = (bytes * 10 + scale / 2) / scale;
    format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::format_bytes;

    #[test]
    fn bytes_are_shown_in_the_largest_fitting_decimal_unit() {
        for (bytes, shown) in [
            (0.0, "0 B"),
            (999.0, "999 B"),
            (1000.0, "1.0 KB"),
            (12_345.0, "12.3 KB"),
            (5_000_000.0, "5.0 MB"),
            (1.2e9, "1.2 GB"),
            (12_399.0, "12.4 KB"),
            (999_999.0, "1000.0 KB"),
            (3e15, "3000.0 TB"),
            (-5.0, "0 B"),
            (f64::NAN, "0 B"),
        ] {
            assert_eq!(format_bytes(bytes), shown);
        }
    }
}
