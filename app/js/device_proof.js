// The device's secret (issue 19): 256 random bits that prove to the server that a request comes
// from this device, sent with every request (see app/src/device_proof.rs).
//
// Sealed at rest: the secret is stored in localStorage (`yorisoi.device_proof`, next to the
// device id it belongs to) only wrapped with AES-256-GCM under a WebCrypto key that is not
// extractable and lives in IndexedDB (`yorisoi-device`): a copy of the browser's storage shows
// neither the secret's bytes nor the key's. The device id is the associated data: the secret of
// another device id does not open.

const ENTRY = "yorisoi.device_proof";
const DB = "yorisoi-device";
const STORE = "keys";
const KEY = "device-proof";

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function openDb() {
  const r = indexedDB.open(DB, 1);
  r.onupgradeneeded = () => r.result.createObjectStore(STORE);
  return request(r);
}

// The wrapping key, made on first use (not extractable: its bytes never leave the browser).
async function wrappingKey() {
  const db = await openDb();
  try {
    const found = await request(db.transaction(STORE).objectStore(STORE).get(KEY));
    if (found) return found;
    const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
      "encrypt",
      "decrypt",
    ]);
    await request(db.transaction(STORE, "readwrite").objectStore(STORE).put(key, KEY));
    return key;
  } finally {
    db.close();
  }
}

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function loadOrMake(device) {
  const key = await wrappingKey();
  const aad = new TextEncoder().encode("yorisoi device proof v1 " + device);
  const stored = localStorage.getItem(ENTRY);
  if (stored) {
    const entry = JSON.parse(stored);
    if (entry.device === device) {
      // A secret that no longer opens (its key is gone) is not replaced: the server would
      // refuse any other, and says so.
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(entry.iv), additionalData: aad },
        key,
        fromBase64(entry.sealed),
      );
      return hex(new Uint8Array(plain));
    }
  }
  // No secret yet for this device id (a new device, or a new id after a revocation).
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, secret);
  localStorage.setItem(
    ENTRY,
    JSON.stringify({ device, iv: toBase64(iv), sealed: toBase64(new Uint8Array(sealed)) }),
  );
  const proof = hex(secret);
  secret.fill(0);
  return proof;
}

// This device's secret as hex, made and stored on first use. Under a Web Lock, so two tabs
// opened at once cannot each make one (the second reads the first's).
export function deviceProof(device) {
  if (navigator.locks && navigator.locks.request) {
    return navigator.locks.request("yorisoi.device_proof", () => loadOrMake(device));
  }
  return loadOrMake(device);
}
