//! The cryptography of sealing at rest, with no key storage and no randomness of its own (the
//! vault holds the keys and asks the browser for nonces): XChaCha20-Poly1305 with the place a
//! value is stored under as associated data, HKDF-SHA256 for a client's keys, Argon2id for the
//! key a password gives. RustCrypto's crates do the work; only the layout is ours.

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use yorisoi_domain::ids::ClientId;

/// The nonce's length (192 bits): a random one per value is safe.
pub const NONCE: usize = 24;
/// What a client's small values are sealed under: HKDF's info, with the client's id.
pub const CLIENT_KEY_INFO: &[u8] = b"yorisoi client key v1 ";
/// What a client's chunks are sealed under (AES-GCM, by WebCrypto).
pub const BULK_KEY_INFO: &[u8] = b"yorisoi client bulk key v1 ";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VaultError {
    /// The password does not open this person's key.
    WrongPassword,
    /// No key of this person on this device: they must sign in online once.
    NoKey,
    /// Locked: no keys in memory.
    Locked,
    /// A sealed value that does not open (damaged, or moved from elsewhere).
    Damaged,
    /// The browser gives no cryptographic randomness.
    NoRandom,
    /// The browser offers no WebCrypto here (the page is not served over HTTPS or localhost).
    NoCrypto,
    /// The wrapped key could not be stored.
    Storage(String),
}

/// The key a password gives with these parameters (Argon2id).
pub fn password_key(password: &str, salt: &[u8], m_cost: u32, t_cost: u32) -> [u8; 32] {
    let params = Params::new(m_cost, t_cost, 1, Some(32)).expect("valid Argon2 parameters");
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .expect("a 32-byte Argon2 output");
    out
}

/// A client's key for `purpose`: HKDF-SHA256 of the device key, the purpose and the client id.
pub fn derive(device: &[u8; 32], purpose: &[u8], client: ClientId) -> [u8; 32] {
    let mut key = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(None, device)
        .expand_multi_info(&[purpose, client.0.as_bytes()], &mut key)
        .expect("32 bytes is a valid HKDF length");
    key
}

/// The cipher of a client's small values.
pub fn client_cipher(device: &[u8; 32], client: ClientId) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new((&derive(device, CLIENT_KEY_INFO, client)).into())
}

/// Seals `plain` with `nonce` (which must be random, and never used twice with one key) and
/// `aad`: the nonce, then the ciphertext and its tag.
pub fn seal_with(
    cipher: &XChaCha20Poly1305,
    nonce: [u8; NONCE],
    aad: &[u8],
    plain: &[u8],
) -> Result<Vec<u8>, VaultError> {
    let mut out = nonce.to_vec();
    out.extend(
        cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
            .map_err(|_| VaultError::Damaged)?,
    );
    Ok(out)
}

/// Opens what [`seal_with`] sealed with the same cipher and `aad`; anything else (another key,
/// another place, a changed byte) is [`VaultError::Damaged`].
pub fn open_with(
    cipher: &XChaCha20Poly1305,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, VaultError> {
    if sealed.len() < NONCE {
        return Err(VaultError::Damaged);
    }
    let (nonce, body) = sealed.split_at(NONCE);
    let nonce = <[u8; NONCE]>::try_from(nonce).map_err(|_| VaultError::Damaged)?;
    cipher
        .decrypt(&XNonce::from(nonce), Payload { msg: body, aad })
        .map_err(|_| VaultError::Damaged)
}

#[cfg(test)]
#[path = "cipher_tests.rs"]
mod tests;
