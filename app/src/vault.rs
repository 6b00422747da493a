//! Sealing at rest: the keys that every stored client value is encrypted with, held in memory only
//! while the person has unlocked the app.
//!
//! - A **device key** (256 random bits) per person on this device. It is stored only wrapped
//!   (XChaCha20-Poly1305) under a key derived from the person's password with Argon2id (OWASP's
//!   parameters: 19 MiB, 2 passes), with a random salt, under `yorisoi.keys.<person>`. Unwrapping
//!   it is how the password is checked offline: a wrong password fails the AEAD's tag.
//! - A **client key** per client, derived from the device key with HKDF-SHA256 and the client's
//!   id. Derived rather than stored, so two tabs that meet a new client at once cannot make two
//!   keys for it (one of which would be lost with what it sealed); and a value of one client never
//!   opens under another's key.
//! - Large values (the store's chunks) are sealed with AES-256-GCM through WebCrypto under a second
//!   key per client derived the same way ([`seal_bulk`]): the browser seals megabytes natively,
//!   where a cipher in WebAssembly took a quarter of a second per 20 MB. Small values (an unsent
//!   change, sealed inside the input handler, which cannot wait) use XChaCha20-Poly1305 here.
//! - Every value is sealed with a random nonce (192 bits; 96 for AES-GCM) and the place it is stored under as
//!   associated data, so a value moved to another key, or another client's slot, does not open.
//!
//! What is sealed with which key, and what is not, is in ARCHITECTURE.md. RustCrypto's crates do
//! the cryptography; nothing here is hand-written but the layout.

use argon2::Params;
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::BTreeMap;
use yorisoi_domain::ids::{ClientId, PersonId};

const KEYS_PREFIX: &str = "yorisoi.keys.";

pub use crate::device::cipher::VaultError;
use crate::device::cipher::{self, NONCE, open_with, password_key};

/// A person's wrapped device key, as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Wrapped {
    format: u32,
    /// Argon2id's salt, memory (KiB) and passes.
    salt: String,
    m_cost: u32,
    t_cost: u32,
    /// Nonce and ciphertext of the device key.
    key: String,
}

