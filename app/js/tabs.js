// Tabs of one browser profile working as one device. Kept in JS because these platform APIs are
// promise- and callback-shaped; the app (app/src/tabs.rs) decides what every message means.
//
// - Web Locks: each tab holds a lock named after its writer id for as long as it lives, so any
//   tab can tell which writers' tabs are gone (the browser releases a closed or crashed tab's
//   locks). One lock elects the tab that talks to the server; when that tab goes, the lock passes
//   to a waiting tab.
// - BroadcastChannel: what the syncing tab tells the others (pulled changes, its status) and
//   what they ask of it (sync now).
// - `storage` events: another tab wrote or removed an entry of localStorage.

// A page going into the back/forward cache (see page_cache.js) gives up every lock it holds or
// waits for and leaves the channel: WebKit would let its locks go without telling it, and a kept
// page hears nothing. It loads again when it comes back, and takes them anew.
let release;
const released = new Promise((resolve) => {
  release = resolve;
});
const leaving = typeof AbortController === 'function' ? new AbortController() : null;
const channels = [];
let left = false;
window.addEventListener('pagehide', (event) => {
  if (!event.persisted) return;
  left = true;
  if (leaving) leaving.abort();
  release();
  for (const channel of channels) channel.close();
});

export function locksAvailable() {
  return !!(navigator.locks && navigator.locks.request);
}

// Holds the lock `name` until the tab closes (or goes into the back/forward cache); the promise
// resolves once it is held. Without Web Locks (very old browsers) it resolves at once: every tab
// then syncs for itself.
export function hold(name) {
  return new Promise((resolve) => {
    if (!locksAvailable()) {
      resolve();
      return;
    }
    const options = leaving ? { signal: leaving.signal } : {};
    navigator.locks
      .request(name, options, () => {
        resolve();
        return released;
      })
      .catch(() => {});
  });
}

// The names of every lock held now, by any tab of this profile.
export async function heldLocks() {
  if (!locksAvailable()) return [];
  const state = await navigator.locks.query();
  return (state.held || []).map((lock) => lock.name);
}

export function openChannel(name, onMessage) {
  if (typeof BroadcastChannel === 'undefined') return null;
  const channel = new BroadcastChannel(name);
  channel.onmessage = (event) => onMessage(event.data);
  channels.push(channel);
  return channel;
}

export function post(channel, text) {
  if (channel && !left) channel.postMessage(text);
}

export function onStorage(callback) {
  window.addEventListener('storage', (event) => {
    if (event.storageArea !== window.localStorage || event.key === null) return;
    callback(event.key, event.oldValue, event.newValue);
  });
}

// Runs `callback` when this tab stops being where the person works: hidden, left, or (for two
// windows side by side) another window focused.
export function onLeave(callback) {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') callback();
  });
  window.addEventListener('pagehide', callback);
  window.addEventListener('blur', callback);
}
