//! The tabs and windows of the app in one browser profile, working as one device.
//!
//! - Each tab is a writer with an id of its own and holds a Web Lock named after it for as long
//!   as it lives; the browser releases it when the tab closes or crashes, so the syncing tab can
//!   tell a writer that may still amend its newest changes from one that is gone.
//! - One Web Lock elects the tab that talks to the server ([`lead`]); when that tab goes, a
//!   waiting tab gets the lock and takes over.
//! - A `BroadcastChannel` carries what the syncing tab tells the others (pulled pages, its sync
//!   status) and what they ask of it (sync now).
//! - `storage` events carry every other tab's unsent changes and seals as they are written.
//!
//! See ARCHITECTURE.md (Decisions: several tabs) for why these platform tools.

use crate::device::sync::status::SyncStatus;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeSet;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use yorisoi_domain::ids::DeviceId;
use yorisoi_domain::sync::protocol::Pulled;

#[wasm_bindgen(module = "/js/tabs.js")]
extern "C" {
    fn hold(name: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = heldLocks)]
    fn held_locks() -> js_sys::Promise;
    #[wasm_bindgen(js_name = openChannel)]
    fn open_channel(name: &str, on_message: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = post)]
    fn post_js(channel: &JsValue, text: &str);
    #[wasm_bindgen(js_name = onStorage)]
    fn on_storage_js(callback: &JsValue);
    #[wasm_bindgen(js_name = onLeave)]
    fn on_leave_js(callback: &JsValue);
}

mod read;

const CHANNEL: &str = "yorisoi.tabs";
const LEADER_LOCK: &str = "yorisoi.sync";
const WRITER_LOCK: &str = "yorisoi.writer.";

/// What one tab tells the others. Read without serde's buffering (`read.rs`); written as
/// derived.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// The syncing tab wrote a pulled page and its cursor to IndexedDB.
    Pulled { changes: Vec<Pulled>, cursor: u64 },
    /// The syncing tab's status, whenever it changes.
    Status { status: SyncStatus },
    /// Please sync now (a person pressed 今すぐ同期, or made an edit, in another tab).
    SyncNow,
    /// A tab started: the syncing tab answers with its status.
    Hello,
    /// These clients left this device's scope: the syncing tab deleted them.
    Forgot {
        clients: Vec<yorisoi_domain::ids::ClientId>,
    },
    /// The syncing tab stored a bootstrap page with chunks of these clients: read them in.
    Stored {
        clients: Vec<yorisoi_domain::ids::ClientId>,
        last: bool,
    },
    /// The server's database was restored: the syncing tab sent again what it lacked and pulls
    /// from the start of database `instance`.
    Restarted { instance: String },
    /// A tab started locked: one that holds the keys shares them (see [`crate::vault`]).
    KeysPlease,
    /// The keys, for a tab that asked. They travel between this app's tabs only, in memory.
    Keys {
        person: yorisoi_domain::ids::PersonId,
        key: String,
    },
    /// The keys were dropped (sign-out, too many wrong PINs): every tab drops them.
    Lock,
    /// This device's data was deleted (revoked, retired, or another person signed in): reload.
    Wiped,
}

thread_local! {
    static CHANNEL_HANDLE: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// The name of the lock a writer holds while its tab lives.
pub fn writer_lock(writer: DeviceId) -> String {
    format!("{WRITER_LOCK}{writer}")
}

/// Asks at once for the lock `name`, held for the rest of this tab's life; the future is ready
/// once it is held.
pub fn hold_lock(name: &str) -> impl Future<Output = ()> + use<> {
    let held = JsFuture::from(hold(name));
    async move {
        let _ = held.await;
    }
}

/// Runs `become_leader` once this tab is the one that syncs (at once, or when the tab that was
/// goes away).
pub fn lead(become_leader: impl FnOnce() + 'static) {
    wasm_bindgen_futures::spawn_local(async move {
        hold_lock(LEADER_LOCK).await;
        become_leader();
    });
}

/// The writers whose tabs are open now.
pub async fn alive_writers() -> BTreeSet<DeviceId> {
    let Ok(names) = JsFuture::from(held_locks()).await else {
        return BTreeSet::new();
    };
    yorisoi_domain::order::set_of(
        js_sys::Array::from(&names)
            .iter()
            .filter_map(|name| name.as_string())
            .filter_map(|name| name.strip_prefix(WRITER_LOCK)?.parse().ok()),
    )
}

/// Opens the channel to the other tabs; `on_message` gets every message they send.
pub fn open(on_message: impl Fn(Message) + 'static) {
    let callback = Closure::<dyn Fn(JsValue)>::new(move |data: JsValue| {
        if let Some(message) = data
            .as_string()
            .and_then(|text| serde_json::from_str::<Message>(&text).ok())
        {
            on_message(message);
        }
    });
    let channel = open_channel(CHANNEL, &callback.into_js_value());
    CHANNEL_HANDLE.with(|c| *c.borrow_mut() = Some(channel));
}

pub fn post(message: &Message) {
    if let Ok(text) = serde_json::to_string(message) {
        send(&text);
    }
}

/// Tells the other tabs about a pulled page without copying it into a [`Message`].
pub fn post_pulled(changes: &[Pulled], cursor: u64) {
    #[derive(Serialize)]
    #[serde(tag = "type", rename = "pulled")]
    struct PulledRef<'a> {
        changes: &'a [Pulled],
        cursor: u64,
    }
    if let Ok(text) = serde_json::to_string(&PulledRef { changes, cursor }) {
        send(&text);
    }
}

fn send(text: &str) {
    CHANNEL_HANDLE.with(|c| {
        if let Some(channel) = c.borrow().as_ref() {
            post_js(channel, text);
        }
    });
}

/// Calls `callback(key, old, new)` for every localStorage entry another tab writes or removes.
pub fn on_storage(callback: impl Fn(String, Option<String>, Option<String>) + 'static) {
    let closure = Closure::<dyn Fn(String, Option<String>, Option<String>)>::new(callback);
    on_storage_js(&closure.into_js_value());
}

/// Calls `callback` whenever the person leaves this tab (hidden, closed, another window focused).
pub fn on_leave(callback: impl Fn() + 'static) {
    let closure = Closure::<dyn Fn()>::new(callback);
    on_leave_js(&closure.into_js_value());
}
