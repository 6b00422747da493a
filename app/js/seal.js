// AES-256-GCM through the browser's WebCrypto, for the large chunks the store keeps: the
// browser seals them natively and off the page's thread. The keys come from Rust (vault.rs).

export function importKey(raw) {
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

export async function encrypt(key, iv, aad, data) {
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, data);
  return new Uint8Array(sealed);
}

export async function decrypt(key, iv, aad, data) {
  const opened = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, data);
  return new Uint8Array(opened);
}