struct Keys {
    person: PersonId,
    device: [u8; 32],
    clients: BTreeMap<ClientId, XChaCha20Poly1305>,
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/seal.js")]
extern "C" {
    // `catch`: without WebCrypto (a page served over plain HTTP to a LAN address) these throw;
    // that is an error the app reports, not a crash.
    #[wasm_bindgen(js_name = importKey, catch)]
    fn import_key(raw: &[u8]) -> Result<js_sys::Promise, wasm_bindgen::JsValue>;
    #[wasm_bindgen(catch)]
    fn encrypt(
        key: &wasm_bindgen::JsValue,
        iv: &[u8],
        aad: &[u8],
        data: &[u8],
    ) -> Result<js_sys::Promise, wasm_bindgen::JsValue>;
    #[wasm_bindgen(catch)]
    fn decrypt(
        key: &wasm_bindgen::JsValue,
        iv: &[u8],
        aad: &[u8],
        data: &[u8],
    ) -> Result<js_sys::Promise, wasm_bindgen::JsValue>;
}

/// The first byte of a value sealed by [`seal_bulk`]: AES-256-GCM (WebCrypto).
const BULK_AES_GCM: u8 = 2;
const GCM_NONCE: usize = 12;

thread_local! {
    static KEYS: RefCell<Option<Keys>> = const { RefCell::new(None) };
    /// Each client's bulk key, imported into WebCrypto (not extractable).
    static BULK: RefCell<BTreeMap<ClientId, wasm_bindgen::JsValue>> = const { RefCell::new(BTreeMap::new()) };
    /// Whoever waits for the keys (the store's load): resolved when they arrive.
    static WAITING: RefCell<Vec<js_sys::Function>> = const { RefCell::new(Vec::new()) };
}

/// Ready once keys are in memory (at once if they are).
pub async fn when_unlocked() {
    if unlocked().is_some() {
        return;
    }
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        WAITING.with(|w| w.borrow_mut().push(resolve));
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn set_keys(keys: Keys) {
    KEYS.with(|k| *k.borrow_mut() = Some(keys));
    for resolve in WAITING.with(|w| std::mem::take(&mut *w.borrow_mut())) {
        let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
    }
}

fn keys_key(person: PersonId) -> String {
    format!("{KEYS_PREFIX}{person}")
}

pub fn random<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut bytes = [0u8; N];
    let crypto = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or(VaultError::NoRandom)?;
    crypto
        .get_random_values_with_u8_array(&mut bytes)
        .map_err(|_| VaultError::NoRandom)?;
    Ok(bytes)
}

/// Seals with a fresh random nonce.
fn seal_with(key: &XChaCha20Poly1305, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>, VaultError> {
    cipher::seal_with(key, random::<NONCE>()?, aad, plain)
}

/// Whether this person has a key on this device (they signed in on it since sealing existed).
pub fn has_key(person: PersonId) -> bool {
    LocalStorage::raw()
        .get_item(&keys_key(person))
        .ok()
        .flatten()
        .is_some()
}

/// Opens this person's device key with their password; on their first sign-in on this device
/// (`create`), makes one. The password must have been checked by the server before `create`.
pub fn unlock(person: PersonId, password: &str, create: bool) -> Result<(), VaultError> {
    let aad = keys_key(person);
    let stored: Option<Wrapped> = LocalStorage::get(&aad).ok();
    let device = match stored {
        Some(wrapped) => {
            let salt = B64.decode(&wrapped.salt).map_err(|_| VaultError::Damaged)?;
            let sealed = B64.decode(&wrapped.key).map_err(|_| VaultError::Damaged)?;
            let kek = password_key(password, &salt, wrapped.m_cost, wrapped.t_cost);
            let cipher = XChaCha20Poly1305::new((&kek).into());
            let key = open_with(&cipher, aad.as_bytes(), &sealed)
                .map_err(|_| VaultError::WrongPassword)?;
            <[u8; 32]>::try_from(key.as_slice()).map_err(|_| VaultError::Damaged)?
        }
        None if create => {
            let device = random::<32>()?;
            wrap(person, &device, password)?;
            device
        }
        None => return Err(VaultError::NoKey),
    };
    set_keys(Keys {
        person,
        device,
        clients: BTreeMap::new(),
    });
    Ok(())
}

/// Whether `password` opens this person's key (the keys in memory are not touched).
pub fn check(person: PersonId, password: &str) -> Result<(), VaultError> {
    let aad = keys_key(person);
    let wrapped: Wrapped = LocalStorage::get(&aad).map_err(|_| VaultError::NoKey)?;
    let salt = B64.decode(&wrapped.salt).map_err(|_| VaultError::Damaged)?;
    let sealed = B64.decode(&wrapped.key).map_err(|_| VaultError::Damaged)?;
    let kek = password_key(password, &salt, wrapped.m_cost, wrapped.t_cost);
    open_with(
        &XChaCha20Poly1305::new((&kek).into()),
        aad.as_bytes(),
        &sealed,
    )
    .map(|_| ())
    .map_err(|_| VaultError::WrongPassword)
}

/// Forgets one person's wrapped key: what was sealed under it can no longer be opened.
pub fn forget(person: PersonId) {
    LocalStorage::delete(keys_key(person));
    if unlocked() == Some(person) {
        lock();
    }
}

/// Stores the device key wrapped under `password` (a new one, or a new password).
fn wrap(person: PersonId, device: &[u8; 32], password: &str) -> Result<(), VaultError> {
    let aad = keys_key(person);
    let salt = random::<16>()?;
    let (m_cost, t_cost) = (Params::DEFAULT_M_COST, Params::DEFAULT_T_COST);
    let kek = password_key(password, &salt, m_cost, t_cost);
    let sealed = seal_with(
        &XChaCha20Poly1305::new((&kek).into()),
        aad.as_bytes(),
        device,
    )?;
    let wrapped = Wrapped {
        format: 1,
        salt: B64.encode(salt),
        m_cost,
        t_cost,
        key: B64.encode(sealed),
    };
    LocalStorage::set(&aad, &wrapped).map_err(|e| VaultError::Storage(e.to_string()))
}

/// The person changed their password: the device key is wrapped under the new one.
pub fn rewrap(new_password: &str) -> Result<(), VaultError> {
    let (person, device) = KEYS
        .with(|k| k.borrow().as_ref().map(|k| (k.person, k.device)))
        .ok_or(VaultError::Locked)?;
    wrap(person, &device, new_password)
}

/// Drops every key from memory: what is stored stays, sealed.
pub fn lock() {
    KEYS.with(|k| *k.borrow_mut() = None);
    BULK.with(|b| b.borrow_mut().clear());
}

/// Whose keys are in memory.
pub fn unlocked() -> Option<PersonId> {
    KEYS.with(|k| k.borrow().as_ref().map(|k| k.person))
}

/// The device key, for another tab of this app asking for it (see `tabs`).
pub fn share() -> Option<(PersonId, String)> {
    KEYS.with(|k| {
        k.borrow()
            .as_ref()
            .map(|k| (k.person, B64.encode(k.device)))
    })
}

/// Takes the device key another tab shared.
pub fn adopt(person: PersonId, key: &str) -> bool {
    let Some(device) = B64
        .decode(key)
        .ok()
        .and_then(|k| <[u8; 32]>::try_from(k.as_slice()).ok())
    else {
        return false;
    };
    set_keys(Keys {
        person,
        device,
        clients: BTreeMap::new(),
    });
    true
}

/// Runs `f` with a client's key.
fn with_client<R>(
    client: ClientId,
    f: impl FnOnce(&XChaCha20Poly1305) -> Result<R, VaultError>,
) -> Result<R, VaultError> {
    KEYS.with(|k| {
        let mut keys = k.borrow_mut();
        let keys = keys.as_mut().ok_or(VaultError::Locked)?;
        let device = keys.device;
        let cipher = keys
            .clients
            .entry(client)
            .or_insert_with(|| cipher::client_cipher(&device, client));
        f(cipher)
    })
}

/// A client's key for `purpose`: HKDF-SHA256 of the device key, the purpose and the client id.
fn derive(client: ClientId, purpose: &[u8]) -> Result<[u8; 32], VaultError> {
    let device = KEYS
        .with(|k| k.borrow().as_ref().map(|k| k.device))
        .ok_or(VaultError::Locked)?;
    Ok(cipher::derive(&device, purpose, client))
}

async fn bulk_key(client: ClientId) -> Result<wasm_bindgen::JsValue, VaultError> {
    if let Some(key) = BULK.with(|b| b.borrow().get(&client).cloned()) {
        return Ok(key);
    }
    let raw = derive(client, cipher::BULK_KEY_INFO)?;
    let key =
        wasm_bindgen_futures::JsFuture::from(import_key(&raw).map_err(|_| VaultError::NoCrypto)?)
            .await
            .map_err(|_| VaultError::NoCrypto)?;
    BULK.with(|b| b.borrow_mut().insert(client, key.clone()));
    Ok(key)
}

/// Seals a large value of one client (a stored chunk) with AES-256-GCM through WebCrypto: the
/// browser does the work natively. Laid out as the scheme's byte, the nonce, the ciphertext.
pub async fn seal_bulk(client: ClientId, place: &str, plain: &[u8]) -> Result<Vec<u8>, VaultError> {
    let key = bulk_key(client).await?;
    let nonce = random::<GCM_NONCE>()?;
    let sealed = wasm_bindgen_futures::JsFuture::from(
        encrypt(&key, &nonce, place.as_bytes(), plain).map_err(|_| VaultError::NoCrypto)?,
    )
    .await
    .map_err(|_| VaultError::Damaged)?;
    let mut out = Vec::with_capacity(1 + GCM_NONCE + plain.len() + 16);
    out.push(BULK_AES_GCM);
    out.extend_from_slice(&nonce);
    out.extend(js_sys::Uint8Array::new(&sealed).to_vec());
    Ok(out)
}

/// Opens what [`seal_bulk`] sealed for the same client and place.
pub async fn open_bulk(
    client: ClientId,
    place: &str,
    sealed: &[u8],
) -> Result<Vec<u8>, VaultError> {
    match sealed.split_first() {
        Some((&BULK_AES_GCM, rest)) if rest.len() >= GCM_NONCE => {
            let key = bulk_key(client).await?;
            let (nonce, body) = rest.split_at(GCM_NONCE);
            let opened = wasm_bindgen_futures::JsFuture::from(
                decrypt(&key, nonce, place.as_bytes(), body).map_err(|_| VaultError::NoCrypto)?,
            )
            .await
            .map_err(|_| VaultError::Damaged)?;
            Ok(js_sys::Uint8Array::new(&opened).to_vec())
        }
        _ => Err(VaultError::Damaged),
    }
}

/// Seals `plain`, one client's, to be stored under `place`.
pub fn seal(client: ClientId, place: &str, plain: &[u8]) -> Result<Vec<u8>, VaultError> {
    with_client(client, |cipher| seal_with(cipher, place.as_bytes(), plain))
}

/// Opens what [`seal`] sealed for the same client and place.
pub fn open(client: ClientId, place: &str, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
    with_client(client, |cipher| open_with(cipher, place.as_bytes(), sealed))
}

/// [`seal`] as text, for localStorage.
pub fn seal_text(client: ClientId, place: &str, plain: &str) -> Result<String, VaultError> {
    seal(client, place, plain.as_bytes()).map(|s| B64.encode(s))
}

/// [`open`] from text.
pub fn open_text(client: ClientId, place: &str, sealed: &str) -> Result<String, VaultError> {
    let bytes = B64.decode(sealed).map_err(|_| VaultError::Damaged)?;
    String::from_utf8(open(client, place, &bytes)?).map_err(|_| VaultError::Damaged)
}

/// Forgets every person's wrapped key on this device (a revoked or retired device).
pub fn remove_all() {
    let raw = LocalStorage::raw();
    let keys: Vec<String> = (0..raw.length().unwrap_or(0))
        .filter_map(|i| raw.key(i).ok().flatten())
        .filter(|k| k.starts_with(KEYS_PREFIX))
        .collect();
    for key in keys {
        let _ = raw.remove_item(&key);
    }
    lock();
}
