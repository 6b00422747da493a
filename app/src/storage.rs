//! The one place the app touches localStorage for data. localStorage is written synchronously,
//! inside the input handler, so it holds what must survive a crash the moment a person types:
//! this device's identity (`yorisoi.device`), its writers (`yorisoi.writer.<writer>`: one per
//! run of the app in a tab, with how far its changes are final) and its unsent changes, one entry
//! per change under its writer's own numbers (`yorisoi.outbox.<writer>.<seq>`), so tabs open
//! side by side never write one key for two edits. Synced changes live in IndexedDB (see
//! [`crate::store::idb`]). The release before writers kept unsent changes under `yorisoi.outbox.<seq>`;
//! those are still read (their contents name their writer) and pushed. A change the server set
//! aside instead of storing is kept, with why, under `yorisoi.refused.<writer>.<seq>`.
//!
//! Clients and records written before sync existed (`yorisoi.client.<id>`,
//! `yorisoi.record.<id>`) are read once, turned into unsent changes, and then removed.
//! Every entry is in the domain's versioned stored format, and one damaged entry never hides the
//! others.
//!
//! Storage failures are values: a full quota is [`StorageError::Quota`], and an entry that cannot
//! be read is reported in [`Loaded::set_aside`] and left exactly where it is, never deleted or
//! overwritten. See ARCHITECTURE.md for how much fits and what moves to IndexedDB with sync.

use crate::vault;
use gloo_storage::{LocalStorage, Storage};
use wasm_bindgen::JsCast;
use yorisoi_domain::ids::{ClientId, DeviceId, PersonId};
use yorisoi_domain::record::{Client, Record};
use yorisoi_domain::stored::{self, Stored};
use yorisoi_domain::sync::local::{DeviceState, RefusedChange, Unsent, Writer};

pub use crate::device::errors::{SetAside, StorageError};
use crate::device::keys;
pub use crate::device::keys::{
    CLIENT_PREFIX, DEVICE_KEY, OUTBOX_PREFIX, RECORD_PREFIX, REFUSED_PREFIX, WRITER_PREFIX,
    outbox_key, writer_key,
};

#[derive(Debug, Default)]
pub struct Loaded {
    /// Clients and records from before sync, still to be turned into changes.
    pub clients: Vec<Client>,
    pub records: Vec<Record>,
    pub device: Option<DeviceState>,
    /// Every writer's unsent changes, with the key each is stored under.
    pub unsent: Vec<(String, Unsent)>,
    pub writers: Vec<Writer>,
    pub refused: Vec<RefusedChange>,
    pub set_aside: Vec<SetAside>,
}

fn raw() -> Result<web_sys::Storage, StorageError> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .ok_or_else(|| StorageError::Unavailable("localStorage is not available".into()))
}

/// Reads every client and record. Entries in an older format are migrated and written back in
/// the current one (a failed write-back is harmless: the old entry still reads next time).
pub fn load_all() -> Result<Loaded, StorageError> {
    let storage = raw()?;
    let length = storage.length().map_err(js_error)?;
    let keys: Vec<String> = (0..length)
        .filter_map(|i| storage.key(i).ok().flatten())
        .collect();
    let mut loaded = Loaded::default();
    for key in keys {
        let Some(text) = storage.get_item(&key).ok().flatten() else {
            continue;
        };
        if key.starts_with(CLIENT_PREFIX) {
            read_entry(
                &storage,
                &key,
                &text,
                &mut loaded.clients,
                &mut loaded.set_aside,
            );
        } else if key.starts_with(RECORD_PREFIX) {
            read_entry(
                &storage,
                &key,
                &text,
                &mut loaded.records,
                &mut loaded.set_aside,
            );
        } else if key.starts_with(OUTBOX_PREFIX) {
            if let Some(unsent) = read_sealed::<Unsent>(&key, &text, &mut loaded.set_aside) {
                loaded.unsent.push((key.clone(), unsent));
            }
        } else if key.starts_with(REFUSED_PREFIX) {
            if let Some(refused) = read_sealed::<RefusedChange>(&key, &text, &mut loaded.set_aside)
            {
                loaded.refused.push(refused);
            }
        } else if key.starts_with(WRITER_PREFIX) {
            read_entry(
                &storage,
                &key,
                &text,
                &mut loaded.writers,
                &mut loaded.set_aside,
            );
        } else if key == DEVICE_KEY {
            let mut device = Vec::new();
            read_entry(&storage, &key, &text, &mut device, &mut loaded.set_aside);
            loaded.device = device.pop();
        }
    }
    Ok(loaded)
}

