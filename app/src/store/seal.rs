//! One chunk as stored: sealed under its client's bulk key with its key as associated data, and
//! opened again (inflated when a bootstrap page brought it gzipped; read as text when it was
//! stored before sealing).

use super::idb::Op;
use crate::device::keys::client_of_key;
use crate::storage::StorageError;
use crate::vault;
use wasm_bindgen::JsValue;
use yorisoi_domain::stored;
use yorisoi_domain::sync::local::Chunk;

/// A chunk as stored: sealed under its client's bulk key (see [`crate::vault::seal_bulk`]), with
/// its key as associated data, as bytes.
async fn value_of(key: &str, chunk: &Chunk) -> Result<JsValue, StorageError> {
    let start = crate::clock::precise_now();
    let text = stored::encode_direct(chunk);
    crate::clock::spent("encode", start);
    sealed(key, text.as_bytes()).await
}

/// A chunk's stored text (or, as a bootstrap page brought it, gzipped), sealed under its client's
/// bulk key, as bytes.
pub(super) async fn sealed(key: &str, text: &[u8]) -> Result<JsValue, StorageError> {
    let client = client_of_key(key)
        .ok_or_else(|| StorageError::Unavailable(format!("a chunk key without a client: {key}")))?;
    let start = crate::clock::precise_now();
    let sealed = vault::seal_bulk(client, key, text)
        .await
        .map_err(|e| StorageError::Unavailable(format!("{e:?}")))?;
    crate::clock::spent("encrypt", start);
    Ok(js_sys::Uint8Array::from(sealed.as_slice()).into())
}

#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/gzip.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn gunzip(bytes: &[u8]) -> Result<JsValue, JsValue>;
}

/// gzip's first two bytes: a chunk as a bootstrap page brought it (a chunk's text is JSON, `{`).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// An opened chunk's text: inflated if it came gzipped.
async fn text_of(plain: Vec<u8>) -> Result<String, String> {
    if plain.starts_with(&GZIP_MAGIC) {
        let start = crate::clock::precise_now();
        let text = gunzip(&plain)
            .await
            .map_err(|e| format!("a gzipped chunk does not inflate: {e:?}"))?
            .as_string()
            .ok_or("a gzipped chunk inflated to no text")?;
        crate::clock::spent("inflate", start);
        Ok(text)
    } else {
        String::from_utf8(plain).map_err(|e| e.to_string())
    }
}

/// A chunk read from its text; a state chunk must be of the client its key names.
fn chunk_from(key: &str, text: &str) -> Result<Chunk, String> {
    let chunk = stored::decode_direct::<Chunk>(text).map_err(|e| e.to_string())?;
    match &chunk {
        Chunk::Entities { client, .. } if Some(*client) != client_of_key(key) => {
            Err(format!("a chunk of client {client} stored under {key}"))
        }
        _ => Ok(chunk),
    }
}

/// A stored value as a chunk (`true`: stored before sealing, as text), or why it cannot be read.
pub(super) async fn chunk_of(key: &str, value: &JsValue) -> Result<(Chunk, bool), String> {
    if let Some(text) = value.as_string() {
        return chunk_from(key, &text).map(|chunk| (chunk, true));
    }
    let client = client_of_key(key).ok_or_else(|| "a chunk key without a client".to_owned())?;
    let bytes = js_sys::Uint8Array::new(value).to_vec();
    let plain = match vault::open_bulk(client, key, &bytes).await {
        Ok(plain) => plain,
        // Sealed by the first sealing builds (XChaCha20-Poly1305 in WebAssembly).
        Err(_) => vault::open(client, key, &bytes).map_err(|e| format!("{e:?}"))?,
    };
    let text = text_of(plain).await?;
    let start = crate::clock::precise_now();
    let chunk = chunk_from(key, &text);
    crate::clock::spent("decode", start);
    chunk.map(|chunk| (chunk, false))
}

pub(super) async fn put(key: String, chunk: &Chunk) -> Result<Op, StorageError> {
    Ok(Op::Put {
        value: value_of(&key, chunk).await?,
        key,
    })
}
