//! The browser's clock, time zone and randomness, handed to the pure domain as values.

use yorisoi_domain::date::Date;
use yorisoi_domain::ids::{ClientId, DeviceId, RecordId};

/// Milliseconds since the Unix epoch, by this device's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

thread_local! {
    /// Time spent in named parts of a long operation (ms), for the benchmarks: see [`spent`].
    static SPENT: std::cell::RefCell<std::collections::BTreeMap<&'static str, f64>> =
        const { std::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

/// The page's high-resolution clock (ms since it started).
pub fn precise_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Adds the time since `start` (from [`precise_now`]) to the part `name`.
pub fn spent(name: &'static str, start: f64) {
    let elapsed = precise_now() - start;
    SPENT.with(|s| *s.borrow_mut().entry(name).or_default() += elapsed);
}

/// Marks the parts' totals on the timeline (`yorisoi-parts {"name": ms, …}`) and starts over.
pub fn mark_spent() {
    let parts = SPENT.with(|s| std::mem::take(&mut *s.borrow_mut()));
    if let Ok(text) = serde_json::to_string(&parts) {
        mark(&format!("yorisoi-parts {text}"));
    }
}

/// A named moment on the page's performance timeline, for the benchmarks.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

const SEEN_KEY: &str = "yorisoi.clock_seen";

/// The device's clock, never earlier than the latest time it has shown this app: a clock moved
/// back (by hand, or by a flat battery) does not make time run again, so it cannot stretch the
/// time a device may work offline. The latest time is kept in localStorage, written again when it
/// moved by more than a minute.
pub fn monotonic_now_ms() -> i64 {
    use gloo_storage::{LocalStorage, Storage};
    let now = now_ms();
    let seen = LocalStorage::get::<i64>(SEEN_KEY).unwrap_or(0);
    if now > seen + 60_000 {
        let _ = LocalStorage::set(SEEN_KEY, now);
    }
    now.max(seen)
}

/// Minutes east of UTC in the browser's time zone (Japan: +540).
pub fn offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

/// Today's date where the device is.
pub fn today() -> Date {
    Date::from_unix_millis(now_ms(), offset_minutes()).expect("the clock gives a real date")
}

/// The current time of day, "HH:MM".
pub fn time_of_day() -> String {
    let date = js_sys::Date::new_0();
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}

fn random_bytes() -> [u8; 10] {
    let mut bytes = [0u8; 10];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for byte in &mut bytes {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes
}

/// `N` bytes from the browser's cryptographic random source; `None` if it is not available.
pub fn secure_random<const N: usize>() -> Option<[u8; N]> {
    let mut bytes = [0u8; N];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok())
        .then_some(bytes)
}

pub fn new_client_id() -> ClientId {
    ClientId::new_v7(now_ms().max(0) as u64, random_bytes())
}

pub fn new_record_id() -> RecordId {
    RecordId::new_v7(now_ms().max(0) as u64, random_bytes())
}

/// This device's identity, made once on first start.
pub fn new_device_id() -> DeviceId {
    DeviceId::new_v7(now_ms().max(0) as u64, random_bytes())
}

/// A moment as "2026/11/21 10:46" in the device's time zone, for "last synced" and the history.
pub fn format_time(unix_millis: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix_millis as f64));
    format!(
        "{}/{}/{} {:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}