/// One client's value sealed under that client's key (see [`crate::vault`]), with the place it
/// is stored under as associated data: how the outbox and the refused list are stored. Whose key
/// it is under is said, so another person's entries are kept, unread, for them.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sealed {
    pub client: ClientId,
    pub by: PersonId,
    pub data: String,
}

impl Stored for Sealed {
    const KIND: &'static str = "sealed";
}

/// A client's value, sealed, as stored under `key`.
pub fn seal_entry<T: Stored>(
    key: &str,
    client: ClientId,
    value: &T,
) -> Result<String, StorageError> {
    let by = vault::unlocked().ok_or_else(locked)?;
    let data = vault::seal_text(client, key, &stored::encode(value))
        .map_err(|e| StorageError::Unavailable(format!("{e:?}")))?;
    Ok(stored::encode(&Sealed { client, by, data }))
}

fn locked() -> StorageError {
    StorageError::Unavailable("the app is locked".into())
}

/// Why an entry could not be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unopened {
    /// Sealed under another person's key: theirs, kept for them.
    OtherPerson(PersonId),
    /// Unreadable: why.
    Damaged(String),
}

/// Opens a sealed entry; one written before sealing existed is read as it is (`true`: to be
/// sealed).
pub fn open_entry<T: Stored>(key: &str, text: &str) -> Result<(T, bool), Unopened> {
    match stored::decode::<Sealed>(text) {
        Ok(sealed) => {
            if vault::unlocked().is_some_and(|me| me != sealed.by) {
                return Err(Unopened::OtherPerson(sealed.by));
            }
            let plain = vault::open_text(sealed.client, key, &sealed.data)
                .map_err(|e| Unopened::Damaged(format!("{e:?}")))?;
            stored::decode::<T>(&plain)
                .map(|value| (value, false))
                .map_err(|e| Unopened::Damaged(e.to_string()))
        }
        Err(stored::DecodeError::WrongKind(_)) => stored::decode::<T>(text)
            .map(|value| (value, true))
            .map_err(|e| Unopened::Damaged(e.to_string())),
        Err(error) => Err(Unopened::Damaged(error.to_string())),
    }
}

/// Reads a sealed entry; one written before sealing is sealed in place; one that cannot be read
/// is set aside, untouched.
fn read_sealed<T: Stored + HasClient>(
    key: &str,
    text: &str,
    set_aside: &mut Vec<SetAside>,
) -> Option<T> {
    match open_entry::<T>(key, text) {
        Ok((value, plain)) => {
            if plain && let Ok(sealed) = seal_entry(key, value.client(), &value) {
                let _ = write(key, &sealed);
            }
            Some(value)
        }
        Err(Unopened::OtherPerson(_)) => {
            set_aside.push(SetAside {
                key: key.to_owned(),
                reason: "別の方（前にこの端末でサインインした方）の未送信の変更です。その方がサインインすると送信されます。 / Another person's unsent change (who signed in on this device before): it is sent when they sign in.".into(),
            });
            None
        }
        Err(Unopened::Damaged(reason)) => {
            set_aside.push(SetAside {
                key: key.to_owned(),
                reason,
            });
            None
        }
    }
}

/// A stored value's client: the key it is sealed under.
pub trait HasClient {
    fn client(&self) -> ClientId;
}

impl HasClient for Unsent {
    fn client(&self) -> ClientId {
        self.change.client
    }
}

impl HasClient for RefusedChange {
    fn client(&self) -> ClientId {
        self.change.client
    }
}

fn read_entry<T: Stored>(
    storage: &web_sys::Storage,
    key: &str,
    text: &str,
    into: &mut Vec<T>,
    set_aside: &mut Vec<SetAside>,
) {
    match stored::decode_versioned::<T>(text) {
        Ok((value, format)) => {
            if format < stored::FORMAT {
                let _ = storage.set_item(key, &stored::encode(&value));
            }
            into.push(value);
        }
        Err(error) => set_aside.push(SetAside {
            key: key.to_owned(),
            reason: error.to_string(),
        }),
    }
}

pub fn client_key(client: &Client) -> String {
    keys::client_key(client.id)
}

pub fn record_key(record: &Record) -> String {
    keys::record_key(record.id)
}

/// Writes a client in the pre-sync layout. The app no longer writes it; tests use it to set up
/// a device as the release before sync left it.
pub fn save_client(client: &Client) -> Result<(), StorageError> {
    write(&client_key(client), &stored::encode(client))
}

/// Writes a record in the pre-sync layout (see [`save_client`]).
pub fn save_record(record: &Record) -> Result<(), StorageError> {
    write(&record_key(record), &stored::encode(record))
}

pub fn save_unsent(unsent: &Unsent) -> Result<(), StorageError> {
    let id = unsent.change.id;
    let key = outbox_key(id.device, id.seq);
    write(&key, &seal_entry(&key, unsent.change.client, unsent)?)
}

pub fn save_refused(refused: &RefusedChange) -> Result<(), StorageError> {
    let id = refused.change.id;
    let key = keys::refused_key(id.device, id.seq);
    write(&key, &seal_entry(&key, refused.change.client, refused)?)
}

pub fn save_writer(writer: &Writer) -> Result<(), StorageError> {
    write(&writer_key(writer.id), &stored::encode(writer))
}

/// This device's identity: read, or made and stored on first use. Readable before the app is
/// unlocked (it says nothing about anyone): sign-in and enrolment send it.
pub fn device_id() -> DeviceId {
    let stored = raw()
        .ok()
        .and_then(|s| s.get_item(DEVICE_KEY).ok().flatten())
        .and_then(|text| stored::decode::<DeviceState>(&text).ok());
    if let Some(device) = stored {
        return device.id;
    }
    let device = DeviceState {
        id: crate::clock::new_device_id(),
        next_seq: 1,
    };
    let _ = save_device(&device);
    device.id
}

pub fn save_device(device: &DeviceState) -> Result<(), StorageError> {
    write(DEVICE_KEY, &stored::encode(device))
}

/// Removes one entry (an acknowledged change, or a pre-sync record now in the outbox).
pub fn remove(key: &str) {
    if let Ok(storage) = raw() {
        let _ = storage.remove_item(key);
    }
}

/// Writes one entry. Only this entry is touched; a failure leaves the previous value in place.
pub fn write(key: &str, value: &str) -> Result<(), StorageError> {
    raw()?.set_item(key, value).map_err(js_error)
}

fn js_error(value: wasm_bindgen::JsValue) -> StorageError {
    if let Some(exception) = value.dyn_ref::<web_sys::DomException>()
        && (exception.name() == "QuotaExceededError" || exception.code() == 22)
    {
        return StorageError::Quota;
    }
    StorageError::Unavailable(format!("{value:?}"))
}

/// Bytes used by this app's entries, as the browser counts them (UTF-16, two bytes a unit).
pub fn bytes_used() -> usize {
    let Ok(storage) = raw() else { return 0 };
    let length = storage.length().unwrap_or(0);
    (0..length)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with("yorisoi."))
        .map(|key| {
            let value = storage.get_item(&key).ok().flatten().unwrap_or_default();
            2 * (key.encode_utf16().count() + value.encode_utf16().count())
        })
        .sum()
}

/// Removes the unsent and refused changes sealed under one person's key (their key is being
/// replaced, and the page said so).
pub fn remove_sealed_by(person: PersonId) {
    let Ok(storage) = raw() else { return };
    let keys: Vec<String> = (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with(OUTBOX_PREFIX) || key.starts_with(REFUSED_PREFIX))
        .collect();
    for key in keys {
        let by = storage
            .get_item(&key)
            .ok()
            .flatten()
            .and_then(|text| stored::decode::<Sealed>(&text).ok())
            .map(|s| s.by);
        if by == Some(person) {
            let _ = storage.remove_item(&key);
        }
    }
}

/// How many unsent changes sealed under `person`'s key this device holds.
pub fn unsent_sealed_by(person: PersonId) -> usize {
    let Ok(storage) = raw() else { return 0 };
    (0..storage.length().unwrap_or(0))
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with(OUTBOX_PREFIX))
        .filter(|key| {
            storage
                .get_item(key)
                .ok()
                .flatten()
                .and_then(|text| stored::decode::<Sealed>(&text).ok())
                .is_some_and(|s| s.by == person)
        })
        .count()
}

/// Removes every one of this app's entries but the display settings: the device's identity, its
/// unsent and refused changes, who signed in. For a revoked or retired device.
pub fn remove_all_data() {
    let Ok(storage) = raw() else { return };
    let length = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..length)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with("yorisoi.") && key != crate::settings::KEY)
        .collect();
    for key in keys {
        let _ = storage.remove_item(&key);
    }
}

/// Removes every one of this app's entries: for tests and benchmarks only.
pub fn clear_for_tests() {
    LocalStorage::clear();
}
